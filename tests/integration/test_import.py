"""`musicbot import`: both known layouts, --map, bad rows, upsert idempotence, --replace, unreadable files."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from core.catalog import SHIPPED_CATALOG
from core.engine import Engine
from core.errors import ImportFailed, InvalidInput, PermissionDenied
from core.models import AUDIO_FEATURES

SPOTIFY_TRACKS_HEADER = [
    "", "track_id", "artists", "album_name", "track_name", "popularity", "duration_ms", "explicit",
    "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness", "instrumentalness",
    "liveness", "valence", "tempo", "time_signature", "track_genre",
]  # fmt: skip


def _feat(**over: object) -> dict[str, object]:
    base = {
        "danceability": 0.5, "energy": 0.6, "key": 5, "loudness": -7.0, "mode": 1, "speechiness": 0.05,
        "acousticness": 0.2, "instrumentalness": 0.0, "liveness": 0.1, "valence": 0.4, "tempo": 118.0,
    }  # fmt: skip
    base.update(over)
    return base


def write_spotify_tracks(path: Path) -> None:
    rows = [
        # good rows; two artists separated by ';' and one track appearing in two genres
        ["0", "AAAAAAAAAAAAAAAAAAAAA1", "Alpha Band;Beta Singer", "First Album", "Opening Song", "55", "200000", "False",
         *_feat().values(), "4", "acoustic"],
        ["1", "AAAAAAAAAAAAAAAAAAAAA2", "Gamma", "Second", "Second Song", "40", "180000", "True",
         *_feat(energy=0.9, tempo=128.0).values(), "4", "edm"],
        ["2", "AAAAAAAAAAAAAAAAAAAAA2", "Gamma", "Second", "Second Song", "40", "180000", "True",
         *_feat(energy=0.9, tempo=128.0).values(), "4", "house"],
        # bad rows
        ["3", "", "Nobody", "x", "No Id", "1", "1000", "False", *_feat().values(), "4", "pop"],
        ["4", "AAAAAAAAAAAAAAAAAAAAA4", "Delta", "x", "Bad Energy", "1", "1000", "False",
         *_feat(energy="loud").values(), "4", "pop"],
        ["5", "AAAAAAAAAAAAAAAAAAAAA5", "Delta", "x", "Out Of Range", "1", "1000", "False",
         *_feat(valence=1.7).values(), "4", "pop"],
        ["6", "AAAAAAAAAAAAAAAAAAAAA6", "Delta", "x", "NaN Tempo", "1", "1000", "False",
         *_feat(tempo="NaN").values(), "4", "pop"],
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SPOTIFY_TRACKS_HEADER)
        writer.writerows(rows)


def write_shipped_subset(path: Path, n: int = 40, bad: bool = True) -> None:
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [next(reader) for _ in range(n)]
    if bad:
        idx = {name: i for i, name in enumerate(header)}
        rows[3][idx["track_id"]] = ""
        rows[5][idx["energy"]] = "high"
        rows[7][idx["loudness"]] = "-99"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
async def empty_engine(tmp_path: Path):
    eng = await Engine.open(tmp_path / "empty.db", seed=False)
    yield eng
    await eng.close()


async def test_spotify_tracks_layout_imports_good_rows_and_reports_bad_ones(empty_engine: Engine, admin, tmp_path) -> None:
    src = tmp_path / "dataset.csv"
    write_spotify_tracks(src)
    report = await empty_engine.app.admin.import_catalog(admin, src)
    assert report.layout == "spotify-tracks"
    assert report.tracks_upserted == 2
    reasons = {e.row: e.reason for e in report.errors}
    assert set(reasons) == {5, 6, 7, 8}  # spreadsheet row numbers: header is row 1
    assert "missing track_id" in reasons[5]
    assert "energy" in reasons[6] and "not a number" in reasons[6]
    assert "valence" in reasons[7] and "outside" in reasons[7]
    assert "tempo" in reasons[8] and "NaN" in reasons[8]
    track = await empty_engine.app.tracks.get_track("AAAAAAAAAAAAAAAAAAAAA1")
    assert track.artists == ["Alpha Band", "Beta Singer"]
    second = await empty_engine.app.tracks.get_track("AAAAAAAAAAAAAAAAAAAAA2")
    assert set(second.genres) == {"edm", "house"}  # both genre rows kept
    assert len(empty_engine.loaded.table) == 2


async def test_reimport_is_idempotent(empty_engine: Engine, admin, tmp_path) -> None:
    src = tmp_path / "dataset.csv"
    write_spotify_tracks(src)
    await empty_engine.app.admin.import_catalog(admin, src)
    first = await empty_engine.catalog.checksum()
    await empty_engine.app.admin.import_catalog(admin, src)
    assert await empty_engine.catalog.checksum() == first
    assert len(empty_engine.loaded.table) == 2


async def test_shipped_layout_with_bad_rows(empty_engine: Engine, admin, tmp_path) -> None:
    src = tmp_path / "subset.csv"
    write_shipped_subset(src)
    report = await empty_engine.app.admin.import_catalog(admin, src)
    assert report.layout == "shipped"
    assert [e.row for e in report.errors] == [5, 7, 9]
    assert "loudness" in report.errors[2].reason
    assert await empty_engine.catalog.count() == report.tracks_upserted == 37


async def test_custom_mapping(empty_engine: Engine, admin, tmp_path) -> None:
    src = tmp_path / "mine.csv"
    names = ["id", "Song", "Singer", *AUDIO_FEATURES, "Style"]
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        w.writerow(["BBBBBBBBBBBBBBBBBBBBB1", "Mapped Song", "Mapper", *_feat().values(), "lo-fi"])
    pairs = ["id=track_id", "Song=title", "Singer=artists", "Style=genre"]
    report = await empty_engine.app.admin.import_catalog(admin, src, map_pairs=pairs)
    assert report.layout == "custom" and report.tracks_upserted == 1 and not report.errors
    track = await empty_engine.app.tracks.get_track("Mapped Song")
    assert track.artists == ["Mapper"] and track.genres == ["lo-fi"]
    with pytest.raises(ImportFailed, match="Unknown field"):
        await empty_engine.app.admin.import_catalog(admin, src, map_pairs=["id=track_id", "Song=name"])
    with pytest.raises(ImportFailed, match="not in the file"):
        await empty_engine.app.admin.import_catalog(admin, src, map_pairs=["nope=track_id"])


async def test_unreadable_files_change_nothing(engine: Engine, admin, tmp_path) -> None:
    before = await engine.catalog.checksum()
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("track_id,track_name\nx,Beyonc\xe9\n".encode("latin-1"))
    with pytest.raises(ImportFailed, match="not UTF-8"):
        await engine.app.admin.import_catalog(admin, latin1)
    binary = tmp_path / "song.mp3"
    binary.write_bytes(b"ID3\x00\x00\x00" + bytes(range(256)) * 10)
    with pytest.raises(ImportFailed):
        await engine.app.admin.import_catalog(admin, binary)
    prose = tmp_path / "notes.csv"
    prose.write_text("just some text\nnot a catalog\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        await engine.app.admin.import_catalog(admin, prose)
    with pytest.raises(ImportFailed, match="not found"):
        await engine.app.admin.import_catalog(admin, tmp_path / "missing.csv")
    assert await engine.catalog.checksum() == before


async def test_import_needs_admin(engine: Engine, user, tmp_path) -> None:
    src = tmp_path / "dataset.csv"
    write_spotify_tracks(src)
    before = await engine.catalog.checksum()
    with pytest.raises(PermissionDenied):
        await engine.app.admin.import_catalog(user, src)
    assert await engine.catalog.checksum() == before


async def test_replace_swaps_catalog_and_default_is_not_seeded_again(db_copy: Path, admin, tmp_path) -> None:
    src = tmp_path / "dataset.csv"
    write_spotify_tracks(src)
    eng = await Engine.open(db_copy)
    report = await eng.app.admin.import_catalog(admin, src, replace=True)
    assert report.replaced and len(eng.loaded.table) == 2
    recs = await eng.app.discovery.recommend_similar(["Opening Song"])
    assert [r.track.title for r in recs.tracks] == ["Second Song"]
    await eng.close()
    eng = await Engine.open(db_copy)  # restart: the shipped catalog must not come back
    assert await eng.catalog.count() == 2
    await eng.close()


async def test_replace_with_no_valid_rows_is_refused(engine: Engine, admin, tmp_path) -> None:
    src = tmp_path / "allbad.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(SPOTIFY_TRACKS_HEADER)
        w.writerow(["0", "", "x", "x", "x", "1", "1", "False", *_feat().values(), "4", "pop"])
    before = await engine.catalog.checksum()
    with pytest.raises(InvalidInput, match="no valid track row"):
        await engine.app.admin.import_catalog(admin, src, replace=True)
    assert await engine.catalog.checksum() == before


async def test_control_characters_in_imported_text_are_dropped(empty_engine: Engine, admin, tmp_path) -> None:
    # files written by other programs may carry terminal escapes or bidi overrides: the row imports, as plain text
    src = tmp_path / "dirty.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SPOTIFY_TRACKS_HEADER)
        writer.writerow(["0", "AAAAAAAAAAAAAAAAAAAAA1", "Alpha\u202e Band;Beta\x07", "Red\x1b[31mAlbum", "Ring\x08 Song",
                         "55", "200000", "False", *_feat().values(), "4", "acoustic\x9b"])
    report = await empty_engine.app.admin.import_catalog(admin, src)
    assert report.tracks_upserted == 1, report.errors
    track = await empty_engine.app.tracks.get_track("AAAAAAAAAAAAAAAAAAAAA1")
    assert (track.title, track.album, track.artists) == ("Ring Song", "Red [31mAlbum", ["Alpha Band", "Beta"])
    assert track.genres == ["acoustic"]
