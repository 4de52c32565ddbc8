"""The on-disk start-up cache of the track table (core.startup_cache), keyed by the catalog version
(core.cache_key.catalog_version): hits, misses, and invalidation by every kind of catalog change, on real SQLite files.
"""

from __future__ import annotations

import csv
import gzip
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from core.cache_key import catalog_version
from core.catalog import SHIPPED_CATALOG, Catalog
from core.engine import Engine
from core.models import Caller, Role
from core.startup_cache import KEEP, cache_dir_for, read_table, table_file, write_table
from core.table import TrackTable

ADMIN = Caller(user_id="admin-1", platform="test", role=Role.ADMIN)



def _subset_csv(path: Path, n: int) -> Path:
    """The first ``n`` rows of the shipped catalog (shipped layout), as a CSV file."""
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        rows = [next(reader) for _ in range(n + 1)]
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


@pytest.fixture
def small_db(tmp_path: Path) -> tuple[Path, Path]:
    """``(database file, seed CSV)``: a real SQLite catalog seeded with 400 shipped rows."""
    return tmp_path / "small.db", _subset_csv(tmp_path / "seed.csv", 400)


async def _open(db: Path, seed_csv: Path | None = None) -> Engine:
    return await Engine.open(db, seed_path=seed_csv or SHIPPED_CATALOG)


def _assert_same_table(a: TrackTable, b: TrackTable) -> None:
    """Every attribute equal — arrays by value, dicts and sets also in iteration order (same order = same float
    sums downstream). ``sources`` is read first: a cached table builds it on first read."""
    assert a.sources == b.sources
    va, vb = vars(a), vars(b)
    assert va.keys() == vb.keys()
    for name, x in va.items():
        y = vb[name]
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
            continue
        assert type(x) is type(y) and x == y, name
        if isinstance(x, dict):
            assert list(x) == list(y), name
            assert all(list(x[k]) == list(y[k]) for k in x if isinstance(x[k], set)), name
        if isinstance(x, list) and x and isinstance(x[0], set):
            assert all(list(s) == list(t) for s, t in zip(x, y) if s and isinstance(next(iter(s)), int)), name


async def test_cached_table_is_identical_to_the_one_built_from_sqlite(db_copy: Path, cache_dir: Path) -> None:
    catalog = await Catalog.open(db_copy)
    try:
        built = await TrackTable.load(catalog)
        built.original_years()
        version = await catalog_version(catalog.db)
        path = table_file(cache_dir, version)
        assert write_table(path, built, await catalog.all_labels())
    finally:
        await catalog.close()
    cached = read_table(path)
    assert cached is not None and len(cached) == 28356
    _assert_same_table(built, cached)


async def test_engine_hits_the_cache_and_answers_exactly_as_without_it(db_copy: Path, cache_dir: Path) -> None:
    first = await Engine.open(db_copy)
    try:
        assert first.loaded.table_source == "built"
        want_text = await first.app.discovery.recommend_text("chill study music")
        want_similar = await first.app.discovery.recommend_similar(["Blinding Lights - The Weeknd"])
    finally:
        await first.close()
    assert len(list(cache_dir.glob("table-*.npz"))) == 1
    second = await Engine.open(db_copy)
    try:
        assert second.loaded.table_source == "cache"
        assert (await second.app.discovery.recommend_text("chill study music")).model_dump() == want_text.model_dump()
        got = await second.app.discovery.recommend_similar(["Blinding Lights - The Weeknd"])
        assert got.model_dump() == want_similar.model_dump()
    finally:
        await second.close()


async def test_an_admin_edit_through_the_engine_invalidates_the_cache(small_db: tuple[Path, Path], cache_dir: Path) -> None:
    db, seed = small_db
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built"
        track = engine.loaded.table.track(5)
        new_energy = 0.123 if track.energy != 0.123 else 0.321
        await engine.app.admin.edit_song(ADMIN, track.track_id, {"energy": new_energy, "title": "Edited Title"})
    finally:
        await engine.close()
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built"  # never the stale file
        edited = engine.loaded.table.track(engine.loaded.table.pos[track.track_id])
        assert edited.energy == new_energy and edited.title == "Edited Title"
    finally:
        await engine.close()
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "cache"  # the rebuilt table was cached
        edited = engine.loaded.table.track(engine.loaded.table.pos[track.track_id])
        assert edited.energy == new_energy and edited.title == "Edited Title"
    finally:
        await engine.close()


async def test_add_and_delete_invalidate_the_cache(small_db: tuple[Path, Path], cache_dir: Path) -> None:
    db, seed = small_db
    engine = await _open(db, seed)
    try:
        data = engine.loaded.table.track(0).model_dump(exclude={"artist", "spotify_url", "original_year",
                                                          "year_is_album_date"})
        data.update(track_id="Z" * 22, title="A Brand New Song")
        await engine.app.admin.add_song(ADMIN, data)
        gone = engine.loaded.table.track(1).track_id
        await engine.app.admin.delete_song(ADMIN, gone)
        n = len(engine.loaded.table)
    finally:
        await engine.close()
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built"
        assert "Z" * 22 in engine.loaded.table.pos and gone not in engine.loaded.table.pos and len(engine.loaded.table) == n
    finally:
        await engine.close()


