"""Pages of tracks: run a request against the engine, render it, store it for "Next page", send it.

Used by the slash commands (first page) and the persistent buttons (next page, more like #n, chat next page).
Callers are expected to have deferred already when the work may be slow.

Recommendations are made *for the person who asked or clicked* (``services.personal.recommend_text_for`` /
``recommend_similar_for`` / ``show_request`` for playlists): their dislikes never come back, their likes shape the
order. Every page is made for the channel's conversation (``discord:<channel_id>``): the engine records it as the
list on screen (so a mention "more like #2" refers to it) and never shows a song the channel has already seen.
Each page then gets best-effort 30-second preview links (:func:`preview_map`, a small time budget; a slow or failed
lookup only leaves the links out).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import discord

from core.conversation import LastRequest
from core.error_words import invalid
from core.reply_words import say
from core.models import Filters, NeedsClarification, Recommendation, Track

from adapters.discord.render import PAGE_SIZE, chat_message, clarification_text, md, recommendation_embed
from adapters.discord.replies import (
    BotContext,
    caller_of,
    channel_lang,
    chat,
    context,
    conversation_id,
    defer,
    group_of,
    is_group_admin,
    send,
)
from adapters.discord.store import PageState
from adapters.discord.views import chat_view, results_view

log = logging.getLogger("adapters.discord")

#: Search results are capped at 50 by the engine: five pages of ten.
SEARCH_MAX = 50


async def run_page(interaction: discord.Interaction, state: PageState) -> Recommendation | NeedsClarification:
    """The page after ``state`` (page ``state.page + 1``), never repeating a track in ``state.shown``, for the
    user behind ``interaction`` (their dislikes excluded, their likes blended in).

    Raises:
        InvalidInput, SongNotFound, PlaylistNotFound: from the engine (re-validated there).
    """
    services = context(interaction).services
    caller = caller_of(interaction)
    cid = conversation_id(interaction.channel_id)  # the engine records the page as this channel's list on screen
    size = state.page_size
    if state.kind == "search":
        start = state.page * size
        if start >= SEARCH_MAX:
            return Recommendation(kind="search", query=state.query)
        return await services.sessions.show_search(cid, state.query, min(size, SEARCH_MAX - start), offset=start)
    if state.kind == "similar":
        filters = Filters(**{**state.filters, "limit": size})
        return await services.personal.recommend_similar_for(
            caller, state.refs, filters=filters, exclude_ids=state.shown, conversation_id=cid
        )
    if state.kind == "playlist":
        filters = Filters(**{**state.filters, "limit": size})
        playlist = int(state.refs[0]) if state.refs and state.refs[0].isdigit() else 0
        spec = LastRequest(kind="playlist", group=state.query, playlist=f"#{playlist}", filters=Filters(limit=size))
        return await services.sessions.show_request(cid, caller, spec, merge=filters, exclude_ids=state.shown)
    filters = Filters(**state.filters) if state.filters else None
    return await services.personal.recommend_text_for(
        caller, state.query, filters=filters, exclude_ids=state.shown, limit=size, conversation_id=cid
    )


async def preview_map(bot: BotContext, tracks: Sequence[Track]) -> dict[str, str | None]:
    """Track id -> 30-second preview URL for the tracks of a reply, within ``hooks.embed_preview_budget_s``.

    Uses ``hooks.previews`` when one is plugged in, else ``services.personal.preview_urls`` (Spotify → Deezer → iTunes, cached).
    Never raises and never takes much longer than the budget: late or failed lookups are simply missing (they keep
    running in the background and fill the cache for next time).
    """
    budget = bot.hooks.embed_preview_budget_s
    tracks = list({t.track_id: t for t in tracks}.values())
    if budget <= 0 or not tracks:
        return {}
    try:
        source = bot.hooks.previews
        if source is None:
            ids = [t.track_id for t in tracks]
            return await asyncio.wait_for(bot.services.personal.preview_urls(ids, budget_s=budget), budget + 1.0)
        tasks = {asyncio.ensure_future(source.preview_url(t)): t.track_id for t in tracks}
        done, pending = await asyncio.wait(tasks, timeout=budget)
        for task in pending:
            task.cancel()
        return {tasks[t]: t.result() for t in done if not t.cancelled() and t.exception() is None}
    except Exception as exc:  # a preview must never fail the reply
        log.info("preview links skipped: %s", exc)
        return {}


async def show_page(
    interaction: discord.Interaction, state: PageState, *, title: str | None = None, notice: str | None = None
) -> None:
    """Compute, store and send the next page of ``state`` with its buttons and menus; ``notice`` (e.g. "No “X” by
    Y here — using …") is sent as the message text, above the embed."""
    bot = context(interaction)
    result = await run_page(interaction, state)
    if isinstance(result, NeedsClarification):
        await send(interaction, content=clarification_text(result))
        return
    if not result.tracks:
        text = say("end of request" if state.page else "no match short", await channel_lang(interaction))
        await send(interaction, content=text)
        return
    after = state.advance([it.track.track_id for it in result.tracks])
    key = await bot.store.save(after)
    previews = await preview_map(bot, [it.track for it in result.tracks[:PAGE_SIZE]])
    embed = recommendation_embed(result, title=title, page=after.page, previews=previews)
    view = results_view(result, next_key=key, playlists=True, feedback=True)
    content = "\n".join(md(line, 600) for line in notice.splitlines()[:3]) if notice else None
    await send(interaction, content=content, embeds=[embed], view=view)


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
        raise invalid("list expired")
    await show_page(interaction, state)


async def chat_more(interaction: discord.Interaction) -> None:
    """Chat "Next page": ``/more`` in this channel's conversation with the engine."""
    bot = context(interaction)
    await defer(interaction)
    reply = await chat(
        bot,
        interaction.channel_id,
        caller_of(interaction),
        "/more",
        group=group_of(interaction),
        group_admin=is_group_admin(interaction),
    )
    previews = await preview_map(bot, chat_tracks(reply))
    rendered = chat_message(reply, previews=previews)
    view = chat_view(reply, playlists=True, feedback=True)
    await send(interaction, content=rendered.content, embeds=rendered.embeds, view=view)


def chat_tracks(reply: object) -> list[Track]:
    """The tracks a chat reply lists (for preview links), at most one page."""
    rec = getattr(reply, "recommendation", None)
    return [it.track for it in rec.tracks[:PAGE_SIZE]] if rec is not None else []
