"""Persistent buttons and menus under bot replies; they keep working after a restart.

Every component is a :class:`discord.ui.DynamicItem` whose ``custom_id`` carries what it needs, parsed back by a
regular expression when clicked (registered once with ``bot.add_dynamic_items`` in ``setup_hook``; views are sent
with ``timeout=None``):

==============================  ==========================================================================
``mb:more:<n>:<track_id>``      "More like #n": tracks similar to that track (the id is in the custom_id)
``mb:next:<key>``               "Next page": the request is stored under ``key`` (:mod:`adapters.discord.store`)
``mb:chat:more``                "Next page" of a chat answer: continues the channel's conversation
``mb:pl:add``                   "Add to playlist…" menu (option values are track ids); only with a playlist hook
==============================  ==========================================================================

All ids stay far below Discord's 100-character limit. Callbacks route errors to
:func:`adapters.discord.replies.handle_error` (discord.py only logs errors raised in dynamic items).
"""

from __future__ import annotations

import re
from typing import Any

import discord

from core.models import ChatReply, Recommendation, Track

from adapters.discord.render import BUTTON_LABEL_LIMIT, OPTION_TEXT_LIMIT, PAGE_SIZE, clip, one_line
from adapters.discord.replies import caller_of, context, defer, handle_error, playlist_scope, send

_ID = r"[0-9A-Za-z]{1,40}"


class MoreLikeButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"mb:more:(?P<n>\d{{1,2}}):(?P<tid>{_ID})"):
    """ "More like #n" — tracks similar to the track with this Spotify id."""

    def __init__(self, n: int, track_id: str, label: str | None = None, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label or f"More like #{n}", BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=f"mb:more:{n}:{track_id}",
            ),
            row=row,
        )
        self.n = n
        self.track_id = track_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):  # type: ignore[override]
        return cls(int(match["n"]), match["tid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.pages import more_like

        try:
            await more_like(interaction, self.track_id)
        except Exception as exc:
            await handle_error(interaction, exc)


class NextPageButton(discord.ui.DynamicItem[discord.ui.Button], template=r"mb:next:(?P<key>[A-Za-z0-9_-]{6,40})"):
    """ "Next page" of a stored request (slash-command results)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Next page", style=discord.ButtonStyle.primary, emoji="➡️", custom_id=f"mb:next:{key}"
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):  # type: ignore[override]
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.pages import next_page

        try:
            await next_page(interaction, self.key)
        except Exception as exc:
            await handle_error(interaction, exc)


class ChatMoreButton(discord.ui.DynamicItem[discord.ui.Button], template=r"mb:chat:more"):
    """ "Next page" of a chat answer: asks the engine for more in this channel's conversation."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(label="Next page", style=discord.ButtonStyle.primary, emoji="➡️", custom_id="mb:chat:more")
        )

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):  # type: ignore[override]
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.pages import chat_more

        try:
            await chat_more(interaction)
        except Exception as exc:
            await handle_error(interaction, exc)


