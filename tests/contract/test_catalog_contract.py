"""One contract for the catalog port, run against both backends (SQLite :class:`core.catalog.Catalog` and
PostgreSQL :class:`core.infra.pg_catalog.PgCatalog`): same answers for the same calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.catalog import Catalog
from core.errors import ImportFailed, InvalidInput
from core.models import AUDIO_FEATURES

from tests.contract.conftest import SMALL_ROWS


async def _loaded(db_url: str, small_csv: Path) -> Catalog:
    cat = await Catalog.open(db_url)
    report = await cat.seed(small_csv)
    assert report is not None and report.rows_read == SMALL_ROWS
    return cat


async def test_seed_is_one_marked_transaction_and_idempotent(db_url: str, small_csv: Path) -> None:
    cat = await Catalog.open(db_url)
    try:
        assert not await cat.is_seeded() and await cat.count() == 0
        report = await cat.seed(small_csv)
        assert report is not None and report.tracks_upserted == await cat.count() > 0
        assert report.labels_added > 0 and report.with_features == report.tracks_upserted
        assert await cat.is_seeded() and await cat.get_meta("catalog_source") == f"shipped:{small_csv.name}"
        assert await cat.seed(small_csv) is None  # idempotent
        assert await cat.change_version() == 1  # one 'reload' entry for the bulk load
        assert [op for _, _, op in await cat.changes_since(0)] == ["reload"]
    finally:
        await cat.close()


async def test_reads_give_tracks_with_labels(db_url: str, small_csv: Path) -> None:
    cat = await _loaded(db_url, small_csv)
    try:
        rows = await cat.all_rows()
        assert len(rows) == await cat.count()
        chunked = [r for chunk in [c async for c in cat.row_chunks(7)] for r in chunk]
        assert [r[0] for r in chunked] == [r[0] for r in rows]
        labels = [lab for chunk in [c async for c in cat.label_chunks(11)] for lab in chunk]
        assert sorted(labels) == sorted(await cat.all_labels())
        track = await cat.get(rows[0][0])
        assert track is not None and track.title == rows[0][1] and track.genres
        assert await cat.get("0" * 22) is None
    finally:
        await cat.close()


async def test_search_finds_title_and_artist_words_and_prefixes(db_url: str, small_csv: Path) -> None:
    cat = await _loaded(db_url, small_csv)
    try:
        for row in (await cat.all_rows())[:15]:
            track = await cat.get(row[0])
            assert track is not None
            words = [w for w in track.title.split() if w.isalpha() and len(w) > 3][:1] + [track.artists[0]]
            hits = await cat.search_ids(" ".join(words), 50)
            assert track.track_id in hits, (track.title, track.artists)
            if words[0] != track.artists[0]:
                assert track.track_id in await cat.search_ids(words[0][:-1] + " " + track.artists[0], 50)  # prefix
        assert await cat.search_ids("   ,;!  ") == []
        assert await cat.search_ids("zzqxqzz") == []
    finally:
        await cat.close()


async def test_update_fields_changes_only_what_it_is_given(db_url: str, small_csv: Path) -> None:
    cat = await _loaded(db_url, small_csv)
    try:
        track_id = (await cat.all_rows())[3][0]
        before = await cat.get(track_id)
        assert before is not None
        after = await cat.update_fields(track_id, {"energy": 0.123, "artists": ["Ann", "Bo"], "genres": ["jazz"]})
        assert after is not None and after.energy == 0.123 and after.artists == ["Ann", "Bo"]
        assert after.genres == ["jazz"] and after.subgenres == before.subgenres and after.playlists == before.playlists
        for name in AUDIO_FEATURES:
            if name != "energy":
                assert getattr(after, name) == getattr(before, name)
        assert after.title == before.title and after.popularity == before.popularity
        assert track_id in await cat.search_ids("Ann Bo")  # the search index follows the update
        assert await cat.update_fields("0" * 22, {"energy": 0.5}) is None
        with pytest.raises(InvalidInput):
            await cat.update_fields(track_id, {"track_id": "x"})
        changes = await cat.changes_since(1)
        assert changes == [(2, track_id, "upsert")]
    finally:
        await cat.close()


async def test_upsert_delete_and_the_change_log(db_url: str, small_csv: Path) -> None:
    cat = await _loaded(db_url, small_csv)
    try:
        track = await cat.get((await cat.all_rows())[0][0])
        assert track is not None
        new = track.model_copy(update={"track_id": "1" * 22, "title": "Brand New Song", "genres": ["rock"]})
        await cat.upsert_track(new)
        got = await cat.get(new.track_id)
        assert got is not None and got.title == "Brand New Song" and got.genres == ["rock"]
        assert await cat.delete_track(new.track_id) is True
        assert await cat.delete_track(new.track_id) is False
        assert await cat.get(new.track_id) is None
        assert [(t, op) for _, t, op in await cat.changes_since(1)] == [(new.track_id, "upsert"), (new.track_id, "delete")]
        assert await cat.change_version() == 3
    finally:
        await cat.close()


async def test_failed_replace_import_leaves_the_catalog_unchanged(db_url: str, small_csv: Path, tmp_path: Path) -> None:
    cat = await _loaded(db_url, small_csv)
    try:
        checksum = await cat.checksum()
        bad = tmp_path / "bad.csv"
        bad.write_text("track_id,track_name\nnot-an-id,x\n", encoding="utf-8")
        with pytest.raises((InvalidInput, ImportFailed)):
            await cat.import_file(bad, replace=True)
        assert await cat.checksum() == checksum
        assert await cat.change_version() == 1
    finally:
        await cat.close()


async def test_reimport_without_features_keeps_known_features(db_url: str, small_csv: Path, tmp_path: Path) -> None:
    cat = await _loaded(db_url, small_csv)
    try:
        track_id = (await cat.all_rows())[5][0]
        before = await cat.get(track_id)
        assert before is not None and before.energy is not None
        partial = tmp_path / "partial.csv"
        partial.write_text(f"track_id,track_name,track_artist,energy\n{track_id},{before.title},{before.artist},NA\n",
                           encoding="utf-8")
        report = await cat.import_file(partial)
        assert report.tracks_upserted == 1
        after = await cat.get(track_id)
        assert after is not None and after.energy == before.energy and after.title == before.title
    finally:
        await cat.close()


async def test_insert_only_never_overwrites_an_existing_track(db_url: str, small_csv: Path) -> None:
    cat = await _loaded(db_url, small_csv)
    try:
        track = await cat.get((await cat.all_rows())[0][0])
        assert track is not None
        clash = track.model_copy(update={"title": "Overwritten?"})
        assert await cat.upsert_track(clash, only_new=True) is False
        assert (await cat.get(track.track_id)).title == track.title  # type: ignore[union-attr]
        assert await cat.change_version() == 1  # nothing logged
        fresh = track.model_copy(update={"track_id": "4" * 22})
        assert await cat.upsert_track(fresh, only_new=True) is True
        assert await cat.get(fresh.track_id) is not None
    finally:
        await cat.close()
