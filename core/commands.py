"""Slash commands: the one registry (name, arguments, help, permission) and the one parser of chat commands.

Every surface builds from :data:`REGISTRY`:

* the console chat and ``musicbot ask`` answer ``/help`` with :func:`help_text` (``surface="console"``);
* Telegram registers one ``CommandHandler`` per :attr:`CommandSpec.telegram` name, publishes the menu with
  ``set_my_commands`` from :func:`menu` (admin commands only in each admin's chat scope) and words ``/help`` from it;
* Discord declares its app commands (``/recommend``, the ``/playlist`` group…) with :func:`summary` as description
  and answers ``/help`` from :func:`help_lines`;
* ``musicbot addsong|editsong|delsong`` (the admin CLI) use the same specs, parsers and permission.

A test (``tests/unit/test_command_registry.py``) checks that each adapter's handlers and the registry name the same
commands, so a new command is one entry here plus one handler per adapter.

Parsing shared by every adapter lives here too: :func:`parse_command` (``/similar@MyBot Blinding Lights``),
:func:`split_refs` (several references), and the ``#N`` syntax (:data:`LIST_REF`, :func:`number_refs`): ``#N`` means
item N of the last list shown in the conversation. ``field=value`` pairs are parsed by :mod:`core.fields`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from enum import Enum

#: Where a command exists.
SURFACES = ("console", "telegram", "discord", "cli")


class Permission(str, Enum):
    """Who may run a command: everyone, or catalog admins (operators' lists, see :mod:`core.policy`)."""

    USER = "user"
    ADMIN = "admin"


@dataclass(frozen=True)
class Arg:
    """One argument of a command: ``name`` (Discord option name, ``[a-z_]``), ``help`` (≤ 100 characters)."""

    name: str
    help: str
    required: bool = True


@dataclass(frozen=True)
class CommandSpec:
    """One command as every surface knows it.

    Attributes:
        name: canonical name, ``"recommend"`` or ``"playlist add"`` (a subcommand of the ``/playlist`` group).
        summary: one line, ≤ 100 characters (Discord's description limit; Telegram's menu allows 256).
        usage: the argument syntax in chat, e.g. ``"NAME | SONG[; SONG…]"`` ("" = none).
        example: example arguments for help texts.
        args: the arguments (Discord options; help texts).
        permission: :class:`Permission` (checked in core by :func:`core.policy.require_command`, and again by the
            engine on every mutation).
        telegram: the Telegram command name (``[a-z0-9_]``, 1–32) or None when Telegram has no such command.
        discord: the Discord app command path (``"playlist add"``) or None.
        console: whether the console chat / ``musicbot ask`` answer it.
        cli: whether ``musicbot NAME`` exists as a script command (the admin CLI).
        aliases: other words accepted for a ``/playlist`` subcommand (``new`` for ``create``…).
        menu: listed in Telegram's command menu and in help texts.
    """

    name: str
    summary: str
    usage: str = ""
    example: str = ""
    args: tuple[Arg, ...] = ()
    permission: Permission = Permission.USER
    telegram: str | None = None
    discord: str | None = None
    console: bool = True
    cli: bool = False
    aliases: tuple[str, ...] = ()
    menu: bool = True

    @property
    def admin(self) -> bool:
        """True for catalog-admin commands."""
        return self.permission is Permission.ADMIN

    @property
    def chat_usage(self) -> str:
        """``/playlist add NAME | SONG[; SONG…]`` as typed in the console chat."""
        return f"/{self.name} {self.usage}".rstrip()

    def telegram_usage(self) -> str:
        """``/pl_add NAME | SONG[; SONG…]`` as typed on Telegram ("" when not on Telegram)."""
        return f"/{self.telegram} {self.usage}".rstrip() if self.telegram else ""

    def on(self, surface: str) -> bool:
        """Whether the command exists on ``surface`` (one of :data:`SURFACES`)."""
        return {"console": self.console, "telegram": self.telegram is not None,
                "discord": self.discord is not None, "cli": self.cli}[surface]


_SONG = "Title, “title - artist”, Spotify link, id, or #N from the last list"
_PLAYLIST = Arg("playlist", "The playlist's name")


def _cmd(name: str, summary: str, usage: str = "", example: str = "", *args: Arg, **kw: object) -> CommandSpec:
    """A spec whose Telegram and Discord names default to ``name`` (``"playlist x"``: ``pl_x`` / ``playlist x``)."""
    group, _, sub = name.partition(" ")
    kw.setdefault("telegram", f"pl_{sub}" if sub else name)
    kw.setdefault("discord", name)
    return CommandSpec(name, summary, usage, example, tuple(args), **kw)  # type: ignore[arg-type]


#: Every command, in help order.
REGISTRY: tuple[CommandSpec, ...] = (
    _cmd("recommend", "Tracks for a mood, activity, genre or era", "TEXT", "chill study music",
         Arg("text", "What you'd like to hear, e.g. “chill lo-fi for studying”")),
    _cmd("similar", "Tracks like one or more songs (separate several with ;)", "SONG[; SONG…]",
         "Blinding Lights - The Weeknd; Levitating", Arg("songs", "Songs separated by ; — " + _SONG)),
    _cmd("search", "Find tracks by title, artist or album", "QUERY", "daft punk",
         Arg("query", "Words from a title, artist or album")),
    _cmd("song", "Details and audio features of one track", "SONG", "Blinding Lights", Arg("ref", _SONG)),
    _cmd("chart", "A picture: the last list against what you asked for, or one song's audio features", "[SONG]",
         "#2", Arg("song", _SONG, required=False)),
    _cmd("preview", "A 30-second preview of a track, when one exists", "SONG", "#2", Arg("ref", _SONG)),
    _cmd("like", "Like a track: your recommendations lean towards it", "SONG", "#3", Arg("song", _SONG)),
    _cmd("dislike", "Dislike a track: it is never suggested to you again", "SONG", "#4", Arg("song", _SONG)),
    _cmd("more", "The next page of the last list", discord=None),
    _cmd("playlists", "This group's shared playlists", discord="playlist list"),
    _cmd("playlist", "Shared playlists: /playlist create|add|remove|show|rename|delete|recommend|export",
         "SUBCOMMAND …", "create Road Trip", discord=None, menu=False),
    _cmd("playlist create", "Start a new shared playlist", "NAME", "Road Trip",
         Arg("name", "Its name (1–100 characters), e.g. “Road Trip”"), aliases=("new", "make")),
    _cmd("playlist add", "Add songs to a playlist (separate several with ;)", "NAME | SONG[; SONG…]",
         "Road Trip | Blinding Lights; #3", _PLAYLIST, Arg("songs", "Songs separated by ; — " + _SONG)),
    _cmd("playlist remove", "Remove songs from a playlist", "NAME | SONG-or-#N", "Road Trip | #2",
         _PLAYLIST, Arg("songs", "#N as numbered by show, or a song"), aliases=("rm", "del")),
    _cmd("playlist show", "Show a playlist, ten tracks a page", "NAME [page]", "Road Trip",
         _PLAYLIST, Arg("page", "Page number (default 1)", required=False), aliases=("view", "open")),
    _cmd("playlist rename", "Rename a playlist (its creator or a group admin)", "OLD | NEW",
         "Road Trip | Summer Trip", _PLAYLIST, Arg("new_name", "The new name (1–100 characters)")),
    _cmd("playlist delete", "Delete a playlist (its creator or a group admin)", "NAME", "Road Trip",
         _PLAYLIST, aliases=("drop",)),
    _cmd("playlist recommend", "Tracks that fit a playlist as a whole (not already in it)", "NAME", "Road Trip",
         _PLAYLIST, aliases=("rec", "suggest")),
    _cmd("playlist export", "All Spotify links of a playlist (a file when long)", "NAME", "Road Trip",
         _PLAYLIST, aliases=("links",)),
    _cmd("reset", "Forget this conversation"),
    _cmd("help", "What this bot can do"),
    _cmd("start", "Welcome message", discord=None, console=False, menu=True),
    _cmd("quit", "Leave the console chat", telegram=None, discord=None, menu=False),
    _cmd("addsong", "Admin: add a track to the catalog", "track_id | title | artist | field=value …",
         "0123456789abcdefABCDEF | Title | Artist | danceability=0.7 energy=0.8 …",
         permission=Permission.ADMIN, cli=True),
    _cmd("editsong", "Admin: change fields of a track", "SONG | field=value …",
         "Blinding Lights - The Weeknd | energy=0.8 tempo=120",
         Arg("ref", "The track to change"), Arg("changes", "field=value pairs, e.g. energy=0.8 tempo=120"),
         permission=Permission.ADMIN, cli=True),
    _cmd("delsong", "Admin: delete a track from the catalog", "SONG", "Blinding Lights - The Weeknd",
         Arg("ref", "The track to delete"), permission=Permission.ADMIN, cli=True),
)

_BY_NAME = {spec.name: spec for spec in REGISTRY}
_BY_TELEGRAM = {spec.telegram: spec for spec in REGISTRY if spec.telegram}


def spec(name: str) -> CommandSpec:
    """The spec named ``name`` (``"recommend"``, ``"playlist add"``).

    Raises:
        KeyError: no such command (a programming error: names are constants).
    """
    return _BY_NAME[name]


def summary(name: str) -> str:
    """The one-line description of ``name`` (Discord app command descriptions)."""
    return _BY_NAME[name].summary


def telegram_spec(command: str) -> CommandSpec | None:
    """The spec behind a Telegram command name (``pl_add`` -> ``playlist add``), or None."""
    return _BY_TELEGRAM.get(command)


def commands_on(surface: str, *, admin: bool | None = None) -> list[CommandSpec]:
    """The specs available on ``surface`` in help order; ``admin`` True/False keeps only admin / user commands."""
    return [s for s in REGISTRY if s.on(surface) and (admin is None or s.admin == admin)]


def playlist_subcommand(word: str) -> str | None:
    """``"new"`` -> ``"create"``, ``"list"``/``"ls"`` -> ``"list"``, ``"help"`` -> ``"help"``; None when unknown."""
    word = word.lower()
    if word in ("list", "ls"):
        return "list"
    if word == "help":
        return "help"
    for s in REGISTRY:
        group, _, sub = s.name.partition(" ")
        if group == "playlist" and sub and (word == sub or word in s.aliases):
            return sub
    return None


def playlist_usage(lang: str = "en") -> str:
    """``Playlist commands: /playlists · /playlist create NAME · …`` (console wording; the lead in ``lang``, the
    syntax as typed)."""
    from core.reply_words import say

    subs = [s.chat_usage for s in REGISTRY if s.name.startswith("playlist ")]
    return say("playlist commands", lang) + " " + " · ".join(["/playlists", *subs])


def help_lines(surface: str, *, admin: bool = False) -> list[tuple[str, str]]:
    """``(usage, summary)`` per command of ``surface`` shown in help (admin commands only when ``admin``).

    ``usage`` is what to type there: ``/pl_add NAME | SONG…`` on Telegram, ``/playlist add NAME | SONG…`` in the
    console, ``/playlist add`` on Discord (whose options are shown by the client).
    """
    out = []
    for s in REGISTRY:
        if not s.on(surface) or not s.menu or (s.admin and not admin) or s.name == "start":
            continue
        if surface == "telegram":
            out.append((s.telegram_usage(), s.summary))
        elif surface == "discord":
            out.append((f"/{s.discord}", s.summary))
        else:
            out.append((s.chat_usage, s.summary))
    return out


def menu(surface: str = "telegram", *, admin: bool = False) -> list[tuple[str, str]]:
    """``(command name, summary)`` for a command menu (Telegram ``set_my_commands``): the user commands, plus the
    admin ones when ``admin``."""
    return [(s.telegram or s.name, s.summary) for s in REGISTRY
            if s.on(surface) and s.menu and (admin or not s.admin)]


# ---------------------------------------------------------------------------------------------- parsing
@dataclass(frozen=True, slots=True)
class Command:
    """A parsed message: ``name`` is a command name without the slash, or ``""`` for free text."""

    name: str
    args: str

    @property
    def is_free_text(self) -> bool:
        """True when the message is not a slash command."""
        return not self.name


def parse_command(text: str) -> Command:
    """Split ``"/similar@MyBot Blinding Lights"`` into ``Command("similar", "Blinding Lights")``.

    Unknown commands keep their name (the caller answers with help); free text has ``name == ""``.
    """
    text = (text or "").strip()
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return Command("", text)
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return Command(name, rest.strip())


def split_refs(args: str) -> list[str]:
    """Reference list from ``/similar`` arguments: ``a; b | c`` or ``"a" "b"``; a lone unquoted title stays whole."""
    args = args.strip()
    if not args:
        return []
    if ";" in args or "|" in args:
        return [p.strip() for p in args.replace("|", ";").split(";") if p.strip()]
    if args.count('"') >= 2:
        try:
            return [p for p in shlex.split(args) if p.strip()]
        except ValueError:
            pass
    return [args]


#: ``#3``, ``no. 3``, ``number 3``: item N of the last list shown (every adapter, the chat and the agent's tools).
LIST_REF = re.compile(r"^\s*(?:#|no\.?\s*|number\s+)(\d{1,4})\s*$", re.IGNORECASE)
_NUMBER_LIST = re.compile(r"^\s*#\d{1,4}(?:\s*(?:[,;]|\band\b)?\s*#\d{1,4})*\s*$", re.IGNORECASE)


def list_number(ref: str) -> int | None:
    """``"#3"`` / ``"no. 3"`` / ``"number 3"`` -> 3; anything else -> None."""
    m = LIST_REF.match(str(ref or ""))
    return int(m.group(1)) if m else None


def number_refs(text: str) -> list[str] | None:
    """``"#1 #3"``, ``"#1, #3 and #5"``, ``"#2; #4"`` -> ``["#1", "#3", "#5"]``; None when ``text`` is not only
    ``#N`` references (then it is song references, see :func:`split_refs`)."""
    if not _NUMBER_LIST.match(text or ""):
        return None
    return re.findall(r"#\d{1,4}", text)


def help_text(surface: str = "console", *, admin: bool = False, lang: str = "en") -> str:
    """Plain-text help listing the commands of ``surface`` (console chat and ``musicbot ask`` by default), its frame
    and each command's summary in ``lang`` (:data:`core.reply_words.REPLY_WORDS`: ``"help <name>"``; a summary
    without a wording stays as the registry has it). Usages keep the platform's (English) command names."""
    from core.reply_words import REPLY_WORDS, say

    words = REPLY_WORDS.get(lang, {})
    lines = [f"{usage} — {words.get('help ' + name, text)}" for name, usage, text in _help_rows(surface, admin)]
    return say("commands", lang) + "\n" + "\n".join(lines) + "\n" + say("help tail", lang)


def _help_rows(surface: str, admin: bool) -> list[tuple[str, str, str]]:
    """``(registry name, usage, summary)`` of :func:`help_lines`, in its order."""
    names = [s.name for s in REGISTRY if s.on(surface) and s.menu and not (s.admin and not admin) and s.name != "start"]
    return [(name, usage, text) for name, (usage, text) in zip(names, help_lines(surface, admin=admin), strict=True)]
