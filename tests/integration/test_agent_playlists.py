"""Playlists, feedback and previews through ChatService.chat (issue 6), offline, on a real SQLite copy.

Slash commands and free text (the built-in local model) share one implementation and one group per conversation;
the playlist service enforces permissions; dislikes are never recommended, likes shape recommendations, and nothing
repeats within a conversation. Previews go to fake Deezer/iTunes servers on 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.agent.config import AgentConfig
from core.engine import Engine
from core.models import ChatReply
from tests.fakes.music_apis import FakeMusicApis
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)
from tests.security.agent_fixtures import ADMIN, OTHER, USER, hostile_model

pytestmark = pytest.mark.usefixtures("no_model_requests")


def ids(reply: ChatReply) -> list[str]:
    assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
    return [t.track.track_id for t in reply.recommendation.tracks]


async def playlist_ids(engine: Engine, group: str, name: str) -> list[str]:
    return (await engine.app.playlists.export(group, name)).track_ids


async def test_slash_command_flow(agent_engine: Engine) -> None:
    chat, c, g = agent_engine.app.chat.chat, "test:slash", "test:slash"
    assert "No playlists" in (await chat(c, USER, "/playlists")).text
    assert (await chat(c, USER, "/playlist create Road Trip")).text.startswith('Created playlist "Road Trip"')
    assert "already exists" in (await chat(c, USER, "/playlist create road trip")).text
    shown = ids(await chat(c, USER, "/recommend upbeat summer pop"))
    r = await chat(c, USER, "/playlist add Road Trip | #1; #3")
    assert "Added 2 tracks" in r.text and "(2/500)" in r.text
    r = await chat(c, USER, "/playlist add road trip | Smells Like Teen Sprit - Nirvana")  # fuzzy title
    assert 'Added "Smells Like Teen Spirit - Nirvana"' in r.text, r.text
    r = await chat(c, USER, "/playlist add Road Trip #1")  # no "|": the playlist name is recognised
    assert "already in" in r.text
    blinding = agent_engine.loaded.table.ids[agent_engine.app.tracks.resolve("Smells Like Teen Spirit")]
    assert await playlist_ids(agent_engine, g, "Road Trip") == [shown[0], shown[2], blinding]

    page = await chat(c, USER, "/playlist show road trip")
    assert page.playlist is not None and [e.index for e in page.playlist.entries] == [1, 2, 3]
    assert page.text.splitlines()[1].startswith("#1 ")
    r = await chat(c, USER, "/like #3")  # #3 of the page just shown
    assert "Smells Like Teen Spirit" in r.text and r.text.startswith("Liked")

    rec = await chat(c, USER, "/playlist recommend Road Trip")
    first = ids(rec)
    assert rec.recommendation.kind == "playlist" and len(first) == 10  # type: ignore[union-attr]
    assert not set(first) & set(shown + [blinding])
    more = ids(await chat(c, USER, "/more"))  # "more" continues from the playlist, no repeats
    assert not set(more) & set(first + shown)

    exported = await chat(c, USER, "/playlist export road trip")
    assert exported.export_text is not None
    assert exported.export_text.splitlines() == [f"https://open.spotify.com/track/{i}" for i in [shown[0], shown[2], blinding]]
    r = await chat(c, USER, "/playlist remove Road Trip | Smells Like Teen Spirit")
    assert "Removed" in r.text and len(await playlist_ids(agent_engine, g, "Road Trip")) == 2
    assert (await chat(c, USER, "/playlist rename road trip | Summer Drive")).text == 'Renamed "Road Trip" to "Summer Drive".'
    listed = await chat(c, USER, "/playlists")
    assert [p.name for p in listed.playlists] == ["Summer Drive"] and "(yours)" in listed.text
    assert "Deleted playlist" in (await chat(c, USER, "/playlist delete summer drive")).text
    assert await agent_engine.app.playlists.list(g) == []
    for bad in ("/playlist", "/playlist frobnicate x", "/playlist show", "/playlist show Nope", "/like", "/like #99",
                "/playlist add Nope | #1", "/playlist rename x"):
        r = await chat(c, USER, bad)
        assert r.text and "wrong" not in r.text.lower(), (bad, r.text)


async def test_pages_number_like_the_playlist(agent_engine: Engine) -> None:
    """Page 2 shows #11-#15; "#12" then means the playlist's 12th track, for /like and for removing."""
    chat, c = agent_engine.app.chat.chat, "test:pages"
    await chat(c, USER, "/playlist create Big One")
    refs = "; ".join(f"#{i}" for i in range(1, 11))
    first = ids(await chat(c, USER, "/recommend chill study music"))
    await chat(c, USER, f"/playlist add Big One | {refs}")
    second = ids(await chat(c, USER, "/more"))
    await chat(c, USER, "/playlist add Big One | #1; #2; #3; #4; #5")
    order = first + second[:5]
    page = await chat(c, USER, "/playlist show Big One 2")
    assert page.playlist.page == 2 and [e.index for e in page.playlist.entries] == [11, 12, 13, 14, 15]
    assert "page 2/2" in page.text
    r = await chat(c, USER, "/like #12")
    assert r.text.startswith("Liked") and order[11] in await agent_engine.app.feedback.liked_ids(USER)
    r = await chat(c, USER, "remove #13 from big one")  # free text, same numbering
    assert r.text.startswith("Removed"), r.text
    assert await playlist_ids(agent_engine, "test:pages", "Big One") == order[:12] + order[13:]
    # a name ending in a number is still a name
    await chat(c, USER, "/playlist create Top 40")
    assert (await chat(c, USER, "/playlist show Top 40")).text.startswith('"Top 40" is empty')


