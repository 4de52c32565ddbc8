"""A style's scene learned from the loaded catalog: the artists whose own titles or albums name it, and the artists
the catalog relates to them.

"metal" is no genre of the shipped catalog, and the one playlist named after it holds progressive rock. What names
metal are albums and titles ("Metal Health" by Quiet Riot, "Metal Works '73-'93" by Judas Priest, "Heavy Metal" by
Sammy Hagar), and the artists those share playlists with (:class:`core.artist_graph.ArtistGraph`: Dio, Motörhead,
Black Sabbath, Twisted Sister) are the scene a listener means. :func:`named_scene` scores every track by that scene;
:meth:`core.app.discovery.Discovery` adds it to a request's ranking the way it adds the style's playlists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from core.table import TrackTable

if TYPE_CHECKING:  # scipy stays unloaded until a style's scene is asked for (tests/integration/test_fast_start.py)
    from core.artist_graph import ArtistGraph

#: Distinct artists whose own texts must name the style before their scene counts (one "Metal Guru" is no scene).
MIN_SCENE_ARTISTS = 3
#: Songs of one artist naming the style for its relations to count in full (fewer: in proportion; Steel Panther's one
#: "Heavy Metal Rules" album track names metal less surely than Quiet Riot's "Metal Health" songs).
SURE_SONGS = 2
#: An album naming the style by this many artists or more is a compilation ("Monster Metal Hits", "70s Funk
#: Classics"): its tracks say nothing of their artists' style.
COMPILATION_ARTISTS = 3
#: Related artists taken per named artist (the strongest relations only: the graph's tail is the catalog at large).
SCENE_NEIGHBOURS = 12


def named_scene(table: TrackTable, graph: ArtistGraph, named: Iterable[tuple[int, str]]) -> np.ndarray:
    """``(n,)`` float32 per position: for a track by an artist with songs in ``named`` (``(position, what names the
    style there: "title" or "album")``; an album by :data:`COMPILATION_ARTISTS` or more artists is left
    out) that artist's weight (its songs there / :data:`SURE_SONGS`, at most 1),
    else the strongest relation (0–1) of its artists to those artists among their :data:`SCENE_NEIGHBOURS` nearest,
    times that weight; zeros when fewer than :data:`MIN_SCENE_ARTISTS` artists name it."""
    out = np.zeros(table.n, dtype=np.float32)
    named = list(named)
    albums = {table.albums[p] for p, what in named if what == "album" and table.albums[p]}
    makers: dict[str, set[int]] = {}
    for p in range(table.n):  # who made each naming album: a various-artists compilation names no artist's style
        if table.alive[p] and table.albums[p] in albums:
            makers.setdefault(table.albums[p], set()).update(table.artist_ids[p][:1])
    songs: dict[int, set[str]] = {}
    for p, what in named:
        if what == "album" and len(makers.get(table.albums[p], ())) >= COMPILATION_ARTISTS:
            continue
        for a in table.artist_ids[p][:1]:
            songs.setdefault(a, set()).add(table.norm_keys[p])
    if len(songs) < MIN_SCENE_ARTISTS:
        return out
    score: dict[int, float] = {}
    for a in sorted(songs):
        weight = min(1.0, len(songs[a]) / SURE_SONGS)  # one album track naming it is a weaker sign than two songs
        score[a] = max(score.get(a, 0.0), weight)
        ids, rel = graph.neighbours(a)
        for b, r in zip(ids[:SCENE_NEIGHBOURS].tolist(), rel[:SCENE_NEIGHBOURS].tolist()):
            score[b] = max(score.get(b, 0.0), float(r) * weight)
    for b, s in score.items():
        idx = np.fromiter(table.artist_tracks.get(b, ()), dtype=np.int64)
        if len(idx):
            out[idx] = np.maximum(out[idx], np.float32(s))
    return out

