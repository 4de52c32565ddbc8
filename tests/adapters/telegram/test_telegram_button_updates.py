"""Two workers pressing buttons of one Telegram message at the same time: no change is lost.

Each "worker" has its own :class:`core.infra.store_db.Database` (its own connection pool, as a separate process has)
on one database — a SQLite file, and a PostgreSQL database on the session's throwaway server. Their
:class:`adapters.telegram.keyboards.SharedPages` change the one :class:`PageState` behind a list's buttons with the
atomic ``update`` (``SELECT … FOR UPDATE`` / ``BEGIN IMMEDIATE``), concurrently. A read-then-``save`` would keep only
the last writer's copy; the assertions list every change.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.telegram.keyboards import PageState, SharedPages
from core.buttons import SqliteButtonStore
from core.infra.store_db import Database

PRESSES = 12  # per worker


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLite file, or a fresh PostgreSQL database."""
    return str(tmp_path / "buttons.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
async def two_workers(shared_location: str) -> AsyncIterator[tuple[SharedPages, SharedPages]]:
    first = await Database.open(shared_location)  # migrates
    second = await Database.open(shared_location)
    stores = [SqliteButtonStore(first), SqliteButtonStore(second)]

    async def store_a() -> SqliteButtonStore:
        return stores[0]

    async def store_b() -> SqliteButtonStore:
        return stores[1]

    try:
        yield SharedPages(store_a), SharedPages(store_b)
    finally:
        await first.close()
        await second.close()


async def test_concurrent_presses_on_two_workers_keep_every_change(two_workers: tuple[SharedPages, SharedPages]) -> None:
    a, b = two_workers
    key = await a.put(PageState(kind="text", query="chill", track_ids=["t1", "t2"], shown=["t1", "t2"]))

    def add(track_id: str):
        def change(state: PageState) -> PageState:
            state.shown.append(track_id)
            return state
        return change

    async def presses(pages: SharedPages, name: str) -> None:
        for i in range(PRESSES):
            assert await pages.update(key, add(f"{name}{i}")) is not None
            await asyncio.sleep(0)

    await asyncio.gather(presses(a, "a"), presses(b, "b"), b.mark_end(key))
    final = await a.get(key)
    assert final is not None and await b.get(key) == final  # both workers read the same state
    assert sorted(final.shown[2:]) == sorted([f"a{i}" for i in range(PRESSES)] + [f"b{i}" for i in range(PRESSES)])
    assert final.shown[:2] == ["t1", "t2"] and final.has_next is False  # the end mark survived every append
    assert final.query == "chill" and final.track_ids == ["t1", "t2"]


async def test_update_of_an_unknown_or_unreadable_key_changes_nothing(
    two_workers: tuple[SharedPages, SharedPages]
) -> None:
    a, b = two_workers
    calls: list[PageState] = []
    assert await a.update("nokey123", lambda s: calls.append(s) or s) is None
    await b.mark_end("nokey123")  # no error, nothing written
    assert calls == [] and await a.get("nokey123") is None
    key = await a.put(PageState(kind="search", query="love", has_next=False))
    await b.mark_end(key)  # already at the end: left as it is
    state = await a.get(key)
    assert state is not None and state.has_next is False and state.query == "love"
    unchanged = await a.update(key, lambda s: None)  # a change that declines leaves the state
    assert unchanged == state
