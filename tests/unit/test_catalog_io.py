"""Catalog CSV reading (core.catalog_io) on real files written in the forms exporters produce.

Property tests vary the layout (header spellings and synonyms, column order), the dialect (delimiter, BOM, CRLF,
Excel ``sep=`` line, decimal commas), placeholders, id forms and multi-value cells, and check every row reads back.
"""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.spotify_links import parse_track_id
from core.catalog_io import (
    PLACEHOLDERS,
    SEPARATORS,
    RowError,
    TrackRow,
    detect_layout,
    normalize_header,
    open_catalog_csv,
)
from core.errors import ImportFailed
from core.models import AUDIO_FEATURES

ID = "4uLU6hMCjMI75M1A2tKUQC"
ID2 = "7qiZfU4dY1lWllzX7mPBI3"
FEATS = dict(danceability=0.5, energy=0.8, key=5, loudness=-6.5, mode=1, speechiness=0.05, acousticness=0.1,
             instrumentalness=0.0, liveness=0.12, valence=0.6, tempo=120.5)  # fmt: skip


def rows_of(path: Path, **kw: object) -> tuple[object, list[TrackRow | RowError]]:
    src = open_catalog_csv(path, **kw)  # type: ignore[arg-type]
    return src, list(src.rows)


# ------------------------------------------------------------------------------------------------ ids
@pytest.mark.parametrize(
    "cell",
    [
        ID,
        f"  {ID} ",
        f"spotify:track:{ID}",
        f"SPOTIFY:TRACK:{ID}",
        f"spotify:track:{ID}:play",
        f"https://open.spotify.com/track/{ID}",
        f"https://open.spotify.com/track/{ID}?si=abc123&utm_source=copy-link",
        f"HTTPS://OPEN.SPOTIFY.COM/intl-de/track/{ID}/",
        f"http://open.spotify.com/embed/track/{ID}#x",
        f"open.spotify.com/track/{ID}",
    ],
)
def test_track_id_from_every_cell_form(cell: str) -> None:
    assert parse_track_id(cell) == ID


@pytest.mark.parametrize(
    "cell",
    [
        ID[:-1],
        ID + "x",
        f"spotify:album:{ID}",
        f"https://open.spotify.com/album/{ID}",
        f"https://open.spotify.com.evil.example/track/{ID}",
        "spotify:local:Artist:Album:Title:215",
        "not an id at all",
    ],
)
def test_not_a_track_id(cell: str) -> None:
    assert parse_track_id(cell) is None


@given(
    scheme=st.sampled_from(["https://", "http://", "", "HTTPS://"]),
    host=st.sampled_from(["open.spotify.com", "OPEN.Spotify.com"]),
    intl=st.sampled_from(["", "intl-fr/", "intl-pt-br/"]),
    embed=st.sampled_from(["", "embed/"]),
    slash=st.sampled_from(["", "/"]),
    query=st.sampled_from(["", "?si=Zx9", "?utm_source=x&si=1", "#t=10"]),
    track_id=st.text(alphabet="abcdefghijkABCDEFGHIJK0123456789", min_size=22, max_size=22),
)
def test_track_links_property(scheme: str, host: str, intl: str, embed: str, slash: str, query: str, track_id: str) -> None:
    assert parse_track_id(f"{scheme}{host}/{intl}{embed}track/{track_id}{slash}{query}") == track_id


def test_normalize_header() -> None:
    assert normalize_header("Artist Name(s)") == "artistnames"
    assert normalize_header(" Track_URI ") == "trackuri"
    assert normalize_header("Tempo (BPM)") == "tempobpm"


# ------------------------------------------------------------------------------------------------ layouts
def _write(path: Path, header: list[str], rows: list[list[object]], *, delimiter: str = ",", bom: bool = False,
           crlf: bool = False, sep_line: bool = False) -> Path:  # fmt: skip
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    w.writerows(rows)
    text = (f"sep={delimiter}\r\n" if sep_line else "") + buf.getvalue()
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


