"""Extension points for features that live outside this adapter (issue 6: previews, playlists).

Pass a :class:`Hooks` to :func:`adapters.discord.app.build_bot`. Without hooks ``/preview`` answers with the
Spotify track link (Discord unfurls it into Spotify's player) and the embed-player link, and no "Add to playlist"
menu is shown. Hooks are called with plain core types, never Discord objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from core.models import Caller, Track


@runtime_checkable
class PreviewSource(Protocol):
    """Finds a short audio preview for a track (e.g. Spotify ``preview_url``, Deezer, iTunes)."""

    async def preview_url(self, track: Track) -> str | None:
        """A playable ~30 s audio URL, or None. May do network I/O; should not raise for "no preview"."""
        ...


@runtime_checkable
class PlaylistSink(Protocol):
    """Adds tracks to a shared playlist of a Discord server or DM (``scope`` = ``discord:<guild or channel id>``)."""

    async def add_track(self, caller: Caller, scope: str, track_id: str) -> str:
        """Add ``track_id``; return a one-line confirmation.

        Raises:
            core.errors.MusicBotError: for the user's mistakes (shown to them privately).
        """
        ...


@dataclass
class Hooks:
    """Optional collaborators of the Discord bot; each ``None`` disables its feature."""

    previews: PreviewSource | None = None
    playlists: PlaylistSink | None = None
    #: Seconds to wait for a preview lookup before answering without one.
    preview_timeout_s: float = 8.0
