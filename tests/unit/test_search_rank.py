"""Search results naming the query whole come first (core.search_rank): an artist's exact name or a song's exact
title before titles that only hold the query's words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.models import Track
from core.search_rank import closest_name, names_whole, whole_name_first
from core.table import TrackTable


def _table(rows: list[tuple[str, str]]) -> TrackTable:
    table = TrackTable()
    for i, (title, artist) in enumerate(rows):
        table.upsert(Track(track_id=f"T{i:021d}", title=title, artists=[artist]))
    return table


ROWS = [("Black Beatles", "Rae Sremmurd"), ("Let It Be - Remastered 2009", "The Beatles"),
        ("Hello Kitty", "Avril Lavigne"), ("Hello", "Adele"), ("Runnin' Down A Dream", "Tom Petty and the Heartbreakers")]


@pytest.mark.parametrize(("query", "first"), [
    ("Beatles", 1), ("the beatles", 1), ("THE BEATLES!", 1), ("hello", 3), ("Let it be", 1), ("tom petty", 4),
])
def test_the_whole_name_leads(query: str, first: int) -> None:
    table = _table(ROWS)
    assert whole_name_first(table, [0, 1, 2, 3, 4], query)[0] == first


def test_partial_words_never_count_as_whole() -> None:
    table = _table(ROWS)
    assert not names_whole(table, 0, "beatles")  # "Black Beatles" holds the word, it is not the name
    assert not names_whole(table, 2, "hello")
    assert not names_whole(table, 3, "")  # nothing asked: nothing whole


@given(st.permutations(range(len(ROWS))), st.sampled_from(["beatles", "hello", "adele", "nothing here"]))
def test_a_reordering_only_moves_whole_names_up(order: list[int], query: str) -> None:
    table = _table(ROWS)
    out = whole_name_first(table, order, query)
    assert sorted(out) == sorted(order)  # same results, none lost or doubled
    whole = [p for p in out if names_whole(table, p, query)]
    assert out[: len(whole)] == [p for p in order if p in whole]  # whole names first, each group keeps its order
    assert out[len(whole):] == [p for p in order if p not in whole]


@pytest.mark.parametrize(("query", "pos", "name"), [
    ("beatels", 1, "The Beatles"), ("let it bee", 1, "Let It Be"), ("adel", 3, "Adele"), ("helo", 3, "Hello"),
])
def test_the_closest_name_is_said_as_the_catalog_spells_it(query: str, pos: int, name: str) -> None:
    assert closest_name(_table(ROWS), pos, query) == name