EXPORTIFY_NEW = [
    "Track URI", "Track Name", "Artist URI(s)", "Artist Name(s)", "Album URI", "Album Name", "Album Artist URI(s)",
    "Album Artist Name(s)", "Album Release Date", "Album Image URL", "Disc Number", "Track Number",
    "Track Duration (ms)", "Track Preview URL", "Explicit", "Popularity", "ISRC", "Added By", "Added At",
    "Artist Genres", "Danceability", "Energy", "Key", "Loudness", "Mode", "Speechiness", "Acousticness",
    "Instrumentalness", "Liveness", "Valence", "Tempo", "Time Signature", "Album Genres", "Label", "Copyrights",
]  # fmt: skip


def exportify_new_row(track_id: str, title: str, artists: str, feats: dict[str, object] | None) -> list[object]:
    f = [feats[n] if feats else "" for n in AUDIO_FEATURES]
    return [f"spotify:track:{track_id}", title, "spotify:artist:x", artists, "spotify:album:y", "Album", "", "",
            "2019-11-29", "", 1, 1, 200040, "", "false", 80, "USUG11904206", "", "2024-01-01T00:00:00Z",
            "pop,dance pop", *f, 4, "", "Label", "C 2019"]  # fmt: skip


def test_exportify_new_header_with_bom_crlf_and_empty_features(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "exportify.csv",
        EXPORTIFY_NEW,
        [exportify_new_row(ID, "Blinding Lights", "The Weeknd", FEATS),
         exportify_new_row(ID2, "Levitating", "Dua Lipa,DaBaby", None)],  # fmt: skip
        bom=True,
        crlf=True,
    )
    src, rows = rows_of(path)
    assert src.layout == "exportify"
    mapping = dict((f, c) for c, f in src.mapping)
    assert mapping["track_id"] == "Track URI" and mapping["artists"] == "Artist Name(s)"
    assert mapping["release_date"] == "Album Release Date" and mapping["genre"] == "Artist Genres"
    assert "Album Artist Name(s)" in src.ignored and "Artist URI(s)" in src.ignored
    assert any("Track URI -> track_id" in line for line in src.describe())
    first, second = rows
    assert isinstance(first, TrackRow) and isinstance(second, TrackRow)
    assert first.track_id == ID and first.has_features and first.features["tempo"] == 120.5
    assert first.year == 2019 and first.duration_ms == 200040
    assert [lab[1] for lab in first.labels] == ["pop", "dance pop"]
    assert second.artists == ["Dua Lipa", "DaBaby"]
    assert not second.has_features and all(v is None for v in second.features.values())


def test_exportify_old_header_semicolon_excel_sep_line_and_decimal_commas(tmp_path: Path) -> None:
    header = ["Spotify ID", "Artist IDs", "Track Name", "Album Name", "Artist Name(s)", "Release Date",
              "Duration (ms)", "Popularity", "Added By", "Added At", "Genres", *[n.title() for n in AUDIO_FEATURES],
              "Time Signature"]  # fmt: skip
    feats = [str(FEATS[n]).replace(".", ",") for n in AUDIO_FEATURES]
    path = _write(
        tmp_path / "old.csv",
        header,
        [[ID, "a1", "Song, with comma", "LP", "Alpha, Beta", "2001-05-01", "1000", "5", "", "", "rock", *feats, "4"]],
        delimiter=";",
        sep_line=True,
    )
    src, rows = rows_of(path)
    assert src.layout == "exportify" and src.delimiter == ";" and src.excel_sep_line and src.decimal_comma
    assert any("decimal commas" in line for line in src.describe())
    (row,) = rows
    assert isinstance(row, TrackRow)
    assert row.title == "Song, with comma" and row.artists == ["Alpha", "Beta"]
    assert row.features["loudness"] == -6.5 and row.features["tempo"] == 120.5 and row.features["key"] == 5


