"""Shared playlists on Discord: the ``/playlist`` command group and the "Add to playlist" flow under tracks.

A server's playlists belong to the server (group ``discord:<guild_id>``); outside servers each user has their own
(``discord:dm:<user_id>``). :class:`core.playlists.PlaylistService` does the work and checks permissions again:

* anyone may list, show, export, create, add and ask for recommendations;
* a track may be removed by whoever added it, the playlist's creator, a member with **Manage Server** or a bot
  admin (``DISCORD_ADMIN_IDS``); rename and delete by the creator, a Manage Server member or a bot admin. The
  adapter refuses early (privately, before anything public is sent) and passes ``group_admin=True`` for Manage
  Server; the service re-checks on every change.

Slash commands: ``list``, ``create``, ``add``, ``remove``, ``show`` (◀ / ▶ buttons, edited in place), ``rename``,
``delete`` (private confirmation), ``recommend`` (a page of tracks with the usual buttons and "Next page") and
``export`` (every Spotify link in one message, or a ``.txt`` attachment when they do not fit in 2,000 characters).

"Add to playlist": the "➕ Add to playlist…" menu under a list (pick a track) or the button under one track opens,
privately, a menu of this server's playlists (the 24 most recently changed + "New playlist…", which asks for a
name in a form and creates it with the track).
"""

from __future__ import annotations

import io
import logging
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from core import policy
from core.commands import summary
from core.errors import MusicBotError, PermissionDenied
from core.lookup import CatalogLookup
from core.models import Caller
from core.error_words import invalid, keyed
from core.playlists import Playlist, PlaylistChange
from core.playlists.wording import change_text as words_change_text
from core.playlists.wording import tracks_text
from core.reply_words import localize_note, say

from adapters.discord.pages import show_page
from adapters.discord.render import (
    MESSAGE_LIMIT,
    NONE_PING,
    OPTION_TEXT_LIMIT,
    PLAYLIST_PAGE_SIZE,
    clip,
    export_filename,
    export_reply,
    md,
    one_line,
    playlist_embed,
    playlists_embed,
)
from adapters.discord.replies import (
    ack_component,
    caller_of,
    channel_lang,
    context,
    defer,
    group_of,
    handle_error,
    is_group_admin,
    send,
)
from adapters.discord.store import PageState
from adapters.discord.transformers import MAX_CHOICES, SongRefs, TextTransformer, engine_split_refs, song_choices
from adapters.discord.views import NEW_PLAYLIST, PICKER_PLAYLISTS, picker_view, playlist_page_view

log = logging.getLogger("adapters.discord")

Name = app_commands.Range[str, 1, 100]
Count = app_commands.Range[int, 1, 10]


class NotAllowed(PermissionDenied):
    """A playlist action the caller may not take (refused by the adapter before the service re-checks)."""

    def __init__(self, message: str) -> None:
        MusicBotError.__init__(self, message)
        self.action = message


def may_manage(caller: Caller, playlist: Playlist, group_admin: bool) -> bool:
    """The creator, a group admin (Manage Server) or a bot admin — :func:`core.policy.may_manage_playlist`, the
    rule the playlist service applies."""
    return policy.may_manage_playlist(caller, playlist.created_by, group_admin)


def require_manager(interaction: discord.Interaction, playlist: Playlist, action: str) -> Caller:
    """The caller when they may ``action`` ("rename" / "delete") ``playlist``.

    Raises:
        NotAllowed: someone else's playlist, without Manage Server or bot-admin rights (worded in the channel's
            language by :func:`adapters.discord.replies.handle_error`, from its key).
    """
    caller = caller_of(interaction)
    if not may_manage(caller, playlist, is_group_admin(interaction)):
        name = clip(one_line(playlist.name), 100)
        key = f"dc not allowed {action}"
        raise keyed(NotAllowed(say(key, name=name)), key, name=name)
    return caller


def change_text(change: PlaylistChange, lang: str = "en") -> str:
    """The summary of an add / remove in ``lang`` (:func:`core.playlists.wording.change_text`; in English the
    service's own), markdown-escaped (it quotes catalog titles)."""
    text = change.message if lang == "en" else words_change_text(change, lang)
    return md(text, MESSAGE_LIMIT) or say("dc nothing changed", lang, name=md(change.playlist.name, 200))


