"""Counts agree with their nouns in every language's reply lines (issue 10: a chart caption said "1 tracks")."""

from __future__ import annotations

import re

import pytest

from core.models import Recommendation, RecommendedTrack, Track
from core.reply_words import LANGS, REPLY_WORDS, say

#: Lines whose count is more than one by construction (their "one" line is another key, or a limit / capacity).
MANY_BY_CONSTRUCTION = {"n tracks", "n playlists", "n links", "pl added many", "pl already many", "pl removed many",
                        "pl at most", "pl add at most", "pl remove at most", "dc at most songs", "pl full",
                        "pl too many", "dc footer", "dc playlists footer"}


@pytest.mark.parametrize("lang", LANGS)
def test_no_line_puts_a_bare_count_before_a_plural_noun(lang: str) -> None:
    bad = []
    for one, many in (("1 track", "n tracks"), ("1 playlist", "n playlists"), ("1 link", "n links")):
        singular = say(one, lang, n=1).split(" ", 1)[1]
        plural = say(many, lang, n=2).split(" ", 1)[1]
        if singular == plural:  # "1 Titel" / "2 Titel": nothing can disagree
            continue
        rx = re.compile(r"\{(n|count|total)\}(?:/\{cap\})? " + re.escape(plural) + r"\b")
        bad += [(k, v) for k, v in REPLY_WORDS[lang].items() if k not in MANY_BY_CONSTRUCTION and rx.search(v)]
    assert not bad, bad


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", ["chart features for", "chart features last", "chart like one", "chart for"])
def test_a_one_track_caption_says_one_track(lang: str, key: str) -> None:
    one = say(key, lang, n=1, q="chill", names="“X”")
    two = say(key, lang, n=2, q="chill", names="“X”")
    assert say("1 track", lang, n=1) in one, one
    assert say("n tracks", lang, n=2) in two, two


async def test_the_list_chart_caption_of_one_track() -> None:
    from core import chart_replies

    track = Track(track_id="t1", title="Song", artists=["Artist"], energy=0.5)
    rec = Recommendation(kind="text", query="chill", tracks=[RecommendedTrack(track=track, score=1.0, reason="")])
    for lang in LANGS:
        reply = await chart_replies.list_chart_reply(rec, lang=lang)
        assert say("1 track", lang, n=1) in reply.text and say("n tracks", lang, n=1) not in reply.text.replace(
            say("1 track", lang, n=1), ""), reply.text


@pytest.mark.parametrize("lang", LANGS)
def test_a_sparse_style_of_one_track_says_one_track(lang: str) -> None:
    from core.coverage import coverage_line
    from core.models import CoverageNote

    for note in (CoverageNote(requested="polka", kind="sparse", found_count=1, lang=lang),
                 CoverageNote(requested="polka from 1970–1979", kind="sparse", found_count=1, lang=lang),
                 CoverageNote(requested="polka", kind="sparse", found_count=1, via="Weird Al", lang=lang)):
        line = coverage_line(note)
        assert say("1 track", lang, n=1) in line, line
        if say("n tracks", lang, n=1) != say("1 track", lang, n=1):
            assert say("n tracks", lang, n=1) not in line, line


@pytest.mark.parametrize("lang", LANGS)
def test_one_track_in_the_language_asked_is_said_in_the_singular(lang: str) -> None:
    from core.text.language_lines import some_in_language
    from core.text.title_language import by_titles

    one, two = some_in_language("pt", lang, 1), some_in_language("pt", lang, 2)
    assert one != two.replace("2", "1")  # the verb (and noun) agree with one
    assert by_titles("pt", lang, 1) != by_titles("pt", lang, 2).replace("2", "1")
