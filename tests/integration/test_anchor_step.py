""""Like X but MOVE" on small real catalogs (every 8th row of the shipped CSV, imported with and without labels): the
move is a bounded step around X (core.anchor_step) — every pick moves past the band's near edge, most stay before its
far edge (6 of 10 at least), none of it is a clamp to the catalog's extreme — and X's own songs that make the move may be in the list (at
most 2 by X). Artists are chosen from the data, never by name."""

from __future__ import annotations

import pytest

from core.anchor_step import OWN_MAX, StepBand, step_bands
from core.anchors import find_anchor, lean_seeds
from core.engine import Engine
from core.models import Caller, Recommendation
from core.moves import read_moves
from core.table import FEATURE_INDEX
from tests.integration.test_anchor_conflict_catalogs import KINDS, _artists, _db
from tests.integration.test_text_styles_ranking import _open, catalogs  # noqa: F401  (module fixture)

CALLER = Caller(user_id="u-step", platform="test")
#: Moves across the feature kinds: tempo (a fraction), a skewed 0–1 feature (acousticness) and mood.
MOVES = (("slower", "tempo"), ("more electronic", "acousticness"), ("happier", "valence"))


async def _picks(eng: Engine, text: str) -> tuple[Recommendation, list[float], StepBand, float]:
    """The list for ``text``, each pick's value of the moved feature, the band, and the catalog's standard deviation
    of the feature."""
    t = eng.loaded.table
    anchor = find_anchor(text, t, eng.loaded.refs)
    assert anchor is not None and anchor.seeds, text
    deltas = read_moves(anchor.rest).deltas
    (feature, band), = step_bands(t, anchor.seeds, deltas).items()
    rec = await eng.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10, text
    i = FEATURE_INDEX[feature]
    return rec, [float(t.features[t.pos[x.track.track_id], i]) for x in rec.tracks], band, float(t.features[: t.n, i].std())


@pytest.mark.parametrize("kind", KINDS)
async def test_a_move_is_a_step_around_the_anchor_not_the_extreme(catalogs, kind: str, tmp_path) -> None:  # noqa: F811
    eng = await _open(_db(catalogs, kind), tmp_path)
    try:
        checked: set[str] = set()
        for _, name in _artists(eng, 12, 10_000)[:4]:
            for move, _feature in MOVES:
                text = f"like {name} but {move}"
                rec, values, band, std = await _picks(eng, text)
                if band.step <= 0:
                    continue  # the anchor is at the catalog's edge of the feature: nowhere to step
                assert all(band.makes(values)), (text, values, band)
                # a band a listener hears (on a skewed feature next to its edge — acousticness — all of it is close)
                if band.far_dist - band.near_dist >= 0.25 * std:
                    within = int(band.within(values).sum())
                    assert within >= 6, (text, values, band)  # one step on, not the extreme
                    checked.add(move)
                assert sum(name in x.track.artists for x in rec.tracks) <= OWN_MAX
        assert {"slower", "happier"} <= checked  # tempo and a 0–1 feature were read at a real step
    finally:
        await eng.close()


@pytest.mark.parametrize("kind", KINDS)
async def test_the_anchors_own_songs_that_make_the_move_are_in_the_list(catalogs, kind: str, tmp_path) -> None:  # noqa: F811
    eng = await _open(_db(catalogs, kind), tmp_path)
    try:
        t = eng.loaded.table
        checked = 0
        for _, name in _artists(eng, 12, 10_000)[:6]:
            text = f"like {name} but slower"
            anchor = find_anchor(text, t, eng.loaded.refs)
            assert anchor is not None
            deltas = read_moves(anchor.rest).deltas
            band = step_bands(t, anchor.seeds, deltas)["tempo"]
            fits = [p for p in lean_seeds(t, anchor, deltas, n=10) if band.within(t.features[p, FEATURE_INDEX["tempo"]])]
            if not fits or band.step <= 0:
                continue
            checked += 1
            rec = await eng.app.discovery.recommend_text(text)
            assert isinstance(rec, Recommendation)
            mine = [x.track.title for x in rec.tracks if name in x.track.artists]
            assert 1 <= len(mine) <= OWN_MAX, (text, mine, [t.titles[p] for p in fits])
        assert checked >= 2
    finally:
        await eng.close()
