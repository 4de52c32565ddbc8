"""Wiring of the Discord bot: :func:`build_bot` (application services + settings -> bot) and :func:`run_discord` (CLI entry).

The bot receives its resources in ``__init__`` and registers everything in ``setup_hook`` (discord.py's
``examples/advanced_startup.py``): the three cogs (music, playlists, admin), the persistent button handlers
(``add_dynamic_items``) and the "Next page" store. The command tree is synced only on demand
(``musicbot discord --sync [--guild ID]``), never on start: syncing is rate-limited.

Preview lookups (Spotify → Deezer → iTunes) are configured from the settings by ``bot.app.build_engine``.

Intents: the defaults (guilds, guild and DM messages) without the privileged Message Content intent — the bot only
reads messages that mention it and DMs, whose text Discord delivers anyway.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from core.app.services import AppServices, ServicesFactory
from core.errors import InvalidInput

from adapters.discord.floods import admit, admit_message
from adapters.discord.hooks import Hooks
from adapters.discord.pages import chat_tracks, preview_map
from adapters.discord.render import NONE_PING, chat_message, clip
from adapters.discord.replies import APOLOGY, chat, discord_roles, handle_error, is_rate_limit, log, playlist_scope
from adapters.discord.store import MemoryPageStore, PageStore, SharedPageStore
from adapters.discord.views import DYNAMIC_ITEMS, chat_view

if TYPE_CHECKING:
    from bot.settings import Settings

#: Opens the configured services (the composition root's ``bot.app.build_engine`` bound to settings and ``--db``).
EngineFactory = ServicesFactory


class MusicTree(app_commands.CommandTree):
    """The command tree with the adapter's single error handler and the per-user flood check."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Every slash command first asks the core limiter (:func:`adapters.discord.floods.admit`)."""
        return await admit(interaction)

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:  # type: ignore[override]
        await handle_error(interaction, error)


