"""Word-level rules behind the blind-listener fixes: lyrics-language adjectives are attributes without data, sub-styles
the catalog may lack are recognised with their family, and "French house" / artist names are not language asks."""

from __future__ import annotations

import pytest

from core.coverage import LYRICS_LANGUAGE, PARENT, STYLES, find_styles, no_data_attributes


@pytest.mark.parametrize("text", [
    "musique française des années 80", "musique française pour danser", "French songs for a dinner",
    "chansons françaises", "deutsche Musik zum Tanzen", "Deutsche Lieder", "música francesa", "rap français",
    "canciones en español", "Italian music please", "korean songs",
])
def test_lyrics_language_asks_are_named(text: str) -> None:
    assert LYRICS_LANGUAGE in no_data_attributes(text)


@pytest.mark.parametrize("text", ["french house", "pop music", "Spanish guitar vibes", "songs for dancing",
                                  "musique calme", "deutscher Hip Hop"])
def test_no_language_ask_where_there_is_none(text: str) -> None:
    assert LYRICS_LANGUAGE not in no_data_attributes(text)


@pytest.mark.parametrize(("text", "style"), [
    ("boom bap please", "boom bap"), ("old school hip hop from the 90s", "boom bap"), ("some G-Funk", "g-funk"),
    ("trip-hop for the night", "trip hop"), ("new wave classics", "new wave"), ("shoegaze", "shoegaze"),
])
def test_sub_styles_are_found_with_a_family(text: str, style: str) -> None:
    found = [s for s, _phrase, negated in find_styles(text) if not negated]
    assert found[:1] == [style]
    assert PARENT[style] in STYLES  # the family is itself a known style, so its catalog labels can be found


def test_negated_sub_style_is_not_asked() -> None:
    assert find_styles("hip hop but no boom bap") == [("hip hop", "hip hop", False), ("boom bap", "boom bap", True)]
