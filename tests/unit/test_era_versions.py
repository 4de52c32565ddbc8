"""An era request shows the version of a song its own album date puts in the era (core.era_versions): catalogs
carry album dates only, and a song kept by its original year ("Runaway", 1984) must not be shown as the 2010
greatest-hits version when the 1984 album version is in the catalog too."""

from __future__ import annotations

import json

import numpy as np

from core.era_versions import in_era_versions
from core.models import Filters, TextQuery
from core.recommender import Recommender
from core.table import FEATURE_INDEX, TrackTable

#: danceability, energy, key, loudness, mode, speechiness, acousticness, instrumentalness, liveness, valence, tempo
LOUD = [0.5, 0.95, 4, -4.0, 1, 0.05, 0.01, 0.0, 0.1, 0.5, 140.0]
SOFT = [0.5, 0.30, 4, -12.0, 1, 0.04, 0.60, 0.0, 0.1, 0.4, 90.0]


def build(tracks: list[tuple[str, str, str, int, int, list[float]]]) -> TrackTable:
    """``(title, artist, album, year, popularity, features)`` per track, no labels."""
    rows = [(f"t{i:021d}", title, json.dumps([artist]), album, str(year), year, pop, 200_000, *feats)
            for i, (title, artist, album, year, pop, feats) in enumerate(tracks)]
    return TrackTable.from_rows(rows, [])


def near(feats: list[float], energy: float) -> list[float]:
    out = list(feats)
    out[FEATURE_INDEX["energy"]] = energy
    return out


def catalog() -> TrackTable:
    tracks = [
        # one song, two versions: the compilation sounds closest to the request and is more popular
        ("Runaway", "Bon Jovi", "Bon Jovi", 1984, 30, near(LOUD, 0.90)),
        ("Runaway", "Bon Jovi", "Greatest Hits - The Ultimate Collection", 2010, 70, near(LOUD, 0.95)),
    ]
    tracks += [(f"Other {i}", f"Band {i}", f"Album {i}", 1980 + i % 10, 20, near(LOUD, 0.6 + 0.01 * i))
               for i in range(20)]
    tracks += [(f"Ballad {i}", f"Singer {i}", f"LP {i}", 1985, 20, SOFT) for i in range(10)]
    return build(tracks)


def query(years: tuple[int | None, int | None]) -> TextQuery:
    return TextQuery(text="loud 80s rock", target={"energy": 0.95, "loudness": -4.0}, weights={"energy": 1.0,
                     "loudness": 0.5}, filters=Filters(year_min=years[0], year_max=years[1], limit=10))


def picked_versions(table: TrackTable, years: tuple[int | None, int | None]) -> list[tuple[str, int]]:
    rec = Recommender(table)
    return [(table.titles[s.pos], int(table.year[s.pos])) for s in rec.from_text(query(years))]


def test_an_era_request_shows_the_version_dated_in_the_era() -> None:
    table = catalog()
    got = picked_versions(table, (1980, 1989))
    assert ("Runaway", 1984) in got
    assert ("Runaway", 2010) not in got
    assert all(1980 <= y <= 1989 for _, y in got)  # every pick's own album date is in the era


def test_without_an_era_the_best_scoring_version_stays() -> None:
    got = picked_versions(catalog(), (None, None))
    assert ("Runaway", 2010) in got and ("Runaway", 1984) not in got  # one version per song, the best-scoring


def test_a_version_the_request_excludes_is_never_swapped_in() -> None:
    table = catalog()
    comp = next(p for p in range(table.n) if int(table.year[p]) == 2010)
    orig = next(p for p in range(table.n) if table.titles[p] == "Runaway" and int(table.year[p]) == 1984)
    filters = Filters(year_min=1980, year_max=1989)
    allowed = np.ones(table.n, dtype=bool)
    assert in_era_versions(table, [comp], filters, allowed) == [orig]
    allowed[orig] = False  # e.g. outside a stated range: the only version inside the era is not allowed
    assert in_era_versions(table, [comp], filters, allowed) == [comp]
    assert in_era_versions(table, [comp], filters, None, taken={orig}) == [comp]
    assert in_era_versions(table, [comp], Filters(), None) == [comp]  # no years asked: nothing changes
