"""``field=value`` pairs for catalog admin commands — the one parser every surface uses.

``/addsong`` and ``/editsong`` on Telegram, ``/editsong changes:`` and the forms on Discord, the console chat and
``musicbot addsong|editsong`` (the admin CLI) all call :func:`parse_fields`, :func:`parse_addsong` or
:func:`parse_editsong`; the engine validates everything again (:meth:`core.app.catalog_admin.CatalogAdmin.validate_track`).

Forms people type::

    energy=0.8 tempo=120 title=Hello World genres=pop,rock     # a value may run over several words
    title="A = B" bpm=90 artist="Daft Punk; Pharrell"           # or be quoted
    title=Don't Stop Me Now                                      # apostrophes inside words are letters
    track_id | title | artist | danceability=0.7 …              # /addsong's positional form
    Blinding Lights - The Weeknd | energy=0.8                    # /editsong SONG | changes (the | may be left out)

Numbers are range-checked here (audio features 0–1, ``tempo`` BPM 0–250, ``loudness`` dB −60–5, ``key`` −1–11,
``mode`` 0/1; ranges from :data:`core.models.FEATURE_RANGES`, i.e. Spotify's audio-features reference).
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from core.error_words import invalid
from core.errors import InvalidInput
from core.models import AUDIO_FEATURES, FEATURE_RANGES
from core.reply_words import say

#: Fields an admin may set, by kind of value.
INT_FIELDS = frozenset({"key", "mode", "year", "popularity", "duration_ms"})
FLOAT_FIELDS = frozenset(AUDIO_FEATURES) - {"key", "mode"}
LIST_FIELDS = frozenset({"artists", "genres", "subgenres", "playlists"})
TEXT_FIELDS = frozenset({"track_id", "title", "album", "release_date"})
ALL_FIELDS = INT_FIELDS | FLOAT_FIELDS | LIST_FIELDS | TEXT_FIELDS
#: Fields ``editsong`` may change (a track id never changes).
EDIT_FIELDS = ALL_FIELDS - {"track_id"}
#: Friendly names people type for a field.
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
#: Ranges of the non-feature numbers (year: the Track model's; popularity: Spotify's 0–100; duration: ≤ 24 h).
EXTRA_RANGES = {"year": (1000, 2100), "popularity": (0, 100), "duration_ms": (0, 24 * 3600 * 1000)}
_PAIR = re.compile(r"^([A-Za-z_]+)\s*[=:]\s*(.*)$", re.S)
_FIRST_PAIR = re.compile(r"(?:^|\s)([A-Za-z_]+)\s*=")
_SPOTIFY_ID = re.compile(r"(?:open\.spotify\.com/(?:intl-[a-z-]+/)?track/|spotify:track:)([0-9A-Za-z]{22})", re.I)
_APOSTROPHE = "\x00"

ADDSONG_USAGE = say("usage addsong")
EDITSONG_USAGE = say("usage editsong")


def _clip(text: str, n: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def canonical(name: str) -> str:
    """``"BPM"`` -> ``"tempo"``: the field a typed name means (lower-cased, aliases applied)."""
    name = name.strip().lower()
    return ALIASES.get(name, name)


def _tokens(text: str) -> list[str]:
    """Split on whitespace, honouring "double" quotes and 'single' quotes around a whole value (``title='A B'``);
    any other apostrophe is a letter (Don't, Rock 'n' Roll, '93 Til Infinity)."""
    text = re.sub(r"(=\s*)'([^']*)'(?=\s|\||$)", "\\1\x01\\2\x01", text.replace("\n", " "))
    text = text.replace("'", _APOSTROPHE).replace("\x01", "'")
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.escape = ""  # a backslash is a character (AC\DC), never an escape
    lexer.commenters = ""
    try:
        return [t.replace(_APOSTROPHE, "'") for t in lexer]
    except ValueError:
        raise invalid("f quotes", "fields") from None


def _number(name: str, raw: str) -> int | float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise invalid("f number", name, name=name, raw=_clip(raw)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise invalid("f finite", name, name=name)
    lo, hi = FEATURE_RANGES.get(name, EXTRA_RANGES.get(name, (float("-inf"), float("inf"))))
    if not lo <= value <= hi:
        exc = invalid("f range", name, name=name, lo=f"{lo:g}", hi=f"{hi:g}", v=f"{value:g}")
        exc.allowed = f"{lo:g}–{hi:g}"
        raise exc
    if name in INT_FIELDS:
        if not value.is_integer():
            raise invalid("f whole", name, name=name, v=f"{value:g}")
        return int(value)
    return value


def _unknown(name: str, allowed: frozenset[str]) -> InvalidInput:
    fields = ", ".join(sorted(allowed))
    exc = invalid("f unknown", _clip(name), name=_clip(name), fields=fields)
    exc.allowed = fields
    return exc


def parse_fields(text: str, *, allowed: frozenset[str] = ALL_FIELDS, empty_ok: bool = False) -> dict[str, Any]:
    """Parse ``field=value`` pairs into typed Track fields.

    ``title=Hello World energy=0.8 genres=pop,rock`` -> ``{"title": "Hello World", "energy": 0.8,
    "genres": ["pop", "rock"]}``. Pairs are separated by spaces, newlines or ``|``; a value runs on over
    following words until the next ``field=`` (a text value may even hold ``x=y``); quotes keep a value whole.
    Lists (artists, genres…) are split at ``,`` or ``;``; numbers are range-checked (see the module docstring).

    Raises:
        InvalidInput: unknown field (names it and lists the fields), bad or out-of-range number, unbalanced
            quotes, text that is not a pair, or nothing to parse (unless ``empty_ok``).
    """
    tokens = _tokens(text.replace("|", " "))
    pairs: list[list[str]] = []
    for token in tokens:
        m = _PAIR.match(token)
        if m and canonical(m[1]) in ALL_FIELDS:
            pairs.append([canonical(m[1]), m[2]])
        elif m and (not pairs or pairs[-1][0] not in TEXT_FIELDS):
            raise _unknown(m[1], allowed)
        elif pairs:  # a word of a multi-word value: title=Hello World
            pairs[-1][1] = f"{pairs[-1][1]} {token}".strip()
        else:
            raise invalid("f pairs", "fields", raw=_clip(token))
    if not pairs and not empty_ok:
        raise invalid("f nothing", "fields")
    out: dict[str, Any] = {}
    for name, raw in pairs:
        if name not in allowed:
            raise _unknown(name, allowed)
        raw = raw.strip()
        if name in INT_FIELDS or name in FLOAT_FIELDS:
            out[name] = _number(name, raw)
        elif name in LIST_FIELDS:
            out[name] = [p.strip() for p in re.split(r"[;,]", raw) if p.strip()]
        else:
            out[name] = " ".join(raw.split())
    return out


def track_id_of(text: str) -> str:
    """The 22-character id in a Spotify track link or URI, else ``text`` stripped (the engine checks the id)."""
    m = _SPOTIFY_ID.search(text)
    return m.group(1) if m else text.strip()


def parse_addsong(args: str) -> dict[str, Any]:
    """Arguments of ``addsong`` -> typed Track fields.

    Two forms: ``track_id | title | artist | field=value …`` (Telegram's), or only ``field=value`` pairs with
    ``track_id``, ``title`` and ``artist`` among them (the CLI's ``musicbot addsong track_id=… title=…``).
    A Spotify link or URI as the id is reduced to the id.

    Raises:
        InvalidInput: no id, title or artist (with the usage), an unknown field, a bad number, or missing audio
            features (listed with their allowed ranges).
    """
    args = args.strip()
    first = args.split("|", 1)[0]
    if "|" in args and not _FIRST_PAIR.match(first.strip()):
        parts = [p.strip() for p in args.split("|")]
        if len(parts) < 3 or not all(parts[:3]):
            raise invalid("usage addsong", "track_id")
        data: dict[str, Any] = {"track_id": parts[0], "title": " ".join(parts[1].split()),
                                "artists": [a.strip() for a in re.split(r"[;,]", parts[2]) if a.strip()]}
        data.update(parse_fields(" ".join(parts[3:]), empty_ok=True))
    else:
        data = parse_fields(args, empty_ok=True)
    if not data.get("track_id") or not data.get("title") or not data.get("artists"):
        raise invalid("usage addsong", "track_id" if not data.get("track_id") else
                           "title" if not data.get("title") else "artists")
    data["track_id"] = track_id_of(str(data["track_id"]))
    missing = [f for f in AUDIO_FEATURES if f not in data]
    if missing:
        ranges = ", ".join(f"{f} {FEATURE_RANGES[f][0]:g}–{FEATURE_RANGES[f][1]:g}" for f in missing)
        exc = invalid("f missing", missing[0], ranges=ranges)
        exc.allowed = ranges
        raise exc
    return data


def parse_editsong(args: str) -> tuple[str, dict[str, Any]]:
    """Arguments of ``editsong`` -> ``(song reference, typed changes)``: ``SONG | field=value …`` or
    ``SONG field=value …`` (the song ends where the first known ``field=`` starts).

    Raises:
        InvalidInput: no song or no change given, an unknown field, a bad number, or a track id change.
    """
    if "|" in args:
        ref, _, rest = args.partition("|")
    else:
        m = next((m for m in _FIRST_PAIR.finditer(args) if canonical(m.group(1)) in ALL_FIELDS), None)
        ref, rest = (args[: m.start()], args[m.start():]) if m else (args, "")
    ref = " ".join(ref.split())
    if not ref:
        raise invalid("usage editsong", "song")
    if not rest.strip():
        raise invalid("usage editsong", "fields")
    return ref, parse_fields(rest, allowed=EDIT_FIELDS)
