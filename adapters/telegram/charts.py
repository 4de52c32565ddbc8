"""Charts on Telegram: ``/chart [SONG]`` and the "📊 Chart" button under lists and song cards, sent with ``sendPhoto``.

The picture comes from :mod:`core.chart_replies` (what to compare, the caption) and :mod:`core.charts` (the PNG); this
module only sends it. The caption is HTML of at most :data:`MAX_CAPTION` characters (Telegram's photo-caption limit,
counted after entity parsing): a song card that does not fit stays a text message after the photo, a list's caption
keeps only its title. When nothing was drawn (no audio features, a drawing error or timeout), the reply is the
same data as text — a chart never breaks a reply.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardMarkup, InputFile, Message, ReplyParameters, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from adapters.telegram import render
from adapters.telegram.keyboards import CHART, callback_parts
from core.lookup import CatalogLookup
from core.chart_replies import page_subject, list_chart_reply, track_chart_reply
from core.errors import MusicBotError
from core.models import ChatReply
from core.reply_words import say

if TYPE_CHECKING:
    from adapters.telegram.handlers import BotHandlers, Context

log = logging.getLogger(__name__)

#: Telegram's limit on a photo caption (characters after entity parsing; https://core.telegram.org/bots/api#sendphoto).
MAX_CAPTION = 1024


def _plain_len(html_text: str) -> int:
    return render.tg_len(re.sub(r"<[^<>]*>", "", html_text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"'))


def fits_caption(html_text: str) -> bool:
    """True when ``html_text`` is a valid photo caption by length (≤ :data:`MAX_CAPTION` after parsing)."""
    return 0 < _plain_len(html_text) <= MAX_CAPTION


def caption_blocks(reply: ChatReply) -> tuple[str, list[str]]:
    """(caption HTML, text messages to send after the photo) for a chart reply.

    A song: the whole card as the caption when it fits, else its title line as the caption and the card as
    messages. A list: the caption line plus the numbered titles when they fit, else the caption line alone.
    """
    head = render.esc_text(reply.text)
    if reply.track is not None:
        card = "\n\n".join(render.render_track(reply.track, lang=reply.lang))
        note = "\n".join(line for line in reply.text.split("\n")[:-1] if line)  # a swapped-in song is said first
        full = (f"<i>{render.esc_text(note)}</i>\n\n" if note else "") + card
        if fits_caption(full):
            return full, []
        return render.clip(head, 900) if fits_caption(head) else render.esc(render.clip(reply.text, 900)), render.split_html([full])
    caption = f"📊 {head}"
    if reply.recommendation is not None:
        lines = [f"{i}. {render.esc(render.clip(t.track.title, 60))} — {render.esc(render.clip(t.track.artist, 40))}"
                 for i, t in enumerate(reply.recommendation.tracks, 1)]
        with_list = caption + "\n\n" + "\n".join(lines)
        if fits_caption(with_list):
            return with_list, []
    return (caption if fits_caption(caption) else render.esc(render.clip(reply.text, 900))), []


async def send_chart_reply(
    h: BotHandlers, context: Context, chat_id: int, reply: ChatReply, reply_to: Message | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Send a chart reply: the PNG with ``sendPhoto`` and its caption (and any text that did not fit), or — when no
    chart was drawn, or Telegram refused the photo — the reply as text messages."""
    if reply.chart is None:
        await h.send(context, chat_id, render.render_chat_reply(reply), keyboard, reply_to=reply_to)
        return
    caption, rest = caption_blocks(reply)
    quote = reply_to is not None and reply_to.chat.type != ChatType.PRIVATE
    try:
        await context.bot.send_photo(
            chat_id,
            InputFile(reply.chart, filename="chart.png"),
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if not rest else None,
            reply_parameters=ReplyParameters(reply_to.message_id, allow_sending_without_reply=True) if quote else None,
        )
    except BadRequest as exc:  # e.g. a proxy or Bot API server that refuses uploads: the data as text
        log.warning("sendPhoto refused (%s); sending the chart's data as text", exc.message)
        await h.send(context, chat_id, render.render_chat_reply(reply.model_copy(update={"chart": None})), keyboard)
        return
    if rest:
        await h.send(context, chat_id, rest, keyboard)


async def chart_command(h: BotHandlers, update: Update, context: Context) -> None:
    """``/chart [SONG]``: the chat's list on screen against what was asked, or one song (``#n`` works)."""
    chat_id = update.effective_chat.id
    text = "/chart " + h.args(update)
    reply = await h.services.chat.chat(h.conversation_id(chat_id), h.caller(update), text.strip(), group_id=h.group_id(chat_id))
    await send_chart_reply(h, context, chat_id, reply, reply_to=update.effective_message)


async def chart_button_pressed(h: BotHandlers, update: Update, context: Context) -> None:
    """"📊 Chart" under a list or a song card: answered at once, then the photo of exactly that list (its stored
    state, not whatever the chat showed since)."""
    query = update.callback_query
    _, key = callback_parts(query.data, 2)
    state = await h.store.get(key)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if state is None:
        await query.answer(say("expired", await h.lang(chat_id)), show_alert=True)
        return
    await query.answer(say("drawing chart", state.lang))
    try:
        if state.kind == "song":
            track = CatalogLookup(h.services).track(state.track_ids[0]) if state.track_ids else None
            if track is None:
                await h.send(context, chat_id, [render.esc(say("gone", state.lang))])
                return
            reply = await track_chart_reply(track, lang=state.lang)
        else:
            rec, refs = await page_subject(h.services.discovery, state.kind, state.query, state.track_ids, state.refs, state.filters)
            if rec is None:
                await h.send(context, chat_id, [render.esc(say("tracks gone", state.lang))])
                return
            reply = await list_chart_reply(rec, refs, state.lang)
            if reply.chart is None:  # the list is on screen already: say why there is no picture, once
                reply = ChatReply(text=reply.text.split(". ")[0] + ".")
    except MusicBotError as exc:
        await h.send(context, chat_id, [render.render_error(exc, state.lang)])
        return
    await send_chart_reply(h, context, chat_id, reply)


def chart_callback(h: BotHandlers) -> Any:
    """The ``/chart`` command handler (the registry's ``chart``, added by :func:`adapters.telegram.app.build_app`)."""

    async def chart(update: Update, context: Context) -> None:
        try:
            await chart_command(h, update, context)
        except MusicBotError as exc:
            text = render.render_error(exc, await h.lang(update.effective_chat.id))
            await h.send(context, update.effective_chat.id, [text], reply_to=update.effective_message)

    return chart


def register(app: Any, h: BotHandlers) -> None:
    """Add the "📊 Chart" button handler to the PTB application."""
    from telegram.ext import CallbackQueryHandler

    async def button(update: Update, context: Context) -> None:
        await chart_button_pressed(h, update, context)

    app.add_handler(CallbackQueryHandler(button, pattern=rf"^{CHART}\|"))
