"""The step rule of "like X but MOVE": a move is a bounded step AROUND the anchor, not a cut at the edge of a feature.

"Like Daft Punk but slower" asks for Daft Punk's sound a little slower — 10–25 % below its tempo, not anything under
it; "like Coldplay but more electronic" asks for Coldplay's scene with fewer acoustic instruments, not the catalog's
least acoustic tracks. So each relative move (:mod:`core.moves`: feature deltas in 0–1 units, tempo a fraction) is read
as a band in the asked direction measured from the anchor's own mean (:func:`step_bands`):

* one step = the move's own size (``|delta|``; on tempo ``|delta| ×`` the anchor's BPM), but never more than
  :data:`ROOM_SHARE` of the way from the anchor to the catalog's edge of the feature (its :data:`EDGE_QUANTILE` /
  ``1 - EDGE_QUANTILE`` quantile) — a skewed feature (acousticness, most tracks near 0) gets a step its anchor has
  room for, never a cut at the extreme;
* a track makes the move from :data:`NEAR` steps on (the band's near edge: the whole step on 0–1 features, two thirds
  of it on tempo) and goes past it from :data:`FAR` steps on (the far edge, at most :data:`FAR_ROOM` of the way to the
  catalog's edge): past the far edge it costs :data:`OVERSHOOT_WEIGHT` per catalog standard deviation, so the anchor's
  style — similarity, its subgenres, its playlist scene-mates, which the pool's score carries — stays the main term
  and the move a bounded shift.

:func:`shift_around` re-ranks an anchored pool with the bands (plus absolute targets and ceilings said around the
anchor); :func:`move_mask` is the pool's tier of tracks that make the move.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.recommender import Scored
from core.steps import STEP, TEMPO_STEP
from core.table import FEATURE_INDEX, TrackTable

#: Where a track starts to make the move, in steps: the whole step on 0–1 features ("more upbeat than X" means clearly
#: more: +0.2 valence), two thirds of it on tempo — 10 % for a 15 % step (:data:`core.steps.TEMPO_STEP`): "like Daft
#: Punk but slower" is Daft Punk's scene 10–25 % slower, and the catalog holds little of that scene below 97 BPM (read on
#: the lists of ``benchmarks/anchor_moves.py``, not tuned on a benchmark).
NEAR = {"tempo": 2 / 3}
#: Where a track goes past the move, in steps: 1.8 on 0–1 features, 5/3 on tempo (25 % for a 15 % step).
FAR = {"tempo": 5 / 3}
#: :data:`NEAR` / :data:`FAR` of the features they do not name.
NEAR_DEFAULT = 1.0
FAR_DEFAULT = 1.8
#: A step takes at most this share of the way from the anchor to the catalog's edge of the feature: a skewed feature
#: (acousticness: Coldplay's 0.18 is 0.18 from the edge) gets 0.8 of the room, not a cut at the edge.
ROOM_SHARE = 0.8
#: The far edge stays at most this share of the way to the catalog's edge (past it, everything overshoots).
FAR_ROOM = 0.95
#: The catalog's edge of a feature: its 2nd / 98th percentile (live tracks with the feature known).
EDGE_QUANTILE = 0.02
#: Cost per catalog standard deviation of the feature beyond the far edge (a shortfall before the near edge costs 1).
OVERSHOOT_WEIGHT = 0.5


@dataclass(frozen=True)
class StepBand:
    """One relative move around an anchor, raw units of the feature: the anchor's mean ``base``, ``direction`` (+1 up,
    -1 down), the ``step`` size (> 0, or 0 when the anchor is already at the catalog's edge), and how far from
    ``base`` a track starts to make the move (``near_dist``) and goes past it (``far_dist``, ≥ ``near_dist``)."""

    feature: str
    base: float
    direction: float
    step: float
    near_dist: float
    far_dist: float

    @property
    def near(self) -> float:
        """The value from which a track makes the move: ``base + direction × near_dist``."""
        return self.base + self.direction * self.near_dist

    @property
    def far(self) -> float:
        """The value past which a track overshoots: ``base + direction × far_dist``."""
        return self.base + self.direction * self.far_dist

    def moved(self, values: np.ndarray | float) -> np.ndarray:
        """How far each of ``values`` (raw units) lies from the anchor in the move's direction (negative: the other
        way)."""
        return (np.asarray(values, dtype=np.float64) - self.base) * self.direction

    def makes(self, values: np.ndarray | float) -> np.ndarray:
        """True where ``values`` make the move: at least ``near_dist`` in its direction (the anchor's own side of its
        value when there is no room to step)."""
        moved = self.moved(values)
        return moved >= (self.near_dist - 1e-9 if self.step > 0 else 0.0)

    def within(self, values: np.ndarray | float) -> np.ndarray:
        """True where ``values`` make the move and go no further than ``far_dist``."""
        return self.makes(values) & (self.moved(values) <= self.far_dist + 1e-9) & (self.step > 0)


def step_size(delta: float, base: float, feature: str, edge: float | None) -> float:
    """One step of a move of ``delta`` (0–1 units; tempo a fraction of ``base``) from ``base`` toward the catalog's
    ``edge`` of the feature in the move's direction (None: unknown, the move's own size counts): ``min(|delta|
    (× base on tempo), ROOM_SHARE × room)``, where ``room`` is the distance from ``base`` to ``edge`` (0 when the
    anchor is already past it)."""
    size = abs(delta) * (abs(base) if feature == "tempo" else 1.0)
    if edge is None:
        return size
    room = max(0.0, (edge - base) * math.copysign(1.0, delta))
    return min(size, ROOM_SHARE * room)


def _edge(table: TrackTable, i: int, up: bool) -> float | None:
    known = table.features[: table.n, i][table.known[: table.n, i].astype(bool) & table.alive[: table.n]]
    if not len(known):
        return None
    return float(np.quantile(known, 1.0 - EDGE_QUANTILE if up else EDGE_QUANTILE))


def step_bands(table: TrackTable, seeds: Sequence[int], deltas: dict[str, float]) -> dict[str, StepBand]:
    """Feature -> :class:`StepBand` of each relative move in ``deltas`` (features of :data:`core.table.FEATURE_INDEX`,
    non-zero), measured from the mean of ``seeds`` (the anchor's own tracks); {} without a move or seeds.

    Only the move's main axis — its largest delta in steps (:data:`core.steps.STEP`, on tempo
    :data:`core.steps.TEMPO_STEP`), ties all — has a far edge; a smaller part said with it ("more upbeat" = a step of
    valence and half a step of energy) is one-sided (``far_dist`` = infinity): more energy than half a step is no
    overshoot of "more upbeat"."""
    if not seeds:
        return {}
    base = table.features[list(seeds)].mean(axis=0)
    size = {k: abs(d) / (TEMPO_STEP if k == "tempo" else STEP) for k, d in deltas.items() if k in FEATURE_INDEX and d}
    main = max(size.values(), default=0.0)
    out: dict[str, StepBand] = {}
    for name, d in deltas.items():
        if name not in FEATURE_INDEX or not d:
            continue
        i = FEATURE_INDEX[name]
        b = float(base[i])
        edge = _edge(table, i, d > 0)
        step = step_size(d, b, name, edge)
        room = max(0.0, (edge - b) * math.copysign(1.0, d)) if edge is not None else math.inf
        near = NEAR.get(name, NEAR_DEFAULT) * step
        far = max(near, min(FAR.get(name, FAR_DEFAULT) * step, FAR_ROOM * room)) if size[name] >= main - 1e-9 else math.inf
        out[name] = StepBand(name, b, math.copysign(1.0, d), step, near, far)
    return out


def move_targets(table: TrackTable, seeds: Sequence[int], deltas: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Feature -> ``(anchor mean, where the move starts)`` in raw units (:attr:`StepBand.near` of :func:`step_bands`)."""
    return {k: (b.base, b.near) for k, b in step_bands(table, seeds, deltas).items()}