async def test_an_import_invalidates_the_cache_and_is_cached_itself(
    small_db: tuple[Path, Path], cache_dir: Path, tmp_path: Path
) -> None:
    db, seed = small_db
    engine = await _open(db, seed)
    try:
        before = len(engine.loaded.table)
        more = _subset_csv(tmp_path / "more.csv", 700)  # 300 more rows than the seed
        await engine.app.admin.import_catalog(ADMIN, more)
        after = len(engine.loaded.table)
        assert after > before
        assert engine.loaded.table_source == "built"  # reloaded from SQLite, then written to the cache
    finally:
        await engine.close()
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "cache" and len(engine.loaded.table) == after
    finally:
        await engine.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE tracks SET title = 'Changed Elsewhere' WHERE id = 3",
        "UPDATE tracks SET energy = 0.999 WHERE id = 3",
        "DELETE FROM track_labels WHERE track_id = (SELECT track_id FROM track_labels LIMIT 1)",
        "INSERT INTO track_labels SELECT track_id, 'genre', 'brand new genre', '' FROM tracks WHERE id = 3",
    ],
)
async def test_a_write_by_another_process_invalidates_the_cache(
    small_db: tuple[Path, Path], cache_dir: Path, statement: str
) -> None:
    db, seed = small_db
    engine = await _open(db, seed)
    before = engine.loaded.table
    await engine.close()
    with sqlite3.connect(db) as conn:  # plain sqlite3: no musicbot code involved, only the schema's triggers
        conn.execute(statement)
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built"
        fresh = engine.loaded.table
        assert vars(fresh).keys() == vars(before).keys()
        changed = (fresh.titles != before.titles or not np.array_equal(fresh.features[: fresh.n],
                   before.features[: before.n], equal_nan=True) or fresh.labels != before.labels
                   or fresh.label_names != before.label_names)
        assert changed
    finally:
        await engine.close()


async def test_copies_changed_apart_never_share_a_version(small_db: tuple[Path, Path], cache_dir: Path,
                                                          tmp_path: Path) -> None:
    db, seed = small_db
    engine = await _open(db, seed)
    await engine.close()
    twin = tmp_path / "twin.db"
    shutil.copy(db, twin)
    versions = []
    for path, track_pos in ((db, 3), (twin, 4)):  # one edit each, same row count, same highest id
        engine = await _open(path, seed)
        try:
            await engine.app.admin.edit_song(ADMIN, engine.loaded.table.ids[track_pos], {"energy": 0.5})
            versions.append(await catalog_version(engine.catalog.db))
        finally:
            await engine.close()
    assert versions[0] != versions[1]
    engine = await _open(twin, seed)
    try:
        assert engine.loaded.table.track(4).energy == 0.5  # the twin's own edit, whatever the other copy cached
    finally:
        await engine.close()


async def test_a_broken_cache_file_is_a_miss_and_is_replaced(small_db: tuple[Path, Path], cache_dir: Path) -> None:
    db, seed = small_db
    engine = await _open(db, seed)
    n = len(engine.loaded.table)
    await engine.close()
    (path,) = cache_dir.glob("table-*.npz")
    path.write_bytes(b"PK\x03\x04 not really a zip")
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built" and len(engine.loaded.table) == n
    finally:
        await engine.close()
    assert read_table(path) is not None


async def test_cache_off_in_memory_and_unwritable(small_db: tuple[Path, Path], cache_dir: Path,
                                                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db, seed = small_db
    assert cache_dir_for(":memory:") is None
    monkeypatch.setenv("MUSICBOT_CACHE", "0")
    assert cache_dir_for(db) is None
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built-uncached" and not cache_dir.exists()
    finally:
        await engine.close()
    monkeypatch.delenv("MUSICBOT_CACHE")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MUSICBOT_CACHE_DIR", str(blocker / "cache"))  # cannot be created: still works, uncached
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built-uncached" and len(engine.loaded.table) > 0
    finally:
        await engine.close()


def test_old_files_are_removed_beyond_the_kept_number(cache_dir: Path) -> None:
    table = TrackTable.from_rows([], [])
    for i in range(KEEP + 3):
        assert write_table(table_file(cache_dir, f"v{i}"), table, [])
    assert len(list(cache_dir.glob("table-*.npz"))) == KEEP


async def test_texts_the_packed_layout_cannot_hold_round_trip_through_the_json_document(
    small_db: tuple[Path, Path], cache_dir: Path
) -> None:
    """Titles, artists and ids are stored as one NUL-joined UTF-8 text each (fast to split back); a list holding a
    NUL, or durations that are not all integers, go in the JSON document instead — the table reads back the same."""
    db, seed = small_db
    catalog = await Catalog.open(db)
    try:
        await catalog.seed(seed)
        built = await TrackTable.load(catalog)
        labels = await catalog.all_labels()
        version = await catalog_version(catalog.db)
    finally:
        await catalog.close()
    built.original_years()
    packed = table_file(cache_dir, version)
    assert write_table(packed, built, labels)
    with np.load(packed, allow_pickle=False) as data:
        assert {"str_titles", "str_artists", "durations"} <= set(data.files)
    odd = table_file(cache_dir, version + "-odd")
    built.titles[0] = "Nul\x00inside, ünïcode"
    built.artists[1] = ["A\x00B", "C"]
    built.durations[2] = None  # type: ignore[call-overload]
    assert write_table(odd, built, labels)
    with np.load(odd, allow_pickle=False) as data:
        assert "str_titles" not in data.files and "str_artists" not in data.files and "durations" not in data.files
        assert "str_ids" in data.files
    cached = read_table(odd)
    assert cached is not None
    _assert_same_table(built, cached)
