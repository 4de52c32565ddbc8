"""Coverage honesty from evidence (core.coverage.CatalogCoverage.evidence), on an imported catalog built here and on
the shipped one: a style nobody tagged but titles/albums name ("Salsa Version", "Pura Salsa") is reported missing
WITH the label its look-alikes carry ("closest: tropical") and answered from those tracks, each labelled an
alternative; a playlist NAME is no genre ("Jazz Vibes" of hip-hop tracks holds no jazz), but it is for a style whose
family the tracks' own labels name ("Lo-Fi Beats" of hip-hop tracks holds lo-fi)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.coverage import coverage_text
from core.engine import Engine
from core.models import Caller, Recommendation

HEADER = ["track_id", "track_name", "track_artist", "track_popularity", "track_album_id", "track_album_name",
          "track_album_release_date", "playlist_name", "playlist_id", "playlist_genre", "playlist_subgenre",
          "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness", "instrumentalness",
          "liveness", "valence", "tempo", "duration_ms"]


def write_catalog(path: Path) -> None:
    """90 tracks: 30 tropical (12 of them salsa versions by title or album, 6 artists), 30 hip hop split over the
    playlists "Jazz Vibes" and "Lo-Fi Beats", 30 rock; ids are 22 characters."""
    rng = np.random.default_rng(3)
    rows = []
    for i in range(90):
        if i < 30:
            genre, sub, playlist = "latin", "tropical", "Tropical Hits"
            title = f"Canción {i}" + (" - Salsa Version" if i < 6 else "")
            album = "Pura Salsa" if 6 <= i < 12 else f"Album {i}"
            feats = (0.75, 0.8, 0.8)
        elif i < 60:
            genre, sub = "r&b", "hip hop"
            playlist = "Jazz Vibes" if i < 45 else "Lo-Fi Beats"
            title, album, feats = f"Beat {i}", f"Tape {i}", (0.6, 0.35, 0.4)
        else:
            genre, sub, playlist = "rock", "hard rock", "Rock Classics"
            title, album, feats = f"Riff {i}", f"Live {i}", (0.45, 0.9, 0.5)
        dance, energy, valence = feats
        rows.append([f"E{i:021d}", title, f"Artist {i % 6 + (i // 30) * 6}", 50, f"A{i:021d}", album, "2015-01-01",
                     playlist, f"pl{playlist[:3]}", genre, sub, dance, energy, 5, -7.0, 1, 0.05, 0.1, 0.3, 0.1,
                     round(valence + float(rng.uniform(-0.1, 0.1)), 3), round(float(rng.uniform(90, 130)), 1), 200000])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)


async def test_evidence_on_an_imported_catalog(tmp_path: Path, admin: Caller) -> None:
    src = tmp_path / "evidence.csv"
    write_catalog(src)
    eng = await Engine.open(tmp_path / "ev.db", seed=False)
    try:
        await eng.app.admin.import_catalog(admin, src)
        cov = eng.loaded.coverage
        salsa = cov.evidence("salsa")
        assert cov.style_count("salsa").tracks == 0 and len(salsa.positions) == 12 and salsa.closest == "tropical"
        assert cov.style_count("jazz").tracks == 0 and cov.evidence("jazz").playlists == ("Jazz Vibes",)
        assert cov.style_count("lo-fi").tracks == 15  # a "Lo-Fi Beats" playlist of tracks tagged hip hop

        rec = await eng.app.discovery.recommend_text("some salsa please")
        assert isinstance(rec, Recommendation)
        first = rec.coverage[0]
        assert (first.kind, first.requested, first.closest) == ("missing", "salsa", "tropical")
        line = coverage_text(rec.coverage)
        assert line.startswith("This catalog has no music tagged salsa (closest: tropical") and "alternatives" in line
        top = rec.tracks[:10]
        assert all("Salsa" in (i.track.title + (i.track.album or "")) for i in top)  # the look-alikes first
        assert all(i.reason.startswith("closest alternative: its ") for i in top)
        assert max(sum(a in i.track.artists for i in top) for a in {x for i in top for x in i.track.artists}) <= 2

        jazz = await eng.app.discovery.recommend_text("some jazz")
        assert isinstance(jazz, Recommendation) and jazz.coverage[0].kind == "missing"
        assert "“Jazz Vibes” is only a playlist name" in coverage_text(jazz.coverage)
        assert all(i.reason.startswith("closest alternative") for i in jazz.tracks)

        lofi = await eng.app.discovery.recommend_text("lo-fi beats")
        assert isinstance(lofi, Recommendation)
        # present (15 tracks: "sparse" below 25), never "missing" as jazz is
        assert [(n.kind, n.found_count) for n in lofi.coverage if n.requested == "lo-fi"] == [("sparse", 15)]
    finally:
        await eng.close()


async def test_shipped_catalog_salsa_and_jazz_are_honest(engine: Engine, user: Caller) -> None:
    rec = await engine.app.discovery.recommend_text("salsa")
    assert isinstance(rec, Recommendation)
    note = rec.coverage[0]
    assert note.kind == "missing" and note.requested == "salsa" and note.closest == "tropical"
    assert sum("tropical" in i.track.subgenres for i in rec.tracks) >= 8
    reply = await engine.app.chat.chat("test:jazz-gap", user, "jazz")
    assert reply.text.splitlines()[0].startswith("This catalog has no music tagged jazz")
    assert "only playlist names" in reply.text.splitlines()[0] or "only a playlist name" in reply.text.splitlines()[0]
    assert all(i.reason.startswith("closest alternative") for i in reply.recommendation.tracks)
    # a word in an album title is no style: "Country Grammar" albums are hip hop, so no "closest" is claimed
    country = await engine.app.discovery.recommend_text("country music")
    assert country.coverage[0].kind == "missing" and country.coverage[0].closest == ""
