"""Likes and dislikes from Discord: ``/like``, ``/dislike`` and the 👍 / 👎 buttons and menu under tracks.

Feedback is personal (it follows the user across servers: ``discord:<user_id>``), so every answer is ephemeral.
A disliked track is never recommended to that user again; likes shape their later recommendations (the engine's
``*_for`` methods, used by every list this adapter shows).
"""

from __future__ import annotations

import discord


from adapters.discord.render import MESSAGE_LIMIT, md
from adapters.discord.replies import ack_component, caller_of, channel_lang, context, defer, send
from core.error_words import invalid
from core.feedback import feedback_text as words_feedback_text
from core.reply_words import say


def feedback_text(message: str) -> str:
    """The engine's confirmation, markdown-escaped (it quotes catalog titles), ≤ 2,000 characters."""
    return md(message, MESSAGE_LIMIT) or say("done")


async def rate(interaction: discord.Interaction, value: str, ref: str, *, menu: bool = False) -> None:
    """Record ``value`` (``like`` / ``dislike``) on the track ``ref`` for the user behind ``interaction``.

    The reference is resolved before anything is sent, so an unknown song is refused privately at once.

    Raises:
        SongNotFound, InvalidInput.
    """
    if value not in ("like", "dislike"):
        raise invalid("dc like or dislike", "value")
    services = context(interaction).services
    track = await services.tracks.get_track(ref)  # in memory: fast
    if menu:
        await ack_component(interaction)
    else:
        await defer(interaction, ephemeral=True)
    caller = caller_of(interaction)
    result = await (services.personal.like if value == "like" else services.personal.dislike)(caller, track.track_id)
    lang = await channel_lang(interaction)  # the confirmation in the channel's conversation language
    message = result.message if lang == "en" else words_feedback_text(
        result.track.title, result.track.artist, result.value, result.previous, lang)
    await send(interaction, content=feedback_text(message), ephemeral=True)


async def rate_from_menu(interaction: discord.Interaction, choice: str) -> None:
    """The 👍 / 👎 menu under a list: ``choice`` is ``like:<track id>`` or ``dislike:<track id>``.

    Raises:
        InvalidInput: an unknown option; SongNotFound: the track left the catalog.
    """
    value, _, track_id = choice.partition(":")
    if value not in ("like", "dislike") or not track_id:
        raise invalid("dc pick rate")
    await rate(interaction, value, track_id, menu=True)
