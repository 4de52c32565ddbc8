"""Interaction plumbing shared by slash commands, buttons and modals: who is calling, deferring, sending, errors.

Rules kept here so no handler can forget them:

* every send passes ``allowed_mentions=AllowedMentions.none()`` (a title like ``@everyone`` never pings);
* slow work is deferred first (:func:`defer`), because Discord drops an interaction not answered within 3 s
  (error 10062 "Unknown interaction"); the result then goes out as a follow-up (token valid 15 min);
* errors are ephemeral (:func:`handle_error` is the one handler for the command tree, components and modals): a
  :class:`~core.errors.MusicBotError` shows its own message, anything else is logged with its traceback and answered
  with a short apology. After a public "thinking…" deferral, that placeholder is deleted first so the error is not
  shown to the whole channel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import discord
from discord import app_commands

from core.error_words import error_text as words_error_text
from core.errors import MusicBotError
from core.reply_words import say
from core import policy
from core.models import Caller, ChatReply
from core.policy import Roles

from adapters.discord.render import NONE_PING, error_text

if TYPE_CHECKING:
    from bot.settings import Settings
    from core.app.services import AppServices

    from adapters.discord.hooks import Hooks
    from adapters.discord.store import PageStore

log = logging.getLogger("adapters.discord")

#: The apology for a bug, in English (:func:`handle_error` says it in the channel's conversation language).
APOLOGY = say("apology")


class BotContext(Protocol):
    """What handlers need from the bot (``interaction.client``): set up by :func:`adapters.discord.app.build_bot`."""

    services: AppServices
    settings: Settings
    hooks: Hooks
    store: PageStore


def context(interaction: discord.Interaction) -> BotContext:
    """The bot behind an interaction, typed as :class:`BotContext`."""
    return interaction.client  # type: ignore[return-value]


def conversation_id(channel_id: int | None) -> str:
    """The engine's conversation key for a Discord channel or DM: ``discord:<channel_id>``."""
    return f"discord:{channel_id}"


def playlist_scope(guild_id: int | None, user_id: int) -> str:
    """The playlist group (:mod:`core.playlists`): ``discord:<guild_id>`` in a server, ``discord:dm:<user_id>``
    outside servers (a person's own playlists, the same in every DM with the bot)."""
    return f"discord:{guild_id}" if guild_id else f"discord:dm:{user_id}"


def group_of(interaction: discord.Interaction) -> str:
    """The playlist group of an interaction (see :func:`playlist_scope`)."""
    return playlist_scope(interaction.guild_id, interaction.user.id)


def server_admin(perms: discord.Permissions | None) -> bool:
    """Whether resolved member permissions make a *server* admin (Manage Server or Administrator; a server owner
    resolves to every permission). Only ever used for this server's playlists (:func:`core.policy.roles`)."""
    return bool(perms is not None and (perms.manage_guild or perms.administrator))


def discord_roles(settings: Settings, user_id: int, perms: discord.Permissions | None, in_guild: bool) -> Roles:
    """The caller (catalog role from ``DISCORD_ADMIN_IDS`` only) and the playlist-manager flag for this server,
    decided by :func:`core.policy.roles`.

    ``perms`` are the member's resolved permissions in the server (``Interaction.permissions`` /
    ``Member.guild_permissions``); Manage Server cannot be granted per channel, so either is the server-level bit.
    """
    ops = policy.Operators.of(discord=settings.discord_admin_ids)
    return policy.roles(
        "discord", user_id, ops, in_server=in_guild, server_admin=in_guild and server_admin(perms)
    )


def interaction_roles(interaction: discord.Interaction) -> Roles:
    """:func:`discord_roles` for the user behind an interaction."""
    in_guild = interaction.guild_id is not None
    perms = getattr(interaction, "permissions", None) if in_guild else None
    return discord_roles(context(interaction).settings, interaction.user.id, perms, in_guild)


def is_group_admin(interaction: discord.Interaction) -> bool:
    """Whether the caller manages this group's playlists: Manage Server (or Administrator) in this server, a bot
    admin (``DISCORD_ADMIN_IDS``), or anyone in DMs (the group is the user's own). Never a catalog power."""
    return interaction_roles(interaction).playlist_manager


def make_caller(settings: Settings, user_id: int, perms: discord.Permissions | None, in_guild: bool) -> Caller:
    """Identity + catalog role: admin only when listed in ``DISCORD_ADMIN_IDS`` (server permissions never count;
    see :mod:`core.policy`)."""
    return discord_roles(settings, user_id, perms, in_guild).caller


def caller_of(interaction: discord.Interaction) -> Caller:
    """The :class:`~core.models.Caller` for the user behind an interaction (checked again by the engine)."""
    return interaction_roles(interaction).caller


