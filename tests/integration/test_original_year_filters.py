"""Decade filters ("only 80s songs", "from the 2000s") read each song's original year — the earliest year among its
versions in the catalog (:meth:`core.table.TrackTable.original_years`) — not the album date of a compilation or
remaster. A small real catalog, imported through the engine: a 1985 song that is also on a 2005 "best of"."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.engine import Engine
from core.models import Caller, Filters, Recommendation

MAP = ["Song=title", "Artist=artists", "Album=album", "Date=release_date", "Genre=genre", "Id=track_id"]
SONG = "Hold The Line Tonight"


def write_catalog(path: Path) -> None:
    """8 rock songs of the 1980s, 8 of the 2000s (one artist each), and SONG by "The Originals": on its 1985 album
    and on a 2005 compilation."""
    rng = np.random.default_rng(3)
    header = ["Id", "Song", "Artist", "Album", "Date", "Genre", "danceability", "energy", "key", "loudness", "mode",
              "speechiness", "acousticness", "instrumentalness", "liveness", "valence", "tempo"]
    rows = []

    def add(title: str, artist: str, album: str, date: str) -> None:
        rows.append([f"Y{len(rows):021d}", title, artist, album, date, "rock",
                     round(float(rng.uniform(0.4, 0.7)), 3), 0.8, 5, -7.0, 1, 0.05, 0.1, 0.0, 0.1,
                     round(float(rng.uniform(0.3, 0.8)), 3), round(float(rng.uniform(90, 140)), 1)])

    for i in range(8):
        add(f"Eighties Song {i}", f"Eighties Band {i}", f"Album {i}", f"198{i + 1}-05-01")
        add(f"Noughties Song {i}", f"Noughties Band {i}", f"Record {i}", f"200{i + 1}-05-01")
    add(SONG, "The Originals", "First Light", "1985-03-01")
    add(SONG, "The Originals", "The Best Of The Originals", "2005-10-01")
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


async def test_decade_filters_use_the_songs_original_year(tmp_path: Path, admin: Caller) -> None:
    src = tmp_path / "decades.csv"
    write_catalog(src)
    eng = await Engine.open(tmp_path / "decades.db", seed=False)
    try:
        await eng.app.admin.import_catalog(admin, src, map_pairs=MAP)
        t = eng.loaded.table
        versions = sorted(p for p in t.alive_positions().tolist() if t.titles[p] == SONG)
        assert len(versions) == 2
        compilation = next(p for p in versions if "Best Of" in t.albums[p])
        assert int(t.year[compilation]) == 2005 and t.original_year(compilation) == 1985

        rec = eng.loaded.recommender
        eighties = rec.filter_mask(Filters(year_min=1980, year_max=1989), t.n)
        noughties = rec.filter_mask(Filters(year_min=2000, year_max=2009), t.n)
        assert eighties is not None and noughties is not None
        original = next(p for p in versions if p != compilation)
        # a 1985 song, whatever the compilation says: the 80s take it — as the version dated 1985, the one a list
        # shows (core.compilations.year_mask: the version shown must be inside an upper bound too)
        assert eighties[original] and not eighties[compilation] and not noughties[compilation]
        assert not noughties[versions].any()
        assert noughties[[p for p in range(t.n) if t.titles[p].startswith("Noughties")]].all()

        # the same through text requests, as a user types them
        old = await eng.app.discovery.recommend_text("only 80s songs")
        assert isinstance(old, Recommendation) and (old.filters.year_min, old.filters.year_max) == (1980, 1989)
        assert SONG in [i.track.title for i in old.tracks]
        new = await eng.app.discovery.recommend_text("rock from the 2000s")
        assert isinstance(new, Recommendation) and (new.filters.year_min, new.filters.year_max) == (2000, 2009)
        titles = [i.track.title for i in new.tracks]
        assert titles and SONG not in titles
        assert all(i.track.original_year is not None and 2000 <= i.track.original_year <= 2009 for i in new.tracks)

        # a radio filtered to the 2000s leaves the compilation version out too
        seed = next(p for p in range(t.n) if t.titles[p] == "Noughties Song 0")
        picks = [s.pos for s in rec.similar([seed], Filters(year_min=2000, year_max=2009, limit=20))]
        assert picks and compilation not in picks and not set(versions) & set(picks)
    finally:
        await eng.close()
