"""User slash commands: /recommend, /similar, /search, /song, /preview, /like, /dislike, /reset, /help.

Each handler is thin: arguments arrive parsed (``app_commands.Range``, :mod:`adapters.discord.transformers`),
slow work is deferred, the engine does the real work (and re-validates), :mod:`adapters.discord.pages` /
:mod:`adapters.discord.render` build the reply. Errors propagate to the tree's error handler
(:func:`adapters.discord.replies.handle_error`), which answers ephemerally.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

import discord
from discord import app_commands
from discord.ext import commands

from core.spotify_links import find_links
from core.commands import help_lines, summary
from core.errors import InvalidInput
from core.lookup import CatalogLookup
from core.limits import MAX_TRACKS
from core.models import Track
from core.reply_words import localize_note, say

from adapters.discord.feedback import rate
from adapters.discord.pages import show_page
from adapters.discord.render import PAGE_SIZE, preview_text, track_embed
from adapters.discord.replies import BotContext, caller_of, channel_lang, context, conversation_id, defer, send
from adapters.discord.store import PageState
from adapters.discord.transformers import SongRef, SongRefs, genre_choices
from adapters.discord.views import preview_view, song_view

log = logging.getLogger("adapters.discord")

#: Tracks per page: Discord shows one embed of at most PAGE_SIZE; never above the product maximum (core.limits).
Count = app_commands.Range[int, 1, min(PAGE_SIZE, MAX_TRACKS)]
Year = app_commands.Range[int, 1900, 2100]
Genre = app_commands.Range[str, 1, 100]


def edge_filters(genre: str | None, year_from: int | None, year_to: int | None) -> dict[str, Any]:
    """The explicitly given filters as :class:`core.models.Filters` fields.

    Raises:
        InvalidInput: ``year_from`` after ``year_to``.
    """
    if year_from is not None and year_to is not None and year_from > year_to:
        raise InvalidInput(f"year_from ({year_from}) is after year_to ({year_to}).", "year_from")
    out: dict[str, Any] = {}
    if genre and genre.strip():
        out["genres"] = [genre.strip()]
    if year_from is not None:
        out["year_min"] = year_from
    if year_to is not None:
        out["year_max"] = year_to
    return out


class MusicCog(commands.Cog):
    """Everything a listener can do."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @app_commands.command(name="recommend", description=summary("recommend"))
    @app_commands.describe(
        text="What you'd like to hear, e.g. “chill lo-fi for studying” or “upbeat 80s workout”",
        count="How many tracks (1–10)",
        genre="Only this genre or subgenre",
        year_from="Released in or after this year",
        year_to="Released in or before this year",
    )
    @app_commands.autocomplete(genre=genre_choices)
    async def recommend(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        count: Count = PAGE_SIZE,
        genre: Optional[Genre] = None,
        year_from: Optional[Year] = None,
        year_to: Optional[Year] = None,
    ) -> None:
        filters = edge_filters(genre, year_from, year_to)
        await defer(interaction)
        await show_page(interaction, PageState(kind="text", query=text, filters=filters, page_size=count))

    @app_commands.command(name="similar", description=summary("similar"))
    @app_commands.describe(
        songs="Songs separated by ; — title, “title - artist”, Spotify link or id (autocompletes)",
        count="How many tracks (1–10)",
        genre="Only this genre or subgenre",
        year_from="Released in or after this year",
        year_to="Released in or before this year",
    )
    @app_commands.autocomplete(genre=genre_choices)
    async def similar(
        self,
        interaction: discord.Interaction,
        songs: app_commands.Transform[list[str], SongRefs],
        count: Count = PAGE_SIZE,
        genre: Optional[Genre] = None,
        year_from: Optional[Year] = None,
        year_to: Optional[Year] = None,
    ) -> None:
        filters = edge_filters(genre, year_from, year_to)
        services = context(interaction).services
        if any(lk.kind == "short" for ref in songs for lk in find_links(ref)):
            await defer(interaction)  # following a short link may take up to 3 s: answer the interaction first
            for ref in songs:
                await services.tracks.follow_short_links(ref)
        # resolve first (in memory, fast): an unknown song is refused privately, before any public "thinking…"
        found = [services.tracks.resolve_ref(ref) for ref in songs]
        ids = CatalogLookup(services).ids(found)
        await defer(interaction)
        notice = "\n".join(dict.fromkeys(f.note for f in found if f.note)) or None  # never swap silently
        await show_page(interaction, PageState(kind="similar", refs=ids, filters=filters, page_size=count), notice=notice)

    @app_commands.command(name="search", description=summary("search"))
    @app_commands.describe(query="Words from a title, artist or album")
    async def search(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]) -> None:
        await defer(interaction)
        await show_page(interaction, PageState(kind="search", query=query, page_size=PAGE_SIZE))

    @app_commands.command(name="song", description=summary("song"))
    @app_commands.describe(ref="Title, “title - artist”, Spotify link or id (autocompletes)")
    async def song(self, interaction: discord.Interaction, ref: app_commands.Transform[str, SongRef]) -> None:
        bot = context(interaction)
        # in-memory lookup: fast, no defer needed; the track becomes the channel's "that one" ("not that artist")
        track, note = await bot.services.sessions.show_track(conversation_id(interaction.channel_id), ref)
        lang = await channel_lang(interaction)  # the card's labels, key and note in the channel's language
        await send(interaction, embeds=[track_embed(track, note=localize_note(note, lang), lang=lang)],
                   view=song_view(track, lang=lang))

    @app_commands.command(name="preview", description=summary("preview"))
    @app_commands.describe(ref="Title, “title - artist”, Spotify link or id (autocompletes)")
    async def preview(self, interaction: discord.Interaction, ref: app_commands.Transform[str, SongRef]) -> None:
        bot = context(interaction)
        track = await bot.services.tracks.get_track(ref)  # an unknown song is refused privately, before "thinking…"
        await defer(interaction)  # the lookup may hit the network (Spotify -> Deezer -> iTunes)
        audio_url, source = await find_preview(bot, track)
        lang = await channel_lang(interaction)
        await send(
            interaction,
            content=preview_text(track, audio_url, source=source, looked_up=True, lang=lang),
            view=preview_view(track, audio_url, lang=lang),
        )

    @app_commands.command(name="like", description=summary("like"))
    @app_commands.describe(song="Title, “title - artist”, Spotify link or id (autocompletes)")
    async def like(self, interaction: discord.Interaction, song: app_commands.Transform[str, SongRef]) -> None:
        await rate(interaction, "like", song)

    @app_commands.command(name="dislike", description=summary("dislike"))
    @app_commands.describe(song="Title, “title - artist”, Spotify link or id (autocompletes)")
    async def dislike(self, interaction: discord.Interaction, song: app_commands.Transform[str, SongRef]) -> None:
        await rate(interaction, "dislike", song)

    @app_commands.command(name="reset", description=summary("reset"))
    async def reset(self, interaction: discord.Interaction) -> None:
        services = context(interaction).services
        reply = await services.chat.chat(conversation_id(interaction.channel_id), caller_of(interaction), "/reset")
        await send(interaction, content=reply.text or say("cleared", reply.lang), ephemeral=True)

    @app_commands.command(name="help", description=summary("help"))
    async def help(self, interaction: discord.Interaction) -> None:
        await send(interaction, content=help_text(), ephemeral=True)


