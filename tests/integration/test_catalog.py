"""Seeding the shipped catalog: counts, labels, FTS, WAL, idempotence and crash safety (real SQLite files)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.catalog import SCHEMA_VERSION, SHIPPED_CATALOG, Catalog
from core.catalog_io import read_rows


async def test_shipped_catalog_seeds_every_track_and_every_label(shipped_db: Path) -> None:
    cat = await Catalog.open(shipped_db)
    try:
        assert await cat.count() == 28_356
        # a track that sits in several playlists keeps all of them, not the first
        track = await cat.get("0sf12qNH5qcw8qpgymFOqD")  # Blinding Lights
        assert track is not None and track.title == "Blinding Lights"
        assert len(track.playlists) >= 5
        assert {"pop", "r&b"} <= set(track.genres)
        async with cat.db.execute("SELECT count(*) FROM track_labels WHERE kind='playlist'") as cur:
            playlist_labels = (await cur.fetchone())[0]
        import pandas as pd

        rows = pd.read_csv(SHIPPED_CATALOG, usecols=["track_id", "playlist_id", "playlist_name"])
        # one playlist label per distinct (track, playlist) pair of the CSV (some CSV rows repeat a pair)
        assert playlist_labels == len(rows.drop_duplicates(["track_id", "playlist_id", "playlist_name"])) == 32_251
        assert await cat.get_meta("schema_version") == str(SCHEMA_VERSION)
        async with cat.db.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
    finally:
        await cat.close()


async def test_fts_search_finds_artist_and_title_prefixes(shipped_db: Path) -> None:
    cat = await Catalog.open(shipped_db)
    try:
        ids = await cat.search_ids("daft punk", 5)
        tracks = [await cat.get(i) for i in ids]
        assert tracks and all("Daft Punk" in t.artist for t in tracks)
        ids = await cat.search_ids("blindin", 3)  # prefix match
        titles = [(await cat.get(i)).title for i in ids]
        assert any(t.startswith("Blinding") for t in titles)
        assert await cat.search_ids("   ", 3) == []
        assert await cat.search_ids('"); DROP TABLE tracks; --', 3) == []
        assert await cat.count() == 28_356
    finally:
        await cat.close()


async def test_seed_is_idempotent(db_copy: Path) -> None:
    cat = await Catalog.open(db_copy)
    try:
        before = await cat.checksum()
        assert await cat.seed() is None  # already seeded: nothing to do
        assert await cat.checksum() == before
    finally:
        await cat.close()


async def test_interrupted_seed_leaves_nothing_and_next_start_completes(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    cat = await Catalog.open(db)
    layout, rows, total = read_rows(SHIPPED_CATALOG)

    def exploding():
        for i, row in enumerate(rows):
            if i == 20_000:
                raise RuntimeError("power cut")
            yield row

    from core.catalog import ImportReport

    with pytest.raises(RuntimeError):
        await cat.load_rows(exploding(), ImportReport(layout), source="shipped")
    assert await cat.count() == 0
    assert not await cat.is_seeded()
    report = await cat.seed()
    assert report is not None and report.tracks_upserted == 28_356
    assert await cat.count() == 28_356
    await cat.close()


def test_killed_seed_process_leaves_no_partial_catalog(tmp_path: Path) -> None:
    """A real crash: the seeding process dies (os._exit) half-way; the next start seeds everything."""
    db = tmp_path / "killed.db"
    script = textwrap.dedent(
        f"""
        import asyncio, os
        from core.catalog import Catalog
        async def main():
            cat = await Catalog.open({str(db)!r})
            def progress(done, total):
                if done >= 16000:
                    os._exit(9)   # no rollback, no close: like kill -9
            await cat.seed(progress=progress)
        asyncio.run(main())
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert proc.returncode == 9
    assert db.exists()

    import asyncio

    async def check() -> None:
        cat = await Catalog.open(db)
        assert await cat.count() == 0
        assert not await cat.is_seeded()
        await cat.seed()
        assert await cat.count() == 28_356
        await cat.close()

    asyncio.run(check())


def test_shipped_file_matches_source_notes() -> None:
    raw = gzip.decompress(SHIPPED_CATALOG.read_bytes())
    import hashlib

    assert hashlib.sha256(raw).hexdigest() == "9902920cfe4940f0914ebb6716801a42f7f19ac88fbd6693eaae7e2822b16845"
    assert raw.count(b"\n") == 32_834


async def test_not_a_database_gives_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(os.urandom(4096))
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not a usable musicbot database"):
        await Catalog.open(bogus)
