"""Reasons as data: every rendered fact agrees with the track's own values (property test over random catalogs),
playlist names are never shown as genres, and every adapter's reason line uses the one formatter."""

from __future__ import annotations

import json
import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console.render import recommendation_json, track_list
from adapters.discord.render import recommendation_embed
from adapters.telegram.render import recommendation_blocks
from core.explain import explain_similar, explain_text, format_reasons, own_labels, reason_text
from core.models import AUDIO_FEATURES, Reason, Recommendation, RecommendedTrack, TextQuery
from core.recommender import Recommender
from core.table import FEATURE_INDEX, TrackTable

TITLES = ["Levels", "Levels - Radio Edit", "Hotel California - 2013 Remaster", "Hotel California", "On & On", "Gasolina"]
ARTISTS = ["Avicii", "Eagles", "Erykah Badu", "Daddy Yankee", "D'Angelo"]
ALBUMS = ["Levels", "Greatest Hits", "Baduizm", "Barrio Fino", "Hotel California (Remastered)"]
SUBGENRES = ["neo soul", "big room", "classic rock", "reggaeton"]
GENRES = ["r&b", "edm", "rock", "latin"]
PLAYLISTS = ["Jazz Vibes", "Para Bailar", "Road Trip"]

# Word -> (feature, condition on the value) as Spotify's audio-features reference and core.explain state them.
WORDS = {
    "danceable": ("danceability", lambda v: v >= 0.7),
    "low danceability": ("danceability", lambda v: v <= 0.4),
    "danceability": ("danceability", lambda v: 0.4 < v < 0.7),
    "high energy": ("energy", lambda v: v >= 0.7),
    "low energy": ("energy", lambda v: v <= 0.35),
    "energy": ("energy", lambda v: 0.35 < v < 0.7),
    "bright valence": ("valence", lambda v: v >= 0.65),
    "dark valence": ("valence", lambda v: v <= 0.35),
    "valence": ("valence", lambda v: 0.35 < v < 0.65),
    "acoustic": ("acousticness", lambda v: v >= 0.5),
    "acousticness": ("acousticness", lambda v: v < 0.5),
    "instrumental": ("instrumentalness", lambda v: v >= 0.5),
    "instrumentalness": ("instrumentalness", lambda v: 0.1 <= v < 0.5),
    "rap/spoken": ("speechiness", lambda v: v >= 0.33),
    "speechiness": ("speechiness", lambda v: v < 0.33),
    "live recording": ("liveness", lambda v: v >= 0.8),
    "liveness": ("liveness", lambda v: v < 0.8),
}
FACT_VALUE = re.compile(r"^(?P<word>[a-z/ ]+) (?P<value>\d\.\d\d)(?: \(asked [^)]*\))?$")


def song_year(table: TrackTable, p: int) -> int:
    """The year an era fact may give for ``p``: its original year, unless the earliest version is dated earlier than
    this one only by a compilation (then the first trustworthy release, else its own year)."""
    orig, year = table.original_year(p), int(table.year[p])
    return (table.first_release_year(p) or year) if orig < year else orig


