"""Catalog admin requests for the local model: "add song track_id=… title=…", "delete …", "set energy of #2 to 0.8".

They become ``add_track`` / ``delete_track`` / ``edit_track`` calls *only if those tools are offered* (admins);
anyone else gets :data:`REFUSE_ADMIN`. Field names and kinds come from :mod:`core.fields`; the engine validates.
"""

from __future__ import annotations

import re
from typing import Any

from core.agent.intents_common import PREAMBLE, Intent
from core.fields import FLOAT_FIELDS, INT_FIELDS, canonical

REFUSE_ADMIN = "Sorry, only admins can add, edit or delete songs."

_DELETE = re.compile(
    PREAMBLE + r"(?:(?:delete|erase|purge)\s+(?:the\s+)?(?:songs?\s+|tracks?\s+)?(.+?)|"
    r"(?:remove|drop|wipe)\s+(?:the\s+)?(?:songs?\s+|tracks?\s+)?(.+?)\s+from\s+(?:the\s+)?(?:catalog(?:ue)?|database|db|library))"
    r"(?:\s+from\s+(?:the\s+)?(?:catalog(?:ue)?|database|db|library))?[\s!.]*$",
    re.IGNORECASE,
)
_DELETE_LOOSE = re.compile(PREAMBLE + r"(?:remove|drop|wipe)\s+(?:the\s+)?(?:songs?|tracks?|catalog(?:ue)?|database|everything|all)\b(.*)$", re.IGNORECASE)
_ADD = re.compile(PREAMBLE + r"(?:add|insert|create)\s+(?:a\s+|the\s+|this\s+)?(?:new\s+)?(?:songs?|tracks?)\b(.*)$", re.IGNORECASE)
_EDIT = re.compile(PREAMBLE + r"(?:edit|update|modify|change|set|rename)\b(.*)$", re.IGNORECASE)
_SET_OF = re.compile(r"^\s*(?:the\s+)?(\w+)\s+(?:of|for)\s+(.+?)\s+to\s+(.+?)\s*$", re.IGNORECASE)
_KV = re.compile(r"(\w+)\s*[=:]\s*(\"[^\"]*\"|'[^']*'|[^\s,]+)")


def _kv_pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in _KV.findall(text):
        if value[:1] in "\"'":
            value = value[1:-1]
        out[key.lower()] = value.rstrip(";.")
    return out


#: Words of spoken requests on top of :data:`core.fields.ALIASES` (the one field vocabulary).
_ALIASES = {"track_name": "title", "track_artist": "artists", "year": "release_date", "mood": "valence"}


def _typed(fields: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        key = _ALIASES.get(key) or canonical(key)
        if key in FLOAT_FIELDS:
            try:
                out[key] = float(value)
            except ValueError:
                out[key] = value
        elif key in INT_FIELDS:
            try:
                out[key] = int(float(value))
            except ValueError:
                out[key] = value
        elif key == "artists":
            out[key] = [a.strip() for a in re.split(r"[;,&]", value) if a.strip()]
        else:
            out[key] = value
    return out


def admin_intent(text: str, offered: set[str]) -> Intent | None:
    """The admin tool call (or a refusal) ``text`` asks for, or None when it is not a catalog change."""
    m = _ADD.match(text)
    if m:
        if "add_track" not in offered:
            return Intent(reply=REFUSE_ADMIN)
        args = _typed(_kv_pairs(m.group(1)))
        return Intent(tool="add_track", args=args)
    m = _DELETE.match(text) or _DELETE_LOOSE.match(text)
    if m:
        if "delete_track" not in offered:
            return Intent(reply=REFUSE_ADMIN)
        ref = next((g for g in m.groups() if g and g.strip()), "").strip()
        return Intent(tool="delete_track", args={"ref": ref})
    m = _EDIT.match(text)
    if m and (_KV.search(m.group(1)) or _SET_OF.match(m.group(1))):
        if "edit_track" not in offered:
            return Intent(reply=REFUSE_ADMIN)
        rest = m.group(1)
        so = _SET_OF.match(rest)
        if so and not _KV.search(rest):
            args = _typed({so.group(1).lower(): so.group(3).strip(" \"'")})
            args["ref"] = so.group(2).strip(" \"'")
            return Intent(tool="edit_track", args=args)
        fields = _kv_pairs(rest)
        ref = fields.pop("ref", None) or _KV.sub("", rest).strip(" ,;:\"'")
        args = _typed(fields)
        args["ref"] = ref
        return Intent(tool="edit_track", args=args)
    return None
