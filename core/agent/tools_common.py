"""What the agent's tools share: ``#N`` references, the turn's scope, and turning results or errors into tool output.

Tools never raise for user mistakes: :func:`failure` turns a :class:`~core.errors.MusicBotError` into a
:class:`~core.agent.deps.ToolFailure` the model can relay. Track references accept ids, Spotify links,
"title - artist" and ``#3`` (item 3 of the last list shown, this turn's list first).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only; bound for the agent by core.agent.tools.build_tools
    from pydantic_ai import RunContext

from core.coverage import coverage_text
from core.agent.deps import AgentDeps, ToolFailure, TrackCard, TracksResult
from core.agent.playlist_ops import NUM_REF, Scope
from core.conversation import LastRequest
from core.errors import MusicBotError, PermissionDenied
from core.limits import DEFAULT_TRACKS, MAX_TRACKS
from core.error_words import error_text, invalid
from core.reply_words import localize_note
from core.models import CountCap, Recommendation, Track

log = logging.getLogger(__name__)


def resolve_ref(ctx: RunContext[AgentDeps], ref: str) -> str:
    """A track reference with ``#N`` (item N of the last list) replaced by its track id; remembers the focus."""
    ref = str(ref or "").strip()
    m = NUM_REF.match(ref)
    if m:
        n = int(m.group(1))
        tid = turn_scope(ctx).list_ref(n)
        if tid is None:
            raise invalid("no item here", "ref", n=str(n))
        ref = tid
    found = ctx.deps.tracks.resolve_ref(ref)
    note = localize_note(found.note, ctx.deps.lang)
    if note and note not in ctx.deps.log.notes:  # never swap silently: the reply says so first
        ctx.deps.log.notes.append(note)
    pos = found.pos
    ctx.deps.log.focus = ctx.deps.tracks.table.ids[pos]
    return ctx.deps.log.focus


def turn_scope(ctx: RunContext[AgentDeps]) -> Scope:
    """The caller, group and lists of this turn, for :mod:`core.agent.playlist_ops`."""
    deps, logbook = ctx.deps, ctx.deps.log
    recent = None
    if logbook.recommendation is not None:  # a list shown earlier in this turn: #N refers to it
        recent = ([i.track.track_id for i in logbook.recommendation.tracks], 1)
    elif logbook.playlist_page is not None and logbook.playlist_page.entries:
        entries = logbook.playlist_page.entries
        recent = ([e.track_id for e in entries], entries[0].index)
    return Scope(deps.app, deps.caller, deps.group_id, deps.group_admin, deps.state, recent)


def failure(ctx: RunContext[AgentDeps], exc: MusicBotError) -> ToolFailure:
    """The tool result for a user mistake or a refusal (denials are logged and recorded for the runtime)."""
    if isinstance(exc, PermissionDenied):
        ctx.deps.log.denied.append(str(exc))
        log.info("permission denied for %s:%s (%s)", ctx.deps.caller.platform, ctx.deps.caller.user_id, exc.action)
        return ToolFailure(error=str(exc), denied=True)
    return ToolFailure(error=error_text(exc, ctx.deps.lang), suggestions=list(getattr(exc, "suggestions", []) or []))


def _card(i: int, item: Any) -> TrackCard:
    t: Track = item.track
    return TrackCard(
        ref=f"#{i}",
        track_id=t.track_id,
        title=t.title,
        artist=t.artist,
        year=t.shown_year,
        genre=t.shown_genre,
        energy=None if t.energy is None else round(t.energy, 2),
        valence=None if t.valence is None else round(t.valence, 2),
        danceability=None if t.danceability is None else round(t.danceability, 2),
        tempo=None if t.tempo is None else round(t.tempo),
        reason=item.reason,
    )


def tracks_result(ctx: RunContext[AgentDeps], rec: Recommendation, spec: LastRequest | None, note: str = "") -> TracksResult:
    """``rec`` as the model sees it (``#N`` cards); records the list, its items and ``spec`` in this turn's log."""
    logbook = ctx.deps.log
    for item in rec.tracks:
        logbook.items[item.track.track_id] = item
    logbook.recommendation = rec
    if spec is not None:
        logbook.spec = spec
    filters = rec.filters.model_dump(exclude_defaults=True, exclude={"limit"})
    gap = coverage_text(rec.coverage)  # what the catalog lacks goes first, whatever the model writes
    note = f"{gap} {note}".strip() if gap else note
    if not rec.tracks and not note:
        note = "No tracks matched; suggest loosening the filters."
    if rec.capped is not None:  # the reply must say so (adapters also render it from the recommendation)
        note = " ".join(x for x in (note, rec.capped.note(lang=rec.lang)) if x)
    return TracksResult(
        kind=rec.kind if rec.kind in ("text", "similar", "search", "playlist") else "text",
        summary=rec.summary,
        tracks=[_card(i, item) for i, item in enumerate(rec.tracks, 1)],
        target=dict(rec.target),
        filters=filters,
        note=note,
    )


def excluded_ids(ctx: RunContext[AgentDeps]) -> list[str]:
    """Track ids not to recommend again: shown earlier in the conversation or in this turn."""
    return [*ctx.deps.state.shown, *ctx.deps.log.items]


def recent_pages(ctx: RunContext[AgentDeps]) -> list[list[str]]:
    """The conversation's last recommendation pages (oldest first), for the artist cap across pages."""
    return list(ctx.deps.state.recent_pages)


def clamp_limit(limit: int | None) -> int:
    """A list length from the model, clamped to 1–:data:`~core.limits.MAX_TRACKS` (the default when missing or not a
    number)."""
    try:
        return min(max(int(limit or DEFAULT_TRACKS), 1), MAX_TRACKS)
    except (TypeError, ValueError):
        return DEFAULT_TRACKS


def count_cap(limit: Any) -> CountCap | None:
    """:class:`CountCap` when the model asked for more than :data:`~core.limits.MAX_TRACKS` tracks, else None."""
    try:
        requested = int(limit)
    except (TypeError, ValueError):
        return None
    return CountCap(requested=requested, limit=MAX_TRACKS) if requested > MAX_TRACKS else None


def with_cap(rec: Recommendation, limit: Any) -> Recommendation:
    """``rec`` marked as capped when the tool's ``limit`` was over the maximum (an already-set cap is kept)."""
    cap = rec.capped or count_cap(limit)
    return rec.model_copy(update={"capped": cap}) if cap != rec.capped else rec
