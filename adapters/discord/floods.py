"""Per-user flood control for Discord: the app-level check in front of every slash command, button, menu and mention.

discord.py handles Discord's HTTP 429s itself (it waits and retries), but nothing stops one user from running the
same command 30 times in 10 s. This module asks the core limiter (:mod:`core.ratelimit`, state in the catalog
database, shared by every worker and with the same rules as Telegram) before any work is done:

* slash commands: :meth:`adapters.discord.app.MusicTree.interaction_check` (autocomplete is not counted: it fires
  on every keystroke and never calls the engine's heavy paths);
* buttons and menus: :class:`FloodChecked`, a base of every :class:`discord.ui.DynamicItem` in
  :mod:`adapters.discord.views` (discord.py calls ``interaction_check`` before ``callback``);
* mentions and DMs (an LLM turn each): :func:`admit_message`, with the ``chat`` bucket.

A refused request gets ONE ephemeral "Slow down — try again in 4 s." (only the user sees it); later ones are dropped
silently (a component press is still acknowledged without a message, so the client shows no error).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from core.ratelimit import RatePolicy, Verdict

from adapters.discord.render import NONE_PING
from adapters.discord.replies import context, conversation_id

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger("adapters.discord")


def commands_policy(settings: Settings) -> RatePolicy:
    """The bucket for commands, buttons and mentions (``RATE_BURST`` / ``RATE_REFILL_S``)."""
    return RatePolicy("commands", settings.rate_burst, settings.rate_refill_s)


def chat_policy(settings: Settings) -> RatePolicy:
    """The bucket for mentions/DMs that go to the LLM agent (``CHAT_RATE`` per ``CHAT_WINDOW_S``)."""
    return RatePolicy.per_window("chat", settings.chat_rate, settings.chat_window_s)


def user_key(user_id: int) -> str:
    """The limiter key of a Discord user: ``discord:<id>``."""
    return f"discord:{user_id}"


async def _language(bot: Any, where: Any, text: str = "") -> str:
    """The language of the conversation of ``where`` (an interaction or a message: its channel) and ``text`` for a
    notice; English when it cannot be read."""
    try:
        channel_id = getattr(where, "channel_id", None) or where.channel.id
        return await bot.services.chat.reply_language(conversation_id(channel_id), text)
    except Exception:  # noqa: BLE001 - a notice is best effort
        log.info("could not read the conversation's language for a notice", exc_info=True)
        return "en"


async def refuse(interaction: discord.Interaction, verdict: Verdict) -> None:
    """Tell the user once (ephemeral); afterwards acknowledge components silently and leave commands unanswered."""
    try:
        if interaction.response.is_done():
            return
        if verdict.notify:  # said in the channel conversation's language
            lang = await _language(context(interaction), interaction)
            await interaction.response.send_message(verdict.notice(lang), ephemeral=True, allowed_mentions=NONE_PING)
        elif getattr(interaction, "message", None) is not None:  # a button or menu: ack without changing anything
            await interaction.response.defer()
    except discord.HTTPException as exc:  # expired, or Discord is limiting us: nothing more to say
        log.info("could not answer a refused interaction: %s", exc)


async def admit(interaction: discord.Interaction) -> bool:
    """True when the user behind ``interaction`` may go on; otherwise :func:`refuse` and False. Never raises."""
    if getattr(interaction, "type", None) == discord.InteractionType.autocomplete:
        return True
    bot = context(interaction)
    verdict = await bot.services.rate_limits.hit(user_key(interaction.user.id), commands_policy(bot.settings))
    if verdict.allowed:
        return True
    await refuse(interaction, verdict)
    return False


async def admit_message(bot: Any, message: discord.Message) -> bool:
    """For a mention/DM meant for the bot (an LLM turn each): the ``chat`` bucket only (one bucket, so one notice
    per flood). A refusal is told once (a short reply), then dropped silently. True = answer it."""
    verdict = await bot.services.rate_limits.hit(user_key(message.author.id), chat_policy(bot.settings))
    if verdict.allowed:
        return True
    if verdict.notify:
        try:
            lang = await _language(bot, message, getattr(message, "content", "") or "")
            await message.reply(verdict.notice(lang), mention_author=False, allowed_mentions=NONE_PING)
        except discord.HTTPException as exc:
            log.info("could not send the slow-down notice: %s", exc)
    return False


class FloodChecked:
    """Mixin for dynamic items: ``interaction_check`` asks :func:`admit` (put it first among the bases)."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """discord.py runs ``callback`` only when this returns True."""
        return await admit(interaction)
