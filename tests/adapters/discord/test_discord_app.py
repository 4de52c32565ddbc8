"""Wiring: sharding choice, token handling, on-demand command sync (never on start), the CLI entry."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from discord_fakes import TOKEN

from adapters.discord import app as discord_app
from adapters.discord.app import MusicBot, MusicTree, ShardedMusicBot, build_bot, run_discord, shard_setting
from core.engine import Engine
from core.errors import InvalidInput


def test_shard_setting():
    assert shard_setting("") is None and shard_setting("0") is None and shard_setting(None) is None
    assert shard_setting("auto") == "auto" and shard_setting(" AUTO ") == "auto"
    assert shard_setting("4") == 4
    with pytest.raises(InvalidInput):
        shard_setting("lots")


def test_sharded_bot_when_asked(small_engine, settings):
    assert type(build_bot(small_engine.app, settings)) is MusicBot
    auto = build_bot(small_engine.app, settings.model_copy(update={"discord_shards": "auto"}))
    assert (
        isinstance(auto, ShardedMusicBot) and isinstance(auto, discord.AutoShardedClient) and auto.shard_count is None
    )
    fixed = build_bot(small_engine.app, settings.model_copy(update={"discord_shards": "3"}))
    assert isinstance(fixed, ShardedMusicBot) and fixed.shard_count == 3
    assert isinstance(fixed.tree, MusicTree)


def test_missing_token_is_a_clear_error(settings):
    with pytest.raises(InvalidInput, match="DISCORD_BOT_TOKEN is not set"):
        run_discord(settings.model_copy(update={"discord_bot_token": None}))


def test_cli_without_token_exits_1(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from bot.cli import app as cli

    for name in ("DISCORD_BOT_TOKEN", "DISCORD_SHARDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    result = CliRunner().invoke(cli, ["discord", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "DISCORD_BOT_TOKEN" in result.output


@pytest.fixture
async def seeded_db(tmp_path: Path, catalog_csv: Path) -> Path:
    path = tmp_path / "seeded.db"
    engine = await Engine.open(path, seed_path=catalog_csv)
    await engine.close()
    return path


@pytest.fixture
def offline_discord(monkeypatch):
    """Replace the network calls of login / connect / sync, recording what happened."""
    events: list[tuple] = []

    async def login(self, token):
        events.append(("login", token))
        await self._async_setup_hook()
        await self.setup_hook()

    async def connect(self, *, reconnect=True):
        events.append(("connect",))

    async def sync(self, *, guild=None):
        commands = self.get_commands(guild=guild)
        events.append(("sync", guild.id if guild else None, sorted(c.name for c in commands)))
        return commands

    monkeypatch.setattr(MusicBot, "login", login)
    monkeypatch.setattr(MusicBot, "connect", connect)
    monkeypatch.setattr(MusicTree, "sync", sync)
    return events


async def test_start_never_syncs(settings, seeded_db, offline_discord):
    await discord_app._serve(settings, seeded_db, TOKEN, sync=False, guild=None, open_engine=lambda: Engine.open(seeded_db))
    assert [e[0] for e in offline_discord] == ["login", "connect"]


async def test_sync_to_one_guild_then_exit(settings, seeded_db, offline_discord, capsys):
    await discord_app._serve(settings, seeded_db, TOKEN, sync=True, guild=1234, open_engine=lambda: Engine.open(seeded_db))
    assert [e[0] for e in offline_discord] == ["login", "sync"]
    _, guild, names = offline_discord[1]
    assert guild == 1234
    assert {"recommend", "similar", "search", "song", "preview", "reset", "addsong", "editsong", "delsong"} <= set(
        names
    )
    assert {"playlist", "like", "dislike"} <= set(names)
    assert "Synced" in capsys.readouterr().out


async def test_previews_use_the_configured_services(settings, seeded_db, offline_discord, monkeypatch):
    seen = {}

    async def connect(self, *, reconnect=True):
        seen["config"] = self.services.previews.config

    monkeypatch.setattr(MusicBot, "connect", connect)
    custom = settings.model_copy(
        update={"deezer_api_base_url": "http://127.0.0.1:9/dz", "itunes_api_base_url": "http://127.0.0.1:9/it"}
    )
    from bot.app import build_engine  # the composition root builds the configured engine and hands it over

    await discord_app._serve(custom, seeded_db, TOKEN, sync=False, guild=None,
                             open_engine=lambda: build_engine(custom, seeded_db))
    cfg = seen["config"]
    assert (cfg.deezer_api_base_url, cfg.itunes_api_base_url) == ("http://127.0.0.1:9/dz", "http://127.0.0.1:9/it")


async def test_global_sync(settings, seeded_db, offline_discord):
    await discord_app._serve(settings, seeded_db, TOKEN, sync=True, guild=None, open_engine=lambda: Engine.open(seeded_db))
    assert offline_discord[1][:2] == ("sync", None)


async def test_rejected_token_is_a_clear_error(settings, seeded_db, monkeypatch):
    async def login(self, token):
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(MusicBot, "login", login)
    with pytest.raises(InvalidInput, match="rejected DISCORD_BOT_TOKEN"):
        await discord_app._serve(settings, seeded_db, TOKEN, sync=False, guild=None, open_engine=lambda: Engine.open(seeded_db))


def test_admin_commands_default_to_manage_server(bot):
    perms = {c.name: c.default_permissions for c in bot.tree.get_commands()}
    for name in ("addsong", "editsong", "delsong"):
        assert perms[name] is not None and perms[name].manage_guild
    assert perms["recommend"] is None


def test_shard_flags_split_servers_across_processes(small_engine, settings):
    from adapters.discord.app import Shards, shard_plan

    assert shard_plan(None, None) is None and shard_plan(None, "") is None
    assert shard_plan(4, "0, 1") == Shards(4, (0, 1)) and shard_plan(2, None) == Shards(2, (0, 1))
    for count, ids, field in [(None, "0", "shard_count"), (0, None, "shard_count"), (2, "2", "shard_ids"),
                              (2, "a", "shard_ids"), (4, "1,1", "shard_ids")]:
        with pytest.raises(InvalidInput) as exc:
            shard_plan(count, ids)
        assert exc.value.field == field
    bot = build_bot(small_engine.app, settings, shards=shard_plan(4, "2,3"))
    assert isinstance(bot, ShardedMusicBot) and bot.shard_count == 4 and bot.shard_ids == [2, 3]
    assert isinstance(build_bot(small_engine.app, settings), MusicBot)  # DISCORD_SHARDS empty, no flags: one connection
