""""like X but more Y" makes the move as a bounded step around X (core.anchor_step): every pick moves at least the
band's near edge, most stay before its far edge, for the plain and the personalised ranker; an anchored answer is not
locked to one release year (core.anchor_step.YEAR_SHARE)."""

from __future__ import annotations

import math

import pytest

from core.anchor_step import step_bands
from core.anchors import YEAR_SHARE, find_anchor, move_mask, move_targets, relative_moves
from core.engine import Engine
from core.models import Caller, Recommendation
from core.table import FEATURE_INDEX


def anchor_mean(engine: Engine, text: str, feature: str) -> float:
    anchor = find_anchor(text, engine.loaded.table, engine.loaded.refs)
    assert anchor is not None and anchor.seeds
    return float(engine.loaded.table.features[anchor.seeds, FEATURE_INDEX[feature]].mean())


@pytest.mark.parametrize(
    ("text", "feature", "delta"),
    [
        ("Something like The Weeknd but more upbeat", "valence", 0.2),
        ("Like Daddy Yankee but calmer", "energy", -0.2),
        ("Like Ed Sheeran but more acoustic", "acousticness", 0.3),
        ("Like Martin Garrix but more chilled out", "energy", -0.2),
        ("Músicas parecidas com Coldplay, mas mais tristes", "valence", -0.2),
        ("Like Kygo but more energetic", "energy", 0.2),
    ],
)
async def test_every_pick_makes_the_step_and_most_stay_within_it(engine: Engine, text: str, feature: str,
                                                                 delta: float) -> None:
    anchor = find_anchor(text, engine.loaded.table, engine.loaded.refs)
    assert anchor is not None
    deltas, _ = relative_moves(anchor.rest)
    assert deltas[feature] == pytest.approx(delta)
    band = step_bands(engine.loaded.table, anchor.seeds, deltas)[feature]
    assert band.step >= 0.05  # a real move (the room to the catalog's edge can shorten a long one)
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and rec.anchor is not None and len(rec.tracks) == 10
    values = [float(getattr(item.track, feature)) for item in rec.tracks]
    assert all(band.makes(values)), (text, values, band)
    t = engine.loaded.table
    std = float(t.features[: t.n, FEATURE_INDEX[feature]].std())
    if band.far_dist - band.near_dist >= 0.25 * std:  # a band with room (Coldplay sadder is squeezed at the edge)
        assert int(band.within(values).sum()) >= 6, (text, values, band)  # a step, not the extreme
    assert sum(rec.anchor.name in i.track.artists for i in rec.tracks) <= 2


async def test_the_move_holds_for_a_person_with_likes(engine: Engine) -> None:
    caller = Caller(user_id="u-moves", platform="console")
    liked = engine.loaded.table.ids[min(engine.loaded.table.artist_tracks[engine.loaded.table.artist_index["the weeknd"]])]
    await engine.app.feedback.like(caller, liked)
    text = "Something like The Weeknd but more upbeat"
    anchor = find_anchor(text, engine.loaded.table, engine.loaded.refs)
    assert anchor is not None
    band = step_bands(engine.loaded.table, anchor.seeds, relative_moves(anchor.rest)[0])["valence"]
    assert band.base == pytest.approx(anchor_mean(engine, text, "valence")) and band.step > 0
    rec = await engine.app.personal.recommend_text_for(caller, text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    assert all(float(i.track.valence) >= band.near - 1e-6 for i in rec.tracks)


def test_move_mask_is_one_sided_and_none_without_a_move(engine: Engine) -> None:
    t = engine.loaded.table
    anchor = find_anchor("like Queen but slower", t, engine.loaded.refs)
    assert anchor is not None
    deltas, cues = relative_moves(anchor.rest)
    assert cues == ["slower"]
    (base, target), = move_targets(t, anchor.seeds, deltas).values()
    mask = move_mask(t, anchor.seeds, deltas)
    tempo = t.features[: t.n, FEATURE_INDEX["tempo"]]
    assert mask is not None and mask.any() and target < base
    near = step_bands(t, anchor.seeds, deltas)["tempo"].near
    assert float(tempo[mask].max()) <= near + 1e-6 and near < base  # slower = at least the near edge, however much
    assert move_mask(t, anchor.seeds, {}) is None


async def test_an_anchor_moved_to_another_era_is_not_one_year(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("Songs like Bad Bunny but older, from before 2015, more upbeat")
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    years = [i.track.year for i in rec.tracks if i.track.year]
    assert all(y <= 2014 for y in years)
    assert max(years.count(y) for y in set(years)) <= math.ceil(YEAR_SHARE * 10)
