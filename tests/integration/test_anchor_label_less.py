"""Anchored requests ("like X but …") on a small real catalog without labels: every 8th row of the shipped CSV
imported without its genre / subgenre / playlist columns (a plain export). The anchor's scene then comes from the
style model (core.anchors.predicted_style_mask); the truth is the shipped catalog's own genre labels, which the
imported catalog never saw."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from core.anchors import find_anchor, predicted_style_mask, scene_masks
from core.engine import Engine
from core.models import Caller
from tests.integration.test_text_styles_ranking import ADMIN, _write
from tests.catalogs import build_imported

CALLER = Caller(user_id="u1", platform="test")
GENRES = {"edm", "latin", "pop", "r&b", "rap", "rock"}
MOVES = ("but more upbeat", "but slower", "but sadder", "but more energetic")


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    """``(label-less db, truth)``: ~4,100 shipped rows imported without label columns; truth = shipped labels."""
    root = tmp_path_factory.mktemp("anchor_plain")
    truth = _write(root / "plain.csv", labels=False)

    async def build() -> Path:
        return await build_imported(root / "plain.db", root / "plain.csv", ADMIN, replace=True)

    return asyncio.run(build()), truth


def _anchors(eng: Engine, truth: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Artists of the imported catalog with ≥ 5 tracks, ≥ 80 % of them in one shipped genre, whose name the anchor
    reader resolves to them: ``(name, genre)``, most tracks first (chosen from the data, not by name)."""
    t = eng.loaded.table
    out = []
    for aid, positions in t.artist_tracks.items():
        live = [p for p in positions if t.alive[p]]
        if len(live) < 5:
            continue
        counts = Counter(g for p in live for g in truth.get(t.ids[p], set()) & GENRES)
        if not counts:
            continue
        genre, c = counts.most_common(1)[0]
        name = t.artists[live[0]][0]
        anchor = find_anchor(f"something like {name} but more upbeat", t, eng.loaded.refs)
        if c >= 0.8 * len(live) and anchor is not None and anchor.kind == "artist" and aid in anchor.artist_ids:
            out.append((len(live), name, genre))
    out.sort(key=lambda x: (-x[0], x[1]))
    return [(name, genre) for _, name, genre in out[:12]]


async def _agreement(eng: Engine, truth: dict[str, set[str]], pairs: list[tuple[str, str]]) -> float:
    """Share of the recommended tracks (all anchors × moves) whose shipped labels hold the anchor's genre."""
    hits = total = 0
    for i, (name, genre) in enumerate(pairs):
        for j, move in enumerate(MOVES):
            reply = await eng.app.chat.chat(f"c{i}-{j}", CALLER, f"something like {name} {move}")
            rec = reply.recommendation
            assert rec is not None and rec.anchor is not None, (name, move)
            hits += sum(genre in truth.get(x.track.track_id, set()) for x in rec.tracks)
            total += len(rec.tracks)
    return hits / max(total, 1)


def test_predicted_scene_marks_the_anchors_genre(plain: tuple[Path, dict[str, set[str]]], tmp_path: Path) -> None:
    """Without labels, the scene masks come from the style model, and the tracks in an anchor's predicted genre scene
    carry the anchor's shipped genre far more often than the catalog at large does."""
    src, truth = plain

    async def run() -> None:
        shutil.copy(src, tmp_path / "p.db")
        eng = await Engine.open(tmp_path / "p.db", seed=False)
        try:
            t = eng.loaded.table
            assert not t.has_labels()
            pairs = _anchors(eng, truth)
            assert len(pairs) >= 6
            inside = base = 0.0
            for name, genre in pairs:
                anchor = find_anchor(f"like {name}", t, eng.loaded.refs)
                assert anchor is not None and anchor.seeds
                sub, gen = scene_masks(t, anchor)
                assert sub is not None and gen is not None
                assert np.array_equal(gen, predicted_style_mask(t, anchor, "genre"))
                live = np.flatnonzero(t.alive[: t.n])
                scene = live[gen[live]]
                inside += np.mean([genre in truth.get(t.ids[p], set()) for p in scene])
                base += np.mean([genre in truth.get(t.ids[p], set()) for p in live])
            assert inside / len(pairs) >= 2 * base / len(pairs)
        finally:
            await eng.close()

    asyncio.run(run())


def test_anchored_lists_keep_the_anchors_genre(plain: tuple[Path, dict[str, set[str]]], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """"like X but <move>" on the label-less catalog: the lists keep X's (hidden) genre more often with the predicted
    scene than with none (the scene masks switched off), and for most of their tracks."""
    src, truth = plain

    async def run() -> tuple[float, float]:
        shutil.copy(src, tmp_path / "p.db")
        eng = await Engine.open(tmp_path / "p.db", seed=False)
        try:
            pairs = _anchors(eng, truth)
            with_scene = await _agreement(eng, truth, pairs)
            with monkeypatch.context() as m:
                m.setattr("core.app.discovery.scene_masks", lambda t, a: (None, None))
                without = await _agreement(eng, truth, pairs)
            return with_scene, without
        finally:
            await eng.close()

    with_scene, without = asyncio.run(run())
    assert with_scene > without
    assert with_scene >= 0.5
