"""Playlist, feedback and preview intents and tools of the agent (issue 6), with model requests disallowed.

The intent parser is checked phrase by phrase; the tools are called directly with a ``RunContext`` (as Pydantic AI
would) and through the agent under ``TestModel`` / scripted ``FunctionModel`` stand-ins.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.agent.config import AgentConfig
from core.agent.intents import ASK_PLAYLIST_NAME, parse_intent
from core.conversation import CONSOLE_GROUP, ConversationState, LastRequest, default_group
from core.engine import Engine
from core.models import Caller
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)
from tests.security.agent_fixtures import ADMIN, OTHER, USER, hostile_model

pytestmark = pytest.mark.usefixtures("no_model_requests")

READ = {"search_tracks", "get_track", "recommend", "recommend_similar", "refine_recommendations",
        "more_recommendations", "explain_track"}
ADMIN_TOOLS = READ | {"add_track", "edit_track", "delete_track"}
PLAYLISTS = ["Road Trip", "Chill"]


@pytest.fixture
async def state(agent_engine: Engine) -> ConversationState:
    """A conversation that has shown a 10-track list."""
    blinding = agent_engine.loaded.table.ids[agent_engine.app.tracks.resolve("Blinding Lights")]
    page = [blinding, *[i for i in agent_engine.loaded.table.ids[:9] if i != blinding]]
    return ConversationState(last=LastRequest(request="chill study music"), last_page=page, shown=list(page))


# ---------------------------------------------------------------------------------------------- intents
@pytest.mark.parametrize(
    ("text", "tool", "args"),
    [
        ("create a playlist called road trip", "create_playlist", {"name": "road trip"}),
        ("make a new playlist named “Summer 2024”", "create_playlist", {"name": "Summer 2024"}),
        ("add #3 to road trip", "add_to_playlist", {"playlist": "Road Trip", "songs": ["#3"]}),
        ("add #1, #2 and #5 to the road trip playlist", "add_to_playlist", {"playlist": "Road Trip", "songs": ["#1", "#2", "#5"]}),
        ("add Blinding Lights to road trip", "add_to_playlist", {"playlist": "Road Trip", "songs": ["Blinding Lights"]}),
        ("put the second one in chill", "add_to_playlist", {"playlist": "Chill", "songs": ["#2"]}),
        ("add #3 to playlist Brand New", "add_to_playlist", {"playlist": "Brand New", "songs": ["#3"]}),
        ("remove #2 from road trip", "remove_from_playlist", {"playlist": "Road Trip", "songs": ["#2"]}),
        ("remove #2 from road trip playlist", "remove_from_playlist", {"playlist": "Road Trip", "songs": ["#2"]}),
        ("show road trip", "show_playlist", {"playlist": "Road Trip"}),
        ("show me road trip page 2", "show_playlist", {"playlist": "Road Trip", "page": 2}),
        ("what's in the chill playlist?", "show_playlist", {"playlist": "Chill"}),
        ("show playlist Unknown One", "show_playlist", {"playlist": "Unknown One"}),
        ("recommend from road trip", "recommend_from_playlist", {"playlist": "Road Trip"}),
        ("suggest songs for road trip", "recommend_from_playlist", {"playlist": "Road Trip"}),
        ("export road trip", "export_playlist", {"playlist": "Road Trip"}),
        ("give me the links for road trip", "export_playlist", {"playlist": "Road Trip"}),
        ("rename road trip to Summer Drive", "rename_playlist", {"playlist": "Road Trip", "new_name": "Summer Drive"}),
        ("delete playlist road trip", "delete_playlist", {"playlist": "Road Trip"}),
        ("delete the road trip playlist", "delete_playlist", {"playlist": "Road Trip"}),
        ("my playlists", "list_playlists", {}),
        ("show playlists", "list_playlists", {}),
        ("I like #2", "like_track", {"ref": "#2"}),
        ("like the third one", "like_track", {"ref": "#3"}),
        ("I really love #1!", "like_track", {"ref": "#1"}),
        ("I don't like #4", "dislike_track", {"ref": "#4"}),
        ("dislike #4", "dislike_track", {"ref": "#4"}),
        ("i hate the song Blinding Lights", "dislike_track", {"ref": "Blinding Lights"}),
        ("preview #1", "preview_track", {"ref": "#1"}),
        ("preview Blinding Lights", "preview_track", {"ref": "Blinding Lights"}),
        ("play a preview of #2", "preview_track", {"ref": "#2"}),
    ],
)
def test_playlist_and_feedback_intents(
    agent_engine: Engine, state: ConversationState, text: str, tool: str, args: dict
) -> None:
    intent = parse_intent(text, agent_engine.app.tracks, state, READ, PLAYLISTS)
    assert intent.tool == tool, (text, intent)
    for key, value in args.items():
        assert intent.args.get(key) == value, (text, key, intent.args)


def test_required_phrases_work_before_the_playlist_exists(agent_engine: Engine, state: ConversationState) -> None:
    """The phrases of the brief, offline, in a group with no playlist yet (names come from the text)."""
    expected = {
        "create a playlist called road trip": ("create_playlist", {"name": "road trip"}),
        "add #3 to road trip": ("add_to_playlist", {"playlist": "road trip", "songs": ["#3"]}),
        "add Blinding Lights to road trip": ("add_to_playlist", {"playlist": "road trip", "songs": ["Blinding Lights"]}),
        "recommend from road trip": ("recommend_from_playlist", {"playlist": "road trip"}),
        "export road trip": ("export_playlist", {"playlist": "road trip"}),
        "delete playlist road trip": ("delete_playlist", {"playlist": "road trip"}),
        "I like #2": ("like_track", {"ref": "#2"}),
        "I don't like #4": ("dislike_track", {"ref": "#4"}),
        "dislike #4": ("dislike_track", {"ref": "#4"}),
        "preview #1": ("preview_track", {"ref": "#1"}),
    }
    for text, (tool, args) in expected.items():
        intent = parse_intent(text, agent_engine.app.tracks, state, READ, [])
        assert intent.tool == tool and all(intent.args.get(k) == v for k, v in args.items()), (text, intent)
    # "show NAME" needs a known name or the word "playlist" (else "show me jazz" would be a playlist)
    assert parse_intent("show road trip", agent_engine.app.tracks, state, READ, ["road trip"]).tool == "show_playlist"


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("show me some chill music", "recommend"),
        ("recommend songs for studying", "recommend"),
        ("I like chill music", "recommend"),
        ("more like #3", "recommend_similar"),
        ("something like #2", "recommend_similar"),
        ("songs like Blinding Lights", "recommend_similar"),
        ("make me a playlist for running", "recommend"),
        ("add some energy to it", None),
        ("remove that artist", None),
        ("drop the tempo", None),
    ],
)
def test_everyday_requests_are_not_playlist_commands(
    agent_engine: Engine, state: ConversationState, text: str, tool: str | None
) -> None:
    intent = parse_intent(text, agent_engine.app.tracks, state, READ, PLAYLISTS)
    playlist_tools = {"create_playlist", "add_to_playlist", "remove_from_playlist", "show_playlist", "rename_playlist",
                      "delete_playlist", "recommend_from_playlist", "export_playlist", "list_playlists", "like_track",
                      "dislike_track", "preview_track"}
    assert intent.tool not in playlist_tools, (text, intent)
    if tool is not None:
        assert intent.tool == tool, (text, intent)


def test_unknown_from_name_falls_back_and_bare_create_asks(agent_engine: Engine, state: ConversationState) -> None:
    intent = parse_intent("recommend songs from the 90s", agent_engine.app.tracks, state, READ, PLAYLISTS)
    assert intent.tool == "recommend_from_playlist" and intent.fallback_request == "recommend songs from the 90s"
    known = parse_intent("recommend from road trip", agent_engine.app.tracks, state, READ, PLAYLISTS)
    assert known.fallback_request == ""  # a real playlist: its errors are shown, not papered over
    assert parse_intent("make a playlist", agent_engine.app.tracks, state, READ, PLAYLISTS).reply == ASK_PLAYLIST_NAME


def test_catalog_commands_stay_admin_commands(agent_engine: Engine, state: ConversationState) -> None:
    for text, tool in (
        ("remove Blinding Lights from the catalog", "delete_track"),
        ("delete Blinding Lights", "delete_track"),
        ("add song track_id=0abcdefghijklmnopqrstu title=Road to Nowhere artists=A energy=0.5 valence=0.4 "
         "danceability=0.6 tempo=121", "add_track"),
    ):
        assert parse_intent(text, agent_engine.app.tracks, state, ADMIN_TOOLS, PLAYLISTS).tool == tool, text


def test_ordinals_follow_the_page_numbering(agent_engine: Engine, state: ConversationState) -> None:
    """On a playlist's page 2 (#11-#20), "the second one" is #12 and #13 is its third item."""
    state.show_page(state.last_page, [], remember=False, first=11)
    assert parse_intent("like the second one", agent_engine.app.tracks, state, READ, []).args == {"ref": "#12"}
    assert state.page_ref(13) == state.last_page[2]
    assert state.page_ref(3) is None and state.page_ref(21) is None


