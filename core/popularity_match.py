"""Popularity match: a radio term for how close a candidate's popularity is to the references'.

Listeners hear how mainstream a track is as part of its style: a radio of a chart hit filled with tracks nobody plays
(or a deep cut's radio filled with chart hits) sounds off even within the right genre, and real playlists group tracks
of a like popularity. The term is

    ``weight × exp(-|popularity(c) − s| / tau)``   (0–``weight``; popularity is Spotify's 0–100 score)

where ``s`` is the references' mean popularity rounded to an integer. It is a *similarity*, not a popularity prior:
an obscure seed favours obscure tracks. A catalog whose tracks all have the same popularity (e.g. an import without
that column: every value 0) gets the same value for every track, so the ranking is unchanged.

Weights (``ScoreParams.popularity_match`` 0.5, ``ScoreParams.popularity_tau`` 30) from a grid over
{0.3, 0.5, 0.7, 1.0} × {10, 20, 30} on training folds 1–4 (:func:`core.evaluation.fold_of`; the style model refitted
without the validation fold), a flat plateau: P@10 0.231 → 0.245, one-seed radio P@10 against the seed's playlist
0.094 → 0.100 (labels hidden 0.087 → 0.094), radio genre agreement with no labels 0.655 → 0.670, with labels hidden
0.709 → 0.708, same-year share 0.306 → 0.314 (≤ 0.45).

Cost: one cached ``(n,)`` float32 row per rounded reference popularity (at most 101 rows per table version, ~11 MB
for 28k tracks), so a request adds one pass over the candidates.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from core.table import TrackTable

_ROWS: weakref.WeakKeyDictionary[Any, tuple[tuple[int, int, float, float], dict[int, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)


def reference_popularity(table: TrackTable, refs: Sequence[int]) -> int:
    """The references' mean Spotify popularity (0–100) rounded half up to an integer (0 for no references)."""
    if not refs:
        return 0
    mean = float(np.mean([float(table.popularity[r]) for r in refs]))
    return int(np.clip(np.floor(mean + 0.5), 0, 100))


def popularity_match_value(popularity: np.ndarray, slot: int, weight: float, tau: float) -> np.ndarray:
    """``weight × exp(-|popularity − slot| / tau)`` as float32, elementwise (``popularity`` 0–100, any shape).

    Raises:
        ValueError: ``tau`` is not positive.
    """
    if not tau > 0:
        raise ValueError(f"popularity_tau must be > 0, got {tau}")
    d = np.asarray(popularity, dtype=np.float64) - float(slot)
    return (weight * np.exp(-np.abs(d) / tau)).astype(np.float32)


def popularity_match_row(table: TrackTable, refs: Sequence[int], weight: float, tau: float) -> np.ndarray:
    """The term for every position ``< table.n`` against ``refs``: ``(table.n,)`` float32 (see the module docstring).

    Rows are cached per table, per ``table.version`` and per rounded reference popularity (read-only arrays: callers
    add them, never write into them).
    """
    key = (table.version, table.n, float(weight), float(tau))
    hit = _ROWS.get(table)
    if hit is None or hit[0] != key:
        hit = (key, {})
        _ROWS[table] = hit
    rows = hit[1]
    slot = reference_popularity(table, refs)
    row = rows.get(slot)
    if row is None:
        lut = popularity_match_value(np.arange(101), slot, weight, tau)
        pop = np.clip(table.popularity[: table.n].astype(np.intp), 0, 100)
        row = lut[pop]
        row.flags.writeable = False
        rows[slot] = row
    return row


__all__ = ["popularity_match_row", "popularity_match_value", "reference_popularity"]
