"""Artists credited in track titles ("Song (feat. X)", "Song - with Y", "Song ft. X & Z").

Exclusions ("no X", "not X") must also drop tracks where X is only credited in the title, since many catalogs list
just the main artist. :func:`credited_positions` answers "which live tracks credit this artist in their title",
from an index built once per table version (one regex pass over the titles).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from core.catalog import normalize_text

if TYPE_CHECKING:
    from core.table import TrackTable

#: "(feat. X)", "[with X]", "- featuring X", " ft. X"; "with" only inside brackets or after " - " ("Dance with Me" is a
#: title); group 1 = the credited names.
_CREDIT = re.compile(
    r"(?:(?:[(\[]\s*|\s-\s*)(?:feat\.?|ft\.?|featuring|with)|\s(?:feat\.|ft\.|featuring))\s+([^()\[\]]+?)\s*(?:[)\]]|\s-\s|$)",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|&|\band\b|\bx\b|\+|/)\s*", re.IGNORECASE)

_cache: dict[int, tuple[int, dict[str, list[int]]]] = {}


def credited_names(title: str) -> list[str]:
    """Normalized names credited in ``title``: ``"Stay (with Justin Bieber)"`` -> ``["justin bieber"]``."""
    out: list[str] = []
    for m in _CREDIT.finditer(title or ""):
        for name in _NAME_SPLIT.split(m.group(1)):
            key = normalize_text(name)
            if key and key not in out:
                out.append(key)
    return out


def credited_positions(table: TrackTable, name: str) -> list[int]:
    """Live table positions whose title credits ``name`` (normalized comparison; cached per table version)."""
    cached = _cache.get(id(table))
    if cached is None or cached[0] != table.version:
        index: dict[str, list[int]] = {}
        for pos in table.alive_positions():
            title = table.titles[int(pos)]
            if title and re.search(r"feat|ft\.|with", title, re.IGNORECASE):
                for key in credited_names(title):
                    index.setdefault(key, []).append(int(pos))
        cached = _cache[id(table)] = (table.version, index)
    return cached[1].get(normalize_text(name), [])
