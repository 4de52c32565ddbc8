"""Turning the model's validated output into the reply, and the code-level guards around it: shared by the agent
runtime (:mod:`core.agent.runtime`, the LLM or the built-in model inside Pydantic AI) and the direct runner of the
built-in model (:mod:`core.agent.direct`), so both answer alike. Imports no ``pydantic_ai``.
"""

from __future__ import annotations

import logging
import re

from core.agent.config import AgentConfig
from core.agent.deps import AgentDeps
from core.agent.intents import REFUSE_ADMIN
from core.agent.output import AgentReply, Clarification
from core.agent.tools import ADMIN_TOOL_NAMES, CHANGE_TOOL_NAMES, TOOL_NAMES
from core.agent.local_model import CLARIFY_TOOL, REPLY_TOOL
from core.coverage import coverage_text
from core.models import ChatReply, Recommendation, RecommendedTrack
from core.session import same_song_ids

log = logging.getLogger("core.agent.runtime")

REFUSE_UNKNOWN = "Sorry, I can't do that."
REFUSE_NOTHING_CHANGED = "Sorry, I can't do that — nothing was changed."
#: Shapes of provider keys, scrubbed from replies even when not configured here (defence in depth).
_KEY_SHAPES = re.compile(r"\b(?:sk-[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{30,}|\d{8,10}:[A-Za-z0-9_\-]{35})\b")


