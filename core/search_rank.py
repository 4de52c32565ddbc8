"""Search results that name the query whole come first: "Beatles" is The Beatles' songs before Rae Sremmurd's
"Black Beatles", "Hello" is the songs called Hello before "Hello Kitty".

Full-text search ranks by word matches (bm25: core.catalog), so a title holding the query's words outranks an artist
whose name is exactly the query. A listener who types an artist's or a song's name means that artist or that song.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.catalog import act_key, base_title, plain_title
from core.catalog_rows import normalize_text

if TYPE_CHECKING:
    from core.table import TrackTable


def name_keys(name: str) -> set[str]:
    """A name's keys for comparison: normalized, without a leading "the", and its act's (lead artist's) name."""
    key = normalize_text(name)
    keys = {key, act_key(name)}
    if key.startswith("the "):
        keys.add(key[4:])
    return keys - {""}


def names_whole(table: TrackTable, pos: int, query: str) -> bool:
    """True when the query, normalized (a leading "the" ignored), is the whole name of one of track ``pos``'s
    artists or its whole title without a version suffix ("Let It Be - Remastered 2009" is "let it be")."""
    asked = name_keys(query)
    if not asked:
        return False
    if name_keys(base_title(table.titles[pos])) & asked:
        return True
    return any(name_keys(a) & asked for a in table.artists[pos])


def whole_name_first(table: TrackTable, positions: Sequence[int], query: str) -> list[int]:
    """``positions`` (search order) with the tracks :func:`names_whole` matches first, each group in its order."""
    whole = [p for p in positions if names_whole(table, p, query)]
    taken = set(whole)
    return whole + [p for p in positions if p not in taken]


def closest_name(table: TrackTable, pos: int, query: str) -> str:
    """The name of track ``pos`` a mistyped ``query`` is closest to, as the catalog spells it: one of its artists
    ("beatels" -> "The Beatles") or its title without a version suffix ("bohemian rapsody" -> "Bohemian Rhapsody"),
    by rapidfuzz ``ratio`` on normalized text (a leading "the" ignored)."""
    from rapidfuzz import fuzz

    q = normalize_text(query)
    title = plain_title(table.titles[pos])
    options = [(max(fuzz.ratio(q, k) for k in name_keys(a) or {""}), a) for a in table.artists[pos]]
    options.append((max(fuzz.ratio(q, k) for k in name_keys(title) or {""}), title))
    return max(options, key=lambda o: o[0])[1]
