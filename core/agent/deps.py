"""The agent's dependencies (one per turn) and the typed results its tools return.

:class:`AgentDeps` carries the engine handle and the caller's identity. The caller (user id, platform, role) comes
from the adapter and the settings — never from the conversation — and tools check it in code.

Tool results are Pydantic models. Everything in them that comes from the catalog (titles, artists, albums, genres)
is *data written by third parties*; the agent's instructions say so, and nothing depends on the model believing it,
because every permission is enforced in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from core.conversation import ConversationState, LastRequest
from core.models import Caller, NeedsClarification, Recommendation, RecommendedTrack, Track

if TYPE_CHECKING:
    from core.engine import Engine


class TrackCard(BaseModel):
    """A compact view of one track for the model (catalog text is untrusted data)."""

    ref: str = Field(description="position in this list, e.g. #3")
    track_id: str
    title: str
    artist: str
    year: int | None = None
    genre: str = ""
    energy: float
    valence: float
    danceability: float
    tempo: float
    reason: str = ""


class TracksResult(BaseModel):
    """Result of search / recommend / similar / refine / more."""

    kind: Literal["text", "similar", "search"]
    summary: str = ""
    tracks: list[TrackCard] = Field(default_factory=list)
    target: dict[str, float] = Field(default_factory=dict)
    filters: dict[str, object] = Field(default_factory=dict)
    note: str = ""


class TrackDetails(BaseModel):
    """Result of get_track / explain_track."""

    track_id: str
    title: str
    artist: str
    album: str = ""
    year: int | None = None
    genres: list[str] = Field(default_factory=list)
    features: dict[str, float] = Field(default_factory=dict)
    description: str = ""


class ClarifyResult(BaseModel):
    """The request carried no musical meaning: ask the user."""

    question: str
    suggestions: list[str] = Field(default_factory=list)


class ToolFailure(BaseModel):
    """A tool could not do what was asked; ``denied`` marks a permission refusal."""

    error: str
    denied: bool = False
    suggestions: list[str] = Field(default_factory=list)


class MutationResult(BaseModel):
    """Result of an admin add/edit/delete."""

    action: Literal["added", "updated", "deleted"]
    track_id: str
    title: str
    artist: str


@dataclass
class RunLog:
    """What the tools did during one turn, used to build the :class:`core.models.ChatReply`.

    Attributes:
        items: every track a tool returned, by id (score and reason kept for the reply).
        recommendation: the last list a tool produced.
        spec: the request to remember as ``state.last`` when the turn succeeds.
        track: the last single track looked up (get_track / explain_track).
        focus: the track id the user last pointed at.
        denied: permission refusals raised by the engine.
        mutations: human summaries of admin changes made.
        clarification: set when a tool found the request meaningless.
        intent: the local model's parsed intent for this turn (parsed once, reused on its second step).
    """

    items: dict[str, RecommendedTrack] = field(default_factory=dict)
    recommendation: Recommendation | None = None
    spec: LastRequest | None = None
    track: Track | None = None
    focus: str | None = None
    denied: list[str] = field(default_factory=list)
    mutations: list[str] = field(default_factory=list)
    clarification: NeedsClarification | None = None
    intent: object = None


@dataclass
class AgentDeps:
    """Per-turn dependencies of the agent (Pydantic AI ``deps``).

    Attributes:
        engine: the :class:`core.engine.Engine` (catalog, recommender, text understanding).
        caller: who is talking; ``caller.role`` decides whether admin tools are offered and allowed.
        conversation_id: the opaque conversation key (``telegram:<chat_id>``…).
        state: the conversation's follow-up state (read by tools; committed by the runtime after the turn).
        log: what the tools did this turn.
    """

    engine: Engine
    caller: Caller
    conversation_id: str
    state: ConversationState
    log: RunLog = field(default_factory=RunLog)

    def fresh(self) -> AgentDeps:
        """The same deps with an empty :class:`RunLog` (used when a failed LLM turn is replayed locally)."""
        return AgentDeps(self.engine, self.caller, self.conversation_id, self.state)
