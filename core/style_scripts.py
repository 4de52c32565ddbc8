"""Styles read from a writing system: the playlists of a catalog whose artists title their songs in Hangul or kana.

A catalog rarely tags k-pop or j-pop (the shipped one has neither label), yet its titles say a lot: an artist with a
song or album titled in Hangul is very likely Korean, and a playlist far richer in such artists than the catalog is a
playlist of Korean music — "K-Party Dance Mix" names no "k-pop", but BTS, Red Velvet and SUNMI title songs in Hangul (see
:data:`SCRIPT_SHARE` for how much is "most").
:func:`script_playlists` finds those playlists in the LOADED catalog; :class:`core.coverage.CatalogCoverage` offers
their tracks as the closest alternative for the style, each with its checkable reason (the playlist it is in).

Only the writing systems are general knowledge (:data:`STYLE_SCRIPTS`: Unicode blocks); which artists and playlists
carry them is computed from the catalog.
"""

from __future__ import annotations

import re

from core.table import TrackTable

#: Style (a key of :data:`core.coverage.STYLES`) -> the script its songs are titled in (Unicode ranges: Hangul
#: syllables; Japanese hiragana and katakana — kanji alone are Chinese as much as Japanese).
STYLE_SCRIPTS: dict[str, re.Pattern[str]] = {
    "k-pop": re.compile("[\uac00-\ud7a3]"),
    "j-pop": re.compile("[\u3040-\u30ff]"),
}
#: How a reply names each script ("artists who title songs in Hangul").
SCRIPT_NAMES: dict[str, str] = {"k-pop": "Hangul", "j-pop": "Japanese kana"}
#: A playlist counts as the style's when at least this share of its live tracks are by artists titling in the script
#: (K-Party Dance Mix: 19%; most k-pop idols title in English, so a majority is too much to ask) ...
SCRIPT_SHARE = 0.1
#: ... this many times their share across the catalog (a playlist of k-pop is a hundred times more Hangul than the
#: catalog, a pop playlist with one BTS song barely more) ...
SCRIPT_LIFT = 20.0
#: ... by at least this many such artists (one Japanese band's album is no scene).
MIN_SCRIPT_ARTISTS = 3


def script_artists(table: TrackTable, style: str) -> set[int]:
    """Artist ids with a live track whose title or album is written in ``style``'s script (empty for a style
    without one)."""
    rx = STYLE_SCRIPTS.get(style)
    if rx is None:
        return set()
    out: set[int] = set()
    for p in range(table.n):
        if table.alive[p] and (rx.search(table.titles[p] or "") or rx.search(table.albums[p] or "")):
            out.update(table.artist_ids[p])
    return out


def script_playlists(table: TrackTable, style: str) -> list[int]:
    """Playlist label ids of the loaded catalog that hold ``style`` by their artists' script (see the module
    docstring), largest first; empty when the style has no script or the catalog has too few such artists."""
    artists = script_artists(table, style)
    if len(artists) < MIN_SCRIPT_ARTISTS:
        return []
    live_all = max(int(table.alive[: table.n].sum()), 1)
    overall = sum(1 for p in range(table.n) if table.alive[p] and artists.intersection(table.artist_ids[p])) / live_all
    found: list[tuple[int, int]] = []
    for lid, (kind, _) in enumerate(table.label_names):
        if kind != "playlist":
            continue
        live = [p for p in table.label_tracks.get(lid, ()) if table.alive[p]]
        if not live:
            continue
        hits = [p for p in live if artists.intersection(table.artist_ids[p])]
        whose = {a for p in hits for a in table.artist_ids[p] if a in artists}
        share = len(hits) / len(live)
        if share >= SCRIPT_SHARE and share >= SCRIPT_LIFT * overall and len(whose) >= MIN_SCRIPT_ARTISTS:
            found.append((lid, len(live)))
    return [lid for lid, _ in sorted(found, key=lambda x: (-x[1], x[0]))]
