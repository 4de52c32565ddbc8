"""The SQLite catalog (aiosqlite): schema, seeding, import, CRUD and full-text search.

Schema (version :data:`SCHEMA_VERSION`):

* ``tracks`` — one row per track: metadata + the eleven audio features; ``id`` is an internal integer key. A feature
  the source file did not give is NULL (never 0): exports without audio features import as tracks that can be
  searched, shown and linked; a track "has features" when all eleven are non-NULL (schema 2; schema 1 had
  ``NOT NULL`` feature columns and is upgraded in place by the baseline migration).
* ``track_labels`` — every genre / subgenre / playlist label a track carries, with the playlist id it came from
  (a track in three playlists has three playlist labels).
* ``tracks_fts`` — FTS5 index over title, artist and album (external content, kept in sync by triggers).
* ``meta`` — ``schema_version``, ``catalog_source`` (set once a catalog was seeded or imported).
* ``catalog_changes`` — the change log: one row per track written or deleted, ``reload`` per bulk load, appended in
  the same transaction as the write; its ``seq`` is the catalog's change counter (:meth:`Catalog.change_version`).

Tables are created and upgraded by the Alembic migrations in ``core/infra/migrations`` (run on open). The same
interface on PostgreSQL is :class:`core.infra.pg_catalog.PgCatalog`; :func:`open_catalog` picks one from a path or
URL.

The database runs in WAL mode. Seeding and imports run in a single transaction: a crash part-way leaves the
previous state, and the next start seeds again.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import aiosqlite

from core.cache_key import install_change_counter
from core.catalog_io import RowError, TrackRow
from core.catalog_rows import (  # noqa: F401  (re-exported: the names callers import from core.catalog)
    BATCH_ROWS,
    FEATURE_COLS,
    IMPORT_KEEP_SET,
    MAX_KEPT_ERRORS,
    SHIPPED_CATALOG,
    TRACK_COLS,
    UPSERT_SET,
    CatalogBase,
    ImportReport,
    ProgressFn,
    normalize_text,
    require_some_rows,
    row_params,
    row_to_track,
    split_update,
    tally_rows,
    track_labels,
    track_to_row,
)
from core.errors import InvalidInput
from core.models import AUDIO_FEATURES, Track

SCHEMA_VERSION = 2

_FEATURE_COLS = FEATURE_COLS
_TRACK_COLS = TRACK_COLS


#: Triggers keeping the FTS index in step with single-row writes. Bulk loads drop them and rebuild the index once
#: (``INSERT INTO tracks_fts(tracks_fts) VALUES('rebuild')``), inside the same transaction: ~3x faster seeding.
FTS_TRIGGERS: tuple[str, ...] = (
    """
CREATE TRIGGER IF NOT EXISTS tracks_ai AFTER INSERT ON tracks BEGIN
    INSERT INTO tracks_fts(rowid, title, artist_display, album) VALUES (new.id, new.title, new.artist_display, new.album);
END""",
    """
CREATE TRIGGER IF NOT EXISTS tracks_ad AFTER DELETE ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, artist_display, album)
    VALUES ('delete', old.id, old.title, old.artist_display, old.album);
END""",
    """
CREATE TRIGGER IF NOT EXISTS tracks_au AFTER UPDATE ON tracks BEGIN
    INSERT INTO tracks_fts(tracks_fts, rowid, title, artist_display, album)
    VALUES ('delete', old.id, old.title, old.artist_display, old.album);
    INSERT INTO tracks_fts(rowid, title, artist_display, album) VALUES (new.id, new.title, new.artist_display, new.album);
END""",
)


_VERSION_SUFFIX = re.compile(
    r"\s*[-–(\[]\s*(?:[^-–()\[\]]|(?<=\w)-(?=\w))*?\b(\d{4} )?(remaster(ed)?|remix|radio edit|edit|version|mono|stereo|live|deluxe|"
    r"single|original mix|extended|mix|feat\.?|featuring|ft\.?|with|from)\b.*$",
    re.IGNORECASE,
)


def dedupe_key(title: str, artists: list[str]) -> str:
    """Key under which remasters / edits of one song collide: normalized base title + first artist.

    ``"Dancing Queen - Remastered 2014"`` by ABBA and ``"Dancing Queen"`` by ABBA give the same key.
    """
    base = _VERSION_SUFFIX.sub("", title) or title
    return normalize_text(base) + "|" + normalize_text(artists[0] if artists else "")


_UPSERT_SQL = f"""
INSERT INTO tracks (track_id, title, artists, artist_display, album, release_date, year, popularity, duration_ms,
                    {_FEATURE_COLS})
