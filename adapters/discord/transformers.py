"""Slash-command arguments parsed at the edge (discord.py transformers + autocomplete); the engine re-validates.

* :class:`SongRef` — one track reference; autocompletes from the catalog's FTS5 search (value = Spotify id).
* :class:`SongRefs` — several references separated by ``;`` or ``|``; autocompletes the last one.
* :class:`FieldChanges` — ``field=value`` pairs for /editsong (``energy=0.8 title="New title" genres=pop,rock``).
* :func:`genre_choices` — genre/subgenre labels for the ``genre`` option.

Autocomplete must answer within 3 s and never fails loudly: any error yields no choices. Choice names and values
are at most 100 characters, at most 25 choices.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from core.commands import split_refs
from core.fields import EDIT_FIELDS, parse_fields
from core.error_words import invalid
from core.lookup import CatalogLookup

from adapters.discord.render import CHOICE_NAME_LIMIT, clip, one_line
from adapters.discord.replies import context, conversation_id

log = logging.getLogger("adapters.discord")

MAX_CHOICES = 25
#: Longest reference text accepted by the options (the engine's own limit is 2,000).
MAX_REF_CHARS = 1000


async def song_choices(
    interaction: discord.Interaction, current: str, prefix: str = ""
) -> list[app_commands.Choice[str]]:
    """Up to 25 catalog matches for ``current`` as choices ``"Title - Artist"`` -> track id.

    ``prefix`` (earlier references of a list) is kept in front of the value when it fits in 100 characters.
    """
    current = one_line(current)[:100]
    if not current:
        return []
    try:
        lookup = CatalogLookup(context(interaction).services)
        choices: list[app_commands.Choice[str]] = []
        seen: set[str] = set()
        for tid, label in await lookup.suggest(current, MAX_CHOICES):
            label = one_line(label) or tid
            if label in seen:
                continue
            seen.add(label)
            value = f"{prefix}{tid}" if len(prefix) + len(tid) <= 100 else tid
            if len(value) > 100:
                continue
            choices.append(app_commands.Choice(name=_choice_name(lookup, prefix, label), value=value))
            if len(choices) >= MAX_CHOICES:
                break
        return choices
    except Exception:  # autocomplete must never break the command
        log.warning("autocomplete failed for %r", current, exc_info=True)
        return []


def _choice_name(lookup: CatalogLookup, prefix: str, label: str) -> str:
    """``label``, after the earlier songs of a list (ids shown as titles), cut from the left to 100 chars."""
    if not prefix:
        return clip(label, CHOICE_NAME_LIMIT)
    shown = []
    for part in prefix.split(";"):
        part = part.strip()
        shown.append(lookup.title(part) or part)
    name = one_line("; ".join(x for x in shown if x) + "; " + label)
    return name if len(name) <= CHOICE_NAME_LIMIT else "…" + name[-(CHOICE_NAME_LIMIT - 1) :]


class TextTransformer(app_commands.Transformer):
    """A string option of 1..``max_chars`` characters (the limits Discord enforces before the command runs)."""

    max_chars: int = 100

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return self.max_chars


async def _list_ref(interaction: discord.Interaction, ref: str) -> str:
    """``#N`` -> the id of track N of the channel's list on screen (the engine's record); other references as they are.

    Raises:
        InvalidInput: ``#N`` with no list shown in this channel, or N not on it.
    """
    if not ref.startswith("#"):
        return ref
    return await context(interaction).services.sessions.list_ref(conversation_id(interaction.channel_id), ref)


class SongRef(TextTransformer):
    """One song: Spotify id, open.spotify.com link, ``spotify:track:`` URI, ``title`` or ``title - artist``."""

    max_chars = MAX_REF_CHARS

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        text = one_line(value)
        if not text:
            raise invalid("dc give song", "ref")
        return await _list_ref(interaction, text)

    async def autocomplete(self, interaction: discord.Interaction, value: str, /) -> list[app_commands.Choice[str]]:  # type: ignore[override]
        return await song_choices(interaction, str(value or ""))


def engine_split_refs(interaction: discord.Interaction, value: str) -> list[str]:
    """The engine's reference split (a whole exact title is never cut at ``;``/``|``; pasted links one by one)."""
    try:
        services = context(interaction).services
    except Exception:  # a stand-in interaction without the bot: the plain split
        return split_refs(value)
    return services.tracks.split_refs(value)


class SongRefs(TextTransformer):
    """Several songs separated by ``;`` or ``|`` (e.g. ``Blinding Lights; Levitating - Dua Lipa``) -> list."""

    max_chars = MAX_REF_CHARS

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> list[str]:
        refs = [one_line(r) for r in engine_split_refs(interaction, str(value or "")) if one_line(r)]
        if not refs:
            raise invalid("dc give songs", "songs")
        if len(refs) > 25:
            exc = invalid("dc at most songs", "songs", n=25)
            exc.allowed = "1–25"
            raise exc
        return [await _list_ref(interaction, r) for r in refs]

    async def autocomplete(self, interaction: discord.Interaction, value: str, /) -> list[app_commands.Choice[str]]:  # type: ignore[override]
        text = str(value or "")
        head, sep, last = text.replace("|", ";").rpartition(";")
        prefix = f"{head.strip()}; " if sep and head.strip() else ""
        return await song_choices(interaction, last if sep else text, prefix)


# ---------------------------------------------------------------------------------------------------- field=value
class FieldChanges(app_commands.Transformer):
    """``field=value`` pairs for /editsong, parsed by :func:`core.fields.parse_fields` (the track id cannot change)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def max_value(self) -> int:
        return 2000

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> dict[str, Any]:
        return parse_fields(str(value or ""), allowed=EDIT_FIELDS)


async def genre_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Genre and subgenre labels of the catalog containing ``current`` (all when empty), at most 25."""
    try:
        needle = one_line(current).lower()
        names = CatalogLookup(context(interaction).services).genre_names()
        hits = [n for n in names if needle in n.lower()] if needle else names
        hits.sort(key=lambda n: (not n.lower().startswith(needle), len(n)))
        return [
            app_commands.Choice(name=clip(one_line(n), 100), value=n[:100]) for n in hits[:MAX_CHOICES] if one_line(n)
        ]
    except Exception:
        log.warning("genre autocomplete failed", exc_info=True)
        return []
