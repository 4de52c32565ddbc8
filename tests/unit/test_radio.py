"""Similar tracks put style first: original years, the soft era window, artist relations learned from the catalog,
and radios on small real catalogs (with and without labels) that must not lock onto the seed's release year."""

from __future__ import annotations

import json

import numpy as np

from core.artist_graph import ArtistGraph
from core.models import Track
from core.recommender import Recommender, ScoreParams
from core.table import TrackTable

EDM = (0.70, 0.90, 1, -4.0, 0, 0.05, 0.02, 0.30, 0.15, 0.45, 128.0)
NU_METAL = (0.45, 0.95, 4, -3.5, 0, 0.08, 0.001, 0.0, 0.25, 0.35, 100.0)
RAP = (0.85, 0.65, 6, -6.0, 1, 0.33, 0.10, 0.0, 0.12, 0.55, 92.0)


def row(i: int, title: str, artist: str, year: int, feats: tuple, album: str = "") -> tuple:
    return (f"t{i:021d}", title, json.dumps([artist]), album or title, str(year), year, 60, 200_000, *feats)


def jitter(feats: tuple, rng: np.random.Generator) -> tuple:
    out = list(feats)
    for j in (0, 1, 5, 6, 9):
        out[j] = float(np.clip(out[j] + rng.normal(0, 0.03), 0, 1))
    out[10] = float(out[10] + rng.normal(0, 2))
    return tuple(out)


def catalog(with_labels: bool) -> tuple[TrackTable, dict[str, list[int]]]:
    """A seed EDM track from 2011; EDM from 2008–2015 by related artists; nu-metal and rap from exactly 2011."""
    rng = np.random.default_rng(11)
    rows, labels, groups = [], [], {"edm": [], "metal": [], "rap": []}
    i = 0
    rows.append(row(i, "Levels", "Avicii", 2011, EDM))
    labels += [(rows[-1][0], "subgenre", "big room", "pl-edm-1"), (rows[-1][0], "playlist", "Mainstage", "pl-edm-1")]
    groups["seed"] = [0]
    edm_artists = ["Tiesto", "Hardwell", "Zedd", "Afrojack", "Alesso", "Nicky Romero"]
    for k in range(18):
        i += 1
        artist = edm_artists[k % len(edm_artists)]
        year = 2008 + (k % 8)
        if year == 2011:
            year = 2014
        rows.append(row(i, f"Drop {k}", artist, year, jitter(EDM, rng)))
        groups["edm"].append(i)
        pl = f"pl-edm-{k % 3}"
        labels += [(rows[-1][0], "subgenre", "big room", pl), (rows[-1][0], "playlist", f"Mainstage {k % 3}", pl)]
    # the seed's artist sits in all three EDM playlists (so the catalog relates the EDM artists to Avicii)
    for k in range(3):
        i += 1
        rows.append(row(i, f"Avicii track {k}", "Avicii", 2012, jitter(EDM, rng)))
        labels += [(rows[-1][0], "subgenre", "big room", f"pl-edm-{k}"), (rows[-1][0], "playlist", f"Mainstage {k}", f"pl-edm-{k}")]
    for name, feats, sub, artists in (
        ("metal", NU_METAL, "nu metal", ["Linkin Park", "Korn", "Disturbed", "Staind"]),
        ("rap", RAP, "gangster rap", ["Rick Ross", "Lil Wayne", "Drake", "Tyga"]),
    ):
        for k in range(16):
            i += 1
            # audio deliberately close enough to the seed that a year bonus could pull them in
            mixed = tuple(0.6 * a + 0.4 * b for a, b in zip(feats, EDM))
            rows.append(row(i, f"{name} {k}", artists[k % 4], 2011, jitter(mixed, rng)))
            groups[name].append(i)
            labels += [(rows[-1][0], "subgenre", sub, f"pl-{name}"), (rows[-1][0], "playlist", f"{name} hits", f"pl-{name}")]
    return TrackTable.from_rows(rows, labels if with_labels else []), groups


