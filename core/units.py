"""How a feature value is written for people — one rule for every place that shows an asked-for or used value
("(asked 120 BPM)" in a reason, "valence ≤ 0.3" or "tempo 90 to 110 BPM" in a parsed request's cue).

Units: tempo in BPM (whole beats), loudness in dB (one decimal), duration as m:ss, mode as "major"/"minor", every
0–1 feature with up to two decimals and no trailing zeros ("0.3", "0.75", "1").
"""

from __future__ import annotations


def mmss(ms: float) -> str:
    """Milliseconds as ``m:ss`` (rounded to the second; negative values as 0:00)."""
    secs = max(0, int(round(ms / 1000)))
    return f"{secs // 60}:{secs % 60:02d}"


def format_value(name: str, value: float) -> str:
    """``value`` of feature ``name`` in the unit people use: ``"120 BPM"``, ``"-8.0 dB"``, ``"3:30"``, ``"minor"``,
    ``"0.3"`` (see the module docstring). Never raises for a finite number."""
    if name == "tempo":
        return f"{value:.0f} BPM"
    if name == "loudness":
        return f"{value:.1f} dB"
    if name == "duration_ms":
        return mmss(value)
    if name == "mode":
        return "minor" if value < 0.5 else "major"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value not in (0.0, 1.0) else f"{value:.0f}"