def check_fact(fact: str, table: TrackTable, p: int, refs: list[int]) -> None:
    """Assert one rendered fact is true of position ``p`` (and of the references where it names them)."""
    f = {name: float(table.features[p, FEATURE_INDEX[name]]) for name in AUDIO_FEATURES}
    fact = re.sub(r" \(asked [^)]*\)$", "", fact)
    ref_years = {table.original_year(r) for r in refs}
    if m := re.fullmatch(r"(\d+) BPM", fact):
        assert int(m[1]) == round(f["tempo"]), fact
    elif fact in ("minor key", "major key"):
        assert (f["mode"] < 0.5) == (fact == "minor key"), fact
    elif m := re.fullmatch(r"(-?\d+\.\d) dB", fact):
        assert abs(float(m[1]) - f["loudness"]) <= 0.051, fact
    elif fact == "vocal":
        assert f["instrumentalness"] < 0.1, fact
    elif m := FACT_VALUE.fullmatch(fact):
        feature, holds = WORDS[m["word"]]
        value = f[feature]
        assert abs(float(m["value"]) - value) <= 0.0051 and holds(value), (fact, value)
    elif fact.startswith("same artist: "):
        name = fact.removeprefix("same artist: ")
        assert name in table.artists[p] and any(name in table.artists[r] for r in refs), fact
    elif fact.startswith("often playlisted with "):
        name = fact.removeprefix("often playlisted with ")
        assert any(name in table.artists[r] for r in refs) and name not in table.artists[p], fact
    elif m := re.fullmatch(r"same (genre|subgenre): (.+)", fact):
        assert m[2] in table.label_strings(p, m[1]) and any(m[2] in table.label_strings(r, m[1]) for r in refs), fact
    elif fact == "on a playlist with the seed":
        assert set(table.label_strings(p, "playlist")) & {x for r in refs for x in table.label_strings(r, "playlist")}
    elif m := re.fullmatch(r"(\d{4}), like the seed", fact):
        assert int(m[1]) == song_year(table, p) and int(m[1]) in ref_years, fact
    elif m := re.fullmatch(r"(\d{4}) \(seed (\d{4})\)", fact):
        assert int(m[1]) == song_year(table, p) and int(m[2]) in ref_years, fact
    elif m := re.fullmatch(r"(\d{4}) \(album date(?:; first release (\d{4}))?\)", fact):
        assert int(m[1]) == int(table.year[p]) and table.year_is_album_date(p), fact
        if m[2]:  # only a trustworthy date is a first release, not an earlier compilation's (Journey's 1978 hits)
            assert int(m[2]) == table.first_release_year(p) < int(m[1]), fact
    elif m := re.fullmatch(r"(genre|subgenre): (.+)", fact):
        assert m[2] in table.label_strings(p, m[1]), fact
        assert (m[1], m[2]) in {table.label_names[lid] for lid in own_labels(table, p)}, fact  # the track's own
    elif m := re.fullmatch(r"on a playlist tagged (.+)", fact):
        assert m[1] in table.label_strings(p, "genre") + table.label_strings(p, "subgenre"), fact
    elif m := re.fullmatch(r'in the catalog playlist "(.+)"', fact):
        assert m[1] in table.label_strings(p, "playlist"), fact
    elif m := re.fullmatch(r"(\d{4})", fact):
        assert int(m[1]) in (int(table.year[p]), table.original_year(p)), fact
    elif fact.startswith("by "):
        assert fact.removeprefix("by ") in table.artists[p], fact
    else:
        assert fact in ("similar overall sound", "matches your request"), f"unchecked fact: {fact!r}"


unit = st.floats(0, 1, allow_nan=False)
track = st.fixed_dictionaries(
    {
        "title": st.sampled_from(TITLES),
        "artists": st.lists(st.sampled_from(ARTISTS), min_size=1, max_size=2, unique=True),
        "album": st.sampled_from(ALBUMS),
        "year": st.integers(1965, 2020) | st.just(0),
        "features": st.tuples(
            unit, unit, st.integers(-1, 11), st.floats(-40, 1), st.integers(0, 1),
            unit, unit, unit, unit, unit, st.floats(40, 220),
        ),
        "labels": st.lists(
            st.sampled_from([("subgenre", s) for s in SUBGENRES] + [("genre", g) for g in GENRES]
                            + [("playlist", p) for p in PLAYLISTS]),
            max_size=4,
            unique=True,
        ),
    }
)


def build(tracks: list[dict]) -> TrackTable:
    rows, labels = [], []
    for i, tr in enumerate(tracks):
        tid = f"t{i:021d}"
        rows.append((tid, tr["title"], json.dumps(tr["artists"]), tr["album"], str(tr["year"] or ""), tr["year"],
                     50, 200_000, *tr["features"]))
        labels.extend((tid, kind, label, f"pl-{label}" if kind == "playlist" else "") for kind, label in tr["labels"])
    return TrackTable.from_rows(rows, labels)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(track, min_size=4, max_size=14), st.data())
