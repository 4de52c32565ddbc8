"""Curator spread: a free-text list is not one catalog playlist reposted.

The shipped catalog is built from ~470 Spotify playlists, and a track's nearest neighbours in sound and labels are
often its playlist-mates. Ranked by fit alone, a list for a mood or a style came out of one curator's playlist:
measured over the 274 requests of the text benchmark (shared, fresh and own sets), the playlist that held the most
tracks of each top 10 held 5 or more in 131 lists and all 10 in 18 — "Running playlist: fast and high-energy" was the
playlist "Cardio" 10 times, "party songs to dance at a house party" five tracks of "K-Party Dance Mix", "boom bap
please" ten of "Hip-Hop Drive". A listener gets that list by opening the playlist; discovery is a list that crosses
curators while staying in the style asked for.

So one playlist fills at most :data:`PLAYLIST_SHARE` of a list: a track whose playlist is full gives its place to the
next-ranked track of another (from a pool of :data:`SPREAD_POOL` candidates per place, ranked as before), and fills
the list only when nothing else is left — a style that lives in one playlist still gets its tracks. Not capped:

* a playlist that is the request's theme (:func:`theme_playlists`: named outright, "música triste em português" →
  "Trapperz Brasil", the catalog's Portuguese songs; or most of what the words matched, "Weihnachtsmusik" →
  "Christmas Soul");
* requests that name an artist or a language (the artist's scene, the language's songs: their playlists are the
  answer) and era-only lists (:func:`core.scene.spread_genres` spreads those);
* a playlist holding more than :data:`BROAD_PLAYLIST` of the live catalog (an imported catalog is often one exported
  playlist: a cap there would say nothing about curators).

Measured by ``musicbot eval --text`` (pass rate and p@10 on the shared, fresh and own sets) and by the histogram of
the largest playlist share per list (``benchmarks/playlist_share.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol, TypeVar

import numpy as np

from core.models import TextQuery
from core.scene import NAMED_LABEL

class _Ranked(Protocol):
    pos: int


R = TypeVar("R", bound=_Ranked)

#: At most this share of a list comes from one catalog playlist (4 of 10, 2 of 5; at least one).
PLAYLIST_SHARE = 0.4
#: A playlist holding at least this share of a request's positive label weight is the request's theme (not capped).
THEME_SHARE = 0.5
#: Ranked candidates a spread list is picked from, per place in the list.
SPREAD_POOL = 5
#: A playlist holding more than this share of the live catalog's tracks is not one curator's pick among many.
BROAD_PLAYLIST = 0.1


def wants_playlist_spread(query: TextQuery) -> bool:
    """True when a free-text request's list gets the curator spread: it names no artist and no language (see the
    module docstring)."""
    return not (query.artists or query.language or query.title_language or query.language_labels)


def theme_playlists(query: TextQuery) -> set[str]:
    """Names of the playlists a request's words point at as its theme: a playlist label weighted at least
    :data:`core.scene.NAMED_LABEL` (named outright), or holding at least :data:`THEME_SHARE` of the request's positive
    label weight ("Weihnachtsmusik" → "Christmas Soul" alone: the catalog knows holiday songs through that playlist;
    "Running playlist" → "Cardio" at 0.6 beside ten other workout playlists is one curator among many)."""
    positive = sum(w for w in query.labels.values() if w > 0)
    return {key.partition(":")[2] for key, w in query.labels.items() if key.startswith("playlist:") and w > 0
            and (w >= NAMED_LABEL or w >= THEME_SHARE * positive)}


def spread_playlists(
    table: object, query: TextQuery, picked: list[int], scores: list[float], limit: int
) -> tuple[list[int], list[float]]:
    """The first ``limit`` of ``picked`` (table positions, best first, with their ``scores``) with each catalog
    playlist holding at most :data:`PLAYLIST_SHARE` of the list; a track counts in every playlist it is in, and is
    held back when one of them is full. Held-back tracks fill the list, in ranking order, only when the other
    candidates run out. A request's theme playlists (:func:`theme_playlists`) and broad playlists are not capped.

    Returns:
        ``(positions, scores)`` of at most ``limit`` tracks, in ranking order with the held-back ones last.
    """
    labels = getattr(table, "labels")
    names = getattr(table, "label_names")
    members = getattr(table, "label_tracks")
    live = max(1, len(getattr(table, "pos")))
    cap = max(1, math.floor(PLAYLIST_SHARE * limit))
    named = theme_playlists(query)
    capped: dict[int, bool] = {}

    def is_capped(lid: int) -> bool:
        if lid not in capped:
            kind, text = names[lid]
            capped[lid] = kind == "playlist" and text not in named and len(members.get(lid, ())) <= BROAD_PLAYLIST * live
        return capped[lid]

    counts: dict[int, int] = {}
    kept: list[tuple[int, float]] = []
    held: list[tuple[int, float]] = []
    for pos, score in zip(picked, scores):
        mine = [lid for lid in (labels[pos] if pos < len(labels) else ()) if is_capped(lid)]
        if any(counts.get(lid, 0) >= cap for lid in mine):
            held.append((pos, score))
            continue
        for lid in mine:
            counts[lid] = counts.get(lid, 0) + 1
        kept.append((pos, score))
        if len(kept) == limit:
            break
    kept += held[: limit - len(kept)]
    return [p for p, _ in kept], [s for _, s in kept]


def spread_ranked(table: object, query: TextQuery, chosen: Sequence[R], pool: Sequence[R], limit: int,
                  allowed: np.ndarray | None = None) -> list[R]:
    """:func:`spread_playlists` over ranked results (objects with a table position ``pos``): ``chosen`` (a list as a
    later step picked it from ``pool``, e.g. :func:`core.coherence.own_genre_first`) first, then ``pool``'s other
    results in pool order — only those whose position ``allowed`` (``(n,)`` bool, e.g. inside the numbers a request
    stated) marks, when given — so a held-back track gives its place to the next one the step would have ranked.

    Returns:
        At most ``limit`` of those results.
    """
    seen = {s.pos for s in chosen}
    ordered = list(chosen) + [
        s for s in pool if s.pos not in seen and (allowed is None or (s.pos < len(allowed) and bool(allowed[s.pos])))]
    by_pos = {s.pos: s for s in reversed(ordered)}
    picked, _ = spread_playlists(table, query, [s.pos for s in ordered], [0.0] * len(ordered), limit)
    return [by_pos[p] for p in picked]
