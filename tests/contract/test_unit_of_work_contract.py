"""The unit of work (core.infra.uow) on both backends: all or nothing, and read-modify-writes that lose no update,
in one process (concurrent tasks) and across engines on one database (two workers)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, insert, select, update

from core.engine import Engine
from core.infra.store_db import Database
from core.infra.tables import button_state, conversation_state, playlists


class Boom(Exception):
    pass


async def _count(db: Database, table, **where) -> int:  # noqa: ANN001
    stmt = select(func.count()).select_from(table)
    for name, value in where.items():
        stmt = stmt.where(table.c[name] == value)
    return int((await db.execute(stmt)).scalar_one())


async def test_an_error_rolls_back_every_table(engine: Engine) -> None:
    db = engine.database
    with pytest.raises(Boom):
        async with db.uow() as uow:
            await uow.execute(insert(button_state).values(key="k1", scope="t", state_json="{}", expires_at=1e12))
            await uow.execute(insert(conversation_state).values(conversation_id="c1", state_json="{}", updated_at=0.0))
            # the writes are visible inside the transaction …
            assert await _count(db, button_state, key="k1") == 1
            raise Boom
    # … and nothing is left after it
    assert await _count(db, button_state, key="k1") == 0
    assert await _count(db, conversation_state, conversation_id="c1") == 0


async def test_leaving_without_commit_writes_nothing_and_commit_writes_all(engine: Engine) -> None:
    db = engine.database
    async with db.uow() as uow:
        await uow.execute(insert(button_state).values(key="k2", scope="t", state_json="{}", expires_at=1e12))
    assert await _count(db, button_state, key="k2") == 0
    async with db.uow() as uow:
        await uow.execute(insert(button_state).values(key="k2", scope="t", state_json="{}", expires_at=1e12))
        await uow.execute(insert(conversation_state).values(conversation_id="c2", state_json="{}", updated_at=0.0))
        await uow.commit()
    assert await _count(db, button_state, key="k2") == 1
    assert await _count(db, conversation_state, conversation_id="c2") == 1


async def test_store_calls_inside_a_unit_of_work_join_its_transaction(engine: Engine) -> None:
    """Two stores written in one unit of work: an error after both rolls both back."""
    store = await engine.app.sessions.conversation_store()
    buttons = await engine.app.sessions.button_store()
    state = await store.load_state("test:join")
    state.last_page = ["x"]
    with pytest.raises(Boom):
        async with engine.database.uow():
            await store.save_state("test:join", state)
            key = await buttons.put("test", {"a": 1}, 60.0)
            async with engine.database.uow() as inner:  # nested: joins, its commit is the outer one's to make
                await store.append_turn("test:join", "{}", keep=5)
                await inner.commit()
            raise Boom
    assert (await store.load_state("test:join")).last_page == []
    assert await buttons.get(key) is None
    assert await store.count_turns("test:join") == 0


async def _increment(db: Database, key: str, pause: float) -> None:
    """Read a counter, wait (another task or worker gets a chance to interleave), write counter + 1."""
    async with db.uow() as uow:
        await uow.lock("counter", key)
        value = int((await uow.execute(select(button_state.c.state_json).where(button_state.c.key == key)))
                    .scalar_one())
        await asyncio.sleep(pause)
        await uow.execute(update(button_state).where(button_state.c.key == key).values(state_json=str(value + 1)))
        await uow.commit()


@pytest.mark.concurrent_requests
async def test_concurrent_read_modify_writes_lose_no_update(engine: Engine) -> None:
    db = engine.database
    await db.execute(insert(button_state).values(key="counter", scope="t", state_json="0", expires_at=1e12))
    await asyncio.gather(*(_increment(db, "counter", 0.005) for _ in range(12)))
    assert (await db.execute(select(button_state.c.state_json).where(button_state.c.key == "counter"))).scalar_one() == "12"


@pytest.mark.concurrent_requests
async def test_two_workers_read_modify_write_lose_no_update(engine: Engine, db_url: str) -> None:
    """Two engines (two workers' connection pools) on one database increment one counter at once."""
    other = await Engine.open(db_url, seed=False, cache=False)
    try:
        db = engine.database
        await db.execute(insert(button_state).values(key="shared", scope="t", state_json="0", expires_at=1e12))
        await asyncio.gather(*(_increment(d, "shared", 0.005) for _ in range(6) for d in (db, other.database)))
        assert (await db.execute(select(button_state.c.state_json).where(button_state.c.key == "shared"))
                ).scalar_one() == "12"
    finally:
        await other.close()


async def test_concurrent_playlist_creates_respect_the_group_limit(engine: Engine) -> None:
    """The playlist-count check and the insert are one unit of work: 8 creates at once against a limit of 3."""
    from core.playlists import SqlitePlaylistStore

    store = SqlitePlaylistStore(engine.database)
    results = await asyncio.gather(*(store.create("test:g", f"p{i}", f"p{i}", "u", 3) for i in range(8)))
    assert sum(1 for r in results if not isinstance(r, str)) == 3
    assert results.count("full") == 5
    assert await _count(engine.database, playlists, group_id="test:g") == 3
