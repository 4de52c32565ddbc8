"""Anchors named without a cue word: "Daft Punk but darker", "Eminem less aggressive", "Shakira pero más rock",
"Rammstein aber ruhiger" — a catalog artist (or a quoted / multi-word song title) at the start of the request,
followed at once by a modifier.

A name alone, or a name followed by other words ("Drake songs from 2015", "Metallica 90s"), is a request FOR that
artist's songs (the text path's artist reading); a name followed by a change of sound ("but chiller", "más rock",
"less aggressive", "newer") asks for the artist's sound moved that way, which is what "like X but chiller" asks —
so it is read as the same anchor (:func:`core.anchors.find_anchor`), with at most 2 tracks by X.

A modifier is what the anchored path applies: a relative move (:func:`core.moves.read_moves`, including the style
words that only move next to an anchor, "acoustic", "romantic"), an era move ("newer", "más antiguas") or a
comparative ("more rock", "menos pop", "more melodic": :data:`core.followup_words.COMPARATIVE_RX`, read by
:func:`core.anchor_words.read_rest`, which names the ones nothing measures). Only joining words or punctuation may stand
between the name and the modifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.catalog import normalize_text
from core.followup_words import COMPARATIVE_RX
from core.moves import NEWER, OLDER, move_matches, normalized

if TYPE_CHECKING:
    from core.anchors import Anchor
    from core.table import TrackTable

#: Words that may join a bare name to its modifier, per language (normalized): "Drake but chiller", "Shakira pero más
#: rock", "Stromae mais plus joyeux", "Rammstein aber ruhiger", "Adele, just less sad".
JOINERS = ("but", "though", "yet", "just", "only", "a bit", "a little", "slightly", "much", "way", "pero", "aunque",
           "solo", "un poco", "algo", "mas", "porem", "so", "mais", "un peu", "juste", "aber", "doch", "nur", "etwas",
           "ein bisschen", "ein wenig", "nur etwas")
_JOIN_ONE = re.compile(r"(?:" + "|".join(sorted(JOINERS, key=len, reverse=True)) + r")\b *")


def _modifier_at(norm: str, at: int) -> bool:
    """True when a relative move, an era move or a "more / less X" comparative starts at ``at`` in ``norm``."""
    for m, _ in move_matches(norm):
        if m.start() <= at + 1 and m.end() > at + 1:
            return True
    for rx in (NEWER, OLDER):
        m = rx.search(norm, at)
        if m is not None and m.start() <= at + 1:
            return True
    m = COMPARATIVE_RX.search(norm, at)
    return m is not None and m.start() <= at + 1 and bool(m.group("more") or m.group("less"))


def _modifier_at_start(rest: str) -> bool:
    """True when ``rest`` (the words after the name) starts — after joining words (:data:`JOINERS`) and punctuation —
    with a relative move, an era move or a "more / less X" comparative. A joiner that also starts a comparative
    ("mas": Portuguese "but", Spanish "más") is tried both ways."""
    norm = normalized(re.sub(r"[,;:!?()\-]", " ", rest))
    at = len(norm) - len(norm.lstrip()) - 1  # the space before the first word
    while at < len(norm) - 1:
        if _modifier_at(norm, at):
            return True
        lead = _JOIN_ONE.match(norm, at + 1)
        if lead is None or lead.end() == at + 1:
            return False
        at = lead.end() - 1
    return False


def _is_vocabulary_word(table: TrackTable, key: str) -> bool:
    """True when ``key`` (one normalized word) means something to the text understanding — a concept phrase of its
    vocabulary ("focus", "chill", "party": :func:`core.text.concepts.load_vocabulary`) or a genre / subgenre label of
    the catalog ("rock") — as the understanding itself reads such a word before an artist of that name
    (core.text.references): the first word of a sentence is capitalised anyway, so capitals are no evidence of a
    name there ("Focus but calmer" is focus music, not the one-song artist Focus)."""
    from core.text.concepts import load_vocabulary

    if key in load_vocabulary().index:
        return True
    return any(kind in ("genre", "subgenre") and normalize_text(name) == key for kind, name in table.label_names)


def _distinct_title_word(key: str) -> bool:
    """True when a one-word song title (normalized) can stand for the song at the start of a request ("Despacito but
    slower"): letters only, at least 4 of them, and no function or filler word of a supported language ("music",
    "songs", "best", "para") — those are never a song's name there. Vocabulary words and style labels are refused
    before (:func:`_is_vocabulary_word`); a word nothing else reads would otherwise be dropped without a word."""
    from core.text.tokens import GENERIC

    return key.isalpha() and len(key) >= 4 and key not in GENERIC


def bare_anchor(text: str, table: TrackTable, refs: object,
                resolve: Callable[[TrackTable, object, str], Anchor | None],
                name_end: Callable[[str], int | None]) -> Anchor | None:
    """The anchor of a request that starts with a catalog artist or song and goes straight on to a modifier (module
    docstring), with ``rest`` = the words after the name and ``span`` = the name as written; None otherwise (no name
    at the start, a name followed by anything else, a one-word name that is also a vocabulary word or a style label,
    an unquoted one-word song title that is a common word: :func:`_distinct_title_word`). ``resolve`` / ``name_end``: :func:`core.anchors.find_anchor`'s own readers of a
    name (the words as an artist or song; where a name ends before a modifier), passed in so this module does not
    import that one (no import cycle)."""
    body = text.strip()
    end = name_end(body)
    raw = (body[:end] if end is not None else body).strip()
    if not raw:
        return None
    anchor = resolve(table, refs, raw)
    if anchor is None or not anchor.seeds or not anchor.span:
        return None
    opened = body[: len(body) - len(body.lstrip("\"“'"))]
    if not body[len(opened):].lower().startswith(anchor.span.lower()):
        return None  # the name is not where the request starts ("chill Drake but slower")
    key = normalize_text(anchor.span)
    quoted = bool(opened)
    if len(key.split()) == 1 and not quoted and (_is_vocabulary_word(table, key) or (
            anchor.kind != "artist" and not _distinct_title_word(key))):
        return None  # one word: an artist or a song title ("Despacito") not named like a word the request means
    rest = body[len(opened) + len(anchor.span):].lstrip("\"”'")
    if not _modifier_at_start(rest):
        return None
    anchor.rest = rest.strip(" ,;:-")
    anchor.bare = True
    return anchor


__all__ = ["JOINERS", "bare_anchor"]
