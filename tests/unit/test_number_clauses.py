"""The feature word of a number in a request (core.text.numbers: "tempo 120", "120 bpm", "energy above 0.8") is
found by bisection over the message's words and clause marks; it must be the word the former rule found by splitting
the text around each number (kept here as the reference), whatever the text — and a message of hundreds of numbers
reads its words once."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import numbers
from core.text.numbers import _NUMBER_RE, FEATURE_WORDS, NumberRules, _clause_index


def _former_find_feature(s: str, m: re.Match[str]) -> tuple[str, int, int] | None:
    """The former rule: split the text before and after the number at clause marks, read the words of each part."""
    left = re.split(r"[,;.!?]", s[: m.start()])[-1]
    right = re.split(r"[,;.!?]", s[m.end() :])[0]
    lw = list(re.finditer(r"[a-z]+", left))[-4:]
    rw = list(re.finditer(r"[a-z]+", right))[:3]
    best = None
    for dist, w in enumerate(reversed(lw)):
        if w.group(0) in FEATURE_WORDS:
            off = m.start() - len(left)
            best = (dist, FEATURE_WORDS[w.group(0)], off + w.start(), off + w.end())
            break
    for dist, w in enumerate(rw):
        if w.group(0) in FEATURE_WORDS:
            if best is None or dist < best[0]:
                off = m.end()
                best = (dist, FEATURE_WORDS[w.group(0)], off + w.start(), off + w.end())
            break
    return None if best is None else best[1:]


FEATURES = sorted(FEATURE_WORDS)[:12]
PIECES = st.sampled_from([
    *FEATURES, "tempo", "bpm", "energy", "120", "0.8", "-5", "90 to 110", "above", "under", "around", "or more", "db",
    "%", "songs", "with", "a", "at", "#3", ",", ";", ".", "!", "?", " ", "  ", "x", "é", "3.5", "-", "/10", "and",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=40), st.sampled_from([" ", "", ", "]))
def test_the_feature_word_is_the_one_the_former_rule_found(pieces: list[str], sep: str) -> None:
    s = sep.join(pieces)
    for m in _NUMBER_RE.finditer(s):
        assert NumberRules._find_feature(s, m) == _former_find_feature(s, m), (s, m.group(0))


def test_a_message_of_many_numbers_reads_its_words_once(monkeypatch) -> None:
    s = ("#3 " * 700)[:2000] + "tempo 120"
    calls = {"n": 0}
    real = numbers._LETTERS

    class Counting:
        def finditer(self, *args):
            calls["n"] += 1
            return real.finditer(*args)

    _clause_index.cache_clear()
    monkeypatch.setattr(numbers, "_LETTERS", Counting())
    found = [NumberRules._find_feature(s, m) for m in _NUMBER_RE.finditer(s)]
    assert calls["n"] == 1  # one pass over the message, not one per number (667 here)
    # no mark: every "#3" shares the clause of "tempo 120", the first word after each of them
    assert found == [("tempo", 2000, 2005)] * len(found) == [_former_find_feature(s, m) for m in _NUMBER_RE.finditer(s)]
