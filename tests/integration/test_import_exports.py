"""Importing exported files end to end: real SQLite files, the engine, the CLI.

Tracks without audio features (recent Exportify exports) are stored with NULL features, found, shown, linked and
used in playlists, and never ranked by a made-up feature distance. --replace is one transaction; a wholly bad file
changes nothing; an old-schema database is upgraded in place.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import aiosqlite
import numpy as np
import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.catalog import Catalog
from core.engine import Engine
from core.errors import ImportFailed, InvalidInput
from core.models import AUDIO_FEATURES, Filters
from tests.unit.test_catalog_io import EXPORTIFY_NEW, FEATS, exportify_new_row

IDS = [f"{c * 21}{i}" for i, c in enumerate("ABCDEFGHJ")]


def write_exportify(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(EXPORTIFY_NEW)
        w.writerows(rows)
    return path


def feats(**over: float) -> dict[str, object]:
    return {**FEATS, **over}


def mixed_export(path: Path) -> Path:
    """Five featured tracks by three artists, plus two featureless tracks (one by a featured artist)."""
    return write_exportify(
        path,
        [
            exportify_new_row(IDS[0], "Neon Run", "Alpha", feats(energy=0.9, tempo=128)),
            exportify_new_row(IDS[1], "Neon Walk", "Alpha", feats(energy=0.85, tempo=126)),
            exportify_new_row(IDS[2], "Quiet Room", "Beta", feats(energy=0.1, tempo=70, acousticness=0.9)),
            exportify_new_row(IDS[3], "Loud Room", "Gamma", feats(energy=0.95, tempo=130)),
            exportify_new_row(IDS[4], "Soft Room", "Gamma", feats(energy=0.2, tempo=80)),
            exportify_new_row(IDS[5], "Ghost Song", "Alpha", None),
            exportify_new_row(IDS[6], "Lonely Ghost", "Delta", None),
        ],
    )


@pytest.fixture
async def fresh(tmp_path: Path):
    eng = await Engine.open(tmp_path / "fresh.db", seed=False)
    yield eng
    await eng.close()


async def test_featureless_rows_are_stored_null_counted_found_and_shown(fresh: Engine, admin, tmp_path) -> None:
    report = await fresh.app.admin.import_catalog(admin, mixed_export(tmp_path / "e.csv"))
    assert report.layout == "exportify"
    assert (report.tracks_upserted, report.with_features, report.without_features) == (7, 5, 2)
    assert report.summary() == "7 rows: 7 tracks (5 with audio features, 2 without)"
    async with fresh.catalog.db.execute(f"SELECT {', '.join(AUDIO_FEATURES)} FROM tracks WHERE track_id=?", (IDS[6],)) as cur:
        assert tuple(await cur.fetchone()) == (None,) * len(AUDIO_FEATURES)  # NULL, never 0
    ghost = await fresh.app.tracks.get_track("Lonely Ghost")
    assert ghost.track_id == IDS[6] and not ghost.has_features and ghost.energy is None
    assert ghost.spotify_url == f"https://open.spotify.com/track/{IDS[6]}"
    assert sorted(ghost.genres) == ["dance pop", "pop"]
    found = await fresh.app.discovery.search("ghost")
    assert {r.track.track_id for r in found.tracks} == {IDS[5], IDS[6]}


async def test_featureless_tracks_are_never_ranked_by_feature_distance(fresh: Engine, admin, tmp_path) -> None:
    await fresh.app.admin.import_catalog(admin, mixed_export(tmp_path / "e.csv"))
    t, rec = fresh.loaded.table, fresh.loaded.recommender
    featureless = {t.pos[IDS[5]], t.pos[IDS[6]]}
    assert not t.has_features[list(featureless)].any() and np.isnan(t.features[t.pos[IDS[6]]]).all()
    # KNN over audio features never returns them
    seed = t.pos[IDS[3]]
    pos, _ = rec.index.search(rec.index.vectors[seed], k=10)
    assert featureless.isdisjoint(pos.tolist()) and len(pos) == 5
    # the audio term is zero for them: their similar score is exactly the score with the audio weight off
    full = rec.similar_scores([seed])
    rec.params.audio = 0.0
    no_audio = rec.similar_scores([seed])
    rec.params.audio = 0.5
    for p in featureless:
        assert full[p] == pytest.approx(no_audio[p])
    assert full[t.pos[IDS[0]]] > no_audio[t.pos[IDS[0]]]  # featured tracks do get it
    # text targets: a "fast, energetic" query never scores them on tempo/energy; a tempo filter excludes them
    res = await fresh.app.discovery.recommend_text("energetic fast workout music")
    assert res.tracks and featureless.isdisjoint({t.pos[r.track.track_id] for r in res.tracks[:3]})
    filtered = fresh.loaded.recommender.filter_mask(Filters(tempo_min=60), t.n)
    assert filtered is not None and not filtered[list(featureless)].any()


async def test_featureless_seed_falls_back_to_artist_and_labels_and_says_so(fresh: Engine, admin, tmp_path) -> None:
    await fresh.app.admin.import_catalog(admin, mixed_export(tmp_path / "e.csv"))
    recs = await fresh.app.discovery.recommend_similar(["Ghost Song"])
    assert recs.tracks
    top = recs.tracks[0]
    assert top.track.artists == ["Alpha"]  # same artist first: the only honest signal left
    assert all(r.reason.startswith("no audio features for this track, matched on artist/genre") for r in recs.tracks)
    assert "same artist: Alpha" in top.reason
    # a featured seed's reasons never claim audio closeness for a featureless pick
    recs = await fresh.app.discovery.recommend_similar(["Neon Run"], Filters(limit=10))
    by_id = {r.track.track_id: r.reason for r in recs.tracks}
    assert IDS[5] in by_id and "close" not in by_id[IDS[5]]


async def test_featureless_tracks_work_in_playlists_and_cards(fresh: Engine, admin, tmp_path) -> None:
    from adapters.console.render import track_details
    from adapters.discord.render import track_embed
    from adapters.telegram.render import render_track
    from core.agent.tools_catalog import describe

    await fresh.app.admin.import_catalog(admin, mixed_export(tmp_path / "e.csv"))
    ghost = await fresh.app.tracks.get_track("Lonely Ghost")
    assert "no audio features" in "".join(render_track(ghost))
    embed = track_embed(ghost)
    assert any(f.value == "no audio features" for f in embed.fields)
    from rich.console import Console

    console = Console(record=True, width=120)
    console.print(track_details(ghost))
    assert "no audio features" in console.export_text()
    assert describe(ghost).startswith("no audio features")
    # a playlist holding only featureless tracks: added by link, exported, and continued on artist / labels
    svc = fresh.app.playlists
    await svc.create(admin, "console:g1", "ghosts")
    await svc.add(admin, "console:g1", "ghosts", [f"https://open.spotify.com/track/{IDS[5]}", IDS[6]])
    export = await svc.export("console:g1", "ghosts")
    assert export.urls == [f"https://open.spotify.com/track/{IDS[5]}", f"https://open.spotify.com/track/{IDS[6]}"]
    recs = await svc.recommend(admin, "console:g1", "ghosts", limit=3)
    assert recs.tracks and recs.tracks[0].track.artists == ["Alpha"]
    assert "no audio features" in recs.tracks[0].reason


async def test_reimport_without_features_keeps_known_features(fresh: Engine, admin, tmp_path) -> None:
    write_exportify(tmp_path / "a.csv", [exportify_new_row(IDS[0], "Neon Run", "Alpha", feats(energy=0.9))])
    await fresh.app.admin.import_catalog(admin, tmp_path / "a.csv")
    write_exportify(tmp_path / "b.csv", [exportify_new_row(IDS[0], "Neon Run (Remix)", "Alpha", None)])
    await fresh.app.admin.import_catalog(admin, tmp_path / "b.csv")
    track = await fresh.app.tracks.get_track(IDS[0])
    assert track.title == "Neon Run (Remix)" and track.energy == 0.9 and track.has_features


async def test_wholly_bad_file_changes_nothing(engine: Engine, admin, tmp_path) -> None:
    before = await engine.catalog.checksum()
    bad = write_exportify(
        tmp_path / "bad.csv",
        [exportify_new_row("tooShort", "X", "Y", None), exportify_new_row(IDS[0], "Z", "Y", feats(energy=7))],
    )
    with pytest.raises(InvalidInput, match=r"bad.csv has no valid track row \(row 2: track_id 'spotify:track:tooShort'"):
        await engine.app.admin.import_catalog(admin, bad)
    with pytest.raises(InvalidInput, match="no valid track row"):
        await engine.app.admin.import_catalog(admin, bad, replace=True)
    assert await engine.catalog.checksum() == before and len(engine.loaded.table) == 28_356


async def test_failed_replace_half_way_leaves_exactly_the_previous_catalog(engine: Engine, admin, tmp_path) -> None:
    before = await engine.catalog.checksum()
    src = tmp_path / "late-bad.csv"
    good = "".join(f"{IDS[i % 9][:-3]}{i:03d},Song {i},Artist\n" for i in range(900))
    src.write_bytes(("id,name,artist\n" + good).encode() * 100 + b"x" * 22 + b",Beyonc\xe9,Z\n")
    with pytest.raises(ImportFailed, match="not UTF-8"):
        await engine.app.admin.import_catalog(admin, src, replace=True)
    assert await engine.catalog.checksum() == before
    assert await engine.catalog.get_meta("catalog_source") == "shipped:spotify_songs.csv.gz"
    bomb = tmp_path / "bomb.csv.gz"
    import gzip

    with gzip.open(bomb, "wb") as fh:
        fh.write(f"id,name\n{IDS[0]},x\n".encode() + b"\n" * (4 << 20))
    with pytest.raises(ImportFailed, match="when decompressed"):
        await engine.app.admin.import_catalog(admin, bomb, replace=True, max_decompressed=1 << 20)
    assert await engine.catalog.checksum() == before and len(engine.loaded.table) == 28_356


async def test_old_schema_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    v1 = sqlite3.connect(path)
    feature_cols = ", ".join(f"{f} REAL NOT NULL" for f in AUDIO_FEATURES)
    v1.executescript(
        f"""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE tracks (id INTEGER PRIMARY KEY, track_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL DEFAULT '',
            artists TEXT NOT NULL DEFAULT '[]', artist_display TEXT NOT NULL DEFAULT '', album TEXT NOT NULL DEFAULT '',
            release_date TEXT NOT NULL DEFAULT '', year INTEGER, popularity INTEGER NOT NULL DEFAULT 0,
            duration_ms INTEGER NOT NULL DEFAULT 0, {feature_cols});
        CREATE TABLE track_labels (track_id TEXT NOT NULL REFERENCES tracks(track_id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('genre', 'subgenre', 'playlist')), label TEXT NOT NULL,
            source_id TEXT NOT NULL DEFAULT '', PRIMARY KEY (track_id, kind, label, source_id)) WITHOUT ROWID;
        CREATE VIRTUAL TABLE tracks_fts USING fts5(title, artist_display, album, content='tracks', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2');
        INSERT INTO meta VALUES ('schema_version', '1'), ('catalog_source', 'import:old.csv');
        """
    )
    v1.execute(
        f"INSERT INTO tracks (id, track_id, title, artists, artist_display, {', '.join(AUDIO_FEATURES)}) "
        f"VALUES (7, ?, 'Old Song', '[\"Old Band\"]', 'Old Band', {', '.join('?' * len(AUDIO_FEATURES))})",
        (IDS[0], *FEATS.values()),
    )
    v1.execute("INSERT INTO track_labels VALUES (?, 'genre', 'rock', '')", (IDS[0],))
    v1.execute("INSERT INTO tracks_fts(tracks_fts) VALUES('rebuild')")
    v1.commit()
    v1.close()
    with pytest.raises(sqlite3.IntegrityError):  # the old schema really refuses NULL features
        c = sqlite3.connect(path)
        c.execute("INSERT INTO tracks (track_id) VALUES ('x')")
    c.close()

    cat = await Catalog.open(path)
    try:
        assert await cat.get_meta("schema_version") == "2"
        old = await cat.get(IDS[0])
        assert old is not None and old.title == "Old Song" and old.genres == ["rock"] and old.energy == 0.8
        assert await cat.search_ids("old song") == [IDS[0]]  # FTS rowids survived the rebuild
        async with cat.db.execute("SELECT id FROM tracks WHERE track_id=?", (IDS[0],)) as cur:
            assert (await cur.fetchone())[0] == 7
        report = await cat.import_file(write_exportify(tmp_path / "n.csv", [exportify_new_row(IDS[1], "New", "N", None)]))
        assert report.without_features == 1
        assert await cat.search_ids("new") == [IDS[1]]  # triggers re-created
        assert await cat.is_seeded()
    finally:
        await cat.close()
    async with aiosqlite.connect(path) as db:  # and it opens again without another upgrade
        async with db.execute("PRAGMA foreign_key_check") as cur:
            assert await cur.fetchall() == []
    cat = await Catalog.open(path)
    assert await cat.count() == 2
    await cat.close()


# ------------------------------------------------------------------------------------------------ CLI
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for key in ("MODEL", "GOOGLE_API_KEY", "OPENAI_API_KEY", "DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_cli_replace_into_new_db_prints_mapping_and_never_seeds(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    src = mixed_export(tmp_path / "e.csv")
    code, out = invoke("import", str(src), "--db", str(db), "--replace")
    assert code == 0, out
    assert "Layout: exportify (comma-separated)" in out
    assert "Track URI -> track_id" in out and "Artist Name(s) -> artists" in out
    assert "7 rows: 7 tracks (5 with audio features, 2 without)" in out
    assert "Catalog now holds 7 tracks." in out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == 7
        assert conn.execute("SELECT value FROM meta WHERE key='catalog_source'").fetchone()[0] == "import:e.csv"
    code, out = invoke("song", "Lonely Ghost", "--db", str(db))
    assert code == 0 and "no audio features" in out and IDS[6] in out
    code, out = invoke("similar", "Ghost Song", "--db", str(db), "--json")
    assert code == 0, out
    assert all("no audio features" in t["reason"] for t in json.loads(out))


def test_cli_reports_bad_rows_with_numbers_and_semicolon_file(tmp_path: Path) -> None:
    src = tmp_path / "semi.csv"
    src.write_text(
        "sep=;\nTitle;Artist;Spotify URI;Energy;Tempo\n"
        f"Uno;A;spotify:track:{IDS[0]};0,5;120,5\n"
        "Dos;B;spotify:track:short;0,5;120\n"
        f"Tres;C;spotify:track:{IDS[2]};1,5;100\n",
        encoding="utf-8",
    )
    code, out = invoke("import", str(src), "--db", str(tmp_path / "s.db"), "--replace")
    assert code == 0, out
    assert "semicolon-separated, Excel sep= line, decimal commas" in out
    assert "3 rows: 1 track (0 with audio features, 1 without), 2 rows skipped" in out
    assert "row 3: track_id 'spotify:track:short' is not a Spotify track id" in out
    assert "row 4: energy=1.5 is outside 0..1" in out
