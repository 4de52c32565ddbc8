"""Hard feature ranges a request stated in numbers (``TextQuery.ranges``: "valence under 0.3", "over 140 BPM",
"longer than 6 minutes") as a boolean mask over the track table, for the text ranker to apply as a filter.

A range is ``[low, high]`` in the feature's raw units (0–1 scales, tempo BPM, loudness dB, ``duration_ms`` ms;
None = open side), inclusive, as :meth:`core.text.state.Request.bound` records it. A track whose value for the
feature is unknown (``TrackTable.known`` False, or a duration of 0) never passes that range: a made-up value must not
satisfy a stated number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.table import FEATURE_INDEX, TrackTable

#: Score bonus that puts tracks inside the stated ranges before all others when fewer than the asked number are
#: inside (text scores stay below ~6: 2 for the feature fit + label and artist weights + popularity); the ranker
#: then fills up with the nearest others.
RANGE_FIRST = 100.0


def range_mask(table: TrackTable, ranges: Mapping[str, Sequence[float | None]], n: int | None = None) -> np.ndarray | None:
    """Boolean ``(n,)`` mask (``n`` defaults to ``table.n``) of live tracks inside every range of ``ranges``
    (feature name -> ``[low, high]``, raw units, None = open; unknown feature names are ignored).

    Returns None when ``ranges`` constrains nothing known (no feature with a bound).
    """
    n = table.n if n is None else n
    mask: np.ndarray | None = None
    for name, bounds in ranges.items():
        if len(bounds) != 2:
            continue
        lo, hi = bounds
        if lo is None and hi is None:
            continue
        if name == "duration_ms":
            values = np.asarray(table.durations[:n], dtype=np.float64)
            known = values > 0
        elif name in FEATURE_INDEX:
            i = FEATURE_INDEX[name]
            values = table.features[:n, i].astype(np.float64)
            known = table.known[:n, i].astype(bool)
        else:
            continue
        ok = known.copy()
        if lo is not None:
            ok &= values >= float(lo)
        if hi is not None:
            ok &= values <= float(hi)
        mask = ok if mask is None else mask & ok
    if mask is None:
        return None
    return mask & table.alive[:n].astype(bool)
