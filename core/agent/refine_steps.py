"""How a follow-up's step lands on the last request (:func:`core.agent.specs.refine` and
:func:`core.agent.specs.run_request`): where a move starts, how a stated tempo window moves or opens, which stated number ranges still hold, and the cue
words of tempo and year windows (numbers and symbols only, so they need no translation).
"""

from __future__ import annotations

import re

from core.models import Filters

#: Catalog-wide fallbacks when neither the last target nor the last page gives a baseline.
DEFAULT_BASELINE = {"tempo": 120.0}

def current_ranges(ranges: dict[str, list[float | None]], overrides: dict[str, float],
                    filters: Filters) -> dict[str, list[float | None]]:
    """The number ranges a request stated (``TextQuery.ranges``) as a follow-up left them: a feature whose override
    falls outside its stated range ("energy 40%", then "more energetic") is no longer bound by it, and the tempo range
    is the one of the current ``filters`` (moved or opened by a follow-up, :func:`core.agent.specs.refine`)."""
    out: dict[str, list[float | None]] = {}
    for name, (lo, hi) in ranges.items():
        value = overrides.get(name)
        if name == "tempo":
            if filters.tempo_min is not None or filters.tempo_max is not None:
                out[name] = [filters.tempo_min, filters.tempo_max]
            continue
        if value is not None and ((lo is not None and value < lo) or (hi is not None and value > hi)):
            continue
        out[name] = [lo, hi]
    return out


#: A year window cue of a refinement ("1990–1999", "2016–…"): a later year move replaces it.
YEAR_CUE = re.compile(r"^(?:\d{4}|…)–(?:\d{4}|…)$")
#: A tempo window cue made by :func:`tempo_cue` ("128–145 BPM", "≤ 170 BPM").
TEMPO_CUE = re.compile(r"^(?:\d+–\d+|[≤≥] \d+) BPM$")


def tempo_cue(filters: Filters) -> str:
    """The tempo window of ``filters`` in words that need no translation: "128–145 BPM", "≤ 170 BPM", "≥ 96 BPM",
    "" when there is none."""
    lo, hi = filters.tempo_min, filters.tempo_max
    if lo is not None and hi is not None:
        return f"{lo:.0f}–{hi:.0f} BPM"
    if hi is not None:
        return f"≤ {hi:.0f} BPM"
    return f"≥ {lo:.0f} BPM" if lo is not None else ""


def move_start(target: float | None, page: float | None, delta: float, name: str) -> float:
    """Where a move of ``delta`` starts: the request's ``target`` for the feature, or the list on screen's mean
    (``page``) when that is further along the move's direction (so the step is heard against what was played), else
    whichever is known, else the catalog-wide default."""
    known = [v for v in (target, page) if v is not None]
    if not known:
        return DEFAULT_BASELINE.get(name, 0.5)
    return max(known) if delta > 0 else min(known)


def shift_tempo_window(filters: Filters, baseline: float, delta: float) -> None:
    """Move the tempo window of ``filters`` (in place) by a tempo step ``delta`` (a fraction): both stated bounds move
    with it, and the bound on the move's side is at most 5 % past ``baseline`` (BPM) so "slower" is always slower;
    a bound the move leaves behind the other is dropped."""
    lo, hi = filters.tempo_min, filters.tempo_max
    lo = None if lo is None else lo * (1.0 + delta)
    hi = None if hi is None else hi * (1.0 + delta)
    if delta < 0:
        hi = min(hi, baseline * 0.95) if hi is not None else baseline * 0.95
        lo = lo if lo is not None and lo < hi else None
    else:
        lo = max(lo, baseline * 1.05) if lo is not None else baseline * 1.05
        hi = hi if hi is not None and hi > lo else None
    filters.tempo_min = None if lo is None else round(lo, 1)
    filters.tempo_max = None if hi is None else round(hi, 1)


__all__ = ["DEFAULT_BASELINE", "TEMPO_CUE", "YEAR_CUE", "move_start", "current_ranges", "shift_tempo_window", "tempo_cue"]
