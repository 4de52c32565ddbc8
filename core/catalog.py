"""The SQLite catalog (SQLAlchemy Core async, driver aiosqlite): schema, seeding, import, CRUD and full-text search.

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

Tables are created and upgraded by the Alembic migrations in ``core/infra/migrations`` (run on open) and described
for SQLAlchemy Core in :mod:`core.infra.tables`; the FTS5 table and its triggers are DDL text (migration 0001 and
:data:`FTS_TRIGGERS`), searched through ``text()`` with bound parameters. Reads and single-track writes are shared
with PostgreSQL (:class:`core.infra.sql_catalog.SqlCatalog`); this module holds what is SQLite's own: opening
the file, the start-up reads on the driver connection (see :class:`Catalog`), the bulk load, FTS5 search and
``PRAGMA data_version``. The same interface on PostgreSQL is
:class:`core.infra.pg_catalog.PgCatalog`; :meth:`Catalog.open` picks one from a path or URL.

The database runs in WAL mode. Seeding and imports run in a single transaction: a crash part-way leaves the
previous state, and the next start seeds again.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from core.cache_key import CHANGE_COUNTER_DDL, install_change_counter
from core.catalog_io import RowError, TrackRow
from core.catalog_rows import (  # noqa: F401  (re-exported: the names callers import from core.catalog)
    BATCH_ROWS,
    FEATURE_COLS,
    IMPORT_KEEP_SET,
    MAX_KEPT_ERRORS,
    SHIPPED_CATALOG,
    TRACK_COLS,
    UPSERT_COLUMNS,
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
from core.infra.sql_catalog import SqlCatalog

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
    r"single|original mix|extended|mix|feat\.?|featuring|ft\.?|with|from|"
    # es / pt / fr / de: "Canción Animal - Remasterizado 2007", "Ao Vivo", "En Vivo", "Versión Acústica"
    r"remasterizad[oa]|remasteris[ée]e?|remastered version|en vivo|ao vivo|en directo|versi[oó]n|vers[aã]o|"
    r"live version|neu aufgenommen|"
    # other versions of one song in one list: "Swing (Bonus Track)", "(Acoustic)", "[Explicit]", "(MTV Unplugged)",
    # "- Re-Recorded", "(Demo)", "(Instrumental)", "Acústico"
    r"bonus|bonus track|acoustic|ac[uú]stico|unplugged|explicit|re-?recorded|recorded at|demo|instrumental)\b.*$",
    re.IGNORECASE,
)


#: A backing band appended to a lead artist's name: "Tom Petty and the Heartbreakers", "Bob Marley & The Wailers",
#: "Florence + The Machine" are the lead's act.
_BACKING_BAND = re.compile(r"^(.+?)\s+(?:and|&|\+)\s+the\s+\S.*$", re.IGNORECASE)


def act_key(artist: str) -> str:
    """The normalized name of the act ``artist`` belongs to: the lead's name when a backing band is appended
    ("Tom Petty and the Heartbreakers" -> ``"tom petty"``), else the normalized name."""
    m = _BACKING_BAND.match(artist.strip())
    return normalize_text(m.group(1) if m else artist)


def dedupe_key(title: str, artists: list[str]) -> str:
    """Key under which remasters / edits of one song collide: normalized base title + first artist's act
    (:func:`act_key`).

    ``"Dancing Queen - Remastered 2014"`` by ABBA and ``"Dancing Queen"`` by ABBA give the same key, and so do
    "Runnin' Down A Dream" by Tom Petty and by Tom Petty and the Heartbreakers.
    """
    return base_title(title) + "|" + act_key(artists[0] if artists else "")


def plain_title(title: str) -> str:
    """A title without its version suffix, as spelled: ``"Bohemian Rhapsody - 2011 Mix"`` -> ``"Bohemian
    Rhapsody"`` (the title itself when the suffix is all there is)."""
    return _VERSION_SUFFIX.sub("", title).strip() or title


def base_title(title: str) -> str:
    """A title without its version suffix, normalized: ``"Dancing Queen - Remastered 2014"`` and ``"Blinding Lights
    (Remastered)"`` -> ``"dancing queen"``, ``"blinding lights"`` (the part :func:`dedupe_key` keys songs by)."""
    return normalize_text(_VERSION_SUFFIX.sub("", title) or title)