# ---------------------------------------------------------------------------------------------------- arguments
async def playlist_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """This server's playlists whose name contains ``current`` (all when empty), at most 25; never raises."""
    try:
        items = await context(interaction).services.playlists.list(group_of(interaction))
        needle = one_line(current).casefold()
        hits = [p for p in items if needle in p.name.casefold()] if needle else list(items)
        hits.sort(key=lambda p: (not p.name.casefold().startswith(needle), -p.updated_at.timestamp()))
        out = []
        for p in hits[:MAX_CHOICES]:
            n = p.track_count
            label = clip(f"{one_line(p.name)} ({n} track{'s' if n != 1 else ''})", OPTION_TEXT_LIMIT)
            out.append(app_commands.Choice(name=label, value=p.name[:100]))
        return out
    except Exception:
        log.warning("playlist autocomplete failed for %r", current, exc_info=True)
        return []


async def entry_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """For /playlist remove: the chosen playlist's tracks matching ``current`` (value = track id), else catalog
    matches; at most 25, never raises."""
    playlist = one_line(getattr(getattr(interaction, "namespace", None), "playlist", None) or "")
    if not playlist:
        return await song_choices(interaction, current)
    try:
        services = context(interaction).services
        export = await services.playlists.export(group_of(interaction), playlist)
        needle = one_line(current).casefold()
        out = []
        for i, tid in enumerate(export.track_ids, 1):
            known = CatalogLookup(services).label(tid)
            label = f"#{i} " + (one_line(known) if known is not None else f"(not in catalog) {tid}")
            if needle and needle not in label.casefold():
                continue
            out.append(app_commands.Choice(name=clip(label, OPTION_TEXT_LIMIT), value=tid))
            if len(out) >= MAX_CHOICES:
                break
        return out
    except Exception:
        log.debug("playlist entry autocomplete: %r not usable", playlist, exc_info=True)
        return await song_choices(interaction, current)


class PlaylistName(TextTransformer):
    """A playlist of this server by name (autocompletes); ``#id`` works too."""

    max_chars = 100

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        text = one_line(value)
        if not text:
            raise invalid("pl which name", "playlist")
        return text

    async def autocomplete(self, interaction: discord.Interaction, value: str, /) -> list[app_commands.Choice[str]]:  # type: ignore[override]
        return await playlist_choices(interaction, str(value or ""))


class PlaylistEntries(TextTransformer):
    """Tracks to remove, separated by ``;``: ``#N`` (position in /playlist show), title, Spotify link or id."""

    max_chars = 1000

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> list[str]:
        refs = [one_line(r) for r in engine_split_refs(interaction, str(value or "")) if one_line(r)]
        if not refs:
            raise invalid("pl which song here", "song")
        if len(refs) > 100:
            raise invalid("pl remove at most", "song", n=100)
        return refs

    async def autocomplete(self, interaction: discord.Interaction, value: str, /) -> list[app_commands.Choice[str]]:  # type: ignore[override]
        return await entry_choices(interaction, str(value or ""))


PlaylistArg = app_commands.Transform[str, PlaylistName]


# ---------------------------------------------------------------------------------------------------- shared actions
async def export_playlist(
    interaction: discord.Interaction,
    playlist: str | int,
    *,
    ephemeral: bool = False,
    fmt: Literal["links", "uris"] = "links",
) -> None:
    """Every Spotify link (or ``spotify:track:`` URI) of a playlist: in the message when it fits in 2,000
    characters, else as a ``.txt`` attachment (one per line). Link previews are suppressed.

    Raises:
        PlaylistNotFound (before anything is sent).
    """
    services = context(interaction).services
    group = group_of(interaction)
    found = await services.playlists.get(group, playlist)
    await defer(interaction, ephemeral=ephemeral)
    export = await services.playlists.export(group, found.playlist_id)
    links = export.urls if fmt == "links" else export.uris
    content, file_text = export_reply(export.playlist.name, links, "links" if fmt == "links" else "URIs",
                                      await channel_lang(interaction))
    files = []
    if file_text is not None:
        data = io.BytesIO(file_text.encode("utf-8"))
        files.append(discord.File(data, filename=export_filename(export.playlist.name)))
    await send(interaction, content=content, files=files, ephemeral=ephemeral, suppress_embeds=True)


