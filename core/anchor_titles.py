"""Song titles that hold a clause word: "like Rolling in the Deep by Adele but more upbeat".

The name after a cue ends at the first clause word (:data:`core.anchors._END`: "like Drake in the 2010s" is Drake,
then an era). Some titles hold such a word in lower case — "Rolling in the Deep", "Lost in the Fire", "Dancing with
a Stranger", "Message from the Stars" — and were cut there: "like Rolling in the Deep by Adele" became the unknown
artist "Rolling" (the first line said "There's no artist named Rolling") and "Deep" matched a playlist name. A name
is read on through such words when the longer text is title-cased (every word capitalised or one of
:data:`TITLE_WORDS`) and resolves exactly to a catalog song whose title starts with it (optionally "… by ARTIST").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.catalog import normalize_text

#: Clause words a song title can hold (the ones :data:`core.anchors._END` ends a name at), lower-cased.
CLAUSE_WORDS_IN_TITLES = frozenset({"in the", "with", "from", "for", "that", "which", "who", "without", "only",
                                    "just", "more", "less"})
#: Words a title-cased song title writes in lower case (articles, short prepositions, conjunctions, pronouns).
TITLE_WORDS = frozenset({"a", "an", "the", "and", "or", "but", "in", "on", "at", "to", "of", "for", "with", "from",
                         "by", "my", "your", "me", "you", "it", "is", "that", "who", "which", "without", "only",
                         "just", "more", "less", "up", "as", "into", "like"})


def _title_cased(text: str) -> bool:
    words = re.findall(r"[\w'&.$!-]+", text)
    if len(words) < 2 or not (words[0][:1].isupper() or words[0][:1].isdigit()):
        return False
    last = words[-1]
    return (last[:1].isupper() or last[:1].isdigit()) and all(
        w[:1].isupper() or w[:1].isdigit() or w.lower() in TITLE_WORDS for w in words)


#: Clause words a name is read on through, at most (each one a candidate, longest first).
MAX_CLAUSE_WORDS = 3


def longer_titles(after: str, first_end: int, end_re: re.Pattern[str],
                  name_end: Callable[[str], int | None]) -> list[str]:
    """The text of ``after`` (what follows a cue) read on through its first clause words, while each is one a title
    can hold (``end_re`` matches it at the name's end; ``name_end`` finds the next end): one candidate per clause word
    read through, up to :data:`MAX_CLAUSE_WORDS`, longest first ("With Or Without You by U2 but …" holds two).
    Empty when the first end is punctuation, "but", "songs" and the like."""
    out: list[str] = []
    at = first_end
    for _ in range(MAX_CLAUSE_WORDS):
        m = end_re.match(after, at)
        if m is None or m.group(0).strip().lower() not in CLAUSE_WORDS_IN_TITLES:
            break
        nxt = name_end(after[m.end():])
        longer = (after[: m.end() + nxt] if nxt is not None else after).strip()
        if longer:
            out.append(longer)
        if nxt is None:
            break
        at = m.end() + nxt
    return out[::-1]


def resolve_title(table: object, refs: object, phrase: str) -> int | None:
    """The catalog position of the song ``phrase`` names exactly ("Rolling in the Deep", "Rolling in the Deep by
    Adele"): the title part must be title-cased and the song's title must start with it; None otherwise."""
    phrase = phrase.strip().strip("\"“”'").rstrip("!?.,").strip()
    by = re.search(r"\s+by\s+(.+)$", phrase, re.IGNORECASE)
    title = phrase[: by.start()] if by else phrase
    if not _title_cased(title):
        return None
    try:
        pos = refs.resolve(phrase, fuzzy=False, suggest=False)  # type: ignore[attr-defined]
    except Exception:  # a reference that does not resolve is no anchor
        return None
    if pos is None or not normalize_text(getattr(table, "titles")[pos]).startswith(normalize_text(title)):
        return None
    return int(pos)
