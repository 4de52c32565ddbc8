"""Numbers in text requests (core.text.numbers): feature values in 0–1, %, /10, dB, BPM and song lengths, with
comparisons in five languages; out-of-range values clamped with a note. Property-based where forms vary."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.models import TextQuery
from core.text import TextUnderstanding


@pytest.fixture(scope="module")
def tu() -> TextUnderstanding:
    return TextUnderstanding()  # parsing numbers needs no catalog


def q(tu: TextUnderstanding, text: str) -> TextQuery:
    result = tu.parse(text)
    assert isinstance(result, TextQuery), f"{text!r} was not understood: {result}"
    return result


FEATURE_WORDS = {
    "energy": ["energy", "energia", "énergie"],
    "valence": ["valence", "positivity"],
    "danceability": ["danceability", "danceable"],
    "acousticness": ["acousticness"],
    "instrumentalness": ["instrumentalness"],
    "speechiness": ["speechiness"],
    "liveness": ["liveness"],
}
MIN_WORDS = ["at least", "over", "above", "more than", "min", "mindestens", "au moins", "más de", "pelo menos"]
MAX_WORDS = ["under", "below", "less than", "at most", "max", "unter", "moins de", "menos de"]


@st.composite
def unit_value(draw: st.DrawFn) -> tuple[str, float]:
    """A 0–1 value as people write it: ``("35%", 0.35)``, ``("7/10", 0.7)``, ``("0.35", 0.35)``..."""
    form = draw(st.sampled_from(["decimal", "percent", "percent word", "tenths", "out of 10", "decimal comma"]))
    if form in ("percent", "percent word"):
        n = draw(st.integers(0, 100))
        return (f"{n}%" if form == "percent" else f"{n} percent"), n / 100
    if form in ("tenths", "out of 10"):
        n = draw(st.integers(0, 10))
        return (f"{n}/10" if form == "tenths" else f"{n} out of 10"), n / 10
    n = draw(st.integers(0, 100))
    text = f"0.{n:02d}" if n < 100 else "1.0"
    return (text.replace(".", ",") if form == "decimal comma" and n < 100 else text), n / 100


@settings(max_examples=150, deadline=None)
@given(feature=st.sampled_from(sorted(FEATURE_WORDS)), data=st.data())
def test_unit_feature_values_in_every_format(tu: TextUnderstanding, feature: str, data: st.DataObject) -> None:
    word = data.draw(st.sampled_from(FEATURE_WORDS[feature]))
    text, value = data.draw(unit_value())
    side = data.draw(st.sampled_from(["point", "min", "max", "tail min", "tail max"]))
    if side == "min":
        phrase = f"{word} {data.draw(st.sampled_from(MIN_WORDS))} {text}"
    elif side == "max":
        phrase = f"{word} {data.draw(st.sampled_from(MAX_WORDS))} {text}"
    elif side == "tail min":
        phrase = f"{word} {text} or higher"
    elif side == "tail max":
        phrase = f"{word} {text} or lower"
    else:
        phrase = f"{word} {text}"
    query = q(tu, f"songs with {phrase} please")
    lo, hi = query.ranges[feature]
    assert query.weights[feature] == 1.0
    if side.endswith("min"):
        assert lo == pytest.approx(value) and hi is None
        assert query.target[feature] >= value - 1e-9
    elif side.endswith("max"):
        assert hi == pytest.approx(value) and lo is None
        assert query.target[feature] <= value + 1e-9
    else:
        assert lo <= value + 1e-9 and value - 1e-9 <= hi and hi - lo <= 0.2 + 1e-9
        assert query.target[feature] == pytest.approx(value)
    assert not [n for n in query.notes if n.kind == "clamped"]


@settings(max_examples=60, deadline=None)
@given(bpm=st.integers(60, 200), tol=st.integers(1, 9))
def test_bpm_with_a_stated_tolerance(tu: TextUnderstanding, bpm: int, tol: int) -> None:
    query = q(tu, f"tracks at {bpm} BPM, give or take {tol}")
    assert (query.filters.tempo_min, query.filters.tempo_max) == (bpm - tol, bpm + tol)
    assert query.ranges["tempo"] == [bpm - tol, bpm + tol]


@settings(max_examples=60, deadline=None)
@given(db=st.integers(2, 30), louder=st.booleans())
def test_decibels_with_comparisons(tu: TextUnderstanding, db: int, louder: bool) -> None:
    query = q(tu, f"only tracks {'louder' if louder else 'quieter'} than -{db} dB")
    lo, hi = query.ranges["loudness"]
    if louder:
        assert lo == -db and hi is None and query.target["loudness"] > -db
    else:
        assert hi == -db and lo is None and query.target["loudness"] < -db


@pytest.mark.parametrize(
    ("text", "feature", "lo", "hi"),
    [
        ("Songs with energy around 30%, nothing intense.", "energy", 0.2, 0.4),
        ("Songs with valence 0.2 or lower.", "valence", None, 0.2),
        ("I want songs that are like 8/10 danceable.", "danceability", 0.7, 0.9),
        ("Only tracks quieter than -10 dB loudness.", "loudness", None, -10.0),
        ("Songs with acousticness above 0.8.", "acousticness", 0.8, None),
        ("Tracks where speechiness is over 0.33, basically rapping", "speechiness", 0.33, None),
        ("Energy at 9/10 or higher and tempo over 140 BPM.", "energy", 0.9, None),
        ("energy between 0.2 and 0.4", "energy", 0.2, 0.4),
        ("valence 20-40%", "valence", 0.2, 0.4),
        ("tempo over 140", "tempo", 140.0, None),
        ("around 90-100 bpm", "tempo", 90.0, 100.0),
        ("canciones con energía de al menos 80%", "energy", 0.8, None),
        ("Musik mit Energie unter 40%", "energy", None, 0.4),
        ("musique avec une valence d'au moins 0,6", "valence", 0.6, None),
    ],
)
def test_written_numbers(tu: TextUnderstanding, text: str, feature: str, lo: float | None, hi: float | None) -> None:
    query = q(tu, text)
    got = query.ranges[feature]
    assert (got[0] if lo is not None else None) == (pytest.approx(lo) if lo is not None else None)
    assert (got[1] if hi is not None else None) == (pytest.approx(hi) if hi is not None else None)
    if lo is None:
        assert got[0] is None
    if hi is None:
        assert got[1] is None


@pytest.mark.parametrize(
    ("text", "limit_ms", "side"),
    [
        ("Short songs, under two and a half minutes each.", 150_000, "max"),
        ("songs shorter than 3 minutes", 180_000, "max"),
        ("long tracks, more than 6 minutes", 360_000, "min"),
        ("canciones de menos de 3 minutos", 180_000, "max"),
        # minutes:seconds need no unit after a comparison ("under 2:30" was no request at all)
        ("songs under 2:30", 150_000, "max"),
        ("chill songs longer than 5:00", 300_000, "min"),
        ("upbeat songs under 2:30 louder than -5 dB", 150_000, "max"),
    ],
)
def test_song_length(tu: TextUnderstanding, text: str, limit_ms: int, side: str) -> None:
    lo, hi = q(tu, text).ranges["duration_ms"]
    assert (hi if side == "max" else lo) == pytest.approx(limit_ms)
    assert (lo if side == "max" else hi) is None


def test_a_time_of_day_is_no_song_length(tu: TextUnderstanding) -> None:
    query = q(tu, "party at 11:30 tonight")
    assert "duration_ms" not in query.ranges, query.ranges
    louder = q(tu, "upbeat songs under 2:30 louder than -5 dB")  # the length is not read as a loudness ("≤ -2 dB")
    assert louder.ranges["loudness"] == [-5.0, None], louder.ranges


@pytest.mark.parametrize(
    ("text", "feature", "used"),
    [
        ("valence 1.5 please", "valence", 1.0),
        ("energy 150%", "energy", 1.0),
        ("12/10 danceable", "danceability", 1.0),
        ("songs at 400 bpm", "tempo", 240.0),
        ("energy -0.3", "energy", 0.0),
        ("loudness +6 dB", "loudness", 0.0),
    ],
)
def test_out_of_range_values_are_clamped_and_said(tu: TextUnderstanding, text: str, feature: str, used: float) -> None:
    query = q(tu, text)
    assert query.target[feature] == pytest.approx(used, abs=0.06)
    notes = [n for n in query.notes if n.kind == "clamped" and n.subject == feature]
    assert notes, query.notes
    assert notes[0].text in query.cues[0]  # the reply shows it first


def test_numbers_next_to_names_are_not_feature_values(tu: TextUnderstanding) -> None:
    query = tu.parse("blink 182 live")
    assert not isinstance(query, TextQuery) or "liveness" not in query.ranges
    assert "valence" not in q(tu, "top 10 happy songs").ranges
    assert "energy" not in q(tu, "energy songs from the 90s").ranges


_PIECES = ["energy", "valence", "dB", "bpm", "%", "/10", "at least", "under", "or higher", "-", "0.5", "12", "1e9",
           "between", "and", "minutes", "2:30", "los 80", "années", "80er", "sin", "kein", ",", ".", "1,5", "−3", "½"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), min_size=1, max_size=12))
def test_any_mix_of_numbers_and_words_parses_without_crashing(tu: TextUnderstanding, parts: list[str]) -> None:
    from core.errors import InvalidInput
    from core.models import FEATURE_RANGES, NeedsClarification

    text = " ".join(parts)
    try:
        result = tu.parse(text)
    except InvalidInput:
        assert not text.strip()
        return
    assert isinstance(result, TextQuery | NeedsClarification)
    if isinstance(result, TextQuery):
        for name, value in result.target.items():
            lo, hi = FEATURE_RANGES[name]
            assert lo <= value <= hi
        for name, (low, high) in result.ranges.items():
            assert low is None or high is None or low <= high, (text, name, low, high)


@given(st.sampled_from(["nothing", "no songs", "no tracks", "nothing from", "no music released", "not"]),
       st.sampled_from(["before", "older than", "earlier than", "prior to"]),
       st.integers(min_value=1960, max_value=2019), st.sampled_from(["sad songs, ", "", "rock but "]))
@settings(max_examples=40, deadline=None)
def test_a_negated_lower_bound_is_a_start(tu: TextUnderstanding, neg: str, word: str, year: int, lead: str) -> None:
    # "sad songs but nothing older than 2015" was read as "older than 2015 → up to 2014"
    query = q(tu, f"{lead}{neg} {word} {year}")
    assert query.filters.year_min == year and query.filters.year_max is None, query.cues


@pytest.mark.parametrize(("text", "year_min", "year_max"), [
    ("nothing after 1999", None, 1999), ("no songs newer than 2005 please", None, 2005),
    ("nothing before the 90s", 1990, None), ("not after the 80s", None, 1989),
    ("songs before 2000", None, 1999), ("music older than 2010", None, 2009),  # not negated: as before
])
def test_negated_and_plain_era_bounds(tu: TextUnderstanding, text: str, year_min: int | None,
                                      year_max: int | None) -> None:
    query = q(tu, text)
    assert (query.filters.year_min, query.filters.year_max) == (year_min, year_max), query.cues
