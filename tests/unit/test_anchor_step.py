"""The step rule of "like X but MOVE" (core.anchor_step): one step is the move's own size, bounded by the room the
anchor has toward the catalog's edge of the feature; a track makes the move from the band's near edge on and costs a
little past its far edge, so the anchor's style (the pool's score) decides among the tracks that move."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.anchor_step import (
    EDGE_QUANTILE,
    FAR,
    FAR_DEFAULT,
    FAR_ROOM,
    NEAR,
    NEAR_DEFAULT,
    OWN_MAX,
    ROOM_SHARE,
    move_mask,
    move_targets,
    own_in_band,
    shift_around,
    step_bands,
    step_size,
    with_own,
)
from core.recommender import Scored
from core.steps import STEP, TEMPO_STEP
from core.table import FEATURE_INDEX, TrackTable


def table(rows: list[tuple[str, float, float]]) -> TrackTable:
    """Tracks ``(artist, tempo, acousticness)``, every other feature equal; years 2000, 2001, … (no year cap)."""
    out = []
    for i, (artist, tempo, acoustic) in enumerate(rows):
        feats = (0.6, 0.7, 1, -5.0, 1, 0.05, acoustic, 0.0, 0.1, 0.5, tempo)
        out.append((f"t{i:021d}", f"Song {i}", json.dumps([artist]), "", str(2000 + i), 2000 + i, 50, 200_000, *feats))
    return TrackTable.from_rows(out, [])


def spread() -> TrackTable:
    """An anchor "A" at 114 BPM / acousticness 0.18 (positions 0–1) amid 60–200 BPM, acousticness 0–0.9."""
    rows = [("A", 114.0, 0.18), ("A", 114.0, 0.18)]
    rows += [(f"B{i}", 60.0 + 140.0 * i / 39, 0.9 * (i % 10) / 9) for i in range(40)]
    return table(rows)


def test_a_step_is_the_moves_size_when_the_anchor_has_room() -> None:
    assert step_size(-TEMPO_STEP, 114.0, "tempo", 60.0) == pytest.approx(114.0 * TEMPO_STEP)  # 17 BPM
    assert step_size(STEP, 0.3, "valence", 0.97) == pytest.approx(STEP)
    assert step_size(STEP, 0.3, "valence", None) == pytest.approx(STEP)


def test_a_step_never_clamps_a_skewed_feature_to_its_edge() -> None:
    # "more electronic" from acousticness 0.18 toward a catalog edge of 0.0: half the way, not the 0.3 asked
    assert step_size(-1.5 * STEP, 0.18, "acousticness", 0.0) == pytest.approx(ROOM_SHARE * 0.18)
    assert step_size(-STEP, 0.01, "acousticness", 0.02) == 0.0  # already past the edge: no step


def test_bands_are_measured_from_the_anchors_mean() -> None:
    t = spread()
    tempo = step_bands(t, [0, 1], {"tempo": -TEMPO_STEP})["tempo"]
    assert (tempo.base, tempo.direction, tempo.step) == pytest.approx((114.0, -1.0, 114.0 * TEMPO_STEP))
    assert tempo.near == pytest.approx(114.0 * (1 - NEAR["tempo"] * TEMPO_STEP)) == pytest.approx(102.6)  # 10 % slower
    assert tempo.far == pytest.approx(114.0 * (1 - FAR["tempo"] * TEMPO_STEP)) == pytest.approx(85.5)  # 25 % slower
    acoustic = step_bands(t, [0, 1], {"acousticness": -0.3})["acousticness"]
    edge = float(np.quantile(t.features[: t.n, FEATURE_INDEX["acousticness"]], EDGE_QUANTILE))
    assert acoustic.step == pytest.approx(ROOM_SHARE * (0.18 - edge))
    assert acoustic.near_dist == pytest.approx(NEAR_DEFAULT * acoustic.step)
    assert acoustic.far_dist == pytest.approx(min(FAR_DEFAULT * acoustic.step, FAR_ROOM * (0.18 - edge)))
    assert acoustic.far > edge  # the far edge is short of the catalog's least acoustic tracks
    assert move_targets(t, [0, 1], {"tempo": -TEMPO_STEP}) == {"tempo": pytest.approx((114.0, tempo.near))}
    assert step_bands(t, [0, 1], {}) == {} and step_bands(t, [], {"tempo": -0.15}) == {}


def test_the_move_mask_starts_at_the_near_edge_however_far_a_track_goes() -> None:
    t = spread()
    mask = move_mask(t, [0, 1], {"tempo": -TEMPO_STEP})
    assert mask is not None and move_mask(t, [0, 1], {}) is None
    tempo = t.features[: t.n, FEATURE_INDEX["tempo"]]
    near = step_bands(t, [0, 1], {"tempo": -TEMPO_STEP})["tempo"].near
    assert np.array_equal(mask, tempo <= near + 1e-9)
    assert mask[int(np.argmin(tempo))]  # the slowest track of all still makes the move


def test_a_gentle_step_in_the_anchors_scene_outranks_the_extreme() -> None:
    t = table([("A", 114.0, 0.1), ("Near", 100.0, 0.1), ("Far", 62.0, 0.1), ("Same", 113.0, 0.1),
               *((f"F{i}", 80.0 + i, 0.1) for i in range(12))])
    pool = [Scored(1, 0.9, ""), Scored(2, 0.8, ""), Scored(3, 0.95, "")] + [Scored(p, 0.5, "") for p in range(4, 16)]
    ranked = shift_around(t, [0], pool, {"tempo": -TEMPO_STEP}, {}, limit=10)
    names = [t.artists[s.pos][0] for s in ranked]
    assert names[0] == "Near"  # 12 % slower and in style first; the old rule cut it (short of a full 15 % step)
    assert "Same" not in names  # not slower: dropped while enough others make the move
    assert "Far" not in names[:1]
    # equally similar: 12 % slower before 46 % slower (past the far edge costs), both make the move
    both = shift_around(t, [0], [Scored(2, 0.9, ""), Scored(1, 0.9, "")], {"tempo": -TEMPO_STEP}, {}, limit=2)
    assert [t.artists[s.pos][0] for s in both] == ["Near", "Far"] and both[0].score > both[1].score


def test_the_anchors_own_songs_in_the_band_and_at_most_two_of_them() -> None:
    t = spread()
    t2 = table([("A", 114.0, 0.2), ("A", 100.0, 0.2), ("A", 98.0, 0.2), ("A", 70.0, 0.2), ("A", 112.0, 0.2),
                ("B", 90.0, 0.2), ("C", 130.0, 0.2), ("D", 60.0, 0.9)])
    deltas = {"tempo": -TEMPO_STEP}
    assert own_in_band(t2, [1, 2, 3, 4], [0], deltas) == [1, 2]  # 12–14 % slower; 39 % slower and 2 % are not
    assert own_in_band(t2, [1, 2, 3, 4], [0], deltas, exclude={1}) == [2]
    assert own_in_band(t2, [1, 2], [0], {}) == []
    ranked = [Scored(p, 1.0 - p / 10, "") for p in range(6)]
    kept = with_own(t2, ranked, [t2.artist_ids[0][0]], limit=4)
    assert [s.pos for s in kept] == [0, 1, 5] and OWN_MAX == 2  # a third song by A is left out
    assert t.n == 42


def test_only_the_main_axis_of_a_move_has_a_far_edge() -> None:
    t = spread()
    bands = step_bands(t, [0, 1], {"valence": STEP, "energy": STEP / 2})  # "more upbeat"
    assert np.isfinite(bands["valence"].far_dist) and bands["energy"].far_dist == np.inf
    both = step_bands(t, [0, 1], {"tempo": -TEMPO_STEP, "danceability": -STEP})  # one step each: both bounded
    assert all(np.isfinite(b.far_dist) for b in both.values())


def test_slow_jams_are_two_tempo_steps_slower_one() -> None:
    from core.moves import read_moves

    assert read_moves("but slow jams instead of dance tracks").deltas["tempo"] == pytest.approx(-2 * TEMPO_STEP)
    assert read_moves("but slower").deltas == {"tempo": pytest.approx(-TEMPO_STEP)}
