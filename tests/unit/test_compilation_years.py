"""Compilation dates are not release years: retrospectives found from the catalog's own versions, and era bounds
that treat a compilation-only year as an upper bound (core.table.TrackTable.retrospectives, core.compilations)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.anchors import year_mask
from core.compilations import album_dated
from core.models import Filters
from core.recommender import Recommender
from core.table import TrackTable
from tests.unit.test_radio import EDM, row


def _retro_table() -> TrackTable:
    rows = [
        # a rock sampler of 2008: two songs the catalog also has from the 70s, one only here
        row(0, "Paranoid", "Black Sabbath", 2008, EDM, album="Absolute Rock Anthems"),
        row(1, "Barracuda", "Heart", 2008, EDM, album="Absolute Rock Anthems"),
        row(2, "Black Betty", "Ram Jam", 2008, EDM, album="Absolute Rock Anthems"),
        row(3, "Paranoid", "Black Sabbath", 1970, EDM, album="Paranoid"),
        row(4, "Barracuda", "Heart", 1977, EDM, album="Little Queen"),
        # a film's own songs by several artists: new music, dated right
        row(5, "This Is Me", "Demi Lovato", 2008, EDM, album="Camp Rock OST"),
        row(6, "Play My Music", "Jonas Brothers", 2008, EDM, album="Camp Rock OST"),
        row(7, "Gotta Find You", "Joe Jonas", 2008, EDM, album="Camp Rock OST"),
        # a deluxe album re-using last year's single: no retrospective
        row(8, "Despacito", "Luis Fonsi", 2019, EDM, album="VIDA"),
        row(9, "Despacito", "Luis Fonsi", 2017, EDM, album="Despacito"),
        row(10, "Calypso", "Luis Fonsi", 2019, EDM, album="VIDA"),
        row(11, "Échame La Culpa", "Luis Fonsi", 2019, EDM, album="VIDA"),
        row(12, "Échame La Culpa", "Luis Fonsi", 2017, EDM, album="Échame La Culpa"),
    ]
    return TrackTable.from_rows(rows, [])


def test_a_retrospective_is_found_by_its_old_songs_and_new_music_keeps_its_dates() -> None:
    table = _retro_table()
    assert table.retrospectives() == {0, 1, 2}
    assert [table.year_is_album_date(p) for p in (0, 1, 2, 5, 6, 7, 10)] == [True, True, True] + [False] * 4
    # a song known only from the sampler is album-dated; its other songs keep their own album's year
    dated = album_dated(table)
    assert dated[2] and not dated[[0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]].any()
    # "Black Betty" is no 2008 song: out of "2005 or newer", in "before 2010"; Camp Rock's own songs are 2008
    newer = year_mask(table, Filters(year_min=2005))
    older = year_mask(table, Filters(year_max=2010))
    assert newer is not None and older is not None
    assert not newer[2] and newer[[5, 6, 7]].all() and older[2]


def test_the_recommender_filter_reads_compilation_years_the_same_way() -> None:
    table = _retro_table()
    rec = Recommender(table)
    for filters in (Filters(year_min=2005), Filters(year_max=2010), Filters(year_min=1970, year_max=2009)):
        mask = rec.filter_mask(filters, table.n)
        assert mask is not None
        assert np.array_equal(mask, year_mask(table, filters)), filters


def test_an_edit_that_adds_old_versions_makes_an_album_a_retrospective() -> None:
    table = _retro_table()
    assert 10 not in table.retrospectives()
    table.upsert(table.track(10).model_copy(update={"track_id": "c" * 22, "year": 2010, "album": "Calypso 2010"}))
    table.upsert(table.track(8).model_copy(update={"track_id": "d" * 22, "year": 2009, "album": "Early Days"}))
    # two of VIDA's three songs now have versions 9-10 years older: the album's date is no longer theirs
    retro = table.retrospectives()
    assert {8, 10}.issubset(retro) and table.year_is_album_date(10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1960, 2020), st.integers(0, 3)), min_size=1, max_size=30))
def test_era_bounds_never_let_a_song_pass_a_year_min_on_a_compilation_date_alone(spec) -> None:
    """Whatever the catalog: a track passing ``year_min`` has a year that is not only an album date."""
    rows = [row(i, f"Song {s}", f"Artist {s % 3}", y, EDM, album=("Greatest Hits", "Own Album", "Sampler", "")[a])
            for i, (s, y, a) in enumerate(spec)]
    table = TrackTable.from_rows(rows, [])
    mask = year_mask(table, Filters(year_min=1990))
    assert mask is not None
    years = table.original_years()
    for p in np.flatnonzero(mask):
        assert years[p] >= 1990
        same = [q for q in table.key_tracks[table.norm_keys[p]] if int(table.year[q]) == int(years[p])]
        assert any(not table.is_album_date_mark(q) for q in same)


def test_the_year_shown_next_to_a_track_is_its_own_or_its_first_release_never_a_compilations() -> None:
    from adapters.telegram.render import track_block

    table = _retro_table()
    paranoid, betty, camp = table.track(0), table.track(2), table.track(5)
    assert (paranoid.year, paranoid.first_release_year, paranoid.shown_year) == (2008, 1970, 1970)
    assert (betty.year, betty.first_release_year, betty.shown_year) == (2008, None, None)
    assert camp.shown_year == 2008 and not camp.year_is_album_date
    assert "(1970)" in track_block(1, paranoid) and "2008" not in track_block(1, paranoid)
    assert "2008" not in track_block(2, betty) and "(2008)" in track_block(3, camp)