class MusicBotMixin:
    """Resources and event handlers shared by :class:`MusicBot` and :class:`ShardedMusicBot`."""

    services: AppServices
    settings: Settings
    hooks: Hooks
    store: PageStore

    def __init__(self, services: AppServices, settings: Settings, hooks: Hooks | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[call-arg]
        self.services = services
        self.settings = settings
        self.hooks = hooks or Hooks()
        self.store = MemoryPageStore()

    async def setup_hook(self) -> None:
        """Open the page store, add the cogs and the persistent component handlers."""
        from adapters.discord.admin import AdminCog
        from adapters.discord.charts import ChartCog
        from adapters.discord.commands import MusicCog
        from adapters.discord.playlists import PlaylistCog

        self.store = SharedPageStore(self.services.sessions.button_store)  # in the database: every shard process shares it
        bot: Any = self
        await bot.add_cog(MusicCog(bot))
        await bot.add_cog(PlaylistCog(bot))
        await bot.add_cog(AdminCog(bot))
        await bot.add_cog(ChartCog(bot))
        bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def close(self) -> None:
        """Disconnect, then close the page store."""
        try:
            await super().close()  # type: ignore[misc]
        finally:
            await self.store.close()

    async def on_ready(self) -> None:
        bot: Any = self
        log.info(
            "Discord: logged in as %s (id %s) in %d server(s)", bot.user, getattr(bot.user, "id", "?"), len(bot.guilds)
        )

    async def on_message(self, message: discord.Message) -> None:
        """Mentions and DMs with free text go to ``services.chat.chat("discord:<channel_id>", caller, text)``."""
        await handle_message(self, message)  # type: ignore[arg-type]


class MusicBot(MusicBotMixin, commands.Bot):
    """The bot for one process (no sharding or a single shard)."""


class ShardedMusicBot(MusicBotMixin, commands.AutoShardedBot):
    """The bot with discord.py's automatic sharding (``DISCORD_SHARDS=auto`` or a shard count)."""


@dataclass(frozen=True)
class Shards:
    """The shards one process runs: ``ids`` of ``count`` (Discord routes guild ``g`` to shard
    ``(g >> 22) % count``, so processes with disjoint ids share the servers; every process uses the same database,
    so buttons, pages, playlists and limits work whichever shard a server lands on)."""

    count: int
    ids: tuple[int, ...]


def shard_plan(count: int | None, ids: str | None) -> Shards | None:
    """``--shard-count 4 --shard-ids 0,1`` -> ``Shards(4, (0, 1))``; ``--shard-count 4`` alone -> all four here;
    neither -> None (``DISCORD_SHARDS`` decides).

    Raises:
        InvalidInput: ids without a count, a count below 1, ids that are not numbers in ``0 … count-1``, or repeated.
    """
    if count is None and not (ids or "").strip():
        return None
    if count is None:
        raise InvalidInput("--shard-ids needs --shard-count (the total number of shards of the bot).", "shard_count")
    if count < 1:
        raise InvalidInput("--shard-count must be 1 or more.", "shard_count")
    if not (ids or "").strip():
        return Shards(count, tuple(range(count)))
    parts = [p.strip() for p in str(ids).replace(" ", ",").split(",") if p.strip()]
    if not all(p.isdigit() and int(p) < count for p in parts):
        raise InvalidInput(f"--shard-ids must be numbers from 0 to {count - 1}, separated by commas (got {ids!r}).",
                           "shard_ids", f"0–{count - 1}")
    values = tuple(int(p) for p in parts)
    if len(set(values)) != len(values):
        raise InvalidInput("--shard-ids lists a shard twice.", "shard_ids")
    return Shards(count, values)


def shard_setting(value: str | None) -> int | str | None:
    """``DISCORD_SHARDS``: empty/``0``/``none`` -> no sharding, ``auto`` -> Discord's recommendation, N -> N shards.

    Raises:
        InvalidInput: anything else.
    """
    v = (value or "").strip().lower()
    if v in ("", "0", "none", "off", "false"):
        return None
    if v == "auto":
        return "auto"
    if v.isdigit():
        return int(v)
    raise InvalidInput(f"DISCORD_SHARDS must be empty, 'auto' or a number of shards (got {value!r}).", "DISCORD_SHARDS")


def build_bot(
    services: AppServices, settings: Settings, hooks: Hooks | None = None, *, shards: Shards | None = None
) -> commands.Bot:
    """The configured bot (not connected): :class:`ShardedMusicBot` when ``DISCORD_SHARDS`` is set or ``shards``
    (from :func:`shard_plan`) names this process's shards, else :class:`MusicBot`. Every message it sends defaults to
    ``AllowedMentions.none()``.
    """
    intents = discord.Intents.default()
    intents.message_content = False
    intents.members = False
    intents.presences = False
    kwargs: dict[str, Any] = {
        "command_prefix": commands.when_mentioned,
        "intents": intents,
        "help_command": None,
        "allowed_mentions": NONE_PING,
        "tree_cls": MusicTree,
        "activity": discord.Activity(type=discord.ActivityType.listening, name="/recommend"),
    }
    if shards is not None:  # this process runs some shards of a fixed count (several processes, one bot)
        kwargs["shard_count"], kwargs["shard_ids"] = shards.count, list(shards.ids)
        return ShardedMusicBot(services, settings, hooks, **kwargs)
    configured = shard_setting(settings.discord_shards)
    if configured is None:
        return MusicBot(services, settings, hooks, **kwargs)
    if isinstance(configured, int):
        kwargs["shard_count"] = configured
    return ShardedMusicBot(services, settings, hooks, **kwargs)


# ---------------------------------------------------------------------------------------------------- messages
def addressed_text(bot: commands.Bot, message: discord.Message) -> str | None:
    """The text of a message meant for the bot (a DM, or mentioning it / its role), mention stripped; else None."""
    me = bot.user
    if me is None or message.author.bot or message.author.id == me.id:
        return None
    content = message.content or ""
    mention = re.compile(rf"<@!?{me.id}>")
    role = message.guild.self_role if message.guild is not None else None
    role_hit = role is not None and (role in message.role_mentions or f"<@&{role.id}>" in content)
    in_dm = message.guild is None
    if not (in_dm or role_hit or mention.search(content) or any(u.id == me.id for u in message.mentions)):
        return None
    text = mention.sub(" ", content)
    if role is not None:
        text = text.replace(f"<@&{role.id}>", " ")
    return " ".join(text.split())


async def handle_message(bot: MusicBot, message: discord.Message) -> None:
    """Answer a mention or DM through the chat use case; errors become a short apology (logged with traceback)."""
    text = addressed_text(bot, message)
    if text is None or not await admit_message(bot, message):
        return
    in_guild = message.guild is not None
    perms = getattr(message.author, "guild_permissions", None) if in_guild else None
    who = discord_roles(bot.settings, message.author.id, perms, in_guild)
    caller, manager = who.caller, who.playlist_manager
    group = playlist_scope(message.guild.id if message.guild is not None else None, message.author.id)
    try:
        async with message.channel.typing():
            reply = await chat(bot, message.channel.id, caller, text or "/help", group=group, group_admin=manager)
            previews = await preview_map(bot, chat_tracks(reply))
        if reply.chart is not None:  # "chart of #2", "show me a picture": the same picture as /chart
            from adapters.discord.charts import chart_message

            content, embeds, files = chart_message(reply)
            await message.reply(content, embeds=embeds, files=files, mention_author=False, allowed_mentions=NONE_PING)
            return
        rendered = chat_message(reply, previews=previews)
        view = chat_view(reply)
        kwargs: dict[str, Any] = {"embeds": rendered.embeds, "mention_author": False, "allowed_mentions": NONE_PING}
        if view is not None:
            kwargs["view"] = view
        await message.reply(rendered.content, **kwargs)
    except Exception as error:
        if is_rate_limit(error):  # an apology would be one more message into the limit
            log.warning("Rate limited while answering message %s in channel %s: dropped", message.id, message.channel.id)
            return
        log.exception("Error answering message %s in channel %s", message.id, message.channel.id)
        try:
            await message.reply(clip(APOLOGY, 2000), mention_author=False, allowed_mentions=NONE_PING)
        except Exception as exc:  # e.g. no permission to send here: nothing more to do
            log.warning("Could not send the apology in channel %s: %s", message.channel.id, exc)


# ---------------------------------------------------------------------------------------------------- running
async def sync_commands(bot: commands.Bot, guild: int | None = None) -> list[app_commands.AppCommand]:
    """Publish the slash commands: to one server (instant; global commands copied there) or globally."""
    if guild:
        target = discord.Object(id=guild)
        bot.tree.copy_global_to(guild=target)
        return await bot.tree.sync(guild=target)
    return await bot.tree.sync()


def _token(settings: Settings) -> str:
    secret = settings.discord_bot_token
    token = secret.get_secret_value().strip() if secret is not None else ""
    if not token:
        raise InvalidInput(
            "DISCORD_BOT_TOKEN is not set. Put the bot token in .env (see the README section 'Discord bot').", "DISCORD_BOT_TOKEN"
        )
    return token


async def _serve(
    settings: Settings, db: Path | str | None, token: str, sync: bool, guild: int | None,
    open_engine: EngineFactory | None = None, shards: Shards | None = None,
) -> None:
    if settings.discord_api_base_url:  # a stand-in server (tests); discord.py builds every URL from Route.BASE
        discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")
    # the composition root (bot.cli) passes the factory of the configured services (agent, previews, heap settled);
    # adapters import neither bot nor core.engine (import-linter contracts)
    if open_engine is None:
        raise InvalidInput("No services to serve: the composition root (bot.cli) passes open_engine.", "open_engine")
    opened = await open_engine()
    try:
        bot = build_bot(opened.app, settings, shards=shards)
        async with bot:
            try:
                await bot.login(token)  # runs setup_hook
            except discord.LoginFailure:
                raise InvalidInput(
                    "Discord rejected DISCORD_BOT_TOKEN; copy it again from the Developer Portal."
                ) from None
            if sync:
                synced = await sync_commands(bot, guild)
                where = f"server {guild}" if guild else "all servers (global)"
                print(f"Synced {len(synced)} slash commands to {where}.")
                return
            await bot.connect(reconnect=True)
    finally:
        await opened.close()


def run_discord(
    settings: Settings, db: Path | str | None = None, sync: bool = False, guild: int | None = None,
    *, open_engine: EngineFactory | None = None, shard_count: int | None = None, shard_ids: str | None = None,
) -> None:
    """Run the bot until interrupted; with ``sync`` publish the slash commands (to ``guild`` only when given) and exit.

    ``open_engine``: opens the configured services (``bot.cli`` passes ``bot.app.build_engine``; required). ``shard_count`` /
    ``shard_ids`` (``--shard-count 4 --shard-ids 0,1``): run only these shards of that many in this process, so N
    processes share the servers (:func:`shard_plan`); without them ``DISCORD_SHARDS`` decides.

    Raises:
        InvalidInput: no or rejected token, bad ``DISCORD_SHARDS`` or shard flags.
    """
    token = _token(settings)
    shard_setting(settings.discord_shards)
    shards = shard_plan(shard_count, shard_ids)
    try:
        asyncio.run(_serve(settings, db, token, sync, guild, open_engine, shards))
    except KeyboardInterrupt:
        pass