def test_every_similar_fact_agrees_with_the_track(tracks: list[dict], data: st.DataObject) -> None:
    table = build(tracks)
    rec = Recommender(table)
    refs = data.draw(st.lists(st.integers(0, table.n - 1), min_size=1, max_size=3, unique=True))
    results = rec.similar(refs, limit=10)
    for s in results:
        assert s.reason == format_reasons(s.reasons)
        for fact in s.reason.split(" · "):
            check_fact(fact, table, s.pos, refs)
        shown = s.reason.lower()
        for name in PLAYLISTS:  # playlist names are never shown (as genres or otherwise) in a radio's reasons
            assert name.lower() not in shown
    # the same facts straight from the explain module, for picks the ranker might not have chosen
    for p, facts in zip(range(table.n), explain_similar(table, refs, list(range(table.n)), rec.graph)):
        for fact in format_reasons(facts, max_facts=99).split(" · "):
            check_fact(fact, table, p, refs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(track, min_size=3, max_size=10),
    st.dictionaries(st.sampled_from(["energy", "valence", "acousticness", "instrumentalness", "tempo", "mode"]),
                    st.floats(0, 1), max_size=4),
    st.lists(st.sampled_from([f"subgenre:{s}" for s in SUBGENRES] + [f"playlist:{p}" for p in PLAYLISTS]), max_size=2),
)
def test_every_text_fact_agrees_with_the_track(tracks: list[dict], target: dict, labels: list[str]) -> None:
    table = build(tracks)
    if "tempo" in target:
        target["tempo"] = 60 + 120 * target["tempo"]
    query = TextQuery(text="x", target=target, weights={k: 1.0 for k in target}, labels={k: 1.0 for k in labels})
    for p in range(table.n):
        for fact in format_reasons(explain_text(table, p, query), max_facts=99).split(" · "):
            check_fact(fact, table, p, [])
            for name in PLAYLISTS:  # a playlist name only ever appears named as a playlist
                if name in fact:
                    assert fact.startswith("in the catalog playlist")


def test_reason_never_claims_instrumental_on_a_vocal_track() -> None:
    assert format_reasons([Reason(kind="feature", feature="instrumentalness", value=0.02, target=0.9)]) == "vocal"
    assert format_reasons([Reason(kind="asked_feature", feature="instrumentalness", value=0.3, target=0.9)]) == (
        "instrumentalness 0.30 (asked 0.9)"
    )
    line = format_reasons([
        Reason(kind="feature", feature="tempo", value=96.2),
        Reason(kind="feature", feature="mode", value=0),
        Reason(kind="feature", feature="acousticness", value=0.81),
        Reason(kind="label", feature="subgenre", label="neo soul"),
    ])
    assert line == "96 BPM · minor key · acoustic 0.81 · same subgenre: neo soul"


def test_every_adapter_reason_line_uses_the_shared_formatter() -> None:
    table = build([
        {"title": "A", "artists": ["X"], "album": "", "year": 1999, "labels": [],
         "features": (0.5, 0.5, 1, -5.0, 0, 0.05, 0.81, 0.0, 0.1, 0.5, 96.0)},
    ])
    facts = [Reason(kind="feature", feature="tempo", value=96.0), Reason(kind="feature", feature="mode", value=0.0)]
    item = RecommendedTrack(track=table.track(0), score=1.0, reason="stale text", reasons=facts)
    rec = Recommendation(kind="similar", tracks=[item])
    expected = "96 BPM · minor key"
    assert reason_text(item) == expected
    assert expected in "\n".join(recommendation_blocks(rec))
    assert expected in (recommendation_embed(rec).description or "")
    assert expected in track_list(rec)
    assert json.loads(recommendation_json(rec))[0]["reason"] == expected
    # free text (e.g. an LLM's reason) still shows when there are no structured reasons
    assert reason_text(RecommendedTrack(track=table.track(0), score=1.0, reason="picked by the model")) == (
        "picked by the model"
    )


def test_feature_facts_round_like_the_track() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        v = float(rng.random())
        fact = format_reasons([Reason(kind="feature", feature="energy", value=v)])
        assert abs(float(fact.split()[-1]) - v) <= 0.0051


def test_reason_words_answer_the_ask_and_labels_show_clean() -> None:
    """A worded fact ("vocal") is not followed by a meaningless "(asked 0.01)"; a number is; playlist names lose
    invisible characters and are clipped."""
    from core.explain import format_reason, shown_label
    from core.models import Reason

    assert format_reason(Reason(kind="asked_feature", feature="instrumentalness", value=0.0, target=0.01)) == "vocal"
    assert "(asked 120 BPM)" in format_reason(Reason(kind="asked_feature", feature="tempo", value=118.0, target=120.0))
    assert shown_label("Crossfit\u200f\u200f\u200b\u200b \u200d") == "Crossfit"
    assert len(shown_label("x" * 130)) == 60
    assert format_reason(Reason(kind="asked_label", feature="playlist", label="Gym\u200b  Hits")) == 'in the catalog playlist "Gym Hits"'
