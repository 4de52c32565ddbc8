"""Several Telegram workers behind one webhook URL: any worker answers any button (state in the database).

Two real PTB Applications in webhook mode, each with its own engine, on one database — a SQLite file, and a
PostgreSQL database on the session's throwaway server (:func:`tests.conftest.pg_server`); one fake Bot API server
for both (``telegram_fake_api.py``). A "load balancer" (this test) posts each update to one worker: the list is sent by
worker A, its buttons are pressed on worker B.
"""

from __future__ import annotations

import html
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram_fake_api import FakeBotApi
from tg_harness import ADMIN_ID, USER_ID, make_settings

from adapters.telegram.app import ALLOWED_UPDATES, build_app, webhook_secret
from adapters.telegram.handlers import EXPIRED
from core.engine import Engine
from core.table import TrackTable
from core.text import TextUnderstanding

URL = "https://bot.example.test/telegram"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keyboard(call: Any) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}


class Worker:
    """One webhook worker: its engine, its PTB application, its local port."""

    def __init__(self, engine: Engine, app: Any, port: int) -> None:
        self.engine, self.app, self.port = engine, app, port

    async def post(self, update: dict[str, Any], secret: str) -> int:
        async with httpx.AsyncClient() as client:
            r = await client.post(f"http://127.0.0.1:{self.port}/telegram", json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        return r.status_code


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The one database both workers open: a SQLite file, or a fresh PostgreSQL database (``postgresql://`` URL)."""
    return tmp_path / "shared.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
async def workers(shared_db: Path | str, catalog_csv: Path,
                  catalog_text: tuple[TextUnderstanding, TrackTable]) -> AsyncIterator[tuple[FakeBotApi, list[Worker]]]:
    db = shared_db
    api = await FakeBotApi().start()
    api.add_chat(ADMIN_ID)
    started: list[Worker] = []
    text, table = catalog_text
    try:
        for _ in range(2):
            engine = await Engine.open(db, seed_path=catalog_csv)  # the second finds the catalog seeded
            engine.loaded.text_model = text
            settings = make_settings(api)
            app = build_app(engine.app, settings, preview_budget_s=0)
            port = free_port()
            await app.initialize()
            await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="telegram", webhook_url=URL,
                                            secret_token=webhook_secret(settings), allowed_updates=ALLOWED_UPDATES)
            await app.start()
            started.append(Worker(engine, app, port))
        yield api, started
    finally:
        for w in started:
            await w.app.updater.stop()
            await w.app.stop()
            await w.app.shutdown()
            await w.engine.close()
        await api.stop()
        text.update(table)


def message_update(api: FakeBotApi, update_id: int, text: str, user_id: int = USER_ID) -> dict[str, Any]:
    chat = api.chats.get(user_id) or api.add_chat(user_id)
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return {"update_id": update_id, "message": {"message_id": 10_000 + update_id, "date": int(time.time()),
                                                "chat": chat, "from": api.user(user_id), "text": text,
                                                "entities": entities}}


def press_update(api: FakeBotApi, update_id: int, call: Any, data: str, user_id: int = USER_ID) -> dict[str, Any]:
    qid = f"cq-w{update_id}"
    api.callback_ids[qid] = False
    msg = {k: v for k, v in api.message(call).items() if k != "html"}
    return {"update_id": update_id, "callback_query": {"id": qid, "from": api.user(user_id), "message": msg,
                                                       "chat_instance": "ci-w", "data": data}}


async def test_a_button_sent_by_one_worker_works_on_another(workers: tuple[FakeBotApi, list[Worker]]) -> None:
    api, (a, b) = workers
    secret = webhook_secret(make_settings(api))
    assert api.webhook is not None and api.webhook["url"] == URL

    since = api.mark()
    assert await a.post(message_update(api, 1, "/recommend chill study music"), secret) == 200
    (listed,) = await api.wait_for("sendMessage", since=since, chat_id=USER_ID)
    buttons = keyboard(listed)
    next_page = buttons["Next page ▶"]
    more_like = next(v for k, v in buttons.items() if k.startswith("More like"))

    since = api.mark()
    assert await b.post(press_update(api, 2, listed, next_page), secret) == 200  # worker B never saw that list
    (answer,) = await api.wait_for("answerCallbackQuery", since=since)
    assert answer.params.get("text") != EXPIRED
    (page2,) = await api.wait_for("editMessageText", since=since)
    assert "11." in page2.params["text"]  # page 2 numbering continues from page 1

    since = api.mark()
    assert await b.post(press_update(api, 3, listed, more_like), secret) == 200
    (similar,) = await api.wait_for("sendMessage", since=since, chat_id=USER_ID)
    assert "Tracks like" in similar.params["text"]

    # the list B just showed is the chat's list on screen for A too (one session model in the database)
    since = api.mark()
    assert await a.post(message_update(api, 4, "/like #2"), secret) == 200
    (liked,) = await api.wait_for("sendMessage", since=since, chat_id=USER_ID)
    state = await a.engine.app.sessions.conversation_store()
    shown = (await state.load_state(f"telegram:{USER_ID}")).last_page
    second = await a.engine.app.tracks.get_track(shown[1])
    assert html.escape(second.title.split()[0], quote=False) in liked.params["text"]

    # and `#2` typed on worker B means the same track: the list lives in the database, not in A's memory
    since = api.mark()
    assert await b.post(message_update(api, 6, "/similar #2"), secret) == 200
    (like2,) = await api.wait_for("sendMessage", since=since, chat_id=USER_ID)
    assert "Tracks like" in like2.params["text"]
    assert html.escape(second.title.split()[0], quote=False) in like2.params["text"].split("\n", 1)[0]

    since = api.mark()
    assert await b.post(press_update(api, 5, listed, "p|unknownkey"), secret) == 200
    (answer,) = await api.wait_for("answerCallbackQuery", since=since)
    assert answer.params["text"] == EXPIRED  # an unknown key is still "expired", on any worker


async def test_a_wrong_secret_is_refused(workers: tuple[FakeBotApi, list[Worker]]) -> None:
    api, (a, _) = workers
    since = api.mark()
    assert await a.post(message_update(api, 1, "/help"), "wrong-secret") == 403
    assert api.find("sendMessage", since=since) == []
