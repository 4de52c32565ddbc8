"""The stores of a one-request process on the embedded SQLite file through Python's own ``sqlite3`` module: the
conversation (state, turns, lease), likes and dislikes, and playlist reads, with their statements as SQL text — no
SQLAlchemy import.

Why: a one-shot ``musicbot ask`` takes the conversation's lease, reads its state (and the caller's dislikes, and on
free text the group's playlists), and saves the list it showed for a later ``#N``. Doing that through SQLAlchemy
imported SQLAlchemy Core and the stores' statement builders: ~0.13 s of CPU, about the time of a bare
``python -c "import numpy, sqlite3"``, for a handful of statements that run in ~1 ms.

What stays the same: the schema is still the Alembic migrations' (:mod:`core.infra.migrations`, described by
:mod:`core.infra.tables`); each store keeps one implementation of its logic and picks its statements with
:func:`statements` — SQLAlchemy Core for :class:`core.infra.store_db.Database`, SQL text beside them for
:class:`LiteDatabase` —, and the statements do the same thing (the contract suite runs every store case on both,
and ``tests/integration/test_lite_store_interop.py`` has each side read what the other wrote in the same files).
Connection settings are the stores' (:mod:`core.infra.store_db`): ``busy_timeout`` 5000 ms, ``foreign_keys`` on,
``synchronous=NORMAL``, no driver-managed transactions, and a unit of work starts with ``BEGIN IMMEDIATE`` (the
database's write lock at once, so a read-modify-write stays atomic against other processes).

Only for a process with one request in flight (``Engine.open(one_request=True)`` on SQLite): there is one
connection, so a statement made by another task while a unit of work is open would join that transaction; and each
statement blocks the event loop while it runs (as :mod:`core.infra.inline_engine`). The stores not listed above
(button state, rate limits, previews, playlist writes, the catalog's writes) keep SQLAlchemy, imported when a request
needs them; their inline engine runs on this same connection (:meth:`core.infra.store_db.Database.run_inline`), so
writes of both sides in one unit of work — whichever side opened it — commit or roll back together. ``chat``, the
bots, the API and PostgreSQL keep :class:`core.infra.store_db.Database` for every store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from core.infra.store_db import BUSY_TIMEOUT_MS

T = TypeVar("T")

def statements(db: Any, text: T, build: Callable[[str], Any]) -> Any:
    """A store's statements for ``db``: ``text`` (SQL text, named ``:parameters``) for a :class:`LiteDatabase`,
    else ``build(db.dialect)`` (the SQLAlchemy Core statements)."""
    return text if isinstance(db, LiteDatabase) else build(db.dialect)


class LiteResult:
    """What the stores read of a statement's result (the part of SQLAlchemy's ``CursorResult`` they use): rows
    fetched before the call returns, and ``rowcount``."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.rows: list[Any] = cursor.fetchall() if cursor.description is not None else []
        self.rowcount: int = cursor.rowcount

    def first(self) -> Any:
        """The first row (a tuple), or None."""
        return self.rows[0] if self.rows else None

    def all(self) -> list[Any]:
        """Every row."""
        return self.rows

    def scalar_one(self) -> Any:
        """The one value of the one row.

        Raises:
            LookupError: not exactly one row."""
        if len(self.rows) != 1:
            raise LookupError(f"expected one row, got {len(self.rows)}")
        return self.rows[0][0]

    def __iter__(self) -> Any:
        return iter(self.rows)


