"""One song under two first-artist credits is one song (issue 10: "Best Part" twice in one list)."""

from __future__ import annotations

from core.models import Track
from core.session import same_song_ids
from core.table import TrackTable


def _track(tid: str, title: str, artist: str, year: int) -> Track:
    return Track(track_id=tid, title=title, artists=[artist], year=year, energy=0.4, genres=["r&b"])


def test_versions_crediting_each_other_share_one_key() -> None:
    table = TrackTable()
    a = table.upsert(_track("a" * 22, "Best Part (feat. H.E.R.)", "Daniel Caesar", 2017))
    b = table.upsert(_track("b" * 22, "Best Part (feat. Daniel Caesar)", "H.E.R.", 2017))
    other = table.upsert(_track("c" * 22, "Best Part", "Someone Else", 2017))  # same title, no shared credit
    assert table.norm_keys[a] == table.norm_keys[b] != table.norm_keys[other]
    assert set(same_song_ids(table, ["b" * 22])) == {"a" * 22, "b" * 22}  # shown on page 1: not again on page 2


def test_a_guest_credit_joins_the_lead_release_of_the_same_year_only() -> None:
    table = TrackTable()
    lead = table.upsert(_track("d" * 22, "We Found Love", "Rihanna", 2011))
    guest = table.upsert(_track("e" * 22, "We Found Love (feat. Rihanna)", "Calvin Harris", 2011))
    assert table.norm_keys[lead] == table.norm_keys[guest]
    original = table.upsert(_track("f" * 22, "Walk This Way", "Aerosmith", 1975))
    remake = table.upsert(_track("g" * 22, "Walk This Way (feat. Aerosmith)", "Run-DMC", 1986))
    assert table.norm_keys[original] != table.norm_keys[remake]  # another recording keeps its own year
    assert table.original_year(remake) == 1986


def test_a_table_built_at_once_merges_as_one_built_by_upserts() -> None:
    rows = [("a" * 22, "Best Part (feat. H.E.R.)", ["Daniel Caesar"], "", "2017", 2017, 50, 200000, *[0.5] * 11),
            ("b" * 22, "Best Part (feat. Daniel Caesar)", ["H.E.R."], "", "2017", 2017, 50, 200000, *[0.5] * 11)]
    table = TrackTable.from_rows(rows, [])
    assert table.norm_keys[0] == table.norm_keys[1]
    assert table.key_tracks[table.norm_keys[0]] == {0, 1}


def test_bonus_acoustic_unplugged_and_rerecorded_versions_are_one_song() -> None:
    """"Swing" and "Swing (Bonus Track)" by Danny Ocean both came up in one list."""
    table = TrackTable()
    swing = table.upsert(_track("h" * 22, "Swing", "Danny Ocean", 2019))
    for i, title in enumerate(["Swing (Bonus Track)", "Swing [Bonus Track]", "Swing - Acoustic", "Swing (Acústico)",
                               "Swing - MTV Unplugged", "Swing - Re-Recorded", "Swing [Explicit]", "Swing (Demo)",
                               "Swing - Instrumental", "Swing - Recorded at Spotify Studios NYC",
                               "Swing (Bonus Track) - Remastered 2013"]):
        other = table.upsert(_track(f"{i:02d}" + "i" * 20, title, "Danny Ocean", 2019))
        assert table.norm_keys[other] == table.norm_keys[swing], title
    assert set(same_song_ids(table, ["h" * 22])) >= {"00" + "i" * 20, "01" + "i" * 20}
    # a title that only starts with such a word, or another artist's "Swing", is another song
    for tid, title, artist in (("j" * 22, "Acoustic", "Danny Ocean"), ("k" * 22, "Demons", "Danny Ocean"),
                               ("l" * 22, "Swing", "Emir Pabón")):
        assert table.norm_keys[table.upsert(_track(tid, title, artist, 2019))] != table.norm_keys[swing]