class ReplyBuilder:
    """Builds, guards, scrubs and commits a turn's :class:`~core.models.ChatReply` (``self.config``: the agent
    configuration, for the secrets to scrub)."""

    config: AgentConfig

    async def _to_reply(self, deps: AgentDeps, output: AgentReply | Clarification, text: str) -> ChatReply:
        if isinstance(output, Clarification):
            return ChatReply(text=output.question, clarification=output.to_model())
        table = deps.tracks.table
        base = deps.log.recommendation
        picks = list(output.tracks)
        if picks and deps.log.playlist_page is not None and base is None:
            picks = []  # a playlist page was shown: it is rendered from the tool's data, not the model's picks
        if picks and (base is None or base.kind != "search"):
            # whatever the model picked: never a track this person disliked, never one shown earlier in this chat
            # (nor another version of one: same normalized title + first artist, :mod:`core.session`)
            blocked = set(same_song_ids(table, deps.state.shown)) | await deps.personal.disliked_ids(deps.caller)
            picks = [p for p in picks if p.track_id not in blocked]
        items: list[RecommendedTrack] = []
        for pick in picks:
            pos = table.pos.get(pick.track_id)
            if pos is None:  # deleted since validation
                continue
            known = deps.log.items.get(pick.track_id)
            reason = pick.reason or (known.reason if known else "") or "picked for your request"
            items.append(RecommendedTrack(track=table.track(pos), score=known.score if known else 0.0, reason=reason,
                                          reasons=list(known.reasons) if known and reason == known.reason else []))
        rec = None
        if items:
            target = output.target() or (dict(base.target) if base else {})
            filters = base.filters if base is not None else output.filters(len(items))
            rec = Recommendation(
                kind=base.kind if base is not None else "text",
                query=base.query if base is not None and base.query else text,
                tracks=items,
                target=target,
                filters=filters,
                summary=base.summary if base is not None else "",
                capped=base.capped if base is not None else None,
                coverage=list(base.coverage) if base is not None else [],
                anchor=base.anchor if base is not None else None,
                conflicts=list(base.conflicts) if base is not None else [],
                lang=base.lang if base is not None else deps.state.lang or "en",
            )
        track = deps.log.track if not items else None
        logbook = deps.log
        text = output.reply or (rec.summary if rec else "") or "Done."
        gap = coverage_text(base.coverage) if base is not None else ""
        if gap and not text.startswith(gap):  # the catalog's gap is the first line, whatever the model wrote
            text = f"{gap}\n{text}"
        return ChatReply(
            text=text,
            recommendation=rec,
            track=track,
            playlist=logbook.playlist_page if rec is None else None,
            playlists=list(logbook.playlists or []) if rec is None else [],
            export_text=logbook.export_text,
            preview_url=logbook.preview_url if track is not None else None,
        )

    def _guard(self, deps: AgentDeps, reply: ChatReply, calls: list[str], rejected: list[str] | None = None) -> ChatReply:
        """Code-level refusals: whatever the model wrote, a blocked action reads as a refusal.

        ``rejected``: tool calls sent back for bad arguments; a change (playlist, feedback) that was only ever
        rejected — never done — must not read as done, whatever the model claims.
        """
        unknown = [c for c in calls if c not in TOOL_NAMES and c not in (REPLY_TOOL, CLARIFY_TOOL)]
        admin_attempt = not deps.caller.is_admin and any(c in ADMIN_TOOL_NAMES for c in calls)
        if admin_attempt:
            log.info("refused catalog change for %s:%s", deps.caller.platform, deps.caller.user_id)
            return ChatReply(text=REFUSE_ADMIN, recommendation=reply.recommendation)
        if deps.log.denied:  # the service refused (catalog change, someone else's playlist): say so, plainly
            log.info("refused %d action(s) for %s:%s", len(deps.log.denied), deps.caller.platform, deps.caller.user_id)
            done = " ".join(deps.log.mutations)
            return ChatReply(text=f"{deps.log.denied[0]} {done}".strip(), recommendation=reply.recommendation)
        if unknown:
            log.info("refused unknown tool(s) %s", sorted(set(unknown))[:5])
            return ChatReply(text=REFUSE_UNKNOWN, recommendation=reply.recommendation)
        if not deps.log.changed and deps.log.failed_changes:  # nothing was done: say why, whatever the model wrote
            return ChatReply(text=deps.log.failed_changes[0], recommendation=reply.recommendation)
        if not deps.log.changed and any(c in CHANGE_TOOL_NAMES for c in rejected or ()):
            log.info("change tool call(s) rejected for bad arguments: %s", sorted(set(rejected or ()))[:5])
            return ChatReply(text=REFUSE_NOTHING_CHANGED, recommendation=reply.recommendation)
        return reply

    def _scrub(self, text: str) -> str:
        for secret in self.config.secrets():
            text = text.replace(secret, "***")
        return _KEY_SHAPES.sub("***", text)

    def _finish(self, reply: ChatReply, deps: AgentDeps) -> ChatReply:
        """Scrub secrets from every field of the reply (text, reasons, clarification, summaries, playlists)."""
        raw = reply.model_dump_json()
        clean = self._scrub(raw)
        if clean == raw:
            return reply
        scrubbed = ChatReply.model_validate_json(clean)
        # ``playlist`` / ``playlists`` are typed Any on ChatReply: rebuild them as their own models, scrubbed
        page = reply.playlist
        if page is not None and hasattr(page, "model_dump_json"):
            page = type(page).model_validate_json(self._scrub(page.model_dump_json()))
        items = [type(p).model_validate_json(self._scrub(p.model_dump_json())) if hasattr(p, "model_dump_json") else p
                 for p in reply.playlists]
        return scrubbed.model_copy(update={"playlist": page, "playlists": items})

    @staticmethod
    def _commit(deps: AgentDeps, reply: ChatReply) -> None:
        state = deps.state
        rec = reply.recommendation
        page = reply.playlist
        if rec is not None and rec.tracks:
            state.show_page([t.track.track_id for t in rec.tracks], [t.reason for t in rec.tracks], rec.kind != "search")
        elif page is not None and getattr(page, "entries", None):  # "#N" now means the playlist's track N
            state.show_page([e.track_id for e in page.entries], [], remember=False, first=page.entries[0].index)
        if deps.log.spec is not None and rec is not None and rec.kind != "search":
            state.last = deps.log.spec
        if deps.log.focus and (rec is None or not rec.tracks or deps.log.focus in state.last_page):
            state.focus = deps.log.focus  # a track pointed at in an older list is not "that one" of a new list
        state.turns += 1
