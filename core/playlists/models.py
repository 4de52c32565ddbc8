"""Playlist models returned by :class:`~core.playlists.service.PlaylistService`, its limits and its not-found error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import Field, computed_field

from core.errors import InvalidInput
from core.models import DeferredModel, Track, spotify_uri, spotify_url
from core.policy import member_key as member_key  # re-exported: one definition, in the policy module


def from_epoch(value: float) -> datetime:
    """A stored timestamp (seconds since the Unix epoch) as an aware UTC datetime."""
    return datetime.fromtimestamp(value, UTC)




class Playlist(DeferredModel):
    """A group playlist (metadata only). ``created_by`` is a :func:`member_key`."""

    playlist_id: int
    group_id: str
    name: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    track_count: int = 0


class PlaylistEntry(DeferredModel):
    """One track in a playlist. ``index`` is 1-based in playlist order; ``track`` is None if it left the catalog."""

    index: int
    track_id: str
    track: Track | None
    added_by: str
    added_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spotify_url(self) -> str:
        """``https://open.spotify.com/track/ID`` (built from the id, valid even if the track left the catalog)."""
        return spotify_url(self.track_id)

    @property
    def label(self) -> str:
        """``"Title - Artist"`` or the bare id for a track no longer in the catalog."""
        return f"{self.track.title} - {self.track.artist}" if self.track else f"(not in catalog) {self.track_id}"


class PlaylistPage(DeferredModel):
    """One page of a playlist; ``page`` is 1-based, ``pages`` ≥ 1 even for an empty playlist."""

    playlist: Playlist
    entries: list[PlaylistEntry]
    page: int
    per_page: int
    total: int
    pages: int


class PlaylistChange(DeferredModel):
    """Result of add/remove: what changed, what was a no-op, and a plain-text summary for any adapter."""

    playlist: Playlist
    added: list[Track] = Field(default_factory=list)
    already: list[Track] = Field(default_factory=list, description="duplicate adds (no-op)")
    removed: list[str] = Field(default_factory=list, description="track ids removed")
    missing: list[str] = Field(default_factory=list, description="references that were not in the playlist")
    notes: list[str] = Field(default_factory=list, description="another track than the one asked for was used")
    cap: int = Field(0, description="the playlist's track limit (0 = not said)")
    message: str = ""


class PlaylistExport(DeferredModel):
    """Every track of a playlist as Spotify links and URIs (in playlist order)."""

    playlist: Playlist
    track_ids: list[str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def urls(self) -> list[str]:
        """``https://open.spotify.com/track/ID`` per track."""
        return [spotify_url(i) for i in self.track_ids]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def uris(self) -> list[str]:
        """``spotify:track:ID`` per track (paste these into a Spotify desktop playlist)."""
        return [spotify_uri(i) for i in self.track_ids]

    def as_text(self, fmt: Literal["urls", "uris"] = "urls") -> str:
        """One link (or URI) per line; an adapter sends it as a file attachment when over its message limit."""
        return "\n".join(self.urls if fmt == "urls" else self.uris)


@dataclass(frozen=True, slots=True)
class PlaylistLimits:
    """Size limits (defaults from issue 6)."""

    tracks_per_playlist: int = 500
    playlists_per_group: int = 100
    name_chars: int = 100
    refs_per_call: int = 100
    per_page_max: int = 50


class PlaylistNotFound(InvalidInput):
    """No playlist of that name (or id) in the group. ``suggestions``: up to 3 close names in the group."""

    def __init__(self, ref: str, suggestions: list[str] | None = None) -> None:
        self.ref = ref
        self.suggestions = list(suggestions or [])[:3]
        msg = f'No playlist "{ref}" here.'
        if self.suggestions:
            msg += " Did you mean: " + "; ".join(self.suggestions) + "?"
        else:
            msg += " Create it with: playlist create NAME"
        super().__init__(msg, field="playlist")
        self.key, self.fields = "pl not found", {"ref": ref}  # worded again in the conversation's language (core.error_words)
