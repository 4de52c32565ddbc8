"""Slash-command routing shared by the console, ``musicbot ask`` and text-based adapters.

``/recommend TEXT``, ``/similar REF...``, ``/search QUERY``, ``/song REF``, ``/more``, ``/reset``, ``/help``, and the
group commands ``/playlist SUBCOMMAND ...``, ``/playlists``, ``/like REF``, ``/dislike REF``, ``/preview REF`` (run by
:mod:`core.agent.playlist_ops`); anything else is free text. Several references to ``/similar`` are separated by
``;`` or ``|`` (or given as several quoted arguments). ``#N`` means item N of the last list shown in the conversation.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

COMMANDS: dict[str, str] = {
    "recommend": "/recommend TEXT — tracks for a mood, activity, genre or era (e.g. chill study music)",
    "similar": "/similar SONG [; SONG...] — tracks like one or more songs (title, \"title - artist\", link or id)",
    "search": "/search QUERY — find tracks by title, artist or album",
    "song": "/song SONG — details and audio features of one track",
    "more": "/more — the next page of the last recommendation",
    "chart": "/chart [SONG] — a picture: the last list against what you asked for, or one song's audio features",
    "playlists": "/playlists — this group's shared playlists",
    "playlist": "/playlist create NAME · add NAME | SONG[; SONG] · remove NAME | SONG-or-#N · show NAME [page] · "
    "rename OLD | NEW · delete NAME · recommend NAME · export NAME — shared playlists",
    "like": "/like SONG-or-#N — more like this in your recommendations",
    "dislike": "/dislike SONG-or-#N — never recommend this to you again",
    "preview": "/preview SONG-or-#N — a short audio preview, when one exists",
    "reset": "/reset — forget this conversation",
    "help": "/help — this list",
}


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


def help_text() -> str:
    """Plain-text help listing the user commands."""
    return (
        "Commands:\n"
        + "\n".join(COMMANDS.values())
        + "\n#N means item N of the last list shown. Or just tell me what you want to hear."
    )
