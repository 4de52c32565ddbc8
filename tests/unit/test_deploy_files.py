"""The deployment files (deploy/compose.yaml, deploy/Dockerfile, deploy/Caddyfile) agree with the product.

No Docker engine runs on the test machines, so the compose file is checked the way a typo would break it: every
command a service runs parses as a ``musicbot`` command line (the real CLI's parser, nothing invoked), every
variable set in ``environment:`` is a setting the product reads, the Dockerfile copies every package the wheel
ships, and the proxy forwards to the port the Telegram workers listen on.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import typer.main
import yaml

from bot.cli import app as cli_app
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
#: variables the containers read that are not musicbot settings (PostgreSQL's image, compose interpolation)
NOT_SETTINGS = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "PUBLIC_HOST"}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def bot_services() -> dict[str, dict]:
    return {name: svc for name, svc in compose()["services"].items() if "build" in svc}


def interpolate(arg: str) -> str:
    """``${VAR}`` / ``${VAR:?message}`` as compose would fill them (any value will do for parsing)."""
    return re.sub(r"\$\{[A-Z_]+(:[?-][^}]*)?\}", "example.org", arg)


def test_the_bot_services_are_the_ones_the_readme_describes() -> None:
    services = bot_services()
    assert {"init", "telegram", "discord-0", "discord-1"} <= set(services)
    assert services["telegram"]["deploy"]["replicas"] >= 2  # N webhook workers behind one URL
    assert compose()["services"]["postgres"]["image"].startswith("postgres:")


def parse(args: list[str]) -> str:
    """Parse ``musicbot ARGS`` with the real CLI (typer's click), invoking nothing; returns the command's name.

    Raises:
        the CLI's usage error on an unknown command or option or a bad value.
    """
    group = typer.main.get_command(cli_app)
    with group.make_context("musicbot", list(args)) as ctx:
        name, command, rest = group.resolve_command(ctx, list(args))
        command.make_context(name, rest, parent=ctx)
    return name


@pytest.mark.parametrize("service", sorted(bot_services()))
def test_every_service_command_parses_as_a_musicbot_command_line(service: str) -> None:
    args = [interpolate(a) for a in bot_services()[service]["command"]]
    assert parse(args) == args[0]


@pytest.mark.parametrize("args", [["discord", "--shard-cont", "2"], ["telegram", "--port", "https"], ["seeds"]])
def test_a_typo_in_a_command_would_be_caught(args: list[str]) -> None:
    with pytest.raises(Exception, match=r"(?i)no such|invalid|valid integer"):
        parse(args)


def test_discord_shards_cover_every_shard_once() -> None:
    shard_ids: list[int] = []
    counts: set[int] = set()
    for svc in bot_services().values():
        cmd = svc["command"]
        if cmd[0] == "discord":
            counts.add(int(cmd[cmd.index("--shard-count") + 1]))
            shard_ids += [int(x) for x in cmd[cmd.index("--shard-ids") + 1].split(",")]
    assert len(counts) == 1
    assert sorted(shard_ids) == list(range(counts.pop()))


def test_every_environment_variable_is_a_setting_the_product_reads() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    anchor = compose()["x-bot"]["environment"]
    for name, svc in bot_services().items():
        for var in {**anchor, **(svc.get("environment") or {})}:
            assert var in settings or var in NOT_SETTINGS, f"{name}: {var} is not a musicbot setting"
        assert "DATABASE_URL" in (svc.get("environment") or anchor), f"{name} would fall back to SQLite"


def test_the_proxy_forwards_to_the_port_the_telegram_workers_listen_on() -> None:
    cmd = bot_services()["telegram"]["command"]
    port = cmd[cmd.index("--port") + 1]
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert re.search(rf"dynamic a telegram {port}\b", caddy)
    webhook = interpolate(cmd[cmd.index("--webhook-url") + 1])
    assert webhook.endswith("/telegram") and "reverse_proxy /telegram" in caddy


def test_the_image_copies_every_package_the_wheel_ships() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) \1$", dockerfile, flags=re.MULTILINE))
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"][
        "packages"
    ]
    assert set(packages) | {"data"} <= copied
    assert all((ROOT / p).is_dir() for p in copied)
    assert re.search(r'ENTRYPOINT \[.*"musicbot"\]', dockerfile)