async def test_free_text_flow_offline(agent_engine: Engine) -> None:
    """The phrases of the brief, answered by the built-in local model through the same tools."""
    chat, c, g = agent_engine.app.chat.chat, "test:free", "test:free"
    r = await chat(c, USER, "create a playlist called road trip")
    assert r.text == 'Created playlist "road trip".' and not r.fallback_used
    shown = ids(await chat(c, USER, "upbeat summer pop"))
    assert "Added" in (await chat(c, USER, "add #3 to road trip")).text
    assert "Blinding Lights" in (await chat(c, USER, "add Blinding Lights to road trip")).text
    blinding = agent_engine.loaded.table.ids[agent_engine.app.tracks.resolve("Blinding Lights")]
    assert await playlist_ids(agent_engine, g, "road trip") == [shown[2], blinding]
    page = await chat(c, USER, "show road trip")
    assert page.playlist is not None and "#2 Blinding Lights - The Weeknd" in page.text
    rec = await chat(c, USER, "recommend from road trip")
    picks = ids(rec)
    assert rec.recommendation.kind == "playlist" and not set(picks) & {shown[2], blinding}  # type: ignore[union-attr]
    assert not set(picks) & set(shown)
    assert (await chat(c, USER, "I like #2")).text.startswith("Liked")
    assert (await chat(c, USER, "I don't like #4")).text.startswith("Disliked")
    assert "already disliked" in (await chat(c, USER, "dislike #4")).text
    assert await agent_engine.app.feedback.liked_ids(USER) == [picks[1]]
    assert await agent_engine.app.personal.disliked_ids(USER) == {picks[3]}
    preview = await chat(c, USER, "preview #1")
    assert preview.track is not None and preview.track.track_id == picks[0] and "open.spotify.com" in preview.text
    exported = await chat(c, USER, "export road trip")
    assert exported.export_text is not None and len(exported.export_text.splitlines()) == 2
    listed = await chat(c, USER, "my playlists")
    assert [p.name for p in listed.playlists] == ["road trip"]
    assert (await chat(c, USER, "delete playlist road trip")).text.startswith('Deleted playlist "road trip"')
    assert await agent_engine.app.playlists.list(g) == []
    # not playlist commands: plain recommendations still work
    assert ids(await chat(c, USER, "recommend songs from the 90s"))
    assert ids(await chat(c, USER, "show me some chill music"))


