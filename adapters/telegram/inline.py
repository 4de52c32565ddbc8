"""Inline mode (``@botname chill study`` in any chat): up to 10 article results, fast, without the LLM.

Results come from the catalog search (title / artist / album) and the local text recommender; Telegram clients
give up after ~10 s, so the lookup is bounded by :data:`INLINE_TIMEOUT_S`.
"""

from __future__ import annotations

import asyncio

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions
from telegram.constants import ParseMode

from adapters.telegram import render
from core.app.services import AppServices
from core.errors import MusicBotError
from core.explain import reason_text
from core.models import Caller, Recommendation, Track

INLINE_RESULTS = 10
INLINE_TIMEOUT_S = 5.0


async def inline_tracks(services: AppServices, text: str, caller: Caller | None = None) -> list[tuple[Track, str]]:
    """Up to 10 ``(track, detail)``: 3 search hits first, then recommendations for the text (for ``caller``: never
    their dislikes, nudged by their likes), then more hits.

    Raises:
        MusicBotError: the engine rejected the text (e.g. too long).
    """
    found = await services.discovery.search(text, limit=INLINE_RESULTS)
    hits = [(t.track, ", ".join(x for x in (t.track.album, str(t.track.shown_year or "")) if x)) for t in found.tracks]
    recs: list[tuple[Track, str]] = []
    result = await services.personal.recommend_text_for(caller, text, limit=INLINE_RESULTS)
    if isinstance(result, Recommendation):
        recs = [(t.track, reason_text(t, result.lang)) for t in result.tracks]
    out: list[tuple[Track, str]] = []
    seen: set[str] = set()
    for track, detail in [*hits[:3], *recs, *hits[3:]]:
        if track.track_id not in seen:
            seen.add(track.track_id)
            out.append((track, detail))
    return out[:INLINE_RESULTS]


async def inline_results(services: AppServices, query: str, caller: Caller | None = None) -> list[InlineQueryResultArticle]:
    """Article results for an inline query; empty for an empty query, an engine error or a timeout."""
    text = query.strip()
    if not text:
        return []
    try:
        tracks = await asyncio.wait_for(inline_tracks(services, text, caller), INLINE_TIMEOUT_S)
    except (MusicBotError, TimeoutError):
        return []
    return [
        InlineQueryResultArticle(
            id=track.track_id,
            title=render.inline_title(track),
            description=render.clip(detail, 100) or None,
            url=track.spotify_url,
            input_message_content=InputTextMessageContent(
                render.inline_message(track),
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(url=track.spotify_url),
            ),
        )
        for track, detail in tracks
    ]
