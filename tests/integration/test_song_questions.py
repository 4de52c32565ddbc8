"""Questions about one song and a song's name alone, in the chat on the shipped catalog (core.agent.intents_recommend).

"what is the tempo of Blinding Lights?" answered "There's no artist named Blinding Lights in this catalog" and ten
unrelated tracks (the words went to the recommender as a request); "Hotel California" alone and "similar songs to
Hotel California" were the playlist "Southern California Hip Hop" (Dr. Dre)."""

from __future__ import annotations

import pytest

from core.engine import Engine
from core.models import Caller

USER = Caller(user_id="u-song-questions", platform="test")


@pytest.mark.parametrize("text, title", [
    ("what is the tempo of Blinding Lights?", "Blinding Lights"),
    ("what's the bpm of Blinding Lights", "Blinding Lights"),
    ("what key is Blinding Lights in", "Blinding Lights"),
    ("how fast is Despacito", "Despacito"),
    ("how danceable is Despacito?", "Despacito"),
    ("when did Toxic come out?", "Toxic"),
    ("do you have Bohemian Rhapsody", "Bohemian Rhapsody"),
    ("is Despacito in the catalog?", "Despacito"),
    ("have you got Creep by Radiohead?", "Creep"),
])
async def test_a_question_about_a_song_is_its_card(engine: Engine, text: str, title: str) -> None:
    reply = await engine.app.chat.chat(f"test:q:{abs(hash(text))}", USER, text)
    assert reply.track is not None and reply.track.title.startswith(title), reply.text[:200]
    assert "no artist named" not in reply.text and reply.recommendation is None


async def test_a_question_about_a_song_the_catalog_lacks_says_so(engine: Engine) -> None:
    reply = await engine.app.chat.chat("test:q:missing", USER, "what is the tempo of Zorblax Quintet?")
    assert reply.track is None and reply.recommendation is None
    assert "no track found" in reply.text.lower() and "Zorblax Quintet" in reply.text


@pytest.mark.parametrize("text", ["do you have something chill", "have you got upbeat songs for running?"])
async def test_do_you_have_with_a_request_is_still_a_request(engine: Engine, text: str) -> None:
    reply = await engine.app.chat.chat(f"test:q:{abs(hash(text))}", USER, text)
    assert reply.recommendation is not None and len(reply.recommendation.tracks) == 10


@pytest.mark.parametrize("text, artist", [("Hotel California", "Eagles"), ("similar songs to Hotel California", "Eagles"),
                                          ("Bohemian Rhapsody", "Queen"), ("find me similar tracks to Creep", "Radiohead")])
async def test_a_songs_name_alone_or_similar_to_it_is_its_radio(engine: Engine, text: str, artist: str) -> None:
    reply = await engine.app.chat.chat(f"test:q:{abs(hash(text))}", USER, text)
    rec = reply.recommendation
    assert rec is not None and rec.kind == "similar" and artist in rec.summary, reply.text[:200]


@pytest.mark.parametrize("text", ["Chill Vibes", "Summer Party", "Happy", "Sad Songs"])
async def test_a_mood_in_title_case_stays_a_request(engine: Engine, text: str) -> None:
    reply = await engine.app.chat.chat(f"test:q:{abs(hash(text))}", USER, text)
    assert reply.recommendation is not None and reply.recommendation.kind == "text", reply.text[:200]


async def test_a_refusal_does_not_follow_a_search_into_more_like_n(engine: Engine) -> None:
    """"songs like Drake", "no rap", "/search queen", "more like #2" was "Tracks like … (not rap; not hip hop)": the
    refusal belonged to the request before the search. A list that request made keeps it (tested elsewhere)."""
    cid = "test:q:refusal-search"
    for text in ("songs like Drake", "no rap", "/search queen"):
        await engine.app.chat.chat(cid, USER, text)
    reply = await engine.app.chat.chat(cid, USER, "more like #2")
    rec = reply.recommendation
    assert rec is not None and rec.kind == "similar"
    assert "not rap" not in rec.summary and "not hip hop" not in rec.summary, rec.summary
    cid2 = "test:q:refusal-kept"
    for text in ("songs like Drake", "no rap"):
        await engine.app.chat.chat(cid2, USER, text)
    kept = (await engine.app.chat.chat(cid2, USER, "more like #2")).recommendation
    assert kept is not None and "not rap" in kept.summary, kept.summary


async def test_like_number_but_a_move_keeps_the_years_the_thread_kept_to(engine: Engine) -> None:
    """"latin pop hits for a party", "only in spanish, before 2010", "like #2 but slower" was 9 tracks of 2010–2015:
    the anchored request dropped the years. An era move of its own ("but newer") still replaces them."""
    cid = "test:q:years"
    for text in ("latin pop hits for a party", "only in spanish, before 2010"):
        await engine.app.chat.chat(cid, USER, text)
    slower = (await engine.app.chat.chat(cid, USER, "like #2 but slower")).recommendation
    assert slower is not None and slower.anchor is not None and len(slower.tracks) == 10
    years = [i.track.shown_year for i in slower.tracks if i.track.shown_year]
    assert years and max(years) <= 2009, years
    newer = (await engine.app.chat.chat(cid, USER, "like #2 but newer")).recommendation
    assert newer is not None and any((i.track.shown_year or 0) >= 2010 for i in newer.tracks)
