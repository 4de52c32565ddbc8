"""Styles asked for or against around an anchor ("like Taylor Swift but more rock", "like Drake but less rap"), read
at the artist level (:meth:`core.app.discovery.Discovery._anchored`).

The catalog's genre labels come from playlists and are noisy per track (a Charlie Puth single tagged "permanent
wave", so "rock"; a Paramore track "latin pop"), so a style read per track picks up strays (Charlie Puth first for
"Taylor Swift but more rock") and misses the artists that are that style (Travis Scott's sung tracks are not labelled
rap: he stayed in "Drake but less rap"). :func:`artist_style_mask` reads a style at the artist level — a track counts
when its lead artist's tracks mostly carry the label — and :func:`styled` combines both readings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.table import TrackTable

#: Share of an artist's live tracks that must carry a style for all of the artist's tracks to count as that style
#: (:func:`artist_style_mask`): a majority — Travis Scott (10 of 12 tracks "rap") is a rapper, Charlie Puth (1 of
#: 18 "rock") is not a rock artist.
ARTIST_STYLE_SHARE = 0.5


def artist_style_mask(table: TrackTable, track_mask: np.ndarray | None,
                      share: float = ARTIST_STYLE_SHARE) -> np.ndarray | None:
    """Boolean ``(table.n,)`` mask of the tracks whose lead artist has at least ``share`` of their live tracks in
    ``track_mask`` (a label mask, :func:`core.anchor_words.label_mask`); None when ``track_mask`` is None."""
    if track_mask is None:
        return None
    t = table
    n = t.n
    out = np.zeros(n, dtype=bool)
    artists = {t.artist_ids[p][0] for p in np.flatnonzero(track_mask[:n]) if t.artist_ids[p]}
    for aid in artists:
        tracks = [p for p in t.artist_tracks.get(aid, ()) if p < n and t.alive[p]]
        lead = [p for p in tracks if t.artist_ids[p] and t.artist_ids[p][0] == aid]
        if lead and sum(1 for p in lead if track_mask[p]) >= share * len(lead):
            out[lead] = True
    return out


def styled(table: TrackTable, track_mask: np.ndarray | None, prefer: bool) -> np.ndarray | None:
    """A style asked for (``prefer``) or against, read with the artists' own styles (:func:`artist_style_mask`): asked
    for = a track carrying the label whose lead artist carries it on at least half that share too, or any track of an
    artist who mostly carries it; asked against = a track carrying the label or by an artist who mostly does. None
    when ``track_mask`` is None."""
    if track_mask is None:
        return None
    mostly = artist_style_mask(table, track_mask)
    assert mostly is not None
    if not prefer:
        return track_mask[: table.n] | mostly
    some = artist_style_mask(table, track_mask, ARTIST_STYLE_SHARE / 2)
    assert some is not None
    return (track_mask[: table.n] & some) | mostly




#: Share of a label's live tracks that must be in the anchor's genres for the label to be of its family (:func:`in_family`).
FAMILY_SHARE = 0.5


def in_family(table: TrackTable, key: str, genres: np.ndarray | None) -> bool:
    """True when at least :data:`FAMILY_SHARE` of the live tracks carrying the label text ``key`` ("subgenre:hard
    rock") are in ``genres`` (the anchor's genre mask, :func:`core.anchors.style_mask`): hard rock is of Queen's rock
    family, not of Kendrick Lamar's rap and r&b. False without ``genres`` or tracks carrying ``key``."""
    if genres is None:
        return False
    kind, _, name = key.partition(":")
    ids = [lid for lid, (k, n) in enumerate(table.label_names) if k == kind and n == name]
    tracks = [p for lid in ids for p in table.label_tracks.get(lid, ()) if p < table.n and table.alive[p]]
    return bool(tracks) and sum(1 for p in tracks if genres[p]) >= FAMILY_SHARE * len(tracks)


#: Score bonus / cost for a track in a style asked for / by an artist of a style asked against (:func:`near_anchor`),
#: as much as a subgenre label counts.
STYLE_BONUS = 0.3


def near_anchor(pool: Sequence[object], bonus: dict[int, float], prefer: np.ndarray | None,
                avoid: np.ndarray | None, avoid_artists: np.ndarray | None = None) -> dict[int, float]:
    """``bonus`` (position -> score bonus, :func:`core.anchors.familiar_bonus`) for every pool position (``.pos``),
    plus :data:`STYLE_BONUS` for a style asked for (``prefer``, a :func:`styled` mask; None = not asked). A track in a
    style asked against (``avoid``) keeps no scene-mate bonus, and one by an artist who mostly is that style
    (``avoid_artists``, :func:`artist_style_mask`) loses :data:`STYLE_BONUS` too: "like Drake but less rap" leaves
    his rap scene-mates. The caller passes no ``avoid_artists`` when the anchor itself mostly is that style ("like Ed
    Sheeran but less pop"): its whole neighbourhood is, and the first line says so."""
    out: dict[int, float] = {}
    for s in pool:
        p = int(s.pos)  # type: ignore[attr-defined]
        b = bonus.get(p, 0.0)
        if avoid is not None and avoid[p]:
            b = min(b, 0.0)
        if avoid_artists is not None and avoid_artists[p]:
            b -= STYLE_BONUS
        if prefer is not None and prefer[p]:
            b += STYLE_BONUS
        out[p] = b
    return out


def scene_styles(table: TrackTable, artists: set[int], kind: str, share: float) -> np.ndarray | None:
    """Boolean ``(table.n,)`` mask of the tracks carrying a label of ``kind`` ("subgenre" / "genre") that at least
    ``share`` of the live tracks of ``artists`` (the anchor's scene-mates, :func:`core.anchors.linked_artists`) carry;
    None when none does. In an era the anchor has no song of ("like Bad Bunny but 2000s"), its scene-mates' styles
    (reggaeton) name what the scene was then — the anchor's own labels alone (latin hip hop, trap) reach other scenes
    of that decade."""
    t = table
    tracks = [p for a in artists for p in t.artist_tracks.get(a, ()) if p < t.n and t.alive[p]]
    if not tracks:
        return None
    counts: dict[int, int] = {}
    for p in tracks:
        for lid in t.labels[p]:
            if t.label_names[lid][0] == kind:
                counts[lid] = counts.get(lid, 0) + 1
    scene = [lid for lid, c in counts.items() if c >= share * len(tracks)]
    if not scene:
        return None
    return t.positions_mask(t.label_tracks.get(lid, ()) for lid in scene)




def main_style(table: TrackTable, positions: Sequence[int], key: str) -> bool:
    """True when the label text ``key`` ("genre:pop") is the most carried label of its kind among ``positions`` (the
    anchor's tracks; ties count): Ed Sheeran is pop (17 of 34 tracks, his most carried genre), Drake is not mainly rap
    (30 rap, 31 r&b of 68)."""
    kind, _, name = key.partition(":")
    counts: dict[str, int] = {}
    for p in positions:
        for lid in table.labels[p]:
            k, n = table.label_names[lid]
            if k == kind:
                counts[n] = counts.get(n, 0) + 1
    return bool(counts) and counts.get(name, 0) >= max(counts.values())


__all__ = ["ARTIST_STYLE_SHARE", "FAMILY_SHARE", "STYLE_BONUS", "in_family", "artist_style_mask", "main_style", "near_anchor", "scene_styles", "styled"]
