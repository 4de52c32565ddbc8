"""Database round trips per Telegram message kind, on SQLite and PostgreSQL (statement counts, not timings).

One real PTB application (polling the fake Bot API) on a real engine; a SQLAlchemy ``before_cursor_execute`` listener
on the stores' engine counts every statement a turn sends to the database (SQLite's ``BEGIN IMMEDIATE`` included;
transaction ends, and the driver-level ``BEGIN`` of a PostgreSQL unit of work, are not cursor statements and are not
counted — single statements run in autocommit and have none). The catalog shares the engine on both backends, so its
reads are counted too (the SQLite catalog's start-up reads on its driver connection are not: none happen in a turn).

The bound asserted for a ``/recommend`` on a warm preview cache is what the turn needs — rate limit, conversation
lease and state, button key, one preview-cache read for the whole list — with a little room; one statement per
listed track (the old per-track cache lookup, 10 per page) would exceed it.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from telegram_fake_api import FakeBotApi
from tg_harness import USER_ID, make_settings

from adapters.telegram.app import ALLOWED_UPDATES, build_app
from core.engine import Engine
from core.previews import _sql
from core.table import TrackTable
from core.text import TextUnderstanding
from tests.fakes.music_apis import FakeMusicApis

#: Statements a warm-cache ``/recommend`` may send (9 measured on both backends, 2026-12-05; the
#: per-track cache lookup alone made 10 per page).
RECOMMEND_WARM_MAX = {"sqlite": 12, "postgresql": 12}


class Counter:
    """Statements sent on one SQLAlchemy engine, kept in order."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(" ".join(statement.split()))

    async def settled(self, poll_s: float = 0.25, quiet_rounds: int = 3) -> list[str]:
        """The statements so far, once no new one came for ``quiet_rounds`` polls (the turn's work after its reply
        — state saves — is counted too)."""
        seen, quiet = -1, 0
        while quiet < quiet_rounds:
            await asyncio.sleep(poll_s)
            quiet = quiet + 1 if len(self.statements) == seen else 0
            seen = len(self.statements)
        return list(self.statements)


@pytest.fixture(params=["sqlite", "postgresql"])
def rt_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A SQLite file, or a fresh PostgreSQL database on the session's throwaway server."""
    return tmp_path / "rt.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
async def counted_bot(rt_db: Path | str, catalog_csv: Path,
                      catalog_text: tuple[TextUnderstanding, TrackTable]) -> AsyncIterator[tuple[Any, Engine, Counter, str]]:
    db = rt_db
    text, table = catalog_text
    engine = await Engine.open(db, seed_path=catalog_csv)
    engine.loaded.text_model = text
    api = await FakeBotApi().start()
    music = await FakeMusicApis().__aenter__()  # no previews anywhere: every lookup is a definitive, cached miss
    engine.app.personal.configure_previews(music.config(spotify=False))
    app = build_app(engine.app, make_settings(api), preview_budget_s=5)
    counter = Counter()
    sync_engine = engine.database.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", counter)
    await app.initialize()
    await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1), allowed_updates=ALLOWED_UPDATES)
    await app.start()
    try:
        yield api, engine, counter, engine.database.dialect
    finally:
        event.remove(sync_engine, "before_cursor_execute", counter)
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await api.stop()
        await music.__aexit__(None, None, None)
        await engine.close()
        text.update(table)


async def turn(api: FakeBotApi, counter: Counter, text: str) -> tuple[Any, list[str]]:
    """Send ``text``, wait for the reply and the turn's last statement; (reply call, the turn's statements)."""
    await counter.settled()
    before = len(counter.statements)
    since = api.mark()
    await api.push_message(text)
    (reply,) = await api.wait_for("sendMessage", since=since, chat_id=USER_ID, timeout=60)
    return reply, (await counter.settled())[before:]


async def warm_cache(engine: Engine) -> None:
    """A cached "no preview" row for every track (what earlier lookups leave behind), written directly."""
    rows = [{"track_id": i, "url": None, "source": None, "fetched_at": time.time(), "expires_at": time.time() + 3600}
            for i in engine.loaded.table.pos]
    await engine.database.execute(_sql(engine.database.dialect).store, rows)


def keyboard(call: Any) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}


async def test_round_trips_per_message_kind(counted_bot: tuple[Any, Engine, Counter, str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    api, engine, counter, backend = counted_bot
    counts: dict[str, int] = {}

    _, cold = await turn(api, counter, "/recommend chill study music")  # fills the preview cache for its list
    counts["/recommend (cold cache)"] = len(cold)
    await warm_cache(engine)
    listed, warm = await turn(api, counter, "/recommend upbeat 80s workout")
    counts["/recommend (warm cache)"] = len(warm)
    preview_reads = [s for s in warm if "FROM preview_cache" in s]
    assert len(preview_reads) == 1, warm  # one batched cache read for the whole list, not one per track
    assert not [s for s in warm if s.startswith("INSERT INTO preview_cache")], warm  # warm: nothing to write
    assert len(warm) <= RECOMMEND_WARM_MAX[backend], "\n".join(warm)
    assert len([s for s in cold if s.startswith("INSERT INTO preview_cache")]) == 1, cold  # one batched write

    _, similar = await turn(api, counter, "/similar #2")
    counts["/similar #2"] = len(similar)
    _, refs = await turn(api, counter, "more like #2")
    counts["more like #2"] = len(refs)
    _, free = await turn(api, counter, "something upbeat for a workout")
    counts["free text"] = len(free)

    await counter.settled()
    before, since = len(counter.statements), api.mark()
    qid = await api.push_callback(api.message(listed), keyboard(listed)["Next page ▶"])
    await api.wait_for("answerCallbackQuery", since=since, callback_query_id=qid, timeout=60)
    counts["button: next page"] = len((await counter.settled())[before:])
    assert api.find("editMessageText", since=since) or api.find("sendMessage", since=since, chat_id=USER_ID)

    with capsys.disabled():
        print(f"\nstatements per turn on {backend}: {counts}")
    for kind, n in counts.items():
        assert 0 < n <= 60, (kind, n)  # every turn touches the database (state), none explodes per track
