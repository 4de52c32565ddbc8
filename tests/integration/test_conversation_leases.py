"""core/leases.py: one turn of a conversation at a time across workers (two engines on one SQLite file)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from core.engine import Engine
from core.infra.lite_db import LiteDatabase
from core.infra.store_db import Database
from core.leases import MemoryLeases, SqliteLeases, acquire
from core.models import Caller


@pytest.mark.parametrize("kind", ["sqlite", "lite", "memory"])
async def test_lease_contract(tmp_path: Path, kind: str) -> None:
    now = [100.0]
    db = await Database.open(str(tmp_path / "l.db"))
    lite = LiteDatabase(str(tmp_path / "l.db"))  # a one-request process's stdlib sqlite3 statements
    try:
        if kind == "memory":
            leases: Any = MemoryLeases(lambda: now[0])
        else:
            leases = await SqliteLeases.open(db if kind == "sqlite" else lite, clock=lambda: now[0])
        assert await leases.try_acquire("telegram:1", "a", ttl_s=10)
        assert not await leases.try_acquire("telegram:1", "b", ttl_s=10)  # held by a
        assert await leases.try_acquire("telegram:2", "b", ttl_s=10)  # another conversation is free
        assert await leases.try_acquire("telegram:1", "a", ttl_s=10)  # a again: renewed
        await leases.release("telegram:1", "b")  # not b's: nothing happens
        assert not await leases.try_acquire("telegram:1", "b", ttl_s=10)
        await leases.release("telegram:1", "a")
        assert await leases.try_acquire("telegram:1", "b", ttl_s=10)
        now[0] += 11  # b crashed: its lease expires
        assert await leases.try_acquire("telegram:1", "c", ttl_s=10)
        assert not await acquire(leases, "telegram:1", "d", wait_s=0, poll_s=0)  # gives up, caller goes ahead
    finally:
        await lite.close()
        await db.close()


async def test_two_workers_take_turns_on_one_chat(db_copy: Path) -> None:
    a, b = await Engine.open(db_copy), await Engine.open(db_copy)
    try:
        cid = "telegram:777"
        turn = a.app.sessions.conversation_turn(cid)
        await turn.__aenter__()  # worker A is in the middle of a turn of this chat
        try:
            task = asyncio.create_task(b.app.chat.chat(cid, Caller(user_id="777", platform="telegram"), "/search daft punk"))
            await asyncio.sleep(0.5)
            assert not task.done()  # worker B waits for A's turn to end (it would not before: per-process locks)
        finally:
            await turn.__aexit__(None, None, None)
        reply = await asyncio.wait_for(task, 30)
        assert reply.recommendation is not None and reply.recommendation.tracks
        store = await a.app.sessions.conversation_store()
        state = await store.load_state(cid)
        assert state.last_page == [t.track.track_id for t in reply.recommendation.tracks]  # B's list, seen by A
    finally:
        await a.close()
        await b.close()
