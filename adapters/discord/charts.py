"""Charts on Discord: ``/chart [song]`` and the "📊 Chart" buttons under lists and song cards.

The PNG (:mod:`core.charts`, chosen and captioned by :mod:`core.chart_replies`) is attached as ``chart.png`` and shown
inside the embed with ``embed.set_image(url="attachment://chart.png")``: a song's chart in its track embed, a list's
chart in an embed titled with the caption. Discord lets bots attach up to :data:`MAX_ATTACHMENT_BYTES`; a chart is
~100 kB. When nothing was drawn (no audio features, a drawing error or timeout, an oversized file) the reply is the
same data without the picture — a chart never breaks a reply. Drawing may take over a second the first time
(matplotlib is imported then), so every path defers first (Discord wants an answer within 3 s).

Buttons (persistent :class:`discord.ui.DynamicItem`, registered with the others in ``setup_hook``):

=========================  ==========================================================================
``mb:chart:t:<track_id>``  "📊 Chart" under a song card: that track's audio features
``mb:chart:k:<key>``       "📊 Chart" under slash-command results: the page stored under ``key``
``mb:chart:c``             "📊 Chart" under a chat answer: the list on screen in this channel's conversation
=========================  ==========================================================================
"""

from __future__ import annotations

import io
import re
from typing import Any, Optional

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.floods import FloodChecked
from adapters.discord.render import DESCRIPTION_LIMIT, SPOTIFY_GREEN, TITLE_LIMIT, md, track_embed
from adapters.discord.replies import (
    caller_of,
    channel_lang,
    chat,
    context,
    defer,
    group_of,
    handle_error,
    is_group_admin,
    send,
)
from adapters.discord.transformers import SongRef
from core.chart_replies import list_chart_reply, page_subject, track_chart_reply
from core.commands import summary
from core.error_words import invalid
from core.reply_words import say
from core.lookup import CatalogLookup
from core.models import ChatReply, Filters

#: Largest attachment a bot may upload to any server (Discord: 10 MiB since 2024-09 for unboosted servers).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
#: Name of the attached PNG (the embed shows it with ``attachment://chart.png``).
CHART_FILENAME = "chart.png"


def chart_message(reply: ChatReply) -> tuple[str | None, list[discord.Embed], list[discord.File]]:
    """``(content, embeds, files)`` for a chart reply: the track embed or a list embed with the PNG as its image;
    without a (sendable) PNG, the same embed or text with no picture."""
    png = reply.chart if reply.chart is not None and len(reply.chart) <= MAX_ATTACHMENT_BYTES else None
    if reply.track is not None:
        lines = reply.text.split("\n")
        note = "\n".join(line for line in lines if line and line != f"{reply.track.title} - {reply.track.artist}")
        embed = track_embed(reply.track, note=note)
    else:
        embed = discord.Embed(title=md(reply.text.split("\n")[0], TITLE_LIMIT) or "Chart", colour=SPOTIFY_GREEN)
        rec = reply.recommendation
        if rec is not None and rec.tracks:
            lines = [f"{i}. {md(t.track.title, 80)} — {md(t.track.artist, 60)}" for i, t in enumerate(rec.tracks, 1)]
            embed.description = "\n".join(lines)[:DESCRIPTION_LIMIT]
        if png is None and reply.recommendation is None:
            return md(reply.text, 2000), [], []
    if png is None:
        return None, [embed], []
    embed.set_image(url=f"attachment://{CHART_FILENAME}")
    return None, [embed], [discord.File(io.BytesIO(png), filename=CHART_FILENAME)]


async def send_chart(interaction: discord.Interaction, reply: ChatReply) -> None:
    """Send a chart reply (after :func:`defer`)."""
    content, embeds, files = chart_message(reply)
    await send(interaction, content=content, embeds=embeds, files=files)


class ChartButton(FloodChecked, discord.ui.DynamicItem[discord.ui.Button], template=r"mb:chart:(?P<what>[tkc])(?::(?P<ref>[A-Za-z0-9_-]{1,40}))?"):
    """ "📊 Chart" of a track (``t``), a stored slash-command page (``k``) or the channel's chat list (``c``)."""

    def __init__(self, what: str, ref: str = "", row: int | None = None, lang: str = "en") -> None:
        custom_id = f"mb:chart:{what}" + (f":{ref}" if ref else "")
        super().__init__(
            discord.ui.Button(label=say("chart", lang), emoji="📊", style=discord.ButtonStyle.secondary, custom_id=custom_id),
            row=row,
        )
        self.what, self.ref = what, ref

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):  # type: ignore[override]
        return cls(match["what"], match["ref"] or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await defer(interaction)
            await send_chart(interaction, await self.reply(interaction))
        except Exception as exc:
            await handle_error(interaction, exc)

    async def reply(self, interaction: discord.Interaction) -> ChatReply:
        bot = context(interaction)
        if self.what == "t":
            track = CatalogLookup(bot.services).track(self.ref)
            if track is None:
                raise invalid("gone")
            return await track_chart_reply(track, lang=await channel_lang(interaction))
        if self.what == "k":
            state = await bot.store.load(self.ref)
            if state is None:
                raise invalid("list expired")
            ids = state.shown[-state.page_size:] if state.page_size else state.shown
            filters = Filters(**state.filters) if state.filters else None
            rec, refs = await page_subject(bot.services.discovery, state.kind, state.query, ids, state.refs, filters)
            if rec is None:
                raise invalid("tracks gone")
            return await list_chart_reply(rec, refs, await channel_lang(interaction))
        return await chat(bot, interaction.channel_id, caller_of(interaction), "/chart", group=group_of(interaction),
                          group_admin=is_group_admin(interaction))


def add_chart_button(view: discord.ui.View | None, what: str, ref: str = "", row: int = 2) -> discord.ui.View:
    """``view`` (or a new persistent one) with a "📊 Chart" button on ``row``."""
    view = view or discord.ui.View(timeout=None)
    view.add_item(ChartButton(what, ref, row=row))
    return view


class ChartCog(commands.Cog):
    """``/chart [song]``."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="chart", description=summary("chart"))
    @app_commands.describe(song="A song to picture (title, “title - artist”, link or id); empty = the last list here")
    async def chart(self, interaction: discord.Interaction, song: Optional[app_commands.Transform[str, SongRef]] = None) -> None:
        bot: Any = context(interaction)
        await defer(interaction)
        text = f"/chart {song}" if song else "/chart"
        reply = await chat(bot, interaction.channel_id, caller_of(interaction), text, group=group_of(interaction),
                           group_admin=is_group_admin(interaction))
        await send_chart(interaction, reply)
