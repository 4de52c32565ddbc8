"""Telegram's handlers, menus and help are built from the command registry (core/commands.py)."""

from __future__ import annotations

from telegram.ext import CommandHandler
from tg_harness import Harness

from core.commands import commands_on, menu


async def test_handlers_are_the_registry_commands(bot: Harness) -> None:
    registered = {name for group in bot.app.handlers.values() for h in group if isinstance(h, CommandHandler)
                  for name in h.commands}
    assert registered == {s.telegram for s in commands_on("telegram")}
    default = [c for c in bot.api.find("setMyCommands") if (c.params.get("scope") or {}).get("type", "default") == "default"]
    assert [(c["command"], c["description"]) for c in default[0].params["commands"]] == menu("telegram")


async def test_help_lists_every_user_command(bot: Harness) -> None:
    (call,) = await bot.ask("/help")
    text = call.params["text"]
    for s in commands_on("telegram", admin=False):
        if s.menu and s.name != "start":
            assert f"/{s.telegram}" in text, s.name
    assert "/addsong" not in text
