"""The direct runner of the built-in model (core.agent.direct) answers exactly as the agent on the built-in model.

Every request of the shared, fresh and own text benchmark files (data/text_requests_*.jsonl), plus conversations of
follow-ups, playlist and feedback commands, explanations, admin attempts and odd input, is sent once through the
Pydantic AI agent (AgentRuntime on the local FunctionModel) and once through DirectRuntime, in twin conversations of
the same engine (separate users and groups, so likes and playlists of one never reach the other). The replies must
match: first line, whole text, tracks (ids in order), clarification, fallback flag. And the direct runner's stored
turn decodes with Pydantic AI's own message adapter into the same tool calls as the agent's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.agent.config import AgentConfig
from core.agent.direct import DirectRuntime
from core.agent.runtime import AgentRuntime
from core.engine import Engine
from core.models import Caller, ChatReply, Role

ROOT = Path(__file__).resolve().parents[2]


def _requests() -> list[str]:
    out: list[str] = []
    for name in ("text_requests_shared.jsonl", "text_requests_fresh.jsonl", "text_requests_own.jsonl"):
        for line in (ROOT / "data" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["q"])
    return out


#: Multi-turn conversations: follow-ups, references to the list on screen, playlists, feedback, admin attempts.
CONVERSATIONS: list[list[str]] = [
    ["chill study music", "less upbeat", "more", "only 90s", "not that artist", "why #2", "more like #3"],
    ["songs like Blinding Lights", "slower", "something more acoustic", "tell me about #1"],
    ["create playlist road trip", "add #1 to road trip", "upbeat songs for running", "add #2 and #3 to road trip",
     "show road trip", "show my playlists", "export road trip", "recommend from road trip"],
    ["90s hip hop", "I like #2", "I don't like #4", "more", "preview #1"],
    ["delete Billie Jean", "add a song called Test by Nobody", "set the tempo of #1 to 90"],
    ["", "?", "🎵🎵🎵", "asdfghjkl", "more", "#7", "why #40", "recommend 3 songs", "give me 50 songs of jazz"],
    ["rename playlist nothing to something", "delete playlist nope", "remove #1 from nowhere"],
    ["play something by Queen", "search daft punk", "who sings Bohemian Rhapsody", "similar to #1 but newer"],
]


def _key(reply: ChatReply) -> dict[str, object]:
    rec = reply.recommendation
    return {
        "first_line": reply.text.split("\n", 1)[0],
        "text": reply.text,
        "tracks": [t.track.track_id for t in rec.tracks] if rec else None,
        "kind": rec.kind if rec else None,
        "clarification": reply.clarification.question if reply.clarification else None,
        "track": reply.track.track_id if reply.track else None,
        "fallback": reply.fallback_used,
        # a playlist page: its name and tracks (ids, creators and times differ between the twin groups by design)
        "playlist": (getattr(getattr(reply.playlist, "playlist", None), "name", None),
                     [e.track_id for e in getattr(reply.playlist, "entries", None) or []]),
        "playlists": [getattr(p, "name", p) for p in reply.playlists],
        "export": reply.export_text,
    }


async def _twin_turn(engine: Engine, runtimes: dict[str, object], conv: str, text: str, caller_id: str = "u",
                     role: Role = Role.USER) -> dict[str, dict[str, object]]:
    out = {}
    for name, runtime in runtimes.items():
        engine.app.chat._agent_runtime = runtime  # type: ignore[assignment]  # noqa: SLF001 - the runtime under test
        caller = Caller(user_id=f"{caller_id}-{name}", platform="test", role=role)
        reply = await engine.app.chat.chat(f"eq:{name}:{conv}", caller, text or " ", group_id=f"test:{name}:{conv}")
        out[name] = _key(reply)
    return out


@pytest.fixture
async def twins(engine: Engine) -> dict[str, object]:
    config = AgentConfig()
    return {"agent": AgentRuntime(config), "direct": DirectRuntime(config)}


async def test_benchmark_requests_get_the_same_reply(engine: Engine, twins: dict[str, object]) -> None:
    requests = _requests()
    assert len(requests) >= 200
    with_tracks = 0
    for i, text in enumerate(requests):
        got = await _twin_turn(engine, twins, f"bench{i}", text)
        assert got["direct"] == got["agent"], text
        with_tracks += bool(got["direct"]["tracks"])
    assert with_tracks >= len(requests) * 0.8  # the comparison is over real recommendation lists


@pytest.mark.parametrize("turns", CONVERSATIONS, ids=[c[0][:20] or "odd" for c in CONVERSATIONS])
async def test_conversations_get_the_same_replies(engine: Engine, twins: dict[str, object], turns: list[str]) -> None:
    conv = f"c{CONVERSATIONS.index(turns)}"
    for text in turns:
        got = await _twin_turn(engine, twins, conv, text)
        assert got["direct"] == got["agent"], text


async def test_admin_turns_get_the_same_replies(engine: Engine, twins: dict[str, object]) -> None:
    # read-only admin turns (a change would alter the shared catalog between the twins)
    for text in ("chill study music", "why #1", "delete", "edit #1"):
        got = await _twin_turn(engine, twins, "admin", text, caller_id="admin", role=Role.ADMIN)
        assert got["direct"] == got["agent"], text


async def test_the_stored_turn_is_pydantic_ai_history_with_the_same_calls(engine: Engine, twins: dict[str, object]) -> None:
    from pydantic_ai.messages import ModelMessagesTypeAdapter, ModelResponse, ToolCallPart, ToolReturnPart

    for text in ("something for a rainy drive", "create playlist gym", "why #1"):
        await _twin_turn(engine, twins, "stored", text)
    store = await engine.app.sessions.conversation_store()
    calls = {}
    for name in twins:
        rows = await store.load_turns(f"eq:{name}:stored", 10)
        assert len(rows) == 3
        turns = []
        for row in rows:
            messages = ModelMessagesTypeAdapter.validate_json(row)
            made = [(p.tool_name, p.args) for m in messages if isinstance(m, ModelResponse) for p in m.parts
                    if isinstance(p, ToolCallPart)]
            returned = {p.tool_call_id for m in messages for p in m.parts if isinstance(p, ToolReturnPart)}
            called = {p.tool_call_id for m in messages for p in m.parts if isinstance(p, ToolCallPart)}
            assert called <= returned  # never an orphaned tool call in the history an LLM will read
            turns.append(made)
        calls[name] = turns
    assert calls["direct"] == calls["agent"]
    assert calls["direct"][0][0][0] == "recommend"


async def test_offline_engine_uses_the_direct_runner_and_an_llm_config_the_agent(engine: Engine) -> None:
    import sys

    reply = await engine.app.chat.chat("eq:default", Caller(), "something for a rainy drive")
    assert isinstance(engine.app.chat.agent_runtime, DirectRuntime)
    assert reply.recommendation is not None and len(reply.recommendation.tracks) == 10
    engine.app.chat.configure_agent(AgentConfig(model="openai:gpt-4o-mini"))
    assert isinstance(engine.app.chat.agent_runtime, AgentRuntime)
    assert "pydantic_ai" in sys.modules


# ------------------------------------------------------------------ the paths the built-in model rarely takes
# A scripted decision (the model's part, like a FunctionModel in the agent tests) drives both runtimes into the
# framework's edge paths: a call whose arguments don't fit the tool, a final answer naming an unknown track.
def _scripted(first: "Step"):  # noqa: F821, ANN202 - Step imported below
    async def decide(deps, text, offered, calls, content, retried=False):  # noqa: ANN001, ANN202
        from core.agent.local_model import COULD_NOT_COMPLETE, REPLY_TOOL, Step

        if retried:
            return Step(REPLY_TOOL, {"reply": COULD_NOT_COMPLETE})
        if not calls:
            return first
        return Step(REPLY_TOOL, {"reply": "done"})

    return decide


@pytest.mark.parametrize(
    "tool, args, want",
    [
        # a change tool missing its required argument: sent back, and nothing changed says so
        ("create_playlist", {"nme": "typo in the argument name"}, "Sorry, I can't do that — nothing was changed."),
        # an argument the tool does not have: sent back too
        ("search_tracks", {"query": "queen", "colour": "blue"}, "Sorry, I couldn't complete that request."),
        # a final answer naming a track id the catalog lacks: sent back
        ("reply", {"reply": "here", "tracks": [{"track_id": "0000000000000000000000", "reason": "made up"}]},
         "Sorry, I couldn't complete that request."),
        ("no_such_tool", {}, "Sorry, I can't do that."),
    ],
)
async def test_sent_back_calls_end_alike(engine: Engine, twins: dict[str, object], monkeypatch: pytest.MonkeyPatch,
                                         tool: str, args: dict[str, object], want: str) -> None:
    import core.agent.direct
    import core.agent.local_model
    from core.agent.local_model import Step

    scripted = _scripted(Step(tool, args))
    monkeypatch.setattr(core.agent.local_model, "decide", scripted)
    monkeypatch.setattr(core.agent.direct, "decide", scripted)
    got = await _twin_turn(engine, twins, f"edge:{tool}", "anything")
    assert got["direct"] == got["agent"], got
    assert got["direct"]["text"] == want
