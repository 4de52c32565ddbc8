"""Spotify references on every path of the engine (core/spotify_links + core/references + core/link_refs).

Real shipped catalog, real SQLite; the same reference forms through slash commands, free text (the local agent),
playlists and likes. Non-track and look-alike links are named or ignored — never echoed.
"""

from __future__ import annotations

import pytest

from core.agent.intents import REFUSE_SECRETS
from core.credits import credited_names
from core.engine import Engine
from core.errors import InvalidInput, NotATrackLink, SongNotFound
from core.models import Caller, Filters, Role

USER = Caller(user_id="u1", platform="test")
ADMIN = Caller(user_id="a1", platform="test", role=Role.ADMIN)
MISSING = "4uLU6hMCjMI75M1A2tKUQQ"  # a valid id that is not in the shipped catalog


def tid_of(engine: Engine, ref: str) -> str:
    return engine.loaded.table.ids[engine.app.tracks.resolve(ref)]


async def test_pasted_track_link_alone_means_similar_songs(engine: Engine) -> None:
    tid = tid_of(engine, "Blinding Lights - The Weeknd")
    for n, text in enumerate([
        f"https://open.spotify.com/intl-de/track/{tid}?si=abc",
        f"<HTTPS://Open.Spotify.com/track/{tid}/>",
        f"spotify:track:{tid}",
        f"songs like this https://open.spotify.com/embed/track/{tid}?utm_source=generator",
        tid,
    ]):
        reply = await engine.app.chat.chat(f"test:paste{n}", USER, text)
        rec = reply.recommendation
        assert rec is not None and rec.kind == "similar" and rec.tracks, text
        assert "Blinding Lights" in reply.text
        assert tid not in [t.track.track_id for t in rec.tracks]


async def test_several_links_say_which_were_used(engine: Engine) -> None:
    a, b = tid_of(engine, "Blinding Lights - The Weeknd"), tid_of(engine, "Levitating")
    text = f"https://open.spotify.com/track/{a}?si=1 https://open.spotify.com/track/{b} spotify:track:{MISSING}"
    reply = await engine.app.chat.chat("test:several", USER, text)
    first = reply.text.splitlines()[0]
    assert first.startswith("Using ") and "Blinding Lights" in first and "Levitating" in first
    assert "not in this catalog" in reply.text
    assert reply.recommendation is not None and len(reply.recommendation.tracks) == 10
    assert reply.recommendation.notes and reply.recommendation.summary.startswith("Using ")


@pytest.mark.parametrize("kind", ["album", "playlist", "artist", "episode", "show"])
async def test_other_link_types_are_named_everywhere(engine: Engine, kind: str) -> None:
    link = f"https://open.spotify.com/{kind}/{MISSING}?si=x"
    reply = await engine.app.chat.chat(f"test:{kind}", USER, link)
    assert f"{kind} link — send a track link or a song name" in reply.text and reply.recommendation is None
    for cmd in (f"/similar {link}", f"/song {link}", f"/like {link}", f"/preview {link}"):
        reply = await engine.app.chat.chat(f"test:{kind}", USER, cmd)
        assert f"{kind} link" in reply.text, cmd
    with pytest.raises(NotATrackLink):
        await engine.app.discovery.recommend_similar([link])


async def test_wrong_length_id_is_not_a_title_search(engine: Engine) -> None:
    for bad in ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKU?si=1", "spotify:track:4uLU6hMCjMI75M1A2tKUQQx",
                "4uLU6hMCjMI75M1A2tKU"):
        with pytest.raises(InvalidInput, match="not a valid Spotify track id"):
            engine.app.tracks.resolve(bad)
        reply = await engine.app.chat.chat("test:badid", USER, f"/similar {bad}")
        assert "not a valid Spotify track id" in reply.text and reply.recommendation is None
        reply = await engine.app.chat.chat("test:badid", USER, bad)
        assert "not a valid Spotify track id" in reply.text and reply.recommendation is None


SNEAKY = [
    "https://open.spotify.com.evil.io/track/{tid}?si=1",
    "https://spotify.com@evil.io/track/{tid}",
    "https://xn--sptify-3ya.com/track/{tid}",
    "https://www.spotify.com/us/family/join/invite/Zk3evilToken9/?token=s3cr3tvalue",
    "https://www.spotify.com/redeem/?code=EVIL-CODE-s3cr3tvalue",
]