async def test_permissions_are_the_services(agent_engine: Engine) -> None:
    chat, g = agent_engine.app.chat.chat, "test:perm"
    await chat(g, USER, "/playlist create Mine")
    await chat(g, USER, "/recommend rock")
    await chat(g, USER, "/playlist add Mine | #1; #2")
    before = await playlist_ids(agent_engine, g, "Mine")
    for text in ("/playlist delete Mine", "/playlist rename Mine | Stolen", "delete playlist Mine",
                 "rename Mine to Stolen", "/playlist remove Mine | #1"):
        r = await chat(g, OTHER, text)
        assert "only admins" in r.text or "creator" in r.text, (text, r.text)
    assert [p.name for p in await agent_engine.app.playlists.list(g)] == ["Mine"]
    assert await playlist_ids(agent_engine, g, "Mine") == before
    # others may add, and remove what they added
    await chat(g, OTHER, "/playlist add Mine | Get Lucky")
    assert "Removed" in (await chat(g, OTHER, "/playlist remove Mine | Get Lucky")).text
    # a group admin (from the adapter) and a bot admin may manage it
    r = await chat(g, OTHER, "/playlist rename Mine | Ours", group_admin=True)
    assert r.text == 'Renamed "Mine" to "Ours".'
    assert (await chat(g, ADMIN, "delete playlist Ours")).text.startswith("Deleted playlist")


async def test_group_comes_from_the_adapter(agent_engine: Engine) -> None:
    """Discord: conversations are channels, playlists are per server — the adapter passes ``group_id``."""
    chat = agent_engine.app.chat.chat
    await chat("discord:111", USER, "/playlist create Server Mix", group_id="discord:999")
    shown = await chat("discord:222", OTHER, "/playlist show server mix", group_id="discord:999")
    assert shown.text.startswith('"Server Mix" is empty')
    alone = await chat("discord:222", OTHER, "/playlist show server mix")  # no group: per channel
    assert "No playlist" in alone.text
    assert [p.group_id for p in await agent_engine.app.playlists.list("discord:999")] == ["discord:999"]
    # the console conversation and `musicbot ask` share console:local
    await chat("console:local", USER, "create a playlist called Desk")
    assert "Desk" in (await chat("cli:ask", USER, "/playlists")).text


async def test_dislikes_never_come_back_and_likes_shape_recommendations(agent_engine: Engine) -> None:
    chat = agent_engine.app.chat.chat
    top = ids(await chat("test:fb-a", USER, "/recommend chill study music"))
    await chat("test:fb-a", USER, "/dislike #1")
    await chat("test:fb-a", USER, "dislike #2")
    banned = set(top[:2])
    for c, text in (("test:fb-b", "/recommend chill study music"), ("test:fb-c", "chill study music"),
                    ("test:fb-d", f"songs like {agent_engine.app.tracks.label(agent_engine.loaded.table.pos[top[2]])}")):
        seen: list[str] = []
        for _ in range(4):
            reply = await chat(c, USER, text if not seen else "more")
            seen += ids(reply)
        assert not banned & set(seen), (c, text)
        assert len(seen) == len(set(seen))
    # someone else still gets them
    assert banned & set(ids(await chat("test:fb-e", OTHER, "/recommend chill study music")))
    # likes: later recommendations lean towards them
    for i in range(3, 8):
        await chat("test:fb-a", USER, f"/like #{i}")
    liked = ids(await chat("test:fb-f", USER, "/recommend chill study music"))
    reasons = [t.reason for t in (await chat("test:fb-g", USER, "/recommend chill study music")).recommendation.tracks]  # type: ignore[union-attr]
    plain = ids(await chat("test:fb-h", OTHER, "/recommend chill study music"))
    assert liked != plain
    assert any("close to tracks you liked" in r for r in reasons), reasons


async def test_no_track_repeats_within_a_conversation(agent_engine: Engine) -> None:
    chat, c = agent_engine.app.chat.chat, "test:norepeat"
    await chat(c, USER, "/playlist create Mix")
    seen = ids(await chat(c, USER, "dance party music"))
    await chat(c, USER, "/playlist add Mix | #1; #2; #3")
    for text in ("more", "recommend from mix", "more", "/playlist recommend Mix", "slower", "/more", "energetic rock"):
        got = ids(await chat(c, USER, text))
        assert not set(got) & set(seen), text
        seen += got


