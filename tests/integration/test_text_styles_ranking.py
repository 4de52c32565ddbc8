"""Ranking by style on small real catalogs: every 8th row of the shipped CSV imported twice, once as shipped (genre,
subgenre and playlist columns) and once without any label column (a plain export). On the label-less one, named and
negated styles rank through the style model (core.text.styles); the truth is the shipped catalog's own labels."""

from __future__ import annotations

import dataclasses

import asyncio
import csv
import gzip
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from core.catalog import SHIPPED_CATALOG, Catalog
from core.engine import Engine
from core.models import Caller, Recommendation, Role, TextQuery
from tests.catalogs import build_imported

LABEL_COLUMNS = ("playlist_name", "playlist_id", "playlist_genre", "playlist_subgenre")
ADMIN = Caller(user_id="admin", platform="test", role=Role.ADMIN)


def _write(path: Path, labels: bool) -> dict[str, set[str]]:
    """Every 8th shipped row to ``path`` (without the label columns unless ``labels``); returns the shipped catalog's
    genre + subgenre labels of every track id (all rows, not only the subset)."""
    truth: dict[str, set[str]] = defaultdict(set)
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [c for c in reader.fieldnames or [] if labels or c not in LABEL_COLUMNS]
        rows = []
        for i, row in enumerate(reader):
            truth[row["track_id"]].update((row["playlist_genre"], row["playlist_subgenre"]))
            if i % 8 == 0:
                rows.append({c: row[c] for c in header})
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return dict(truth)


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, set[str]]]:
    """``(labelled db, label-less db, truth)``: two small real catalogs (~4,100 rows each) built once."""
    root = tmp_path_factory.mktemp("styles")
    truth = _write(root / "labelled.csv", labels=True)
    _write(root / "plain.csv", labels=False)

    async def build(name: str) -> Path:
        db = await build_imported(root / f"{name}.db", root / f"{name}.csv", ADMIN, replace=True)
        await with_catalog(db)
        return db

    async def with_catalog(db: Path) -> None:
        cat = await Catalog.open(db)
        try:
            await cat.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await cat.close()

    return asyncio.run(build("labelled")), asyncio.run(build("plain")), truth


async def _open(src: Path, tmp_path: Path) -> Engine:
    target = tmp_path / src.name
    shutil.copy(src, target)
    return await Engine.open(target, seed=False)


def _share(rec: Recommendation, truth: dict[str, set[str]], wanted: set[str]) -> float:
    assert len(rec.tracks) == 10
    return sum(bool(truth.get(i.track.track_id, set()) & wanted) for i in rec.tracks) / 10


STYLE_REQUESTS = [
    ("neo soul please", {"neo soul"}),
    ("hard rock with big riffs", {"hard rock"}),
    ("some reggaeton", {"reggaeton"}),
    ("gangster rap", {"gangster rap"}),
    ("big room EDM for the club", {"big room", "electro house"}),
    ("quiero pop latino", {"latin pop", "latin"}),
]


async def test_named_styles_rank_by_the_model_without_labels(catalogs, tmp_path: Path) -> None:
    _, plain, truth = catalogs
    eng = await _open(plain, tmp_path)
    try:
        assert not eng.loaded.table.has_labels()
        with_model, without = [], []
        for text, wanted in STYLE_REQUESTS:
            query = eng.app.discovery.understand(text)
            assert isinstance(query, TextQuery) and query.styles, text
            with_model.append(_share(await eng.app.discovery.recommend_query(query), truth, wanted))
            bare = query.model_copy(update={"styles": {}})  # the sound profile alone, as before the style model
            without.append(_share(await eng.app.discovery.recommend_query(bare), truth, wanted))
        assert all(s >= 0.5 for s in with_model), list(zip(STYLE_REQUESTS, with_model))
        assert sum(with_model) >= sum(without) + 0.2 * len(STYLE_REQUESTS), (with_model, without)
    finally:
        await eng.close()


@pytest.mark.parametrize(
    ("text", "kept", "avoided"),
    [("Latin music, but no reggaeton please", {"latin"}, {"reggaeton"}),
     ("Rap, but no trap", {"rap"}, {"trap"}),
     ("no rap, just pop", {"pop"}, {"rap"})],
)
async def test_negated_style_is_kept_out_without_labels(catalogs, tmp_path: Path, text: str, kept: set[str],
                                                        avoided: set[str]) -> None:
    _, plain, truth = catalogs
    eng = await _open(plain, tmp_path)
    try:
        rec = await eng.app.discovery.recommend_text(text)
        assert isinstance(rec, Recommendation)
        assert _share(rec, truth, kept) >= 0.5, text
        assert _share(rec, truth, avoided) <= 0.2, text
    finally:
        await eng.close()


async def test_labelled_catalog_ranks_by_its_own_labels(catalogs, tmp_path: Path) -> None:
    labelled, _, truth = catalogs
    eng = await _open(labelled, tmp_path)
    try:
        assert eng.loaded.table.has_labels()
        for text, wanted in STYLE_REQUESTS:
            query = eng.app.discovery.understand(text)
            assert isinstance(query, TextQuery) and query.styles == {}, text  # labels, not the model
            assert _share(await eng.app.discovery.recommend_query(query), truth, wanted) >= 0.5, text
    finally:
        await eng.close()


async def test_number_against_word_conflict_is_in_the_reply(catalogs, tmp_path: Path) -> None:
    _, plain, _ = catalogs
    eng = await _open(plain, tmp_path)
    try:
        rec = await eng.app.discovery.recommend_text("slow songs at 170 BPM")
        assert isinstance(rec, Recommendation)
        assert rec.conflicts and rec.conflicts[0].axis == "tempo" and rec.conflicts[0].kept == "170 BPM"
        assert all(160 <= i.track.tempo <= 180 for i in rec.tracks)
    finally:
        await eng.close()


async def test_similar_without_labels_keeps_the_seeds_style(catalogs, tmp_path: Path) -> None:
    """One-seed radios on the label-less catalog: the style model's affinity (Recommender.STYLE_AFFINITY) stands in for
    the labels, so more of the 10 tracks share a genre or subgenre with the seed than on audio, artist and era alone."""
    _, plain, truth = catalogs
    eng = await _open(plain, tmp_path)
    try:
        t, rec = eng.loaded.table, eng.loaded.recommender
        seeds = t.alive_positions()[::35][:120].tolist()  # 120 radios: a 0.02 margin is ~24 tracks, not noise

        def agreement() -> float:
            total = 0.0
            for s in seeds:
                out = rec.similar([s], limit=10)
                total += sum(bool(truth[t.ids[o.pos]] & truth[t.ids[s]]) for o in out) / len(out)
            return total / len(seeds)

        with_model = agreement()
        params = rec.params
        rec.STYLE_AFFINITY = 0.0  # the genre-prior style vectors (core.style) alone
        vectors_only = agreement()
        rec.params = dataclasses.replace(params, style=0.0)  # neither: audio, artist and era alone
        without = agreement()
        rec.params = params
        assert with_model >= without + 0.05, (with_model, vectors_only, without)
        assert with_model >= vectors_only - 0.02, (with_model, vectors_only, without)  # the affinity never hurts
    finally:
        await eng.close()
