"""Folding, tokenizing and word lists shared by every layer of the text understanding (requests and label texts)."""

from __future__ import annotations

import re
import unicodedata

from core.models import FEATURE_RANGES
from core.text.language import STOP

#: Function words of the other supported languages (Spanish, Portuguese, French, German), minus the few that are
#: also musical words or negations handled elsewhere ("no" stays a negation, "rock"/"pop" never appear there).
FOREIGN_STOPWORDS = frozenset().union(*STOP.values())

#: Words that carry no musical meaning in a request (plus greetings); a request made only of these is unclear.
STOPWORDS = frozenset(
    """a an the some any something anything someone this that these those it its is are was were be been being am
    i me my mine we us our you your he she they them their im ive id ill
    s t d ll ve re m
    and or but so if then than as of in on at to for from with into onto about around over under up down out off
    by via per
    please pls plz thanks thank thx ty hey hi hello hiya yo sup howdy greetings good ok okay cool
    yes yeah yep no nope sure maybe
    play playing put give gimme show find get make suggest recommend recommendation recommendations want wanna need
    looking look searching search could would should can will shall may might must do does did done let lets
    song songs music track tracks tune tunes playlist playlists list mix mixes stuff thing things kind kinds type
    types sort sorts genre genres artist artists record records jams jam sounds sound listen listening hear
    more most less very really so too just bit little lot lots much many few couple of all every each other
    while when during whilst before after now today tonight right here there where what which who whom whose why how
    only along alongside also even still ever again yet ones one instead ideally basically literally actually
    super totally fully quite pretty kinda sorta rather somewhat truly absolutely extremely definitely
    feel feels feeling felt got get getting gets want wants wanted like likes
    """.split()
) | FOREIGN_STOPWORDS
GREETINGS = frozenset("hello hi hey hiya yo sup howdy greetings thanks thank thx ty bye goodbye help "
                      # es / pt / fr / de (folded): "hola, ¿qué tal?" is a greeting, not an unclear request
                      "hola buenas tal gracias adios oi ola tudo obrigado obrigada tchau bonjour salut bonsoir merci hallo "
                      "servus moin danke tschuss".split())

#: Words that do not identify a label ("Top Hits", "Chill Vibes Playlist"): never matched on their own.
GENERIC = STOPWORDS | frozenset(
    "hits hit best top playlist radio vibes vibe edition remastered presents collection greatest ultimate official "
    "the of and by volume vol mix mixes late early mid city town night nights day days".split()
)

_DELIM_RE = re.compile(r"[,;.!?:()\[\]{}|/\n\u2013\u2014]+")
_NONWORD_RE = re.compile(r"[^\w,]+|_")
_APOSTROPHES_RE = re.compile(r"[\u2018\u2019\u201b\u0060\u00b4]")
_DECADE_S_RE = re.compile(r"\b(\d0)\s?'\s?s\b")
_RNB_RE = re.compile(r"\br\s*(?:&|'?n'?|and)\s*b\b")
_DNB_RE = re.compile(r"\bd\s*&\s*b\b")
_AMP_RE = re.compile(r"\s*&\s*")


def fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and spell R&B / D&B as single words."""
    if not text.isascii():  # NFKD leaves ASCII as it is: only other text has accents to strip
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    if "`" in text or not text.isascii():  # the backtick is the one ASCII apostrophe-alike
        text = _APOSTROPHES_RE.sub("'", text)
        text = text.replace("\u2044", "/").replace("\u2212", "-")  # fraction slash ("¼" -> "1/4"), minus sign
    text = _DECADE_S_RE.sub(r"\1s", text)  # "90's" / "90 's" -> "90s"
    if "b" in text:
        text = _RNB_RE.sub(" rnb ", text)
        text = _DNB_RE.sub(" dnb ", text)
    return _AMP_RE.sub(" and ", text) if "&" in text else text


_RAW_WORD = re.compile(r"\w+")


def spelled_as(raw: str, phrase: str) -> str:
    """``phrase`` (folded words, as the parser keeps them: "en espanol") as the user spelled it in ``raw`` ("en
    español"): the first run of ``raw``'s words that fold to the phrase's words; ``phrase`` itself when there is none."""
    words = phrase.split()
    if not words or not raw:
        return phrase
    toks = [(m.start(), m.end(), fold(m.group(0))) for m in _RAW_WORD.finditer(raw)]
    n = len(words)
    for i in range(len(toks) - n + 1):
        if all(toks[i + k][2] == words[k] for k in range(n)):
            return raw[toks[i][0]:toks[i + n - 1][1]]
    return phrase


def tokenize(folded: str) -> list[str]:
    """Split folded text into word tokens; clause punctuation becomes a ``","`` delimiter token."""
    text = _DELIM_RE.sub(" , ", folded)
    return _NONWORD_RE.sub(" ", text).split()


def word_tokens(text: str) -> list[str]:
    """Word tokens of a raw text (a label, a phrase, a request), folded like requests, without delimiters."""
    return [t for t in tokenize(fold(text)) if t != ","]


def phrase_keys(tokens: list[str]) -> tuple[str, str]:
    """``(spaced, compact)`` lookup keys of a phrase: ``["lo", "fi"] -> ("lo fi", "lofi")``."""
    return " ".join(tokens), "".join(tokens)


def mark_used(used: list[bool], start: int, stop: int) -> None:
    """Mark tokens ``start`` to ``stop - 1`` as explained, so later parsing steps skip them."""
    for p in range(start, stop):
        used[p] = True


def clamp(name: str, value: float) -> float:
    """``value`` clipped to the raw range of audio feature ``name`` (:data:`core.models.FEATURE_RANGES`)."""
    lo, hi = FEATURE_RANGES[name]
    return float(min(hi, max(lo, value)))
