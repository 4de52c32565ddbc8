"""Styles read from a writing system (core.style_scripts), on an imported catalog built here: no label names k-pop,
but a playlist far richer than the catalog in artists who title songs in Hangul holds it — a "k-pop" request is
answered from that playlist first, each track with its checkable reason, and the first line says what stood in
(never "N tracks name k-pop"); a pop playlist with one such artist is no k-pop playlist."""

from __future__ import annotations

import csv
from pathlib import Path

from core.coverage import coverage_text
from core.engine import Engine
from core.models import Caller, Recommendation
from core.style_scripts import script_playlists
from tests.integration.test_coverage_evidence import HEADER


def write_catalog(path: Path) -> None:
    """690 tracks: "Idol Party" (30: 10 by four artists with a Hangul title or album, 20 by four others titled in
    English), "Pop Now" (60: one Hangul-titling artist among western pop), "Rock Hits" (600: the rest of a catalog,
    so that Hangul is rare across it, as in any catalog that is not mostly Korean)."""
    rows = []
    for i in range(690):
        if i < 30:
            playlist, genre, sub = "Idol Party", "pop", "dance pop"
            artist = f"Idol {i % 4}" if i < 10 else f"Group {i % 4}"
            title = "사랑해 Love" if i < 4 else f"Idol Song {i}"
            album = "첫 번째 앨범" if i in (4, 5) else f"Mini Album {i}"
            feats = (0.75, 0.82)
        elif i < 90:
            playlist, genre, sub = "Pop Now", "pop", "dance pop"
            artist = "Idol 0" if i == 30 else f"Singer {i % 9}"
            title, album, feats = f"Pop Song {i}", f"Pop Album {i}", (0.72, 0.80)
        else:
            playlist, genre, sub = "Rock Hits", "rock", "hard rock"
            artist, title, album, feats = f"Band {i % 7}", f"Riff {i}", f"Rock Album {i}", (0.45, 0.9)
        rows.append([f"K{i:021d}", title, artist, 50, f"A{i:021d}", album, "2019-01-01", playlist, f"pl{playlist[:4]}",
                     genre, sub, feats[0], feats[1], 5, -5.0, 1, 0.05, 0.05, 0.0, 0.1, 0.6, 120.0, 200000])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)


async def test_a_script_playlist_answers_a_style_no_label_names(tmp_path: Path, admin: Caller) -> None:
    src = tmp_path / "kpop.csv"
    write_catalog(src)
    eng = await Engine.open(tmp_path / "k.db", seed=False)
    try:
        await eng.app.admin.import_catalog(admin, src)
        table = eng.loaded.table
        assert [table.label_names[lid][1] for lid in script_playlists(table, "k-pop")] == ["Idol Party"]
        assert script_playlists(table, "j-pop") == []  # no kana anywhere
        ev = eng.loaded.coverage.evidence("k-pop")
        assert ev.tagged == 0 and ev.scene == ("Idol Party",) and len(ev.positions) == 30

        rec = await eng.app.discovery.recommend_text("k-pop")
        assert isinstance(rec, Recommendation)
        line = coverage_text(rec.coverage)
        assert line.startswith("This catalog has no music tagged k-pop"), line
        assert "“Idol Party” holds artists who title songs in Hangul" in line and "name k-pop" not in line, line
        top = rec.tracks[:10]
        assert all("Idol Party" in i.track.playlists for i in top), [i.track.title for i in top]
        assert all(i.reason.startswith("closest alternative") and "Idol Party" in i.reason for i in top)
    finally:
        await eng.close()
