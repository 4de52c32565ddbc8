"""Alembic migrations on SQLite: a database made by the code before Alembic (schema 2, tables created lazily by each
module; ``tests/data/legacy_v2.db``, built at commit 515b3e0 by ``tests/data/make_legacy_v2.py``) and a schema-1
database are upgraded in place, keeping every row; a database of the raw-aiosqlite catalog (Alembic 0003,
``tests/data/pre_sqlalchemy_0003.db``, built at commit 31d4c37 by ``tests/data/make_pre_sqlalchemy.py``) opens and
keeps working on the SQLAlchemy catalog."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from core.catalog import Catalog
from core.errors import InvalidInput
from core.infra.migrate import HEAD_REVISION, script_head

LEGACY = Path(__file__).resolve().parent.parent / "data" / "legacy_v2.db"


def _counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '%fts%'")]
        return {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    finally:
        con.close()


def test_head_constant_matches_the_scripts() -> None:
    assert script_head() == HEAD_REVISION


async def test_legacy_database_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "legacy.db"
    shutil.copy(LEGACY, path)
    before = _counts(path)
    assert "alembic_version" not in before and "catalog_changes" not in before
    cat = await Catalog.open(path)
    try:
        assert await cat.count() == before["tracks"] == 40
        assert await cat.get_meta("catalog_source") == "shipped:small.csv"
        track = (await cat.all_rows())[0]
        hits = await cat.search_ids(track[1].split()[0])
        assert track[0] in hits  # the FTS index survived
        assert await cat.change_version() == 0
    finally:
        await cat.close()
    after = _counts(path)
    for table, n in before.items():
        assert after[table] == n, table  # every row kept (conversations, likes, playlists, rate limits …)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
    con.close()
    again = await Catalog.open(path)  # a second open is a no-op
    await again.close()
    assert _counts(path) == after


async def test_schema_1_database_gets_nullable_features(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    shutil.copy(LEGACY, path)
    con = sqlite3.connect(path)  # turn the legacy file into schema 1: NOT NULL feature columns
    con.executescript(
        """PRAGMA foreign_keys=OFF;
        CREATE TABLE t1 AS SELECT * FROM tracks;
        DROP TRIGGER tracks_ai; DROP TRIGGER tracks_ad; DROP TRIGGER tracks_au;
        DROP TABLE tracks;
        CREATE TABLE tracks (id INTEGER PRIMARY KEY, track_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL DEFAULT '',
          artists TEXT NOT NULL DEFAULT '[]', artist_display TEXT NOT NULL DEFAULT '', album TEXT NOT NULL DEFAULT '',
          release_date TEXT NOT NULL DEFAULT '', year INTEGER, popularity INTEGER NOT NULL DEFAULT 0,
          duration_ms INTEGER NOT NULL DEFAULT 0, danceability REAL NOT NULL, energy REAL NOT NULL, key REAL NOT NULL,
          loudness REAL NOT NULL, mode REAL NOT NULL, speechiness REAL NOT NULL, acousticness REAL NOT NULL,
          instrumentalness REAL NOT NULL, liveness REAL NOT NULL, valence REAL NOT NULL, tempo REAL NOT NULL);
        INSERT INTO tracks SELECT * FROM t1; DROP TABLE t1;
        UPDATE meta SET value='1' WHERE key='schema_version';"""
    )
    con.close()
    labels = _counts(path)["track_labels"]
    cat = await Catalog.open(path)
    try:
        assert await cat.get_meta("schema_version") == "2"
        assert await cat.count() == 40
        first = (await cat.all_rows())[0][0]
        await cat.db.execute("UPDATE tracks SET energy=NULL WHERE track_id=?", (first,))  # nullable now
    finally:
        await cat.close()
    assert _counts(path)["track_labels"] == labels  # the rebuild did not cascade into the labels


async def test_unknown_newer_revision_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    shutil.copy(LEGACY, path)
    await (await Catalog.open(path)).close()  # upgrade first
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
    with pytest.raises(InvalidInput, match="newer musicbot"):
        await Catalog.open(path)


PRE_SQLALCHEMY = Path(__file__).resolve().parent.parent / "data" / "pre_sqlalchemy_0003.db"
#: What tests/data/make_pre_sqlalchemy.py did with the raw-aiosqlite catalog of commit 31d4c37.
EDITED, DELETED, ADDED = "6f807x0ima9a1j3VPbc7VN", "0r7CVbZTWZgbTCYdfa2P31", "4uLU6hMCjMI75M1A2tKUQC"


async def test_database_of_the_aiosqlite_catalog_opens_and_keeps_working(tmp_path: Path) -> None:
    """A database written by the catalog before it moved onto SQLAlchemy (same Alembic head, 0003) opens without a
    migration, reads back exactly what the old code wrote, keeps its change log and start-up cache version, and
    takes new writes (FTS5 index and change log in step)."""
    path = tmp_path / "old.db"
    shutil.copy(PRE_SQLALCHEMY, path)
    before = _counts(path)
    con = sqlite3.connect(path)
    stamp = con.execute("SELECT n, token FROM catalog_stamp").fetchone()
    con.close()
    cat = await Catalog.open(path)
    try:
        assert await cat.count() == before["tracks"] == 40  # 40 seeded, one added, one deleted
        edited = await cat.get(EDITED)
        assert edited is not None and edited.tempo == 123.5 and edited.genres == ["legacy-genre"]
        assert await cat.get(DELETED) is None and ADDED in await cat.search_ids("legacy added")
        assert await cat.changes_since(0) == [(1, "", "reload"), (2, EDITED, "upsert"), (3, ADDED, "upsert"),
                                              (4, DELETED, "delete")]
        from core.cache_key import catalog_version

        version = await catalog_version(cat.db)
        assert f"-n{stamp[0]}-{stamp[1]}-" in version  # opening changed nothing the start-up cache keys on
        changed = await cat.update_fields(ADDED, {"title": "Renamed By New Code", "energy": 0.25})
        assert changed is not None and changed.title == "Renamed By New Code" and changed.energy == 0.25
        assert await cat.search_ids("renamed new code") == [ADDED] and await cat.search_ids("legacy added") == []
        assert await cat.changes_since(4) == [(5, ADDED, "upsert")]
        assert await catalog_version(cat.db) != version
    finally:
        await cat.close()
    after = _counts(path)
    for table, n in before.items():
        if table not in ("catalog_changes", "catalog_stamp"):
            assert after[table] == n, table  # conversations, likes, playlists … all kept
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
    con.close()
