"""Telegram update handlers: parse the update -> call the engine -> render -> send. No business logic here.

Every handler is a method of :class:`BotHandlers`, which holds the engine and the adapter's own state (button store,
flood policies, group-admin cache); the playlist commands live in :mod:`adapters.telegram.playlists`. The list on screen
(``#3``, ``/more``, "more like #3" in free text) is the engine's: every list-producing call passes the chat's
conversation id (``telegram:<chat_id>``) and the engine records the list in the conversation's database state.
Recommendations go through the engine's ``*_for`` methods with the caller (a user's dislikes are never shown to
them again, their likes shape the order), and list replies carry preview links found within a small time budget.
Engine errors the user can fix (:class:`~core.errors.MusicBotError`) become a friendly reply via :func:`friendly`;
anything else reaches :meth:`BotHandlers.on_error` (one handler, logs the traceback, apologises, the bot keeps
running).
Floods: :meth:`BotHandlers.flood_gate` runs before every other handler and asks the core limiter
(:mod:`core.ratelimit`, state in the catalog database) for every command and button press (free text for the agent
has its own bucket, checked in :meth:`BotHandlers.free_text`); a flooding user gets one short notice, then silence. A Telegram rate limit (429 ``RetryAfter``) is never answered
with an apology (:meth:`BotHandlers.on_error`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from adapters.telegram import render
from adapters.telegram.keyboards import (
    ADD_PICK,
    DISLIKE,
    LIKE,
    MORE_LIKE,
    NEXT_PAGE,
    PICK_MODES,
    SharedPages,
    ExtraRows,
    PageState,
    as_int,
    callback_parts,
    list_keyboard,
    parse_callback,
    playlist_picker,
    song_keyboard,
    track_picker,
)
from adapters.telegram.inline import inline_results
from adapters.telegram.ratelimit import retry_after_s
from core import policy
from core.commands import number_refs, parse_command
from core.conversation import LastRequest
from core.app.services import AppServices
from core.errors import MusicBotError, SongNotFound
from core.catalog_admin import run_admin_command
from core.limits import MAX_TRACKS
from core.models import Caller, ChatReply, NeedsClarification, Recommendation, Track
from core.reply_words import localize_note, say
from core.ratelimit import CHAT, COMMANDS, RatePolicy, Verdict

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
#: Optional override of the /preview lookup (default: ``services.personal.preview``): an MP3 URL or None.
PreviewLookup = Callable[[Track], Awaitable[str | None]]

PAGE_SIZE = 10
MAX_SEARCH = MAX_TRACKS
#: Seconds a reply may wait for its tracks' preview links (lookups still running go on and fill the cache).
PREVIEW_BUDGET_S = 2.0
#: Seconds a group-admin answer (getChatMember) is reused. A per-process cache on purpose, not shared state: the
#: truth is Telegram's member list, which no worker owns or writes, so a database copy would be just as stale (and
#: cost a write per check). Each worker asks Telegram at most once per chat member per period; the only effect of
#: the cache is that a demotion or promotion reaches a worker's answer up to this many seconds late, the same bound
#: with one worker or ten. Only positive and negative answers from Telegram are kept; an API failure is not cached.
ADMIN_CACHE_S = 60.0
#: The English of the adapter's own lines (each said in the chat's language: :data:`core.reply_words.REPLY_WORDS`).
GONE, APOLOGY, EXPIRED, END_OF_LIST = say("gone"), say("apology"), say("expired"), say("end of list")
_LAST_LISTS = 10000


def friendly(handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Turn a :class:`MusicBotError` raised by the engine into a friendly reply in the same chat."""

    @functools.wraps(handler)
    async def wrapper(self: BotHandlers, update: Update, context: Context) -> None:
        try:
            await handler(self, update, context)
        except MusicBotError as exc:
            chat = update.effective_chat
            if chat is not None:  # said in the conversation's language
                text = [render.render_error(exc, await self.lang(chat.id))]
                await self.send(context, chat.id, text, reply_to=update.effective_message)

    return wrapper