async def recommend_playlist(interaction: discord.Interaction, playlist: str | int, count: int = 10) -> None:
    """A page of tracks close to the playlist as a whole (not in it, never the caller's dislikes), with "Next page".

    Raises:
        PlaylistNotFound, InvalidInput (empty playlist) — before anything public is sent.
    """
    services = context(interaction).services
    group = group_of(interaction)
    found = await services.playlists.get(group, playlist)
    if found.track_count == 0:
        raise invalid("dc empty rec", "playlist", name=clip(one_line(found.name), 100))
    await defer(interaction)
    state = PageState(kind="playlist", query=group, refs=[str(found.playlist_id)], page_size=count)
    await show_page(interaction, state)


async def turn_page(interaction: discord.Interaction, playlist_id: int, page: int) -> None:
    """◀ / ▶ under /playlist show: the requested page, edited into the same message."""
    services = context(interaction).services
    if not interaction.response.is_done():
        await interaction.response.defer()  # "deferred update": no new message, the edit follows
    shown = await services.playlists.show(group_of(interaction), playlist_id, page=page, per_page=PLAYLIST_PAGE_SIZE)
    lang = await channel_lang(interaction)
    await interaction.edit_original_response(
        embeds=[playlist_embed(shown, cap=services.playlists.limits.tracks_per_playlist, lang=lang)],
        view=playlist_page_view(shown.playlist.playlist_id, shown.page, shown.pages, shown.total, lang),
        allowed_mentions=NONE_PING,
    )


async def pick_track_for_playlist(interaction: discord.Interaction, track_id: str, *, menu: bool = False) -> None:
    """Step 1 of "Add to playlist": privately show this server's playlists for ``track_id``.

    With a custom :attr:`adapters.discord.hooks.Hooks.playlists` sink the track goes straight to it instead.

    Raises:
        InvalidInput: nothing picked; SongNotFound: the track left the catalog.
    """
    bot = context(interaction)
    lang = await channel_lang(interaction)
    if not track_id or track_id == "-":
        raise invalid("dc pick track")
    track = await bot.services.tracks.get_track(track_id)
    if menu:
        await ack_component(interaction)
    else:
        await defer(interaction, ephemeral=True)
    sink = bot.hooks.playlists
    if sink is not None:
        text = await sink.add_track(caller_of(interaction), group_of(interaction), track.track_id)
        await send(interaction, content=clip(one_line(text) or say("dc added", lang), MESSAGE_LIMIT), ephemeral=True)
        return
    items = await bot.services.playlists.list(group_of(interaction))
    text = say("dc add to which", lang, song=f"**{md(track.title, 300)}** — {md(track.artist, 200)}")
    if not items:
        text += say("dc none yet", lang)
    elif len(items) > PICKER_PLAYLISTS:
        text += say("dc most recent", lang, n=PICKER_PLAYLISTS)
    await send(interaction, content=clip(text, MESSAGE_LIMIT), view=picker_view(track.track_id, items, lang), ephemeral=True)


async def add_picked(interaction: discord.Interaction, track_id: str, choice: str) -> None:
    """Step 2 of "Add to playlist": add ``track_id`` to the picked playlist id, or ask for a new playlist's name.

    Raises:
        InvalidInput, PlaylistNotFound, LimitReached, SongNotFound.
    """
    lang = await channel_lang(interaction)
    if choice == NEW_PLAYLIST:
        await interaction.response.send_modal(NewPlaylistModal(track_id, lang))
        return
    if not choice.isdigit():
        raise invalid("dc pick playlist")
    services = context(interaction).services
    await ack_component(interaction)
    change = await services.playlists.add(caller_of(interaction), group_of(interaction), int(choice), [track_id])
    await send(interaction, content=change_text(change, lang), ephemeral=True)


