"""The fitted local text understanding cached beside the track table (core.startup_cache.fit_text): restored from
the cache it is the same model (same learned state, same parse of every benchmark request); a changed catalog, or a
table changed in memory, is fitted afresh; a broken file is a miss. Real SQLite files, the real embedder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.integration.test_startup_cache import ADMIN, _open, small_db  # noqa: F401 - fixtures

from core import startup_cache
from core.startup_cache import fit_text, text_file
from core.text import TextUnderstanding

REQUESTS = [
    "chill study music", "something for a rainy drive", "upbeat 90s rock but no nirvana", "like daft punk but slower",
    "sad acoustic songs from the 70s", "128 bpm techno", "jazzz for a dinner party", "música latina para bailar",
    "not too loud instrumental", "songs by queen",
]


def _same_fit(a: TextUnderstanding, b: TextUnderstanding) -> None:
    doc_a, arr_a = a.export_fit()
    doc_b, arr_b = b.export_fit()
    assert json.dumps(doc_a) == json.dumps(doc_b)  # same content and the same dict order
    assert arr_a.keys() == arr_b.keys()
    for name in arr_a:
        assert arr_a[name].dtype == arr_b[name].dtype and np.array_equal(arr_a[name], arr_b[name]), name
    assert a._cat.artist_index is b._cat.artist_index or a._cat.artist_index == b._cat.artist_index


def _parses(text: TextUnderstanding) -> list[str]:
    return [text.parse(r).model_dump_json() for r in REQUESTS]


def _text_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("text-*.npz"))


async def test_a_cached_fit_is_the_same_model(db_copy: Path, cache_dir: Path) -> None:  # noqa: F811
    engine = await _open(db_copy)
    try:
        assert engine.loaded.table_source == "built" and not _text_files(cache_dir)
        fitted = engine.loaded.text  # fitted now, and written beside the table file
        (written,) = _text_files(cache_dir)
        assert written == text_file(engine.loaded.table, fitted.embedder)
        assert written.name.startswith("text-") and written.name.removeprefix("text-").startswith(
            next(cache_dir.glob("table-*.npz")).stem.removeprefix("table-"))
        want = _parses(fitted)
    finally:
        await engine.close()
    engine = await _open(db_copy)
    try:
        assert engine.loaded.table_source == "cache"
        restored = fit_text(TextUnderstanding(), engine.loaded.table)
        fresh = TextUnderstanding()
        fresh.fit(engine.loaded.table)
        _same_fit(restored, fresh)
        assert _parses(restored) == want == _parses(fresh)
        assert _parses(engine.loaded.text) == want  # what the engine serves
    finally:
        await engine.close()


async def test_a_catalog_change_gets_a_new_fit(small_db, cache_dir: Path) -> None:  # noqa: F811
    db, seed = small_db
    engine = await _open(db, seed)
    try:
        _ = engine.loaded.text
        (first,) = _text_files(cache_dir)
        data = engine.loaded.table.track(0).model_dump(exclude={"artist", "spotify_url", "original_year", "year_is_album_date"})
        data.update(track_id="Q" * 22, title="Zyxwv Song", artists=["Qwertyuiop Band"])
        await engine.app.admin.add_song(ADMIN, data)
        # the table changed in memory: it no longer matches its file, so no cached fit is used or written for it
        assert text_file(engine.loaded.table, engine.loaded.text.embedder) is None
        assert "qwertyuiop band" in engine.loaded.text._cat.artist_index
    finally:
        await engine.close()
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built"
        text = engine.loaded.text
        assert len(_text_files(cache_dir)) == 2 and first in _text_files(cache_dir)
        names = [text._cat.artist_display[a] for a in text._cat.fuzzy_ids]
        assert "Qwertyuiop Band" in names  # fitted on the changed catalog, not restored from the old file
        fresh = TextUnderstanding()
        fresh.fit(engine.loaded.table)
        _same_fit(text, fresh)
    finally:
        await engine.close()


async def test_a_broken_text_file_is_a_miss_and_is_replaced(small_db, cache_dir: Path, caplog) -> None:  # noqa: F811
    db, seed = small_db
    engine = await _open(db, seed)
    try:
        _ = engine.loaded.text
        (path,) = _text_files(cache_dir)
    finally:
        await engine.close()
    path.write_bytes(b"not an npz file")
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "cache"
        text = engine.loaded.text
        assert "ignoring unreadable text-model cache" in caplog.text
        fresh = TextUnderstanding()
        fresh.fit(engine.loaded.table)
        _same_fit(text, fresh)
        with np.load(path, allow_pickle=False) as data:  # rewritten, readable again
            assert "doc" in data.files
    finally:
        await engine.close()


async def test_no_cache_no_text_file(small_db, cache_dir: Path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("MUSICBOT_CACHE", "0")
    db, seed = small_db
    engine = await _open(db, seed)
    try:
        assert engine.loaded.table_source == "built-uncached"
        assert engine.loaded.text.parse("chill study music").target
        assert text_file(engine.loaded.table, engine.loaded.text.embedder) is None and not _text_files(cache_dir)
    finally:
        await engine.close()


def test_the_text_fingerprint_follows_the_text_code_and_data(monkeypatch, tmp_path: Path) -> None:
    startup_cache._text_fingerprint.cache_clear()
    before = startup_cache._text_fingerprint()
    monkeypatch.setattr(startup_cache, "TEXT_DATA", ("text_concepts.json", "text_profiles.json"))
    startup_cache._text_fingerprint.cache_clear()
    try:
        assert startup_cache._text_fingerprint() != before
    finally:
        monkeypatch.undo()
        startup_cache._text_fingerprint.cache_clear()
    assert startup_cache._text_fingerprint() == before


@pytest.mark.parametrize("bad", ["doc", "mean", "label_emb"])
async def test_load_fit_refuses_an_export_of_another_table(engine, bad: str) -> None:
    """load_fit checks shapes against the table (a file of another catalog can never be served silently)."""
    tu = engine.loaded.text
    doc, arrays = tu.export_fit()
    arrays = dict(arrays)
    if bad == "doc":
        doc = dict(doc, texts=doc["texts"][:-1])
    else:
        arrays[bad] = arrays[bad][:-1]
    with pytest.raises((ValueError, KeyError)):
        TextUnderstanding().load_fit(tu._table, doc, arrays)
