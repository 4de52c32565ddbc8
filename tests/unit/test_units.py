"""One formatter for shown feature values (core.units): reasons ("asked …") and parsed-request cues use it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import core.explain as explain
import core.text.numbers as numbers
from core.explain import format_reason
from core.models import Reason
from core.units import format_value, mmss


def test_units_people_use() -> None:
    assert format_value("tempo", 119.6) == "120 BPM"
    assert format_value("loudness", -8.04) == "-8.0 dB"
    assert format_value("duration_ms", 210_000) == "3:30"
    assert format_value("mode", 0) == "minor" and format_value("mode", 1) == "major"
    assert format_value("valence", 0.30) == "0.3" and format_value("energy", 0.75) == "0.75"
    assert format_value("energy", 1.0) == "1" and format_value("energy", 0.0) == "0"
    assert mmss(-5) == "0:00"


def test_one_formatter_for_reasons_and_cues() -> None:
    assert not hasattr(explain, "_asked")
    assert numbers._fmt is format_value and numbers._mmss is mmss
    line = format_reason(Reason(kind="asked_feature", feature="tempo", value=118.0, target=120.0))
    assert f"(asked {format_value('tempo', 120.0)})" in line


@given(st.sampled_from(["danceability", "energy", "valence", "acousticness", "speechiness"]),
       st.floats(min_value=0.0, max_value=1.0, allow_nan=False))
def test_zero_to_one_values_round_trip_to_two_decimals(name: str, value: float) -> None:
    shown = format_value(name, value)
    assert abs(float(shown) - value) <= 0.005 + 1e-9 and not shown.endswith(".")
