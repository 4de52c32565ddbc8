"""SQLAlchemy's synchronous Core engine behind the async connection API the stores use, for a process that runs one
request (``musicbot ask``/``recommend``/``similar``/``search``/``song``) on SQLite.

Why: ``sqlalchemy.ext.asyncio`` imports the whole ORM for its ``AsyncSession`` (measured on this 2-core machine: the
async engine with aiosqlite costs ~0.13 s of CPU more to import than SQLAlchemy Core with pysqlite, ≈ 0.65× a bare
``python -c "import numpy, sqlite3"``), and a one-shot command runs a handful of statements.

How: :class:`InlineEngine` / :class:`InlineConnection` offer the subset of ``AsyncEngine`` / ``AsyncConnection``
that :class:`core.infra.store_db.Database`, :mod:`core.infra.uow` and :mod:`core.infra.sql_catalog` call
(``connect``, ``execution_options``, ``dispose``; ``execute``, ``exec_driver_sql``, ``stream``, ``run_sync``,
``begin``, ``commit``, ``rollback``, ``close``) and run each call on the SQLAlchemy sync connection right away, on the event
loop's thread — as ``AsyncConnection`` runs the same sync connection inside ``greenlet_spawn``, with
``prebuffer_rows`` (rows read before the call returns, as the async API returns them). The statements, the pool
(``QueuePool``), the connect/begin events (PRAGMAs, ``BEGIN IMMEDIATE``) and so the transactions are the same as
with aiosqlite; only the thread differs.

Not for a process that serves several requests at once (a bot, ``musicbot chat``, the API): a statement blocks the
event loop while it runs, and a writer waiting for SQLite's lock (up to the busy timeout) would stop every other task
— including the one holding the lock. A one-shot command has one request in flight, so nothing else waits on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from typing import Any

#: What ``AsyncConnection.execute`` adds to every statement: the rows are fetched before the call returns.
_BUFFERED = {"prebuffer_rows": True}


def _options(execution_options: Any) -> dict[str, Any]:
    return {**(execution_options or {}), **_BUFFERED}


class _StreamResult:
    """The part of ``AsyncResult`` that :mod:`core.infra.sql_catalog` reads: ``async for part in r.partitions(n)``."""

    def __init__(self, result: Any) -> None:
        self._result = result

    async def partitions(self, size: int | None = None) -> AsyncIterator[list[Any]]:
        """The rows in lists of up to ``size``."""
        for part in self._result.partitions(size):
            yield part


class InlineConnection:
    """One pooled SQLAlchemy sync ``Connection`` with ``AsyncConnection``'s methods (see the module docstring).

    Args:
        sync_connection: the ``sqlalchemy.engine.Connection`` (already checked out of the pool).
    """

    def __init__(self, sync_connection: Any) -> None:
        self.sync_connection = sync_connection

    @property
    def dialect(self) -> Any:
        """The SQLAlchemy dialect (``.name == "sqlite"``)."""
        return self.sync_connection.dialect

    async def execute(self, statement: Any, parameters: Any = None, *, execution_options: Any = None) -> Any:
        """Run ``statement``; the buffered ``CursorResult`` (rows, ``rowcount``)."""
        return self.sync_connection.execute(statement, parameters, execution_options=_options(execution_options))

    async def exec_driver_sql(self, statement: str, parameters: Any = None, execution_options: Any = None) -> Any:
        """Run SQL text as the driver takes it; the buffered ``CursorResult``."""
        return self.sync_connection.exec_driver_sql(statement, parameters, _options(execution_options))

    async def stream(self, statement: Any, parameters: Any = None) -> _StreamResult:
        """Run ``statement``; a result read in partitions (rows fetched from the cursor as they are read)."""
        return _StreamResult(self.sync_connection.execute(statement, parameters))

    async def begin(self) -> Any:
        """Begin a transaction (the engine's ``begin`` event: ``BEGIN IMMEDIATE``)."""
        return self.sync_connection.begin()

    async def commit(self) -> None:
        """Commit the open transaction."""
        self.sync_connection.commit()

    async def rollback(self) -> None:
        """Roll the open transaction back."""
        self.sync_connection.rollback()

    async def run_sync(self, fn: Any, *args: Any, **kw: Any) -> Any:
        """``fn(sync_connection, *args, **kw)`` (as ``AsyncConnection.run_sync``)."""
        return fn(self.sync_connection, *args, **kw)

    def get_execution_options(self) -> Any:
        """The connection's execution options."""
        return self.sync_connection.get_execution_options()

    async def close(self) -> None:
        """Return the connection to the pool (an open transaction is rolled back)."""
        self.sync_connection.close()

    async def __aenter__(self) -> InlineConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class _Connecting:
    """What :meth:`InlineEngine.connect` returns: awaited, or used with ``async with`` (as ``AsyncEngine.connect``)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._conn: InlineConnection | None = None

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        if False:  # pragma: no cover - makes this a generator; nothing to wait for
            yield
        return InlineConnection(self._engine.connect())

    async def __aenter__(self) -> InlineConnection:
        self._conn = InlineConnection(self._engine.connect())
        return self._conn

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        await self._conn.close()


class InlineEngine:
    """A SQLAlchemy sync ``Engine`` with ``AsyncEngine``'s ``connect``/``execution_options``/``dispose``.

    Args:
        sync_engine: the ``sqlalchemy.engine.Engine`` (pysqlite), events already set up.
    """

    def __init__(self, sync_engine: Any) -> None:
        self.sync_engine = sync_engine
        self.dialect = sync_engine.dialect

    def connect(self) -> _Connecting:
        """A pooled connection: ``conn = await engine.connect()`` or ``async with engine.connect() as conn``."""
        return _Connecting(self.sync_engine)

    def execution_options(self, **options: Any) -> InlineEngine:
        """The same pool with these execution options on every connection (as ``AsyncEngine.execution_options``)."""
        return InlineEngine(self.sync_engine.execution_options(**options))

    async def dispose(self) -> None:
        """Close the pooled connections."""
        self.sync_engine.dispose()
