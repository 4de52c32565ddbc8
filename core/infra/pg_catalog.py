"""The catalog on PostgreSQL (SQLAlchemy 2.0 async, driver asyncpg): the same interface as the SQLite
:class:`core.catalog.Catalog`, so the engine, the table loader, seeding and import run unchanged. What both share
lives in :mod:`core.catalog_rows` (row shape, the import's counting loop and keep-rules, seed/import/require) and
:mod:`core.infra.sql_catalog` (every read and single-track write, SQLAlchemy Core on :mod:`core.infra.tables`);
this module never imports the SQLite catalog.

Differences from SQLite, all behind the same methods:

* search (:meth:`PgCatalog.search_ids`): a generated ``tsvector`` column (title weight A, artist B, album C; config
  ``simple``) with a GIN index, prefix-matched words, ranked by ``ts_rank`` then popularity; when no word matches
  (typos) ``pg_trgm`` similarity over title + artist answers instead;
* every write also ``NOTIFY``s channel :data:`CHANNEL` with the change-log ``seq`` in the same transaction (delivered
  on commit), which other workers ``LISTEN`` to (:mod:`core.infra.changes`);
* the bulk load goes through ``COPY`` into temporary tables (asyncpg's ``copy_records_to_table``);
* there is no aiosqlite-style ``db``: the small stores share :attr:`PgCatalog.engine` (SQLAlchemy Core,
  :class:`core.infra.store_db.Database`), as they share the SQLite catalog's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from core.catalog_io import RowError, TrackRow
from core.catalog_rows import (
    BATCH_ROWS,
    IMPORT_KEEP_SET,
    UPSERT_COLUMNS,
    ImportReport,
    ProgressFn,
    normalize_text,
    require_some_rows,
    row_params,
    tally_rows,
)
from core.errors import InvalidInput
from core.infra.database import DatabaseTarget
from core.infra.sql_catalog import SqlCatalog

#: The LISTEN/NOTIFY channel carrying catalog change-log sequence numbers.
CHANNEL = "musicbot_catalog"

_PARAMS = list(UPSERT_COLUMNS)
_INSERT = (
    f"INSERT INTO tracks ({', '.join(_PARAMS)}) VALUES ({', '.join(':' + p for p in _PARAMS)}) "
    "ON CONFLICT (track_id) DO UPDATE SET "
)
# the import keeps what the catalog knows when the file lacks a value (the same rule as on SQLite)
_IMPORT_UPSERT_SQL = _INSERT + "\n" + IMPORT_KEEP_SET
_COPY_UPSERT_SQL = (
    f"INSERT INTO tracks ({', '.join(_PARAMS)}) SELECT {', '.join(_PARAMS)} FROM _import_tracks "
    + _IMPORT_UPSERT_SQL.split(") ON CONFLICT", 1)[1].join(["ON CONFLICT", ""])
)


class PgCatalog(SqlCatalog):
    """The catalog in a PostgreSQL database. Open with ``await Catalog.open("postgresql://…")`` (or
    :meth:`open_target`); close with ``await cat.close()``. Reads and single-track writes are
    :class:`core.infra.sql_catalog.SqlCatalog`'s, shared with SQLite."""

    dialect = "postgresql"

    def __init__(self, engine: Any, target: DatabaseTarget) -> None:  # noqa: D107 - see the class docstring
        self.engine = engine
        self.target = target
        self.path = target.display()
        self.uri = None

    @classmethod
    async def open_target(cls, target: DatabaseTarget) -> PgCatalog:
        """Connect, run the migrations (:mod:`core.infra.migrate`) and return the catalog.

        Raises:
            InvalidInput: the server cannot be reached, refuses the login, or the database cannot be migrated.
        """
        from sqlalchemy.ext.asyncio import create_async_engine

        from core.infra.migrate import upgrade

        try:
            await upgrade(target.sqlalchemy_url())
        except Exception as exc:  # asyncpg/OSError/SQLAlchemy: say where and why, without the password
            if "Can't locate revision" in str(exc):
                raise InvalidInput(f"{target.display()} was created by a newer musicbot; please upgrade.") from None
            raise InvalidInput(f"Cannot use the PostgreSQL database {target.display()} ({type(exc).__name__}: "
                               f"{str(exc).splitlines()[0][:200]}).") from None
        engine = create_async_engine(target.sqlalchemy_url(), pool_size=4, max_overflow=4, pool_pre_ping=True)
        return cls(engine, target)

    async def close(self) -> None:
        """Close the connections."""
        await self.engine.dispose()

    async def _scalar(self, sql: str, **params: Any) -> Any:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def _fetch(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            return [tuple(r) for r in (await conn.execute(text(sql), params)).all()]

    # ------------------------------------------------------------------ connections (core.infra.sql_catalog)
    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[Any]:
        """A pooled connection (each statement sees the last committed catalog)."""
        async with self.engine.connect() as conn:
            yield conn

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[Any]:
        """A pooled connection in a transaction, committed at a clean exit."""
        async with self.engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------------ reads
    async def search_ids(self, query: str, limit: int = 10) -> list[str]:
        """Full-text search over title / artist / album, best first (see the module docstring). Returns an empty
        list for a query with no searchable word."""
        words = re.findall(r"\w+", normalize_text(query))
        if not words:
            return []
        tsquery = " & ".join(f"{w}:*" for w in words[:12])
        rows = await self._fetch(
            "SELECT track_id FROM tracks, to_tsquery('simple', :q) q WHERE search @@ q "
            "ORDER BY ts_rank(search, q) * 10 + popularity / 50.0 DESC, id LIMIT :n",
            q=tsquery, n=limit,
        )
        if not rows:  # no word matched: typo-tolerant trigram similarity
            rows = await self._fetch(
                "SELECT track_id FROM tracks WHERE lower(title || ' ' || artist_display) % :q "
                "ORDER BY similarity(lower(title || ' ' || artist_display), :q) DESC, popularity DESC LIMIT :n",
                q=" ".join(words), n=limit,
            )
        return [r[0] for r in rows]


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
        """Upsert rows in ONE transaction (the same report and rules as the SQLite catalog)."""
        from sqlalchemy import text

        async with self.engine.begin() as conn:
            if replace:
                await conn.execute(text("DELETE FROM track_labels"))
                await conn.execute(text("DELETE FROM tracks"))
                report.replaced = True
            labels_before = (await conn.execute(text("SELECT count(*) FROM track_labels"))).scalar()
            batch: list[tuple[Any, ...]] = []  # row_params of the first row of each track id
            label_batch: list[tuple[str, str, str, str]] = []

            # batches go through COPY into temporary tables, then one INSERT … SELECT … ON CONFLICT each:
            # ~5x faster than row-by-row inserts (https://www.postgresql.org/docs/15/populate.html#POPULATE-COPY-FROM)
            raw = (await conn.get_raw_connection()).driver_connection
            await conn.execute(text(
                f"CREATE TEMP TABLE _import_tracks ON COMMIT DROP AS SELECT {', '.join(_PARAMS)} FROM tracks LIMIT 0"
            ))
            await conn.execute(text("CREATE TEMP TABLE _import_labels ON COMMIT DROP AS SELECT * FROM track_labels LIMIT 0"))

            async def flush() -> None:
                if batch:
                    await raw.copy_records_to_table("_import_tracks", records=batch, columns=_PARAMS)
                    await conn.execute(text(_COPY_UPSERT_SQL))
                    await conn.execute(text("TRUNCATE _import_tracks"))
                if label_batch:
                    await raw.copy_records_to_table("_import_labels", records=label_batch)
                    await conn.execute(text("INSERT INTO track_labels SELECT * FROM _import_labels ON CONFLICT DO NOTHING"))
                    await conn.execute(text("TRUNCATE _import_labels"))
                batch.clear()
                label_batch.clear()

            for row, first in tally_rows(rows, report):
                if first:
                    batch.append(row_params(row))
                label_batch.extend((row.track_id, *lab) for lab in row.labels)
                if len(batch) >= BATCH_ROWS or len(label_batch) >= 4 * BATCH_ROWS:
                    await flush()
                    if progress:
                        progress(report.rows_read, total)
            await flush()
            if require_rows:
                require_some_rows(report, name)
            labels_after = (await conn.execute(text("SELECT count(*) FROM track_labels"))).scalar()
            report.labels_added = int(labels_after - (0 if replace else labels_before))
            if source is not None:
                await conn.execute(
                    text("INSERT INTO meta VALUES ('catalog_source', :v) ON CONFLICT (key) DO UPDATE SET value=:v"),
                    {"v": source},
                )
            await self._log_change(conn, "", "reload")
        if progress:
            progress(report.rows_read, report.rows_read)
        return report

    @staticmethod
    async def _log_change(conn: Any, track_id: str, op: str) -> int:  # type: ignore[override]
        """Append to the change log and NOTIFY (delivered at commit) in the caller's transaction; returns ``seq``."""
        from sqlalchemy import text

        seq = (await conn.execute(
            text("INSERT INTO catalog_changes (track_id, op) VALUES (:t, :o) RETURNING seq"), {"t": track_id, "o": op}
        )).scalar()
        await conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(seq)})
        return int(seq)


__all__ = ["CHANNEL", "PgCatalog"]
