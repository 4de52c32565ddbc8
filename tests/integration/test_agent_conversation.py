"""Conversations through ChatService.chat on a real SQLite file: offline follow-ups, memory across restarts, /reset,
bounded whole-turn history, ``musicbot ask`` continuing a stored conversation, slash commands without pydantic_ai."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from core.agent.config import AgentConfig
from core.engine import Engine
from core.models import ChatReply
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)
from tests.security.agent_fixtures import ADMIN, USER, hostile_model
from tests.replies import feature_mean

pytestmark = pytest.mark.usefixtures("no_model_requests")


def ids(reply: ChatReply) -> list[str]:
    assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
    return [t.track.track_id for t in reply.recommendation.tracks]


async def test_follow_ups_work_offline(agent_engine: Engine) -> None:
    chat = agent_engine.app.chat.chat
    c = "test:follow"
    seen: list[str] = []

    r1 = await chat(c, USER, "chill study music")
    seen += ids(r1)
    t1 = r1.recommendation.target  # type: ignore[union-attr]
    assert {"energy", "valence"} <= set(t1)

    r2 = await chat(c, USER, "less upbeat")
    assert r2.recommendation.target["valence"] < t1["valence"]  # type: ignore[union-attr]
    assert not set(ids(r2)) & set(seen)
    seen += ids(r2)

    r3 = await chat(c, USER, "more energetic")
    assert r3.recommendation.target["energy"] > r2.recommendation.target["energy"]  # type: ignore[union-attr]
    assert feature_mean(r3, "energy") > feature_mean(r2, "energy")
    seen += ids(r3)

    r4 = await chat(c, USER, "slower")
    cap = r4.recommendation.filters.tempo_max  # type: ignore[union-attr]
    assert cap is not None and cap < feature_mean(r3, "tempo")
    assert all(t.track.tempo <= cap for t in r4.recommendation.tracks)  # type: ignore[union-attr]
    seen += ids(r4)

    third = r4.recommendation.tracks[2].track  # type: ignore[union-attr]
    r5 = await chat(c, USER, "more like #3")
    assert r5.recommendation.kind == "similar" and third.track_id in r5.recommendation.query  # type: ignore[union-attr]
    assert not set(ids(r5)) & set(seen)
    seen += ids(r5)

    r6 = await chat(c, USER, "not that artist")
    artist = third.artists[0]
    assert artist in r6.recommendation.filters.exclude_artists  # type: ignore[union-attr]
    assert all(artist not in t.track.artists for t in r6.recommendation.tracks)  # type: ignore[union-attr]
    seen += ids(r6)

    r7 = await chat(c, USER, "only 90s")
    assert all(1990 <= (t.track.original_year or 0) <= 1999 for t in r7.recommendation.tracks)  # type: ignore[union-attr]
    seen += ids(r7)

    r8 = await chat(c, USER, "more")
    assert not set(ids(r8)) & set(seen)
    assert all(1990 <= (t.track.original_year or 0) <= 1999 for t in r8.recommendation.tracks)  # type: ignore[union-attr]
    assert all(artist not in t.track.artists for t in r8.recommendation.tracks)  # type: ignore[union-attr]
    assert not any(r.fallback_used for r in (r1, r2, r3, r4, r5, r6, r7, r8))


async def test_more_never_repeats_within_a_conversation(agent_engine: Engine) -> None:
    pages = [ids(await agent_engine.app.chat.chat("test:more", USER, "/recommend happy party music"))]
    for text in ("more", "/more", "next", "more please"):
        pages.append(ids(await agent_engine.app.chat.chat("test:more", USER, text)))
    flat = [i for page in pages for i in page]
    assert len(flat) == len(set(flat)) == 50
    other = ids(await agent_engine.app.chat.chat("test:other", USER, "/recommend happy party music"))
    assert other == pages[0]  # another conversation starts fresh


async def test_agent_and_slash_commands_share_state(agent_engine: Engine) -> None:
    r1 = await agent_engine.app.chat.chat("test:mix", USER, "/similar Blinding Lights")
    r2 = await agent_engine.app.chat.chat("test:mix", USER, "more like #2")
    assert ids(r1)[1] in r2.recommendation.query  # type: ignore[union-attr]
    r3 = await agent_engine.app.chat.chat("test:mix", USER, "/more")
    assert not set(ids(r3)) & (set(ids(r1)) | set(ids(r2)))
    song = await agent_engine.app.chat.chat("test:mix", USER, "tell me about #1")
    assert song.track is not None and song.track.track_id == ids(r3)[0]
    why = await agent_engine.app.chat.chat("test:mix", USER, "why #2")
    assert why.track is None and "BPM" in why.text and "Picked because" in why.text


async def test_memory_survives_a_restart_and_reset_clears_it(agent_template_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "restart.db"
    shutil.copy(agent_template_db, db)
    engine = await Engine.open(db)
    first = ids(await engine.app.chat.chat("console:local", USER, "chill study music"))
    await engine.close()

    engine = await Engine.open(db)
    try:
        second = await engine.app.chat.chat("console:local", USER, "more")
        assert not set(ids(second)) & set(first)
        calmer = await engine.app.chat.chat("console:local", USER, "less upbeat")
        assert calmer.recommendation.target  # the last request was remembered  # type: ignore[union-attr]
        store = await engine.app.sessions.conversation_store()
        assert await store.count_turns("console:local") == 2  # agent turns ("more" is answered directly)
        assert (await engine.app.chat.chat("console:local", USER, "/reset")).text == "Conversation cleared."
        assert await store.count_turns("console:local") == 0
        assert "Ask for something first" in (await engine.app.chat.chat("console:local", USER, "more")).text
    finally:
        await engine.close()


async def test_history_is_bounded_to_whole_turns(agent_engine: Engine) -> None:
    """An LLM stand-in sees at most N previous turns, and stored turns never hold an orphaned tool call."""
    from pydantic_ai.messages import ModelMessagesTypeAdapter, ModelRequest, ToolCallPart, ToolReturnPart, UserPromptPart

    prompts_seen: list[list[str]] = []

    def plan(messages: list[Any], info: Any) -> Any:
        prompts = [p.content for m in messages if isinstance(m, ModelRequest) for p in m.parts if isinstance(p, UserPromptPart)]
        last = messages[-1]
        if isinstance(last, ModelRequest) and any(isinstance(p, UserPromptPart) for p in last.parts):
            prompts_seen.append(prompts)
            return [("recommend", {"request": prompts[-1]}), ("search_tracks", {"query": "love"})]
        return "Here you go."

    agent_engine.app.chat.configure_agent(AgentConfig(model_override=hostile_model(plan), conversation_turns=3))
    for text in ("rock", "jazz", "pop", "sad songs", "party", "piano"):
        reply = await agent_engine.app.chat.chat("test:bounded", USER, text)
        assert not reply.fallback_used
    assert [len(p) for p in prompts_seen] == [1, 2, 3, 4, 4, 4]  # current prompt + at most 3 stored turns
    assert prompts_seen[-1] == ["pop", "sad songs", "party", "piano"]
    store = await agent_engine.app.sessions.conversation_store()
    rows = await store.load_turns("test:bounded", 100)
    assert len(rows) == 3
    for row in rows:
        messages = ModelMessagesTypeAdapter.validate_json(row)
        assert isinstance(messages[0], ModelRequest) and any(isinstance(p, UserPromptPart) for p in messages[0].parts)
        calls = {p.tool_call_id for m in messages for p in m.parts if isinstance(p, ToolCallPart)}
        returns = {p.tool_call_id for m in messages for p in m.parts if isinstance(p, ToolReturnPart)}
        assert calls <= returns, "a stored turn has a tool call without its return"


async def test_turns_of_one_conversation_run_one_at_a_time(agent_engine: Engine) -> None:
    await agent_engine.app.chat.chat("test:race", USER, "/recommend rock")
    replies = await asyncio.gather(*(agent_engine.app.chat.chat("test:race", USER, "more") for _ in range(3)))
    flat = [i for r in replies for i in ids(r)]
    assert len(flat) == len(set(flat))


async def test_bad_input_gets_a_friendly_answer(agent_engine: Engine) -> None:
    assert "2,000" in (await agent_engine.app.chat.chat("test:bad", USER, "x" * 2001)).text
    assert "empty" in (await agent_engine.app.chat.chat("test:bad", USER, "   ")).text
    assert "conversation id" in (await agent_engine.app.chat.chat("bad id with spaces", USER, "rock")).text
    unclear = await agent_engine.app.chat.chat("test:bad", USER, "asdfgh qwerty")
    assert unclear.clarification is not None
    assert (await agent_engine.app.chat.chat("test:bad", USER, "hello")).text.startswith("Hi")


async def test_admin_changes_through_the_local_model(agent_engine: Engine) -> None:
    before = await agent_engine.catalog.checksum()
    reply = await agent_engine.app.chat.chat("test:admin", ADMIN, "set energy of Blinding Lights to 0.9")
    assert reply.text.startswith("Updated"), reply.text
    assert (await agent_engine.app.tracks.get_track("Blinding Lights")).energy == 0.9
    changed = await agent_engine.catalog.checksum()
    assert changed != before
    # destructive changes need an exact reference: no fuzzy "everything" -> "Everything I Wanted"
    reply = await agent_engine.app.chat.chat("test:admin", ADMIN, "delete everything")
    assert "No track found" in reply.text and await agent_engine.catalog.checksum() == changed
    reply = await agent_engine.app.chat.chat("test:admin", ADMIN, "delete Blinding Lights")
    assert reply.text.startswith("Deleted"), reply.text
    assert await agent_engine.catalog.checksum() != changed


def test_musicbot_ask_continues_a_stored_conversation(agent_template_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    db = tmp_path / "cli.db"
    shutil.copy(agent_template_db, db)
    runner = CliRunner()

    def ask(text: str) -> list[str]:
        result = runner.invoke(app, ["ask", "--db", str(db), "--conversation", "cli:test", "--user", "u7", "--json", text])
        assert result.exit_code == 0, result.output
        return [t["track_id"] for t in json.loads(result.output)]

    first = ask("chill study music")
    second = ask("more")
    third = ask("less upbeat")
    assert len(first) == len(second) == len(third) == 10
    assert not set(first) & set(second) and not set(third) & (set(first) | set(second))


def test_slash_commands_never_import_pydantic_ai(agent_template_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "slash.db"
    shutil.copy(agent_template_db, db)
    code = textwrap.dedent(
        f"""
        import asyncio, sys
        from core.engine import Engine
        from core.models import Caller
        async def main():
            e = await Engine.open({str(db)!r})
            for text in ["/recommend chill study music", "more", "/similar Blinding Lights", "/more",
                         "/search love", "/song Blinding Lights", "/help", "/reset"]:
                r = await e.app.chat.chat("console:local", Caller(), text)
                assert r.text, text
            await e.close()
            print("pydantic_ai" in sys.modules)
        asyncio.run(main())
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