def test_default_group_from_the_conversation_id() -> None:
    user = Caller(user_id="42", platform="telegram")
    assert default_group("telegram:-100123", user) == "telegram:-100123"
    assert default_group("discord:555", user) == "discord:555"  # per channel unless the adapter passes the guild
    assert default_group("console:local", Caller()) == CONSOLE_GROUP
    assert default_group("cli:ask", Caller()) == CONSOLE_GROUP
    assert default_group("Weird Id", user) == "telegram:42"


# ---------------------------------------------------------------------------------------------- tools, called directly
def _ctx(engine: Engine, caller: Caller = USER, state: ConversationState | None = None, **kw: Any) -> Any:
    from pydantic_ai import RunContext
    from pydantic_ai.models.test import TestModel
    from pydantic_ai.usage import RunUsage

    from core.agent.deps import AgentDeps

    deps = AgentDeps(app=engine.app, caller=caller, conversation_id="unit:pl", state=state or ConversationState(), **kw)
    return RunContext(deps=deps, model=TestModel(), usage=RunUsage())


async def test_tools_share_one_group_and_resolve_list_refs(agent_engine: Engine, state: ConversationState) -> None:
    from core.agent import tools
    from core.agent.deps import PlaylistChangeResult, PlaylistPageResult, ToolFailure, TracksResult

    ctx = _ctx(agent_engine, state=state)
    assert ctx.deps.group_id == "unit:pl"
    assert isinstance(await tools.create_playlist(ctx, "Road Trip"), PlaylistChangeResult)
    added = await tools.add_to_playlist(ctx, "road trip", ["#1", "#3", "Get Lucky"])
    assert isinstance(added, PlaylistChangeResult) and added.tracks == 3, added
    assert ctx.deps.log.changed and "Added 3 tracks" in ctx.deps.log.mutations[-1]
    again = await tools.add_to_playlist(ctx, "Road Trip", ["#1"])
    assert isinstance(again, PlaylistChangeResult) and "already in" in again.message
    page = await tools.show_playlist(ctx, "ROAD TRIP")
    assert isinstance(page, PlaylistPageResult) and [c.ref for c in page.tracks] == ["#1", "#2", "#3"]
    assert page.tracks[0].track_id == state.last_page[0]
    # right after show_playlist, #2 means the playlist's second track
    removed = await tools.remove_from_playlist(ctx, "Road Trip", ["#2"])
    assert isinstance(removed, PlaylistChangeResult) and removed.tracks == 2, removed
    rec = await tools.recommend_from_playlist(ctx, "Road Trip", limit=5)
    assert isinstance(rec, TracksResult) and rec.kind == "playlist" and len(rec.tracks) == 5
    assert not {c.track_id for c in rec.tracks} & set(state.shown)  # never repeats the conversation
    assert ctx.deps.log.spec is not None and ctx.deps.log.spec.kind == "playlist"
    missing = await tools.show_playlist(ctx, "Road Tirp")
    assert isinstance(missing, ToolFailure) and "Road Trip" in missing.error  # suggestion