def test_kaggle_1921_2020_list_literals_tab_delimited(tmp_path: Path) -> None:
    header = ["valence", "year", "acousticness", "artists", "danceability", "duration_ms", "energy", "explicit",
              "id", "instrumentalness", "key", "liveness", "loudness", "mode", "name", "popularity",
              "release_date", "speechiness", "tempo"]  # fmt: skip

    def row(track_id: str, artists: str, name: str, year: int, release: str) -> list[object]:
        f = FEATS
        return [f["valence"], year, f["acousticness"], artists, f["danceability"], 180000, f["energy"], 0, track_id,
                f["instrumentalness"], f["key"], f["liveness"], f["loudness"], f["mode"], name, 10, release,
                f["speechiness"], f["tempo"]]  # fmt: skip

    path = _write(
        tmp_path / "data.tsv",
        header,
        [row(ID, "['Guns N\\' Roses', \"Slash's Snakepit\"]", "Sweet Child", 1987, "1987"),
         row(ID2, "['[ALEXANDROS]']", "Starrrrrrr", 2015, "2015-06-01"),
         row("5" * 22, "__import__('os').system('echo hacked')", "Not Eval", 1950, "")],  # fmt: skip
        delimiter="\t",
    )
    src, rows = rows_of(path)
    assert src.layout == "kaggle-1921-2020" and src.delimiter == "\t"
    a, b, c = rows
    assert isinstance(a, TrackRow) and a.artists == ["Guns N' Roses", "Slash's Snakepit"] and a.year == 1987
    assert isinstance(b, TrackRow) and b.artists == ["[ALEXANDROS]"]
    assert isinstance(c, TrackRow) and c.artists == ["__import__('os').system('echo hacked')"] and c.year == 1950


def test_generic_file_with_links_placeholders_partial_features_and_quoted_newlines(tmp_path: Path) -> None:
    header = ["Song Title", "Performer", "Spotify Link", "BPM", "Energy", "Genre"]
    path = _write(
        tmp_path / "mine.csv",
        header,
        [["Line one\nline two", "Solo", f"https://open.spotify.com/intl-de/track/{ID}?si=x", "128,5", "N/A", "house; techno"],
         ["NA", "NA", f"spotify:track:{ID2}", "null", "0,7", "-"],
         ["Bad Id", "X", "https://open.spotify.com/album/" + ID, "", "", ""],
         ["Too Fast", "X", "3" * 22, "999", "", ""]],  # fmt: skip
        delimiter=";",
    )
    src, rows = rows_of(path)
    assert src.layout == "generic" and src.decimal_comma
    assert dict((f, c) for c, f in src.mapping) == {"title": "Song Title", "artists": "Performer",
                                                     "track_id": "Spotify Link", "tempo": "BPM",
                                                     "energy": "Energy", "genre": "Genre"}  # fmt: skip
    assert set(src.missing_features) == set(AUDIO_FEATURES) - {"tempo", "energy"}
    first, second, bad_id, too_fast = rows
    assert isinstance(first, TrackRow) and first.title == "Line one line two"
    assert first.features["tempo"] == 128.5 and first.features["energy"] is None and not first.has_features
    assert [lab[1] for lab in first.labels] == ["house", "techno"]
    assert isinstance(second, TrackRow)
    assert second.title == "" and second.artists == [] and second.labels == []  # never a track "NA" by "NA"
    assert second.features["energy"] == 0.7 and second.features["tempo"] is None
    assert isinstance(bad_id, RowError) and bad_id.row == 4 and "not a Spotify track id" in bad_id.reason
    assert isinstance(too_fast, RowError) and too_fast.row == 5 and "tempo" in too_fast.reason


