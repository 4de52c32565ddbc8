"""Helpers for the Telegram adapter tests (imported by conftest.py and the tests): fakes, settings, a harness.

- The local text understanding is replaced by :class:`FakeText` (keyword -> target features): these tests are about
  the adapter, not about understanding text, and must not change when :mod:`core.text` evolves.
- ``engine.chat`` (the agent, issue 3) is replaced by :class:`FakeAgent`, which records every call and answers
  from the engine, so the free-text tests check routing, conversation ids, callers and rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram_fake_api import FakeBotApi

from tests.fakes.music_apis import FakeMusicApis

from adapters.telegram.handlers import BotHandlers
from bot.settings import Settings
from core.engine import Engine
from core.models import Caller, ChatReply, Filters, NeedsClarification, TextQuery

ROOT = Path(__file__).resolve().parents[3]
ADMIN_ID = 42
USER_ID = 501
GROUP_ID = -1001234567890

#: word -> (target features, weights) for FakeText.
_CUES: dict[str, dict[str, float]] = {
    "chill": {"energy": 0.3, "valence": 0.45},
    "study": {"instrumentalness": 0.6, "energy": 0.3, "speechiness": 0.04},
    "party": {"danceability": 0.85, "energy": 0.85},
    "sad": {"valence": 0.2},
    "happy": {"valence": 0.85},
    "rock": {"energy": 0.8, "acousticness": 0.1},
    "music": {},
}


class FakeText:
    """Stand-in for :class:`core.text.TextUnderstanding`: ``parse(text, limit)`` maps keywords to target features."""

    def fit(self, table: Any) -> None:  # noqa: D102 - same shape as the real one
        pass

    def update(self, table: Any) -> None:  # noqa: D102
        pass

    def parse(self, text: str, limit: int = 10) -> TextQuery | NeedsClarification:
        words = [w for w in text.lower().split() if w in _CUES]
        if not words:
            return NeedsClarification(question="What kind of music? Try a mood or an activity.", suggestions=["chill study music", "party"])
        target: dict[str, float] = {}
        for w in words:
            target.update(_CUES[w])
        if not target:
            target = {"energy": 0.5}
        return TextQuery(
            text=text, target=target, weights={k: 1.0 for k in target}, filters=Filters(limit=limit),
            cues=[f"{w} → {', '.join(_CUES[w]) or 'anything'}" for w in words], confidence=0.9,
        )


class FakeTextEngine(Engine):
    """The real engine with :class:`FakeText` as its local text understanding."""

    _fake_text = FakeText()

    @property
    def text(self) -> Any:  # type: ignore[override]
        return self._fake_text


@dataclass
class FakeAgent:
    """Replaces ``Engine.chat``: records calls; ``boom`` raises, ``long`` returns a long text, else recommendations."""

    engine: Engine
    calls: list[tuple[str, Caller, str]] = field(default_factory=list)
    raise_with: str = "boom"
    long_text: str = ""

    async def __call__(self, conversation_id: str, caller: Caller, text: str) -> ChatReply:
        self.calls.append((conversation_id, caller, text))
        if text == "/reset":
            return ChatReply(text="Conversation cleared.")
        if "boom" in text:
            raise RuntimeError(self.raise_with)
        if "long" in text:
            return ChatReply(text=self.long_text)
        result = await self.engine.recommend_text(text)
        if isinstance(result, NeedsClarification):
            return ChatReply(text=result.question, clarification=result)
        return ChatReply(text="Here's what I found", recommendation=result)


@dataclass
class Harness:
    """A running bot: the fake API, the PTB application, the engine, the fake agent, the settings and the fake
    music APIs the engine's previews use."""

    api: FakeBotApi
    app: Any
    engine: Engine
    agent: FakeAgent
    settings: Settings
    music: FakeMusicApis | None = None

    @property
    def handlers(self) -> BotHandlers:
        return self.app.bot_data["handlers"]

    async def ask(self, text: str, **kw: Any) -> list[Any]:
        """Push a message and wait for the bot's first sendMessage into that chat; returns those calls."""
        chat_id = kw.get("chat_id", kw.get("user_id", USER_ID))
        since = self.api.mark()
        await self.api.push_message(text, **kw)
        return await self.api.wait_for("sendMessage", since=since, chat_id=chat_id)


def make_settings(api: FakeBotApi, **overrides: Any) -> Settings:
    """Settings for a test bot pointing at the fake server (``.env`` ignored)."""
    values: dict[str, Any] = {
        "telegram_bot_token": api.token,
        "telegram_api_base_url": api.base_url,
        "telegram_admin_ids": [str(ADMIN_ID), "43"],
        "telegram_chat_rate": 50,
        "telegram_chat_window_s": 60.0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