async def test_feedback_and_preview_tools(agent_engine: Engine, state: ConversationState) -> None:
    from core.agent import tools
    from core.agent.deps import FeedbackDone, PreviewFound, ToolFailure

    ctx = _ctx(agent_engine, state=state)
    liked = await tools.like_track(ctx, "#2")
    disliked = await tools.dislike_track(ctx, "#1")
    assert isinstance(liked, FeedbackDone) and liked.track_id == state.last_page[1]
    assert isinstance(disliked, FeedbackDone) and disliked.track_id == state.last_page[0]
    assert await agent_engine.app.personal.disliked_ids(USER) == {state.last_page[0]}
    found = await tools.preview_track(ctx, "#2")  # previews point at a closed port: a miss, never an error
    assert isinstance(found, PreviewFound) and found.preview_url is None
    assert found.spotify_url.endswith(state.last_page[1]) and "No preview" in found.message
    assert isinstance(await tools.like_track(ctx, "#42"), ToolFailure)


async def test_tools_pass_group_admin_from_deps_only(agent_engine: Engine) -> None:
    from core.agent import tools
    from core.agent.deps import PlaylistChangeResult, ToolFailure

    await tools.create_playlist(_ctx(agent_engine, OTHER, group_id="test:g"), "Theirs")
    denied = await tools.rename_playlist(_ctx(agent_engine, USER, group_id="test:g"), "Theirs", "Mine")
    assert isinstance(denied, ToolFailure) and denied.denied
    ok = await tools.rename_playlist(_ctx(agent_engine, USER, group_id="test:g", group_admin=True), "Theirs", "Ours")
    assert isinstance(ok, PlaylistChangeResult) and ok.playlist == "Ours"
    gone = await tools.delete_playlist(_ctx(agent_engine, ADMIN, group_id="test:g"), "Ours")  # bot admin
    assert isinstance(gone, PlaylistChangeResult) and gone.action == "deleted"


