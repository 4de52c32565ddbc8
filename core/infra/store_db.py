"""One SQLAlchemy 2.0 :class:`~sqlalchemy.ext.asyncio.AsyncEngine` per database, shared by the small stores
(conversations, button state, leases, rate limits, feedback, playlists, previews cache), so one code path serves
SQLite (driver aiosqlite) and PostgreSQL (driver asyncpg).

* Single statements run on an **autocommit** connection (:meth:`Database.connect`): one statement is atomic on
  both backends and needs no ``BEGIN``/``COMMIT`` round trips.
* Several statements that must succeed or fail together, or a read-modify-write, run in a **unit of work**
  (:meth:`Database.uow`, :mod:`core.infra.uow`). Inside one, :meth:`Database.connect` hands out the unit of work's
  connection, so store calls made by that task join its transaction.

SQLite connections are pooled (``AsyncAdaptedQueuePool``) on the catalog file — one pool shared by the catalog
(:class:`core.catalog.Catalog`) and the stores — each with ``busy_timeout`` 5000 ms,
``foreign_keys`` on, ``synchronous=NORMAL`` (the file is already in WAL mode, set by :meth:`core.catalog.Catalog.open`);
the driver's own transaction handling is off (``isolation_level=None``) and a unit of work starts with
``BEGIN IMMEDIATE`` (SQLAlchemy's documented recipe for pysqlite/aiosqlite transactions). A ``:memory:`` catalog is a
named shared-cache memory database; its stores use one pooled connection (a memory database lives in one process).
On PostgreSQL the catalog's own engine (:class:`core.infra.pg_catalog.PgCatalog`) is reused.

The schema belongs to the Alembic migrations; :mod:`core.infra.tables` describes the tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from core.infra.uow import UnitOfWork, current

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

#: Milliseconds a SQLite writer waits for another writer's lock before ``database is locked`` (as the catalog).
BUSY_TIMEOUT_MS = 5000
_AUTOCOMMIT = "musicbot_autocommit"


def _sqlite_engine(url: str, memory: bool, inline: bool = False, shared: Any = None) -> AsyncEngine:
    """The stores' engine on a SQLite file (``url`` without its driver: ``sqlite:///…``): SQLAlchemy's
    ``AsyncEngine`` on aiosqlite, or with ``inline`` its sync engine on pysqlite behind the same calls
    (:mod:`core.infra.inline_engine`: for a process that runs one request). Same pool sizes, events and PRAGMAs.
    ``shared``: a :class:`core.infra.lite_db.LiteDatabase` whose one connection the inline engine uses too, so
    the stores on either side share its transactions (see :meth:`Database.run_inline`)."""
    from sqlalchemy import event

    kw: dict[str, Any] = {"pool_size": 1, "max_overflow": 0} if memory else {"pool_size": 5, "max_overflow": 10}
    connect_args = {"timeout": BUSY_TIMEOUT_MS / 1000}
    engine: Any
    if inline:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import QueuePool, StaticPool

        from core.infra.inline_engine import InlineEngine

        kw["poolclass"] = QueuePool  # also for a memory database (one pooled connection keeps it alive)
        if shared is not None:  # the lite database's connection, the only one (StaticPool: never closed by use)
            kw = {"poolclass": StaticPool, "creator": lambda: shared.connection}
        engine = InlineEngine(create_engine(url.replace("sqlite:", "sqlite+pysqlite:", 1), connect_args=connect_args,
                                            **kw))
    else:
        from sqlalchemy.ext.asyncio import create_async_engine

        if memory:
            from sqlalchemy.pool import AsyncAdaptedQueuePool

            kw["poolclass"] = AsyncAdaptedQueuePool
        engine = create_async_engine(url.replace("sqlite:", "sqlite+aiosqlite:", 1), connect_args=connect_args, **kw)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if shared is not None:  # the lite database's connection: opened with these settings (core.infra.lite_db)
            return
        dbapi_connection.isolation_level = None  # the driver never emits BEGIN/COMMIT itself: we do (below)
        cursor = dbapi_connection.cursor()
        for pragma in (f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL"):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_AUTOCOMMIT):
            return
        if shared is not None and shared.connection.in_transaction:
            return  # a unit of work of the lite database holds the shared connection's transaction: join it
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock now: a read-modify-write stays atomic

    # An autocommit connection never has a transaction open at the driver, so SQLAlchemy's end-of-use ROLLBACK (one
    # round trip to aiosqlite's thread per statement) is skipped when SQLite says none is open (in_transaction is
    # read without a round trip).
    dialect = engine.sync_engine.dialect
    do_rollback, do_commit = dialect.do_rollback, dialect.do_commit

    # On a connection shared with the lite database, a transaction its unit of work began is its to end.
    def _rollback(dbapi_connection: Any) -> None:
        if _in_transaction(dbapi_connection) and not (shared is not None and shared.owns_transaction):
            do_rollback(dbapi_connection)

    def _commit(dbapi_connection: Any) -> None:
        if _in_transaction(dbapi_connection) and not (shared is not None and shared.owns_transaction):
            do_commit(dbapi_connection)

    dialect.do_rollback, dialect.do_commit = _rollback, _commit  # type: ignore[method-assign]
    return engine


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether the SQLite connection under SQLAlchemy's pool proxy / aiosqlite adapter has a transaction open
    (True when unsure)."""
    conn = getattr(dbapi_connection, "dbapi_connection", dbapi_connection)  # pool proxy -> adapter (or sqlite3)
    if isinstance(conn, sqlite3.Connection):  # pysqlite (the inline engine): the driver connection itself
        return conn.in_transaction
    inner = getattr(getattr(conn, "_connection", None), "_conn", None)  # adapter -> aiosqlite -> sqlite3
    return True if inner is None else bool(inner.in_transaction)


