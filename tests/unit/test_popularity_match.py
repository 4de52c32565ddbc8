"""The popularity-match radio term (core.popularity_match): a similarity of popularity, not a popularity prior."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.popularity_match import popularity_match_row, popularity_match_value, reference_popularity
from core.recommender import Recommender, ScoreParams
from core.table import TrackTable

FEATS = (0.6, 0.8, 5, -5.0, 1, 0.05, 0.1, 0.0, 0.1, 0.5, 120.0)


def table_of(pops: list[int]) -> TrackTable:
    rows = [(f"t{i:021d}", f"Song {i}", json.dumps([f"Artist {i}"]), "", "2015", 2015, pop, 200_000, *FEATS)
            for i, pop in enumerate(pops)]
    return TrackTable.from_rows(rows, [])


@given(st.integers(0, 100), st.integers(0, 100), st.floats(0.1, 2.0), st.floats(1.0, 60.0))
def test_value_peaks_at_the_reference_and_decays_symmetrically(slot: int, pop: int, weight: float, tau: float) -> None:
    v = float(popularity_match_value(np.array([pop]), slot, weight, tau)[0])
    assert 0.0 <= v <= weight * (1 + 1e-6)
    mirror = 2 * slot - pop
    if 0 <= mirror <= 100:
        assert v == pytest.approx(float(popularity_match_value(np.array([mirror]), slot, weight, tau)[0]))
    if pop != slot:
        assert v < float(popularity_match_value(np.array([slot]), slot, weight, tau)[0])


def test_reference_popularity_is_the_rounded_mean_and_bad_tau_is_refused() -> None:
    t = table_of([10, 11, 80])
    assert reference_popularity(t, [0, 1]) == 11  # 10.5 rounds half up
    assert reference_popularity(t, []) == 0
    with pytest.raises(ValueError):
        popularity_match_value(np.array([1]), 1, 1.0, 0.0)


def test_row_matches_the_formula_and_follows_table_edits() -> None:
    pops = [90, 85, 40, 5, 0, 100]
    t = table_of(pops)
    row = popularity_match_row(t, [0], 0.5, 30.0)
    assert np.allclose(row, 0.5 * np.exp(-np.abs(np.array(pops) - 90) / 30.0), atol=1e-6)
    assert not row.flags.writeable  # cached and shared: callers add it, never write into it
    assert popularity_match_row(t, [0], 0.5, 30.0) is row
    t.popularity[1] = 10
    t.version += 1  # an edit bumps the version: the cached rows are rebuilt
    assert popularity_match_row(t, [0], 0.5, 30.0)[1] == pytest.approx(0.5 * np.exp(-80 / 30.0))


def test_a_chart_seed_draws_chart_tracks_and_a_deep_cut_draws_deep_cuts() -> None:
    """Same sound everywhere: only popularity tells the candidates apart."""
    pops = [95, 3] + [90, 88, 92, 85] + [2, 5, 1, 4]
    t = table_of(pops)
    rec = Recommender(t, ScoreParams())
    hits = [s.pos for s in rec.similar([0], limit=4, with_reasons=False)]
    assert set(hits) == {2, 3, 4, 5}
    deep = [s.pos for s in rec.similar([1], limit=4, with_reasons=False)]
    assert set(deep) == {6, 7, 8, 9}
    off = Recommender(t, ScoreParams(popularity_match=0.0))  # off: the ranking no longer reads popularity
    assert {s.score for s in off.similar([1], limit=8, with_reasons=False)} == {1.0}


def test_a_catalog_without_popularity_ranks_as_without_the_term() -> None:
    t = table_of([0] * 8)
    on = [s.pos for s in Recommender(t, ScoreParams()).similar([0], limit=7, with_reasons=False)]
    off = [s.pos for s in Recommender(t, ScoreParams(popularity_match=0.0)).similar([0], limit=7, with_reasons=False)]
    assert on == off
