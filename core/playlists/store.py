"""Playlist persistence port: :class:`PlaylistStore`, the rows it exchanges, and :class:`MemoryPlaylistStore` (the
fake used by unit tests). The SQLite implementation is :class:`~core.playlists.sqlite_store.SqlitePlaylistStore`.

Every store call is atomic on its own: each check-then-write (limit, duplicate) happens inside one call — one
``BEGIN IMMEDIATE`` transaction serialized by an ``asyncio.Lock`` in SQLite, no ``await`` in the fake — so 50
concurrent writers lose nothing and never overshoot a limit.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from core.playlists.models import Playlist, from_epoch


@dataclass(slots=True)
class EntryRow:
    """A raw playlist row from a store."""

    track_id: str
    added_by: str
    added_at: float


@dataclass(slots=True)
class AddOutcome:
    """What a store did with an add: ``status`` ok | full | missing (playlist gone); ids added / already present."""

    status: Literal["ok", "full", "missing"]
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    count: int = 0


def plan_add(present: Collection[str], track_ids: Sequence[str], max_tracks: int) -> AddOutcome:
    """What adding ``track_ids`` to a playlist holding ``present`` does: the new ids (in order, deduplicated) and the
    ids already there (``ok``, ``count`` = size after the add), or nothing when the result would exceed
    ``max_tracks`` (``full``, all-or-nothing; ``count`` = current size). The store then writes ``added``."""
    wanted = list(dict.fromkeys(track_ids))
    new = [t for t in wanted if t not in present]
    already = [t for t in wanted if t in present]
    if len(present) + len(new) > max_tracks:
        return AddOutcome("full", [], already, len(present))
    return AddOutcome("ok", new, already, len(present) + len(new))


@dataclass(slots=True)
class PlaylistRow:
    """A playlist as a store holds it (timestamps in seconds since the epoch); :meth:`model` is the API view."""

    playlist_id: int
    group_id: str
    name: str
    created_by: str
    created_at: float
    updated_at: float
    track_count: int = 0

    def model(self) -> Playlist:
        """This row as a :class:`~core.playlists.models.Playlist` (aware UTC datetimes)."""
        return Playlist(
            playlist_id=self.playlist_id,
            group_id=self.group_id,
            name=self.name,
            created_by=self.created_by,
            created_at=from_epoch(self.created_at),
            updated_at=from_epoch(self.updated_at),
            track_count=self.track_count,
        )


class PlaylistStore(Protocol):
    """Persistence port. Every method is atomic on its own (check-then-write inside one call)."""

    async def setup(self) -> None:
        """Create tables if needed (idempotent)."""

    async def create(
        self, group_id: str, name: str, key: str, created_by: str, max_per_group: int
    ) -> PlaylistRow | str:
        """Insert a playlist; returns the row, or ``"exists"`` / ``"full"``."""

    async def get(self, group_id: str, playlist_id: int) -> PlaylistRow | None:
        """The playlist with this id in this group."""

    async def find(self, group_id: str, key: str) -> PlaylistRow | None:
        """The playlist whose normalized name is ``key`` in this group."""

    async def list(self, group_id: str) -> list[PlaylistRow]:
        """All playlists of a group, by name."""

    async def add_tracks(
        self, playlist_id: int, track_ids: Sequence[str], added_by: str, max_tracks: int
    ) -> AddOutcome:
        """Append tracks not yet present; all-or-nothing against ``max_tracks``."""

    async def remove_tracks(self, playlist_id: int, track_ids: Sequence[str]) -> list[str]:
        """Delete these tracks; returns the ids actually removed."""

    async def entries(self, playlist_id: int, offset: int = 0, limit: int | None = None) -> list[EntryRow]:
        """Tracks in playlist order."""

    async def rename(self, playlist_id: int, name: str, key: str) -> Literal["ok", "exists", "missing"]:
        """Rename (names stay unique per group)."""

    async def delete(self, playlist_id: int) -> bool:
        """Delete a playlist and its tracks."""


class MemoryPlaylistStore:
    """In-memory :class:`PlaylistStore` fake (unit tests). No awaits inside a method, so each call is atomic."""

    def __init__(self) -> None:
        self.rows: dict[int, PlaylistRow] = {}
        self.keys: dict[int, str] = {}
        self.tracks: dict[int, dict[str, EntryRow]] = {}
        self._next = 1

    async def setup(self) -> None:
        return None

    def _copy(self, pid: int) -> PlaylistRow:
        r = self.rows[pid]
        count = len(self.tracks[pid])
        return PlaylistRow(r.playlist_id, r.group_id, r.name, r.created_by, r.created_at, r.updated_at, count)

    async def create(
        self, group_id: str, name: str, key: str, created_by: str, max_per_group: int
    ) -> PlaylistRow | str:
        mine = [pid for pid, r in self.rows.items() if r.group_id == group_id]
        if len(mine) >= max_per_group:
            return "full"
        if any(self.keys[pid] == key for pid in mine):
            return "exists"
        pid, self._next, now = self._next, self._next + 1, time.time()
        self.rows[pid] = PlaylistRow(pid, group_id, name, created_by, now, now)
        self.keys[pid], self.tracks[pid] = key, {}
        return self._copy(pid)

    async def get(self, group_id: str, playlist_id: int) -> PlaylistRow | None:
        r = self.rows.get(playlist_id)
        return self._copy(playlist_id) if r and r.group_id == group_id else None

    async def find(self, group_id: str, key: str) -> PlaylistRow | None:
        for pid, r in self.rows.items():
            if r.group_id == group_id and self.keys[pid] == key:
                return self._copy(pid)
        return None

    async def list(self, group_id: str) -> list[PlaylistRow]:
        pids = sorted((pid for pid, r in self.rows.items() if r.group_id == group_id), key=lambda p: self.keys[p])
        return [self._copy(p) for p in pids]

    async def add_tracks(
        self, playlist_id: int, track_ids: Sequence[str], added_by: str, max_tracks: int
    ) -> AddOutcome:
        present = self.tracks.get(playlist_id)
        if present is None:
            return AddOutcome("missing")
        out = plan_add(present, track_ids, max_tracks)
        if out.status == "ok" and out.added:
            now = time.time()
            for t in out.added:
                present[t] = EntryRow(t, added_by, now)
            self.rows[playlist_id].updated_at = now
        return out

    async def remove_tracks(self, playlist_id: int, track_ids: Sequence[str]) -> list[str]:
        present = self.tracks.get(playlist_id, {})
        removed = [t for t in dict.fromkeys(track_ids) if present.pop(t, None) is not None]
        if removed:
            self.rows[playlist_id].updated_at = time.time()
        return removed

    async def entries(self, playlist_id: int, offset: int = 0, limit: int | None = None) -> list[EntryRow]:
        rows = list(self.tracks.get(playlist_id, {}).values())
        return rows[offset : None if limit is None else offset + limit]

    async def rename(self, playlist_id: int, name: str, key: str) -> Literal["ok", "exists", "missing"]:
        r = self.rows.get(playlist_id)
        if r is None:
            return "missing"
        if any(self.keys[p] == key and o.group_id == r.group_id and p != playlist_id for p, o in self.rows.items()):
            return "exists"
        r.name, self.keys[playlist_id], r.updated_at = name, key, time.time()
        return "ok"

    async def delete(self, playlist_id: int) -> bool:
        self.tracks.pop(playlist_id, None)
        self.keys.pop(playlist_id, None)
        return self.rows.pop(playlist_id, None) is not None
