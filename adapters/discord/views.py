"""Persistent buttons and menus under bot replies; they keep working after a restart.

Every component is a :class:`discord.ui.DynamicItem` whose ``custom_id`` carries what it needs, parsed back by a
regular expression when clicked (registered once with ``bot.add_dynamic_items`` in ``setup_hook``; views are sent
with ``timeout=None``):

==============================  ==========================================================================
``mb:more:<n>:<track_id>``      "More like #n": tracks similar to that track (the id is in the custom_id)
``mb:next:<key>``               "Next page": the request is stored under ``key`` (:mod:`adapters.discord.store`)
``mb:chat:more``                "Next page" of a chat answer: continues the channel's conversation
``mb:pl:add``                   "Add to playlist…" menu of a list's tracks (option values are track ids)
``mb:pl:btn:<track_id>``        "Add to playlist" button under one track (song card, /preview)
``mb:pl:to:<track_id>``         the (private) menu of this server's playlists (values: playlist ids, ``new``)
``mb:fb``                       "👍 / 👎" menu of a list's tracks (values ``like:<id>`` / ``dislike:<id>``)
``mb:fb:<like|dislike>:<id>``   👍 / 👎 buttons under one track
``mb:pls:<playlist>:<page>:<d>``  /playlist show "◀ Prev" / "Next ▶" (``d`` = p / n); edits the message
``mb:plx:<playlist>``           /playlist show "Export" (links to the clicker, privately)
``mb:plr:<playlist>``           /playlist show "Recommend" (tracks for the playlist)
``mb:chart:<t|k|c>[:<ref>]``    "📊 Chart" of a track / stored page / the channel's chat list (:mod:`adapters.discord.charts`)
==============================  ==========================================================================

Playlist ids are looked up in the clicker's group (the server, or their DMs), so a button can only ever reach the
playlists of the place it is clicked in. All ids stay far below Discord's 100-character limit. Callbacks route errors to
:func:`adapters.discord.replies.handle_error` (discord.py only logs errors raised in dynamic items). Every item is
:class:`~adapters.discord.floods.FloodChecked`: a flooding user's presses are refused before the callback runs.
"""

from __future__ import annotations

import re
from typing import Any

import discord

from core.models import ChatReply, Recommendation, Track
from core.reply_words import say
from core.playlists import Playlist
from core.playlists.wording import tracks_text

from adapters.discord.render import BUTTON_LABEL_LIMIT, OPTION_TEXT_LIMIT, PAGE_SIZE, clip, one_line
from adapters.discord.floods import FloodChecked
from adapters.discord.replies import handle_error
from adapters.discord.charts import ChartButton

_ID = r"[0-9A-Za-z]{1,40}"


class MoreLikeButton(FloodChecked, discord.ui.DynamicItem[discord.ui.Button], template=rf"mb:more:(?P<n>\d{{1,2}}):(?P<tid>{_ID})"):
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


