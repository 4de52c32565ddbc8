"""Who may do what: the one place that turns a platform identity into roles (catalog admin, playlist manager).

Two separate powers, never mixed:

* **Catalog admin** (add, edit, delete tracks of the shared catalog). The catalog is shared by every server and group
  the bot is in, so this comes *only* from the operators' own configuration: ``DISCORD_ADMIN_IDS``,
  ``TELEGRAM_ADMIN_IDS`` and the console user setting (:class:`Operators`). Server-level powers (Discord Manage
  Server / Administrator / server owner, Telegram chat creator / administrator) are granted by whoever owns that
  server — anyone can create a server and invite the bot — so they never make a catalog admin.
* **Playlist manager** of one group (rename / delete any playlist of *that* group, remove anyone's tracks from it):
  a catalog admin, or a server/group admin of that server, or anyone in a private chat / DM (the group is the user's
  own playlists).

Every adapter builds its :class:`~core.models.Caller` and ``group_admin`` flag through :func:`roles`, and
:class:`core.playlists.service.PlaylistService` decides playlist actions through :func:`may_manage_playlist` and
:func:`may_remove_entry`; the engine and the agent's admin tools check ``caller.is_admin`` on every mutation.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.errors import PermissionDenied
from core.models import Caller, Role

#: Platforms whose operator lists are user ids; "console" is the local user (one setting).
ID_PLATFORMS = ("telegram", "discord")


@dataclass(frozen=True)
class Operators:
    """The operators' admin lists (from settings).

    Attributes:
        telegram: Telegram user ids (``TELEGRAM_ADMIN_IDS``) as strings.
        discord: Discord user ids (``DISCORD_ADMIN_IDS``) as strings.
        console_admin: whether the local console user is a catalog admin (the console user setting).
    """

    telegram: frozenset[str] = field(default_factory=frozenset)
    discord: frozenset[str] = field(default_factory=frozenset)
    console_admin: bool = False

    @classmethod
    def of(
        cls, *, telegram: Iterable[str | int] = (), discord: Iterable[str | int] = (), console_admin: bool = False
    ) -> Operators:
        """Build from any iterables of ids (ints or strings; blanks dropped)."""

        def ids(values: Iterable[str | int]) -> frozenset[str]:
            return frozenset(s for s in (str(v).strip() for v in values) if s)

        return cls(telegram=ids(telegram), discord=ids(discord), console_admin=bool(console_admin))

    def lists(self, platform: str) -> frozenset[str]:
        """The admin ids configured for ``platform`` (empty for other platforms)."""
        return {"telegram": self.telegram, "discord": self.discord}.get(platform, frozenset())


@dataclass(frozen=True)
class Roles:
    """What a caller may do here: ``caller.role`` for the shared catalog, ``playlist_manager`` for this group."""

    caller: Caller
    playlist_manager: bool


def member_key(caller: Caller) -> str:
    """Stable identity of a caller across groups: ``"platform:user_id"`` (e.g. ``"telegram:42"``)."""
    return f"{caller.platform}:{caller.user_id}"


def catalog_role(platform: str, user_id: str | int, operators: Operators) -> Role:
    """The caller's role for the shared catalog: ADMIN only when the operators listed them.

    Args:
        platform: ``"telegram"``, ``"discord"``, ``"console"`` (anything else: never admin).
        user_id: the platform's user id.
        operators: the configured lists.
    """
    if platform == "console":
        return Role.ADMIN if operators.console_admin else Role.USER
    return Role.ADMIN if str(user_id).strip() in operators.lists(platform) else Role.USER


def api_caller(client: str, presented_key: str | None, admin_key: str | None) -> Caller:
    """Identity + catalog role for a REST API request (``adapters/api``): ADMIN only when the operators configured
    ``API_ADMIN_KEY`` and the request presented exactly that key (``Authorization: Bearer <key>``, compared in
    constant time, :func:`hmac.compare_digest`). No key configured: nobody is admin (writes are disabled).

    Args:
        client: who is calling (the client's address), kept as ``user_id``.
        presented_key: the bearer token sent, or None.
        admin_key: the configured ``API_ADMIN_KEY``, or None / "" when unset.
    """
    ok = bool(admin_key) and presented_key is not None and hmac.compare_digest(
        presented_key.encode("utf-8", "surrogatepass"), str(admin_key).encode("utf-8", "surrogatepass")
    )
    return Caller(user_id=str(client), platform="api", role=Role.ADMIN if ok else Role.USER)


def caller_for(platform: str, user_id: str | int, operators: Operators) -> Caller:
    """Identity + catalog role for a platform user (see :func:`catalog_role`)."""
    return Caller(user_id=str(user_id), platform=platform, role=catalog_role(platform, user_id, operators))


def roles(
    platform: str, user_id: str | int, operators: Operators, *, in_server: bool, server_admin: bool
) -> Roles:
    """The caller and the playlist-manager flag for one message / interaction.

    Args:
        platform, user_id, operators: as :func:`catalog_role`.
        in_server: the message comes from a Discord server / Telegram group (False: DM / private chat).
        server_admin: the platform says the user administers that server (Discord Manage Server, Administrator or
            owner; Telegram creator / administrator). Grants playlist management of this server only — it is
            deliberately *not* an input of the catalog role.
    """
    caller = caller_for(platform, user_id, operators)
    return Roles(caller=caller, playlist_manager=playlist_manager(caller, in_server=in_server, server_admin=server_admin))


def playlist_manager(caller: Caller, *, in_server: bool, server_admin: bool) -> bool:
    """Whether ``caller`` manages every playlist of this group: a catalog admin, a server admin in a server, or
    anyone in a private chat / DM (their own playlists)."""
    return caller.is_admin or not in_server or bool(server_admin)


def may_manage_playlist(caller: Caller, created_by: str, group_admin: bool) -> bool:
    """Rename / delete a playlist (and remove any of its tracks): its creator, a group admin or a catalog admin.

    Args:
        created_by: the playlist's creator as a :func:`member_key`.
        group_admin: the adapter's ``playlist_manager`` flag for this group (see :func:`roles`).
    """
    return caller.is_admin or bool(group_admin) or member_key(caller) == created_by


def may_remove_entry(caller: Caller, created_by: str, added_by: str, group_admin: bool) -> bool:
    """Remove one track from a playlist: whoever added it, or anyone who may manage the playlist."""
    return member_key(caller) == added_by or may_manage_playlist(caller, created_by, group_admin)


def may_edit_catalog(caller: Caller) -> bool:
    """Add, edit or delete tracks of the shared catalog: catalog admins only (see :func:`catalog_role`)."""
    return isinstance(caller, Caller) and caller.is_admin


def may_run(caller: Caller, command: str) -> bool:
    """Whether ``caller`` may run the registry command ``command`` (:data:`core.commands.REGISTRY`): user commands
    are for everyone, admin commands for catalog admins (:func:`may_edit_catalog`). Playlist actions are decided
    per playlist by :func:`may_manage_playlist` / :func:`may_remove_entry` as well.

    Raises:
        KeyError: ``command`` is not in the registry (a programming error).
    """
    from core.commands import spec

    return not spec(command).admin or may_edit_catalog(caller)


def require_command(caller: Caller, command: str) -> Caller:
    """``caller`` when :func:`may_run` allows ``command``; used by every adapter and the admin CLI before parsing
    arguments (the engine checks again on every mutation).

    Raises:
        PermissionDenied: naming the command's action ("Sorry, only admins can addsong." is never shown: the
            summary's verb is used, e.g. "add a track to the catalog").
    """
    if not may_run(caller, command):
        from core.commands import spec

        action = spec(command).summary.removeprefix("Admin: ")
        raise PermissionDenied(action[:1].lower() + action[1:])
    return caller
