"""The built-in local model: a Pydantic AI ``FunctionModel`` that needs no key and no network.

It plays the part of an LLM inside the *same* agent: step 1 reads the user's message with
:func:`core.agent.intents.parse_intent` and calls one tool (only tools the agent actually offers — admin tools are
hidden from non-admins by ``prepare=``); step 2 turns the tool's result into the final ``reply``/``clarify`` output
call, which goes through the same output validation as an LLM's. So permission checks, tool code and output
validation are exercised identically offline and online.

The conversation state reaches it through a context variable set by the runtime for the duration of a turn
(``FunctionModel`` functions receive messages and tool definitions, not deps).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.agent.deps import (
    AgentDeps,
    ClarifyResult,
    FeedbackDone,
    MutationResult,
    PlaylistChangeResult,
    PlaylistExportResult,
    PlaylistPageResult,
    PlaylistsResult,
    PreviewFound,
    ToolFailure,
    TrackDetails,
    TracksResult,
)
from core.agent.intents import REFUSE_ADMIN, Intent, parse_intent

if TYPE_CHECKING:  # pydantic_ai is imported only when the model runs inside the agent (:func:`build_local_model`)
    from pydantic_ai.messages import ModelMessage, ModelResponse
    from pydantic_ai.models.function import AgentInfo, FunctionModel

#: The deps of the turn being answered (set by :mod:`core.agent.runtime`).
CURRENT_DEPS: ContextVar[AgentDeps | None] = ContextVar("musicbot_agent_deps", default=None)

REPLY_TOOL = "reply"
CLARIFY_TOOL = "clarify"
FEATURES = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "speechiness", "liveness",
            "tempo", "loudness")


@dataclass(frozen=True)
class Step:
    """One decision of the built-in model: call ``tool`` with ``args`` — a catalog/playlist/admin tool, or the final
    :data:`REPLY_TOOL` / :data:`CLARIFY_TOOL` output call. The agent wraps it in a ``ToolCallPart``
    (:func:`local_respond`); :mod:`core.agent.direct` runs it without the agent framework."""

    tool: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        """True for the output call that ends the turn."""
        return self.tool in (REPLY_TOOL, CLARIFY_TOOL)


def _user_text(messages: list[ModelMessage]) -> tuple[str, int]:
    """The latest user prompt and the index of the request that holds it."""
    from pydantic_ai.messages import ModelRequest, UserPromptPart

    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        if isinstance(msg, ModelRequest):
            for part in msg.parts:
                if isinstance(part, UserPromptPart):
                    content = part.content if isinstance(part.content, str) else " ".join(
                        c for c in part.content if isinstance(c, str)
                    )
                    return content, i
    return "", -1


def _reply(text: str, **fields: Any) -> Step:
    return Step(REPLY_TOOL, {"reply": text, **fields})


def _clarify(question: str, suggestions: list[str] | None = None) -> Step:
    return Step(CLARIFY_TOOL, {"question": question, "suggestions": suggestions or []})


def _call(tool: str, args: dict[str, Any]) -> Step:
    return Step(tool, args)


def _tracks_reply(result: TracksResult, request: str) -> Step:
    if not result.tracks:
        return _reply(result.note or "No tracks match that — try loosening the filters.")
    n = len(result.tracks)
    # the summary doubles as the list's title in adapters, so the reply repeats it rather than adding a sentence
    if result.kind == "search":
        text = result.summary or f"{n} track{'s' if n != 1 else ''} found."
    else:
        text = result.summary or f"{n} {'similar ' if result.kind == 'similar' else ''}tracks."
    fields: dict[str, Any] = {
        "tracks": [{"track_id": c.track_id, "reason": c.reason} for c in result.tracks],
    }
    for name in FEATURES:
        if name in result.target:
            fields[name] = result.target[name]
    f = result.filters
    for key in ("genres", "exclude_artists"):
        if f.get(key):
            fields[key] = list(f[key])  # type: ignore[call-overload]
    for key in ("year_min", "year_max"):
        if f.get(key) is not None:
            fields[key] = f[key]
    return _reply(text, **fields)


def _page_text(page: PlaylistPageResult) -> str:
    if not page.total:
        return f'"{page.name}" is empty. Add songs with: add SONG to {page.name}'
    head = f'"{page.name}" — {page.total} track{"s" if page.total != 1 else ""}'
    if page.pages > 1:
        head += f", page {page.page}/{page.pages}"
    lines = [head + ":"] + [f"{c.ref} {c.title} - {c.artist}".rstrip(" -") for c in page.tracks]
    if page.page < page.pages:
        lines.append(f"Next: show {page.name} page {page.page + 1}")
    return "\n".join(lines)


def _final(content: Any, intent: Intent, request: str) -> Step:
    if isinstance(content, TracksResult):
        return _tracks_reply(content, request)
    if isinstance(content, ClarifyResult):
        return _clarify(content.question, content.suggestions)
    if isinstance(content, TrackDetails):
        return _reply(f"{content.title} — {content.artist}: {content.description}")
    if isinstance(content, MutationResult):
        return _reply(f"{content.action.capitalize()}: {content.title} - {content.artist} ({content.track_id}).")
    if isinstance(content, (PlaylistChangeResult, FeedbackDone, PreviewFound)):
        return _reply(content.message)
    if isinstance(content, PlaylistPageResult):
        return _reply(_page_text(content))
    if isinstance(content, PlaylistsResult):
        if not content.playlists:
            return _reply(content.note or "No playlists here yet.")
        lines = [f"{len(content.playlists)} playlist{'s' if len(content.playlists) != 1 else ''}:"]
        lines += [f"• {p.name} — {p.tracks} track{'s' if p.tracks != 1 else ''}{' (yours)' if p.yours else ''}"
                  for p in content.playlists]
        return _reply("\n".join(lines))
    if isinstance(content, PlaylistExportResult):
        if content.count and content.count <= len(content.links):
            return _reply(f'"{content.playlist}" — {content.count} Spotify link{"s" if content.count != 1 else ""}:\n'
                          + "\n".join(content.links))
        return _reply(content.note or f'"{content.playlist}" is empty — nothing to export.')
    if isinstance(content, ToolFailure):
        text = content.error
        if content.suggestions and "Did you mean" not in text:
            text += " Did you mean: " + "; ".join(content.suggestions) + "?"
        return _reply(text)
    return _reply("Sorry, I can't do that.")


async def _playlist_names(deps: AgentDeps) -> list[str]:
    """Names of the group's playlists (so "show road trip" is recognised); [] when there are none or no group."""
    from core.errors import MusicBotError

    try:
        return [p.name for p in await deps.personal.playlists.list(deps.group_id)]
    except MusicBotError:
        return []


