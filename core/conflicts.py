"""Contradictory requests ("sad but super upbeat", "soft heavy metal", "90s hip hop that just came out"): name the
conflict instead of averaging it silently.

:func:`find_conflicts` looks for words from both ends of one axis (mood, energy, tempo, acoustic vs electronic,
loudness, era) in the request — in English, Spanish, Portuguese, French and German — ignoring words that are negated
("not crying-sad", "nothing intense"). For each axis found it reports which side the parsed request actually leans to
(from the :class:`~core.models.TextQuery` target or year filters), so the reply can say e.g. "sad vs upbeat: going
with upbeat — say 'sadder' if you meant the other". The word lists are general language, not catalog data.
"""

from __future__ import annotations

import functools
import re

from core.catalog import normalize_text
from core.models import Conflict, TextQuery

#: axis -> (low side name, low words, high side name, high words, feature, threshold, word to ask for the low side,
#: word to ask for the high side). Words are normalized (lower case, no accents); multi-word entries allowed.
AXES: tuple[tuple[str, str, tuple[str, ...], str, tuple[str, ...], str, float, str, str], ...] = (
    ("mood", "sad", ("sad", "sadder", "melancholic", "melancholy", "heartbreaking", "heartbroken", "depressing",
                     "gloomy", "triste", "tristes", "trist", "traurig", "traurige", "traurigen", "melancolico",
                     "melancolica", "melancoliques", "melancholisch"),
     "upbeat", ("happy", "upbeat", "cheerful", "joyful", "euphoric", "alegre", "alegres", "feliz", "felices",
                "joyeux", "joyeuse", "joyeuses", "frohlich", "frohliche", "gute laune"),
     "valence", 0.5, "sadder", "happier"),
    ("energy", "calm", ("calm", "relaxing", "relaxed", "soft", "gentle", "peaceful", "mellow", "tranquil",
                        "tranquilo", "tranquila", "tranquilos", "calmo", "calma", "calme", "calmes", "ruhig", "ruhige",
                        "entspannt", "entspannte", "suave", "suaves", "doux", "douce"),
     "high-energy", ("high energy", "energetic", "intense", "aggressive", "bangers", "banger", "heavy metal",
                     "hype", "energico", "energica", "energicos", "energique", "energiques", "energiegeladen"),
     "energy", 0.5, "calmer", "more energetic"),
    ("tempo", "slow", ("slow", "slow jams", "lento", "lenta", "lentos", "lent", "lente", "langsam", "langsame"),
     "fast", ("fast", "rapido", "rapida", "rapide", "rapides", "schnell", "schnelle"),
     "tempo", 110.0, "slower", "faster"),
    ("sound", "acoustic", ("acoustic", "fully acoustic", "unplugged", "acustico", "acustica", "acoustique",
                           "akustisch"),
     "electronic", ("edm", "electronic", "synths", "synth", "electronica", "electronique", "elektronisch"),
     "acousticness", 0.3, "more acoustic", "more electronic"),
    ("loudness", "quiet", ("quiet", "silencioso", "silenciosa", "leise", "calme"),
     "loud", ("loud", "super loud", "ruidoso", "fuerte", "laut", "fort"),
     "loudness", -7.0, "quieter", "louder"),
)
_NEGATORS = frozenset("no not nothing without never sin nada sem nao pas sans ohne kein keine nicht".split())
_OLD = re.compile(r"\b(?:old school|oldschool|old|classic|oldies|retro|(?:19)?[5-9]0s|antiguos?|anciens?|alte)\b")
_NEW = re.compile(r"\b(?:just came out|came out this year|brand new|new releases?|this year|latest|newest|"
                  r"recien salid[oa]s?|lancamentos?|nouveautes?|neuerscheinungen?)\b")
_BPM = re.compile(r"\b(\d{2,3})\s*bpm\b")


@functools.lru_cache(maxsize=64)
def _words_re(words: tuple[str, ...]) -> re.Pattern[str]:
    body = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")


def _present(norm: str, words: tuple[str, ...]) -> str | None:
    """The first of ``words`` in ``norm`` (whole words) that is not negated by the two words before it."""
    for m in _words_re(words).finditer(norm):
        before = norm[: m.start()].split()[-2:]
        if not any(b in _NEGATORS for b in before):
            return m.group(0)
    return None


def find_conflicts(text: str, query: TextQuery | None = None) -> list[Conflict]:
    """Axes on which ``text`` asks for both ends, with the side the parsed ``query`` leans to (``kept``; ``""``
    when the query sets nothing on that axis). Returns ``[]`` for consistent requests."""
    norm = " " + normalize_text(text.replace("-", " ")) + " "
    out: list[Conflict] = []
    target = query.target if query is not None else {}
    for axis, low, low_words, high, high_words, feature, threshold, ask_low, ask_high in AXES:
        lo_hit, hi_hit = _present(norm, low_words), _present(norm, high_words)
        if axis == "tempo" and hi_hit is None and (m := _BPM.search(norm)) and int(m.group(1)) >= 140:
            hi_hit = m.group(0)
        if axis == "energy" and lo_hit == "calme" and "loudness" in target:
            continue
        if not lo_hit or not hi_hit or lo_hit == hi_hit:
            continue
        value = target.get(feature)
        kept = "" if value is None else (high if value >= threshold else low)
        ask = ask_low if kept == high else ask_high
        out.append(Conflict(axis=axis, sides=[lo_hit, hi_hit], kept=kept, ask=ask))
    old, new = _OLD.search(norm), _NEW.search(norm)
    if old and new:
        f = query.filters if query is not None else None
        kept = "old" if f is not None and f.year_max is not None and f.year_max < 2015 else ("new" if f and f.year_min else "")
        out.append(Conflict(axis="era", sides=[old.group(0), new.group(0)], kept=kept,
                            ask="newer" if kept == "old" else "older"))
    return out


def conflict_line(c: Conflict) -> str:
    """"sad vs upbeat: going with upbeat — say 'sadder' if you meant the other way." (plain text)."""
    a, b = c.sides[0], c.sides[1]
    if c.kept:
        return f"“{a}” and “{b}” pull opposite ways: going with {c.kept} — say “{c.ask}” if you meant the other."
    return f"“{a}” and “{b}” pull opposite ways, so this is a middle ground — say “{c.ask}” to lean one way."
