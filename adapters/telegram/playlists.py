"""Shared playlists on Telegram: ``/playlists``, ``/pl_create``, ``/pl_add``, ``/pl_remove``, ``/pl_show``,
``/pl_rename``, ``/pl_delete``, ``/pl_recommend``, ``/pl_export`` (and ``/playlist SUBCOMMAND ...`` for all of them),
plus their buttons (page through a playlist, recommend, export, confirm a delete).

One set of playlists per chat: the group id is ``telegram:<chat_id>``. Every rule (names, limits, duplicates,
permissions) lives in :class:`core.playlists.PlaylistService`; this module only parses, asks Telegram whether the
sender is a chat administrator when the engine needs to know, renders and sends.

Arguments: ``NAME | songs`` — the ``|`` may be left out when NAME is an existing playlist (``/pl_add road trip
blinding lights`` works). Songs are ids, Spotify links, titles or ``title - artist`` separated by ``;``, or ``#n``
from the last list shown in the chat. In ``/pl_remove``, ``#n`` is the number shown by ``/pl_show``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from telegram import InputFile, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from adapters.telegram import render
from adapters.telegram.handlers import PAGE_SIZE, Context, friendly
from adapters.telegram.keyboards import (
    PL_CANCEL,
    PL_DELETE,
    PL_EXPORT,
    PL_RECOMMEND,
    PL_SHOW,
    as_int,
    callback_parts,
    delete_keyboard,
    playlist_keyboard,
    playlists_keyboard,
)
from core.lookup import normalize_text
from core.commands import number_refs, playlist_subcommand, spec
from core import policy
from core.conversation import LastRequest
from core.errors import InvalidInput, MusicBotError, PermissionDenied
from core.models import Filters, Recommendation
from core.playlists import Playlist
from core.playlists.wording import tracks_text
from core.reply_words import say

if TYPE_CHECKING:
    from adapters.telegram.handlers import BotHandlers

log = logging.getLogger(__name__)

T = TypeVar("T")
PER_PAGE = 10
#: Callback actions handled here (``^[vrexc]\|``).
CALLBACK_PATTERN = rf"^[{PL_SHOW}{PL_RECOMMEND}{PL_EXPORT}{PL_DELETE}{PL_CANCEL}]\|"

def usage(sub: str, lang: str = "en") -> str:
    """The usage line of ``/pl_<sub>`` in ``lang``, its syntax and example from the command registry
    (:mod:`core.commands`)."""
    s = spec("playlist " + sub)
    text = say("tg usage", lang, usage=s.telegram_usage(), example=f"/{s.telegram} {s.example}")
    return text + say("tg usage uris", lang) if sub == "export" else text


#: Usage lines of the /pl_* commands in English (:func:`usage`).
USAGE = {sub: usage(sub) for sub in ("create", "add", "remove", "show", "rename", "delete", "recommend", "export")}


def _key(name: str) -> str:
    return normalize_text(name) or name.casefold()


def export_filename(name: str) -> str:
    """A safe ASCII file name for an export: ``"Road Trip!"`` -> ``road-trip.txt``."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalize_text(name)).strip("-")[:50]
    return f"{slug or 'playlist'}.txt"