async def test_llm_picks_are_filtered_like_the_tools(agent_engine: Engine) -> None:
    """An LLM that names a disliked or already-shown track in its final answer: those picks are dropped (and so is
    any pick no tool returned this turn: core.agent.guard)."""
    from pydantic_ai.messages import ModelRequest, ToolReturnPart

    c = "test:llm-filter"
    first = ids(await agent_engine.app.chat.chat(c, USER, "/recommend chill study music"))
    await agent_engine.app.chat.chat(c, USER, "/dislike Get Lucky")
    get_lucky = agent_engine.loaded.table.ids[agent_engine.app.tracks.resolve("Get Lucky")]
    unreturned = [i for i in agent_engine.loaded.table.ids[100:140] if i not in first and i != get_lucky][:2]
    fresh: list[str] = []

    def plan(messages: list[Any], info: Any) -> Any:
        returns = [p.content for m in messages if isinstance(m, ModelRequest) for p in m.parts
                   if isinstance(p, ToolReturnPart) and p.tool_name == "recommend"]
        if not returns:
            return [("recommend", {"request": "upbeat dance party", "limit": 5})]
        fresh[:] = [t.track_id for t in returns[-1].tracks[:3] if t.track_id not in unreturned]
        picks = [first[0], get_lucky, *unreturned, *fresh]
        return [("reply", {"reply": "Here you go.", "tracks": [{"track_id": i} for i in picks]})]

    agent_engine.app.chat.configure_agent(AgentConfig(model_override=hostile_model(plan)))
    reply = await agent_engine.app.chat.chat(c, USER, "anything good?")
    assert fresh and ids(reply) == fresh


async def test_preview_through_chat_with_fake_services(agent_engine: Engine) -> None:
    async with FakeMusicApis() as apis:
        apis.deezer.add("Blinding Lights", "The Weeknd", "https://cdn.example/deezer/bl.mp3")
        agent_engine.app.personal.configure_previews(apis.config(spotify=False, timeout_s=1.0))
        r = await agent_engine.app.chat.chat("test:preview", USER, "/preview Blinding Lights")
        assert r.preview_url == "https://cdn.example/deezer/bl.mp3" and r.track is not None
        assert "https://open.spotify.com/track/0sf12qNH5qcw8qpgymFOqD" in r.text
        await agent_engine.app.chat.chat("test:preview", USER, "/search blinding lights")
        r = await agent_engine.app.chat.chat("test:preview", USER, "preview #1")
        assert r.preview_url == "https://cdn.example/deezer/bl.mp3", r.text
        apis.deezer.behaviour.mode = "malformed"
        apis.itunes.behaviour.mode = "timeout"
        r = await agent_engine.app.chat.chat("test:preview", USER, "/preview Get Lucky")
        assert r.preview_url is None and "No preview available" in r.text and "open.spotify.com" in r.text


async def test_flooding_adds_is_bounded(agent_engine: Engine) -> None:
    chat, g = agent_engine.app.chat.chat, "test:flood"
    await chat(g, USER, "/playlist create Flood")
    many = "; ".join(["Blinding Lights"] * 60)
    r = await chat(g, USER, f"/playlist add Flood | {many}")
    assert "at most 50" in r.text and await playlist_ids(agent_engine, g, "Flood") == []
    # the service's own limits apply too: a full playlist takes nothing more
    from core.playlists import PlaylistLimits

    agent_engine.app.playlists.limits = PlaylistLimits(tracks_per_playlist=3)
    await chat(g, USER, "/recommend rock")
    r = await chat(g, USER, "/playlist add Flood | #1; #2; #3; #4")
    assert "limit of 3" in r.text and await playlist_ids(agent_engine, g, "Flood") == []


def test_group_slash_commands_never_import_pydantic_ai(agent_template_db: Any, tmp_path: Any) -> None:
    import shutil
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    db = tmp_path / "slash.db"
    shutil.copy(agent_template_db, db)
    code = textwrap.dedent(
        f"""
        import asyncio, sys
        from core.engine import Engine
        from core.models import Caller
        from core.previews import PreviewConfig
        async def main():
            e = await Engine.open({str(db)!r})
            e.app.personal.configure_previews(PreviewConfig(deezer_api_base_url="http://127.0.0.1:9",
                                               itunes_api_base_url="http://127.0.0.1:9", timeout_s=0.5))
            for text in ["/playlist create Road Trip", "/recommend chill study music", "/playlist add Road Trip | #1; #2",
                         "/playlist show Road Trip", "/like #1", "/dislike #2", "/preview #1",
                         "/playlist recommend Road Trip", "/more", "/playlist export Road Trip", "/playlists",
                         "/playlist rename Road Trip | Trip", "/playlist remove Trip | #1", "/playlist delete Trip"]:
                r = await e.app.chat.chat("console:local", Caller(), text)
                assert r.text and "wrong" not in r.text, (text, r.text)
            await e.close()
            print("pydantic_ai" in sys.modules)
        asyncio.run(main())
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
