"""The chat use case: one chat message -> one :class:`~core.models.ChatReply` (slash commands directly, free text
through the agent), with the conversation memory and the agent it uses.

:class:`ChatService` is built by the composition root (:class:`core.engine.Engine`) over the application services
(:class:`core.app.services.AppServices`: track references, discovery, catalog admin, sessions, personal) and reached
by adapters as ``app.chat``. The conversation memory and the one-turn-at-a-time rule live in
:class:`core.app.session.Sessions`; this module keeps the agent configuration and runtime (:mod:`core.agent.runtime`,
built — and ``pydantic_ai`` imported — on the first free-text message).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING, Any

from core.catalog import normalize_text
from core.catalog_admin import ADMIN_COMMANDS, run_admin_command
from core.commands import LIST_REF, help_text, parse_command
from core.coverage import coverage_text, note_key, unsaid_notes
from core.conversation import (
    MORE_WORDS,
    ConversationState,
    LastRequest,
    check_conversation_id,
    default_group,
)
from core.errors import MusicBotError
from core.models import Caller, ChatReply, Filters, NeedsClarification, Recommendation
from core.link_refs import link_references, links_reply_text, with_notes
from core.references import MAX_TEXT, check_text
from core.error_words import error_text, invalid
from core.reply_words import localize_note, say
from core.reply_language import decide
from core.explain import localize

if TYPE_CHECKING:
    from core.agent.config import AgentConfig
    from core.agent.runtime import AgentRuntime
    from core.app.services import AppServices

log = logging.getLogger(__name__)
#: Serializes building the agent runtime between the event loop and a warm-up thread (:meth:`ChatService.prepare_agent`).
_AGENT_BUILD_LOCK = threading.Lock()


class ChatService:
    """The chat use case over the application services, and the agent configuration and runtime it uses (built on
    first use).

    Args:
        app: the application services (:class:`core.app.services.AppServices`) the commands and the agent's tools call.
    """

    def __init__(self, app: AppServices) -> None:
        self.app = app
        self._agent_config: AgentConfig | None = None
        self._agent_runtime: AgentRuntime | None = None

    async def chat(
        self,
        conversation_id: str,
        caller: Caller,
        text: str,
        *,
        group_id: str | None = None,
        group_admin: bool = False,
    ) -> ChatReply:
        """Answer one chat message: a slash command (see :mod:`core.commands`) or free text.

        Slash commands (``/recommend``, ``/similar``, ``/search``, ``/song``, ``/chart``, ``/more``, ``/reset``, ``/help``,
        ``/playlist …``, ``/playlists``, ``/like``, ``/dislike``, ``/preview``) and a bare "more" are answered
        directly (no agent, no ``pydantic_ai`` import). Free text goes to the agent (:mod:`core.agent.runtime`): the
        configured LLM, or the built-in local model. Conversation memory lives in SQLite (:mod:`core.conversation`),
        keyed by ``conversation_id``; turns of one conversation run one at a time.

        ``group_id`` is the playlist group (``telegram:<chat_id>``, ``discord:<guild_id>``, ``console:local``);
        None = derived from the conversation id (:func:`core.conversation.default_group` — Discord adapters must pass
        the guild). ``group_admin``: the platform says the caller administers that group (may rename/delete others'
        playlists). Both come from the adapter, never from the conversation.

        Never raises for user mistakes: :class:`MusicBotError` becomes a friendly ``ChatReply.text``; an unexpected
        failure is logged and answered with a short apology.
        """
        try:
            cid = check_conversation_id(conversation_id)
        except MusicBotError as exc:
            return ChatReply(text=str(exc))
        try:
            text = check_text(text, "message")
            group = str(group_id).strip() if group_id else default_group(cid, caller)
        except MusicBotError as exc:  # an empty or too long message: said in its language, else the conversation's
            lang = await self.reply_language(cid, text)
            return ChatReply(text=error_text(exc, lang), lang=lang)
        async with self.app.sessions.conversation_turn(cid):  # one turn at a time, across workers too
            store = await self.app.sessions.conversation_store()
            state = await store.load_state(cid)
            turns = _DeferredTurns(store)  # the agent's history is written with the state, in one unit of work
            lang = "en"
            try:
                cmd = parse_command(text)
                # the reply's language, per message: its own words, else the conversation's (core.reply_language)
                lang, keep = decide(text if not cmd.name else cmd.args if cmd.name == "recommend" else "", state.lang)
                state.lang = keep or state.lang
                lang = lang or "en"
                await self.app.tracks.follow_short_links(text)
                if cmd.name in ("help", "start"):
                    return ChatReply(text=help_text(lang=lang), lang=lang)
                if cmd.name == "reset":
                    await store.reset(cid)
                    return ChatReply(text=say("cleared", lang), lang=lang)
                if cmd.name == "song":
                    found = self.app.tracks.resolve_ref(_list_ref(state, check_text(cmd.args, "song reference")))
                    track = self.app.tracks.table.track(found.pos)
                    state.focus = track.track_id
                    reply = ChatReply(text="\n".join(filter(None, [localize_note(found.note, lang),
                                                                   f"{track.title} - {track.artist}"])), track=track)
                elif cmd.name == "chart":
                    from core.chart_replies import chart_command

                    reply = await chart_command(self.app.discovery, state, _list_ref(state, cmd.args.strip()) if cmd.args.strip() else "")
                elif cmd.name == "search":
                    rec = await self.app.discovery.search(cmd.args)
                    reply = _reply(state, localize(rec, lang), empty=say("no search match", lang, q=cmd.args))
                elif cmd.name == "similar":
                    refs = self.app.tracks.split_refs(cmd.args)
                    if not refs:
                        raise invalid("give a song")
                    found = [self.app.tracks.resolve_ref(_list_ref(state, r)) for r in refs[:25]]
                    ids = list(dict.fromkeys(self.app.tracks.table.ids[f.pos] for f in found))
                    spec = LastRequest(kind="similar", refs=ids).keeping_exclusions(state.last, state.last_list())
                    reply = await _run_last(self.app, state, caller, spec, first=True, lang=lang)
                    reply = with_notes(reply, [localize_note(f.note, lang) for f in found if f.note])
                elif cmd.name == "more" or (cmd.name == "" and normalize_text(text) in MORE_WORDS):
                    reply = await _more(self.app, state, caller, lang)
                elif cmd.name == "recommend":
                    request = check_text(cmd.args, "request")
                    reply = await _run_last(self.app, state, caller, LastRequest(kind="text", request=request), first=True,
                                            lang=lang)
                elif cmd.name in ADMIN_COMMANDS:  # the console's /addsong …: same parser and checks as every surface
                    change = await run_admin_command(self.app.admin, caller, cmd.name, cmd.args, list_ref=_async_ref(state))
                    reply = ChatReply(text=change.message(lang),
                                      track=change.track if change.action != "deleted" else None)
                elif cmd.name in ("playlist", "playlists", "like", "dislike", "preview"):
                    reply = await _group_command(self.app, state, caller, group, group_admin, cmd.name, cmd.args)
                elif cmd.name == "":  # free text: pasted links first, then the agent (LLM or local model)
                    from core.chart_requests import chart_request

                    links = link_references(self.app.tracks, text)
                    chart_ref = None if links.only_links else chart_request(self.app.tracks, text, state)
                    if chart_ref is not None:  # "chart of #2", "show me a picture": as /chart, on every adapter
                        from core.chart_replies import chart_command

                        reply = await chart_command(self.app.discovery, state,
                                                    _list_ref(state, chart_ref) if chart_ref else "")
                    elif links.only_links:
                        reply = await _links_reply(self.app, state, caller, links, lang)
                    else:
                        reply = await self.agent_runtime.chat_turn(
                            self.app, turns, cid, caller, links.text, state, group_id=group, group_admin=group_admin
                        )
                        if links.missing or links.others:  # links that were not used: said first
                            reply = with_notes(reply, links.notes(lang, used=False))
                else:
                    return ChatReply(text=say("unknown command", lang, name=cmd.name) + "\n" + help_text(lang=lang),
                                     lang=lang)
            except MusicBotError as exc:
                await self.app.sessions.save_turn(cid, None, turns.pending)  # a finished agent turn is kept
                return ChatReply(text=error_text(exc, lang), lang=lang)
            except Exception:  # never crash an adapter: log with traceback, answer briefly
                log.exception("chat turn failed (conversation %s)", cid)
                await self.app.sessions.save_turn(cid, None, turns.pending)
                return ChatReply(text=say("sorry", lang), lang=lang)
            reply = _gaps_once(state, reply, text)
            await self.app.sessions.save_turn(cid, state, turns.pending)
            return reply.model_copy(update={"lang": lang}) if reply.lang != lang else reply

    async def reply_language(self, conversation_id: str, text: str = "") -> str:
        """The language to word a message that is not answered by :meth:`chat` in — a refused one (empty, too long,
        over the flood limit) or a button press (``text`` ""): :func:`core.reply_language.decide` on its first
        :data:`core.references.MAX_TEXT` characters with the conversation's stored language (read only, nothing is
        saved). ``"en" | "es" | "pt" | "fr" | "de"``; English when the conversation cannot be read. Never raises."""
        try:
            cid = check_conversation_id(conversation_id)
            state = await (await self.app.sessions.conversation_store()).load_state(cid)
            return decide(str(text or "")[:MAX_TEXT], state.lang)[0] or "en"
        except Exception:  # noqa: BLE001 - a refusal is still answered, in English
            log.warning("could not read the language of conversation %s", cid, exc_info=True)
            return "en"

    def configure_agent(self, config: AgentConfig | None) -> None:
        """Use this :class:`core.agent.config.AgentConfig` (model, keys, timeouts) for free-text turns.

        Cheap: the agent itself (and ``pydantic_ai``) is built on the first free-text message. ``bot.app`` should
        call ``engine.app.chat.configure_agent(settings.agent_config())`` after opening the engine; without it the
        built-in local model answers.
        """
        self._agent_config = config
        self._agent_runtime = None

    @property
    def agent_runtime(self) -> AgentRuntime:
        """The runtime answering free text (built on first use, or ahead of it by :meth:`prepare_agent`): with an LLM
        configured the :class:`core.agent.runtime.AgentRuntime` (imports ``pydantic_ai``), offline the built-in
        model's :class:`core.agent.direct.DirectRuntime` (same decisions, tools and replies, no agent framework).
        Thread-safe: a message arriving while a warm-up thread builds it waits for that one."""
        if self._agent_runtime is None:
            with _AGENT_BUILD_LOCK:
                if self._agent_runtime is None:
                    if self._agent_config is None or not self._agent_config.uses_llm:
                        # offline: the built-in model's same decisions and tools, without pydantic_ai
                        from core.agent.direct import DirectRuntime

                        self._agent_runtime = DirectRuntime(self._agent_config)  # type: ignore[assignment]
                    else:
                        from core.agent.runtime import AgentRuntime

                        self._agent_runtime = AgentRuntime(self._agent_config)
        return self._agent_runtime

    def prepare_lists(self) -> None:
        """Build now what the first recommendation of a long-running process would otherwise build (each once per
        catalog version): the local text understanding, the artist graph, the catalog coverage. (Other versions of a
        song come from the table's own index, :attr:`core.table.TrackTable.key_tracks`: nothing to build.) Runs on the event loop (they read the catalog table, which only the loop changes)."""
        _ = self.app.discovery.text
        _ = self.app.discovery.recommender.graph
        self.app.discovery.coverage.prepare()

    def prepare_agent(self) -> None:
        """Build the agent runtime and do its one-time first-turn work now (~1 s: importing ``pydantic_ai``, pydantic
        schemas), so the first free-text message of a running chat or bot is answered at the speed of later ones.
        Blocking and thread-safe: long-running adapters call it in a background thread (:meth:`warm_up`)."""
        import core.chart_requests  # noqa: F401 - every free-text turn asks whether it is a chart request
        import core.feedback  # noqa: F401 - what the local model's first turn imports (playlist names, dislikes)
        import core.playlists  # noqa: F401

        self.agent_runtime.warm()

    async def warm_up(self) -> None:
        """Prepare what a running chat needs before its first message: the local text understanding (fitted here, on
        the event loop, where the catalog table is only ever changed) and the agent (:meth:`prepare_agent`, in a
        worker thread so the loop keeps serving). Never raises: a failure is logged and the work happens on first use
        instead."""
        try:
            self.prepare_lists()
            # the stores' first queries import SQLAlchemy and the driver, open a pooled connection and build their
            # statements: do it now (reads, and a lease taken and given back), not on the first message
            store = await self.app.sessions.conversation_store()
            async with self.app.sessions.conversation_turn("warm:up"):
                await store.load_state("warm:up")
            await self.app.feedback.disliked_ids("warm:up")
            await (await self.app.sessions.button_store()).get("warm-up")
            _ = self.app.playlists  # the local model looks the group's playlist names up on every turn
            await asyncio.to_thread(self.prepare_agent)
        except Exception:  # noqa: BLE001 - a warm-up must never take a chat down
            log.warning("warm-up failed; the first free-text message will prepare the agent", exc_info=True)


class _DeferredTurns:
    """The conversation store as the agent runtime sees it during a turn: reads go to the store, the new message
    history (``append_turn``) is kept in :attr:`pending` until :meth:`core.app.session.Sessions.save_turn` writes it
    together with the follow-up state (one unit of work, after the model has answered — no transaction is held open
    while an LLM thinks)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.pending: list[tuple[str | bytes, int]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def append_turn(self, conversation_id: str, messages_json: str | bytes, keep: int) -> None:
        """Keep the turn for :meth:`~core.app.session.Sessions.save_turn`."""
        self.pending.append((messages_json, keep))


async def _links_reply(app: AppServices, state: ConversationState, caller: Caller, links: Any,
                       lang: str = "en") -> ChatReply:
    """A message that is only pasted links: similar tracks to the catalog's track links among them (several
    links = several references), saying first which links were not used and why."""
    if not links.positions:
        return ChatReply(text=links_reply_text(links, lang))
    ids = [app.tracks.table.ids[p] for p in links.positions]
    reply = await _run_last(app, state, caller, LastRequest(kind="similar", refs=ids), first=True, lang=lang)
    return with_notes(reply, links.notes(lang))


def _gaps_once(state: ConversationState, reply: ChatReply, text: str) -> ChatReply:
    """``reply`` without the coverage notes (and their first line) this conversation's current request already
    said, unless ``text`` asks for that again (:func:`core.coverage.unsaid_notes`); records what the reply's list
    says. A list without notes starts a new request (nothing said yet); a reply without a list changes nothing."""
    rec = reply.recommendation
    if rec is None:
        return reply
    said, notes = list(state.said_gaps), list(rec.coverage)
    state.said_gaps = [note_key(n) for n in notes]
    kept = unsaid_notes(notes, said, text) if notes and said else notes
    if len(kept) == len(notes):
        return reply
    old, new = coverage_text(notes), coverage_text(kept)
    body = reply.text[len(old):].lstrip("\n") if old and reply.text.startswith(old) else reply.text
    return reply.model_copy(update={"text": f"{new}\n{body}" if new and body else new or body,
                                    "recommendation": rec.model_copy(update={"coverage": kept})})


def _reply(state: ConversationState, rec: Recommendation, empty: str = "") -> ChatReply:
    """A list reply; records what was shown (``#N`` numbering, no repeats) in the conversation ``state``."""
    gap = coverage_text(rec.coverage)  # what the catalog lacks is the first line of the reply
    if not rec.tracks:
        return ChatReply(text=gap or empty or say("no match", rec.lang), recommendation=rec)
    state.show_page([t.track.track_id for t in rec.tracks], [t.reason for t in rec.tracks], rec.kind != "search")
    text = rec.summary or say("n tracks", rec.lang, n=len(rec.tracks))
    return ChatReply(text=f"{gap}\n{text}" if gap else text, recommendation=rec)


async def _run_last(
    app: AppServices, state: ConversationState, caller: Caller, spec: Any, first: bool = False, lang: str = "en",
    next_page: bool = False,
) -> ChatReply:
    """Run (or replay) a :class:`core.conversation.LastRequest` directly, excluding what was already shown; the
    reply in ``lang`` (the turn's, :mod:`core.reply_language`; ``next_page``: "Más canciones — …")."""
    from core.agent.specs import run_request

    result, ran = await run_request(
        app.personal, spec, state.shown, merge=Filters() if first else None, caller=caller, recent=state.recent_pages,
        lang=lang,
    )
    if isinstance(result, NeedsClarification):
        return ChatReply(text=result.question, clarification=result)
    if next_page and lang != "en" and result.tracks:
        from core.agent.followup_replies import followup_summary

        result = result.model_copy(update={"summary": followup_summary(result.summary, lang, next_page=True)})
    state.last = ran
    if first:
        return _reply(state, result)
    from core.agent.followup_replies import EVERYTHING

    return _reply(state, result, empty=EVERYTHING.get(lang, "That's all I have for this request."))


async def _more(app: AppServices, state: ConversationState, caller: Caller | None = None,
                lang: str = "en") -> ChatReply:
    """The next page of the conversation's last request (nothing already shown is repeated), in ``lang``."""
    if state.last is None:
        from core.agent.followup_replies import NOTHING_YET

        return ChatReply(text=NOTHING_YET.get(lang, "Ask for something first, e.g. /recommend chill study music."))
    return await _run_last(app, state, caller or Caller(), state.last, lang=lang, next_page=True)


def _async_ref(state: ConversationState) -> Any:
    """:func:`_list_ref` for ``state`` as the awaitable resolver :func:`core.catalog_admin.run_admin_command` takes."""

    async def resolve(ref: str) -> str:
        return _list_ref(state, ref)

    return resolve


def _list_ref(state: ConversationState, ref: str) -> str:
    """``#N`` -> the track id of item N of the last list shown in this conversation; other references unchanged.

    Raises:
        InvalidInput: ``#N`` with no such item.
    """
    m = LIST_REF.match(ref)
    if not m:
        return ref
    track_id = state.page_ref(int(m.group(1)))
    if track_id is None:
        raise invalid("no item", "ref", n=m.group(1))
    return track_id


async def _group_command(
    app: AppServices, state: ConversationState, caller: Caller, group_id: str, group_admin: bool, name: str, args: str
) -> ChatReply:
    """``/playlist …``, ``/playlists``, ``/like``, ``/dislike``, ``/preview`` (see :mod:`core.agent.playlist_ops`;
    the playlist service enforces who may rename/delete/remove)."""
    from core.agent import playlist_ops as ops

    scope = ops.Scope(app, caller, group_id, group_admin, state)
    if name == "playlists":
        return await ops.playlists_reply(scope)
    if name in ("like", "dislike", "preview"):
        return await ops.feedback_command(scope, name, args)
    sub, _, rest = args.strip().partition(" ")
    if sub.lower() in ("recommend", "rec", "suggest"):
        if not rest.strip():
            raise invalid("pl which rec", "playlist")
        rec, spec = await ops.recommend(scope, rest.strip(), exclude_ids=state.shown)
        state.last = spec
        return _reply(state, rec, empty=say("pl nothing new", scope.lang))
    return await ops.playlist_command(scope, args)
