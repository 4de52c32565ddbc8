"""Era bounds that know a compilation's date is not its songs' release.

A song the catalog holds only on compilations or re-releases (:meth:`core.table.TrackTable.is_album_date_mark`: album
words like "Greatest Hits", a retrospective of old songs such as "Absolute Rock Anthems" 2008, or a remaster naming its
year) has no trustworthy release year: the album's date is only an upper bound. :func:`album_dated` marks such songs,
so "2000s rock" or "newer than 2005" leaves out Ram Jam's "Black Betty" (1977; the catalog holds it only on
compilations, the earliest "The Very Best Of Ram Jam", 1990), and "before 2010" keeps it.

A compilation present in the catalog with one track only ("RnB Fridays", 2015: Salt-N-Pepa's 1991 "Let's Talk About
Sex") cannot be told from the artist's own single by the catalog's data; its date stays as given.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.models import Filters
    from core.table import TrackTable

_DATED_MEMO: list[tuple[weakref.ref[TrackTable], int, np.ndarray]] = []


def _dated_scan(table: TrackTable) -> np.ndarray:
    """Positions whose song's original year is a re-release date only (see :func:`album_dated`), sorted."""
    years = table.original_years()
    found: list[int] = []
    for positions in table.key_tracks.values():
        if not positions:
            continue
        first = int(years[next(iter(positions))])
        if first and all(table.is_album_date_mark(q) for q in positions if int(table.year[q]) == first):
            found.extend(positions)
    return np.asarray(sorted(found), dtype=np.int64)


def album_dated(table: TrackTable) -> np.ndarray:
    """Boolean ``(table.n,)``: True where the song's original year (:meth:`core.table.TrackTable.original_years`)
    comes only from versions whose own date is a re-release's (a compilation, by its words or its various artists,
    or a remaster naming that year: :meth:`core.table.TrackTable.is_album_date_mark`). Such a year is an upper bound
    of the song's release, not the release: era filters let it pass a ``year_max`` and fail a ``year_min``.
    Computed once per table version (~0.1 s on the shipped catalog) and, for a table read from the start-up cache,
    kept on disk beside it (:func:`core.startup_cache.table_memo`, keyed by the catalog version and this code)."""
    if _DATED_MEMO:
        ref, version, mask = _DATED_MEMO[0]
        if ref() is table and version == table.version and len(mask) == table.n:
            return mask
    from core.startup_cache import table_memo  # lazy: not every request has a year bound

    code = (Path(__file__), Path(__file__).with_name("table.py"))
    found = table_memo(table, "album-dated", code, lambda: _dated_scan(table))
    mask = np.zeros(table.n, dtype=bool)
    mask[found[found < table.n]] = True
    _DATED_MEMO[:] = [(weakref.ref(table), table.version, mask)]
    return mask


def year_mask(table: TrackTable, filters: Filters) -> np.ndarray | None:
    """Boolean ``(table.n,)`` mask of live tracks whose *original* year (the earliest among the song's versions) is
    within the filters' year bounds; None without a bound. Unknown years fail any bound. A 1975 song on a 2018
    compilation is not "newer"; a song known only from compilations (:func:`album_dated`) passes a ``year_max`` but
    not a ``year_min`` (its year is only an upper bound of its release). Under an upper bound the version's own year
    must be inside it too: the list shows that year, and "2000s" with a 2010 re-release on it reads as a broken bound
    (the song's 2007 version can be picked instead). The one era rule: the recommender's filter and the anchored
    path both read it."""
    if filters.year_min is None and filters.year_max is None:
        return None
    years = table.original_years()[: table.n]
    mask = table.alive[: table.n].astype(bool) & (years > 0)
    if filters.year_min is not None:
        mask &= (years >= filters.year_min) & ~album_dated(table)
    if filters.year_max is not None:
        own = table.year[: table.n]
        mask &= (years <= filters.year_max) & ((own <= 0) | (own <= filters.year_max))
    return mask
