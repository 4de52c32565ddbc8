"""An aiosqlite-shaped connection over PostgreSQL, so the small stores written against the catalog connection
(conversation state and turns, feedback, previews cache, rate limits) run unchanged on PostgreSQL.

It offers the subset of :class:`aiosqlite.Connection` those stores use — ``execute`` (awaitable and ``async with``),
``executemany``, ``executescript``, cursors with ``fetchone``/``fetchall``/``rowcount`` — on ONE pooled SQLAlchemy
connection (driver asyncpg) in autocommit mode, exactly like the single shared aiosqlite connection it stands in for:
``BEGIN``/``COMMIT``/``ROLLBACK`` statements open and close a real transaction on it.

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
        self._engine = engine
        self._conn: Any = None  # the SQLAlchemy AsyncConnection
        self._raw: Any = None  # its asyncpg connection
        import asyncio

        self._mutex = asyncio.Lock()

    async def _driver(self) -> Any:
        if self._raw is None or self._raw.is_closed():
            self._conn = await self._engine.connect()
            await self._conn.execution_options(isolation_level="AUTOCOMMIT")
            raw = await self._conn.get_raw_connection()
            self._raw = raw.driver_connection
        return self._raw

    async def _run(self, sql: str, params: Any) -> PgCursor:
        if _SKIPPED.match(sql):
            return PgCursor([], -1)
        text, args = translate(sql, params)
        async with self._mutex:
            raw = await self._driver()
            if _RETURNS_ROWS.search(text):
                rows = await raw.fetch(text, *args)
                return PgCursor(list(rows), len(rows))
            status = await raw.execute(text, *args)
        tail = status.rsplit(" ", 1)[-1] if status else ""
        return PgCursor([], int(tail) if tail.isdigit() else -1)

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
        """Return the connection to the pool."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = self._raw = None
