"""Group ids and playlist names: what is valid, and the case- and accent-insensitive key names are unique by."""

from __future__ import annotations

import re

from core.catalog import normalize_text
from core.error_words import invalid
from core.errors import InvalidInput

_GROUP_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}:\S{1,200}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_group(group_id: str) -> str:
    """Validate an opaque group id ``platform:id`` (e.g. ``telegram:-100123``). Raises InvalidInput."""
    group_id = str(group_id or "").strip()
    if not _GROUP_ID.match(group_id):
        raise InvalidInput(f'Invalid group id "{group_id[:40]}": expected platform:id, e.g. console:local.', "group")
    return group_id


def name_key(name: str) -> str:
    """The lookup key of a playlist name (unique per group): :func:`core.catalog.normalize_text`, else casefolded."""
    return normalize_text(name) or name.casefold()


def check_name(name: str, max_chars: int) -> tuple[str, str]:
    """Clean a playlist name -> ``(display name, lookup key)``.

    Control characters become spaces and runs of whitespace collapse to one space.

    Raises:
        InvalidInput: empty, longer than ``max_chars`` characters, or starting with ``#`` (that prefix means an id).
    """
    name = " ".join(_CONTROL.sub(" ", str(name or "")).split())
    if not name:
        raise invalid("pl no name", "name")
    if len(name) > max_chars:
        exc = invalid("pl name long", "name", limit=str(max_chars), n=str(len(name)))
        exc.allowed = f"1–{max_chars} characters"
        raise exc
    if name.startswith("#"):
        raise invalid("pl name hash", "name")
    return name, name_key(name)
