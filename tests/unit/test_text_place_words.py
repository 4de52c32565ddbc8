"""Words that name a time or a place, not music ("city", "night", "drive" in a playlist name), never pick a catalog
playlist on their own; "getting ready to go out" is the party before the party, not the morning."""

from __future__ import annotations

from core.models import TextQuery
from core.text import TextUnderstanding
from tests.unit.conftest import parse_query


def _playlists(q: TextQuery) -> list[str]:
    return [k.partition(":")[2] for k in q.labels if k.startswith("playlist:")]


def test_a_bare_city_is_not_the_reggaeton_playlist_perreo_city(tu: TextUnderstanding) -> None:
    q = tu.parse("songs about the city")
    assert not isinstance(q, TextQuery) or "Perreo City" not in _playlists(q)


def test_city_pop_still_names_the_city_pop_playlist(tu: TextUnderstanding) -> None:
    assert any("City Pop" in p for p in _playlists(parse_query(tu, "city pop")))


def test_a_night_drive_leans_to_synth_pop_not_to_daytime_drive_playlists(tu: TextUnderstanding) -> None:
    q = parse_query(tu, "late night drive")
    assert not any("Drive" in p for p in _playlists(q))  # "Hip-Hop Drive", "Classic Rock Drive": daytime radio
    assert q.labels.get("subgenre:electropop", 0) > 0
    assert q.target["valence"] < 0.5  # moody


def test_getting_ready_to_go_out_is_the_party_not_the_morning(tu: TextUnderstanding) -> None:
    q = parse_query(tu, "getting ready to go out")
    assert q.target["energy"] >= 0.75 and q.target["danceability"] >= 0.7
    assert any("danceable" in c for c in q.cues)
    morning = parse_query(tu, "getting ready for work")  # the morning routine stays gentle
    assert morning.target["energy"] < 0.6


def test_a_morning_run_is_the_run(tu: TextUnderstanding) -> None:
    q = parse_query(tu, "upbeat songs for a morning run")
    assert q.target["energy"] >= 0.75 and q.target["tempo"] >= 140


def test_work_in_other_languages_is_the_work_concept(tu: TextUnderstanding) -> None:
    ref = parse_query(tu, "calm music for work")
    for text in ("ruhige Musik zum Arbeiten", "música tranquila para trabajar", "musique calme pour travailler",
                 "música calma para trabalhar"):
        q = parse_query(tu, text)
        assert q.target.get("instrumentalness", 0) >= 0.5, (text, q.target, q.cues)  # steady, few vocals
        assert abs(q.target["energy"] - ref.target["energy"]) <= 0.1, (text, q.target)
