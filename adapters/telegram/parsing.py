"""Argument parsing at the edge for the admin commands (the engine re-validates everything).

``/addsong track_id | title | artist | danceability=0.7 energy=0.8 ...`` and ``/editsong song | energy=0.8``.
Values stay strings; :meth:`core.engine.Engine.validate_track` converts and range-checks them.
"""

from __future__ import annotations

import re
from typing import Any

from core.errors import InvalidInput
from core.models import AUDIO_FEATURES, FEATURE_RANGES, Track

_PAIR = re.compile(r"([A-Za-z_]+)\s*=\s*(.*?)(?=\s+[A-Za-z_]+\s*=|\s*$)", re.S)
_FIRST_PAIR = re.compile(r"(?:^|\s)[A-Za-z_]+\s*=")
_SPOTIFY_ID = re.compile(r"(?:open\.spotify\.com/(?:intl-[a-z-]+/)?track/|spotify:track:)([0-9A-Za-z]{22})")

#: Track fields an admin may set, plus friendly aliases.
EDITABLE = frozenset(Track.model_fields) - {"track_id"}
ALIASES = {"artist": "artists", "name": "title", "genre": "genres", "subgenre": "subgenres", "bpm": "tempo"}
LIST_FIELDS = {"genres", "subgenres", "playlists"}

ADDSONG_USAGE = (
    "Usage: /addsong track_id | title | artist | danceability=0.7 energy=0.8 key=5 loudness=-6 mode=1 "
    "speechiness=0.05 acousticness=0.1 instrumentalness=0 liveness=0.1 valence=0.6 tempo=120 [album=... year=...]"
)
EDITSONG_USAGE = "Usage: /editsong song | field=value ... (e.g. /editsong Blinding Lights | energy=0.8 tempo=120)"


def parse_pairs(text: str) -> dict[str, Any]:
    """``"energy=0.8 album=Greatest Hits"`` -> ``{"energy": "0.8", "album": "Greatest Hits"}`` (aliases applied).

    Raises:
        InvalidInput: text that is not ``field=value`` pairs, or an unknown field (names the field).
    """
    text = text.replace("|", " ").strip()
    if not text:
        return {}
    out: dict[str, Any] = {}
    pos = 0
    for m in _PAIR.finditer(text):
        if text[pos : m.start()].strip():
            raise InvalidInput(f"I can't read “{text[pos:m.start()].strip()}”: give field=value pairs.", "fields")
        name = ALIASES.get(m.group(1).lower(), m.group(1).lower())
        if name not in EDITABLE:
            allowed = ", ".join(sorted(EDITABLE))
            raise InvalidInput(f"Unknown field “{m.group(1)}”. Fields: {allowed}.", m.group(1), allowed)
        value: Any = m.group(2).strip()
        if name in LIST_FIELDS:
            value = [v.strip() for v in value.split(",") if v.strip()]
        out[name] = value
        pos = m.end()
    if text[pos:].strip():
        raise InvalidInput(f"I can't read “{text[pos:].strip()}”: give field=value pairs.", "fields")
    return out


def parse_addsong(args: str) -> dict[str, Any]:
    """Parse ``/addsong`` arguments into Track fields (strings; the engine validates).

    Raises:
        InvalidInput: fewer than three ``|`` parts, an unknown field, or missing audio features (listed with
        their allowed ranges).
    """
    parts = [p.strip() for p in args.split("|")]
    if len(parts) < 3 or not all(parts[:3]):
        raise InvalidInput(ADDSONG_USAGE, "track_id")
    track_id, title, artists = parts[:3]
    m = _SPOTIFY_ID.search(track_id)
    data: dict[str, Any] = {"track_id": m.group(1) if m else track_id, "title": title, "artists": artists}
    data.update(parse_pairs(" ".join(parts[3:])))
    missing = [f for f in AUDIO_FEATURES if f not in data]
    if missing:
        ranges = ", ".join(f"{f} {FEATURE_RANGES[f][0]:g}–{FEATURE_RANGES[f][1]:g}" for f in missing)
        raise InvalidInput(f"Missing audio features: {ranges}.", missing[0], ranges)
    return data


def parse_editsong(args: str) -> tuple[str, dict[str, Any]]:
    """Parse ``/editsong`` arguments: ``song | field=value ...`` (or ``song field=value ...``).

    Raises:
        InvalidInput: no song or no change given, or an unknown field.
    """
    if "|" in args:
        ref, _, rest = args.partition("|")
    else:
        m = _FIRST_PAIR.search(args)
        ref, rest = (args[: m.start()], args[m.start() :]) if m else (args, "")
    ref = ref.strip()
    if not ref:
        raise InvalidInput(EDITSONG_USAGE, "song")
    changes = parse_pairs(rest)
    if not changes:
        raise InvalidInput(EDITSONG_USAGE, "fields")
    return ref, changes