class BotHandlers:
    """All handlers, sharing the application services and the adapter state.

    Args:
        services: the application services (:class:`core.app.services.AppServices`).
        caller_for: Telegram user id -> :class:`Caller` (role from settings, never from the chat).
        store: button states in the database (:class:`~adapters.telegram.keyboards.SharedPages`).
        commands_policy: per-user bucket for every command and button press (:mod:`core.ratelimit`).
        chat_policy: per-user bucket for free text that goes to the agent (an LLM call each).
        preview_lookup: optional override of the /preview lookup (default: ``services.personal.preview``, i.e. Spotify ->
            Deezer -> iTunes with the SQLite cache).
        extra_rows: optional extra keyboard rows under every list.
        preview_budget_s: how long a reply may wait for preview links (0 = no preview links in lists).
    """

    def __init__(
        self,
        services: AppServices,
        caller_for: Callable[[int | str], Caller],
        store: SharedPages,
        commands_policy: RatePolicy = COMMANDS,
        chat_policy: RatePolicy = CHAT,
        preview_lookup: PreviewLookup | None = None,
        extra_rows: Sequence[ExtraRows] = (),
        preview_budget_s: float = PREVIEW_BUDGET_S,
    ) -> None:
        self.services = services
        self.caller_for = caller_for
        self.store = store
        self.commands_policy = commands_policy
        #: Command names the bot answers (set by ``build_app``); in groups only these count as requests.
        self.command_names: set[str] = set()
        self.chat_policy = chat_policy
        self.preview_lookup = preview_lookup
        self.extra_rows = list(extra_rows)
        self.preview_budget_s = preview_budget_s
        self._admin_cache: OrderedDict[tuple[int, int], tuple[float, bool]] = OrderedDict()

    # ------------------------------------------------------------------------------------------ helpers
    def caller(self, update: Update) -> Caller:
        """The caller of an update (anonymous group admins and channels are plain users)."""
        user = update.effective_user
        return self.caller_for(user.id if user else "unknown")

    @staticmethod
    def conversation_id(chat_id: int) -> str:
        """``telegram:<chat_id>`` (in private chats the chat id is the user id)."""
        return f"telegram:{chat_id}"

    @staticmethod
    def group_id(chat_id: int) -> str:
        """The playlist group of a chat: ``telegram:<chat_id>`` (a private chat's playlists belong to that user)."""
        return f"telegram:{chat_id}"

    async def is_group_admin(self, context: Context, update: Update) -> bool:
        """True when the sender administers the chat (Telegram creator/administrator via ``getChatMember``).

        A private chat belongs to its user (True). A message sent anonymously on behalf of the group comes from an
        admin (only admins can). Answers are cached for :data:`ADMIN_CACHE_S`; an API failure counts as "not admin".
        """
        chat, user = update.effective_chat, update.effective_user
        if chat is None:
            return False
        if chat.type == ChatType.PRIVATE:
            return True
        message = update.effective_message
        if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True
        if user is None:
            return False
        key, now = (chat.id, user.id), time.monotonic()
        hit = self._admin_cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
            admin = member.status in ("administrator", "creator")
        except TelegramError as exc:
            log.info("getChatMember failed for chat %s: %s", chat.id, exc)
            return False
        self._admin_cache[key] = (now + ADMIN_CACHE_S, admin)
        while len(self._admin_cache) > _LAST_LISTS:
            self._admin_cache.popitem(last=False)
        return admin

    async def resolve_number(self, chat_id: int, ref: str) -> str:
        """``#n`` -> the id of track n of the list on screen in this chat (the engine's record of the conversation);
        any other reference is returned as is.

        Raises:
            InvalidInput: ``#n`` without a list shown, or a number that is not on it.
        """
        return await self.services.sessions.list_ref(self.conversation_id(chat_id), ref)

    async def split_song_refs(self, chat_id: int, text: str) -> list[str]:
        """Song references from command text (``a; b | c``, or ``#1 #3``), with ``#n`` resolved (see above)."""
        refs = number_refs(text) or self.services.tracks.split_refs(text)
        return [await self.resolve_number(chat_id, r) for r in refs]

    async def preview_links(self, track_ids: Sequence[str]) -> dict[str, str | None]:
        """Preview URLs for a reply's tracks, best effort within :attr:`preview_budget_s` (never raises)."""
        if self.preview_budget_s <= 0 or not track_ids:
            return {}
        try:
            async with asyncio.timeout(self.preview_budget_s + 0.5):
                return await self.services.personal.preview_urls(list(track_ids), budget_s=self.preview_budget_s)
        except Exception:  # a preview link must never fail a reply (TimeoutError included)
            log.warning("preview links failed", exc_info=True)
            return {}

    @staticmethod
    def args(update: Update) -> str:
        """Everything after ``/command[@bot]`` in the message."""
        msg = update.effective_message
        return parse_command(msg.text or msg.caption or "").args if msg else ""

    async def send(
        self,
        context: Context,
        chat_id: int,
        messages: Sequence[str],
        keyboard: InlineKeyboardMarkup | None = None,
        reply_to: Message | None = None,
        preview_url: str | None = None,
    ) -> list[Message]:
        """Send HTML messages in order; the keyboard goes on the last one, the reply quote on the first (groups).

        Link previews are off unless ``preview_url`` is given.
        """
        sent: list[Message] = []
        quote = reply_to is not None and reply_to.chat.type != ChatType.PRIVATE
        # safety net: anything still over the limit is split on its lines (every line is valid HTML by itself)
        messages = [part for m in messages for part in (render.split_html([m]) if render.tg_len(m) > render.MAX_MESSAGE else [m])]
        for i, text in enumerate(messages):
            sent.append(
                await context.bot.send_message(
                    chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard if i == len(messages) - 1 else None,
                    reply_parameters=(
                        ReplyParameters(reply_to.message_id, allow_sending_without_reply=True) if quote and i == 0 else None
                    ),
                    link_preview_options=(
                        LinkPreviewOptions(url=preview_url) if preview_url and i == 0 else LinkPreviewOptions(is_disabled=True)
                    ),
                )
            )
        return sent

    async def remember(self, chat_id: int, state: PageState) -> str:
        """Store a list's state for its buttons ("Next page", "More like #n", pickers) in the database (every
        worker answers its buttons); returns its key."""
        return await self.store.put(state)

    async def send_list(
        self,
        context: Context,
        chat_id: int,
        rec: Recommendation,
        *,
        header: str | None = None,
        before: Sequence[str] = (),
        start: int = 1,
        shown: Sequence[str] = (),
        reply_to: Message | None = None,
        edit: Any = None,
        playlist: tuple[str, int] | None = None,
        chat: bool = False,
    ) -> None:
        """Render a recommendation page with its keyboard and send it (or edit ``edit``, a CallbackQuery).

        ``playlist`` = ``(group, playlist id)`` for recommendations from a playlist (so "Next page" can continue);
        ``chat``: the list came from the conversation (free text, ``/more``): "Next page" is the engine's ``/more``.
        Preview links are added when found within the budget.
        """
        if not rec.tracks:
            await self.send(context, chat_id, render.render_recommendation(rec), reply_to=reply_to)
            return
        state = PageState.from_recommendation(rec, start=start, shown=shown)
        if playlist is not None:
            state.group, state.playlist_id = playlist
        state.chat = chat
        state.has_next = state.has_next and len(state.track_ids) >= PAGE_SIZE
        if rec.kind == "search":
            state.has_next = state.has_next and len(state.shown) < MAX_SEARCH
        if rec.kind == "playlist":
            state.has_next = state.has_next and state.playlist_id is not None
        key = await self.remember(chat_id, state)
        keyboard = list_keyboard(key, state, self.extra_rows)
        previews = await self.preview_links(state.track_ids)
        messages = render.split_html([*before, *render.recommendation_blocks(rec, start, header, previews)])
        if edit is not None and len(messages) == 1:
            try:
                await edit.edit_message_text(
                    messages[0], parse_mode=ParseMode.HTML, reply_markup=keyboard,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                return
            except BadRequest as exc:  # message too old / deleted / not modified: send a fresh one
                log.info("edit failed (%s); sending a new message", exc.message)
        await self.send(context, chat_id, messages, keyboard, reply_to=reply_to)

    async def next_page(self, chat_id: int, state: PageState, caller: Caller) -> Recommendation:
        """The page after ``state`` (nothing shown in this chat repeats; never ``caller``'s dislikes), recorded by
        the engine as the chat's list on screen."""
        cid, first = self.conversation_id(chat_id), state.start + len(state.track_ids)
        if state.kind == "search":
            offset = len(state.shown)
            return await self.services.sessions.show_search(cid, state.query, min(PAGE_SIZE, MAX_SEARCH - offset), offset=offset, first=first)
        if state.kind == "similar":
            return await self.services.personal.recommend_similar_for(
                caller, state.refs or [state.query], filters=state.filters, exclude_ids=state.shown,
                conversation_id=cid, first=first,
            )
        if state.kind == "playlist" and state.playlist_id is not None:
            spec = LastRequest(kind="playlist", group=state.group, playlist=f"#{state.playlist_id}")
            result = await self.services.sessions.show_request(cid, caller, spec, exclude_ids=state.shown, first=first)
            return result if isinstance(result, Recommendation) else Recommendation(kind="playlist", query=state.query)
        result = await self.services.personal.recommend_text_for(
            caller, state.query, filters=state.filters, exclude_ids=state.shown, conversation_id=cid, first=first
        )
        if isinstance(result, NeedsClarification):
            return Recommendation(kind="text", query=state.query)
        return result

    async def expired(self, update: Update) -> str:
        """"This button has expired …" in the chat's conversation language."""
        chat = update.effective_chat
        return say("expired", await self.lang(chat.id) if chat is not None else "en")

    async def lang(self, chat_id: int | str) -> str:
        """The chat's conversation language (:meth:`core.chat.ChatService.reply_language`; English when undecided):
        what the adapter's own lines (errors, expired buttons, previews, admin changes) are worded in."""
        return await self.services.chat.reply_language(self.conversation_id(chat_id))

    # ------------------------------------------------------------------------------------------ user commands
    async def start(self, update: Update, context: Context) -> None:
        """/start and /help."""
        is_admin = self.caller(update).is_admin
        await self.send(context, update.effective_chat.id, [render.render_help(is_admin, context.bot.username or "")])

    @friendly
    async def recommend(self, update: Update, context: Context) -> None:
        """/recommend TEXT — local text understanding, no LLM."""
        text = self.args(update)
        cid = self.conversation_id(update.effective_chat.id)
        if not text:
            lang = await self.services.chat.reply_language(cid)
            await self.send(context, update.effective_chat.id, [render.esc(say("tell me what", lang))])
            return
        result = await self.services.personal.recommend_text_for(self.caller(update), text, conversation_id=cid)
        if isinstance(result, NeedsClarification):
            await self.send(context, update.effective_chat.id, render.render_clarification(result), reply_to=update.effective_message)
            return
        await self.send_list(context, update.effective_chat.id, result, header=f"🎧 {render.clip(text, 200)}", reply_to=update.effective_message)

    @friendly
    async def similar(self, update: Update, context: Context) -> None:
        """/similar REF[; REF...]."""
        chat_id = update.effective_chat.id
        refs = await self.split_song_refs(chat_id, self.args(update))
        rec = await self.services.personal.recommend_similar_for(self.caller(update), refs, conversation_id=self.conversation_id(chat_id))
        await self.send_list(context, update.effective_chat.id, rec, header=render.clip(rec.summary, 300), reply_to=update.effective_message)

    @friendly
    async def search(self, update: Update, context: Context) -> None:
        """/search QUERY."""
        rec = await self.services.sessions.show_search(self.conversation_id(update.effective_chat.id), self.args(update), PAGE_SIZE)
        await self.send_list(context, update.effective_chat.id, rec, header=f"🔎 {render.clip(rec.query, 200)}", reply_to=update.effective_message)

    @friendly
    async def song(self, update: Update, context: Context) -> None:
        """/song REF — details and audio features (with its preview link), and More like this / 👍 / 👎 / ➕."""
        chat_id = update.effective_chat.id
        track, note = await self.services.sessions.show_track(self.conversation_id(chat_id), self.args(update))
        lang = await self.lang(chat_id)
        state = PageState(kind="song", query=track.track_id, track_ids=[track.track_id], shown=[track.track_id], has_next=False,
                          lang=lang)
        key = await self.store.put(state)
        previews = await self.preview_links([track.track_id])
        note = localize_note(note, lang)
        blocks = ([f"<i>{render.esc(note)}</i>"] if note else []) + render.render_track(track, previews.get(track.track_id), lang)
        await self.send(context, chat_id, render.split_html(blocks), song_keyboard(key, state), reply_to=update.effective_message)

    @friendly
    async def preview(self, update: Update, context: Context) -> None:
        """/preview REF — the 30-second preview (Spotify -> Deezer -> iTunes, via ``services.personal.preview``), sent as audio
        with a link fallback; when none exists, a friendly "no preview" with the Spotify links."""
        chat_id = update.effective_chat.id
        ref = await self.resolve_number(chat_id, self.args(update))
        audio, source = None, None
        if self.preview_lookup is not None:
            track = await self.services.tracks.get_track(ref)
            try:
                audio = await self.preview_lookup(track)
            except Exception:  # a preview is best effort: never fail the reply for it
                log.warning("preview lookup failed for %s", track.track_id, exc_info=True)
        else:
            found = await self.services.personal.preview(ref)  # only a bad reference raises; the lookup itself never does
            track, audio, source = found.track, found.preview_url, found.source
        audio = render.safe_link(audio)
        lang = await self.lang(chat_id)
        if audio:
            with contextlib.suppress(TelegramError):  # Telegram could not fetch it: the link below instead
                await context.bot.send_audio(chat_id, audio, caption=render.preview_caption(track, audio, source, lang), parse_mode=ParseMode.HTML,
                                             title=render.clip(track.title, 64), performer=render.clip(track.artist, 64))
                return
            log.info("send_audio failed for %s; sending the link", track.track_id)
        await self.send(context, chat_id, [render.render_preview(track, audio, source, lang)], reply_to=update.effective_message, preview_url=track.spotify_url)

    @friendly
    async def like(self, update: Update, context: Context) -> None:
        """/like REF (or #n of the last list) — later recommendations for this user lean towards it."""
        await self._feedback(update, context, "like")

    @friendly
    async def dislike(self, update: Update, context: Context) -> None:
        """/dislike REF (or #n) — never recommended to this user again."""
        await self._feedback(update, context, "dislike")

    async def _feedback(self, update: Update, context: Context, value: str) -> None:
        chat_id = update.effective_chat.id
        args = self.args(update)
        lang = await self.services.chat.reply_language(self.conversation_id(chat_id))
        if not args:
            await self.send(context, chat_id, [render.esc(say("which song here", lang, command=value))])
            return
        ref = await self.resolve_number(chat_id, args)
        caller = self.caller(update)
        result = await (self.services.personal.like(caller, ref) if value == "like" else self.services.personal.dislike(caller, ref))
        await self.send(context, chat_id, [render.render_feedback(result, lang)], reply_to=update.effective_message)

    @friendly
    async def more(self, update: Update, context: Context) -> None:
        """/more — the next page of the chat's last request (the engine's ``/more``: whichever command, button or
        message made it)."""
        chat_id = update.effective_chat.id
        reply = await self.services.chat.chat(self.conversation_id(chat_id), self.caller(update), "/more")
        await self.send_chat_reply(context, chat_id, reply, reply_to=update.effective_message)

    async def reset(self, update: Update, context: Context) -> None:
        """/reset — forget the chat's conversation (its list on screen included)."""
        chat_id = update.effective_chat.id
        reply = await self.services.chat.chat(self.conversation_id(chat_id), self.caller(update), "/reset")
        await self.send(context, chat_id, [render.esc(reply.text or "Conversation cleared.")])

    # ------------------------------------------------------------------------------------------ admin commands
    async def _admin(self, update: Update, context: Context, command: str) -> None:
        """Run a registry admin command through :func:`core.catalog_admin.run_admin_command` (permission, the one
        ``field=value`` parser, ``#n`` of this chat's list, the engine's checks); reply with the saved track."""
        chat_id = update.effective_chat.id
        change = await run_admin_command(
            self.services.admin, self.caller(update), command, self.args(update),
            list_ref=lambda ref: self.resolve_number(chat_id, ref),
        )
        await self.send(context, chat_id, [render.render_saved(change.track, change.action, await self.lang(chat_id))])

    @friendly
    async def addsong(self, update: Update, context: Context) -> None:
        """/addsong track_id | title | artist | feature=value ... (admins only)."""
        await self._admin(update, context, "addsong")

    @friendly
    async def editsong(self, update: Update, context: Context) -> None:
        """/editsong song | field=value ... (admins only; song may be #n)."""
        await self._admin(update, context, "editsong")

    @friendly
    async def delsong(self, update: Update, context: Context) -> None:
        """/delsong song (admins only; song may be #n)."""
        await self._admin(update, context, "delsong")

    # ------------------------------------------------------------------------------------------ free text -> agent
    def addressed_text(self, message: Message, bot_id: int, bot_username: str) -> str | None:
        """The text meant for the bot, or None when the bot should stay silent.

        Private chats: all text. Groups: only when the bot is @mentioned (the mention is removed) or the message
        replies to one of the bot's messages. Messages sent through this bot's inline mode are ignored.
        """
        text = message.text or ""
        if message.via_bot is not None and message.via_bot.id == bot_id:
            return None
        if message.chat.type == ChatType.PRIVATE:
            return text.strip() or None
        reply = message.reply_to_message
        addressed = reply is not None and reply.from_user is not None and reply.from_user.id == bot_id
        handle = f"@{bot_username}".lower() if bot_username else None
        for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
            if (entity.type == MessageEntity.MENTION and handle and value.lower() == handle) or (
                entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id
            ):
                addressed = True
        if not addressed:
            return None
        if handle:
            text = re.sub(re.escape(handle), " ", text, flags=re.I)
        return " ".join(text.split()) or None

    async def free_text(self, update: Update, context: Context) -> None:
        """Free text -> ``services.chat.chat("telegram:<chat_id>", caller, text)`` (the agent), limited per user by
        :attr:`chat_policy` (one LLM turn per accepted message; a user's messages queue on the conversation), with the
        chat's playlist group and whether the sender administers the chat (:meth:`is_group_admin`, cached): a chat
        admin may rename/delete others' playlists through the agent too, as with the /pl_* commands."""
        message = update.effective_message
        if message is None:
            return
        text = self.addressed_text(message, context.bot.id, context.bot.username or "")
        if text is None:
            return
        chat_id = message.chat.id
        caller = self.caller(update)
        verdict = await self.services.rate_limits.hit(f"telegram:{caller.user_id}", self.chat_policy)
        if not verdict.allowed:
            await self.refuse(update, context, verdict)
            return
        with contextlib.suppress(TelegramError):  # the typing indicator is cosmetic
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
        in_group = message.chat.type != ChatType.PRIVATE  # roles decided by core.policy, as on every adapter
        server_admin = in_group and not caller.is_admin and await self.is_group_admin(context, update)
        group_admin = policy.playlist_manager(caller, in_server=in_group, server_admin=server_admin)
        reply = await self.services.chat.chat(
            self.conversation_id(chat_id), caller, text, group_id=self.group_id(chat_id), group_admin=group_admin
        )
        await self.send_chat_reply(context, chat_id, reply, reply_to=message)

    async def send_chat_reply(self, context: Context, chat_id: int, reply: ChatReply, reply_to: Message | None = None) -> None:
        """Render an agent reply; a track list gets the usual keyboard; a chart ("chart of #2") goes out as /chart's."""
        rec = reply.recommendation
        if reply.chart is not None:
            from adapters.telegram.charts import send_chart_reply

            await send_chart_reply(self, context, chat_id, reply, reply_to=reply_to)
        elif rec is not None and rec.tracks:
            before = [render.esc_text(reply.text) + "\n"] if reply.text and reply.text != rec.summary else []
            await self.send_list(context, chat_id, rec, before=before, reply_to=reply_to, chat=True)
        else:
            await self.send(context, chat_id, render.render_chat_reply(reply), reply_to=reply_to)

    async def unknown_command(self, update: Update, context: Context) -> None:
        """An unknown /command in a private chat: point to /help (groups stay silent: other bots' commands)."""
        text = say("unknown command help", await self.lang(update.effective_chat.id))
        await self.send(context, update.effective_chat.id, [render.esc(text)])

    async def unknown_button(self, update: Update, context: Context) -> None:
        """A press on a button no handler claims (old keyboards, removed features): answered as expired."""
        await update.callback_query.answer(await self.expired(update), show_alert=True)

    # ------------------------------------------------------------------------------------------ buttons
    async def button(self, update: Update, context: Context) -> None:
        """Inline keyboard press: answered at once, then the engine call."""
        query = update.callback_query
        action, key, arg = parse_callback(query.data)
        state = await self.store.get(key)
        index = int(arg) if arg.isdigit() else -1
        chat_id = query.message.chat.id if query.message else query.from_user.id
        if state is not None and action == NEXT_PAGE and not state.has_next:
            await query.answer(say("end of list", await self.lang(chat_id)))
            return
        if state is None or not (
            (action == MORE_LIKE and 0 <= index < len(state.track_ids)) or (action == NEXT_PAGE and state.has_next)
        ):
            await query.answer(say("expired", await self.lang(chat_id)), show_alert=True)
            return
        await query.answer()
        caller = self.caller(update)
        try:
            if action == MORE_LIKE:
                rec = await self.services.personal.recommend_similar_for(
                    caller, [state.track_ids[index]], conversation_id=self.conversation_id(chat_id)
                )
                await self.send_list(context, chat_id, rec, header=render.clip(rec.summary, 300))
            else:
                await self._continue(context, chat_id, state, caller, edit=query, key=key)
        except MusicBotError as exc:
            await self.send(context, chat_id, [render.render_error(exc, await self.lang(chat_id))])

    async def _continue(
        self, context: Context, chat_id: int, state: PageState, caller: Caller, edit: Any = None, key: str = ""
    ) -> None:
        if state.chat:  # the conversation's request, refinements included: the engine's /more (numbered from 1)
            reply = await self.services.chat.chat(self.conversation_id(chat_id), caller, "/more")
            if reply.recommendation is None or not reply.recommendation.tracks:
                state.has_next = False
                if key:
                    await self.store.mark_end(key)
                await self.send(context, chat_id, [render.esc(reply.text or say("end of list", reply.lang))])
                return
            await self.send_list(context, chat_id, reply.recommendation, edit=edit, chat=True)
            return
        rec = await self.next_page(chat_id, state, caller)
        if not rec.tracks:
            state.has_next = False
            if key:
                await self.store.mark_end(key)
            await self.send(context, chat_id, [render.esc(say("end of list", await self.lang(chat_id)))])
            return
        header = state.query if state.kind == "text" else None
        if state.kind == "playlist":
            header = say("for playlist", state.lang, name=state.query)
        playlist = (state.group, state.playlist_id) if state.playlist_id is not None else None
        await self.send_list(context, chat_id, rec, header=render.clip(f"🎧 {header}", 200) if header else None,
                             start=state.start + len(state.track_ids), shown=state.shown, edit=edit, playlist=playlist)

    # ------------------------------------------------------------------------------------------ pickers and feedback
    def _list_markup(self, key: str, state: PageState) -> InlineKeyboardMarkup | None:
        """The keyboard a list (or a single track) normally carries."""
        return song_keyboard(key, state) if state.kind == "song" else list_keyboard(key, state, self.extra_rows)

    @staticmethod
    async def _set_markup(query: Any, markup: InlineKeyboardMarkup | None) -> None:
        """Swap the keyboard of the pressed message; an old/deleted/unchanged message is not an error."""
        if query.message is not None and getattr(query.message, "reply_markup", None) == markup:
            return  # already showing it (Telegram would answer "message is not modified")
        try:
            await query.edit_message_reply_markup(reply_markup=markup)
        except BadRequest as exc:
            log.info("could not change the keyboard (%s)", exc.message)

    async def _track_at(self, state: PageState, arg: str) -> Track | None:
        i = as_int(arg)
        if i is None or not 0 <= i < len(state.track_ids):
            return None
        try:
            return await self.services.tracks.get_track(state.track_ids[i])
        except SongNotFound:  # deleted since the list was shown
            return None

    async def list_button(self, update: Update, context: Context) -> None:
        """Pickers and feedback on a list: ``k`` open a picker, ``b`` back, ``l``/``d`` like/dislike track i,
        ``a`` pick track i to add (opens the playlist picker), ``t`` add track i to playlist PID.

        Every press is answered at once (likes with their confirmation as a toast); the work follows.
        """
        query = update.callback_query
        action, key, arg, pid = callback_parts(query.data, 4)
        state = await self.store.get(key)
        chat_id = query.message.chat.id if query.message else query.from_user.id
        if state is None:
            await query.answer(say("expired", await self.lang(chat_id)), show_alert=True)
            return
        lang = state.lang  # the list's language: its buttons and toasts speak it
        if action == "k" and arg in PICK_MODES:
            await query.answer(say({ADD_PICK: "pick add", LIKE: "pick like", DISLIKE: "pick dislike"}[arg], lang))
            await self._set_markup(query, track_picker(key, state, arg))
            return
        if action == "b":
            await query.answer()
            await self._set_markup(query, self._list_markup(key, state))
            return
        track = await self._track_at(state, arg)
        if track is None:
            gone = as_int(arg) is not None and as_int(arg) < len(state.track_ids)
            await query.answer(say("gone" if gone else "expired", lang), show_alert=True)
            return
        caller = self.caller(update)
        name = render.clip(f"{track.title} - {track.artist}", 120)
        try:
            if action in (LIKE, DISLIKE):
                await query.answer("👍 " + say("toast like", lang, name=name) if action == LIKE
                                   else "👎 " + say("toast dislike", lang, name=name))
                await (self.services.personal.like(caller, track.track_id) if action == LIKE else self.services.personal.dislike(caller, track.track_id))
            elif action == ADD_PICK:
                playlists = await self.services.playlists.list(self.group_id(chat_id))
                if not playlists:
                    await query.answer(say("tg no playlists toast", lang), show_alert=True)
                    return
                await query.answer(say("add to which", lang))
                recent = sorted(playlists, key=lambda p: p.updated_at, reverse=True)
                await self._set_markup(query, playlist_picker(key, int(arg), [(p.playlist_id, p.name, p.track_count) for p in recent],
                                                                    lang))
            elif action == "t" and as_int(pid) is not None:
                await query.answer()
                change = await self.services.playlists.add(caller, self.group_id(chat_id), int(pid), [track.track_id])
                await self._set_markup(query, self._list_markup(key, state))
                await self.send(context, chat_id, [render.render_change(change, lang)])
            else:
                await query.answer(say("expired", lang), show_alert=True)
        except MusicBotError as exc:
            await self.send(context, chat_id, [render.render_error(exc, lang)])

    # ------------------------------------------------------------------------------------------ inline mode
    async def inline(self, update: Update, context: Context) -> None:
        """``@bot chill study``: up to 10 article results, from the local recommender and search (no LLM)."""
        query = update.inline_query
        results = await inline_results(self.services, query.query, self.caller(update))
        await query.answer(results, cache_time=60, is_personal=True)  # personal: the user's dislikes are left out

    # ------------------------------------------------------------------------------------------ floods
    def counts_as_request(self, update: Update, context: Context) -> bool:
        """True for the updates the flood gate counts: button presses and commands meant for this bot. Free text
        has its own bucket (:attr:`chat_policy`, in :meth:`free_text`: one notice per flood, not one per bucket);
        group chatter, other bots' commands (``/x@other_bot``, or in groups a name this bot does not have), edits
        and inline queries (typed live, answered without an LLM) are not counted."""
        if update.callback_query is not None:
            return True
        message = update.message
        if message is None or update.effective_user is None:
            return False
        text = message.text or ""
        if text.startswith("/"):
            target = text.split(maxsplit=1)[0].partition("@")[2]
            if target:
                return target.lower() == (context.bot.username or "").lower()
            return message.chat.type == ChatType.PRIVATE or parse_command(text).name in self.command_names
        return False

    async def flood_gate(self, update: object, context: Context) -> None:
        """Runs before every handler (group -1): a request over :attr:`commands_policy` is refused
        (:meth:`refuse`) and no other handler sees it (``ApplicationHandlerStop``)."""
        if not isinstance(update, Update) or not self.counts_as_request(update, context):
            return
        verdict = await self.services.rate_limits.hit(f"telegram:{update.effective_user.id}", self.commands_policy)
        if verdict.allowed:
            return
        await self.refuse(update, context, verdict)
        raise ApplicationHandlerStop

    async def refuse(self, update: Update, context: Context, verdict: Verdict) -> None:
        """Tell a flooding user once (a toast for a button, a short reply for a message); later refusals are
        silent (a button press is still answered, without text, so the client stops its spinner)."""
        lang = "en"
        if verdict.notify and update.effective_chat is not None:  # said in the conversation's language
            message = update.effective_message if update.callback_query is None else None
            text = (message.text or "") if message is not None else ""
            lang = await self.services.chat.reply_language(self.conversation_id(update.effective_chat.id), text)
        with contextlib.suppress(TelegramError):  # a notice is best effort; a 429 here must not become an error reply
            if update.callback_query is not None:
                await update.callback_query.answer(verdict.notice(lang) if verdict.notify else None)
            elif verdict.notify and update.effective_chat is not None:
                await self.send(context, update.effective_chat.id, [render.esc(verdict.notice(lang))],
                                reply_to=update.effective_message)

    # ------------------------------------------------------------------------------------------ errors
    async def on_error(self, update: object, context: Context) -> None:
        """The one error handler: log with traceback (secrets redacted by the log filter), apologise, carry on.

        A Telegram rate limit (``RetryAfter``, left over after :class:`~adapters.telegram.ratelimit.FloodRateLimiter`
        gave up) is logged as a warning and never answered: an apology would be one more message into the limit.
        """
        where = ""
        if isinstance(update, Update):
            chat = update.effective_chat
            where = f" (update {update.update_id}, chat {chat.id if chat else '-'})"
        if isinstance(context.error, RetryAfter):
            log.warning("Telegram rate limit%s: retry after %.0f s; this reply was dropped", where, retry_after_s(context.error))
            return
        log.error("Unhandled error while handling an update%s", where, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        try:
            await context.bot.send_message(update.effective_chat.id, say("apology", await self.lang(update.effective_chat.id)))
        except RetryAfter:
            log.warning("rate limited: the apology was dropped")
        except Exception:  # never let the error handler raise
            log.warning("could not send the apology", exc_info=True)
