"""An aiosqlite-shaped connection over PostgreSQL, so the small stores written against the catalog connection
(conversation state and turns, feedback, previews cache, rate limits) run unchanged on PostgreSQL.

It offers the subset of :class:`aiosqlite.Connection` those stores use — ``execute`` (awaitable and ``async with``),
``executemany``, ``executescript``, cursors with ``fetchone``/``fetchall``/``rowcount`` — over the SQLAlchemy pool
(driver asyncpg) in autocommit mode. Each statement outside a transaction borrows a pooled connection, so concurrent
requests do not queue behind each other; a ``BEGIN`` pins one connection until ``COMMIT``/``ROLLBACK``, and while it
is pinned every statement runs on it — the semantics of the single shared aiosqlite connection it stands in for (the
stores hold their lock across a transaction).

Translation is deliberately small: ``?`` and ``:name`` placeholders become ``$n``; ``BEGIN IMMEDIATE`` becomes
``BEGIN``; ``CREATE … IF NOT EXISTS`` statements are skipped (on PostgreSQL the schema belongs to the Alembic
migrations, which already made every table). SQL that is not portable must be written per dialect by the store
(:attr:`PgCompatConnection.dialect` is ``"postgresql"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?|(?<!:):([A-Za-z_]\w*)")
_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW)\b|\bRETURNING\b", re.IGNORECASE)
_SKIPPED = re.compile(r"^\s*(CREATE\s+(TABLE|INDEX|UNIQUE\s+INDEX|TRIGGER|VIRTUAL\s+TABLE)\s+IF\s+NOT\s+EXISTS|PRAGMA)\b",
                      re.IGNORECASE)


def translate(sql: str, params: Sequence[Any] | dict[str, Any] | None) -> tuple[str, list[Any]]:
    """SQLite-style SQL and parameters -> asyncpg SQL with ``$n`` placeholders and a positional list.

    Raises:
        KeyError: a ``:name`` without a value in ``params``.
    """
    out: list[Any] = []
    names: dict[str, int] = {}
    positional = iter(params or ()) if not isinstance(params, dict) else iter(())

    def sub(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.startswith("'"):
            return token
        if token == "?":
            out.append(next(positional))
            return f"${len(out)}"
        name = m.group(1)
        if name not in names:
            out.append(params[name])  # type: ignore[index]
            names[name] = len(out)
        return f"${names[name]}"

    text = _PLACEHOLDER.sub(sub, sql)
    text = re.sub(r"^\s*BEGIN\s+IMMEDIATE\b", "BEGIN", text, flags=re.IGNORECASE)
    return text, out


class PgCursor:
    """The result of one statement: rows (for a query or ``RETURNING``) and ``rowcount``."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self._i = 0
        self.rowcount = rowcount
        self.lastrowid = None  # PostgreSQL: use RETURNING

    async def fetchone(self) -> Any:
        if self._i >= len(self._rows):
            return None
        self._i += 1
        return tuple(self._rows[self._i - 1])

    async def fetchall(self) -> list[tuple[Any, ...]]:
        rows = [tuple(r) for r in self._rows[self._i:]]
        self._i = len(self._rows)
        return rows

    async def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        rows = [tuple(r) for r in self._rows[self._i:self._i + size]]
        self._i += len(rows)
        return rows

    def __aiter__(self) -> PgCursor:
        return self

    async def __anext__(self) -> tuple[Any, ...]:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row

    async def close(self) -> None:
        return None


class _Pending:
    """``await conn.execute(…)`` and ``async with conn.execute(…) as cur`` both work, as with aiosqlite."""

    def __init__(self, coro: Any) -> None:
        self._coro = coro

    def __await__(self):  # noqa: ANN204
        return self._coro.__await__()

    async def __aenter__(self) -> PgCursor:
        return await self._coro

    async def __aexit__(self, *exc: object) -> None:
        return None


class PgCompatConnection:
    """aiosqlite-shaped access to PostgreSQL on one asyncpg connection taken from a SQLAlchemy async engine."""

    dialect = "postgresql"

    def __init__(self, engine: Any) -> None:
        import asyncio

        self._engine = engine
        self._pinned: Any = None  # (SQLAlchemy AsyncConnection, asyncpg connection) while a transaction is open
        self._pin_lock = asyncio.Lock()
        self._pinned_mutex = asyncio.Lock()  # one statement at a time on the pinned connection (asyncpg's rule)

    async def _borrow(self) -> tuple[Any, Any]:
        conn = await self._engine.connect()
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            raw = (await conn.get_raw_connection()).driver_connection
        except BaseException:
            await conn.close()
            raise
        return conn, raw

    @staticmethod
    async def _on(raw: Any, text: str, args: list[Any]) -> PgCursor:
        if _RETURNS_ROWS.search(text):
            rows = await raw.fetch(text, *args)
            return PgCursor(list(rows), len(rows))
        status = await raw.execute(text, *args)
        tail = status.rsplit(" ", 1)[-1] if status else ""
        return PgCursor([], int(tail) if tail.isdigit() else -1)

    async def _run(self, sql: str, params: Any) -> PgCursor:
        if _SKIPPED.match(sql):
            return PgCursor([], -1)
        text, args = translate(sql, params)
        word = text.strip().split(None, 1)[0].upper() if text.strip() else ""
        if word in ("BEGIN", "START"):
            await self._pin_lock.acquire()  # one transaction at a time, like one SQLite connection
            try:
                self._pinned = await self._borrow()
                async with self._pinned_mutex:
                    return await self._on(self._pinned[1], text, args)
            except BaseException:
                await self._unpin()
                raise
        if self._pinned is not None:
            async with self._pinned_mutex:
                pinned = self._pinned
                if pinned is not None:
                    try:
                        return await self._on(pinned[1], text, args)
                    finally:
                        if word in ("COMMIT", "ROLLBACK", "END"):
                            await self._unpin()
        conn, raw = await self._borrow()
        try:
            return await self._on(raw, text, args)
        finally:
            await conn.close()

    async def _unpin(self) -> None:
        pinned, self._pinned = self._pinned, None
        if pinned is not None:
            await pinned[0].close()
        if self._pin_lock.locked():
            self._pin_lock.release()

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> _Pending:
        """Run one statement (see the module docstring for the translation)."""
        return _Pending(self._run(sql, params))

    async def executemany(self, sql: str, seq: Iterable[Sequence[Any] | dict[str, Any]]) -> PgCursor:
        """Run one statement for each parameter set; ``rowcount`` is the total."""
        total = 0
        for params in seq:
            cur = await self._run(sql, params)
            total += max(cur.rowcount, 0)
        return PgCursor([], total)

    async def executescript(self, script: str) -> None:
        """Run ``;``-separated statements (schema statements are skipped: the migrations own the schema)."""
        for statement in script.split(";"):
            if statement.strip():
                await self._run(statement, None)

    async def commit(self) -> None:
        """Nothing to do: autocommit (explicit ``BEGIN``/``COMMIT`` statements run as given)."""

    async def close(self) -> None:
        """Return a connection still pinned by an unfinished transaction to the pool (rolled back)."""
        if self._pinned is not None:
            try:
                await self._pinned[1].execute("ROLLBACK")
            finally:
                await self._unpin()