def test_map_overrides_synonyms_and_matches_normalized_names(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.csv", ["Ref", "Name", "Who"], [[ID, "Title", "Artist"]])
    with pytest.raises(ImportFailed, match="no column with Spotify track ids"):
        open_catalog_csv(path)
    src, rows = rows_of(path, map_pairs=["ref=track_id", "WHO=artists"])
    assert src.layout == "custom"
    (row,) = rows
    assert isinstance(row, TrackRow) and row.track_id == ID and row.artists == ["Artist"] and row.title == "Title"


def test_gzip_is_streamed_and_capped(tmp_path: Path) -> None:
    good = tmp_path / "small.csv.gz"
    with gzip.open(good, "wt", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["id", "name", "energy"], [ID, "Zipped", "0.4"]])
    src, rows = rows_of(good)
    assert src.gzip and isinstance(rows[0], TrackRow) and rows[0].title == "Zipped"
    bomb = tmp_path / "bomb.gz"  # 64 KB of gzip that expands to 64 MB
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        fh.write(f"id,name\n{ID},x\n".encode())
        for _ in range(64):
            fh.write(b"\n" * (1 << 20))
    assert bomb.stat().st_size < 200_000
    src = open_catalog_csv(bomb, max_decompressed=8 * 1024**2)
    with pytest.raises(ImportFailed, match="more than 8 MB when decompressed"):
        list(src.rows)


def test_unreadable_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFailed, match="empty"):
        open_catalog_csv(empty)
    late_latin1 = tmp_path / "late.csv"
    late_latin1.write_bytes(f"id,name\n{ID},ok\n".encode() * 20000 + b"x" * 22 + b",Beyonc\xe9\n")
    src = open_catalog_csv(late_latin1)  # the sample is fine; the bad byte comes ~900 KB in
    with pytest.raises(ImportFailed, match="not UTF-8"):
        list(src.rows)


# ------------------------------------------------------------------------------------------------ property test
SPELLINGS = {
    "track_id": ["track_id", "Track URI", "Spotify ID", "id", "URI", "spotify url", "Link"],
    "title": ["track_name", "Track Name", "Title", "name", "Song"],
    "artists": ["artists", "Artist Name(s)", "ARTIST", "Performer"],
    "album": ["album", "Album Name", "album_name"],
    "popularity": ["popularity", "Popularity"],
    **{f: [f, f.upper(), f.title(), f" {f} "] for f in AUDIO_FEATURES},
}


def _id_cell(track_id: str, form: int) -> str:
    return [track_id, f"spotify:track:{track_id}", f"https://open.spotify.com/track/{track_id}?si=1"][form]


@st.composite
def catalog_files(draw: st.DrawFn) -> dict[str, object]:
    fields = ["track_id", "title", "artists"] + draw(
        st.lists(st.sampled_from(["album", "popularity", *AUDIO_FEATURES]), unique=True, max_size=13)
    )
    order = draw(st.permutations(fields))
    header = [draw(st.sampled_from(SPELLINGS[f])) for f in order]
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    decimal_comma = delimiter != "," and draw(st.booleans())
    n = draw(st.integers(1, 6))
    ids = draw(st.lists(st.text("abcdefABCDEF0123456789", min_size=22, max_size=22), min_size=n, max_size=n, unique=True))
    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12)
    expected, rows = [], []
    for track_id in ids:
        title = draw(text.filter(lambda s: s.strip().lower() not in PLACEHOLDERS and not s.strip().startswith("[")))
        row: dict[str, str] = {"track_id": _id_cell(track_id, draw(st.integers(0, 2))), "title": title}
        artists = draw(st.lists(st.sampled_from(["Ann", "Bo Dee", "Céline", "X Æ"]), min_size=1, max_size=3, unique=True))
        joiner = SEPARATORS[detect_layout(header)].get("artists", "")[:1]  # "," for Exportify headers, else ";"
        row["artists"] = joiner.join(artists) if joiner and draw(st.booleans()) else str(artists)
        feats: dict[str, float | None] = {}
        for f in AUDIO_FEATURES:
            if f not in fields or draw(st.booleans()):
                row[f] = draw(st.sampled_from(["", "NA", "N/A", "null", "None", "-"])) if f in fields else ""
                feats[f] = None
            else:
                v = {"key": 3, "mode": 0, "loudness": -7.25, "tempo": 99.5}.get(f, draw(st.sampled_from([0.0, 0.25, 1.0])))
                row[f] = str(v).replace(".", ",") if decimal_comma else str(v)
                feats[f] = v
        row["album"], row["popularity"] = "An Album", "42"
        rows.append([row[f] for f in order])
        expected.append((track_id, " ".join(title.split()), artists, feats))
    return {
        "header": header, "rows": rows, "delimiter": delimiter, "expected": expected, "bom": draw(st.booleans()),
        "crlf": draw(st.booleans()), "sep_line": draw(st.booleans()), "decimal_comma": decimal_comma,
    }  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=catalog_files())