class PlaylistSelect(discord.ui.DynamicItem[discord.ui.Select], template=r"mb:pl:add"):
    """ "Add to playlist…" — a menu of the listed tracks; needs :attr:`adapters.discord.hooks.Hooks.playlists`."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id="mb:pl:add",
                placeholder="Add to playlist…",
                options=options or [discord.SelectOption(label="(none)", value="-")],
                min_values=1,
                max_values=1,
            )
        )

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /):  # type: ignore[override]
        return cls(list(item.options))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            sink = context(interaction).hooks.playlists
            values = self.item.values
            if sink is None or not values or values[0] == "-":
                await send(interaction, content="Playlists aren't available here yet.", ephemeral=True)
                return
            await defer(interaction, ephemeral=True)
            scope = playlist_scope(interaction.guild_id, interaction.channel_id)
            text = await sink.add_track(caller_of(interaction), scope, values[0])
            await send(interaction, content=clip(one_line(text) or "Added.", 2000), ephemeral=True)
        except Exception as exc:
            await handle_error(interaction, exc)


#: Every dynamic item class, for ``bot.add_dynamic_items(*DYNAMIC_ITEMS)``.
DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    MoreLikeButton,
    NextPageButton,
    ChatMoreButton,
    PlaylistSelect,
)


def _playable_id(track_id: str) -> bool:
    return re.fullmatch(_ID, track_id) is not None


def _playlist_options(tracks: list[Track]) -> list[discord.SelectOption]:
    options = []
    for n, t in enumerate(tracks, 1):
        if len(t.track_id) > OPTION_TEXT_LIMIT:
            continue
        options.append(
            discord.SelectOption(
                label=clip(f"#{n} {one_line(t.title) or '(untitled)'}", OPTION_TEXT_LIMIT),
                description=clip(one_line(t.artist), OPTION_TEXT_LIMIT) or None,
                value=t.track_id,
            )
        )
    return options[:25]


def results_view(
    rec: Recommendation, *, next_key: str | None = None, chat: bool = False, playlists: bool = False
) -> discord.ui.View | None:
    """Buttons for a page of tracks: "More like #1…#10" (rows 1–2), "Next page" (row 3), playlist menu (row 4).

    ``next_key`` makes a slash-command "Next page"; ``chat`` a conversation "Next page" instead.
    Returns None when there is nothing to click.
    """
    tracks = [it.track for it in rec.tracks[:PAGE_SIZE]]
    view = discord.ui.View(timeout=None)
    for n, track in enumerate(tracks, 1):
        if _playable_id(track.track_id):
            view.add_item(MoreLikeButton(n, track.track_id, row=0 if n <= 5 else 1))
    if next_key:
        item: discord.ui.Item[Any] = NextPageButton(next_key)
        item.row = 2
        view.add_item(item)
    elif chat:
        item = ChatMoreButton()
        item.row = 2
        view.add_item(item)
    if playlists:
        options = _playlist_options(tracks)
        if options:
            menu = PlaylistSelect(options)
            menu.row = 3
            view.add_item(menu)
    return view if view.children else None


def song_view(track: Track, *, playlists: bool = False) -> discord.ui.View:
    """Under one track: "More like this", a link to Spotify and (with a playlist hook) "Add to playlist…"."""
    view = discord.ui.View(timeout=None)
    if _playable_id(track.track_id):
        view.add_item(MoreLikeButton(1, track.track_id, label="More like this"))
    if _playable_id(track.track_id):
        view.add_item(discord.ui.Button(label="Open in Spotify", url=track.spotify_url))
    if playlists:
        options = _playlist_options([track])
        if options:
            menu = PlaylistSelect(options)
            menu.row = 1
            view.add_item(menu)
    return view


def preview_view(track: Track, audio_url: str | None = None) -> discord.ui.View:
    """Link buttons for /preview: Spotify track page, Spotify embed player, and the audio preview when known."""
    view = discord.ui.View(timeout=None)
    if _playable_id(track.track_id):
        view.add_item(discord.ui.Button(label="Open in Spotify", url=track.spotify_url))
        view.add_item(
            discord.ui.Button(label="Spotify player", url=f"https://open.spotify.com/embed/track/{track.track_id}")
        )
    if audio_url and audio_url.startswith("https://") and len(audio_url) <= 512:
        view.add_item(discord.ui.Button(label="30-second preview", url=audio_url))
    return view


def chat_view(reply: ChatReply, *, playlists: bool = False) -> discord.ui.View | None:
    """Buttons for a chat answer: per-track "More like #n" + conversation "Next page", or a track's buttons."""
    if reply.recommendation is not None and reply.recommendation.tracks:
        chat_more = reply.recommendation.kind != "search"
        return results_view(reply.recommendation, chat=chat_more, playlists=playlists)
    if reply.track is not None:
        return song_view(reply.track, playlists=playlists)
    return None