#: The built-in model's answer when a call it made was sent back (arguments rejected, output refused).
COULD_NOT_COMPLETE = "Sorry, I couldn't complete that request."


async def decide(deps: AgentDeps, text: str, offered: set[str] | frozenset[str], calls: list[str], content: Any,
                 retried: bool = False) -> Step:
    """The built-in model's next step for the message ``text`` (see module docstring).

    Args:
        deps: the turn's deps (conversation state, services, caller); the parsed intent is kept in ``deps.log``.
        offered: names of the tools the agent offers this caller (admin tools only to admins).
        calls: tool names already called in this turn, in order (empty = first step).
        content: what the last tool returned (None when nothing was returned).
        retried: the last call was sent back (bad arguments or a refused output) and nothing was returned.

    Returns:
        The tool call to make next, or the final ``reply`` / ``clarify`` call.
    """
    intent = deps.log.intent if isinstance(deps.log.intent, Intent) else None
    if intent is None:
        names = await _playlist_names(deps)
        intent = deps.log.intent = parse_intent(text, deps.tracks, deps.state, offered, names)
    if not calls:
        if intent.tool is None:
            return _reply(intent.reply)
        if intent.tool not in offered:
            return _reply(REFUSE_ADMIN)
        return _call(intent.tool, intent.args)
    if retried:
        return _reply(COULD_NOT_COMPLETE)
    if (
        isinstance(content, ToolFailure)
        and intent.fallback_request
        and not content.denied
        and "recommend" not in calls
    ):
        return _call("recommend", {"request": intent.fallback_request})
    return _final(content, intent, text)


async def local_respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """The local model's single step inside the agent: :func:`decide` on what the messages say, as a tool call."""
    from pydantic_ai.messages import ModelRequest, ModelResponse, RetryPromptPart, ToolCallPart, ToolReturnPart

    deps = CURRENT_DEPS.get()
    text, start = _user_text(messages)
    this_run = messages[start + 1 :] if start >= 0 else []
    calls = [p for m in this_run if isinstance(m, ModelResponse) for p in m.parts if isinstance(p, ToolCallPart)]
    last = messages[-1] if messages else None
    parts = last.parts if isinstance(last, ModelRequest) else []
    # a call sent back (arguments or output refused) arrives as a RetryPromptPart, or in Pydantic AI 2.x as a
    # ToolReturnPart whose outcome is "retried": neither is a tool result
    retries = [p for p in parts if isinstance(p, RetryPromptPart) or getattr(p, "outcome", None) == "retried"]
    returns = [p for p in parts if isinstance(p, ToolReturnPart) and getattr(p, "outcome", None) != "retried"]
    offered = {t.name for t in info.function_tools}
    if deps is None:  # used outside the runtime (e.g. a bare test): no state, no engine-based parsing
        step = _reply("The local model needs the musicbot runtime.")
    else:
        content = returns[-1].content if returns else None
        step = await decide(deps, text, offered, [c.tool_name for c in calls], content, bool(retries and not returns))
    return ModelResponse(parts=[ToolCallPart(step.tool, step.args)], model_name="musicbot-local")


def build_local_model() -> FunctionModel:
    """A fresh local model instance (imports ``pydantic_ai``)."""
    from pydantic_ai.models.function import FunctionModel

    return FunctionModel(local_respond, model_name="musicbot-local")
