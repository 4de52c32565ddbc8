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

from typing import TYPE_CHECKING, Any

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
from core.playlists.store import AddOutcome, EntryRow, MemoryPlaylistStore, PlaylistStore

if TYPE_CHECKING:
    from core.playlists.diversity import diversify
    from core.playlists.service import PlaylistService
    from core.playlists.sqlite_store import SqlitePlaylistStore

#: Imported on first use (PEP 562): the SQL store pulls in SQLAlchemy, which a process that never touches a
#: playlist (a one-shot ``musicbot recommend``) need not import.
_LAZY = {
    "diversify": "core.playlists.diversity",
    "PlaylistService": "core.playlists.service",
    "SqlitePlaylistStore": "core.playlists.sqlite_store",
}


def __getattr__(name: str) -> Any:
    """The lazily imported names of :data:`_LAZY`.

    Raises:
        AttributeError: no such name in this package.
    """
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
