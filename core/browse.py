"""Paging through the catalog (``GET /api/v1/songs/?skip=&limit=&search=``): the whole catalog in a stable order, or
the matches of a search, ``limit`` tracks from ``skip`` on.

The search itself is :meth:`core.app.discovery.Discovery.search` (FTS5 over title / artist / album, then typo-tolerant fuzzy
matching), so every adapter finds the same tracks; what the catalog lacks comes back as a note, never as a silent
empty page. Every function takes the narrow port it reads (:class:`~core.app.ports.TrackLookup`,
:class:`~core.app.ports.CatalogBrowser`): :class:`core.app.discovery.Discovery` satisfies both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.errors import InvalidInput
from core.limits import DEFAULT_TRACKS, MAX_TRACKS
from core.models import Track

if TYPE_CHECKING:
    from core.app.ports import CatalogBrowser, TrackLookup

#: Largest ``skip`` accepted (the shipped catalog holds ~30k tracks; an import may hold ~1M).
MAX_SKIP = 10_000_000


@dataclass
class TrackPage:
    """One page of tracks.

    Attributes:
        total: tracks in the whole listing (the catalog, or the search's matches — at most
            :data:`~core.limits.MAX_TRACKS` for a search).
        tracks: this page, at most ``limit`` tracks.
        note: what the catalog lacks for the search ("No artist called …; did you mean …"), "" when nothing.
    """

    total: int
    tracks: list[Track] = field(default_factory=list)
    note: str = ""


def track_by_id(lookup: TrackLookup, track_id: str) -> Track:
    """The catalog track with exactly this id (never a fuzzy guess).

    Raises:
        SongNotFound: no track has that id. InvalidInput: not a usable reference.
    """
    return lookup.table.track(lookup.resolve(track_id, fuzzy=False))


def tracks_for(lookup: TrackLookup, refs: list[str]) -> list[Track]:
    """The tracks the references name, resolved as :meth:`core.app.discovery.Discovery.recommend_similar` resolves them
    (exact, then fuzzy); blank references are skipped.

    Raises:
        SongNotFound / NotATrackLink / InvalidInput: a reference did not resolve.
    """
    return [lookup.table.track(lookup.resolve_ref(r).pos) for r in refs if r and r.strip()]


def catalog_size(lookup: TrackLookup) -> int:
    """Tracks in the loaded catalog."""
    return len(lookup.table)


async def list_tracks(browser: CatalogBrowser, skip: int = 0, limit: int = DEFAULT_TRACKS, search: str | None = None) -> TrackPage:
    """``limit`` tracks from position ``skip`` of the catalog (insertion order: stable while the catalog does not
    change), or of the best matches for ``search`` (best first, up to :data:`~core.limits.MAX_TRACKS` matches).

    Raises:
        InvalidInput: ``skip`` outside 0–:data:`MAX_SKIP`, ``limit`` outside 1–:data:`~core.limits.MAX_TRACKS`,
            or an empty / over-long search (see :meth:`core.app.discovery.Discovery.search`).
    """
    if not isinstance(skip, int) or not 0 <= skip <= MAX_SKIP:
        raise InvalidInput(f"skip must be between 0 and {MAX_SKIP} (got {skip}).", "skip", f"0–{MAX_SKIP}")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_TRACKS:
        raise InvalidInput(f"limit must be between 1 and {MAX_TRACKS} (got {limit}).", "limit", f"1–{MAX_TRACKS}")
    if search is None or not search.strip():
        positions = browser.table.alive_positions()
        return TrackPage(total=len(positions), tracks=[browser.table.track(int(p)) for p in positions[skip : skip + limit]])
    from core.coverage import coverage_text

    rec = await browser.search(search, limit=MAX_TRACKS)
    tracks = [item.track for item in rec.tracks]
    return TrackPage(total=len(tracks), tracks=tracks[skip : skip + limit], note=coverage_text(rec.coverage))