VALUES ({", ".join("?" * (9 + len(AUDIO_FEATURES)))})
ON CONFLICT(track_id) DO UPDATE SET
    {UPSERT_SET}
"""
# coalesce: a file without audio features (a recent Exportify export) never erases features already known

_IMPORT_UPSERT_SQL = _UPSERT_SQL.split("ON CONFLICT")[0] + "ON CONFLICT(track_id) DO UPDATE SET\n" + IMPORT_KEEP_SET


async def _migrate(db: aiosqlite.Connection, path: str, uri: str | None) -> None:
    """Bring the database to the newest schema with the Alembic migrations (:mod:`core.infra.migrate`), unless the
    cheap check (one ``SELECT`` on ``alembic_version``) shows it is current. A database made by an older musicbot
    (no ``alembic_version``; schema 1 or 2 from lazily created tables) is upgraded in place.

    Raises:
        sqlite3.DatabaseError: not a SQLite database. InvalidInput: made by a newer musicbot, or the upgrade failed.
    """
    from core.infra.migrate import HEAD_REVISION, upgrade

    try:
        async with db.execute("SELECT version_num FROM alembic_version") as cur:
            row = await cur.fetchone()
        if row is not None and row[0] == HEAD_REVISION:
            return
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
    url = f"sqlite+aiosqlite:///{uri}&uri=true" if uri else f"sqlite+aiosqlite:///{path}"
    try:
        await upgrade(url, connect_args={"timeout": 30})
    except sqlite3.DatabaseError:
        raise
    except Exception as exc:  # alembic: an unknown revision is a newer musicbot's migration
        if "Can't locate revision" in str(exc):
            raise InvalidInput(f"{path} was created by a newer musicbot; please upgrade.") from None
        raise InvalidInput(f"{path} could not be upgraded to the current schema ({exc}).") from None


class Catalog(CatalogBase):
    """Async access to the SQLite catalog. Use ``await Catalog.open(path)``; close with ``await cat.close()``."""

    def __init__(self, db: aiosqlite.Connection, path: str, uri: str | None = None) -> None:
        self.db = db
        self.path = path
        #: the shared-cache URI of a ``":memory:"`` catalog (other connections reach it with it), else None
        self.uri = uri

    @classmethod
    async def open(cls, path: str | Path) -> Catalog:
        """Open (creating if needed) the database at ``path`` (``":memory:"`` allowed), in WAL mode, migrated to the
        newest schema. ``path`` may also be a ``sqlite:///`` URL, or a ``postgresql://`` URL: then the catalog is a
        :class:`core.infra.pg_catalog.PgCatalog` with the same interface.

        Raises:
            InvalidInput: the file exists but is not a SQLite database, or was written by a newer version.
        """
        from core.infra.database import parse_database

        target = parse_database(str(path))
        if target.is_postgres:
            from core.infra.pg_catalog import PgCatalog

            return await PgCatalog.open_target(target)
        path = target.path
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                raise InvalidInput(f"Cannot create the folder for {path}: a file is in the way.") from None
            except OSError as exc:
                raise InvalidInput(f"Cannot create the folder for {path} ({exc.strerror}).") from None
        if path != ":memory:" and Path(path).is_dir():
            raise InvalidInput(f"{path} is a folder, not a database file (give a file path, e.g. {Path(path) / 'musicbot.db'}).")
        # ":memory:" is a named shared-cache memory database, so the migration connection reaches the same one
        uri = f"file:musicbot-{uuid.uuid4().hex}?mode=memory&cache=shared" if path == ":memory:" else None
        pending = aiosqlite.connect(uri or path, isolation_level=None, uri=uri is not None)
        try:
            db = await pending
        except (sqlite3.Error, OSError) as exc:
            # aiosqlite stops its worker thread without waiting for it; wait here, or the thread outlives the event
            # loop and prints "Event loop is closed" tracebacks
            thread = getattr(pending, "_thread", None)
            if thread is not None and thread.is_alive():
                await asyncio.to_thread(thread.join, 5.0)
            raise InvalidInput(f"{path} is not a usable musicbot database ({exc}).") from None
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA busy_timeout=5000")
            await _migrate(db, path, uri)
            version = await cls._meta(db, "schema_version")
            if version is not None and int(version) > SCHEMA_VERSION:
                raise InvalidInput(f"{path} was created by a newer musicbot (schema {version}); please upgrade.")
            await install_change_counter(db)  # the catalog version the start-up caches key on (core.cache_key)
        except sqlite3.DatabaseError as exc:
            await db.close()
            raise InvalidInput(f"{path} is not a usable musicbot database ({exc}).") from None
        except BaseException:
            await db.close()
            raise
        return cls(db, path, uri)

    async def close(self) -> None:
        """Close the connection."""
        await self.db.close()

    @staticmethod
    async def _meta(db: aiosqlite.Connection, key: str) -> str | None:
        async with db.execute("SELECT value FROM meta WHERE key=?", (key,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def get_meta(self, key: str) -> str | None:
        """Read one value from the ``meta`` table (None when absent)."""
        return await self._meta(self.db, key)

    async def count(self) -> int:
        """Number of tracks."""
        async with self.db.execute("SELECT count(*) FROM tracks") as cur:
            return (await cur.fetchone())[0]

    async def checksum(self) -> str:
        """A digest of all track rows and labels; equal before/after means the catalog did not change."""
        import hashlib

        digest = hashlib.sha256()
        async with self.db.execute(f"SELECT {_TRACK_COLS} FROM tracks ORDER BY track_id") as cur:
            async for row in cur:
                digest.update(repr(tuple(row)).encode())
        async with self.db.execute("SELECT * FROM track_labels ORDER BY 1, 2, 3, 4") as cur:
            async for row in cur:
                digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()

    # ------------------------------------------------------------------ bulk load
    async def load_rows(
        self,
        rows: Iterator[TrackRow | RowError],
        report: ImportReport,
        *,
        replace: bool = False,
        source: str | None = None,
        progress: ProgressFn | None = None,
        total: int = 0,
        require_rows: bool = False,
        name: str = "",
    ) -> ImportReport:
        """Upsert rows in ONE transaction; labels are added (never dropped) unless ``replace`` is set.

        ``replace`` first deletes every track. ``source`` is recorded in ``meta.catalog_source`` in the same
        transaction, so a seed is either complete and marked, or absent. Any exception rolls everything back, so
        a failed ``replace`` leaves exactly the previous catalog. Rows are consumed as they are read (memory bounded
        by one batch of 2,000 rows plus the set of ids seen).

        Raises:
            InvalidInput: ``require_rows`` and no valid track row (``name`` names the file) — rolled back.
        """
        db = self.db
        await db.execute("BEGIN IMMEDIATE")
        try:
            for trigger_name in ("tracks_ai", "tracks_ad", "tracks_au"):
                await db.execute(f"DROP TRIGGER IF EXISTS {trigger_name}")
            if replace:
                await db.execute("DELETE FROM track_labels")
                await db.execute("DELETE FROM tracks")
                report.replaced = True
            batch: list[TrackRow] = []  # first row of each track id: written as a track
            label_batch: list[tuple[str, str, str, str]] = []  # labels of every row
            pending: list[asyncio.Task[Any]] = []

            async def drain() -> None:
                # label inserts report how many rows they added; track upserts are counted while reading
                for task in pending:
                    cursor = await task
                    if task.get_name() == "labels":
                        report.labels_added += max(cursor.rowcount, 0)
                pending.clear()

            async def flush() -> None:
                # Build parameters here (Python), then queue both statements on aiosqlite's worker thread and return:
                # SQLite writes batch k while Python parses batch k+1 (sqlite3 releases the GIL), ~1.5x faster seeding.
                await drain()
                tracks = [row_params(r) for r in batch]
                labels = list(label_batch)
                batch.clear()
                label_batch.clear()
                pending.append(asyncio.create_task(db.executemany(_IMPORT_UPSERT_SQL, tracks), name="tracks"))
                pending.append(
                    asyncio.create_task(
                        db.executemany("INSERT OR IGNORE INTO track_labels VALUES (?, ?, ?, ?)", labels), name="labels"
                    )
                )
                await asyncio.sleep(0)  # let both tasks enqueue their statements, in order

            try:
                for row, first in tally_rows(rows, report):
                    if first:
                        batch.append(row)
                    label_batch.extend((row.track_id, *lab) for lab in row.labels)
                    if len(batch) >= BATCH_ROWS or len(label_batch) >= 4 * BATCH_ROWS:
                        await flush()
                        if progress:
                            progress(report.rows_read, total)
                await flush()
                await drain()
                if require_rows:
                    require_some_rows(report, name)
            except BaseException:
                for task in pending:  # never leave a statement running into the ROLLBACK
                    try:
                        await task
                    except Exception:
                        pass
                raise
            await db.execute("INSERT INTO tracks_fts(tracks_fts) VALUES('rebuild')")
            for trigger in FTS_TRIGGERS:
                await db.execute(trigger)
            if source is not None:
                await db.execute("INSERT OR REPLACE INTO meta VALUES ('catalog_source', ?)", (source,))
            await db.execute("INSERT INTO catalog_changes (op) VALUES ('reload')")
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        if progress:
            progress(report.rows_read, report.rows_read)  # `total` may be an estimate: end at 100 %
        return report

    # ------------------------------------------------------------------ reads
    async def all_rows(self) -> list[tuple[Any, ...]]:
        """Every track as a tuple in :data:`_TRACK_COLS` order plus the internal id last (for building the index)."""
        async with self.db.execute(f"SELECT {_TRACK_COLS}, id FROM tracks ORDER BY id") as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def row_chunks(self, chunk: int = 4000) -> AsyncIterator[list[tuple[Any, ...]]]:
        """The rows of :meth:`all_rows` in lists of up to ``chunk`` (never all rows in memory at once)."""
        async with self.db.execute(f"SELECT {_TRACK_COLS}, id FROM tracks ORDER BY id") as cur:
            while rows := await cur.fetchmany(chunk):
                yield rows

    async def label_chunks(self, chunk: int = 10000) -> AsyncIterator[list[tuple[str, str, str, str]]]:
        """The labels of :meth:`all_labels` in lists of up to ``chunk``."""
        async with self.db.execute("SELECT track_id, kind, label, source_id FROM track_labels") as cur:
            while rows := await cur.fetchmany(chunk):
                yield rows

    async def all_labels(self) -> list[tuple[str, str, str, str]]:
        """Every ``(track_id, kind, label, source_id)``."""
        async with self.db.execute("SELECT track_id, kind, label, source_id FROM track_labels") as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def get(self, track_id: str) -> Track | None:
        """The track with this Spotify id, with all its labels, or None."""
        async with self.db.execute(f"SELECT {_TRACK_COLS} FROM tracks WHERE track_id=?", (track_id,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        async with self.db.execute("SELECT kind, label FROM track_labels WHERE track_id=?", (track_id,)) as cur:
            labels = [tuple(r) for r in await cur.fetchall()]
        return row_to_track(tuple(row), labels)

    async def search_ids(self, query: str, limit: int = 10) -> list[str]:
        """Full-text search (FTS5, prefix match on every word) over title / artist / album, best first.

        Ranking is FTS5's bm25 with title hits weighted x3 and artist x2, ties broken by popularity.
        Returns an empty list for a query with no searchable word.
        """
        words = re.findall(r"\w+", normalize_text(query))
        if not words:
            return []
        match = " ".join(f'"{w}"*' for w in words[:12])
        sql = (
            "SELECT t.track_id FROM tracks_fts JOIN tracks t ON t.id = tracks_fts.rowid "
            "WHERE tracks_fts MATCH ? ORDER BY bm25(tracks_fts, 3.0, 2.0, 1.0) - t.popularity / 50.0 LIMIT ?"
        )
        async with self.db.execute(sql, (match, limit)) as cur:
            return [r[0] for r in await cur.fetchall()]

    # ------------------------------------------------------------------ writes (permission checks live in Engine)
    async def upsert_track(self, track: Track, *, only_new: bool = False) -> bool:
        """Insert or replace one track and set its labels to exactly those on ``track`` (one transaction).

        ``only_new``: insert only — when the id exists (added meanwhile by another process too) nothing is written
        and False is returned. Returns True when written."""
        row = track_to_row(track)
        await self.db.execute("BEGIN IMMEDIATE")  # takes the write lock: the existence check below is atomic
        try:
            if only_new:
                async with self.db.execute("SELECT 1 FROM tracks WHERE track_id=?", (track.track_id,)) as cur:
                    if await cur.fetchone() is not None:
                        await self.db.execute("ROLLBACK")
                        return False
            await self.db.execute(_UPSERT_SQL, row_params(row))
            await self.db.execute("DELETE FROM track_labels WHERE track_id=?", (track.track_id,))
            labels = [(track.track_id, kind, label, "") for kind, label in track_labels(track)]
            await self.db.executemany("INSERT OR IGNORE INTO track_labels VALUES (?, ?, ?, ?)", labels)
            await self.db.execute("INSERT INTO catalog_changes (track_id, op) VALUES (?, 'upsert')", (track.track_id,))
            await self.db.execute("COMMIT")
        except BaseException:
            await self.db.execute("ROLLBACK")
            raise
        return True

    async def delete_track(self, track_id: str) -> bool:
        """Delete a track and its labels. Returns False when it did not exist."""
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            await self.db.execute("DELETE FROM track_labels WHERE track_id=?", (track_id,))
            cur = await self.db.execute("DELETE FROM tracks WHERE track_id=?", (track_id,))
            if cur.rowcount > 0:
                await self.db.execute("INSERT INTO catalog_changes (track_id, op) VALUES (?, 'delete')", (track_id,))
            await self.db.execute("COMMIT")
        except BaseException:
            await self.db.execute("ROLLBACK")
            raise
        return cur.rowcount > 0

    async def strip_labels(self, source_ids: Iterable[str] | None = None) -> int:
        """Delete labels (all, or only those from the given playlist ids). Used by evaluation on a copy."""
        if source_ids is None:
            cur = await self.db.execute("DELETE FROM track_labels")
        else:
            ids = list(source_ids)
            await self.db.execute("CREATE TEMP TABLE IF NOT EXISTS _strip(id TEXT PRIMARY KEY)")
            await self.db.execute("DELETE FROM _strip")
            await self.db.executemany("INSERT OR IGNORE INTO _strip VALUES (?)", [(i,) for i in ids])
            cur = await self.db.execute("DELETE FROM track_labels WHERE source_id IN (SELECT id FROM _strip)")
        await self.db.execute("INSERT INTO catalog_changes (op) VALUES ('reload')")
        return cur.rowcount

    async def update_fields(self, track_id: str, fields: dict[str, Any]) -> Track | None:
        """Change only the given fields of one track, in one transaction (never a whole row written back from a
        process's memory, so concurrent edits of different fields all survive).

        ``fields`` holds validated :class:`Track` field values: ``title``, ``artists`` (list), ``album``,
        ``release_date``, ``year``, ``popularity``, ``duration_ms``, the audio features, and ``genres`` /
        ``subgenres`` / ``playlists`` (a list replaces that kind of label). Returns the track as stored afterwards,
        or None when it does not exist (nothing written).

        Raises:
            InvalidInput: an unknown field name.
        """
        columns, labels = split_update(fields)
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            if columns:
                sets = ", ".join(f"{c}=?" for c in columns)
                cur = await self.db.execute(f"UPDATE tracks SET {sets} WHERE track_id=?", (*columns.values(), track_id))
                found = cur.rowcount > 0
            else:
                async with self.db.execute("SELECT 1 FROM tracks WHERE track_id=?", (track_id,)) as cur:
                    found = await cur.fetchone() is not None
            if found:
                for kind, values in labels.items():
                    await self.db.execute("DELETE FROM track_labels WHERE track_id=? AND kind=?", (track_id, kind))
                    await self.db.executemany(
                        "INSERT OR IGNORE INTO track_labels VALUES (?, ?, ?, '')", [(track_id, kind, v) for v in values]
                    )
                await self.db.execute("INSERT INTO catalog_changes (track_id, op) VALUES (?, 'upsert')", (track_id,))
            await self.db.execute("COMMIT")
        except BaseException:
            await self.db.execute("ROLLBACK")
            raise
        return await self.get(track_id) if found else None

    # ------------------------------------------------------------------ change feed (core.infra.changes)
    async def change_version(self) -> int:
        """The catalog's change counter: the last ``seq`` of ``catalog_changes`` (0 for a catalog never changed
        since the change log exists). It grows with every committed write by any process; equal values mean the
        same catalog contents (for caches keyed by catalog version)."""
        async with self.db.execute("SELECT coalesce(max(seq), 0) FROM catalog_changes") as cur:
            return int((await cur.fetchone())[0])

    async def changes_since(self, seq: int, limit: int = 10_000) -> list[tuple[int, str, str]]:
        """Change-log rows after ``seq``, oldest first: ``(seq, track_id, op)`` with ``op`` in
        ``upsert``/``delete``/``reload`` (``track_id`` is ``''`` for ``reload``)."""
        sql = "SELECT seq, track_id, op FROM catalog_changes WHERE seq > ? ORDER BY seq LIMIT ?"
        async with self.db.execute(sql, (seq, limit)) as cur:
            return [(int(r[0]), r[1], r[2]) for r in await cur.fetchall()]

    async def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when ANOTHER connection commits to the file (one cheap call
        that reads no table; https://www.sqlite.org/pragma.html#pragma_data_version)."""
        async with self.db.execute("PRAGMA data_version") as cur:
            return int((await cur.fetchone())[0])
