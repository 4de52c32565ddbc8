"""core/buttons.py: button state in the database, shared by workers (two engines on one SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.buttons import MemoryButtonStore, SqliteButtonStore
from core.errors import InvalidInput
from core.infra.store_db import Database


@pytest.mark.parametrize("kind", ["sqlite", "memory"])
async def test_store_contract(tmp_path: Path, kind: str) -> None:
    now = [1000.0]
    db = await Database.open(str(tmp_path / "b.db"))  # migrated: the tables exist
    try:
        store = (await SqliteButtonStore.open(db, clock=lambda: now[0]) if kind == "sqlite"
                 else MemoryButtonStore(clock=lambda: now[0]))
        key = await store.put("telegram", {"kind": "text", "query": "chill 🎧", "ids": ["a", "b"]}, ttl_s=60)
        assert len(key) == 8 and len({await store.put("t", {}, 60) for _ in range(50)}) == 50
        assert await store.get(key) == {"kind": "text", "query": "chill 🎧", "ids": ["a", "b"]}
        assert await store.replace(key, {"kind": "text", "has_next": False})
        assert await store.get(key) == {"kind": "text", "has_next": False}
        now[0] += 61
        assert await store.get(key) is None and not await store.replace(key, {})
        assert await store.get("nope") is None
        with pytest.raises(InvalidInput):
            await store.put("t", {"x": "y" * 70_000}, 60)
        with pytest.raises(InvalidInput):
            await store.put("t", {}, 0)
    finally:
        await db.close()


async def test_two_workers_share_keys(tmp_path: Path) -> None:
    a_db = await Database.open(str(tmp_path / "shared.db"))
    b_db = await Database.open(str(tmp_path / "shared.db"))
    try:
        a, b = await SqliteButtonStore.open(a_db), await SqliteButtonStore.open(b_db)
        key = await a.put("discord", {"page": 1}, 3600)
        assert await b.get(key) == {"page": 1}  # written by one process, read by another
        assert await b.replace(key, {"page": 2})
        assert await a.get(key) == {"page": 2}
    finally:
        await a_db.close()
        await b_db.close()
