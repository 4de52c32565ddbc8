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
import re
import shlex
from typing import Any

import discord
from discord import app_commands

from core.commands import split_refs
from core.errors import InvalidInput
from core.models import AUDIO_FEATURES, FEATURE_RANGES

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
        engine = context(interaction).engine
        ids = await engine.catalog.search_ids(current, MAX_CHOICES * 2)
        choices: list[app_commands.Choice[str]] = []
        seen: set[str] = set()
        for tid in ids:
            pos = engine.table.pos.get(tid)
            if pos is None:
                continue
            label = one_line(engine.label(pos)) or tid
            if label in seen:
                continue
            seen.add(label)
            value = f"{prefix}{tid}" if len(prefix) + len(tid) <= 100 else tid
            if len(value) > 100:
                continue
            choices.append(app_commands.Choice(name=_choice_name(engine, prefix, label), value=value))
            if len(choices) >= MAX_CHOICES:
                break
        return choices
    except Exception:  # autocomplete must never break the command
        log.warning("autocomplete failed for %r", current, exc_info=True)
        return []


def _choice_name(engine: Any, prefix: str, label: str) -> str:
    """``label``, after the earlier songs of a list (ids shown as titles), cut from the left to 100 chars."""
    if not prefix:
        return clip(label, CHOICE_NAME_LIMIT)
    shown = []
    for part in prefix.split(";"):
        part = part.strip()
        pos = engine.table.pos.get(part)
        shown.append(engine.table.titles[pos] if pos is not None else part)
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
    return await context(interaction).engine.list_ref(conversation_id(interaction.channel_id), ref)


class SongRef(TextTransformer):
    """One song: Spotify id, open.spotify.com link, ``spotify:track:`` URI, ``title`` or ``title - artist``."""

    max_chars = MAX_REF_CHARS

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> str:
        text = one_line(value)
        if not text:
            raise InvalidInput("Give a song: its title, “title - artist”, a Spotify link or id.", "ref")
        return await _list_ref(interaction, text)

    async def autocomplete(self, interaction: discord.Interaction, value: str, /) -> list[app_commands.Choice[str]]:  # type: ignore[override]
        return await song_choices(interaction, str(value or ""))


def engine_split_refs(interaction: discord.Interaction, value: str) -> list[str]:
    """The engine's reference split (a whole exact title is never cut at ``;``/``|``; pasted links one by one)."""
    try:
        engine = context(interaction).engine
    except Exception:  # a stand-in interaction without the bot: the plain split
        return split_refs(value)
    return engine.split_refs(value)


class SongRefs(TextTransformer):
    """Several songs separated by ``;`` or ``|`` (e.g. ``Blinding Lights; Levitating - Dua Lipa``) -> list."""

    max_chars = MAX_REF_CHARS

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> list[str]:
        refs = [one_line(r) for r in engine_split_refs(interaction, str(value or "")) if one_line(r)]
        if not refs:
            raise InvalidInput("Give at least one song, e.g. Blinding Lights - The Weeknd", "songs")
        if len(refs) > 25:
            raise InvalidInput("Please give at most 25 songs.", "songs", "1–25")
        return [await _list_ref(interaction, r) for r in refs]

    async def autocomplete(self, interaction: discord.Interaction, value: str, /) -> list[app_commands.Choice[str]]:  # type: ignore[override]
        text = str(value or "")
        head, sep, last = text.replace("|", ";").rpartition(";")
        prefix = f"{head.strip()}; " if sep and head.strip() else ""
        return await song_choices(interaction, last if sep else text, prefix)


# ---------------------------------------------------------------------------------------------------- field=value
#: Fields an admin may set, by kind of value.
INT_FIELDS = frozenset({"key", "mode", "year", "popularity", "duration_ms"})
FLOAT_FIELDS = frozenset(AUDIO_FEATURES) - {"key", "mode"}
LIST_FIELDS = frozenset({"artists", "genres", "subgenres", "playlists"})
TEXT_FIELDS = frozenset({"track_id", "title", "album", "release_date"})
ALL_FIELDS = INT_FIELDS | FLOAT_FIELDS | LIST_FIELDS | TEXT_FIELDS
ALIASES = {
    "artist": "artists",
    "genre": "genres",
    "subgenre": "subgenres",
    "playlist": "playlists",
    "name": "title",
    "id": "track_id",
    "date": "release_date",
    "released": "release_date",
    "bpm": "tempo",
    "duration": "duration_ms",
}
_EXTRA_RANGES = {"year": (1000, 2100), "popularity": (0, 100), "duration_ms": (0, 24 * 3600 * 1000)}
_PAIR = re.compile(r"^([A-Za-z_]+)\s*[=:]\s*(.*)$", re.S)


