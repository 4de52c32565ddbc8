"""Pages of tracks: run a request against the engine, render it, store it for "Next page", send it.

Used by the slash commands (first page) and the persistent buttons (next page, more like #n, chat next page).
Callers are expected to have deferred already when the work may be slow.
"""

from __future__ import annotations

import discord

from core.errors import InvalidInput
from core.models import Filters, NeedsClarification, Recommendation

from adapters.discord.render import PAGE_SIZE, chat_message, clarification_text, recommendation_embed
from adapters.discord.replies import caller_of, context, conversation_id, defer, send
from adapters.discord.store import PageState
from adapters.discord.views import chat_view, results_view

#: Search results are capped at 50 by the engine: five pages of ten.
SEARCH_MAX = 50


async def run_page(interaction: discord.Interaction, state: PageState) -> Recommendation | NeedsClarification:
    """The page after ``state`` (page ``state.page + 1``), never repeating a track in ``state.shown``.

    Raises:
        InvalidInput, SongNotFound: from the engine (re-validated there).
    """
    engine = context(interaction).engine
    size = state.page_size
    if state.kind == "search":
        start = state.page * size
        if start >= SEARCH_MAX:
            return Recommendation(kind="search", query=state.query)
        rec = await engine.search(state.query, limit=min(SEARCH_MAX, start + size))
        return rec.model_copy(update={"tracks": rec.tracks[start : start + size]})
    if state.kind == "similar":
        filters = Filters(**{**state.filters, "limit": size})
        return await engine.recommend_similar(state.refs, filters=filters, exclude_ids=state.shown)
    filters = Filters(**state.filters) if state.filters else None
    return await engine.recommend_text(state.query, filters=filters, exclude_ids=state.shown, limit=size)


async def show_page(interaction: discord.Interaction, state: PageState, *, title: str | None = None) -> None:
    """Compute, store and send the next page of ``state`` with its buttons."""
    bot = context(interaction)
    result = await run_page(interaction, state)
    if isinstance(result, NeedsClarification):
        await send(interaction, content=clarification_text(result))
        return
    if not result.tracks:
        text = "That's all I have for this request." if state.page else "No tracks match — try loosening the request."
        await send(interaction, content=text)
        return
    after = state.advance([it.track.track_id for it in result.tracks])
    key = await bot.store.save(after)
    embed = recommendation_embed(result, title=title, page=after.page)
    view = results_view(result, next_key=key, playlists=bot.hooks.playlists is not None)
    await send(interaction, embeds=[embed], view=view)


async def more_like(interaction: discord.Interaction, track_id: str) -> None:
    """ "More like #n": a first page of tracks similar to ``track_id``."""
    await defer(interaction)
    await show_page(interaction, PageState(kind="similar", refs=[track_id], page_size=PAGE_SIZE))


async def next_page(interaction: discord.Interaction, key: str) -> None:
    """ "Next page" of the request stored under ``key``.

    Raises:
        InvalidInput: the key is unknown or expired.
    """
    await defer(interaction)
    state = await context(interaction).store.load(key)
    if state is None:
        raise InvalidInput("This list has expired — run the command again for fresh results.")
    await show_page(interaction, state)


async def chat_more(interaction: discord.Interaction) -> None:
    """Chat "Next page": ``/more`` in this channel's conversation with the engine."""
    bot = context(interaction)
    await defer(interaction)
    reply = await bot.engine.chat(conversation_id(interaction.channel_id), caller_of(interaction), "/more")
    rendered = chat_message(reply)
    view = chat_view(reply, playlists=bot.hooks.playlists is not None)
    await send(interaction, content=rendered.content, embeds=rendered.embeds, view=view)
