"""Conversation leases: one turn of a conversation at a time across *processes* (workers behind one webhook URL).

Inside one process, :meth:`core.app.session.Sessions._conversation_lock` (an ``asyncio.Lock`` per conversation) orders the
turns; two workers answering two messages of one chat at once would still interleave (both load the conversation
state, both save it: one save is lost). A lease row in the database closes that gap: the worker that inserts the
row for a conversation owns its turn; the others wait (polling every :data:`POLL_S`) until it is deleted or has
expired (:data:`TTL_S`, so a crashed worker never blocks a chat for long).

:class:`SqliteLeases` keeps the rows in the ``conversation_leases`` table of the catalog database (SQLite or
PostgreSQL, :class:`core.infra.store_db.Database`; one atomic upsert per try); :class:`MemoryLeases` is the in-process fake.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from core.infra.lite_db import LiteDatabase
    from core.infra.store_db import Database

log = logging.getLogger(__name__)

#: Seconds a lease lasts when its holder never releases it (a crash): longer than a slow LLM turn (~30 s).
TTL_S = 120.0
#: Seconds between two tries of a waiting worker.
POLL_S = 0.05
#: Seconds a turn waits for another worker's lease before it goes ahead anyway (logged): a reply late by more is
#: worse than the rare lost update the lease prevents.
WAIT_S = 30.0


class Leases(Protocol):
    """Named leases with an owner and an expiry, shared by every worker on the database."""

    async def try_acquire(self, key: str, owner: str, ttl_s: float = TTL_S) -> bool:
        """Take ``key`` for ``owner`` unless another owner holds a live lease; True when taken."""
        ...

    async def release(self, key: str, owner: str) -> None:
        """Give ``key`` back (only ``owner``'s own lease is removed)."""
        ...


@functools.cache
def _sql(dialect: str) -> SimpleNamespace:
    """The statements for ``dialect``, built once with bound parameters (SQLAlchemy imported on first use).
    ``acquire``: the upsert of :meth:`SqliteLeases.try_acquire` (values from the parameters, ``l_now`` the time)."""
    from sqlalchemy import bindparam, delete

    from core.infra.store_db import dialect_insert
    from core.infra.tables import conversation_leases as t

    stmt = dialect_insert(dialect)(t)
    return SimpleNamespace(
        acquire=stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"owner": stmt.excluded.owner, "expires_at": stmt.excluded.expires_at},
            where=(t.c.expires_at < bindparam("l_now")) | (t.c.owner == stmt.excluded.owner),
        ),
        release=delete(t).where(t.c.key == bindparam("l_key"), t.c.owner == bindparam("l_owner")),
    )


def _statements(db: Any) -> SimpleNamespace:
    """SQL text on a one-request :class:`core.infra.lite_db.LiteDatabase` (:data:`core.infra.lite_sql.LEASES`), else
    the SQLAlchemy statements of :func:`_sql`."""
    from core.infra.lite_db import statements
    from core.infra.lite_sql import LEASES

    return statements(db, LEASES, _sql)


class SqliteLeases:
    """:class:`Leases` in the ``conversation_leases`` table (migration 0003), on SQLite or PostgreSQL through the
    shared :class:`core.infra.store_db.Database` (in a one-request process: :class:`core.infra.lite_db.LiteDatabase`).
    Build with ``SqliteLeases(database)`` or
    ``await SqliteLeases.open(database)``."""

    def __init__(self, db: Database | LiteDatabase, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    @classmethod
    async def open(cls, db: Database | LiteDatabase, clock: Callable[[], float] = time.time) -> SqliteLeases:
        """The leases on ``db`` (the table comes from the migrations)."""
        return cls(db, clock)

    async def try_acquire(self, key: str, owner: str, ttl_s: float = TTL_S) -> bool:
        """One upsert that only overwrites an expired (or own) lease (atomic on both backends)."""
        now = self.clock()
        params = {"key": key, "owner": owner, "expires_at": now + ttl_s, "l_now": now}
        return (await self.db.execute(_statements(self.db).acquire, params)).rowcount == 1

    async def release(self, key: str, owner: str) -> None:
        """Delete the row when it is still ``owner``'s."""
        await self.db.execute(_statements(self.db).release, {"l_key": key, "l_owner": owner})


class MemoryLeases:
    """In-process :class:`Leases` (the fake for unit tests)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.rows: dict[str, tuple[str, float]] = {}

    async def try_acquire(self, key: str, owner: str, ttl_s: float = TTL_S) -> bool:
        row = self.rows.get(key)
        if row is not None and row[0] != owner and row[1] >= self.clock():
            return False
        self.rows[key] = (owner, self.clock() + ttl_s)
        return True

    async def release(self, key: str, owner: str) -> None:
        if self.rows.get(key, ("", 0.0))[0] == owner:
            del self.rows[key]


async def acquire(leases: Leases, key: str, owner: str, wait_s: float = WAIT_S, poll_s: float = POLL_S) -> bool:
    """Wait up to ``wait_s`` seconds for ``key``; True when taken, False when another worker still held it then
    (the caller goes ahead without it; logged)."""
    deadline = time.monotonic() + wait_s
    while True:
        if await leases.try_acquire(key, owner):
            return True
        if time.monotonic() >= deadline:
            log.warning("conversation %s still busy on another worker after %.0f s; going ahead", key, wait_s)
            return False
        await asyncio.sleep(poll_s)
