"""The reason wording tables (core.reason_words) and the formatter in a language (core.reason_format): every
language words every fact the English table does, with the same fields; a list's reasons are re-worded from their
data, a "closest alternative" pick stays one, an LLM's own words are kept. Hypothesis varies the facts."""

from __future__ import annotations

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from core.models import Reason, Recommendation, RecommendedTrack, Track
from core.reason_format import FEATURE_WORDS, format_reason, format_reasons, localize, reason_text
from core.reason_words import REASON_WORDS

FIELDS = string.Formatter()
KINDS = ["feature", "asked_feature", "anchor_feature", "artist", "related_artist", "asked_artist", "label",
         "asked_label", "era", "album_date", "taste", "search", "sound", "request", "no_features", "evidence", "popular"]
FEATURES = [*FEATURE_WORDS, "tempo", "loudness", "mode", "genre", "subgenre", "playlist", "playlist genre", "title",
            "album", "artist", "labels"]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in FIELDS.parse(template) if name}


def test_every_language_has_every_wording_with_the_same_fields() -> None:
    en = REASON_WORDS["en"]
    for lang, words in REASON_WORDS.items():
        assert set(words) == set(en), (lang, set(en) ^ set(words))
        for key, template in words.items():
            assert _fields(template) == _fields(en[key]), (lang, key)


@given(kind=st.sampled_from(KINDS), feature=st.sampled_from(FEATURES),
       value=st.one_of(st.none(), st.floats(0, 1), st.floats(40, 220), st.integers(1950, 2021).map(float)),
       target=st.one_of(st.none(), st.floats(0, 1), st.integers(1950, 2021).map(float)),
       label=st.sampled_from(["neo soul", "Coldplay", "Jazz Vibes", "salsa"]), lang=st.sampled_from(list(REASON_WORDS)))
def test_a_fact_keeps_its_numbers_and_names_in_every_language(kind: str, feature: str, value: float | None,
                                                              target: float | None, label: str, lang: str) -> None:
    reason = Reason(kind=kind, feature=feature, value=value, target=target, label=label)
    en, said = format_reason(reason), format_reason(reason, lang)
    assert said and "{" not in said
    assert re.findall(r"-?\d+(?:\.\d+)?", said) == re.findall(r"-?\d+(?:\.\d+)?", en), (en, said)
    if label in en:
        assert label in said


def _item(reason: str, reasons: list[Reason]) -> RecommendedTrack:
    return RecommendedTrack(track=Track(track_id="t1", title="Song", artists=["Someone"], energy=0.2), score=1.0,
                            reason=reason, reasons=reasons)


def test_a_list_is_reworded_from_its_facts() -> None:
    facts = [Reason(kind="artist", label="Epektase"), Reason(kind="feature", feature="valence", value=0.13)]
    evidence = [Reason(kind="evidence", feature="title", label="salsa")]
    rec = Recommendation(tracks=[
        _item(format_reasons(facts), facts),
        _item("closest alternative: " + format_reasons(facts), facts),  # marked by the coverage check
        _item("closest alternative", [Reason(kind="request")]),
        _item(format_reasons(evidence), evidence),
        _item("picked for your request", []),
        _item("un choix du modèle", []),  # an LLM's own words
    ])
    assert localize(rec, "en") is rec and localize(rec, "xx") is rec
    es = localize(rec, "es")
    assert es.lang == "es" and localize(es, "es") is es and localize(es, "fr") is es
    w = REASON_WORDS["es"]
    lines = [i.reason for i in es.tracks]
    assert lines[0] == f"{w['artist'].format(x='Epektase')} · {w['dark valence']} 0.13"
    assert lines[1] == w["alternative of"].format(x=lines[0])
    assert lines[2] == w["alternative"]
    assert lines[3] == w["alternative of"].format(x=w["names title"].format(x="salsa"))
    assert lines[4] == w["picked"] and lines[5] == "un choix du modèle"
    # adapters word the facts the same way from the data (the English rendering is unchanged)
    assert [reason_text(i, "es") for i in rec.tracks] == lines
    assert [reason_text(i) for i in rec.tracks] == [format_reasons(i.reasons) if i.reasons else i.reason
                                                    for i in rec.tracks]
    assert [t.track for t in es.tracks] == [t.track for t in rec.tracks]  # presentation only