class LiteDatabase:
    """One ``sqlite3`` connection on the catalog file for the stores of a one-request process (module docstring).

    Args:
        path: the SQLite file; or ``uri`` (``file:…?mode=memory&cache=shared``) for a ``:memory:`` catalog.

    Attributes:
        dialect: ``"sqlite"``.
    """

    dialect = "sqlite"

    def __init__(self, path: str, uri: str | None = None) -> None:
        self._target, self._uri = (uri, True) if uri else (path, False)
        self._conn: sqlite3.Connection | None = None
        self._owner: LiteUnitOfWork | None = None

    @property
    def owns_transaction(self) -> bool:
        """Whether a :class:`LiteUnitOfWork` began the connection's open transaction (it commits or rolls back; the
        SQLAlchemy side sharing the connection leaves it alone)."""
        return self._owner is not None

    @classmethod
    def for_catalog(cls, catalog: Any) -> LiteDatabase:
        """The database of an open SQLite catalog (:class:`core.catalog.Catalog`: ``path`` and ``uri``)."""
        return cls(catalog.path, getattr(catalog, "uri", None))

    @property
    def connection(self) -> sqlite3.Connection:
        """The connection, opened on first use (driver transactions off; the PRAGMAs of the module docstring)."""
        if self._conn is None:
            conn = sqlite3.connect(self._target, uri=self._uri, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None)
            for pragma in (f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}", "PRAGMA foreign_keys=ON",
                           "PRAGMA synchronous=NORMAL"):
                conn.execute(pragma)
            self._conn = conn
        return self._conn

    async def execute(self, sql: str, params: dict[str, Any] | Sequence[dict[str, Any]] | None = None) -> LiteResult:
        """Run one statement (a list of parameter dicts: once per dict) — inside the open unit of work, else on its
        own (autocommit). The rows are fetched before it returns.

        Raises:
            sqlite3.OperationalError: another writer held the lock past the busy timeout (5 s), or a bad statement.
        """
        if isinstance(params, (list, tuple)):
            return LiteResult(self.connection.executemany(sql, params))
        return LiteResult(self.connection.execute(sql, params or {}))

    def uow(self) -> LiteUnitOfWork:
        """A new unit of work (``async with db.uow() as uow: … await uow.commit()``, as :mod:`core.infra.uow`)."""
        return LiteUnitOfWork(self)

    async def close(self) -> None:
        """Close the connection (an open transaction is rolled back)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class LiteUnitOfWork:
    """One transaction on a :class:`LiteDatabase`: ``BEGIN IMMEDIATE`` on entry; leaving the block without
    :meth:`commit` rolls back. It joins the transaction already open on the connection instead — another
    :class:`LiteUnitOfWork` of the same task (nested, as :class:`core.infra.uow.UnitOfWork` nests), or a unit of
    work of the stores' SQLAlchemy side sharing this connection (:meth:`core.infra.store_db.Database.run_inline`) —
    and then leaves the commit to whoever began it.

    Raises (from ``async with``):
        sqlite3.OperationalError: SQLite stayed locked by another writer past the busy timeout (5 s).
    """

    def __init__(self, database: LiteDatabase) -> None:
        self.database = database
        self._joined = False
        self._open = False

    @property
    def dialect(self) -> str:
        """``"sqlite"``."""
        return self.database.dialect

    async def __aenter__(self) -> LiteUnitOfWork:
        conn = self.database.connection
        if conn.in_transaction:  # an enclosing unit of work (one request in flight: this task's) began it
            self._joined = True
            return self
        conn.execute("BEGIN IMMEDIATE")  # the write lock now: what is read cannot change before the commit
        self._open = True
        self.database._owner = self
        return self

    def _end(self) -> None:
        self._open = False
        self.database._owner = None

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._joined:
            return
        try:
            if self._open:
                self.database.connection.rollback()
        finally:
            self._end()

    async def execute(self, sql: str, params: Any = None) -> LiteResult:
        """Run one statement in the transaction."""
        if not (self._joined or self._open):
            raise RuntimeError("the unit of work is not open (use it inside `async with`)")
        return await self.database.execute(sql, params)

    async def lock(self, *key: object) -> None:
        """Nothing to do: the transaction already holds the database's write lock (``BEGIN IMMEDIATE``)."""

    async def commit(self) -> None:
        """Make the transaction's writes permanent (when joined: left to the unit of work that began it)."""
        if self._joined:
            return
        self.database.connection.commit()
        self._end()

    async def rollback(self) -> None:
        """Undo the transaction's writes (also what leaving the block without :meth:`commit` does)."""
        if self._joined:
            raise RuntimeError("a nested unit of work cannot roll back alone; raise to roll back the outer one")
        self.database.connection.rollback()
        self._end()
