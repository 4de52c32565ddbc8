"""Playlists in the catalog database: :class:`SqlitePlaylistStore`, the SQLite implementation of
:class:`~core.playlists.store.PlaylistStore` (one ``BEGIN IMMEDIATE`` transaction per write, serialized on the shared
connection by an ``asyncio.Lock`` — the engine's write lock).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Literal

from core.playlists.store import AddOutcome, EntryRow, PlaylistRow, plan_add

if TYPE_CHECKING:
    import aiosqlite


_SCHEMA = """
CREATE TABLE IF NOT EXISTS playlists (
    id INTEGER PRIMARY KEY,
    group_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (group_id, name_key)
);
CREATE TABLE IF NOT EXISTS playlist_tracks (
    playlist_id INTEGER NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
    track_id TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at REAL NOT NULL,
    UNIQUE (playlist_id, track_id)
);
"""
_SELECT = (
    "SELECT p.id, p.group_id, p.name, p.created_by, p.created_at, p.updated_at, "
    "(SELECT count(*) FROM playlist_tracks t WHERE t.playlist_id = p.id) FROM playlists p "
)


class SqlitePlaylistStore:
    """Playlists in the catalog database (tables created with ``IF NOT EXISTS``; no foreign key to ``tracks``).

    Args:
        db: returns the (shared) aiosqlite connection — opened with ``isolation_level=None``.
        lock: serializes transactions on that connection (pass the engine's write lock: SQLite has one transaction
            per connection, so interleaved ``BEGIN``s from concurrent coroutines would fail or mix).
    """

    def __init__(self, db: Callable[[], aiosqlite.Connection], lock: asyncio.Lock | None = None) -> None:
        self._db = db
        self._lock = lock or asyncio.Lock()
        self._ready = False

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock; retried briefly if another process holds the file."""
        async with self._lock:
            db = self._db()
            for attempt in range(5):
                try:
                    await db.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:  # busy_timeout already waited; another process is writing
                    if "locked" not in str(exc) and "busy" not in str(exc) or attempt == 4:
                        raise
                    await asyncio.sleep(0.05 * (attempt + 1))
            try:
                yield db
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            await db.execute("COMMIT")

    async def setup(self) -> None:
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                await self._db().executescript(_SCHEMA)
                self._ready = True

    async def _one(self, sql: str, args: tuple) -> PlaylistRow | None:
        async with self._db().execute(sql, args) as cur:
            row = await cur.fetchone()
        return PlaylistRow(*row) if row else None

    async def create(
        self, group_id: str, name: str, key: str, created_by: str, max_per_group: int
    ) -> PlaylistRow | str:
        now = time.time()
        async with self._tx() as db:
            async with db.execute("SELECT count(*) FROM playlists WHERE group_id=?", (group_id,)) as cur:
                if (await cur.fetchone())[0] >= max_per_group:
                    return "full"
            async with db.execute("SELECT 1 FROM playlists WHERE group_id=? AND name_key=?", (group_id, key)) as cur:
                if await cur.fetchone():
                    return "exists"
            cur = await db.execute(
                "INSERT INTO playlists (group_id, name, name_key, created_by, created_at, updated_at) "
                "VALUES (?,?,?,?,?,?) RETURNING id",
                (group_id, name, key, created_by, now, now),
            )
            new_id = (await cur.fetchone())[0]  # RETURNING: SQLite >= 3.35 and PostgreSQL alike
            return PlaylistRow(int(new_id), group_id, name, created_by, now, now, 0)

    async def get(self, group_id: str, playlist_id: int) -> PlaylistRow | None:
        return await self._one(_SELECT + "WHERE p.group_id=? AND p.id=?", (group_id, playlist_id))

    async def find(self, group_id: str, key: str) -> PlaylistRow | None:
        return await self._one(_SELECT + "WHERE p.group_id=? AND p.name_key=?", (group_id, key))

    async def list(self, group_id: str) -> list[PlaylistRow]:
        async with self._db().execute(_SELECT + "WHERE p.group_id=? ORDER BY p.name_key", (group_id,)) as cur:
            return [PlaylistRow(*r) for r in await cur.fetchall()]

    async def add_tracks(
        self, playlist_id: int, track_ids: Sequence[str], added_by: str, max_tracks: int
    ) -> AddOutcome:
        now = time.time()
        async with self._tx() as db:
            async with db.execute("SELECT 1 FROM playlists WHERE id=?", (playlist_id,)) as cur:
                if not await cur.fetchone():
                    return AddOutcome("missing")
            async with db.execute("SELECT track_id FROM playlist_tracks WHERE playlist_id=?", (playlist_id,)) as cur:
                present = {r[0] for r in await cur.fetchall()}
            out = plan_add(present, track_ids, max_tracks)
            if out.status == "ok" and out.added:
                await db.executemany(
                    "INSERT INTO playlist_tracks (playlist_id, track_id, added_by, added_at) VALUES (?,?,?,?)",
                    [(playlist_id, t, added_by, now) for t in out.added],
                )
                await db.execute("UPDATE playlists SET updated_at=? WHERE id=?", (now, playlist_id))
            return out

    async def remove_tracks(self, playlist_id: int, track_ids: Sequence[str]) -> list[str]:
        removed: list[str] = []
        async with self._tx() as db:
            for t in dict.fromkeys(track_ids):
                cur = await db.execute(
                    "DELETE FROM playlist_tracks WHERE playlist_id=? AND track_id=?", (playlist_id, t)
                )
                if cur.rowcount:
                    removed.append(t)
            if removed:
                await db.execute("UPDATE playlists SET updated_at=? WHERE id=?", (time.time(), playlist_id))
        return removed

    async def entries(self, playlist_id: int, offset: int = 0, limit: int | None = None) -> list[EntryRow]:
        sql = (
            "SELECT track_id, added_by, added_at FROM playlist_tracks WHERE playlist_id=? "
            + ("ORDER BY added_at, ctid " if getattr(self._db(), "dialect", "sqlite") == "postgresql" else "ORDER BY rowid ")
            + "LIMIT ? OFFSET ?"
        )  # insertion order (PostgreSQL has no rowid: time added, then physical order)
        async with self._db().execute(sql, (playlist_id, 1 << 62 if limit is None else limit, offset)) as cur:
            return [EntryRow(*r) for r in await cur.fetchall()]

    async def rename(self, playlist_id: int, name: str, key: str) -> Literal["ok", "exists", "missing"]:
        async with self._tx() as db:
            async with db.execute("SELECT group_id FROM playlists WHERE id=?", (playlist_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return "missing"
            sql = "SELECT 1 FROM playlists WHERE group_id=? AND name_key=? AND id<>?"
            async with db.execute(sql, (row[0], key, playlist_id)) as cur:
                if await cur.fetchone():
                    return "exists"
            await db.execute(
                "UPDATE playlists SET name=?, name_key=?, updated_at=? WHERE id=?",
                (name, key, time.time(), playlist_id),
            )
            return "ok"

    async def delete(self, playlist_id: int) -> bool:
        async with self._tx() as db:
            await db.execute("DELETE FROM playlist_tracks WHERE playlist_id=?", (playlist_id,))
            cur = await db.execute("DELETE FROM playlists WHERE id=?", (playlist_id,))
            return cur.rowcount > 0
