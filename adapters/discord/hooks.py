"""Optional collaborators of the Discord bot, passed to :func:`adapters.discord.app.build_bot` as :class:`Hooks`.

Playlists, feedback and previews are built in (issue 6: ``services.playlists``, ``services.personal.like`` / ``dislike``,
``services.personal.preview`` / ``preview_urls``). Hooks only override them or tune time budgets:

* ``previews`` — a custom preview source used instead of ``services.personal.preview`` (``/preview`` and the links in lists);
* ``playlists`` — a custom sink: the "Add to playlist" menu then hands the picked track to it directly instead of
  showing the server's playlists;
* ``preview_timeout_s`` — how long ``/preview`` waits for a lookup before answering without one;
* ``embed_preview_budget_s`` — how long a list waits for preview links (0 turns the links off).

Hooks are called with plain core types, never Discord objects.
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
    """Adds tracks to a shared playlist of a Discord server or DM (``scope`` = ``discord:<guild_id>`` or
    ``discord:dm:<user_id>``)."""

    async def add_track(self, caller: Caller, scope: str, track_id: str) -> str:
        """Add ``track_id``; return a one-line confirmation.

        Raises:
            core.errors.MusicBotError: for the user's mistakes (shown to them privately).
        """
        ...


@dataclass
class Hooks:
    """Overrides and time budgets; the defaults use the engine's own services."""

    previews: PreviewSource | None = None
    playlists: PlaylistSink | None = None
    #: Seconds ``/preview`` waits for a preview lookup before answering without one.
    preview_timeout_s: float = 8.0
    #: Seconds a list of tracks waits for its preview links (best effort; 0 = no preview links in lists).
    embed_preview_budget_s: float = 1.5
