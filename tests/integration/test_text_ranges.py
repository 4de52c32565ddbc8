"""Numbers a request states are hard: ``TextQuery.ranges`` (feature values, BPM bounds in five languages, song
length) filter the text ranker's picks on the shipped catalog and on a label-stripped copy; when fewer tracks than
asked are in range, those come first (core.ranges, Recommender.from_text)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from core.coverage import coverage_text, year_span
from core.engine import Engine
from core.models import Recommendation, TextQuery
from core.ranges import range_mask
from core.table import FEATURE_INDEX
from core.text_eval import strip_labels_copy


def values(rec: Recommendation, name: str) -> list[float]:
    if name == "duration_ms":
        return [float(i.track.duration_ms) for i in rec.tracks]
    return [float(getattr(i.track, name)) for i in rec.tracks]


@pytest.mark.parametrize(
    ("text", "feature", "low", "high"),
    [
        ("songs longer than 6 minutes", "duration_ms", 360_000, None),
        ("short songs, under two minutes", "duration_ms", None, 120_000),
        ("party songs with valence under 0.3", "valence", None, 0.3),
        ("chill tracks, energy at most 30%", "energy", None, 0.3),
        ("danceability 9/10 or more", "danceability", 0.85, None),
        ("canciones con más de 140 BPM para correr", "tempo", 140, None),
        ("des chansons tristes, moins de 90 BPM", "tempo", None, 90),
        ("Musik zum Joggen, über 150 BPM", "tempo", 150, None),
        ("músicas com pelo menos 160 bpm", "tempo", 160, None),
        ("mood 2/10, really sad", "valence", None, 0.3),
    ],
)
async def test_stated_numbers_filter_every_pick(engine: Engine, text: str, feature: str, low: float | None,
                                                high: float | None) -> None:
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10, text
    for v in values(rec, feature):
        assert low is None or v >= low, (text, v)
        assert high is None or v <= high, (text, v)


@pytest.mark.parametrize(("text", "key", "mode"), [("songs in D minor", 2, 0), ("upbeat songs in F# major", 6, 1),
                                                   ("chill music in the key of A minor", 9, 0),
                                                   ("sad songs in a minor key", None, 0)])
async def test_a_key_asked_is_the_key_of_every_pick(engine: Engine, text: str, key: int | None, mode: int) -> None:
    # a key is a category: C♯ minor is not "close to" D minor (7 of 10 picks were, when the key was only a target)
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10, text
    assert all(i.track.mode == mode and (key is None or i.track.key == key) for i in rec.tracks), [
        (i.track.key, i.track.mode) for i in rec.tracks]


async def test_ranges_hold_on_a_catalog_without_labels(shipped_db: Path, tmp_path: Path) -> None:
    stripped = await strip_labels_copy(shipped_db, tmp_path / "bare.db")
    eng = await Engine.open(stripped, seed=False)
    try:
        rec = await eng.app.discovery.recommend_text("sad songs with valence below 0.2 and over 120 bpm")
        assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
        assert all(i.track.valence <= 0.2 and i.track.tempo >= 120 for i in rec.tracks)
    finally:
        await eng.close()


async def test_too_few_in_range_puts_those_first_then_fills(engine: Engine) -> None:
    t = engine.loaded.table
    # a range only a handful of catalog tracks meet: liveness at least the 5th highest value
    live = np.sort(t.features[: t.n, FEATURE_INDEX["liveness"]][t.alive[: t.n]])
    ranges = {"liveness": [float(live[-5]), None]}
    inside = range_mask(t, ranges)
    assert inside is not None and 0 < int(inside.sum()) < 10
    query = TextQuery(text="live rap", target={"energy": 0.8}, weights={"energy": 0.5}, ranges=ranges)
    picked = engine.loaded.recommender.from_text(query, limit=10)
    assert len(picked) == 10
    first = [s.pos for s in picked[: int(inside.sum())]]
    assert all(inside[p] for p in first)  # every in-range track before any other
    assert not all(inside[s.pos] for s in picked)


def test_range_mask_ignores_unknown_features_and_open_ranges(engine: Engine) -> None:
    t = engine.loaded.table
    assert range_mask(t, {}) is None
    assert range_mask(t, {"colour": [0.1, 0.2]}) is None
    assert range_mask(t, {"energy": [None, None]}) is None
    mask = range_mask(t, {"energy": [0.5, 0.6]})
    e = t.features[: t.n, FEATURE_INDEX["energy"]]
    assert mask is not None and mask.sum() == int((t.alive[: t.n] & t.known[: t.n, FEATURE_INDEX["energy"]]
                                                   & (e >= 0.5) & (e <= 0.6)).sum())


@pytest.mark.parametrize("text", ["chill songs from 2030", "rock from 2025", "songs released in 2021",
                                  "chill songs from the year 2030"])
async def test_a_year_past_the_catalog_is_said_once_never_dropped(engine: Engine, text: str) -> None:
    # "from 2030" was dropped silently (the year parser stopped at the catalog's newest year + 1); now the year is
    # read and the first line says the catalog holds nothing from it, once, as one year
    year = re.search(r"20\d\d", text).group()
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10, text
    first = coverage_text(rec.coverage)  # the reply's first line (core.coverage)
    assert f"nothing from {year} " in first + " " and first.count(year) == 1, first
    assert [n.kind for n in rec.coverage].count("era") == 1 and f"{year}–{year}" not in first


@pytest.mark.parametrize(("text", "feature", "low", "high"), [
    ("like Bohemian Rhapsody but under 4 minutes", "duration_ms", None, 240_000),
    ("like Metallica but under 140 bpm", "tempo", None, 140),
    ("like Adele but energy below 40%", "energy", None, 0.4),
])
async def test_numbers_hold_around_an_anchor(engine: Engine, text: str, feature: str, low: float | None,
                                             high: float | None) -> None:
    # the first line said "length ≤ 4:00" above Kashmir (8½ minutes): the anchored path ignored the stated numbers
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10, text
    assert rec.summary.startswith("Like "), rec.summary
    for v in values(rec, feature):
        assert (low is None or v >= low) and (high is None or v <= high), (text, v)


def test_year_spans_read_as_years() -> None:
    assert [year_span(*s) for s in ((2030, 2030), (1990, 1999), (2015, None), (None, 1979))] == [
        "2030", "1990–1999", "2015 or later", "1979 or earlier"]
