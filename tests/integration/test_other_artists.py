""""artists like Taylor Swift" are other artists (core.anchor_others): the list opened with two Taylor Swift songs."""

from __future__ import annotations

import pytest

from core.anchor_others import asks_other_artists
from core.engine import Engine
from core.models import Recommendation


@pytest.mark.parametrize("text, other", [
    ("artists like Taylor Swift", True), ("bands like Radiohead", True), ("similar artists to Drake", True),
    ("other singers like Adele", True), ("artistas como Shakira", True), ("artistas parecidos a Bad Bunny", True),
    ("artistes comme Stromae", True), ("Künstler wie Nena", True), ("songs like Taylor Swift", False),
    ("something like Radiohead but calmer", False), ("music like Drake", False), ("like the artists on #2", False),
])
def test_the_wording_that_asks_for_other_artists(text: str, other: bool) -> None:
    assert asks_other_artists(text) is other


@pytest.mark.parametrize("text, artist", [("artists like Taylor Swift", "Taylor Swift"),
                                          ("similar artists to Drake", "Drake"), ("bands like Radiohead", "Radiohead"),
                                          ("artistas como Shakira", "Shakira")])
async def test_artists_like_x_leave_x_out(engine: Engine, text: str, artist: str) -> None:
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    assert not any(artist in i.track.artists for i in rec.tracks), [i.track.artist for i in rec.tracks]


async def test_songs_like_x_may_still_hold_x(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("songs like Taylor Swift")
    assert isinstance(rec, Recommendation) and any("Taylor Swift" in i.track.artists for i in rec.tracks)


async def test_other_artists_of_a_thin_artist_do_not_say_the_rest(engine: Engine) -> None:
    """"similar artists to Bob Marley" leaves his 2 songs out; the line "Only 2 tracks by … — the rest are the closest"
    would speak of songs the list does not hold."""
    rec = await engine.app.discovery.recommend_text("similar artists to Bob Marley")
    assert isinstance(rec, Recommendation) and rec.tracks
    assert "Only 2 tracks" not in rec.summary and not any("Bob Marley" in i.track.artist for i in rec.tracks)
