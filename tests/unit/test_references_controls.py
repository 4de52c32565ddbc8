"""Free text loses its control characters before anything quotes it (core.references.check_text): a console message
"ESC[31mred" was echoed in "I couldn't tell what kind of music “…” means" with the escape, turning the terminal red."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidInput
from core.references import _CONTROLS, check_text


@given(st.text(min_size=1, max_size=200))
def test_no_control_character_but_line_breaks_and_tabs_survives(text: str) -> None:
    try:
        out = check_text(text)
    except InvalidInput:
        assert not _CONTROLS.sub(" ", text).strip()  # only whitespace and controls: empty
        return
    assert not _CONTROLS.search(out) and out == out.strip()
    assert "\x1b" not in out and "\u202e" not in out


def test_an_escape_sequence_and_a_bidi_override_become_spaces() -> None:
    assert check_text("\x1b[31mred") == "[31mred"
    assert check_text("chill\u202emusic") == "chill music"
    assert check_text("line one\nline two\tend") == "line one\nline two\tend"
    with pytest.raises(InvalidInput):
        check_text("\x1b\x07")