async def chat(
    bot: BotContext, channel_id: int | None, caller: Caller, text: str, *, group: str, group_admin: bool
) -> ChatReply:
    """``services.chat.chat`` for a channel's conversation (``discord:<channel_id>``), telling the engine the playlist group
    (``discord:<guild_id>`` / ``discord:dm:<user_id>``: a conversation id cannot tell the server) and whether the
    caller has Manage Server there (``group_id=`` / ``group_admin=``)."""
    return await bot.services.chat.chat(conversation_id(channel_id), caller, text, group_id=group, group_admin=group_admin)


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Acknowledge now ("thinking…"), answer later with :func:`send`. No-op when already answered."""
    if not interaction.response.is_done():
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        interaction.extras["mb_public_defer"] = not ephemeral


async def send(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
    files: Sequence[discord.File] = (),
    suppress_embeds: bool = False,
) -> None:
    """Send the answer: the initial response, or a follow-up after :func:`defer`. Never pings anyone.

    ``files`` are attachments (e.g. a playlist export); ``suppress_embeds`` stops Discord from unfurling links.
    """
    kwargs: dict[str, Any] = {"allowed_mentions": NONE_PING, "ephemeral": ephemeral}
    if content:
        kwargs["content"] = content
    if embeds:
        kwargs["embeds"] = list(embeds)
    if view is not None:
        kwargs["view"] = view
    if files:
        kwargs["files"] = list(files)
    if suppress_embeds:
        kwargs["suppress_embeds"] = True
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
    interaction.extras["mb_answered"] = True


async def ack_component(interaction: discord.Interaction) -> None:
    """Acknowledge a menu pick on a message without changing it (``UPDATE_MESSAGE`` with no data).

    Discord keeps a picked option selected in the clicker's client and sends nothing when the same option is picked
    again; a message update resets the menu so every pick reaches the bot. Results then go out as ephemeral
    follow-ups. Falls back to an ephemeral deferral when there is no message to update.
    """
    if interaction.response.is_done():
        return
    if getattr(interaction, "message", None) is not None:
        await interaction.response.edit_message()
    else:
        await defer(interaction, ephemeral=True)


def unwrap(error: BaseException) -> BaseException:
    """The exception that actually happened, out of discord.py's wrappers (invoke/transform errors)."""
    seen = 0
    while seen < 5:
        seen += 1
        if isinstance(error, app_commands.CommandInvokeError):
            error = error.original
        elif isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, MusicBotError):
            error = error.__cause__
        else:
            break
    return error


def _what(interaction: discord.Interaction) -> str:
    command = getattr(interaction, "command", None)
    if command is not None:
        return f"/{command.qualified_name}"
    data = getattr(interaction, "data", None) or {}
    return f"component {data.get('custom_id', '?')}" if isinstance(data, dict) else "interaction"


def user_message(error: BaseException, lang: str = "en") -> str | None:
    """The ephemeral text for an expected error in ``lang`` (the channel's conversation language), or None for a bug
    (to be logged and apologised for)."""
    if isinstance(error, MusicBotError):
        return words_error_text(error, lang)
    if isinstance(error, app_commands.TransformerError):
        return say("bad value", lang, value=str(error.value)[:100])
    if isinstance(error, app_commands.MissingPermissions):
        return say("need manage server", lang)
    if isinstance(error, app_commands.NoPrivateMessage):
        return say("server only", lang)
    if isinstance(error, app_commands.CommandOnCooldown):
        return say("slow down a little", lang, s=f"{error.retry_after:.0f}")
    if isinstance(error, app_commands.CheckFailure):
        return say("not here", lang)
    return None


async def channel_lang(interaction: discord.Interaction) -> str:
    """The conversation language of the interaction's channel (:meth:`core.chat.ChatService.reply_language`);
    English when it cannot be read. Never raises."""
    try:
        return await context(interaction).services.chat.reply_language(conversation_id(interaction.channel_id))
    except Exception:  # noqa: BLE001 - an error reply is still sent, in English
        return "en"


def is_rate_limit(error: BaseException) -> bool:
    """True for Discord's rate limits as discord.py surfaces them (``RateLimited``, or an HTTP 429 it gave up on)."""
    error = unwrap(error)
    return isinstance(error, discord.RateLimited) or (isinstance(error, discord.HTTPException) and error.status == 429)


async def handle_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one error handler (command tree, buttons, modals): ephemeral message; bugs logged with traceback.

    A rate limit (HTTP 429) is logged and never answered: the answer would be one more request into the limit.
    """
    exc = unwrap(error)
    if is_rate_limit(exc):
        log.warning("Rate limited in %s (user %s): the reply was dropped", _what(interaction), getattr(interaction.user, "id", "?"))
        return
    lang = await channel_lang(interaction)
    text = user_message(exc, lang)
    if text is None:
        log.error(
            "Unhandled error in %s (user %s, guild %s, channel %s)",
            _what(interaction),
            getattr(interaction.user, "id", "?"),
            interaction.guild_id,
            interaction.channel_id,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        text = say("apology", lang)
    else:
        log.debug("%s refused: %s", _what(interaction), text)
    try:
        await send_error(interaction, text)
    except discord.HTTPException as http_exc:  # the interaction may have expired; nothing else to do
        log.warning("Could not deliver an error reply for %s: %s", _what(interaction), http_exc)


async def send_error(interaction: discord.Interaction, text: str) -> None:
    """Send ``text`` so only the user sees it, whatever state the interaction is in."""
    text = error_text(text)
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NONE_PING)
        return
    if interaction.extras.get("mb_public_defer") and not interaction.extras.get("mb_answered"):
        try:  # remove the public "thinking…" placeholder, then answer privately
            await interaction.delete_original_response()
        except discord.HTTPException:
            pass
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NONE_PING)