class NewPlaylistModal(discord.ui.Modal, title="New playlist"):
    """Asks for a name, creates the playlist and adds the track to it (worded in ``lang``)."""

    def __init__(self, track_id: str, lang: str = "en") -> None:
        super().__init__(timeout=600, title=say("dc new playlist", lang))
        self.track_id = track_id
        self.lang = lang
        self.playlist_name = discord.ui.TextInput(
            label=say("dc playlist name", lang), min_length=1, max_length=100, placeholder="Road Trip"
        )
        self.add_item(self.playlist_name)

    async def on_submit(self, interaction: discord.Interaction, /) -> None:  # type: ignore[override]
        services = context(interaction).services
        caller, group = caller_of(interaction), group_of(interaction)
        await defer(interaction, ephemeral=True)
        created = await services.playlists.create(caller, group, self.playlist_name.value)
        change = await services.playlists.add(caller, group, created.playlist_id, [self.track_id])
        text = say("dc created with", self.lang, name=f"**{md(created.name, 200)}**", change=change_text(change, self.lang))
        await send(interaction, content=clip(text, MESSAGE_LIMIT), ephemeral=True)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await handle_error(interaction, error)


class ConfirmPlaylistDelete(discord.ui.View):
    """A private "Delete / Cancel" prompt for /playlist delete; only the member who asked can answer."""

    def __init__(self, playlist: Playlist, requester_id: int, lang: str = "en") -> None:
        super().__init__(timeout=120)
        self.playlist = playlist
        self.requester_id = requester_id
        self.lang = lang
        self.confirm.label, self.cancel.label = say("dc delete playlist", lang), say("dc keep", lang)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:  # type: ignore[override]
        return interaction.user.id == self.requester_id

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /) -> None:  # type: ignore[override]
        await handle_error(interaction, error)

    @discord.ui.button(label="Delete playlist", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        services = context(interaction).services
        caller = require_manager(interaction, self.playlist, "delete")
        deleted = await services.playlists.delete(
            caller, group_of(interaction), self.playlist.playlist_id, group_admin=is_group_admin(interaction)
        )
        self.stop()
        text = say("dc deleted", self.lang, name=f"**{md(deleted.name, 200)}**",
                   tracks=tracks_text(deleted.track_count, self.lang))
        await interaction.response.edit_message(
            content=clip(text, MESSAGE_LIMIT), view=None, allowed_mentions=NONE_PING
        )

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content=say("dc kept", self.lang), view=None, allowed_mentions=NONE_PING)