#: The bulk load's statements, in the driver's own paramstyle (``?``) so a batch goes to ``executemany`` with no
#: per-row work by SQLAlchemy; the keep-rules (a missing value never erases a known one) are :data:`IMPORT_KEEP_SET`.
_IMPORT_UPSERT_SQL = (
    f"INSERT INTO tracks ({', '.join(UPSERT_COLUMNS)}) VALUES ({', '.join('?' * len(UPSERT_COLUMNS))})\n"
    f"ON CONFLICT(track_id) DO UPDATE SET\n{IMPORT_KEEP_SET}"
)
_LABELS_SQL = "INSERT OR IGNORE INTO track_labels VALUES (?, ?, ?, ?)"
#: FTS5 query: every word prefix-matched, bm25 with title hits x3 and artist x2, ties broken by popularity.
_SEARCH_SQL = (
    "SELECT t.track_id FROM tracks_fts JOIN tracks t ON t.id = tracks_fts.rowid "
    "WHERE tracks_fts MATCH :q ORDER BY bm25(tracks_fts, 3.0, 2.0, 1.0) - t.popularity / 50.0 LIMIT :n"
)
#: Rows parsed between two chances for the batch writer to run (so both statements of a batch reach SQLite's
#: thread while the next batch is parsed).
_YIELD_EVERY = 256


#: How many of the change record's table and triggers exist (:data:`CHANGE_COUNTER_DDL` makes them: 1 + 6; its
#: other statement inserts the record's row).
_STAMP_PRESENT = (
    "SELECT count(*) FROM sqlite_master WHERE (type='table' AND name='catalog_stamp') "
    "OR (type='trigger' AND name LIKE 'catalog_stamp_%')"
)


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


