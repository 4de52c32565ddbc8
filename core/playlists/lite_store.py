"""Playlists in a one-request process on SQLite: :class:`LitePlaylistStore` reads through Python's ``sqlite3``
(:class:`core.infra.lite_db.LiteDatabase`, no SQLAlchemy import: a free-text ``musicbot ask`` lists the group's
playlists to understand "add it to my road trip playlist") and hands every write to
:class:`core.playlists.sqlite_store.SqlitePlaylistStore` (its units of work, checks and locks unchanged).

Reads run outside any unit of work (autocommit, as :class:`SqlitePlaylistStore` runs them), so reading on another
connection than the writes sees exactly what another process would: the committed rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from core.infra.lite_sql import PLAYLISTS
from core.playlists.store import AddOutcome, EntryRow, PlaylistRow

if TYPE_CHECKING:
    from core.infra.lite_db import LiteDatabase
    from core.infra.store_db import Database
    from core.playlists.sqlite_store import SqlitePlaylistStore


def _row(row: Any) -> PlaylistRow:
    return PlaylistRow(int(row[0]), *row[1:6], int(row[6]))


class LitePlaylistStore:
    """The :class:`~core.playlists.store.PlaylistStore` port: reads on ``lite``, writes on ``database``.

    Args:
        lite: the one-request process's :class:`core.infra.lite_db.LiteDatabase` on the catalog file.
        database: the stores' :class:`core.infra.store_db.Database` on the same file (SQLAlchemy imported on the
            first write only).
    """

    def __init__(self, lite: LiteDatabase, database: Database) -> None:
        self.lite = lite
        self.database = database
        self._writer: SqlitePlaylistStore | None = None

    def _writes(self) -> SqlitePlaylistStore:
        if self._writer is None:
            from core.playlists.sqlite_store import SqlitePlaylistStore

            self._writer = SqlitePlaylistStore(self.database)
        return self._writer

    async def setup(self) -> None:
        """Nothing to do: the tables come from the migrations (part of the port)."""

    async def _one(self, sql: str, params: dict[str, Any]) -> PlaylistRow | None:
        row = (await self.lite.execute(sql, params)).first()
        return _row(row) if row else None

    async def get(self, group_id: str, playlist_id: int) -> PlaylistRow | None:
        """The playlist ``playlist_id`` of ``group_id`` with its track count, or None."""
        return await self._one(PLAYLISTS.get, {"p_group": group_id, "p_id": int(playlist_id)})

    async def find(self, group_id: str, key: str) -> PlaylistRow | None:
        """The playlist of ``group_id`` whose name key is ``key``, or None."""
        return await self._one(PLAYLISTS.find, {"p_group": group_id, "p_key": key})

    async def list(self, group_id: str) -> list[PlaylistRow]:
        """The group's playlists by name key."""
        return [_row(r) for r in (await self.lite.execute(PLAYLISTS.list, {"p_group": group_id})).all()]

    async def entries(self, playlist_id: int, offset: int = 0, limit: int | None = None) -> list[EntryRow]:
        """Tracks of a playlist in insertion order, ``offset`` skipped, at most ``limit`` (None: all)."""
        params = {"p_id": int(playlist_id), "p_limit": -1 if limit is None else int(limit), "p_offset": int(offset)}
        return [EntryRow(*r) for r in (await self.lite.execute(PLAYLISTS.entries, params)).all()]

    async def create(
        self, group_id: str, name: str, key: str, created_by: str, max_per_group: int
    ) -> PlaylistRow | str:
        """See :meth:`SqlitePlaylistStore.create`."""
        return await self._writes().create(group_id, name, key, created_by, max_per_group)

    async def add_tracks(
        self, playlist_id: int, track_ids: Sequence[str], added_by: str, max_tracks: int
    ) -> AddOutcome:
        """See :meth:`SqlitePlaylistStore.add_tracks`."""
        return await self._writes().add_tracks(playlist_id, track_ids, added_by, max_tracks)

    async def remove_tracks(self, playlist_id: int, track_ids: Sequence[str]) -> list[str]:
        """See :meth:`SqlitePlaylistStore.remove_tracks`."""
        return await self._writes().remove_tracks(playlist_id, track_ids)

    async def rename(self, playlist_id: int, name: str, key: str) -> Literal["ok", "exists", "missing"]:
        """See :meth:`SqlitePlaylistStore.rename`."""
        return await self._writes().rename(playlist_id, name, key)

    async def delete(self, playlist_id: int) -> bool:
        """See :meth:`SqlitePlaylistStore.delete`."""
        return await self._writes().delete(playlist_id)