# ---------------------------------------------------------------------------------------------------- commands
class PlaylistCog(commands.Cog):
    """``/playlist …`` — shared playlists of the server (or of the user, in DMs)."""

    playlist = app_commands.Group(name="playlist", description="Shared playlists of this server (your own in DMs).")

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @playlist.command(name="list", description=summary("playlists"))
    async def list_(self, interaction: discord.Interaction) -> None:
        services = context(interaction).services
        items = await services.playlists.list(group_of(interaction))
        lang = await channel_lang(interaction)
        await send(interaction, embeds=[playlists_embed(items, cap=services.playlists.limits.playlists_per_group, lang=lang)])

    @playlist.command(name="create", description=summary("playlist create"))
    @app_commands.describe(name="Its name (1–100 characters), e.g. “Road Trip”")
    async def create(self, interaction: discord.Interaction, name: Name) -> None:
        services = context(interaction).services
        caller, group = caller_of(interaction), group_of(interaction)
        services.playlists.check_name(name)  # a bad name is refused privately, before "thinking…"
        await defer(interaction)
        created = await services.playlists.create(caller, group, name)
        text = say("dc created", await channel_lang(interaction), name=f"**{md(created.name, 200)}**")
        await send(interaction, content=clip(text, MESSAGE_LIMIT))

    @playlist.command(name="add", description=summary("playlist add"))
    @app_commands.describe(
        playlist="The playlist (autocompletes)",
        song="Title, “title - artist”, Spotify link or id (autocompletes); several separated by ;",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        playlist: PlaylistArg,
        song: app_commands.Transform[list[str], SongRefs],
    ) -> None:
        services = context(interaction).services
        caller, group = caller_of(interaction), group_of(interaction)
        found = await services.playlists.get(group, playlist)
        found_refs = [services.tracks.resolve_ref(ref) for ref in song]  # unknown song: private
        ids = CatalogLookup(services).ids(found_refs)
        await defer(interaction)
        change = await services.playlists.add(caller, group, found.playlist_id, ids)
        notes = list(dict.fromkeys(f.note for f in found_refs if f.note))  # another track than asked: said first
        lang = await channel_lang(interaction)
        notes = [localize_note(n, lang) for n in notes[:3]]
        await send(interaction, content="\n".join([*(md(n, 600) for n in notes), change_text(change, lang)]))

    @playlist.command(name="remove", description=summary("playlist remove"))
    @app_commands.describe(
        playlist="The playlist (autocompletes)",
        song="#N (position in /playlist show), title, Spotify link or id (autocompletes); several separated by ;",
    )
    async def remove(
        self,
        interaction: discord.Interaction,
        playlist: PlaylistArg,
        song: app_commands.Transform[list[str], PlaylistEntries],
    ) -> None:
        services = context(interaction).services
        caller, group = caller_of(interaction), group_of(interaction)
        found = await services.playlists.get(group, playlist)
        await defer(interaction)
        change = await services.playlists.remove(
            caller, group, found.playlist_id, song, group_admin=is_group_admin(interaction)
        )
        await send(interaction, content=change_text(change, await channel_lang(interaction)))

    @playlist.command(name="show", description=summary("playlist show"))
    @app_commands.describe(playlist="The playlist (autocompletes)", page="Page number (default 1)")
    async def show(
        self, interaction: discord.Interaction, playlist: PlaylistArg, page: app_commands.Range[int, 1, 50] = 1
    ) -> None:
        services = context(interaction).services
        shown = await services.playlists.show(group_of(interaction), playlist, page=page, per_page=PLAYLIST_PAGE_SIZE)
        lang = await channel_lang(interaction)
        await send(
            interaction,
            embeds=[playlist_embed(shown, cap=services.playlists.limits.tracks_per_playlist, lang=lang)],
            view=playlist_page_view(shown.playlist.playlist_id, shown.page, shown.pages, shown.total, lang),
        )

    @playlist.command(name="rename", description=summary("playlist rename"))
    @app_commands.describe(playlist="The playlist (autocompletes)", new_name="The new name (1–100 characters)")
    async def rename(self, interaction: discord.Interaction, playlist: PlaylistArg, new_name: Name) -> None:
        services = context(interaction).services
        group = group_of(interaction)
        found = await services.playlists.get(group, playlist)
        lang = await channel_lang(interaction)
        caller = require_manager(interaction, found, "rename")
        services.playlists.check_name(new_name)
        await defer(interaction)
        renamed = await services.playlists.rename(
            caller, group, found.playlist_id, new_name, group_admin=is_group_admin(interaction)
        )
        text = say("dc renamed", lang, old=f"**{md(found.name, 200)}**", new=f"**{md(renamed.name, 200)}**")
        await send(interaction, content=clip(text, MESSAGE_LIMIT))

    @playlist.command(name="delete", description=summary("playlist delete"))
    @app_commands.describe(playlist="The playlist (autocompletes)")
    async def delete(self, interaction: discord.Interaction, playlist: PlaylistArg) -> None:
        services = context(interaction).services
        found = await services.playlists.get(group_of(interaction), playlist)
        lang = await channel_lang(interaction)
        require_manager(interaction, found, "delete")
        prompt = say("dc delete ask", lang, name=f"**{md(found.name, 200)}**", tracks=tracks_text(found.track_count, lang))
        await send(
            interaction,
            content=clip(prompt, MESSAGE_LIMIT),
            view=ConfirmPlaylistDelete(found, interaction.user.id, lang),
            ephemeral=True,
        )

    @playlist.command(name="recommend", description=summary("playlist recommend"))
    @app_commands.describe(playlist="The playlist (autocompletes)", count="How many tracks (1–10)")
    async def recommend(self, interaction: discord.Interaction, playlist: PlaylistArg, count: Count = 10) -> None:
        await recommend_playlist(interaction, playlist, count)

    @playlist.command(name="export", description=summary("playlist export"))
    @app_commands.describe(playlist="The playlist (autocompletes)", format="Links (default) or spotify:track URIs")
    @app_commands.choices(
        format=[
            app_commands.Choice(name="open.spotify.com links", value="links"),
            app_commands.Choice(name="spotify:track URIs", value="uris"),
        ]
    )
    async def export(self, interaction: discord.Interaction, playlist: PlaylistArg, format: str = "links") -> None:
        await export_playlist(interaction, playlist, fmt="uris" if format == "uris" else "links")
