"""Shared playlists per group: create, add, remove, show (paginated), rename, delete, recommend, export.

A *group* is an opaque id chosen by the adapter — ``telegram:<chat_id>``, ``discord:<guild_id>``,
``console:local`` — so every adapter shares one implementation. Playlist names are unique per group
(case- and accent-insensitive). Tracks are stored by Spotify id; a track later deleted from the catalog stays in
the playlist (shown by id, still exported) instead of silently vanishing.

Permissions are checked in :class:`PlaylistService` (not only in adapters or prompts); see
:mod:`core.playlists.service` for who may do what.

Limits (:class:`PlaylistLimits`): 500 tracks per playlist, 100 playlists per group, names up to 100 characters.

Storage goes through the :class:`PlaylistStore` port — :class:`SqlitePlaylistStore` or :class:`MemoryPlaylistStore`
(the fake used by unit tests) — whose calls are each atomic; see :mod:`core.playlists.store`.

Modules: :mod:`~core.playlists.models`, :mod:`~core.playlists.names` (group ids, playlist names),
:mod:`~core.playlists.store` (port and in-memory fake), :mod:`~core.playlists.sqlite_store`,
:mod:`~core.playlists.diversity` (MMR) and :mod:`~core.playlists.service` (use cases, permissions).
"""

from core.playlists.diversity import diversify
from core.playlists.models import (
    Playlist,
    PlaylistChange,
    PlaylistEntry,
    PlaylistExport,
    PlaylistLimits,
    PlaylistNotFound,
    PlaylistPage,
    member_key,
)
from core.playlists.service import PlaylistService
from core.playlists.sqlite_store import SqlitePlaylistStore
from core.playlists.store import AddOutcome, EntryRow, MemoryPlaylistStore, PlaylistStore

__all__ = [
    "AddOutcome",
    "EntryRow",
    "MemoryPlaylistStore",
    "Playlist",
    "PlaylistChange",
    "PlaylistEntry",
    "PlaylistExport",
    "PlaylistLimits",
    "PlaylistNotFound",
    "PlaylistPage",
    "PlaylistService",
    "PlaylistStore",
    "SqlitePlaylistStore",
    "diversify",
    "member_key",
]
