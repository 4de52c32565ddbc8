"""A follow-up's summary describes the current request (core.text.followups.current_cues)."""

from __future__ import annotations

from core.text.followups import current_cues


def test_moved_features_drop_the_stale_cue() -> None:
    base = ["upbeat → high energy and valence", "hip hop → genre:rap, rap vocals", "2010s → 2010–2019"]
    assert current_cues(base, {"energy": 0.4, "valence": 0.3}) == base[1:]
    assert current_cues(base, {"tempo": 130.0}) == base  # a move of another feature keeps every cue
    assert current_cues(base, {}) == base
    assert current_cues(["sad → low valence, softer", "The catalog has no data on it."], ["valence"]) == [
        "The catalog has no data on it."]
