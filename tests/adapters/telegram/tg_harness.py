"""Helpers for the Telegram adapter tests (imported by conftest.py and the tests): settings and a harness.

Everything behind the adapter is real: the engine with its local text understanding (:mod:`core.text`, fitted once
per session, see ``conftest.py``) and its chat (``engine.app.chat.chat``: slash commands and the offline agent on the
built-in local model). Tests check what the bot sends and what the engine remembers (:meth:`Harness.conversation`),
never a recording of calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram_fake_api import FakeBotApi

from tests.fakes.music_apis import FakeMusicApis

from adapters.telegram.handlers import BotHandlers
from bot.settings import Settings
from core.conversation import ConversationState
from core.engine import Engine

ROOT = Path(__file__).resolve().parents[3]
ADMIN_ID = 42
USER_ID = 501
GROUP_ID = -1001234567890


@dataclass
class Harness:
    """A running bot: the fake API, the PTB application, the engine, the settings and the fake music APIs the
    engine's previews use."""

    api: FakeBotApi
    app: Any
    engine: Engine
    settings: Settings
    music: FakeMusicApis | None = None

    @property
    def handlers(self) -> BotHandlers:
        return self.app.bot_data["handlers"]

    async def conversation(self, chat_id: int = USER_ID) -> ConversationState:
        """What the engine remembers of the chat conversation ``telegram:<chat_id>`` (its SQLite memory)."""
        store = await self.engine.app.sessions.conversation_store()
        return await store.load_state(f"telegram:{chat_id}")

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
        "rate_burst": 1000,  # flood tests set their own
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]
