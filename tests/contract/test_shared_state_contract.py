"""Button state and conversation leases on both backends (the tables come from migration 0003 on PostgreSQL)."""

from __future__ import annotations

import asyncio

from core.buttons import SqliteButtonStore
from core.engine import Engine
from core.leases import SqliteLeases


async def test_button_state_round_trip(engine: Engine) -> None:
    store = await SqliteButtonStore.open(engine.database)
    key = await store.put("telegram", {"kind": "search", "query": "daft punk", "shown": ["a", "b"]}, 60.0)
    assert (await store.get(key)) == {"kind": "search", "query": "daft punk", "shown": ["a", "b"]}
    assert await store.replace(key, {"kind": "search", "query": "x"})
    assert (await store.get(key))["query"] == "x"
    assert await store.get("no-such-key") is None
    assert await store.update("no-such-key", lambda s: s) is None


async def test_a_lease_is_held_by_one_owner_at_a_time(engine: Engine) -> None:
    leases = await SqliteLeases.open(engine.database)
    assert await leases.try_acquire("conv:1", "worker-a")
    assert not await leases.try_acquire("conv:1", "worker-b")
    await leases.release("conv:1", "worker-a")
    assert await leases.try_acquire("conv:1", "worker-b")


async def test_concurrent_button_updates_lose_nothing(engine: Engine) -> None:
    """20 read-modify-writes of one button's state at once (each appends its number, yielding in between): every
    number is kept, on both backends."""
    store = await engine.app.sessions.button_store()
    key = await store.put("test", {"pressed": []}, 60.0)

    def append(i: int):  # noqa: ANN202
        return lambda state: {"pressed": [*state["pressed"], i]}

    await asyncio.gather(*(store.update(key, append(i)) for i in range(20)))
    assert sorted((await store.get(key))["pressed"]) == list(range(20))
