"""Mood and activity lists from one scene (core.scene), on a real engine over the shipped catalog: a request that
names only a feel spreads over fewer genres with the focus than without it, and a request that names a style is
ranked as before."""

from __future__ import annotations

import pytest

import core.scene
from core.engine import Engine
from core.models import Recommendation

MOODS = ["happy songs", "late night drive", "chill evening", "pump up songs before a game", "something mellow",
         "upbeat songs for cleaning the house"]


def _genres(rec: Recommendation) -> int:
    return len({i.track.genres[0] for i in rec.tracks if i.track.genres})


async def _lists(engine: Engine, texts: list[str]) -> list[Recommendation]:
    return [await engine.app.discovery.recommend_text(t, limit=10) for t in texts]


async def test_mood_lists_hold_fewer_genres_with_the_focus(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    focused = await _lists(engine, MOODS)
    monkeypatch.setattr(core.scene, "SCENE_WEIGHT", 0.0)
    spread = await _lists(engine, MOODS)
    with_focus = [_genres(r) for r in focused]
    without = [_genres(r) for r in spread]
    assert all(a <= b for a, b in zip(with_focus, without)), (with_focus, without)
    assert sum(with_focus) < sum(without), (with_focus, without)
    assert all(len(r.tracks) == 10 for r in focused)


async def test_a_named_style_is_ranked_as_before(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["rock for a party", "sad r&b", "latin music for a wedding"]
    focused = await _lists(engine, texts)
    monkeypatch.setattr(core.scene, "SCENE_WEIGHT", 0.0)
    plain = await _lists(engine, texts)
    for a, b in zip(focused, plain):
        assert [i.track.track_id for i in a.tracks] == [i.track.track_id for i in b.tracks]


async def test_a_morning_run_is_a_run_not_a_latin_morning(engine: Engine) -> None:
    """"upbeat songs for a morning run" came back as ten Latin tracks (reggaeton, bachata, salsa) of gentle morning
    energy: "morning" was read apart from "run". A morning run is the run; in Spanish a party keeps its Latin lean."""
    english = await engine.app.discovery.recommend_text("upbeat songs for a morning run", limit=10)
    latin = sum(1 for i in english.tracks if "latin" in i.track.genres[:1])
    assert latin <= 5, [(i.track.title, i.track.genres) for i in english.tracks]
    assert min(float(i.track.energy) for i in english.tracks) >= 0.6  # a run, not a gentle morning
    spanish = await engine.app.discovery.recommend_text("música para una fiesta", limit=10)
    assert sum(1 for i in spanish.tracks if "latin" in i.track.genres) >= 5