def test_any_layout_and_dialect_reads_back(spec: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(
            Path(tmp) / "f.csv", spec["header"], spec["rows"], delimiter=spec["delimiter"], bom=spec["bom"],  # type: ignore[arg-type]
            crlf=spec["crlf"], sep_line=spec["sep_line"],  # type: ignore[arg-type]
        )  # fmt: skip
        src, rows = rows_of(path)
    assert src.delimiter == spec["delimiter"]
    if any(v is not None and v != int(v) for *_, feats in spec["expected"] for v in feats.values()):  # type: ignore[union-attr]
        assert src.decimal_comma == spec["decimal_comma"]
    assert len(rows) == len(spec["expected"])  # type: ignore[arg-type]
    for row, (track_id, title, artists, feats) in zip(rows, spec["expected"]):  # type: ignore[call-overload]
        assert isinstance(row, TrackRow), row
        assert row.track_id == track_id and row.title == title and row.artists == artists
        assert row.features == feats
        assert row.has_features == all(v is not None for v in feats.values())


def test_excel_unicode_text_utf16_and_local_files(tmp_path: Path) -> None:
    path = tmp_path / "excel.txt"
    text = "Track URI\tTrack Name\tArtist Name(s)\tEnergy\r\n"
    text += f"spotify:track:{ID}\tBeyoncé Song\tBeyoncé\t0,5\r\n"
    text += "spotify:local:Me:Demo:Take+1:200\tTake 1\tMe\t\r\n"
    path.write_bytes(text.encode("utf-16"))  # BOM + UTF-16 LE, as Excel's "Unicode Text" writes it
    src, rows = rows_of(path)
    assert src.layout == "exportify" and src.delimiter == "\t" and src.decimal_comma
    good, local = rows
    assert isinstance(good, TrackRow) and good.title == "Beyoncé Song" and good.features["energy"] == 0.5
    assert isinstance(local, RowError) and local.row == 3 and "local file" in local.reason


def test_decimal_commas_after_many_rows_without_features_are_read(tmp_path: Path) -> None:
    """Exportify lists recent tracks (no audio features) first: the first 300 rows hold no number at all, so the
    decimal comma of later rows cannot be detected up front — it is still read, never reported as 'not a number'."""
    ids = [f"{chr(65 + i // 26)}{chr(97 + i % 26)}{'x' * 20}" for i in range(305)]
    rows = [exportify_new_row(tid, f"Song {i}", "Artist", None) for i, tid in enumerate(ids[:300])]
    late = {k: (str(v).replace(".", ",") if isinstance(v, float) else v) for k, v in FEATS.items()}
    rows += [exportify_new_row(tid, f"Late {i}", "Artist", late) for i, tid in enumerate(ids[300:])]
    for r in rows:
        r[15] = ""  # popularity empty: no number at all in the first rows
    path = _write(tmp_path / "late.csv", EXPORTIFY_NEW, rows, delimiter=";")
    out = list(open_catalog_csv(path).rows)
    errors = [r for r in out if not hasattr(r, "features")]
    assert not errors, errors[:3]
    assert [r.features["danceability"] for r in out[300:]] == [FEATS["danceability"]] * 5