class NextPageButton(FloodChecked, discord.ui.DynamicItem[discord.ui.Button], template=r"mb:next:(?P<key>[A-Za-z0-9_-]{6,40})"):
    """ "Next page" of a stored request (slash-command results)."""

    def __init__(self, key: str, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=say("next page", lang), style=discord.ButtonStyle.primary, emoji="➡️", custom_id=f"mb:next:{key}"
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


class ChatMoreButton(FloodChecked, discord.ui.DynamicItem[discord.ui.Button], template=r"mb:chat:more"):
    """ "Next page" of a chat answer: asks the engine for more in this channel's conversation."""

    def __init__(self, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(label=say("next page", lang), style=discord.ButtonStyle.primary, emoji="➡️",
                              custom_id="mb:chat:more")
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


class PlaylistSelect(FloodChecked, discord.ui.DynamicItem[discord.ui.Select], template=r"mb:pl:add"):
    """ "Add to playlist…" — a menu of the listed tracks; picking one opens the server's playlists privately
    (or, with :attr:`adapters.discord.hooks.Hooks.playlists`, hands the track to that sink)."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id="mb:pl:add",
                placeholder="➕ Add to playlist…",
                options=options or [discord.SelectOption(label="(none)", value="-")],
                min_values=1,
                max_values=1,
            )
        )

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /):  # type: ignore[override]
        return cls(list(item.options))

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.playlists import pick_track_for_playlist

        try:
            values = self.item.values
            await pick_track_for_playlist(interaction, values[0] if values else "-", menu=True)
        except Exception as exc:
            await handle_error(interaction, exc)


class AddToPlaylistButton(FloodChecked, discord.ui.DynamicItem[discord.ui.Button], template=rf"mb:pl:btn:(?P<tid>{_ID})"):
    """ "Add to playlist" under one track: opens the server's playlists privately."""

    def __init__(self, track_id: str, row: int | None = None, lang: str = "en") -> None:
        super().__init__(
            discord.ui.Button(
                label=say("add to playlist", lang),
                emoji="➕",
                style=discord.ButtonStyle.secondary,
                custom_id=f"mb:pl:btn:{track_id}",
            ),
            row=row,
        )
        self.track_id = track_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):  # type: ignore[override]
        return cls(match["tid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.playlists import pick_track_for_playlist

        try:
            await pick_track_for_playlist(interaction, self.track_id)
        except Exception as exc:
            await handle_error(interaction, exc)


#: Value of the "new playlist" option of :class:`PlaylistPickSelect`.
NEW_PLAYLIST = "new"


class PlaylistPickSelect(FloodChecked, discord.ui.DynamicItem[discord.ui.Select], template=rf"mb:pl:to:(?P<tid>{_ID})"):
    """The server's playlists (≤ 24, most recently changed first) + "New playlist…"; adds the track to the pick."""

    def __init__(self, track_id: str, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=f"mb:pl:to:{track_id}",
                placeholder="Choose a playlist…",
                options=options or [discord.SelectOption(label="New playlist…", value=NEW_PLAYLIST, emoji="🆕")],
                min_values=1,
                max_values=1,
            )
        )
        self.track_id = track_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /):  # type: ignore[override]
        return cls(match["tid"], list(item.options))

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.playlists import add_picked

        try:
            values = self.item.values
            await add_picked(interaction, self.track_id, values[0] if values else "")
        except Exception as exc:
            await handle_error(interaction, exc)


class FeedbackSelect(FloodChecked, discord.ui.DynamicItem[discord.ui.Select], template=r"mb:fb"):
    """ "👍 / 👎" — like or dislike one of the listed tracks (values ``like:<id>`` / ``dislike:<id>``)."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id="mb:fb",
                placeholder="👍 / 👎 Rate a track (tunes your next picks)…",
                options=options or [discord.SelectOption(label="(none)", value="-")],
                min_values=1,
                max_values=1,
            )
        )

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str], /):  # type: ignore[override]
        return cls(list(item.options))

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.feedback import rate_from_menu

        try:
            values = self.item.values
            await rate_from_menu(interaction, values[0] if values else "-")
        except Exception as exc:
            await handle_error(interaction, exc)


class FeedbackButton(
    FloodChecked, discord.ui.DynamicItem[discord.ui.Button], template=rf"mb:fb:(?P<value>like|dislike):(?P<tid>{_ID})"
):
    """👍 / 👎 under one track."""

    def __init__(self, value: str, track_id: str, row: int | None = None, lang: str = "en") -> None:
        like = value == "like"
        super().__init__(
            discord.ui.Button(
                label=say("like" if like else "dislike", lang),
                emoji="👍" if like else "👎",
                style=discord.ButtonStyle.success if like else discord.ButtonStyle.secondary,
                custom_id=f"mb:fb:{value}:{track_id}",
            ),
            row=row,
        )
        self.value = "like" if like else "dislike"
        self.track_id = track_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):  # type: ignore[override]
        return cls(match["value"], match["tid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.feedback import rate

        try:
            await rate(interaction, self.value, self.track_id)
        except Exception as exc:
            await handle_error(interaction, exc)


class PlaylistPageButton(
    FloodChecked, discord.ui.DynamicItem[discord.ui.Button], template=r"mb:pls:(?P<pid>\d{1,12}):(?P<page>\d{1,4}):(?P<d>[pn])"
):
    """ "◀ Prev" / "Next ▶" of /playlist show: shows that page in place (edits the message)."""

    def __init__(self, playlist_id: int, page: int, direction: str, disabled: bool = False, lang: str = "en") -> None:
        prev = direction == "p"
        super().__init__(
            discord.ui.Button(
                label=say("prev" if prev else "next", lang),
                emoji="◀️" if prev else "▶️",
                style=discord.ButtonStyle.primary,
                custom_id=f"mb:pls:{playlist_id}:{page}:{'p' if prev else 'n'}",
                disabled=disabled,
            ),
            row=0,
        )
        self.playlist_id = playlist_id
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):  # type: ignore[override]
        return cls(int(match["pid"]), int(match["page"]), match["d"])

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.playlists import turn_page

        try:
            await turn_page(interaction, self.playlist_id, self.page)
        except Exception as exc:
            await handle_error(interaction, exc)


class PlaylistActionButton(
    FloodChecked, discord.ui.DynamicItem[discord.ui.Button], template=r"mb:pl(?P<action>[xr]):(?P<pid>\d{1,12})"
):
    """ "Export" (``x``: the links, privately) / "Recommend" (``r``: tracks for the playlist) under /playlist show."""

    def __init__(self, action: str, playlist_id: int, lang: str = "en") -> None:
        export = action == "x"
        super().__init__(
            discord.ui.Button(
                label=say("export links" if export else "recommend similar", lang),
                emoji="📤" if export else "✨",
                style=discord.ButtonStyle.secondary,
                custom_id=f"mb:pl{'x' if export else 'r'}:{playlist_id}",
            ),
            row=0,
        )
        self.action = "x" if export else "r"
        self.playlist_id = playlist_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):  # type: ignore[override]
        return cls(match["action"], int(match["pid"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        from adapters.discord.playlists import export_playlist, recommend_playlist

        try:
            if self.action == "x":
                await export_playlist(interaction, self.playlist_id, ephemeral=True)
            else:
                await recommend_playlist(interaction, self.playlist_id)
        except Exception as exc:
            await handle_error(interaction, exc)


#: Every dynamic item class, for ``bot.add_dynamic_items(*DYNAMIC_ITEMS)``.
DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    ChartButton,
    MoreLikeButton,
    NextPageButton,
    ChatMoreButton,
    PlaylistSelect,
    AddToPlaylistButton,
    PlaylistPickSelect,
    FeedbackSelect,
    FeedbackButton,
    PlaylistPageButton,
    PlaylistActionButton,
)


def _playable_id(track_id: str) -> bool:
    return re.fullmatch(_ID, track_id) is not None


def _label(n: int, track: Track) -> str:
    return clip(f"#{n} {one_line(track.title) or '(untitled)'}", OPTION_TEXT_LIMIT)


def _playlist_options(tracks: list[Track]) -> list[discord.SelectOption]:
    """One option per listed track (value = track id), at most 25."""
    options = []
    for n, t in enumerate(tracks, 1):
        if not _playable_id(t.track_id):
            continue
        options.append(
            discord.SelectOption(
                label=_label(n, t), description=clip(one_line(t.artist), OPTION_TEXT_LIMIT) or None, value=t.track_id
            )
        )
    return options[:25]


def _feedback_options(tracks: list[Track], lang: str = "en") -> list[discord.SelectOption]:
    """👍 then 👎 per listed track (values ``like:<id>`` / ``dislike:<id>``), at most 25 options (12 tracks); the
    verbs in ``lang``."""
    options = []
    for n, t in enumerate(tracks[:12], 1):
        if not _playable_id(t.track_id):
            continue
        artist = clip(one_line(t.artist), OPTION_TEXT_LIMIT - 12)
        for value, emoji, verb in (("like", "👍", say("like", lang)), ("dislike", "👎", say("dislike", lang))):
            options.append(
                discord.SelectOption(
                    label=_label(n, t),
                    description=clip(f"{verb} · {artist}" if artist else verb, OPTION_TEXT_LIMIT),
                    value=f"{value}:{t.track_id}",
                    emoji=emoji,
                )
            )
    return options[:25]


def results_view(
    rec: Recommendation,
    *,
    next_key: str | None = None,
    chat: bool = False,
    playlists: bool = True,
    feedback: bool = True,
) -> discord.ui.View | None:
    """Buttons and menus for a page of tracks, in Discord's 5 rows: "More like #1…#10" (rows 1–2), "Next page"
    (row 3), the "Add to playlist…" menu (row 4) and the "👍 / 👎" menu (row 5).

    ``next_key`` makes a slash-command "Next page"; ``chat`` a conversation "Next page" instead.
    Returns None when there is nothing to click.
    """
    tracks = [it.track for it in rec.tracks[:PAGE_SIZE]]
    view = discord.ui.View(timeout=None)
    for n, track in enumerate(tracks, 1):
        if _playable_id(track.track_id):
            view.add_item(MoreLikeButton(n, track.track_id, label=say("more like n", rec.lang, n=n), row=0 if n <= 5 else 1))
    if next_key:
        item: discord.ui.Item[Any] = NextPageButton(next_key, rec.lang)
        item.row = 2
        view.add_item(item)
    elif chat:
        item = ChatMoreButton(rec.lang)
        item.row = 2
        view.add_item(item)
    if tracks and (next_key or chat or rec.kind == "search"):  # "📊 Chart" of exactly this page
        view.add_item(ChartButton("k", next_key, row=2, lang=rec.lang) if next_key else ChartButton("c", row=2, lang=rec.lang))
    if playlists:
        options = _playlist_options(tracks)
        if options:
            menu: discord.ui.Item[Any] = PlaylistSelect(options)
            menu.row = 3
            view.add_item(menu)
    if feedback:
        options = _feedback_options(tracks, rec.lang)
        if options:
            menu = FeedbackSelect(options)
            menu.row = 4
            view.add_item(menu)
    return view if view.children else None


def track_actions(view: discord.ui.View, track: Track, row: int, lang: str = "en") -> None:
    """👍 / 👎 / "Add to playlist" buttons for one track, on ``row`` (labelled in ``lang``)."""
    if _playable_id(track.track_id):
        view.add_item(FeedbackButton("like", track.track_id, row=row, lang=lang))
        view.add_item(FeedbackButton("dislike", track.track_id, row=row, lang=lang))
        view.add_item(AddToPlaylistButton(track.track_id, row=row, lang=lang))


def song_view(track: Track, *, playlists: bool = True, lang: str = "en") -> discord.ui.View:
    """Under one track: "More like this" (in ``lang``), a link to Spotify; then 👍, 👎 and "Add to playlist"."""
    view = discord.ui.View(timeout=None)
    if _playable_id(track.track_id):
        view.add_item(MoreLikeButton(1, track.track_id, label=say("more like this", lang), row=0))
        view.add_item(discord.ui.Button(label=say("open in spotify", lang), url=track.spotify_url, row=0))
        view.add_item(ChartButton("t", track.track_id, row=0, lang=lang))
    if playlists:
        track_actions(view, track, row=1, lang=lang)
    return view


def preview_view(track: Track, audio_url: str | None = None, *, actions: bool = True, lang: str = "en") -> discord.ui.View:
    """/preview: link buttons (Spotify track page, Spotify embed player, the audio preview when known), then 👍, 👎
    and "Add to playlist" (labelled in ``lang``)."""
    view = discord.ui.View(timeout=None)
    if _playable_id(track.track_id):
        view.add_item(discord.ui.Button(label=say("open in spotify", lang), url=track.spotify_url, row=0))
        view.add_item(
            discord.ui.Button(
                label=say("spotify player", lang), url=f"https://open.spotify.com/embed/track/{track.track_id}", row=0
            )
        )
    if audio_url and audio_url.startswith("https://") and len(audio_url) <= 512:
        view.add_item(discord.ui.Button(label=say("preview link", lang), emoji="▶️", url=audio_url, row=0))
    if actions:
        track_actions(view, track, row=1, lang=lang)
    return view


def chat_view(reply: ChatReply, *, playlists: bool = True, feedback: bool = True) -> discord.ui.View | None:
    """Buttons for a chat answer: per-track "More like #n" + conversation "Next page" + menus, or a track's
    buttons."""
    if reply.recommendation is not None and reply.recommendation.tracks:
        chat_more = reply.recommendation.kind != "search"
        return results_view(reply.recommendation, chat=chat_more, playlists=playlists, feedback=feedback)
    if reply.track is not None:
        return song_view(reply.track, playlists=playlists, lang=reply.lang)
    return None


# ---------------------------------------------------------------------------------------------------- playlists
#: Playlists offered by the private "Choose a playlist…" menu (plus "New playlist…" = 25 options).
PICKER_PLAYLISTS = 24


def picker_view(track_id: str, playlists: list[Playlist], lang: str = "en") -> discord.ui.View:
    """The private "Choose a playlist…" menu for ``track_id``: up to 24 playlists, most recently changed first,
    then "New playlist…" (in ``lang``)."""
    recent = sorted(playlists, key=lambda p: p.updated_at, reverse=True)[:PICKER_PLAYLISTS]
    options = [
        discord.SelectOption(
            label=clip(one_line(p.name) or f"Playlist #{p.playlist_id}", OPTION_TEXT_LIMIT),
            description=tracks_text(p.track_count, lang),
            value=str(p.playlist_id),
        )
        for p in recent
    ]
    options.append(discord.SelectOption(label=say("new playlist…", lang), value=NEW_PLAYLIST, emoji="🆕"))
    view = discord.ui.View(timeout=None)
    view.add_item(PlaylistPickSelect(track_id, options))
    return view


def playlist_page_view(playlist_id: int, page: int, pages: int, total: int, lang: str = "en") -> discord.ui.View:
    """Under /playlist show: ◀ Prev, Next ▶ (disabled at the ends), Export links, Recommend similar (in ``lang``)."""
    view = discord.ui.View(timeout=None)
    if pages > 1:
        view.add_item(PlaylistPageButton(playlist_id, max(page - 1, 0), "p", disabled=page <= 1, lang=lang))
        view.add_item(PlaylistPageButton(playlist_id, min(page + 1, pages + 1), "n", disabled=page >= pages, lang=lang))
    if total:
        view.add_item(PlaylistActionButton("x", playlist_id, lang))
        view.add_item(PlaylistActionButton("r", playlist_id, lang))
    return view