@pytest.mark.parametrize("template", SNEAKY)
async def test_lookalike_and_account_links_are_ignored_and_never_echoed(engine: Engine, template: str) -> None:
    tid = tid_of(engine, "Blinding Lights - The Weeknd")
    link = template.format(tid=tid)
    for text in (link, f"/similar {link}", f"/song {link}", f"songs like {link}", f"/playlist add Mix | {link}"):
        reply = await engine.app.chat.chat("test:sneaky", USER, text)
        dump = reply.model_dump_json()
        assert "evil" not in dump.lower() and "s3cr3t" not in dump and "xn--" not in dump, text
        assert reply.recommendation is None or tid not in dump, text


async def test_words_inside_urls_trigger_no_keyword_rules(engine: Engine) -> None:
    tid = tid_of(engine, "Blinding Lights - The Weeknd")
    reply = await engine.app.chat.chat("test:kw", USER, f"https://open.spotify.com/track/{tid}?si=abc&token=xyz&utm_source=settings")
    assert reply.text != REFUSE_SECRETS and reply.recommendation is not None
    reply = await engine.app.chat.chat("test:kw2", USER, "chill evening music https://open.spotify.com/album/" + MISSING)
    assert reply.text != REFUSE_SECRETS
    rec = reply.recommendation
    assert rec is not None and rec.tracks
    assert reply.text.splitlines()[0] == "That's an album link — send a track link or a song name."
    cues = rec.summary.splitlines()[-1]
    assert "album" not in (cues + " ".join(rec.filters.genres)).lower() and "chill" in cues
    reply = await engine.app.chat.chat("test:kw3", USER, "what's your api token?")
    assert reply.text == REFUSE_SECRETS  # the guard itself still works on the user's own words


async def test_link_paths_for_playlists_and_likes(engine: Engine) -> None:
    tid = tid_of(engine, "Blinding Lights - The Weeknd")
    link = f"https://open.spotify.com/intl-fr/track/{tid}?si=zz"
    reply = await engine.app.chat.chat("test:pl", USER, "/playlist create Mix")
    reply = await engine.app.chat.chat("test:pl", USER, f"/playlist add Mix | {link}")
    assert "Added" in reply.text and "Blinding Lights" in reply.text
    reply = await engine.app.chat.chat("test:pl", USER, f"/playlist remove Mix | <spotify:track:{tid}>")
    assert "Blinding Lights" in reply.text and "emoved" in reply.text
    reply = await engine.app.chat.chat("test:pl", USER, f"/like {link}")
    assert "Blinding Lights" in reply.text
    assert tid in await engine.app.feedback.liked_ids(USER)
    reply = await engine.app.chat.chat("test:pl", USER, f"/dislike spotify:track:{tid}:play")
    assert tid in await engine.app.feedback.disliked_ids(USER)


def test_title_word_order_is_free(engine: Engine) -> None:
    want = engine.app.tracks.resolve("Blinding Lights - The Weeknd")
    for ref in ("The Weeknd - Blinding Lights", "blinding lights the weeknd", "the weeknd blinding lights",
                "Blinding Lights by The Weeknd", "THE WEEKND – BLINDING LIGHTS"):
        found = engine.app.tracks.resolve_ref(ref)
        assert found.pos == want and found.exact and not found.note, ref


async def test_whole_title_is_tried_before_any_split(engine: Engine) -> None:
    for title in ("Come and Get Your Love - Radio Edit", "Once and for All", "Archie, Marry Me", "Alone, Pt. II"):
        assert engine.loaded.table.titles[engine.app.tracks.resolve(title)] == title
        reply = await engine.app.chat.chat("test:whole", USER, f"/similar {title}")
        assert reply.recommendation is not None and reply.text.splitlines()[0].startswith("Tracks like " + title), title
        reply = await engine.app.chat.chat("test:whole2", USER, f"songs like {title}")
        assert reply.recommendation is not None and title in reply.text.splitlines()[0], title
    features = engine.loaded.table.track(engine.app.tracks.resolve("Levitating")).features().model_dump()
    await engine.app.admin.add_song(ADMIN, {**features, "track_id": "7ZzTestHelloGoodbye001", "title": "Hello; Goodbye | Again",
                                  "artists": "Test Band"})
    assert engine.app.tracks.split_refs("Hello; Goodbye | Again") == ["Hello; Goodbye | Again"]
    reply = await engine.app.chat.chat("test:whole3", USER, "/similar Hello; Goodbye | Again")
    assert reply.recommendation is not None and "Hello; Goodbye | Again" in reply.text
    assert engine.app.tracks.split_refs("Blinding Lights; Levitating") == ["Blinding Lights", "Levitating"]


