"""Where "Next page" buttons keep their request: a short random key -> :class:`PageState`.

A button's ``custom_id`` holds only ``mb:next:<key>`` (Discord allows 100 characters; a free-text request may have
2,000), so the request itself lives here. :class:`SqlitePageStore` keeps it in its own table of the catalog
database (a separate connection; WAL lets it run beside the engine's), so buttons keep working after a restart;
entries older than :data:`TTL_DAYS` are pruned. :class:`MemoryPageStore` is used for ``:memory:`` catalogs.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

import aiosqlite

#: Days a stored page stays usable.
TTL_DAYS = 30
#: Track ids remembered per request (so later pages never repeat a track).
MAX_SHOWN = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS discord_pages (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS discord_pages_created ON discord_pages(created);
"""


@dataclass
class PageState:
    """A request that produced a page of tracks, enough to compute the next page.

    ``kind`` is ``text`` (``query`` = free text), ``similar`` (``refs`` = track references), ``search``
    (``query`` = search words) or ``playlist`` (recommendations from a playlist: ``query`` = the playlist group,
    ``refs`` = ``[playlist id]``). ``filters`` holds only explicitly set :class:`core.models.Filters` fields.
    ``shown`` lists every track id already shown for this request; ``page`` is the number of pages shown (0 before
    the first).
    """

    kind: Literal["text", "similar", "search", "playlist"]
    query: str = ""
    refs: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    page: int = 0
    page_size: int = 10
    shown: list[str] = field(default_factory=list)

    def advance(self, track_ids: list[str]) -> PageState:
        """The state after showing one more page holding ``track_ids``."""
        shown = (self.shown + [t for t in track_ids if t not in self.shown])[-MAX_SHOWN:]
        return PageState(
            self.kind, self.query, list(self.refs), dict(self.filters), self.page + 1, self.page_size, shown
        )

    def to_json(self) -> str:
        """Compact JSON of every field."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PageState:
        """Inverse of :meth:`to_json`."""
        return cls(**json.loads(text))


def new_key() -> str:
    """A 12-character URL-safe random key (72 bits)."""
    return secrets.token_urlsafe(9)


class PageStore(Protocol):
    """Key -> :class:`PageState` storage."""

    async def save(self, state: PageState) -> str: ...

    async def load(self, key: str) -> PageState | None: ...

    async def close(self) -> None: ...


class MemoryPageStore:
    """In-process store (lost on restart); for ``:memory:`` catalogs and tests."""

    def __init__(self) -> None:
        self._data: dict[str, PageState] = {}

    async def save(self, state: PageState) -> str:
        """Store ``state`` under a new key and return the key."""
        key = new_key()
        self._data[key] = PageState.from_json(state.to_json())
        return key

    async def load(self, key: str) -> PageState | None:
        """The state for ``key``, or None when unknown."""
        state = self._data.get(key)
        return PageState.from_json(state.to_json()) if state else None

    async def close(self) -> None:
        """Nothing to release."""


class SqlitePageStore:
    """Durable store in the ``discord_pages`` table of the catalog database. Open with :meth:`open`."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    @classmethod
    async def open(cls, path: str) -> SqlitePageStore:
        """Open a second connection to ``path``, create the table and prune expired entries."""
        db = await aiosqlite.connect(path, isolation_level=None)
        try:
            await db.execute("PRAGMA busy_timeout=5000")
            await db.executescript(_SCHEMA)
            await db.execute("DELETE FROM discord_pages WHERE created < ?", (time.time() - TTL_DAYS * 86400,))
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def save(self, state: PageState) -> str:
        """Store ``state`` under a new key and return the key."""
        key = new_key()
        await self.db.execute("INSERT INTO discord_pages VALUES (?, ?, ?)", (key, state.to_json(), time.time()))
        return key

    async def load(self, key: str) -> PageState | None:
        """The state for ``key``, or None when unknown or expired."""
        cutoff = time.time() - TTL_DAYS * 86400
        async with self.db.execute(
            "SELECT state FROM discord_pages WHERE key=? AND created >= ?", (key, cutoff)
        ) as cur:
            row = await cur.fetchone()
        return PageState.from_json(row[0]) if row else None

    async def close(self) -> None:
        """Close the connection."""
        await self.db.close()


class SharedPageStore(SqlitePageStore):
    """The ``discord_pages`` table on the catalog's own connection (PostgreSQL: the catalog's aiosqlite-shaped
    connection, whose table the migrations made); closing it leaves that connection open."""

    async def close(self) -> None:
        """Nothing to release: the catalog owns the connection."""


async def open_store(catalog_path: str, catalog_db: Any = None) -> PageStore:
    """A SQLite store beside the catalog, a store on the catalog's connection for PostgreSQL (``catalog_db`` given
    and a ``postgresql://`` path), or a memory store for a ``:memory:`` catalog."""
    if catalog_path.startswith("postgresql://") and catalog_db is not None:
        await catalog_db.execute("DELETE FROM discord_pages WHERE created < ?", (time.time() - TTL_DAYS * 86400,))
        return SharedPageStore(catalog_db)
    if catalog_path == ":memory:" or not catalog_path:
        return MemoryPageStore()
    return await SqlitePageStore.open(catalog_path)