class Catalog(SqlCatalog):
    """The catalog in a SQLite file. Use ``await Catalog.open(path)``; close with ``await cat.close()``.

    Two ways in, one file:

    * **SQLAlchemy** (:attr:`database`: the async engine and pool the stores share, built on first use): every
      single-track read and write (:class:`core.infra.sql_catalog.SqlCatalog`, SQLAlchemy Core on
      :mod:`core.infra.tables`), the bulk load and FTS5 search (``text()`` with bound parameters). Writes are one
      transaction each, begun with ``BEGIN IMMEDIATE`` (or the caller's unit of work, :mod:`core.infra.uow`).
    * **The driver connection** (:attr:`db`, ``aiosqlite``, opened first): the start-up path only — PRAGMAs, the
      migration check, ``meta``, the change counter, ``PRAGMA data_version`` (asked of the same connection every
      time, :mod:`core.infra.changes`) and the table loader's bulk reads (``all_rows``, ``row_chunks``,
      ``label_chunks``, ``all_labels``), which the start-up cache reads in one snapshot with the catalog version
      (``BEGIN`` … ``COMMIT`` on :attr:`db`, :mod:`core.startup_cache`). So a start served from the start-up cache
      never imports SQLAlchemy's async engine (~0.4 s, most of it ``sqlalchemy.orm``, which
      ``sqlalchemy.ext.asyncio`` imports), and the loader reads rows ~30 % cheaper than through SQLAlchemy rows.

    Attributes:
        db: the ``aiosqlite.Connection`` (autocommit; WAL).
        database: the :class:`core.infra.store_db.Database` on the same file (the engine's own
            :meth:`~core.infra.store_db.Database.for_catalog` returns it, so catalog and stores share one pool).
        path: the file (``":memory:"`` for a memory catalog); uri: the shared-cache URI of a memory catalog (other
            connections reach it with it), else None.
    """

    dialect = "sqlite"

    def __init__(self, db: aiosqlite.Connection, path: str, uri: str | None = None) -> None:
        from core.infra.store_db import Database

        self.db = db
        self.path = path
        self.uri = uri
        self.database = Database.for_sqlite(path, uri)

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
            if uri:  # shared cache: reads take no table locks, so they never fail against the pool's write
                await db.execute("PRAGMA read_uncommitted=1")
            await _migrate(db, path, uri)
            version = await cls._meta(db, "schema_version")
            if version is not None and int(version) > SCHEMA_VERSION:
                raise InvalidInput(f"{path} was created by a newer musicbot (schema {version}); please upgrade.")
            # the change record the start-up caches key on (core.cache_key): one look when it is all there already
            async with db.execute(_STAMP_PRESENT) as cur:
                if (await cur.fetchone())[0] != len(CHANGE_COUNTER_DDL) - 1:
                    await install_change_counter(db)
        except sqlite3.DatabaseError as exc:
            await db.close()
            raise InvalidInput(f"{path} is not a usable musicbot database ({exc}).") from None
        except BaseException:
            await db.close()
            raise
        return cls(db, path, uri)

    async def close(self) -> None:
        """Close the pool (the stores' too: they share it) and the driver connection."""
        try:
            await self.database.close()
        finally:
            await self.db.close()

    # ------------------------------------------------------------------ connections (core.infra.sql_catalog)
    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[Any]:
        """A pooled autocommit connection (or the current task's unit of work's, which sees its own writes)."""
        async with self.database.connect() as conn:
            yield conn

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[Any]:
        """A unit of work (``BEGIN IMMEDIATE``: the write lock is held from the start, so a read-then-write inside
        stays atomic against other processes), committed at a clean exit; inside the caller's unit of work, its
        transaction."""
        async with self.database.uow() as uow:
            yield uow.connection
            await uow.commit()

    # ------------------------------------------------------------------ start-up reads (the driver connection)
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

    async def change_version(self) -> int:
        """The catalog's change counter: the last ``seq`` of ``catalog_changes`` (0 for a catalog never changed
        since the change log exists). It grows with every committed write by any process."""
        async with self.db.execute("SELECT coalesce(max(seq), 0) FROM catalog_changes") as cur:
            return int((await cur.fetchone())[0])

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

    async def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on :attr:`db`: changes when ANOTHER connection commits to the file (this
        process's pool included; one cheap call that reads no table;
        https://www.sqlite.org/pragma.html#pragma_data_version)."""
        async with self.db.execute("PRAGMA data_version") as cur:
            return int((await cur.fetchone())[0])

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
        async with self._writing() as conn:
            for trigger_name in ("tracks_ai", "tracks_ad", "tracks_au"):
                await conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger_name}")
            if replace:
                await conn.exec_driver_sql("DELETE FROM track_labels")
                await conn.exec_driver_sql("DELETE FROM tracks")
                report.replaced = True
            batch: list[TrackRow] = []  # first row of each track id: written as a track
            label_batch: list[tuple[str, str, str, str]] = []  # labels of every row
            pending: list[asyncio.Task[None]] = []

            async def write(tracks: list[tuple[Any, ...]], labels: list[tuple[str, str, str, str]]) -> None:
                if tracks:
                    await conn.exec_driver_sql(_IMPORT_UPSERT_SQL, tracks)
                if labels:  # label inserts report how many rows they added; tracks are counted while reading
                    report.labels_added += max((await conn.exec_driver_sql(_LABELS_SQL, labels)).rowcount, 0)

            async def flush() -> None:
                # Build the parameters here, then let a task send the batch and return: SQLite writes batch k on
                # aiosqlite's thread while Python parses batch k+1 (sqlite3 releases the GIL), ~1.5x faster seeding.
                while pending:
                    await pending.pop()
                tracks = [row_params(r) for r in batch]
                labels = list(label_batch)
                batch.clear()
                label_batch.clear()
                pending.append(asyncio.create_task(write(tracks, labels)))
                await asyncio.sleep(0)  # the task sends its first statement now

            try:
                n = 0
                for row, first in tally_rows(rows, report):
                    if first:
                        batch.append(row)
                    label_batch.extend((row.track_id, *lab) for lab in row.labels)
                    if len(batch) >= BATCH_ROWS or len(label_batch) >= 4 * BATCH_ROWS:
                        await flush()
                        if progress:
                            progress(report.rows_read, total)
                    n += 1
                    if n % _YIELD_EVERY == 0 and pending:
                        await asyncio.sleep(0)  # the writer sends the batch's next statement when the last is done
                await flush()
                while pending:
                    await pending.pop()
                if require_rows:
                    require_some_rows(report, name)
            except BaseException:
                for task in pending:  # never leave a statement running into the ROLLBACK
                    try:
                        await task
                    except Exception:
                        pass
                raise
            await conn.exec_driver_sql("INSERT INTO tracks_fts(tracks_fts) VALUES('rebuild')")
            for trigger in FTS_TRIGGERS:
                await conn.exec_driver_sql(trigger)
            if source is not None:
                await conn.exec_driver_sql("INSERT OR REPLACE INTO meta VALUES ('catalog_source', ?)", (source,))
            await self._log_change(conn, "", "reload")
        if progress:
            progress(report.rows_read, report.rows_read)  # `total` may be an estimate: end at 100 %
        return report

    # ------------------------------------------------------------------ search
    async def search_ids(self, query: str, limit: int = 10) -> list[str]:
        """Full-text search (FTS5, prefix match on every word) over title / artist / album, best first.

        Ranking is FTS5's bm25 with title hits weighted x3 and artist x2, ties broken by popularity.
        Returns an empty list for a query with no searchable word.
        """
        from sqlalchemy import text

        words = re.findall(r"\w+", normalize_text(query))
        if not words:
            return []
        match = " ".join(f'"{w}"*' for w in words[:12])
        async with self._reading() as conn:
            return [r[0] for r in await conn.execute(text(_SEARCH_SQL), {"q": match, "n": limit})]
