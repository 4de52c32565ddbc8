"""Where an anchor's name ends (core.anchors._name_end): a period inside a name ("Mr. Brightside", "J. Cole",
"will.i.am") is no clause end. The rule reads only the characters before each period, so a message of 2,000
periods costs one pass (it read the whole text before each period: ~30 ms of a 2,000-character message of numbers);
the answers are those of the rule that read everything (compared on generated texts)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from core.anchors import _ABBREVIATION, _END, _name_end


def _reference(after: str) -> int | None:
    """The rule as it was: the whole text before each period searched."""
    pos = 0
    while True:
        end = _END.search(after, pos)
        if end is None:
            return None
        if after[end.start():end.end()].strip() == ".":
            before = after[: end.start()]
            nxt = after[end.end(): end.end() + 1]
            if _ABBREVIATION.search(before) or re.search(r"(?:^|[\s.])\w$", before) or (nxt and not nxt.isspace()):
                pos = end.end()
                continue
        return end.start()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["Mr", "mr", "J", "feat", "dr", "will", "i", "am", "Brightside", "0", "5", "x",
                                 ".", ". ", " ", ",", " but ", " - ", "no", "Cole", "P.Y.T"]), max_size=30))
def test_the_tail_rule_ends_names_where_the_whole_text_rule_did(parts: list[str]) -> None:
    text = "".join(parts)
    assert _name_end(text) == _reference(text)


def test_names_with_periods_run_on_and_a_sentence_ends() -> None:
    assert _name_end("Mr. Brightside. and more") == len("Mr. Brightside")
    assert _name_end("J. Cole") is None
    assert _name_end("will.i.am") is None
    long = "0.5 " * 500 + ". the end"
    assert _name_end(long) == _reference(long)
