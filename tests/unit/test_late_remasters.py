"""A remaster dated long after its artist's songs carries an album date, not a release (core.table
LATE_REMASTER_GAP): "I Want To Hold Your Hand - Remastered 2015", dated 2000 by a compilation, was in "2000s rock"."""

from __future__ import annotations

import json

from core.compilations import year_mask
from core.models import Filters
from core.table import LATE_REMASTER_GAP, TrackTable

FEATS = [0.5, 0.7, 4, -6.0, 1, 0.05, 0.1, 0.0, 0.1, 0.6, 120.0]


def build(tracks: list[tuple[str, str, str, int]]) -> TrackTable:
    """``(title, artist, album, year)`` per track."""
    rows = [(f"t{i:021d}", title, json.dumps([artist]), album, str(year), year, 50, 200_000, *FEATS)
            for i, (title, artist, album, year) in enumerate(tracks)]
    return TrackTable.from_rows(rows, [])


SIXTIES = [("She Loves You", "The Band", "Debut", 1963), ("Help", "The Band", "Second", 1965),
           ("Something - Remastered 2009", "The Band", "Abbey", 1969)]


def test_a_remaster_dated_decades_after_the_artists_songs_is_an_album_date() -> None:
    table = build([*SIXTIES, ("Hold Your Hand - Remastered 2015", "The Band", "1 (Remastered)", 2000),
                   ("Youth", "New Band", "Now", 2003)])
    assert table.year_is_album_date(3)
    assert not table.year_is_album_date(2)  # a remaster dated by its original release keeps it
    mask = year_mask(table, Filters(year_min=2000, year_max=2009))
    assert mask is not None and not mask[3] and mask[4]  # "2000s rock": not the 1960s song
    before = year_mask(table, Filters(year_max=2005))
    assert before is not None and before[3]  # its year is an upper bound of its release


def test_the_rule_needs_a_remaster_a_gap_and_enough_songs() -> None:
    late = 1965 + LATE_REMASTER_GAP + 5
    plain = build([*SIXTIES, ("Comeback Single", "The Band", "Reunion", late)])
    assert not plain.year_is_album_date(3)  # a new song of an old artist is a release
    near = build([*SIXTIES, ("Hold Your Hand - Remastered", "The Band", "Set", 1965 + LATE_REMASTER_GAP)])
    assert not near.year_is_album_date(3)  # within the gap of the median
    few = build([SIXTIES[0], SIXTIES[1], ("Hold Your Hand - Remastered 2015", "The Band", "1", 2000)])
    assert not few.year_is_album_date(2)  # two other songs say too little about the artist's years
