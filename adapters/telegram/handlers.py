"""Telegram update handlers: parse the update -> call the engine -> render -> send. No business logic here.

Every handler is a method of :class:`BotHandlers`, which holds the engine and the adapter's own state (button store,
per-chat "last list", throttle). Engine errors the user can fix (:class:`~core.errors.MusicBotError`) become a
friendly reply via :func:`friendly`; anything else reaches :meth:`BotHandlers.on_error` (one handler, logs the
traceback, apologises, the bot keeps running).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
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
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from adapters.telegram import render
from adapters.telegram.keyboards import (
    MORE_LIKE,
    NEXT_PAGE,
    CallbackStore,
    ExtraRows,
    PageState,
    list_keyboard,
    parse_callback,
    song_keyboard,
)
from adapters.telegram.inline import inline_results
from adapters.telegram.parsing import parse_addsong, parse_editsong
from adapters.telegram.throttle import Throttle
from core.commands import parse_command, split_refs
from core.engine import Engine
from core.errors import MusicBotError, PermissionDenied
from core.models import Caller, ChatReply, NeedsClarification, Recommendation, Track

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
#: Best-effort audio preview for a track (issue 6's ``core/previews.py`` plugs in here): an MP3 URL or None.
PreviewLookup = Callable[[Track], Awaitable[str | None]]

PAGE_SIZE = 10
MAX_SEARCH = 50
APOLOGY = "Sorry — something went wrong on my side. Please try again in a moment."
EXPIRED = "This button has expired. Send your request again, e.g. /recommend chill study music."
END_OF_LIST = "That's all I have for this list."
_LAST_LISTS = 10000


def friendly(handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """Turn a :class:`MusicBotError` raised by the engine into a friendly reply in the same chat."""

    @functools.wraps(handler)
    async def wrapper(self: BotHandlers, update: Update, context: Context) -> None:
        try:
            await handler(self, update, context)
        except MusicBotError as exc:
            chat = update.effective_chat
            if chat is not None:
                await self.send(context, chat.id, [render.render_error(exc)], reply_to=update.effective_message)

    return wrapper


class BotHandlers:
    """All handlers, sharing the engine and the adapter state.

    Args:
        engine: the core engine.
        caller_for: Telegram user id -> :class:`Caller` (role from settings, never from the chat).
        store: button states (see :mod:`adapters.telegram.keyboards`).
        throttle: per-user limiter for LLM-backed free text.
        preview_lookup: optional audio-preview finder for /preview (issue 6).
        extra_rows: optional keyboard rows under every list (issue 6's "Add to playlist").
    """

    def __init__(
        self,
        engine: Engine,
        caller_for: Callable[[int | str], Caller],
        store: CallbackStore[PageState],
        throttle: Throttle,
        preview_lookup: PreviewLookup | None = None,
        extra_rows: Sequence[ExtraRows] = (),
    ) -> None:
        self.engine = engine
        self.caller_for = caller_for
        self.store = store
        self.throttle = throttle
        self.preview_lookup = preview_lookup
        self.extra_rows = list(extra_rows)
        self.last_list: OrderedDict[int, str] = OrderedDict()

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

    def remember(self, chat_id: int, state: PageState) -> str:
        """Store a list's state for its buttons and as the chat's last list (for /more)."""
        key = self.store.put(state)
        self.last_list[chat_id] = key
        self.last_list.move_to_end(chat_id)
        while len(self.last_list) > _LAST_LISTS:
            self.last_list.popitem(last=False)
        return key

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
    ) -> None:
        """Render a recommendation page with its keyboard and send it (or edit ``edit``, a CallbackQuery)."""
        if not rec.tracks:
            await self.send(context, chat_id, render.render_recommendation(rec), reply_to=reply_to)
            return
        state = PageState.from_recommendation(rec, start=start, shown=shown)
        state.has_next = state.has_next and len(state.track_ids) >= PAGE_SIZE
        if rec.kind == "search":
            state.has_next = state.has_next and len(state.shown) < MAX_SEARCH
        key = self.remember(chat_id, state)
        keyboard = list_keyboard(key, state, self.extra_rows)
        messages = render.split_html([*before, *render.recommendation_blocks(rec, start, header)])
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

    async def next_page(self, state: PageState) -> Recommendation:
        """The page after ``state`` (no track repeats within the list)."""
        if state.kind == "search":
            offset = len(state.shown)
            rec = await self.engine.search(state.query, limit=min(MAX_SEARCH, offset + PAGE_SIZE))
            return rec.model_copy(update={"tracks": rec.tracks[offset:]})
        if state.kind == "similar":
            return await self.engine.recommend_similar(state.refs or [state.query], filters=state.filters, exclude_ids=state.shown)
        result = await self.engine.recommend_text(state.query, filters=state.filters, exclude_ids=state.shown)
        if isinstance(result, NeedsClarification):
            return Recommendation(kind="text", query=state.query)
        return result

    # ------------------------------------------------------------------------------------------ user commands
    async def start(self, update: Update, context: Context) -> None:
        """/start and /help."""
        is_admin = self.caller(update).is_admin
        await self.send(context, update.effective_chat.id, [render.render_help(is_admin, context.bot.username or "")])

    @friendly
    async def recommend(self, update: Update, context: Context) -> None:
        """/recommend TEXT — local text understanding, no LLM."""
        text = self.args(update)
        if not text:
            await self.send(context, update.effective_chat.id, [render.esc("Tell me what to play, e.g. /recommend chill study music")])
            return
        result = await self.engine.recommend_text(text)
        if isinstance(result, NeedsClarification):
            await self.send(context, update.effective_chat.id, render.render_clarification(result), reply_to=update.effective_message)
            return
        await self.send_list(context, update.effective_chat.id, result, header=f"🎧 {render.clip(text, 200)}", reply_to=update.effective_message)

    @friendly
    async def similar(self, update: Update, context: Context) -> None:
        """/similar REF[; REF...]."""
        rec = await self.engine.recommend_similar(split_refs(self.args(update)))
        await self.send_list(context, update.effective_chat.id, rec, header=render.clip(rec.summary, 300), reply_to=update.effective_message)

    @friendly
    async def search(self, update: Update, context: Context) -> None:
        """/search QUERY."""
        rec = await self.engine.search(self.args(update), limit=PAGE_SIZE)
        await self.send_list(context, update.effective_chat.id, rec, header=f"🔎 {render.clip(rec.query, 200)}", reply_to=update.effective_message)

    @friendly
    async def song(self, update: Update, context: Context) -> None:
        """/song REF — details and audio features, with a "More like this" button."""
        track = await self.engine.get_track(self.args(update))
        state = PageState(kind="song", query=track.track_id, track_ids=[track.track_id], has_next=False)
        key = self.store.put(state)
        await self.send(context, update.effective_chat.id, render.render_track(track), song_keyboard(key, state), reply_to=update.effective_message)

    @friendly
    async def preview(self, update: Update, context: Context) -> None:
        """/preview REF — an audio preview when :data:`PreviewLookup` finds one, else the Spotify player link."""
        track = await self.engine.get_track(self.args(update))
        chat_id = update.effective_chat.id
        audio = None
        if self.preview_lookup is not None:
            try:
                audio = await self.preview_lookup(track)
            except Exception:  # a preview is best effort: never fail the reply for it
                log.warning("preview lookup failed for %s", track.track_id, exc_info=True)
        if audio:
            try:
                await context.bot.send_audio(chat_id, audio, caption=render.preview_caption(track), parse_mode=ParseMode.HTML,
                                             title=render.clip(track.title, 64), performer=render.clip(track.artist, 64))
                return
            except TelegramError as exc:
                log.info("send_audio failed (%s); falling back to the link", exc)
        await self.send(context, chat_id, [render.render_preview(track, audio)], reply_to=update.effective_message, preview_url=track.spotify_url)

    @friendly
    async def more(self, update: Update, context: Context) -> None:
        """/more — next page of the last list shown in this chat."""
        chat_id = update.effective_chat.id
        key = self.last_list.get(chat_id)
        state = self.store.get(key) if key else None
        if state is None or not state.has_next:
            await self.send(context, chat_id, [render.esc("Ask for something first, e.g. /recommend chill study music.")])
            return
        await self._continue(context, chat_id, state)

    async def reset(self, update: Update, context: Context) -> None:
        """/reset — forget the agent conversation and this chat's last list."""
        chat_id = update.effective_chat.id
        reply = await self.engine.chat(self.conversation_id(chat_id), self.caller(update), "/reset")
        self.last_list.pop(chat_id, None)
        await self.send(context, chat_id, [render.esc(reply.text or "Conversation cleared.")])

    # ------------------------------------------------------------------------------------------ admin commands
    def _require_admin(self, update: Update, action: str) -> Caller:
        caller = self.caller(update)
        if not caller.is_admin:
            raise PermissionDenied(action)
        return caller

    @friendly
    async def addsong(self, update: Update, context: Context) -> None:
        """/addsong track_id | title | artist | feature=value ... (admins only)."""
        caller = self._require_admin(update, "add songs")
        track = await self.engine.add_song(caller, parse_addsong(self.args(update)))
        await self.send(context, update.effective_chat.id, [render.render_saved(track, "Added")])

    @friendly
    async def editsong(self, update: Update, context: Context) -> None:
        """/editsong song | field=value ... (admins only)."""
        caller = self._require_admin(update, "edit songs")
        ref, changes = parse_editsong(self.args(update))
        track = await self.engine.edit_song(caller, ref, changes)
        await self.send(context, update.effective_chat.id, [render.render_saved(track, "Updated")])

    @friendly
    async def delsong(self, update: Update, context: Context) -> None:
        """/delsong song (admins only)."""
        caller = self._require_admin(update, "delete songs")
        track = await self.engine.delete_song(caller, self.args(update))
        await self.send(context, update.effective_chat.id, [render.render_saved(track, "Deleted")])

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
        """Free text -> ``engine.chat("telegram:<chat_id>", caller, text)`` (the agent), throttled per user."""
        message = update.effective_message
        if message is None:
            return
        text = self.addressed_text(message, context.bot.id, context.bot.username or "")
        if text is None:
            return
        chat_id = message.chat.id
        caller = self.caller(update)
        if self.throttle.busy(caller.user_id):
            await self.send(context, chat_id, [render.esc("Still working on your previous message — one moment.")], reply_to=message)
            return
        wait = self.throttle.check(caller.user_id)
        if wait:
            await self.send(context, chat_id, [render.esc(f"Easy there 🙂 Try again in {int(wait) + 1} s.")], reply_to=message)
            return
        with self.throttle.running(caller.user_id):
            with contextlib.suppress(TelegramError):  # the typing indicator is cosmetic
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            reply = await self.engine.chat(self.conversation_id(chat_id), caller, text)
        await self.send_chat_reply(context, chat_id, reply, reply_to=message)

    async def send_chat_reply(self, context: Context, chat_id: int, reply: ChatReply, reply_to: Message | None = None) -> None:
        """Render an agent reply; a track list gets the usual keyboard."""
        rec = reply.recommendation
        if rec is not None and rec.tracks:
            before = [render.esc_text(reply.text) + "\n"] if reply.text and reply.text != rec.summary else []
            await self.send_list(context, chat_id, rec, before=before, reply_to=reply_to)
        else:
            await self.send(context, chat_id, render.render_chat_reply(reply), reply_to=reply_to)

    async def unknown_command(self, update: Update, context: Context) -> None:
        """An unknown /command in a private chat: point to /help (groups stay silent: other bots' commands)."""
        await self.send(context, update.effective_chat.id, [render.esc("I don't know that command — see /help.")])

    async def unknown_button(self, update: Update, context: Context) -> None:
        """A press on a button no handler claims (old keyboards, removed features): answered as expired."""
        await update.callback_query.answer(EXPIRED, show_alert=True)

    # ------------------------------------------------------------------------------------------ buttons
    async def button(self, update: Update, context: Context) -> None:
        """Inline keyboard press: answered at once, then the engine call."""
        query = update.callback_query
        action, key, arg = parse_callback(query.data)
        state = self.store.get(key)
        index = int(arg) if arg.isdigit() else -1
        if state is not None and action == NEXT_PAGE and not state.has_next:
            await query.answer(END_OF_LIST)
            return
        if state is None or not (
            (action == MORE_LIKE and 0 <= index < len(state.track_ids)) or (action == NEXT_PAGE and state.has_next)
        ):
            await query.answer(EXPIRED, show_alert=True)
            return
        await query.answer()
        chat_id = query.message.chat.id if query.message else query.from_user.id
        try:
            if action == MORE_LIKE:
                rec = await self.engine.recommend_similar([state.track_ids[index]])
                await self.send_list(context, chat_id, rec, header=render.clip(rec.summary, 300))
            else:
                await self._continue(context, chat_id, state, edit=query)
        except MusicBotError as exc:
            await self.send(context, chat_id, [render.render_error(exc)])

    async def _continue(self, context: Context, chat_id: int, state: PageState, edit: Any = None) -> None:
        rec = await self.next_page(state)
        if not rec.tracks:
            state.has_next = False
            await self.send(context, chat_id, [render.esc(END_OF_LIST)])
            return
        header = state.query if state.kind == "text" else None
        await self.send_list(context, chat_id, rec, header=render.clip(f"🎧 {header}", 200) if header else None,
                             start=state.start + len(state.track_ids), shown=state.shown, edit=edit)

    # ------------------------------------------------------------------------------------------ inline mode
    async def inline(self, update: Update, context: Context) -> None:
        """``@bot chill study``: up to 10 article results, from the local recommender and search (no LLM)."""
        query = update.inline_query
        await query.answer(await inline_results(self.engine, query.query), cache_time=300, is_personal=False)

    # ------------------------------------------------------------------------------------------ errors
    async def on_error(self, update: object, context: Context) -> None:
        """The one error handler: log with traceback (secrets redacted by the log filter), apologise, carry on."""
        where = ""
        if isinstance(update, Update):
            chat = update.effective_chat
            where = f" (update {update.update_id}, chat {chat.id if chat else '-'})"
        log.error("Unhandled error while handling an update%s", where, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        try:
            await context.bot.send_message(update.effective_chat.id, APOLOGY)
        except Exception:  # never let the error handler raise
            log.warning("could not send the apology", exc_info=True)
