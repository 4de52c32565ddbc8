"""Test doubles for the Discord adapter tests: a stand-in ``Interaction`` (the engine behind it is the real one).

:class:`FakeInteraction` records ``defer`` / ``send_message`` / ``send_modal`` / ``edit_message`` / follow-ups, so
slash-command callbacks can be called directly (dpytest drives messages, not interactions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord
from discord import app_commands

ADMIN_ID = 4242  # listed in DISCORD_ADMIN_IDS
MANAGER_ID = 777  # has Manage Server in the test guild
USER_ID = 501
GUILD_ID = 900
CHANNEL_ID = 1200
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.discord-token-for-tests"


# ---------------------------------------------------------------------------------------------------- interactions
@dataclass
class Call:
    """One recorded Discord API call made through a :class:`FakeInteraction`."""

    name: str
    content: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def embeds(self) -> list[discord.Embed]:
        return list(self.kwargs.get("embeds") or ([self.kwargs["embed"]] if self.kwargs.get("embed") else []))

    @property
    def ephemeral(self) -> bool:
        return bool(self.kwargs.get("ephemeral"))

    @property
    def view(self) -> Any:
        return self.kwargs.get("view")


class FakeResponse:
    """``Interaction.response``: enforces "answer once", like Discord."""

    def __init__(self, calls: list[Call]) -> None:
        self.calls = calls
        self.done = False

    def is_done(self) -> bool:
        return self.done

    def _answer(self) -> None:
        if self.done:
            raise discord.InteractionResponded(None)  # type: ignore[arg-type]
        self.done = True

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> None:
        self._answer()
        self.calls.append(Call("defer", None, {"ephemeral": ephemeral, "thinking": thinking}))

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self._answer()
        self.calls.append(Call("send_message", content, kwargs))

    async def send_modal(self, modal: discord.ui.Modal) -> None:
        self._answer()
        self.calls.append(Call("send_modal", None, {"modal": modal}))

    async def edit_message(self, **kwargs: Any) -> None:
        self._answer()
        self.calls.append(Call("edit_message", kwargs.get("content"), kwargs))


class FakeFollowup:
    """``Interaction.followup`` (a webhook): only usable after the interaction was answered."""

    def __init__(self, calls: list[Call], response: FakeResponse) -> None:
        self.calls = calls
        self.response = response

    async def send(self, content: str | None = None, **kwargs: Any) -> None:
        assert self.response.done, "follow-up before the interaction was answered"
        self.calls.append(Call("followup", content, kwargs))


class FakeUser:
    def __init__(self, user_id: int) -> None:
        self.id = user_id
        self.bot = False
        self.mention = f"<@{user_id}>"


class FakeInteraction:
    """A stand-in for :class:`discord.Interaction` with what the handlers use, recording every answer."""

    def __init__(
        self,
        client: Any,
        *,
        user_id: int = USER_ID,
        guild_id: int | None = GUILD_ID,
        channel_id: int = CHANNEL_ID,
        manage_guild: bool = False,
        permissions: discord.Permissions | None = None,
        message: Any = None,
        namespace: dict[str, Any] | None = None,
    ) -> None:
        self.client = client
        self.message = message  # the message a clicked component sits on (None for slash commands)
        self.namespace = SimpleNamespace(**(namespace or {}))
        self.user = FakeUser(user_id)
        self.guild_id = guild_id
        self.channel_id = channel_id
        if permissions is None:
            permissions = discord.Permissions(manage_guild=manage_guild)
        self.permissions = permissions if guild_id else discord.Permissions.none()
        self.extras: dict[str, Any] = {}
        self.command: Any = None
        self.data: dict[str, Any] = {}
        self.calls: list[Call] = []
        self.response = FakeResponse(self.calls)
        self.followup = FakeFollowup(self.calls, self.response)

    async def delete_original_response(self) -> None:
        self.calls.append(Call("delete_original"))

    async def edit_original_response(self, **kwargs: Any) -> None:
        self.calls.append(Call("edit_original", kwargs.get("content"), kwargs))

    # ---- helpers for assertions
    @property
    def names(self) -> list[str]:
        return [c.name for c in self.calls]

    @property
    def last(self) -> Call:
        return self.calls[-1]


async def invoke(bot: Any, cog_name: str, command_name: str, interaction: FakeInteraction, **kwargs: Any) -> None:
    """Call a slash command's callback like the tree does (its ``interaction_check`` first), routing errors to the
    tree's error handler."""
    cog = bot.get_cog(cog_name)
    command = next(c for c in cog.get_app_commands() if c.name == command_name)
    interaction.command = command
    if not await bot.tree.interaction_check(interaction):
        return
    try:
        await command.callback(cog, interaction, **kwargs)
    except app_commands.AppCommandError as exc:
        await bot.tree.on_error(interaction, exc)
    except Exception as exc:
        await bot.tree.on_error(interaction, app_commands.CommandInvokeError(command, exc))


async def invoke_sub(bot: Any, group_name: str, command_name: str, interaction: FakeInteraction, **kwargs: Any) -> None:
    """Call ``/group command`` (a subcommand of an ``app_commands.Group`` in a cog) like the tree does."""
    group = bot.tree.get_command(group_name)
    command = group.get_command(command_name)
    interaction.command = command
    if not await bot.tree.interaction_check(interaction):
        return
    try:
        await command.callback(command.binding, interaction, **kwargs)
    except app_commands.AppCommandError as exc:
        await bot.tree.on_error(interaction, exc)
    except Exception as exc:
        await bot.tree.on_error(interaction, app_commands.CommandInvokeError(command, exc))


async def pick(item: Any, interaction: FakeInteraction, value: str) -> None:
    """Choose ``value`` in a dynamic select menu (rebuilt from its custom_id like after a restart) and run it."""
    cls = type(item)
    match = cls.__discord_ui_compiled_template__.fullmatch(item.item.custom_id)
    fresh = await cls.from_custom_id(interaction, item.item, match)
    fresh.item._refresh_state(interaction, {"values": [value]})
    if await fresh.interaction_check(interaction):  # discord.py's ViewStore checks before the callback
        await fresh.callback(interaction)


async def click(item: Any, interaction: FakeInteraction) -> None:
    """Click a dynamic button, rebuilt from its custom_id (as discord.py does, also after a restart)."""
    cls = type(item)
    match = cls.__discord_ui_compiled_template__.fullmatch(item.item.custom_id)
    fresh = await cls.from_custom_id(interaction, item.item, match)
    if await fresh.interaction_check(interaction):  # discord.py's ViewStore checks before the callback
        await fresh.callback(interaction)


def component(view: Any, custom_id_prefix: str) -> Any:
    """The first item of ``view`` whose custom_id starts with ``custom_id_prefix``."""
    return next(c for c in view.children if (getattr(c, "custom_id", None) or "").startswith(custom_id_prefix))


async def submit(modal: discord.ui.Modal, interaction: FakeInteraction, values: dict[str, str]) -> None:
    """Fill a modal's text inputs (by attribute name) and submit it like discord.py does (errors -> on_error)."""
    for name, value in values.items():
        item = getattr(modal, name)
        item._refresh_state(interaction, {"value": value})
    try:
        await modal.on_submit(interaction)  # type: ignore[arg-type]
    except Exception as exc:
        await modal.on_error(interaction, exc)  # type: ignore[arg-type]
