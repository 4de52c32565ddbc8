"""Floods on Discord: the app-level check (core limiter, catalog database) in front of slash commands, buttons and
mentions, driven through the stand-in Interactions exactly as discord.py runs them (tree ``interaction_check``
before a command, item ``interaction_check`` before a component callback); and no apology for a 429."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord_fakes import USER_ID, FakeInteraction, click, component, invoke

from adapters.discord.app import build_bot
from adapters.discord.floods import admit_message
from adapters.discord.replies import APOLOGY, handle_error

OTHER = 9999


@pytest.fixture
async def tight_bot(small_engine, settings) -> AsyncIterator[Any]:
    """The real bot with a small bucket: 3 at once, then one a minute."""
    b = build_bot(small_engine.app, settings.model_copy(update={"rate_burst": 3, "rate_refill_s": 60.0, "chat_rate": 2}))
    await b._async_setup_hook()
    await b.setup_hook()
    try:
        yield b
    finally:
        await b.close()


def slow_downs(inters: list[FakeInteraction]) -> list[Any]:
    return [c for i in inters for c in i.calls if (c.content or "").startswith("Slow down")]


async def test_same_command_30_times_gets_a_few_replies_and_one_notice(tight_bot) -> None:
    inters = [FakeInteraction(tight_bot) for _ in range(30)]
    for inter in inters:
        await invoke(tight_bot, "MusicCog", "search", inter, query="love")
    answered = [i for i in inters if "followup" in i.names]
    assert len(answered) == 3
    (notice,) = slow_downs(inters)
    assert notice.ephemeral and notice.content.startswith("Slow down — try again in ")
    assert sum(1 for i in inters if not i.calls) == 26  # dropped silently: no message at all
    # another user is answered normally
    other = FakeInteraction(tight_bot, user_id=OTHER)
    await invoke(tight_bot, "MusicCog", "search", other, query="love")
    assert other.names == ["defer", "followup"] and other.last.embeds


async def test_button_flood_one_notice_then_silent_acks(tight_bot) -> None:
    first = FakeInteraction(tight_bot)
    await invoke(tight_bot, "MusicCog", "recommend", first, text="party", count=4)
    next_button = component(first.last.view, "mb:next:")
    presses = [FakeInteraction(tight_bot, message=SimpleNamespace(id=1)) for _ in range(15)]
    for press in presses:
        await click(next_button, press)
    pages = [p for p in presses if "followup" in p.names]
    assert len(pages) == 2  # the two tokens left after /recommend
    assert len(slow_downs(presses)) == 1
    silent = [p for p in presses if p.names == ["defer"] and not p.calls[0].kwargs.get("thinking")]
    assert len(silent) == 12  # acknowledged without a message: no "interaction failed", nothing posted


async def test_autocomplete_is_not_counted(tight_bot) -> None:
    for _ in range(20):
        typing = FakeInteraction(tight_bot)
        typing.type = discord.InteractionType.autocomplete
        assert await tight_bot.tree.interaction_check(typing)
    inter = FakeInteraction(tight_bot)
    await invoke(tight_bot, "MusicCog", "search", inter, query="love")
    assert "followup" in inter.names


class FakeMessage:
    def __init__(self, author_id: int) -> None:
        self.author = SimpleNamespace(id=author_id)
        self.replies: list[str] = []

    async def reply(self, content: str, **kwargs: Any) -> None:
        self.replies.append(content)


async def test_mention_flood_reaches_the_agent_at_most_chat_rate_times(tight_bot) -> None:
    messages = [FakeMessage(USER_ID) for _ in range(10)]
    admitted = [await admit_message(tight_bot, m) for m in messages]
    assert sum(admitted) == 2  # CHAT_RATE=2: two LLM turns
    assert [r for m in messages for r in m.replies] == ["Slow down — try again in 30 s."]
    assert await admit_message(tight_bot, FakeMessage(OTHER))


async def test_rate_limit_errors_are_never_answered_with_an_apology(bot, interaction_factory, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="adapters.discord")
    response = SimpleNamespace(status=429, reason="Too Many Requests")
    for error in (discord.RateLimited(12.0), discord.HTTPException(response, {"message": "You are being rate limited.", "retry_after": 3})):
        inter = interaction_factory()
        await handle_error(inter, error)
        assert inter.calls == []  # nothing sent: an apology would be one more request into the limit
    assert "Rate limited" in caplog.text
    inter = interaction_factory()
    await handle_error(inter, RuntimeError("a bug"))  # other errors still get the apology
    assert inter.last.content == APOLOGY
