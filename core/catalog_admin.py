"""Catalog admin use cases — ``addsong``, ``editsong``, ``delsong`` — for every surface.

The console chat and ``musicbot ask`` (through :meth:`core.chat.ChatService.chat`), Telegram's ``/addsong`` …, and the
admin CLI (``musicbot addsong field=value …``) all call :func:`run_admin_command`: it checks the registry permission
(:func:`core.policy.require_command`), parses the arguments with the one parser (:mod:`core.fields`), resolves
``#N`` against the conversation's list on screen, and calls the engine's ``add_song`` / ``edit_song`` /
``delete_song`` (which check the caller's role again and validate every field). Discord's forms already hold typed
fields and call the engine directly after :func:`core.policy.require_command`.

Errors are the engine's (:class:`~core.errors.PermissionDenied`, :class:`~core.errors.InvalidInput`,
:class:`~core.errors.SongNotFound`); nothing is changed when one is raised.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from core import policy
from core.error_words import invalid
from core.errors import InvalidInput
from core.reply_words import say
from core.fields import parse_addsong, parse_editsong
from core.models import Caller, Track

if TYPE_CHECKING:
    from core.app.ports import SongAdmin

#: The registry's admin commands handled here.
ADMIN_COMMANDS = ("addsong", "editsong", "delsong")
#: ``"#3"`` -> a track id of the list on screen (e.g. :meth:`core.app.session.Sessions.list_ref` bound to a conversation).
ListRef = Callable[[str], Awaitable[str]]


@dataclass(frozen=True)
class AdminChange:
    """What an admin command did.

    Attributes:
        action: ``added``, ``updated`` or ``deleted``.
        track: the track as stored after the change (as it was, for ``deleted``).
        fields: the fields given (``editsong``: the changed ones; ``addsong``: every field set).
    """

    action: Literal["added", "updated", "deleted"]
    track: Track
    fields: tuple[str, ...] = ()

    def message(self, lang: str = "en") -> str:
        """``Added: Title - Artist (id)`` (plain text, in ``lang``; adapters may render their own). An update names
        the changed fields as typed (``energy, tempo``)."""
        key = f"admin {self.action}" + (" fields" if self.action == "updated" and self.fields else "")
        return say(key, lang, song=f"{self.track.title} - {self.track.artist}", id=self.track.track_id,
                   fields=", ".join(self.fields))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"action", "fields", "track": {every Track field, artist, spotify_url}}``."""
        return {"action": self.action, "fields": list(self.fields), "track": self.track.model_dump(mode="json")}


async def run_admin_command(
    admin: SongAdmin, caller: Caller, command: str, args: str, *, list_ref: ListRef | None = None
) -> AdminChange:
    """Run ``addsong`` / ``editsong`` / ``delsong`` with its argument text as typed.

    Args:
        admin: the catalog admin use cases (:class:`core.app.catalog_admin.CatalogAdmin`) whose catalog changes.
        caller: who asks (admin rights come only from the operators' lists, see :mod:`core.policy`).
        command: one of :data:`ADMIN_COMMANDS`.
        args: ``track_id | title | artist | field=value …`` or ``field=value …`` (addsong); ``SONG | field=value …``
            (editsong); ``SONG`` (delsong). SONG may be ``#N`` when ``list_ref`` is given.
        list_ref: resolves ``#N`` (None: ``#N`` is refused with a clear message).

    Raises:
        PermissionDenied: not a catalog admin (checked before anything is parsed).
        InvalidInput: bad arguments (unknown field, value out of range, missing audio features…), an unknown
            command, or ``#N`` without a list.
        SongNotFound: the song to change does not exist (exact matches only).
    """
    if command not in ADMIN_COMMANDS:
        raise InvalidInput(f"Unknown admin command “{command[:40]}”.", "command", ", ".join(ADMIN_COMMANDS))
    policy.require_command(caller, command)
    if command == "addsong":
        data = parse_addsong(args)
        track = await admin.add_song(caller, data)
        return AdminChange("added", track, tuple(data))
    if command == "editsong":
        ref, changes = parse_editsong(args)
        track = await admin.edit_song(caller, await _ref(ref, list_ref), changes)
        return AdminChange("updated", track, tuple(changes))
    ref = " ".join(str(args or "").split())
    if not ref:
        raise invalid("admin which song", "song")
    track = await admin.delete_song(caller, await _ref(ref, list_ref))
    return AdminChange("deleted", track)


async def _ref(ref: str, list_ref: ListRef | None) -> str:
    from core.commands import list_number

    if list_number(ref) is None:
        return ref
    if list_ref is None:
        raise InvalidInput("#N means a number in the last list shown in a chat; name the song or its id here.", "song")
    return await list_ref(ref)
