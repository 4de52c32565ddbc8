"""What the two SQL catalogs share: every read and single-track write of the catalog port, built once with
SQLAlchemy Core on the tables of :mod:`core.infra.tables` and run on either backend.

:class:`SqlCatalog` is the base of the SQLite catalog (:class:`core.catalog.Catalog`) and the PostgreSQL catalog
(:class:`core.infra.pg_catalog.PgCatalog`). A backend supplies only what differs:

* :meth:`SqlCatalog._reading` — the connection reads run on (a pooled autocommit connection);
* :meth:`SqlCatalog._writing` — a connection with a transaction begun (SQLite: a unit of work, ``BEGIN IMMEDIATE``,
  the write lock at once; PostgreSQL: READ COMMITTED), committed when the block ends cleanly, else rolled back;
* :meth:`SqlCatalog._log_change` — the change-log row every write appends in its transaction (PostgreSQL also
  ``NOTIFY``s);
* the bulk load (``load_rows``) and full-text search (``search_ids``), which are dialect code by nature. The SQLite
  catalog also reads its start-up path (``meta``, counts, the table loader's bulk reads) on its driver connection,
  so a start served from the start-up cache never imports SQLAlchemy's async engine (:class:`core.catalog.Catalog`).

Edits are field-level: :meth:`SqlCatalog.update_fields` sets only the given columns and label kinds in one
transaction, never a whole row written back from a process's memory, so concurrent edits of different fields all
survive (``tests/contract/test_multiprocess.py``: 10 processes, 10 fields, 10 values kept).

SQLAlchemy is imported when the first statement is built (never when this module is imported), so importing the
catalog costs no SQLAlchemy import.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from core.catalog_rows import (
    TRACK_COLS,
    UPSERT_COLUMNS,
    CatalogBase,
    row_params,
    row_to_track,
    split_update,
    track_labels,
    track_to_row,
)
from core.models import AUDIO_FEATURES, Track

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

#: Ids per ``IN (…)`` list when deleting labels by playlist id (SQLite allows 32,766 bound parameters).
_IN_CHUNK = 500


class _Statements:
    """The Core statements, built once per process on first use (importing SQLAlchemy then)."""

    def __init__(self) -> None:
        from sqlalchemy import bindparam, func, select

        from core.infra import tables as t

        cols = [t.tracks.c[name] for name in TRACK_COLS.split(", ")]
        self.track_cols = cols
        self.rows = select(*cols, t.tracks.c.id).order_by(t.tracks.c.id)
        self.by_checksum = select(*cols).order_by(t.tracks.c.track_id)
        self.labels_checksum = select(t.track_labels).order_by(*t.track_labels.c)
        self.labels = select(t.track_labels.c.track_id, t.track_labels.c.kind, t.track_labels.c.label,
                             t.track_labels.c.source_id)
        self.track = select(*cols).where(t.tracks.c.track_id == bindparam("t"))
        self.track_labels = select(t.track_labels.c.kind, t.track_labels.c.label).where(
            t.track_labels.c.track_id == bindparam("t"))
        self.exists = select(t.tracks.c.id).where(t.tracks.c.track_id == bindparam("t")).with_for_update()
        self.count = select(func.count()).select_from(t.tracks)
        self.meta = select(t.meta.c.value).where(t.meta.c.key == bindparam("k"))
        self.version = select(func.coalesce(func.max(t.catalog_changes.c.seq), 0))
        self.changes = (select(t.catalog_changes.c.seq, t.catalog_changes.c.track_id, t.catalog_changes.c.op)
                        .where(t.catalog_changes.c.seq > bindparam("s")).order_by(t.catalog_changes.c.seq)
                        .limit(bindparam("n")))


_STATEMENTS: _Statements | None = None


def statements() -> _Statements:
    """The shared Core statements (built on first call)."""
    global _STATEMENTS
    if _STATEMENTS is None:
        _STATEMENTS = _Statements()
    return _STATEMENTS


class SqlCatalog(CatalogBase):
    """The catalog port on a SQLAlchemy async engine (see the module docstring). Subclasses set :attr:`dialect`
    (``"sqlite"`` or ``"postgresql"``) and implement :meth:`_reading`, :meth:`_writing`, ``load_rows``,
    ``search_ids``, ``open``/``close``."""

    dialect: str

    # ------------------------------------------------------------------ backend hooks
    def _reading(self) -> AbstractAsyncContextManager[AsyncConnection]:  # pragma: no cover - every backend overrides
        """A connection for reads (autocommit: each statement sees the last committed catalog)."""
        raise NotImplementedError

    def _writing(self) -> AbstractAsyncContextManager[AsyncConnection]:  # pragma: no cover - every backend overrides
        """A connection in a new transaction: committed when the block ends cleanly, else rolled back."""
        raise NotImplementedError

    async def _log_change(self, conn: AsyncConnection, track_id: str, op: str) -> None:
        """Append ``(track_id, op)`` to the change log in ``conn``'s transaction (``op``: upsert/delete/reload;
        ``track_id`` ``''`` for reload)."""
        from sqlalchemy import insert

        from core.infra.tables import catalog_changes

        await conn.execute(insert(catalog_changes).values(track_id=track_id, op=op))

    def _insert(self) -> Any:
        """The dialect's ``insert`` (with ``on_conflict_do_*``)."""
        from core.infra.store_db import dialect_insert

        return dialect_insert(self.dialect)

    # ------------------------------------------------------------------ reads
    async def get_meta(self, key: str) -> str | None:
        """Read one value from the ``meta`` table (None when absent)."""
        async with self._reading() as conn:
            return (await conn.execute(statements().meta, {"k": key})).scalar()

    async def count(self) -> int:
        """Number of tracks."""
        async with self._reading() as conn:
            return int((await conn.execute(statements().count)).scalar_one())

    async def checksum(self) -> str:
        """A digest of all track rows and labels; equal before/after means the catalog did not change."""
        digest = hashlib.sha256()
        async with self._reading() as conn:
            for stmt in (statements().by_checksum, statements().labels_checksum):
                for row in await conn.execute(stmt):
                    digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()

    async def all_rows(self) -> list[tuple[Any, ...]]:
        """Every track as a tuple in :data:`~core.catalog_rows.TRACK_COLS` order plus the internal id last (for
        building the index), by id."""
        async with self._reading() as conn:
            return [tuple(r) for r in await conn.execute(statements().rows)]

    async def row_chunks(self, chunk: int = 4000) -> AsyncIterator[list[tuple[Any, ...]]]:
        """The rows of :meth:`all_rows` in lists of up to ``chunk`` (a server-side cursor: never all rows in memory
        at once). Consume it whole before the next catalog call."""
        async with self._reading() as conn:
            result = await conn.stream(statements().rows)
            async for part in result.partitions(chunk):
                yield [tuple(r) for r in part]

    async def label_chunks(self, chunk: int = 10000) -> AsyncIterator[list[tuple[str, str, str, str]]]:
        """The labels of :meth:`all_labels` in lists of up to ``chunk`` (consume it whole, as :meth:`row_chunks`)."""
        async with self._reading() as conn:
            result = await conn.stream(statements().labels)
            async for part in result.partitions(chunk):
                yield [tuple(r) for r in part]  # type: ignore[misc]

    async def all_labels(self) -> list[tuple[str, str, str, str]]:
        """Every ``(track_id, kind, label, source_id)``."""
        async with self._reading() as conn:
            return [tuple(r) for r in await conn.execute(statements().labels)]  # type: ignore[misc]

    async def get(self, track_id: str) -> Track | None:
        """The track with this Spotify id, with all its labels, or None."""
        async with self._reading() as conn:
            row = (await conn.execute(statements().track, {"t": track_id})).first()
            if row is None:
                return None
            labels = [tuple(r) for r in await conn.execute(statements().track_labels, {"t": track_id})]
        return row_to_track(tuple(row), labels)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ writes (permission checks live in core.app)
    async def _set_labels(self, conn: AsyncConnection, track_id: str, labels: Iterable[tuple[str, str]]) -> None:
        """Insert ``(kind, label)`` labels of one track (source ``''``); existing ones are kept."""
        from core.infra.tables import track_labels as tl

        params = [{"track_id": track_id, "kind": kind, "label": label, "source_id": ""} for kind, label in labels]
        if params:
            await conn.execute(self._insert()(tl).on_conflict_do_nothing(), params)

    async def upsert_track(self, track: Track, *, only_new: bool = False) -> bool:
        """Insert or replace one track and set its labels to exactly those on ``track`` (one transaction). An audio
        feature ``track`` lacks never erases a known one.

        ``only_new``: insert only — when the id exists (added meanwhile by another process too) nothing is written
        and False is returned (the unique index decides). Returns True when written."""
        from sqlalchemy import delete, func

        from core.infra.tables import track_labels as tl
        from core.infra.tables import tracks

        stmt = self._insert()(tracks)
        if only_new:
            stmt = stmt.on_conflict_do_nothing(index_elements=[tracks.c.track_id])
        else:
            ex = stmt.excluded
            sets = {c: ex[c] for c in UPSERT_COLUMNS[1:9]}
            sets.update({f: func.coalesce(ex[f], tracks.c[f]) for f in AUDIO_FEATURES})
            stmt = stmt.on_conflict_do_update(index_elements=[tracks.c.track_id], set_=sets)
        params = dict(zip(UPSERT_COLUMNS, row_params(track_to_row(track)), strict=True))
        async with self._writing() as conn:
            if (await conn.execute(stmt, params)).rowcount == 0:
                return False  # only_new and the id exists
            await conn.execute(delete(tl).where(tl.c.track_id == track.track_id))
            await self._set_labels(conn, track.track_id, track_labels(track))
            await self._log_change(conn, track.track_id, "upsert")
        return True

    async def delete_track(self, track_id: str) -> bool:
        """Delete a track and its labels. Returns False when it did not exist."""
        from sqlalchemy import delete

        from core.infra.tables import track_labels as tl
        from core.infra.tables import tracks

        async with self._writing() as conn:
            await conn.execute(delete(tl).where(tl.c.track_id == track_id))
            gone = (await conn.execute(delete(tracks).where(tracks.c.track_id == track_id))).rowcount > 0
            if gone:
                await self._log_change(conn, track_id, "delete")
        return gone

    async def strip_labels(self, source_ids: Iterable[str] | None = None) -> int:
        """Delete labels (all, or only those from the given playlist ids); returns how many. Used by evaluation on a
        copy of the catalog."""
        from sqlalchemy import delete

        from core.infra.tables import track_labels as tl

        async with self._writing() as conn:
            if source_ids is None:
                n = (await conn.execute(delete(tl))).rowcount
            else:
                ids, n = list(dict.fromkeys(source_ids)), 0
                for i in range(0, len(ids), _IN_CHUNK):
                    n += (await conn.execute(delete(tl).where(tl.c.source_id.in_(ids[i:i + _IN_CHUNK])))).rowcount
            await self._log_change(conn, "", "reload")
        return n

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
        from sqlalchemy import delete, update

        from core.infra.tables import track_labels as tl
        from core.infra.tables import tracks

        columns, labels = split_update(fields)
        async with self._writing() as conn:
            if columns:
                stmt = update(tracks).where(tracks.c.track_id == track_id).values(**columns)
                found = (await conn.execute(stmt)).rowcount > 0
            else:  # labels only: lock the row (PostgreSQL FOR UPDATE; SQLite already holds the write lock)
                found = (await conn.execute(statements().exists, {"t": track_id})).first() is not None
            if found:
                for kind, values in labels.items():
                    await conn.execute(delete(tl).where(tl.c.track_id == track_id, tl.c.kind == kind))
                    await self._set_labels(conn, track_id, [(kind, v) for v in values])
                await self._log_change(conn, track_id, "upsert")
        return await self.get(track_id) if found else None

    # ------------------------------------------------------------------ change feed (core.infra.changes)
    async def change_version(self) -> int:
        """The catalog's change counter: the last ``seq`` of ``catalog_changes`` (0 for a catalog never changed
        since the change log exists). It grows with every committed write by any process."""
        async with self._reading() as conn:
            return int((await conn.execute(statements().version)).scalar_one())

    async def changes_since(self, seq: int, limit: int = 10_000) -> list[tuple[int, str, str]]:
        """Change-log rows after ``seq``, oldest first: ``(seq, track_id, op)`` with ``op`` in
        ``upsert``/``delete``/``reload`` (``track_id`` is ``''`` for ``reload``)."""
        async with self._reading() as conn:
            rows = await conn.execute(statements().changes, {"s": seq, "n": limit})
            return [(int(r[0]), r[1], r[2]) for r in rows]


__all__ = ["SqlCatalog", "statements"]
