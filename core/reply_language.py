"""The language a reply is worded in, decided per chat message (English, Spanish, Portuguese, French, German).

One rule for every path of a turn (free text, ``/recommend``, "more", follow-ups, ``#N``):

* **A clear message** — more than :data:`MIN_WORDS` words (or exactly that many with :data:`SHORT_SCORE` evidence)
  and evidence for one language that beats every other and the conversation's language by :data:`MARGIN` (function words and request words of
  :func:`core.text.language.language_scores`, plus :data:`ENGLISH_WORDS` for English) — is answered in its language.
* **A short or ambiguous message** ("more", "#3", "menos", "plus calme", "less upbeat") is answered in the
  conversation's last language (:attr:`core.conversation.ConversationState.lang`, stored with the session in the
  database by :class:`core.app.session.Sessions`), so a Spanish conversation stays Spanish.
* **The first message** of a conversation (no language yet) is answered in the language found in it
  (:func:`core.text.language.detect_language`'s rule on the same evidence); a first "siguiente" / "weiter" by its follow-up words
  (:func:`core.followup_words.clear_language`); a message with no evidence at all leaves the language undecided
  (English replies). A conversation's language is remembered once a message gave clear evidence for it
  (:func:`decide`).
* **Titles and names are not evidence**: quoted spans and runs of two or more Capitalized words ("Bésame Mucho",
  "Mas Que Nada", "La Vie en Rose") are set aside first, so an English message with one foreign title or word stays
  English ("something like Bésame Mucho but slower"). A message that is only such a span counts as having none; a
  run that opens a longer message is kept (German nouns: "Ruhige Musik zum Lernen").
"""

from __future__ import annotations

import functools
import re

from core.followup_words import clear_language
from core.text.language import LANGS, MARKERS, language_scores

#: Fewer words than this (once titles are set aside; ``#3`` and numbers are not words) never switch the language…
MIN_WORDS = 3
#: …and a message of exactly that many words switches only with this much evidence, its follow-up words
#: (:func:`core.followup_words.clear_language`) agreeing ("canciones tristes españolas" does; "not that one", "sin ese
#: artista", "less upbeat please", "por que o #2" do not: follow-ups keep the conversation's language).
SHORT_SCORE = 6.0
#: Evidence points by which a message's language must beat the conversation's to switch to it.
MARGIN = 2.0
#: Evidence a language needs at all (:func:`core.text.language.detect_language`'s threshold).
MIN_SCORE = 3.0
#: English words that are evidence for English besides :data:`core.text.language.MARKERS` (1 point each): function
#: words and request words no other supported language writes alike ("a", "no", "me", "so", "in" are left out).
ENGLISH_WORDS = frozenset(
    """the of to from by at is are it its this that these those any more less than too very much not can you your
    play show find get put let lets just only now again next one ones what about song track slower faster calmer
    happier sadder louder quieter softer newer older heavier lighter upbeat instead same other others them""".split()
)
_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d|\u00ab[^\u00bb]*\u00bb|\u201e[^\u201c\u201d]*[\u201c\u201d]")
#: A whitespace-delimited token holding a link marker. Anchored at a token's start (``(?<!\S)``): without the anchor
#: the engine retried from every character of a long token with no marker ("aaaa…", "a;a;a;…": 2,000 characters took
#: ~150 ms, quadratic); with it each token is read once. The same matches: a match always spans its whole token.
_LINK = re.compile(r"(?<!\S)\S*(?:://|www\.|\.com/|\.link/|spotify:)\S*", re.IGNORECASE)
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de"
_TITLE_RUN = re.compile(rf"(?<![\w'])[{_UPPER}][\w'\u2019-]*(?:[ \t]+[{_UPPER}][\w'\u2019-]*)+")
_WORD = re.compile(r"[^\W\d_]{2,}|\b[^\W\d_]\b")


def evidence_text(text: str) -> str:
    """``text`` without what is not evidence of its language: links, quoted spans and runs of 2+ Capitalized words — except
    a run that opens a longer message (German capitalizes nouns: "Ruhige Musik zum Lernen"; a sentence's first word)."""
    text = _QUOTED.sub(" ", _LINK.sub(" ", str(text or ""))).strip()

    def drop(m: re.Match[str]) -> str:
        return m.group(0) if m.start() == 0 and m.end() < len(text) else " "

    return _TITLE_RUN.sub(drop, text)


def scores(text: str) -> dict[str, float]:
    """Evidence per language for ``text`` as given (:func:`core.text.language.language_scores` plus
    :data:`ENGLISH_WORDS`)."""
    from core.text.tokens import word_tokens

    out = language_scores(text)
    out["en"] += sum(1 for t in word_tokens(text) if t in ENGLISH_WORDS and t not in MARKERS["en"])
    return out


def turn_language(text: str, conversation_lang: str = "") -> str:
    """The language to answer the message ``text`` in, given the conversation's last language (see the module
    docstring): ``"en" | "es" | "pt" | "fr" | "de"``, or ``""`` when neither the message nor the conversation
    decides (reply in English).

    ``conversation_lang``: :attr:`core.conversation.ConversationState.lang` ("" for a new conversation; anything
    other than a supported language counts as "").
    """
    return decide(text, conversation_lang)[0]


#: Messages whose decision :func:`decide` keeps: a turn applies the rule more than once (the chat service, then the
#: agent's tools), each read of a 2,000-character message costing a few ms.
DECIDE_MEMO = 256


@functools.lru_cache(maxsize=DECIDE_MEMO)
def decide(text: str, conversation_lang: str = "") -> tuple[str, str]:
    """``(reply language, language to remember)`` for the message ``text`` (see :func:`turn_language`). The
    conversation's language is remembered once one message had clear evidence for it (:data:`MIN_SCORE`): a first
    "sad songs" is answered in English but leaves a later "canciones tristes" free to set Spanish. Applying the rule
    again with the remembered language gives the same reply language. A pure function of its arguments, memoized
    (:data:`DECIDE_MEMO` messages)."""
    conv = conversation_lang if conversation_lang in LANGS else ""
    ev = evidence_text(text)
    words = _WORD.findall(ev)
    if not conv:
        if not words:  # nothing but a title or a name: read it as it is (a link is never evidence)
            ev = _LINK.sub(" ", str(text or ""))
        s = scores(ev)
        best = max(LANGS, key=lambda lang: (s[lang], lang == "en"))
        if best != "en" and s[best] >= MIN_SCORE and s[best] > s["en"]:  # detect_language's rule, on these scores
            return best, best
        if s["en"] > 0:
            return "en", "en" if s["en"] >= MIN_SCORE else ""
        return clear_language(ev) or "", ""
    if len(words) < MIN_WORDS:
        return conv, conv
    s = scores(ev)
    best = max(LANGS, key=lambda lang: (s[lang], lang == conv))
    short = len(words) == MIN_WORDS  # three words switch only when their follow-up words agree ("por que o #2": pt)
    need = SHORT_SCORE if short else MIN_SCORE
    if best != conv and s[best] >= need and s[best] >= s[conv] + MARGIN and all(
            s[best] > s[other] for other in LANGS if other != best) and (not short or clear_language(ev) == best):
        return best, best
    return conv, conv


def reply_lang(text: str, conversation_lang: str = "") -> str:
    """:func:`turn_language`, English when undecided."""
    return turn_language(text, conversation_lang) or "en"


__all__ = ["ENGLISH_WORDS", "MARGIN", "MIN_SCORE", "MIN_WORDS", "SHORT_SCORE", "decide", "evidence_text", "reply_lang", "scores",
           "turn_language"]