@pytest.mark.parametrize(("args", "titles"), [
    ("Blinding Lights and Get Lucky", ["Blinding Lights", "Get Lucky"]),
    ("Blinding Lights, Get Lucky", ["Blinding Lights", "Get Lucky"]),
    ("Blinding Lights, Get Lucky & Levitating", ["Blinding Lights", "Get Lucky", "Levitating"]),
    ("Once and for All", ["Once and for All"]),  # a title with "and" stays whole
    ("Blinding Lights and Qqzzxx Nothing", ["Blinding Lights and Qqzzxx Nothing"]),  # a piece that is no song: no cut
])
async def test_titles_split_at_commas_and_and_only_into_songs(engine: Engine, args: str, titles: list[str]) -> None:
    # the README's "split at ; | , or and": "," and "and" cut only when every piece is a song as typed
    parts = engine.app.tracks.split_refs(args)
    assert [p.split(" - ")[0] for p in parts] == titles


@pytest.mark.parametrize(("ref", "title"), [("Bohemian Rapsody", "Bohemian Rhapsody - 2011 Mix"),
                                            ("Blinding Lights (Remastered)", "Blinding Lights")])
async def test_a_typo_or_a_version_not_here_finds_the_song_and_says_so(engine: Engine, ref: str, title: str) -> None:
    # "Bohemian Rapsody" was "No track found" (the typo was matched against "... - 2011 Mix" as a whole)
    found = engine.app.tracks.resolve_ref(ref)
    assert engine.loaded.table.titles[found.pos] == title
    assert not found.exact and ref in (found.note or ""), found


async def test_another_version_is_never_swapped_silently(engine: Engine) -> None:
    reply = await engine.app.chat.chat("test:swap", USER, "/similar Blinding Lights - Coldplay")
    assert reply.text.splitlines()[0] == "No “Blinding Lights” by Coldplay here — using “Blinding Lights” by The Weeknd."
    assert reply.recommendation is not None and reply.recommendation.notes
    reply = await engine.app.chat.chat("test:swap", USER, "songs like blindng lights")
    assert reply.text.splitlines()[0].startswith("No exact match for “blindng lights” — using the closest")
    reply = await engine.app.chat.chat("test:swap", USER, "/song blindng lights")
    assert reply.text.startswith("No exact match")
    rec = await engine.app.discovery.recommend_similar(["Blinding Lights - Coldplay"])
    assert rec.notes and rec.summary.startswith("No “Blinding Lights” by Coldplay")
    # likes never record a guessed track
    with pytest.raises(SongNotFound):
        await engine.app.personal.like(USER, "Blinding Lights - Coldplay")
    # the exact version asked for: no note
    assert not (await engine.app.discovery.recommend_similar(["Blinding Lights - The Weeknd"])).notes


async def test_exclusions_drop_tracks_crediting_the_artist_in_the_title(engine: Engine) -> None:
    for name in ("Selena Gomez", "Drake", "Justin Bieber"):
        rec = await engine.app.discovery.recommend_similar(["Taki Taki"], Filters(exclude_artists=[name], limit=50))
        assert rec.tracks
        for item in rec.tracks:
            assert name.lower() not in [a.lower() for a in item.track.artists]
            assert name.lower() not in credited_names(item.track.title), item.track.title
    assert credited_names("Taki Taki (with Selena Gomez, Ozuna & Cardi B)") == ["selena gomez", "ozuna", "cardi b"]
    assert credited_names("Dance with Me") == []


