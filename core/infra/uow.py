"""The unit of work: one database transaction owned by one use case (cosmicpython ``unit_of_work.py``).

Usage (any store built on the same :class:`core.infra.store_db.Database` joins the transaction)::

    async with database.uow() as uow:
        await uow.lock("playlists", group_id)      # read-modify-write of one group: serialised across workers
        ...store calls / uow.execute(statement)...
        await uow.commit()                         # nothing is written unless this runs

Leaving the block without :meth:`UnitOfWork.commit` — an exception or an early ``return`` — rolls everything back.

How each backend makes a read-modify-write atomic across processes:

* **SQLite**: the transaction starts with ``BEGIN IMMEDIATE``, which takes the database's write lock at once (other
  writers wait up to the busy timeout, 5 s), so what the transaction reads cannot change before it commits.
  :meth:`UnitOfWork.lock` has nothing left to do.
* **PostgreSQL** (READ COMMITTED): :meth:`UnitOfWork.lock` takes a transaction-scoped advisory lock on the key
  (``pg_advisory_xact_lock(hashtext(key))``, released at commit/rollback) — concurrent units of work on the same key
  queue, on different keys they run in parallel. ``SELECT … FOR UPDATE`` (``select().with_for_update()``, which
  SQLite ignores) locks rows that exist.

The unit of work is *ambient* for the task that opened it: while it is open, every store call made by that task on
the same database runs on its connection (so several stores write atomically together). Other tasks never share it.
A unit of work opened inside another one (same task, same database) joins the outer transaction: only the outer
commit writes.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Result
    from sqlalchemy.ext.asyncio import AsyncConnection

    from core.infra.store_db import Database

#: The open unit of work of the current task (if any).
_CURRENT: ContextVar[UnitOfWork | None] = ContextVar("musicbot_uow", default=None)


def current(database: Database) -> UnitOfWork | None:
    """The unit of work the current task has open on ``database``, or None."""
    uow = _CURRENT.get()
    if uow is None or uow.database is not database or uow.task is not asyncio.current_task() or uow.connection is None:
        return None
    return uow


class UnitOfWork:
    """One transaction on a :class:`core.infra.store_db.Database` (see the module docstring).

    Raises (from ``async with``):
        sqlalchemy.exc.OperationalError: SQLite stayed locked by another writer past the busy timeout (5 s), or the
        server cannot be reached.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self.connection: AsyncConnection | None = None
        self.task: asyncio.Task[Any] | None = None
        self._outer: UnitOfWork | None = None
        self._token: Any = None
        self._committed = False

    async def __aenter__(self) -> UnitOfWork:
        outer = current(self.database)
        if outer is not None:  # nested: join the outer transaction
            self._outer = outer
            self.connection, self.task = outer.connection, outer.task
            return self
        self.task = asyncio.current_task()
        self.connection = await self.database.begin_transaction()
        self._token = _CURRENT.set(self)
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._outer is not None:
            return
        conn, self.connection = self.connection, None
        try:
            if conn is not None and not self._committed:
                await conn.rollback()
        finally:
            if self._token is not None:
                _CURRENT.reset(self._token)
                self._token = None
            if conn is not None:
                await conn.close()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.database.dialect

    def _conn(self) -> AsyncConnection:
        if self.connection is None:
            raise RuntimeError("the unit of work is not open (use it inside `async with`)")
        return self.connection

    async def execute(self, statement: Any, params: Any = None) -> Result[Any]:
        """Run one SQLAlchemy statement in the transaction (a buffered result: rows, ``rowcount``)."""
        return await self._conn().execute(statement, params)

    async def lock(self, *key: object) -> None:
        """Serialise read-modify-writes of ``key`` (e.g. ``("playlists", group_id)``) across workers until the
        transaction ends: a PostgreSQL advisory transaction lock; on SQLite the transaction already holds the
        database's write lock (``BEGIN IMMEDIATE``)."""
        if self.dialect == "postgresql":
            from sqlalchemy import text

            name = "\x1f".join(str(k) for k in key)
            await self._conn().execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": name})

    async def commit(self) -> None:
        """Make the transaction's writes permanent (inside a nested unit of work: left to the outer one)."""
        if self._outer is not None:
            return
        await self._conn().commit()
        self._committed = True

    async def rollback(self) -> None:
        """Undo the transaction's writes (also what leaving the block without :meth:`commit` does)."""
        if self._outer is not None:
            raise RuntimeError("a nested unit of work cannot roll back alone; raise to roll back the outer one")
        await self._conn().rollback()
