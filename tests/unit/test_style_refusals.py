"""The family rule of style refusals (core.genres.parent_genres), the refusal's words in a list's title
(core.genres.refused_cue) and a follow-up that only names a language (core.text.language_choice.language_phrase)."""

from __future__ import annotations

import pytest

from core.genres import parent_genres, refused_cue
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
