"""The start-up cache on a PostgreSQL catalog (core.cache_key.pg_catalog_version, core.startup_cache): hits when the
catalog is unchanged, and a stale table is never served — after an edit through musicbot, and after writes that
bypass musicbot's change log (hand-run SQL on tracks and on labels). A real throwaway PostgreSQL server
(tests/pgserver.py)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pytest

from core.cache_key import pg_catalog_version
from core.catalog import SHIPPED_CATALOG
from core.engine import Engine
from core.models import Caller, Role
from core.table import TrackTable

ADMIN = Caller(user_id="admin-1", platform="test", role=Role.ADMIN)



@pytest.fixture
def seed_csv(tmp_path: Path) -> Path:
    path = tmp_path / "seed.csv"
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        rows = [next(reader) for _ in range(301)]
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def _same(a: TrackTable, b: TrackTable) -> None:
    n = a.n
    assert n == b.n and a.ids == b.ids and a.titles == b.titles and a.artists == b.artists
    assert np.array_equal(a.features[:n], b.features[:n], equal_nan=True)
    assert a.labels == b.labels and a.label_names == b.label_names and a.sources == b.sources


async def _sql(engine: Engine, statement: str, **params: object) -> None:
    from sqlalchemy import text

    async with engine.catalog.engine.begin() as conn:  # type: ignore[attr-defined]
        await conn.execute(text(statement), params)


async def test_pg_catalog_is_cached_and_never_served_stale(pg_url: str, seed_csv: Path, cache_dir: Path) -> None:
    engine = await Engine.open(pg_url, seed_path=seed_csv)
    try:
        assert engine.loaded.table_source == "built"
        first = engine.loaded.table
        version = await pg_catalog_version(engine.catalog)
        assert version == await pg_catalog_version(engine.catalog)  # stable while nothing changes
    finally:
        await engine.close()
    assert len(list(cache_dir.glob("table-*.npz"))) == 1

    engine = await Engine.open(pg_url, seed_path=seed_csv)
    try:
        assert engine.loaded.table_source == "cache"
        _same(first, engine.loaded.table)
        want = await engine.app.discovery.recommend_text("chill study music")
        # an edit through musicbot (logged in catalog_changes)
        track = engine.loaded.table.track(3)
        await engine.app.admin.edit_song(ADMIN, track.track_id, {"title": "Edited Through Musicbot"})
    finally:
        await engine.close()

    engine = await Engine.open(pg_url, seed_path=seed_csv)
    try:
        assert engine.loaded.table_source == "built"  # never the stale file
        assert engine.loaded.table.track(engine.loaded.table.pos[track.track_id]).title == "Edited Through Musicbot"
        # a hand-run write that bypasses musicbot's change log
        await _sql(engine, "UPDATE tracks SET energy = 0.0123 WHERE track_id = :t", t=track.track_id)
    finally:
        await engine.close()

    engine = await Engine.open(pg_url, seed_path=seed_csv)
    try:
        assert engine.loaded.table_source == "built"
        assert engine.loaded.table.track(engine.loaded.table.pos[track.track_id]).energy == pytest.approx(0.0123)
        await _sql(engine, "DELETE FROM track_labels WHERE track_id = :t", t=track.track_id)
    finally:
        await engine.close()

    engine = await Engine.open(pg_url, seed_path=seed_csv)
    try:
        assert engine.loaded.table_source == "built"
        assert not engine.loaded.table.labels[engine.loaded.table.pos[track.track_id]]
    finally:
        await engine.close()

    engine = await Engine.open(pg_url, seed_path=seed_csv)
    try:
        assert engine.loaded.table_source == "cache"  # the rebuilt table was cached
        assert engine.loaded.table.track(engine.loaded.table.pos[track.track_id]).energy == pytest.approx(0.0123)
        got = await engine.app.discovery.recommend_text("chill study music")
        assert [t.track.track_id for t in got.tracks]  # answers from the cached table
        assert want.kind == got.kind
    finally:
        await engine.close()


async def test_pg_cache_off_and_unreadable_file(pg_url: str, seed_csv: Path, cache_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    engine = await Engine.open(pg_url, seed_path=seed_csv)
    await engine.close()
    files = list(cache_dir.glob("table-*.npz"))
    assert len(files) == 1
    files[0].write_bytes(b"not a numpy file")
    engine = await Engine.open(pg_url, seed_path=seed_csv)
    try:
        assert engine.loaded.table_source == "built" and len(engine.loaded.table) == 300  # a broken file is a miss
    finally:
        await engine.close()
    monkeypatch.setenv("MUSICBOT_CACHE", "0")
    engine = await Engine.open(pg_url, seed_path=seed_csv)
    try:
        assert engine.loaded.table_source == "built-uncached"
    finally:
        await engine.close()