async def find_preview(bot: BotContext, track: Track) -> tuple[str | None, str | None]:
    """``(audio URL, source)`` of a track's 30-second preview, or ``(None, None)``; within
    ``hooks.preview_timeout_s``, never raises (a preview must never fail the reply).

    ``hooks.previews`` when plugged in, else ``services.personal.preview`` (Spotify → Deezer → iTunes, cached in SQLite).
    """
    try:
        source = bot.hooks.previews
        if source is not None:
            url = await asyncio.wait_for(source.preview_url(track), bot.hooks.preview_timeout_s)
            return url, None
        found = await asyncio.wait_for(bot.services.personal.preview(track.track_id), bot.hooks.preview_timeout_s)
        return found.preview_url, (found.source if found.preview_url else None)
    except Exception as exc:
        log.warning("preview lookup failed for %s: %s", track.track_id, exc)
        return None, None


def help_text() -> str:
    """Discord help: the registry's slash commands (:mod:`core.commands`) plus chatting by mention or DM."""
    lines = [f"**{usage}** — {text}" for usage, text in help_lines("discord")]
    lines += [
        "`#n` in a song option means track n of the last list shown in this channel.",
        "Under lists: **More like #n**, **Next page**, **📊 Chart**, **➕ Add to playlist…** and **👍 / 👎**.",
        "Or mention me (or DM me) with what you'd like to hear.",
        "Admins: " + ", ".join(f"**{usage}**" for usage, _ in help_lines("discord", admin=True)
                               if usage not in {u for u, _ in help_lines("discord")}) + ".",
    ]
    return "\n".join(lines)