class PlaylistHandlers:
    """Playlist commands and buttons, on top of :class:`~adapters.telegram.handlers.BotHandlers` (sending, callers,
    the chat's last list, the group-admin check)."""

    def __init__(self, handlers: BotHandlers) -> None:
        self.h = handlers
        self.services = handlers.services

    # ------------------------------------------------------------------------------------------ helpers
    async def send(self, context: Context, chat_id: int, messages: list[str], keyboard=None, reply_to=None):  # noqa: ANN001, ANN201
        """Same as :meth:`BotHandlers.send` (used by :func:`friendly`)."""
        return await self.h.send(context, chat_id, messages, keyboard, reply_to=reply_to)

    async def reply(self, update: Update, context: Context, messages: list[str], keyboard=None) -> None:  # noqa: ANN001
        await self.send(context, update.effective_chat.id, messages, keyboard, reply_to=update.effective_message)

    async def lang(self, chat_id: int | str) -> str:
        """The chat's conversation language (:meth:`BotHandlers.lang`; used by :func:`friendly`)."""
        return await self.h.lang(chat_id)

    async def chat_lang(self, update: Update) -> str:
        """The conversation language of the chat ``update`` came from."""
        return await self.h.lang(self._chat_id(update))

    async def usage(self, update: Update, context: Context, sub: str) -> None:
        """Reply with the usage line of ``/pl_<sub>`` in the chat's language."""
        await self.reply(update, context, [render.esc(usage(sub, await self.chat_lang(update)))])

    async def split_name(self, group: str, args: str) -> tuple[str, str]:
        """``"NAME | rest"`` -> ``(NAME, rest)``; without ``|``, the longest leading words naming an existing playlist."""
        if "|" in args:
            name, _, rest = args.partition("|")
            return name.strip(), rest.strip()
        keys = {_key(p.name) for p in await self.services.playlists.list(group)}
        words = args.split()
        for i in range(len(words), 0, -1):
            if _key(" ".join(words[:i])) in keys:
                return " ".join(words[:i]), " ".join(words[i:])
        return args.strip(), ""

    async def as_member_or_admin(self, update: Update, context: Context, action: Callable[[bool], Awaitable[T]]) -> T:
        """Run ``action(group_admin)`` as a plain member first; only when the engine refuses, ask Telegram whether
        the sender administers the chat (``getChatMember``) and retry as a group admin."""
        try:
            return await action(False)
        except PermissionDenied:
            if not await self.h.is_group_admin(context, update):
                raise
        return await action(True)

    async def _may_manage(self, update: Update, context: Context, playlist: Playlist) -> bool:
        caller = self.h.caller(update)
        if policy.may_manage_playlist(caller, playlist.created_by, group_admin=False):
            return True
        return policy.may_manage_playlist(caller, playlist.created_by, await self.h.is_group_admin(context, update))

    @staticmethod
    def _chat_id(update: Update) -> int:
        query = update.callback_query
        if query is not None and query.message is not None:
            return query.message.chat.id
        return update.effective_chat.id

    # ------------------------------------------------------------------------------------------ commands
    @friendly
    async def playlist(self, update: Update, context: Context) -> None:
        """``/playlist [SUBCOMMAND args]`` — list, create, add, remove, show, rename, delete, recommend, export."""
        sub, _, rest = self.h.args(update).strip().partition(" ")
        name = playlist_subcommand(sub) if sub else "list"
        if name is None or name == "help":
            await self.reply(update, context, [render.esc(say("tg usage all", await self.chat_lang(update)))])
            return
        await getattr(self, f"_{name}")(update, context, rest.strip())

    @friendly
    async def playlists(self, update: Update, context: Context) -> None:
        """/playlists — this chat's playlists, with a button to show each."""
        await self._list(update, context, "")

    @friendly
    async def pl_create(self, update: Update, context: Context) -> None:
        """/pl_create NAME."""
        await self._create(update, context, self.h.args(update))

    @friendly
    async def pl_add(self, update: Update, context: Context) -> None:
        """/pl_add NAME | song; song (or #n)."""
        await self._add(update, context, self.h.args(update))

    @friendly
    async def pl_remove(self, update: Update, context: Context) -> None:
        """/pl_remove NAME | #n or song."""
        await self._remove(update, context, self.h.args(update))

    @friendly
    async def pl_show(self, update: Update, context: Context) -> None:
        """/pl_show NAME [page]."""
        await self._show(update, context, self.h.args(update))

    @friendly
    async def pl_rename(self, update: Update, context: Context) -> None:
        """/pl_rename OLD | NEW."""
        await self._rename(update, context, self.h.args(update))

    @friendly
    async def pl_delete(self, update: Update, context: Context) -> None:
        """/pl_delete NAME — asks for confirmation (creator, group admin or bot admin)."""
        await self._delete(update, context, self.h.args(update))

    @friendly
    async def pl_recommend(self, update: Update, context: Context) -> None:
        """/pl_recommend NAME."""
        await self._recommend(update, context, self.h.args(update))

    @friendly
    async def pl_export(self, update: Update, context: Context) -> None:
        """/pl_export NAME [| uris]."""
        await self._export(update, context, self.h.args(update))

    # ------------------------------------------------------------------------------------------ use cases
    async def _list(self, update: Update, context: Context, args: str) -> None:
        playlists = await self.services.playlists.list(self.h.group_id(update.effective_chat.id))
        keyboard = playlists_keyboard([(p.playlist_id, p.name, p.track_count) for p in playlists])
        await self.reply(update, context, [render.render_playlists(playlists, await self.chat_lang(update))], keyboard)

    async def _create(self, update: Update, context: Context, args: str) -> None:
        if not args.strip():
            await self.usage(update, context, "create")
            return
        p = await self.services.playlists.create(self.h.caller(update), self.h.group_id(update.effective_chat.id), args)
        name = render.esc(render.clip(p.name, 100))
        text = say("tg created", await self.chat_lang(update), name=render.playlist_name(p), arg=name)
        await self.reply(update, context, ["✅ " + text])

    async def _add(self, update: Update, context: Context, args: str) -> None:
        chat_id = update.effective_chat.id
        group = self.h.group_id(chat_id)
        name, rest = await self.split_name(group, args)
        if not name or not rest:
            await self.usage(update, context, "add")
            return
        refs = await self.h.split_song_refs(chat_id, rest)
        change = await self.services.playlists.add(self.h.caller(update), group, name, refs)
        await self.reply(update, context, [render.render_change(change, await self.chat_lang(update))])

    async def _remove(self, update: Update, context: Context, args: str) -> None:
        group = self.h.group_id(update.effective_chat.id)
        name, rest = await self.split_name(group, args)
        if not name or not rest:
            await self.usage(update, context, "remove")
            return
        refs = number_refs(rest) or self.services.tracks.split_refs(rest)
        caller = self.h.caller(update)
        change = await self.as_member_or_admin(
            update, context, lambda admin: self.services.playlists.remove(caller, group, name, refs, group_admin=admin)
        )
        await self.reply(update, context, [render.render_change(change, await self.chat_lang(update))])

    async def _show(self, update: Update, context: Context, args: str) -> None:
        group = self.h.group_id(update.effective_chat.id)
        name, page = args.strip(), 1
        if not name:
            await self.usage(update, context, "show")
            return
        m = re.fullmatch(r"(.+?)\s*(?:\||\s)\s*(\d{1,4})", name)
        try:
            playlist = await self.services.playlists.get(group, name)
        except InvalidInput:
            if not m:
                raise
            playlist = await self.services.playlists.get(group, m.group(1))
            page = int(m.group(2))
        await self.show_page(context, update.effective_chat.id, group, playlist.playlist_id, page, reply_to=update.effective_message)

    async def show_page(self, context: Context, chat_id: int, group: str, playlist_id: int, page: int, reply_to=None, edit=None) -> None:  # noqa: ANN001
        """Send (or edit in place, for the Prev/Next buttons) one page of a playlist with its keyboard."""
        shown = await self.services.playlists.show(group, playlist_id, page=page, per_page=PER_PAGE)
        previews = await self.h.preview_links([e.track_id for e in shown.entries if e.track is not None])
        lang = await self.h.lang(chat_id)
        messages = render.render_playlist_page(shown, previews, lang)
        keyboard = playlist_keyboard(shown.playlist.playlist_id, shown.page, shown.pages, shown.total, lang)
        if edit is not None and len(messages) == 1:
            try:
                await edit.edit_message_text(messages[0], parse_mode=ParseMode.HTML, reply_markup=keyboard,
                                             link_preview_options=LinkPreviewOptions(is_disabled=True))
                return
            except BadRequest as exc:
                if "not modified" in exc.message:
                    return
                log.info("edit failed (%s); sending a new message", exc.message)
        await self.send(context, chat_id, messages, keyboard, reply_to=reply_to)

    async def _rename(self, update: Update, context: Context, args: str) -> None:
        group = self.h.group_id(update.effective_chat.id)
        old, new = await self.split_name(group, args)
        if not old or not new:
            await self.usage(update, context, "rename")
            return
        caller = self.h.caller(update)
        before = await self.services.playlists.get(group, old)
        after = await self.as_member_or_admin(
            update, context, lambda admin: self.services.playlists.rename(caller, group, before.playlist_id, new, group_admin=admin)
        )
        text = say("tg renamed", await self.chat_lang(update), old=render.playlist_name(before), new=render.playlist_name(after))
        await self.reply(update, context, ["✏️ " + text])

    async def _delete(self, update: Update, context: Context, args: str) -> None:
        if not args.strip():
            await self.usage(update, context, "delete")
            return
        playlist = await self.services.playlists.get(self.h.group_id(update.effective_chat.id), args)
        lang = await self.chat_lang(update)
        if not await self._may_manage(update, context, playlist):
            await self.reply(update, context, ["🚫 " + say("tg only creator", lang, name=render.playlist_name(playlist))])
            return
        tracks = render.esc(tracks_text(playlist.track_count, lang))
        await self.reply(update, context, [say("tg delete ask", lang, name=render.playlist_name(playlist), tracks=tracks)],
                         delete_keyboard(playlist.playlist_id, lang))

    async def _recommend(self, update: Update, context: Context, args: str) -> None:
        if not args.strip():
            await self.usage(update, context, "recommend")
            return
        group = self.h.group_id(update.effective_chat.id)
        playlist = await self.services.playlists.get(group, args)
        await self.recommend(context, update.effective_chat.id, self.h.caller(update), group, playlist, reply_to=update.effective_message)

    async def recommend(self, context: Context, chat_id: int, caller, group: str, playlist: Playlist, reply_to=None) -> None:  # noqa: ANN001
        """Tracks close to the playlist as a whole (never the caller's dislikes), with the usual list keyboard;
        recorded by the engine as the chat's list on screen ("more" and ``#n`` continue from it)."""
        spec = LastRequest(kind="playlist", group=group, playlist=f"#{playlist.playlist_id}", filters=Filters(limit=PAGE_SIZE))
        result = await self.services.sessions.show_request(self.h.conversation_id(chat_id), caller, spec, merge=Filters(limit=PAGE_SIZE))
        rec = result if isinstance(result, Recommendation) else Recommendation(kind="playlist", query=playlist.name)
        header = "🎧 " + say("for playlist", await self.h.lang(chat_id), name=playlist.name)
        await self.h.send_list(context, chat_id, rec, header=render.clip(header, 200),
                               reply_to=reply_to, playlist=(group, playlist.playlist_id))

    async def _export(self, update: Update, context: Context, args: str) -> None:
        name, _, fmt = args.partition("|")
        if not name.strip():
            await self.usage(update, context, "export")
            return
        group = self.h.group_id(update.effective_chat.id)
        playlist = await self.services.playlists.get(group, name.strip())
        await self.export(context, update.effective_chat.id, group, playlist.playlist_id,
                          "uris" if fmt.strip().lower() in ("uri", "uris") else "urls", reply_to=update.effective_message)

    async def export(self, context: Context, chat_id: int, group: str, playlist_id: int, fmt: str = "urls", reply_to=None) -> None:  # noqa: ANN001
        """Every Spotify link in one message, or a ``.txt`` document when that message would pass 4,096 characters."""
        export = await self.services.playlists.export(group, playlist_id)
        lang = await self.h.lang(chat_id)
        text = render.render_export(export, fmt, lang)
        if render.tg_len(text) <= render.MAX_MESSAGE:
            await self.send(context, chat_id, [text], reply_to=reply_to)
            return
        body = (export.as_text("uris" if fmt == "uris" else "urls") + "\n").encode("utf-8")
        await context.bot.send_document(
            chat_id,
            InputFile(body, filename=export_filename(export.playlist.name)),
            caption=render.render_export_caption(export, fmt, lang),
            parse_mode=ParseMode.HTML,
        )

    # ------------------------------------------------------------------------------------------ buttons
    async def button(self, update: Update, context: Context) -> None:
        """``v|PID|page`` show, ``r|PID`` recommend, ``e|PID`` export, ``x|PID`` delete (confirmed), ``c|PID`` cancel.

        Answered at once; the playlist is looked up in the chat the button is in, and the engine re-checks every
        permission for the person who pressed.
        """
        query = update.callback_query
        action, pid_text, arg = callback_parts(query.data, 3)
        pid = as_int(pid_text)
        chat_id = self._chat_id(update)
        lang = await self.h.lang(chat_id)
        if pid is None:
            await query.answer(say("expired", lang), show_alert=True)
            return
        await query.answer(say("cancelled", lang) if action == PL_CANCEL else None)
        group = self.h.group_id(chat_id)
        caller = self.h.caller(update)
        try:
            if action == PL_SHOW:
                await self.show_page(context, chat_id, group, pid, as_int(arg) or 1, edit=query)
            elif action == PL_RECOMMEND:
                await self.recommend(context, chat_id, caller, group, await self.services.playlists.get(group, pid))
            elif action == PL_EXPORT:
                await self.export(context, chat_id, group, pid)
            elif action == PL_DELETE:
                deleted = await self.as_member_or_admin(
                    update, context, lambda admin: self.services.playlists.delete(caller, group, pid, group_admin=admin)
                )
                tracks = render.esc(tracks_text(deleted.track_count, lang))
                await self._replace(query, context, chat_id,
                                    "🗑 " + say("tg deleted", lang, name=render.playlist_name(deleted), tracks=tracks))
            elif action == PL_CANCEL:
                await self._replace(query, context, chat_id, render.esc(say("cancelled delete", lang)))
        except MusicBotError as exc:
            await self.send(context, chat_id, [render.render_error(exc, lang)])

    async def _replace(self, query, context: Context, chat_id: int, text: str) -> None:  # noqa: ANN001
        """Replace a confirmation prompt by its outcome (a new message when the prompt cannot be edited)."""
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=None)
        except BadRequest as exc:
            log.info("edit failed (%s); sending a new message", exc.message)
            await self.send(context, chat_id, [text])
