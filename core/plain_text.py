"""Plain text in catalog fields: what a title, an artist name or a label may hold.

A catalog field is shown on every platform — the console (a terminal), Discord embeds, Telegram messages, JSON — so
characters that *act* instead of reading as text must not get in: C0/C1 control characters (ESC starts ANSI escape
sequences that recolour or rewrite a terminal; BEL, NUL …) and the Unicode bidirectional overrides and isolates
(U+202A–U+202E, U+2066–U+2069; the "Trojan Source" trick, CVE-2021-42574, that shows text reversed). Joiners
(U+200D in emoji sequences) and every printable character of every script stay allowed.

Admin input (:meth:`core.app.catalog_admin.CatalogAdmin.add_song` / ``edit_song``, the REST API's writes) is refused
with a clear message (:func:`text_problem`); imported files are cleaned (:func:`strip_controls`), as they are
written by other programs.
"""

from __future__ import annotations

import re
from typing import Any

#: C0 and C1 controls (tab, newline and carriage return included: a catalog field is one line), DEL, and the bidi
#: embeddings / overrides / isolates and marks.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Longest text per field kind, in characters: about twice the longest of the shipped catalog (title 144, album 151,
#: artist 69, playlist 120); a release date is an ISO date or date-time.
MAX_CHARS = {"title": 300, "album": 300, "artists": 200, "label": 200, "release_date": 40}
#: Track fields holding text, and the kind each is measured as; list fields are checked per item.
TEXT_FIELDS = {"title": "title", "album": "album", "release_date": "release_date", "artists": "artists",
               "genres": "label", "subgenres": "label", "playlists": "label"}


def strip_controls(text: str) -> str:
    """``text`` without control and bidi-override characters (:data:`CONTROL`); a control between words becomes a
    space, then whitespace runs collapse to one space and the ends are stripped."""
    return " ".join(CONTROL.sub(" ", text).split())


def text_problem(data: dict[str, Any], fields: set[str] | None = None) -> tuple[str, str] | None:
    """The first text field of ``data`` (Track fields; ``fields``: only these, e.g. the ones an edit changes) that
    holds a control character or is too long, as ``(field, message)``; None when all are plain text. Non-text values
    are left to the Track model's validation."""
    for name, kind in TEXT_FIELDS.items():
        if name not in data or (fields is not None and name not in fields):
            continue
        value = data[name]
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, str):
                continue
            bad = CONTROL.search(item)
            if bad:
                return name, (f"{name} contains a control character (U+{ord(bad.group()):04X}); "
                              "only plain text is allowed.")
            if len(item) > MAX_CHARS[kind]:
                return name, f"{name} is {len(item):,} characters long; at most {MAX_CHARS[kind]} are allowed."
    return None
