"""The one-request stores on Python's ``sqlite3`` (:mod:`core.infra.lite_db`, SQL text of :mod:`core.infra.lite_sql`)
and the SQLAlchemy stores (:mod:`core.infra.store_db`) on the same real SQLite files: what either writes, the other
reads — conversation state and turns, leases, likes, playlists —, a one-shot ``musicbot ask`` process and a running
engine continue each other's conversation, and a unit of work spans stores of both sides in a one-request engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.conversation import ConversationState, ConversationStore
from core.engine import Engine
from core.infra.lite_db import LiteDatabase
from core.infra.store_db import Database
from core.leases import SqliteLeases
from core.models import Caller

ROOT = Path(__file__).resolve().parents[2]
ME = Caller(user_id="u1", platform="console")


class Boom(Exception):
    """Raised inside a unit of work to roll it back."""


@pytest.fixture
async def both(tmp_path: Path):
    """``(sqlalchemy_db, lite_db)`` on one migrated SQLite file."""
    path = tmp_path / "both.db"
    sa = await Database.open(str(path))
    lite = LiteDatabase(str(path))
    try:
        yield sa, lite
    finally:
        await lite.close()
        await sa.close()


@pytest.mark.parametrize("writer", ["lite", "sqlalchemy"])
async def test_conversation_written_by_one_store_is_read_by_the_other(both, writer: str) -> None:
    sa, lite = both
    w, r = (ConversationStore(lite), ConversationStore(sa)) if writer == "lite" else \
        (ConversationStore(sa), ConversationStore(lite))
    state = ConversationState()
    state.show_page(["a", "b", "c"], [], first=1)
    state.focus = "b"
    await w.save_state("console:x", state)
    assert (await r.load_state("console:x")).model_dump() == state.model_dump()
    for n in range(1, 5):
        await (w if n % 2 else r).append_turn("console:x", f'[{{"n": {n}}}]', keep=3)  # turns from both sides
    assert await r.load_turns("console:x", 10) == await w.load_turns("console:x", 10) == \
        ['[{"n": 2}]', '[{"n": 3}]', '[{"n": 4}]']  # numbered on from the other side's last turn; oldest trimmed
    assert await r.load_turns("console:x", 2) == ['[{"n": 3}]', '[{"n": 4}]']
    assert await r.count_turns("console:x") == await w.count_turns("console:x") == 3
    assert await r.stats() == await w.stats() == {"conversations": 1, "turns": 3}
    await w.reset("console:x")
    assert await r.count_turns("console:x") == 0
    assert (await r.load_state("console:x")).last_page == []


async def test_a_lease_taken_by_one_side_holds_against_the_other(both) -> None:
    sa, lite = both
    now = [100.0]
    a, b = SqliteLeases(lite, clock=lambda: now[0]), SqliteLeases(sa, clock=lambda: now[0])
    assert await a.try_acquire("cli:ask", "one-shot", ttl_s=10)
    assert not await b.try_acquire("cli:ask", "worker", ttl_s=10)
    await b.release("cli:ask", "worker")  # not the worker's lease: nothing happens
    assert not await b.try_acquire("cli:ask", "worker", ttl_s=10)
    assert await a.try_acquire("cli:ask", "one-shot", ttl_s=10)  # renewed by its owner
    await a.release("cli:ask", "one-shot")
    assert await b.try_acquire("cli:ask", "worker", ttl_s=10)
    assert not await a.try_acquire("cli:ask", "one-shot", ttl_s=10)
    now[0] += 11  # the worker crashed: its lease expires
    assert await a.try_acquire("cli:ask", "one-shot", ttl_s=10)


@pytest.fixture
async def engines(db_copy: Path):
    """``(one_request, running)``: a one-shot command's engine and a running chat's engine on one catalog file."""
    one = await Engine.open(db_copy, one_request=True)
    running = await Engine.open(db_copy)
    assert isinstance(one.conversation_db, LiteDatabase) and running.conversation_db is running.database
    try:
        yield one, running
    finally:
        await one.close()
        await running.close()


async def test_likes_and_playlists_are_shared_both_ways(engines) -> None:
    one, running = engines
    await one.app.feedback.like(ME, "Blinding Lights - The Weeknd")
    liked = await running.app.feedback.liked_ids(ME)
    assert len(liked) == 1
    result = await running.app.feedback.dislike(ME, liked[0])
    assert result.previous == "like"  # the running engine read the one-shot's verdict
    assert await one.app.feedback.disliked_ids(ME) == {liked[0]} and await one.app.feedback.liked_ids(ME) == []
    again = await one.app.feedback.clear(ME, liked[0])
    assert again.previous == "dislike" and await running.app.feedback.disliked_ids(ME) == set()

    group = "console:local"
    await running.app.playlists.create(ME, group, "Road Trip")
    await one.app.playlists.add(ME, group, "Road Trip", ["Blinding Lights - The Weeknd", "One More Time"])
    for engine in (one, running):
        (listed,) = await engine.app.playlists.list(group)
        assert (listed.name, listed.track_count) == ("Road Trip", 2)
    page = await one.app.playlists.show(group, "road trip")
    assert [e.track_id for e in page.entries] == [e.track_id for e in (await running.app.playlists.show(
        group, "Road Trip")).entries]
    assert len(page.entries) == 2


async def test_a_conversation_goes_on_across_both_implementations(engines) -> None:
    one, running = engines
    first = await one.app.chat.chat("console:talk", ME, "/recommend chill study music")
    assert first.recommendation is not None and len(first.recommendation.tracks) >= 2
    second = first.recommendation.tracks[1].track
    reply = await running.app.chat.chat("console:talk", ME, "/song #2")  # the running chat reads the one-shot's list
    assert second.title in reply.text
    free = await running.app.chat.chat("console:talk", ME, "something for a rainy drive")
    assert free.recommendation is not None
    turns = await (await running.app.sessions.conversation_store()).count_turns("console:talk")
    lite_store = await one.app.sessions.conversation_store()
    assert await lite_store.count_turns("console:talk") == turns >= 1
    state = await lite_store.load_state("console:talk")
    assert state.last_page[:3] == [t.track.track_id for t in free.recommendation.tracks][:3]
    more = await one.app.chat.chat("console:talk", ME, "more")  # the one-shot continues the running chat's request
    assert more.recommendation is not None
    assert not {t.track.track_id for t in more.recommendation.tracks} & set(state.shown)


@pytest.mark.parametrize("opened_by", ["lite", "sqlalchemy"])
async def test_one_unit_of_work_spans_stores_of_both_sides(engines, opened_by: str) -> None:
    one, running = engines
    store = await one.app.sessions.conversation_store()  # the lite side
    buttons = await one.app.sessions.button_store()  # SQLAlchemy, inline, on the lite side's connection
    state = ConversationState()
    state.last_page = ["x"]
    db = one.conversation_db if opened_by == "lite" else one.database
    with pytest.raises(Boom):
        async with db.uow():
            await store.save_state("console:uow", state)
            key = await buttons.put("test", {"a": 1}, 60.0)
            await store.append_turn("console:uow", "{}", keep=5)
            raise Boom
    assert (await store.load_state("console:uow")).last_page == []
    assert await buttons.get(key) is None and await store.count_turns("console:uow") == 0
    async with db.uow() as uow:
        await store.save_state("console:uow", state)
        key = await buttons.put("test", {"a": 2}, 60.0)
        await uow.commit()
    other = await running.app.sessions.conversation_store()  # another engine (another process's view) sees both
    assert (await other.load_state("console:uow")).last_page == ["x"]
    assert await (await running.app.sessions.button_store()).get(key) == {"a": 2}


def _ask(db: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY", "DATABASE_URL")}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", *args, "--db", str(db), "--conversation", "console:proc", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


async def test_a_one_shot_process_and_a_running_engine_continue_each_others_conversation(db_copy: Path) -> None:
    shown = [t["track_id"] for t in json.loads(_ask(db_copy, "/recommend chill study music"))]
    running = await Engine.open(db_copy)
    try:
        store = await running.app.sessions.conversation_store()
        assert (await store.load_state("console:proc")).last_page == shown
        reply = await running.app.chat.chat("console:proc", ME, "/search daft punk")
        assert reply.recommendation is not None
        third = reply.recommendation.tracks[2].track
    finally:
        await running.close()
    text = json.loads(_ask(db_copy, "#3"))["text"]  # the next one-shot reads the running engine's list
    assert text.startswith(f"{third.title} — ")