async def test_links_in_agent_sentences(engine: Engine) -> None:
    a, b = tid_of(engine, "Levitating"), tid_of(engine, "Blinding Lights - The Weeknd")
    link = f"https://open.spotify.com/track/{a}?si=token123&utm_source=copy-link"
    reply = await engine.app.chat.chat("test:agent", USER, f"I like {link}")
    assert reply.text.startswith("Liked") and a in await engine.app.feedback.liked_ids(USER)
    await engine.app.chat.chat("test:agent", USER, "create a playlist called Road Trip")
    reply = await engine.app.chat.chat("test:agent", USER, f"add {link} to Road Trip")
    assert "Added" in reply.text and "Road Trip" in reply.text
    reply = await engine.app.chat.chat("test:agent2", USER, f"songs like {link} and Blinding Lights")
    rec = reply.recommendation
    assert rec is not None and rec.kind == "similar" and {a, b}.isdisjoint(t.track.track_id for t in rec.tracks)
    assert "Blinding Lights" in reply.text and engine.loaded.table.titles[engine.loaded.table.pos[a]] in reply.text
    # an album link inside a sentence is named first, whatever else the reply says
    reply = await engine.app.chat.chat("test:agent3", USER, f"add https://open.spotify.com/album/{MISSING} to Road Trip")
    assert reply.text.splitlines()[0] == "That's an album link — send a track link or a song name."


def test_understanding_ignores_words_inside_links(engine: Engine) -> None:
    parsed = engine.app.discovery.understand("https://open.spotify.com/album/x?utm_campaign=metal_rock_jazz upbeat")
    assert not any(k for k in getattr(parsed, "labels", {}) if "metal" in k or "jazz" in k or "album" in k)


async def test_links_inside_a_reference_decide_and_long_refs_are_not_echoed(engine: Engine) -> None:
    tid = tid_of(engine, "Blinding Lights - The Weeknd")
    assert engine.app.tracks.resolve(f"Blinding Lights https://open.spotify.com/track/{tid}?si=1") == engine.loaded.table.pos[tid]
    for text in (f"/similar Levitating https://open.spotify.com.evil.io/track/{tid}",
                 "/song Levitating <https://www.spotify.com/redeem/?code=EVIL-s3cr3t>"):
        reply = await engine.app.chat.chat("test:inside", USER, text)
        assert "isn't a Spotify track link" in reply.text and "evil" not in reply.text.lower() and "s3cr3t" not in reply.text
    reply = await engine.app.chat.chat("test:long", USER, "/similar " + " by " * 450)
    assert len(reply.text.splitlines()[0]) < 400


def test_split_refs_keeps_links_apart_and_titles_whole(engine: Engine) -> None:
    a, b = (engine.loaded.table.ids[p] for p in (40, 41))
    assert engine.app.tracks.split_refs(f"{a}; {b}") == [a, b]
    assert engine.app.tracks.split_refs(f"{a} {b}") == [a, b]
    assert engine.app.tracks.split_refs(f"spotify:track:{a} and https://open.spotify.com/track/{b}?si=1") == [
        f"spotify:track:{a}", f"https://open.spotify.com/track/{b}?si=1"]
    assert engine.app.tracks.split_refs(f"Blinding Lights; {a}") == ["Blinding Lights", a]
    assert engine.app.tracks.split_refs("Come and Get Your Love - Radio Edit") == ["Come and Get Your Love - Radio Edit"]


async def test_not_an_artist_who_is_only_ever_featured(engine: Engine) -> None:
    from collections import Counter

    t = engine.loaded.table
    only_featured = Counter(n for p in t.alive_positions() for n in credited_names(t.titles[int(p)]) if n not in t.artist_index)
    name = next(n for n, _ in only_featured.most_common() if len(n) >= 4)
    await engine.app.chat.chat("test:feat", USER, "dance pop please")
    reply = await engine.app.chat.chat("test:feat", USER, f"not {name}")
    rec = reply.recommendation
    assert rec is not None and name in [a.lower() for a in rec.filters.exclude_artists]
    more = await engine.app.discovery.recommend_text("dance pop", filters=Filters(exclude_artists=[name], limit=50))
    assert all(name not in credited_names(i.track.title) for i in more.tracks)