def _inline_engine_type() -> type:
    from core.infra.inline_engine import InlineEngine

    return InlineEngine


def dialect_insert(dialect: str) -> Any:
    """SQLAlchemy's ``insert`` with ``on_conflict_do_update``/``on_conflict_do_nothing`` for ``dialect``
    (``sqlalchemy.dialects.postgresql.insert`` or ``sqlalchemy.dialects.sqlite.insert``), imported on first use."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class Database:
    """The stores' access to one database (see the module docstring).

    Args:
        engine: the SQLAlchemy async engine, or None with ``factory`` and ``dialect``: the engine is then built on
            first use (an engine that never runs a store query never imports ``sqlalchemy.ext.asyncio``).
        owns_engine: :meth:`close` disposes the engine (False for an engine borrowed from a catalog).
        inline_factory: builds the SQLite engine whose statements run inline (:mod:`core.infra.inline_engine`),
            used instead of ``factory`` after :meth:`run_inline`.

    Attributes:
        dialect: ``"sqlite"`` or ``"postgresql"``.
    """

    def __init__(
        self, engine: AsyncEngine | None = None, *, factory: Callable[[], AsyncEngine] | None = None,
        dialect: str | None = None, owns_engine: bool = True, inline_factory: Callable[[], Any] | None = None,
    ) -> None:
        if engine is None and (factory is None or dialect is None):
            raise ValueError("give an engine, or a factory and its dialect")
        self._engine = engine
        self._factory = factory
        self.dialect: str = engine.dialect.name if engine is not None else str(dialect)
        self._owns = owns_engine
        self._autocommit_engine: Any = None
        self._inline_factory = inline_factory

    async def run_inline(self, shared: Any = None) -> bool:
        """For a process that runs one request: the SQLite stores' statements run inline on the event loop on
        SQLAlchemy's sync engine from now on (:mod:`core.infra.inline_engine`: no ``sqlalchemy.ext.asyncio`` import).
        An async engine already built (by a first-start seed, whose writes overlap its parsing on aiosqlite's thread)
        is disposed of. Nothing changes on PostgreSQL. Returns whether the inline engine is used.

        ``shared``: the process's :class:`core.infra.lite_db.LiteDatabase` (the conversation's stores without
        SQLAlchemy): the inline engine then runs on its one connection, so stores on either side written in one unit
        of work — whichever side opened it — commit or roll back together."""
        if self._inline_factory is None:
            return False
        if self._engine is not None:
            if isinstance(self._engine, _inline_engine_type()):
                return True
            await self._engine.dispose()
            self._engine = self._autocommit_engine = None
        inline = self._inline_factory
        self._factory = inline if shared is None else (lambda: inline(shared))
        return True

    @property
    def engine(self) -> AsyncEngine:
        """The SQLAlchemy async engine (built on first use when the database was given a factory)."""
        if self._engine is None:
            assert self._factory is not None
            self._engine = self._factory()
        return self._engine

    @property
    def _autocommit(self) -> Any:
        """The engine with autocommit execution options (built once)."""
        if self._autocommit_engine is None:
            if self.dialect == "postgresql":
                self._autocommit_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            else:
                self._autocommit_engine = self.engine.execution_options(**{_AUTOCOMMIT: True})
        return self._autocommit_engine

    # ------------------------------------------------------------------ construction
    @classmethod
    def for_sqlite(cls, path: str, uri: str | None = None) -> Database:
        """A pool on the SQLite file ``path``; ``uri`` (``file:…?mode=memory&cache=shared``) for a ``:memory:``
        catalog. Opens no connection yet."""
        if uri:
            return cls(factory=lambda: _sqlite_engine(f"sqlite:///{uri}&uri=true", memory=True), dialect="sqlite",
                       inline_factory=lambda shared=None: _sqlite_engine(f"sqlite:///{uri}&uri=true", memory=True,
                                                                         inline=True, shared=shared))
        return cls(factory=lambda: _sqlite_engine(f"sqlite:///{path}", memory=False), dialect="sqlite",
                   inline_factory=lambda shared=None: _sqlite_engine(f"sqlite:///{path}", memory=False, inline=True,
                                                                     shared=shared))

    @classmethod
    def for_catalog(cls, catalog: Any) -> Database:
        """The database of an open catalog: the SQLite catalog's own (:attr:`core.catalog.Catalog.database`: one
        pool, its engine built on first use, so a unit of work spans catalog and store writes), the PostgreSQL
        catalog's engine (owned by the catalog), else a new pool on its file."""
        database = getattr(catalog, "database", None)
        if isinstance(database, Database):
            return database
        engine = getattr(catalog, "engine", None)
        if engine is not None and hasattr(engine, "dialect"):  # PgCatalog: its AsyncEngine
            return cls(engine, owns_engine=False)
        return cls.for_sqlite(catalog.path, getattr(catalog, "uri", None))

    @classmethod
    async def open(cls, location: str) -> Database:
        """A database from a ``--db`` value / ``DATABASE_URL`` (:func:`core.infra.database.parse_database`),
        migrated to the newest schema (:func:`core.infra.migrate.upgrade`): for tools and tests that use the stores
        without a catalog.

        Raises:
            InvalidInput: an unsupported URL. sqlalchemy.exc.SQLAlchemyError / OSError: the database is unusable.
        """
        from core.infra.database import parse_database
        from core.infra.migrate import upgrade

        from sqlalchemy.ext.asyncio import create_async_engine

        target = parse_database(location)
        if target.is_postgres:
            await upgrade(target.sqlalchemy_url())
            return cls(create_async_engine(target.sqlalchemy_url(), pool_size=4, max_overflow=4, pool_pre_ping=True))
        db = cls.for_sqlite(target.path)
        async with db.connect() as conn:  # WAL, as the catalog sets it (persistent in the file)
            await conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        await upgrade(target.sqlalchemy_url(), connect_args={"timeout": 30})
        return db

    async def close(self) -> None:
        """Close the pooled connections (an engine borrowed from a catalog is left to the catalog)."""
        if self._owns and self._engine is not None:
            await self._engine.dispose()

    # ------------------------------------------------------------------ access
    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection for the caller's statements: the current task's unit of work's when one is open on this
        database, else an autocommit connection from the pool (each statement commits on its own)."""
        uow = current(self)
        if uow is not None and uow.connection is not None:
            yield uow.connection
            return
        async with self._autocommit.connect() as conn:
            yield conn

    async def execute(self, statement: Any, params: Any = None) -> Any:
        """Run one statement on :meth:`connect`'s connection; returns the buffered result (rows, ``rowcount``)."""
        async with self.connect() as conn:
            return await conn.execute(statement, params)

    def uow(self) -> UnitOfWork:
        """A new unit of work (``async with db.uow() as uow: … await uow.commit()``; :mod:`core.infra.uow`)."""
        return UnitOfWork(self)

    async def begin_transaction(self) -> AsyncConnection:
        """A pooled connection with a transaction begun (``BEGIN IMMEDIATE`` on SQLite): for :class:`UnitOfWork`."""
        conn = await self.engine.connect()
        try:
            await conn.begin()  # fires the "begin" event: BEGIN IMMEDIATE on SQLite, the write lock is held now
        except BaseException:
            await conn.close()
            raise
        return conn