def move_mask(table: TrackTable, seeds: Sequence[int], deltas: dict[str, float]) -> np.ndarray | None:
    """Boolean ``(table.n,)`` mask of the live tracks (with the features known) that make every move — at least its
    near edge (:attr:`StepBand.near`), however much further; None when there is no move."""
    bands = step_bands(table, seeds, deltas)
    if not bands:
        return None
    n = table.n
    mask = table.alive[:n].astype(bool).copy()
    for name, band in bands.items():
        i = FEATURE_INDEX[name]
        mask &= table.known[:n, i].astype(bool) & band.makes(table.features[:n, i])
    return mask


def shift_around(
    table: TrackTable,
    seeds: Sequence[int],
    pool: Sequence[Scored],
    deltas: dict[str, float],
    absolute: dict[str, tuple[float, float]],
    limit: int,
    ceilings: dict[str, tuple[float, float]] | None = None,
) -> list[Scored]:
    """Re-rank an anchored similarity pool toward the request's modifiers and keep the best ``limit``.

    ``pool`` scores carry the anchor's style (similarity 0–1 plus the scene bonuses of :func:`core.anchors.in_scene`).
    ``deltas``: relative moves from the seeds' mean (:func:`step_bands`); a track short of a band's near edge costs
    ``shortfall / std``, past its far edge ``OVERSHOOT_WEIGHT × excess / std`` (``std`` = the catalog's standard
    deviation of the feature), inside the band nothing. ``absolute``: feature -> ``(target in raw units, weight
    0–1)`` from the words around the anchor ("acoustic"), costing ``0.5 × weight × distance / std``; a relative move
    on the same feature wins. ``ceilings``: feature -> ``(highest value, weight)`` (:func:`core.anchors.
    calm_ceilings`), costing ``weight × excess / std``. Tracks short of a near edge are dropped while at least
    ``limit`` others remain, else those moving the asked way at all, else the best of the pool. At most
    ``ceil(YEAR_SHARE × limit)`` picks share an original year (:func:`year_capped_order`). Scores come back 0.5–1.
    """
    if not pool:
        return []
    std = np.maximum(table.features[: table.n].std(axis=0), 1e-6)
    bands = step_bands(table, seeds, deltas)
    desired = {k: (float(v), float(w)) for k, (v, w) in absolute.items()
               if k in FEATURE_INDEX and w > 0 and k not in bands}
    ceilings = {k: v for k, v in (ceilings or {}).items() if k in FEATURE_INDEX and k not in bands and k not in desired}
    if not bands and not desired and not ceilings:
        return list(pool[:limit])
    pos = np.array([s.pos for s in pool])
    feats = table.features[pos]
    score = np.array([s.score for s in pool], dtype=np.float64)
    inside = np.ones(len(pool), dtype=bool)
    started = np.ones(len(pool), dtype=bool)
    for name, band in bands.items():
        i = FEATURE_INDEX[name]
        moved = band.moved(feats[:, i])
        score -= np.maximum(0.0, band.near_dist - moved) / std[i]
        score -= OVERSHOOT_WEIGHT * np.maximum(0.0, moved - band.far_dist) / std[i]
        inside &= band.makes(feats[:, i])
        started &= moved > 0 if band.step > 0 else moved >= 0
    for name, (value, weight) in desired.items():
        i = FEATURE_INDEX[name]
        score -= 0.5 * weight * np.abs(feats[:, i] - value) / std[i]
    for name, (ceiling, weight) in ceilings.items():
        i = FEATURE_INDEX[name]
        score -= weight * np.maximum(0.0, feats[:, i] - ceiling) / std[i]
    for ok in (inside, started):
        if ok.sum() >= limit:
            score = np.where(ok, score, -np.inf)
            break
    order = year_capped_order(table, pool, score, limit)
    top = float(score[order[0]]) if order else 1.0
    lo = float(score[order[-1]]) if order else 0.0
    span = top - lo if top > lo else 1.0
    return [Scored(pool[i].pos, round(0.5 + 0.5 * (float(score[i]) - lo) / span, 4), pool[i].reason, pool[i].facts)
            for i in order if np.isfinite(score[i])]