async def test_playlist_tool_schemas_are_flat_documented_and_offered_to_everyone(agent_engine: Engine) -> None:
    from pydantic_ai.messages import ModelResponse, ToolCallPart
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    from core.agent.deps import AgentDeps
    from core.agent.runtime import build_agent
    from core.agent.tools import PLAYLIST_TOOLS

    seen: dict[str, Any] = {}

    def fn(messages: list[Any], info: AgentInfo) -> ModelResponse:
        seen.update({t.name: t for t in info.function_tools})
        return ModelResponse(parts=[ToolCallPart("reply", {"reply": "ok"})])

    deps = AgentDeps(app=agent_engine.app, caller=USER, conversation_id="t:x", state=ConversationState())
    await build_agent(AgentConfig()).run("hi", model=FunctionModel(fn), deps=deps)
    for fn_ in PLAYLIST_TOOLS:
        tool = seen[fn_.__name__]
        schema = tool.parameters_json_schema
        assert tool.description, tool.name
        assert all("description" in p for p in schema.get("properties", {}).values()), json.dumps(schema)
        assert schema.get("additionalProperties") in (None, False)
        assert "group_admin" not in schema.get("properties", {}) and "caller" not in schema.get("properties", {})


# ---------------------------------------------------------------------------------------------- through the agent
async def test_testmodel_drives_every_playlist_tool_without_crashing(agent_engine: Engine) -> None:
    from pydantic_ai.models.test import TestModel

    from core.agent.tools import PLAYLIST_TOOLS

    names = [fn.__name__ for fn in PLAYLIST_TOOLS]
    model = TestModel(call_tools=names, custom_output_args={"reply": "done", "tracks": []})
    agent_engine.app.chat.configure_agent(AgentConfig(model_override=model, max_tool_calls=len(names) + 2))
    await agent_engine.app.chat.chat("unit:tm-pl", USER, "/recommend chill")
    before = await agent_engine.catalog.checksum()
    reply = await agent_engine.app.chat.chat("unit:tm-pl", USER, "do playlist things")
    assert not reply.fallback_used and reply.text == "done", reply.text
    assert await agent_engine.catalog.checksum() == before


async def test_scripted_llm_adds_then_shows_and_the_reply_carries_the_page(agent_engine: Engine) -> None:
    """An LLM stand-in calls create + add, then show_playlist; the page is rendered from the tool's data."""
    from pydantic_ai.messages import ModelRequest, ToolReturnPart

    first = await agent_engine.app.chat.chat("unit:llm-pl", USER, "/recommend upbeat dance")
    ids = [t.track.track_id for t in first.recommendation.tracks]  # type: ignore[union-attr]

    def plan(messages: list[Any], info: Any) -> Any:
        last = messages[-1]
        returns = [p for p in last.parts if isinstance(p, ToolReturnPart)] if isinstance(last, ModelRequest) else []
        if not returns:
            return [("create_playlist", {"name": "Party"}), ("add_to_playlist", {"playlist": "Party", "songs": ["#1", "#2"]})]
        if returns[0].tool_name == "create_playlist":
            return [("show_playlist", {"playlist": "party"})]
        picks = [{"track_id": c.track_id} for c in returns[0].content.tracks]
        return [("reply", {"reply": "Your party playlist.", "tracks": picks})]

    agent_engine.app.chat.configure_agent(AgentConfig(model_override=hostile_model(plan)))
    reply = await agent_engine.app.chat.chat("unit:llm-pl", USER, "make a party playlist with the first two")
    assert reply.text == "Your party playlist." and not reply.fallback_used
    assert reply.recommendation is None  # the page is not re-labelled as a recommendation
    assert [e.track_id for e in reply.playlist.entries] == ids[:2]
    state = await (await agent_engine.app.sessions.conversation_store()).load_state("unit:llm-pl")
    assert state.last_page == ids[:2] and state.page_first == 1
