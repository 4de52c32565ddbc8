"""The family rule of style refusals (core.genres.parent_genres), the refusal's words in a list's title
(core.genres.refused_cue), a follow-up that only names a language (core.text.language_choice.language_phrase), and a
refused style's sound beside what a request named (core.text.assembly)."""

from __future__ import annotations

import pytest

from core.genres import excluded_style_positions, parent_genres, refused_cue
from core.models import Track
from core.table import TrackTable
from core.text import TextUnderstanding
from core.text.language_choice import language_phrase


def test_a_genre_in_the_subgenre_name_is_its_family_not_a_synonym() -> None:
    assert parent_genres([("genre", "pop"), ("subgenre", "dance pop")]) == {("genre", "pop")}
    assert parent_genres([("genre", "latin"), ("genre", "pop"), ("subgenre", "latin pop")]) == {
        ("genre", "latin"), ("genre", "pop")}
    assert parent_genres([("genre", "rock"), ("subgenre", "hard rock")]) == {("genre", "rock")}


def test_a_genre_with_another_name_stays_refused() -> None:
    assert parent_genres([("genre", "rap"), ("subgenre", "hip hop")]) == set()  # "hip hop" is rap to a listener
    assert parent_genres([("genre", "pop")]) == set()  # "no pop" alone: the genre itself
    assert parent_genres([("genre", "pop"), ("subgenre", "popcorn")]) == set()  # whole words only


def test_the_refusal_is_worded_from_the_request() -> None:
    labels = {"genre:rap": -1.0, "subgenre:hip hop": -1.0, "subgenre:trap": -0.5}
    assert refused_cue(labels, ["not hip hop → few spoken words", "like X → artist"]) == "not hip hop"
    assert refused_cue(labels, []) == "not rap"
    assert refused_cue({"subgenre:trap": -0.5, "playlist:Rap": -1.0}, ["not trap"]) == ""  # a lean is no refusal


@pytest.mark.parametrize(("text", "code"), [
    ("in Spanish", "es"), ("auf Deutsch", "de"), ("en français por favor", "fr"), ("only Portuguese songs", "pt"),
    ("em português", "pt"), ("Deutsch bitte", "de"), ("in English please", "en"), ("italiano", "it"),
])
def test_a_follow_up_that_only_names_a_language(text: str, code: str) -> None:
    assert language_phrase(text) == code


@pytest.mark.parametrize("text", ["sad spanish songs", "latin", "more spanish rock", "ok", "korean songs", "", "in"])
def test_a_language_with_more_words_or_a_style_is_not_one(text: str) -> None:
    assert language_phrase(text) == ""


def _labelled(rows: list[tuple[str, str, str]]) -> TrackTable:
    """``(artist, genre, subgenre)`` per track."""
    table = TrackTable()
    for i, (artist, genre, sub) in enumerate(rows):
        table.upsert(Track(track_id=f"T{i:021d}", title=f"Song {i}", artists=[artist], genres=[genre],
                           subgenres=[sub]))
    return table


def test_a_refused_style_takes_the_subgenres_named_with_it_and_its_artists() -> None:
    rows = [("Rapper", "rap", "hip hop"), ("Rapper", "rap", "trap"), ("Rapper", "r&b", "urban contemporary"),
            ("Reggaetonero", "latin", "latin hip hop"), ("Crooner", "r&b", "neo soul"),
            ("Crooner", "r&b", "neo soul"), ("Crooner", "rap", "hip hop"), ("Crooner", "r&b", "neo soul"),
            ("Popstar", "pop", "dance pop")]
    table = _labelled(rows)
    out = excluded_style_positions(table, {"subgenre:hip hop": -1.0})
    assert {0, 3, 6} <= out  # tagged hip hop, and "latin hip hop" holds the words
    assert 8 not in out
    assert {4, 5, 7}.isdisjoint(out)  # one hip hop track of four: the crooner stays
    rap = excluded_style_positions(table, {"genre:rap": -1.0})
    assert {0, 1, 2} <= rap  # two of the rapper's three tracks are rap: the r&b-filed one goes too
    assert excluded_style_positions(table, {"genre:rap": -0.5}) == set()  # a lean is no refusal


def test_a_refused_style_leaves_its_sound_to_what_the_request_named(tu: TextUnderstanding) -> None:
    """"chill study music, no classical" read the refusal as energetic, electric music against chill and study; the
    refusal's mirrored sound now yields where it points against a named mood or activity, and stays where nothing
    named the feature or the named value is on its side ("party songs, no rap" / "dinner party music, no rap")."""
    chill = tu.parse("chill study music, no classical")
    assert chill.target["energy"] <= 0.5 and chill.target["instrumentalness"] >= 0.5, chill.target
    assert "not classical" in chill.cues  # said without a sound it does not ask for
    assert not any(c.startswith("not classical →") for c in chill.cues)
    party = tu.parse("Upbeat party songs, but no rap please.")
    assert party.target["speechiness"] <= 0.05 and any(c.startswith("not rap →") for c in party.cues), party.cues
    dinner = tu.parse("Background music for a dinner party with friends: nothing too loud, no rap.")
    assert dinner.target["speechiness"] <= 0.05, dinner.target
    alone = tu.parse("no classical")  # nothing named: the refusal's own sound stands
    assert any(c.startswith("not classical →") for c in alone.cues), alone.cues


@pytest.mark.parametrize(("text", "attribute"), [
    ("only female singers", "gender"), ("female vocals please", "gender"), ("voces femeninas", "gender"),
    ("with piano", "instrument"), ("more guitar", "instrument"),
    ("sad female singers", ""), ("in Spanish", ""), ("90s rock", ""), ("", ""),
])
def test_a_follow_up_that_only_names_an_attribute_without_data(text: str, attribute: str) -> None:
    from core.text.language_choice import attribute_phrase

    assert attribute_phrase(text) == attribute
