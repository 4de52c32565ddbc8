"""A style's scene learned from the catalog (core.style_scene): artists whose own albums or titles name the style,
weighted by how many of their songs do, and the artists the catalog relates to them through shared playlists; an
artist who shares no playlist with them is outside, and a single naming artist is no scene."""

from __future__ import annotations

import json

from core.artist_graph import ArtistGraph
from core.style_scene import MIN_SCENE_ARTISTS, named_scene
from core.table import TrackTable

FEATS = (0.5, 0.9, 4, -5.0, 0, 0.05, 0.01, 0.0, 0.1, 0.4, 120.0)


def _catalog() -> tuple[TrackTable, list[tuple[int, str]]]:
    rows, labels, named = [], [], []
    spec = [  # (artist, title, album, playlist)
        ("Quiet Riot", "Metal Health", "Metal Health", "Classic Hard Rock"),
        ("Quiet Riot", "Bang Your Head (Metal Health)", "Metal Health", "Classic Hard Rock"),
        ("Judas Priest", "Breaking the Law", "Metal Works", "Classic Hard Rock"),
        ("Judas Priest", "Painkiller", "Metal Works", "Classic Hard Rock"),
        ("Sammy Hagar", "Heavy Metal", "Standing Hampton", "Classic Hard Rock"),
        ("Sammy Hagar", "Heavy Metal", "Red Collection", "Classic Hard Rock"),
        ("Dio", "Holy Diver", "Holy Diver", "Classic Hard Rock"),
        ("Dio", "Rainbow in the Dark", "Holy Diver", "Classic Hard Rock"),
        ("Motörhead", "Ace of Spades", "Ace of Spades", "Classic Hard Rock"),
        ("Norah Jones", "Don't Know Why", "Come Away with Me", "Coffee Jazz"),
        ("Norah Jones", "Sunrise", "Feels Like Home", "Coffee Jazz"),
        ("Norah Jones", "Chasing Pirates", "Heavy Metal Classics", "Coffee Jazz"),  # a various-artists compilation
        ("Diana Krall", "Temptation", "Heavy Metal Classics", "Coffee Jazz"),
        ("Dio", "Last in Line", "Heavy Metal Classics", "Classic Hard Rock"),
        ("Diana Krall", "The Look of Love", "The Look of Love", "Coffee Jazz"),
    ]
    for i, (artist, title, album, playlist) in enumerate(spec):
        tid = f"s{i:021d}"
        rows.append((tid, title, json.dumps([artist]), album, "1984", 1984, 60, 200_000, *FEATS))
        labels.append((tid, "playlist", playlist, f"pl-{playlist}"))
        if "metal" in title.lower():
            named.append((i, "title"))
        elif "metal" in album.lower():
            named.append((i, "album"))
    return TrackTable.from_rows(rows, labels), named


def test_the_scene_holds_the_naming_artists_and_their_playlist_mates() -> None:
    table, named = _catalog()
    scene = named_scene(table, ArtistGraph(table), named)
    by = {table.artists[p][0]: float(scene[p]) for p in range(table.n)}
    assert by["Quiet Riot"] == by["Judas Priest"] == by["Sammy Hagar"] == 1.0  # two songs each name it
    assert by["Dio"] > 0.3 and by["Motörhead"] > 0.3  # playlisted with them: the scene a listener means
    assert by["Norah Jones"] == by["Diana Krall"] == 0.0  # no shared playlist: outside


def test_too_few_naming_artists_are_no_scene() -> None:
    table, named = _catalog()
    one = [(p, what) for p, what in named if table.artists[p][0] == "Quiet Riot"]
    assert MIN_SCENE_ARTISTS > 1 and not named_scene(table, ArtistGraph(table), one).any()