#: At most this many tracks by the anchor's own artists in an anchored answer (the similarity engine's per-artist cap,
#: :attr:`core.recommender.ScoreParams.per_artist`, which :func:`with_own` keeps).
OWN_MAX = 2


def own_in_band(table: TrackTable, candidates: Sequence[int], seeds: Sequence[int], deltas: dict[str, float],
                exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """Of ``candidates`` (the anchor's own best-known songs, :func:`core.anchors.lean_seeds` with ``n=10``), those
    inside every band of the move — from the near edge to the far edge (:func:`step_bands` around ``seeds``) — in
    order, ``exclude`` left out: "like Daft Punk but slower" may open with Daft Punk's own slower songs ("Lose Yourself
    to Dance", 12 % below their mean), which the similarity engine leaves out as seeds. [] without a move."""
    bands = step_bands(table, seeds, deltas)
    if not bands:
        return []
    out = []
    for p in candidates:
        if p in exclude or not table.alive[p]:
            continue
        if all(table.known[p, FEATURE_INDEX[name]] and band.within(table.features[p, FEATURE_INDEX[name]])
               for name, band in bands.items()):
            out.append(int(p))
    return out


def with_own(table: TrackTable, ranked: Sequence[Scored], artist_ids: Sequence[int], limit: int) -> list[Scored]:
    """``ranked`` (best first) with at most :data:`OWN_MAX` tracks by ``artist_ids``, cut to ``limit``."""
    own = set(artist_ids)
    out: list[Scored] = []
    mine = 0
    for s in ranked:
        if own & set(table.artist_ids[s.pos]):
            if mine >= OWN_MAX:
                continue
            mine += 1
        out.append(s)
        if len(out) >= limit:
            break
    return out


#: Share of an anchored answer one release year may fill ("like Bad Bunny but older" must not come back as ten
#: tracks from the one year next to the anchor's era); 0.4 of 10 = 4 tracks.
YEAR_SHARE = 0.4


def year_capped_order(table: TrackTable, pool: Sequence[Scored], score: np.ndarray, limit: int) -> list[int]:
    """Indices into ``pool`` of the best ``limit`` finite scores, at most ``ceil(YEAR_SHARE * limit)`` per original
    year (unknown years uncapped); when the cap leaves fewer than ``limit``, the best capped-out ones fill up."""
    order = [int(i) for i in np.argsort(-score, kind="stable") if np.isfinite(score[i])]
    cap = max(1, math.ceil(YEAR_SHARE * limit))
    per_year: dict[int, int] = {}
    years = table.original_years()
    kept: list[int] = []
    spill: list[int] = []
    for i in order:
        y = int(years[pool[i].pos])
        if y > 0 and per_year.get(y, 0) >= cap:
            spill.append(i)
            continue
        per_year[y] = per_year.get(y, 0) + 1
        kept.append(i)
        if len(kept) >= limit:
            break
    if len(kept) < limit:
        kept += spill[: limit - len(kept)]
        kept.sort(key=lambda i: -float(score[i]))
    return kept