def test_original_year_is_the_earliest_version_and_album_dates_are_marked() -> None:
    feats = EDM
    table = TrackTable.from_rows(
        [
            row(0, "Hotel California - 2013 Remaster", "Eagles", 2013, feats, album="Hotel California (Remastered)"),
            row(1, "Hotel California", "Eagles", 1976, feats),
            row(2, "Hotel California", "Eagles", 2005, feats, album="The Very Best Of"),
            row(3, "Hotel California", "Gipsy Kings", 1990, feats),  # another artist's cover: not a version
            row(4, "Take It Easy", "Eagles", 1972, feats),
            row(5, "Angie - Remastered 2009", "The Rolling Stones", 1973, feats, album="Goats Head Soup"),
            row(6, "Pushin' Weight", "Ice Cube", 2001, feats, album="Greatest Hits"),
            row(7, "Wish You Were Here - 2011 Remaster", "Pink Floyd", 2011, feats),
        ],
        [],
    )
    assert [table.original_year(p) for p in range(5)] == [1976, 1976, 1976, 1990, 1972]
    # earlier version in the catalog, compilation album, remaster dated by its own year: album dates; a remaster
    # dated with the original year (as Spotify often does) is not
    assert [table.year_is_album_date(p) for p in range(8)] == [True, False, True, False, False, False, True, True]
    track = table.track(2)
    assert (track.year, track.original_year, track.year_is_album_date) == (2005, 1976, True)
    # an upsert of an even earlier version moves every version's original year; deleting it moves it back
    table.upsert(Track(track_id="x" * 22, title="Hotel California - Live", artists=["Eagles"], year=1975,
                       **dict(zip(("danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                                   "instrumentalness", "liveness", "valence", "tempo"), feats))))
    assert table.original_year(0) == 1975
    table.delete("x" * 22)
    assert table.original_year(0) == 1976


def test_era_window_is_soft_with_no_exact_year_bonus() -> None:
    table, _ = catalog(with_labels=False)
    rec = Recommender(table)
    lut = rec._year_lut()
    slot = 2011 - 1899
    row_ = lut[slot]
    assert row_[slot] == row_[slot + 1] == row_[slot - 1]  # 2010, 2011, 2012: the same affinity
    gaps = [float(row_[slot + d]) for d in range(0, 30)]
    assert all(a >= b for a, b in zip(gaps, gaps[1:])) and gaps[-1] < 0.01  # decays over the years
    assert gaps[5] > 0.3  # five years apart still counts


def test_artist_graph_relates_artists_that_share_playlists() -> None:
    table, _ = catalog(with_labels=True)
    graph = ArtistGraph(table)
    aid = table.artist_index
    assert graph.relation(aid["avicii"], aid["tiesto"]) > 0.3
    assert graph.relation(aid["avicii"], aid["linkin park"]) == 0.0
    ids, rel = graph.neighbours(aid["avicii"])
    names = {table.artist_names[int(a)] for a in ids}
    assert {"tiesto", "zedd", "hardwell"} <= names and not names & {"linkin park", "drake", "avicii"}
    assert np.all(np.diff(rel) <= 1e-6)  # strongest first
    bare = ArtistGraph(catalog(with_labels=False)[0])
    assert len(bare.neighbours(aid["avicii"])[0]) == 0


def test_radio_of_a_2011_edm_hit_stays_edm_not_2011() -> None:
    for with_labels in (True, False):
        table, groups = catalog(with_labels)
        picks = [s.pos for s in Recommender(table).similar(groups["seed"], limit=10)]
        edm = set(groups["edm"]) | set(range(19, 22))
        assert sum(p in edm for p in picks) >= 8, (with_labels, picks)
        other_artists = [p for p in picks if "avicii" not in table.artist_names[table.artist_ids[p][0]]]
        same_year = sum(table.original_year(p) == 2011 for p in other_artists) / max(len(other_artists), 1)
        assert same_year <= 0.45
        # the previous weighting (a sharp exact-year bonus and weak audio) did lock onto 2011 here
    old = ScoreParams(audio=0.5, related=0.0, year=6.0, era_flat=0.0, era_tau=1.0)
    table, groups = catalog(with_labels=False)
    locked = [s.pos for s in Recommender(table, old).similar(groups["seed"], limit=10)]
    assert sum(table.original_year(p) == 2011 for p in locked) >= 6


def test_radio_reasons_name_the_related_artist_and_never_a_playlist_name() -> None:
    table, groups = catalog(with_labels=True)
    results = Recommender(table).similar(groups["seed"], limit=10)
    lines = [s.reason for s in results]
    assert any("often playlisted with Avicii" in line or "same artist: Avicii" in line for line in lines)
    assert not any("Mainstage" in line for line in lines)


def test_playlists_relate_artists_more_than_a_shared_subgenre() -> None:
    """Nirvana shares a playlist with Pearl Jam and only the broad subgenre "hard rock" with Poison: the playlist
    decides (core.artist_graph.SUBGENRE_WEIGHT); a catalog whose only labels are subgenres still relates artists."""
    rows, labels = [], []
    members = [("Nirvana", "pl-grunge"), ("Nirvana", "pl-grunge"), ("Pearl Jam", "pl-grunge"), ("Pearl Jam", "pl-grunge"),
               ("Poison", "pl-hair"), ("Poison", "pl-hair"), ("Bon Jovi", "pl-hair")]
    for i, (artist, pl) in enumerate(members):
        rows.append(row(i, f"{artist} {i}", artist, 1991, NU_METAL))
        labels += [(rows[-1][0], "playlist", pl, pl), (rows[-1][0], "subgenre", "hard rock", pl)]
    table = TrackTable.from_rows(rows, labels)
    aid = table.artist_index
    graph = ArtistGraph(table)
    assert graph.relation(aid["nirvana"], aid["pearl jam"]) > 0.9
    assert 0 < graph.relation(aid["nirvana"], aid["poison"]) < 0.15  # 0.28 if the subgenre counted as a playlist
    assert graph.neighbours(aid["nirvana"])[0][0] == aid["pearl jam"]
    only_subgenres = ArtistGraph(TrackTable.from_rows(rows, [(t, k, v, "") for t, k, v, _ in labels if k == "subgenre"]))
    assert only_subgenres.relation(aid["nirvana"], aid["poison"]) > 0.9  # one shared context: fully related


def test_a_misdated_compilation_is_no_first_release() -> None:
    """Spotify dates some compilations by the artist's first album ("Journey's Greatest Hits", 1978, holds a 1981
    song): the earliest year among versions still ranks, but only a trustworthy date is called a first release."""
    table = TrackTable.from_rows(
        [
            row(0, "Don't Stop Believin'", "Journey", 1978, EDM, album="Journey's Greatest Hits"),
            row(1, "Don't Stop Believin'", "Journey", 1981, EDM, album="Escape"),
            row(2, "Don't Stop Believin'", "Journey", 2001, EDM, album="The Essential Journey"),
            row(3, "Hot Fun", "Sly", 1970, EDM, album="Greatest Hits"),
            row(4, "Hot Fun", "Sly", 1973, EDM, album="Anthology"),
        ],
        [],
    )
    assert [table.original_year(p) for p in range(5)] == [1978, 1978, 1978, 1970, 1970]
    assert [table.first_release_year(p) for p in range(5)] == [1981, 1981, 1981, 0, 0]
    # the original album is no album date; the compilations are, and only the later one has a known first release
    assert [table.year_is_album_date(p) for p in range(5)] == [True, False, True, True, True]
    # a radio's reasons: the songs' years as the table says, never the compilation's date as a "first release"
    table = TrackTable.from_rows(
        [row(9, "Separate Ways", "Journey", 1983, EDM, album="Frontiers"),
         row(10, "Family Affair", "Sly", 1971, EDM, album="There's a Riot Goin' On")] + [
            row(i, title, artist, year, EDM, album=album) for i, (title, artist, year, album) in enumerate([
                ("Don't Stop Believin'", "Journey", 1978, "Journey's Greatest Hits"),
                ("Hot Fun", "Sly", 1970, "Greatest Hits"),
                ("Hot Fun", "Sly", 1973, "Anthology")])],
        [],
    )
    reasons = " | ".join(s.reason for s in Recommender(table, ScoreParams(style=0.0)).similar([0, 1], limit=4))
    assert "first release" not in reasons and "(album date)" in reasons, reasons


def test_a_loud_radio_keeps_its_intensity() -> None:
    """A seed of loud, distorted rock: other artists' power ballads (same subgenre, same playlists, same era)
    fall behind loud tracks of the same scene; a quiet seed keeps other artists' loud tracks out likewise."""
    rng = np.random.default_rng(5)
    loud = (0.55, 0.90, 4, -5.0, 0, 0.05, 0.002, 0.01, 0.10, 0.45, 125.0)
    ballad = (0.50, 0.60, 4, -10.5, 0, 0.04, 0.22, 0.0, 0.10, 0.45, 125.0)  # a power ballad: same key, tempo
    rows, labels = [], []
    bands = ["Metallica", "Megadeth", "Anthrax", "Slayer", "KISS", "White Lion"]
    for k in range(36):
        band = bands[k % len(bands)]
        soft = (k // 6) % 3 == 0  # every band has loud tracks and ballads
        rows.append(row(k, f"{band} {'ballad' if soft else 'song'} {k}", band, 1988 + k % 5,
                        jitter(ballad if soft else loud, rng)))
        labels += [(rows[-1][0], "subgenre", "hard rock", f"pl-{k % 2}"), (rows[-1][0], "playlist", "Rock", f"pl-{k % 2}")]
    table = TrackTable.from_rows(rows, labels)
    energy = table.features[: table.n, 1]
    seed_loud = next(p for p in range(table.n) if energy[p] > 0.75)
    seed_soft = next(p for p in range(table.n) if energy[p] < 0.7)
    for params, expect_clean in ((ScoreParams(), True), (ScoreParams(intensity=0.0), False)):
        rec = Recommender(table, params)
        loud_radio = [s.pos for s in rec.similar([seed_loud], limit=10)]
        soft_radio = [s.pos for s in rec.similar([seed_soft], limit=8)]
        # other artists' tracks (the seed's own artist is a deliberate strong prior: its ballad may come)
        ballads_in_loud = sum(energy[p] < 0.7 for p in loud_radio if table.artists[p] != table.artists[seed_loud])
        loud_in_soft = sum(energy[p] > 0.75 for p in soft_radio if table.artists[p] != table.artists[seed_soft])
        if expect_clean:
            assert ballads_in_loud == 0 and loud_in_soft == 0, (ballads_in_loud, loud_in_soft)
        else:  # the catalog's relations alone let them in: the test would catch the penalty missing
            assert ballads_in_loud + loud_in_soft > 0
