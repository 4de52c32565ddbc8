"""Styles the shipped catalog lacks get a stated gap AND an honest nearest substitute from the style's sound
(traditional latin styles: acoustic latin, not reggaeton bangers; country: acoustic rock, not rap), and "in the mood
for X" asks for X (the idiom is no "good mood")."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine import Engine
from core.models import Recommendation, TextQuery
from core.table import FEATURE_INDEX


@pytest.mark.parametrize(
    "text",
    ["Argentine tango, bandoneón and all", "some flamenco please", "mariachi for a family party",
     "quiero tango argentino", "boleros románticos"],
)
async def test_traditional_latin_styles_come_back_acoustic_and_latin(engine: Engine, text: str) -> None:
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    assert rec.coverage, text  # the catalog has none of it: said, not substituted silently
    latin = sum("latin" in i.track.genres for i in rec.tracks)
    acoustic = float(np.median([i.track.acousticness for i in rec.tracks]))
    catalog_median = float(np.median(engine.loaded.table.features[: engine.loaded.table.n, FEATURE_INDEX["acousticness"]]))
    assert latin >= 6, (text, [i.track.genres for i in rec.tracks])
    assert acoustic > max(catalog_median, 0.2), (text, acoustic)


async def test_country_substitute_is_rock_not_rap(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("Country music please, real Nashville stuff")
    assert isinstance(rec, Recommendation) and rec.coverage
    rock = sum(any("rock" in g for g in i.track.genres) for i in rec.tracks)
    rap = sum(any(g in ("rap", "gangster rap", "trap") for g in i.track.genres) for i in rec.tracks)
    assert rock >= 6 and rap <= 2, [i.track.genres for i in rec.tracks]


@pytest.mark.parametrize("style", ["neo soul", "sad songs", "hard rock", "something calm"])
def test_in_the_mood_for_names_no_mood(engine: Engine, style: str) -> None:
    plain = engine.app.discovery.understand(style)
    idiom = engine.app.discovery.understand(f"I'm in the mood for {style}")
    assert isinstance(plain, TextQuery) and isinstance(idiom, TextQuery)
    assert idiom.target.get("valence") == pytest.approx(plain.target.get("valence")) if "valence" in plain.target \
        else idiom.weights.get("valence", 0.0) <= 0.3
    assert not any("good mood" in c for c in idiom.cues)