def _number(name: str, raw: str) -> int | float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a number (got “{clip(raw, 40)}”).", name) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(f"{name} must be a finite number.", name)
    lo, hi = FEATURE_RANGES.get(name, _EXTRA_RANGES.get(name, (float("-inf"), float("inf"))))
    if not lo <= value <= hi:
        raise InvalidInput(f"{name} must be between {lo:g} and {hi:g} (got {value:g}).", name, f"{lo:g}–{hi:g}")
    if name in INT_FIELDS:
        if not value.is_integer():
            raise InvalidInput(f"{name} must be a whole number (got {value:g}).", name)
        return int(value)
    return value


def parse_fields(text: str, *, allowed: frozenset[str] = ALL_FIELDS) -> dict[str, Any]:
    """Parse ``field=value`` pairs (space- or newline-separated; quote values with spaces, or let words run on).

    ``title=Hello World energy=0.8 genres=pop,rock`` -> ``{"title": "Hello World", "energy": 0.8,
    "genres": ["pop", "rock"]}``. Numbers are range-checked here (units: 0–1, tempo BPM, loudness dB) and again
    by the engine.

    Raises:
        InvalidInput: unknown field, bad number, unbalanced quotes, or nothing to parse.
    """
    try:
        tokens = shlex.split(text.replace("\n", " "), posix=True)
    except ValueError:
        raise InvalidInput("Unbalanced quotes in the field list.") from None
    pairs: list[list[str]] = []
    for token in tokens:
        m = _PAIR.match(token)
        if m and (m[1].lower() in allowed or m[1].lower() in ALIASES):
            pairs.append([m[1].lower(), m[2]])
        elif m and (not pairs or ALIASES.get(pairs[-1][0], pairs[-1][0]) not in TEXT_FIELDS):
            raise InvalidInput(_unknown(m[1], allowed), m[1])
        elif pairs:  # a word of a multi-word value: title=Hello World (a title may even hold "x=y")
            pairs[-1][1] = f"{pairs[-1][1]} {token}".strip()
        else:
            raise InvalidInput(f"Expected field=value pairs, e.g. energy=0.8 tempo=120 (got “{clip(token, 40)}”).")
    if not pairs:
        raise InvalidInput("Nothing to change: give field=value pairs, e.g. energy=0.8 tempo=120.")
    out: dict[str, Any] = {}
    for name, raw in pairs:
        name = ALIASES.get(name, name)
        if name not in allowed:
            raise InvalidInput(_unknown(name, allowed), name)
        raw = raw.strip()
        if name in INT_FIELDS or name in FLOAT_FIELDS:
            out[name] = _number(name, raw)
        elif name in LIST_FIELDS:
            out[name] = [p.strip() for p in re.split(r"[;,]", raw) if p.strip()]
        else:
            out[name] = one_line(raw)
    return out


def _unknown(name: str, allowed: frozenset[str]) -> str:
    return f"Unknown field “{clip(name, 40)}”. Fields: {', '.join(sorted(allowed))}."


class FieldChanges(app_commands.Transformer):
    """``field=value`` pairs for /editsong, parsed by :func:`parse_fields` (the track id cannot change)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def max_value(self) -> int:
        return 2000

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> dict[str, Any]:
        return parse_fields(str(value or ""), allowed=ALL_FIELDS - {"track_id"})


async def genre_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Genre and subgenre labels of the catalog containing ``current`` (all when empty), at most 25."""
    try:
        table = context(interaction).engine.table
        needle = one_line(current).lower()
        names = sorted({name for kind in ("genre", "subgenre") for _, name in table.labels_of_kind(kind)})
        hits = [n for n in names if needle in n.lower()] if needle else names
        hits.sort(key=lambda n: (not n.lower().startswith(needle), len(n)))
        return [
            app_commands.Choice(name=clip(one_line(n), 100), value=n[:100]) for n in hits[:MAX_CHOICES] if one_line(n)
        ]
    except Exception:
        log.warning("genre autocomplete failed", exc_info=True)
        return []
