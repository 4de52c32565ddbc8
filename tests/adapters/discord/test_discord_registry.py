"""Discord's app commands and /help are built from the command registry (core/commands.py)."""

from __future__ import annotations

from typing import Any

from discord import app_commands

from adapters.discord.commands import help_text
from core.commands import commands_on, spec


def _paths(bot: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for cmd in bot.tree.get_commands():
        if isinstance(cmd, app_commands.Group):
            for sub in cmd.commands:
                out[f"{cmd.name} {sub.name}"] = sub
        else:
            out[cmd.name] = cmd
    return out


async def test_app_commands_are_the_registry_commands(bot: Any) -> None:
    paths = _paths(bot)
    wanted = {s.discord: s for s in commands_on("discord")}
    assert set(paths) == set(wanted)
    for path, cmd in paths.items():
        assert cmd.description == wanted[path].summary, path
    for name in ("addsong", "editsong", "delsong"):
        assert spec(name).admin and paths[name].default_permissions is not None  # hidden; checked inside too


async def test_help_lists_every_user_command() -> None:
    text = help_text()
    for s in commands_on("discord", admin=False):
        assert f"/{s.discord}" in text, s.name
