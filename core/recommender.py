"""Recommendation: similar tracks and text-driven recommendations over the in-memory table + KNN index.

Similar tracks ("radio") put style first. Every candidate ``c`` is scored against the references ``R`` as a
weighted sum (weights in :class:`ScoreParams`, tuned on training playlists only — fold ``sha1(playlist_id) % 5 == 1``
with :func:`core.evaluation.evaluate` (``folds={1}``), checked on folds 2–4; fold 0 is held out):

* audio   — mean over r∈R of ``exp(-d(c, r) / tau_audio)``, d = weighted squared distance in
  :class:`core.features.FeatureSpace` (the KNN index), minus the intensity penalty ``intensity ×
  (1 - exp(-(max(0, g - intensity_tol) / intensity_scale)²))`` with the intensity gap ``g = Δenergy + Δacousticness / 2
  + Δloudness dB / 20`` outside the range the references span (:func:`intensity_penalty`), so a metal radio keeps its energy and loudness (no power
  ballads because the artists share playlists) and a ballad radio stays quiet;
* artist  — share of references that have one of c's artists;
* related — artist relations learned from the loaded catalog (:class:`core.artist_graph.ArtistGraph`: artists
  sharing playlists and subgenres): the relation (cosine 0–1) of c's artist to each reference's artists, averaged
  over the reference's artists and over the references;
* labels  — catalog labels shared with the references (subgenre > genre; playlist membership counts as
  co-occurrence, never as a genre), each label's weight divided by ``log2(2 + tracks carrying it)`` (IDF-like);
* era     — a soft window on each song's *original* year (:meth:`core.table.TrackTable.original_years`): 1 within
  ``era_flat`` years, then ``exp(-((|Δy| - era_flat) / era_tau)²)``; 0.5 when a year is unknown. No exact-year
  bonus: 2011 and 2013 count the same;
* popularity — Spotify popularity / 100 (a small prior);
* style   — the dot product (0–1) of c's style vector with the mean of the references' (:mod:`core.style`: genre
  labels, else playlist-context centroids, else a genre prior from audio features, averaged over each artist's
  tracks), so a seed without labels still draws tracks of its own genre rather than of its year.

Tracks without audio features (NULL in the catalog, e.g. from a recent Exportify export) are never ranked by a
made-up distance: they are left out of the KNN index and get no audio term (nor a text-target term for a feature
they lack), so they can only rank on artist, labels, year and popularity. A reference without audio features
contributes no audio term either; when no reference has features, the reason says so ("no audio features for this
track, matched on artist/genre").

A catalog without labels scores on audio, artist, era and style (artist centroids of the audio genre prior); the
related term is then 0 for every track.

Results exclude the references, apply :class:`core.models.Filters` (year bounds on each song's original year),
collapse duplicates (same normalized title and first artist — remasters, edits) and cap tracks per artist (default 2
in a top 10). With the exact index, the audio term, the sparse terms and that selection run only on the tracks that
can still make the top (:meth:`Recommender._similar_pruned`: bound-checked, the same picks and floats as scoring every
track; the audio term is computed track by track so that a track's float does not depend on which others are scored).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.catalog import normalize_text
from core.compilations import year_mask
from core.credits import credited_positions
from core.era_versions import in_era_versions
from core.explain import Fact, explain_similar_lines, explain_text, format_reasons, to_reason
from core.features import FeatureSpace
from core.index import FeatureIndex
from core.models import Filters, Reason, TextQuery
from core.playlist_spread import SPREAD_POOL, spread_playlists, wants_playlist_spread
from core.ranges import RANGE_FIRST, range_mask
from core.scene import (
    ERA_POOL_PER_PLACE,
    era_query,
    foreign_demotion,
    is_era_only,
    named_label_first,
    scene_bonus,
    spread_genres,
    wants_scene_focus,
)
from core.table import FEATURE_INDEX, TrackTable
from core.text.styles import style_affinity, style_scores
from core.text.title_language import table_languages

if TYPE_CHECKING:
    from core.artist_graph import ArtistGraph
    from core.style import StyleVectors

#: The filters of a request that sets none (read-only: never handed out).
_NO_FILTERS = Filters()
#: Memory the per-table score caches may use (year-affinity rows, dense label rows), bytes.
CACHE_BYTES = 16 << 20
#: A label on more than ``1 / DENSE_FROM`` of the tracks is added as a dense row rather than scattered.
DENSE_FROM = 20
#: Tracks a named style adds to the text candidates on a catalog without labels (its most typical ones).
STYLE_CANDIDATES = 2000


@dataclass
class ScoreParams:
    """Weights of the similar-tracks score (see module docstring). Defaults from a grid over audio, related, year,
    era_flat/era_tau, tau_audio, label kinds and popularity on training fold 1: among settings with P@10 within
    0.01 of the best, the one whose one-seed radios share the seed's year about as often as real playlists do
    (~0.3) — not the P@10 maximum, which comes from a sharp year bonus."""

    audio: float = 1.0
    artist: float = 5.0
    #: 2.0 (was 1.0) with the artist graph's subgenre contexts at 0.5 (0.3 measured) (core.artist_graph.SUBGENRE_WEIGHT), on training
    #: folds 1–4: genre agreement@10 0.761 → 0.771, P@10 0.229 → 0.231, same-year share 0.315 → 0.306, radio genre
    #: agreement (labels hidden) 0.709 → 0.709; a Nirvana radio drops Poison and a second U2 for Offspring / Weezer
    related: float = 2.0
    year: float = 1.0
    labels: float = 1.0
    popularity: float = 0.0
    tau_audio: float = 4.0
    era_flat: float = 1.0
    era_tau: float = 5.0
    kind_weights: dict[str, float] = field(default_factory=lambda: {"playlist": 0.3, "subgenre": 0.6, "genre": 0.3})
    per_artist: int = 2
    #: weight of the style-vector term (core.style); 3.0 from {1, 2, 3, 4, 5} on training folds 3–4 (radio genre
    #: agreement with labels hidden / absent, P@10 kept); 0 turns the term (and its start-up cost) off
    style: float = 3.0
    #: weight of the intensity penalty (see the module docstring; 0 turns it off). Tolerance: in the catalog's real
    #: playlists half of the track pairs differ by less than 0.12 in energy and 0.10 in acousticness and 1.9 dB in
    #: loudness (gap ≈ 0.2); the weight, tolerance and scale were chosen by reading radios of energetic and quiet
    #: seeds (Enter Sandman without KISS "Forever", Nothing Else Matters without thrash) with P@10 and genre agreement
    #: kept (benchmarks/radio_quality.py)
    intensity: float = 2.0
    intensity_tol: float = 0.2
    intensity_scale: float = 0.2


@dataclass(slots=True)
class Scored:
    """One ranked result: table position, 0–1 score, the plain reason line and the reasons as data
    (:mod:`core.explain` facts; ``reason == format_reasons(facts)`` unless a caller rewords it)."""

    pos: int
    score: float
    reason: str
    facts: list[Fact | Reason] = field(default_factory=list)

    @property
    def reasons(self) -> list[Reason]:
        """The facts as :class:`core.models.Reason` models (built on demand: the ranking's hot path keeps tuples)."""
        return [to_reason(f) for f in self.facts]


#: Feature columns of the intensity gap (:func:`intensity_penalty`): energy, acousticness, loudness (dB) ...
_INTENSITY = [FEATURE_INDEX["energy"], FEATURE_INDEX["acousticness"], FEATURE_INDEX["loudness"]]
#: ... and their weights in the gap (20 dB of loudness weigh as a full energy step, acousticness half).
INTENSITY_SCALE = np.asarray([1.0, 0.5, 0.05])


def intensity_penalty(cols: np.ndarray, refs: Sequence[np.ndarray], tol: float, scale: float) -> np.ndarray:
    """``1 - exp(-(max(0, g - tol) / scale)²)`` per track (0–1: bounded, so a track far off in intensity loses at most
    the weight and a genre with no track of the seed's intensity can still fill a radio), ``(m,)`` float32, with
    the intensity gap ``g = Δenergy + Δacousticness / 2 + Δloudness / 20`` where each Δ is how far the track lies
    outside the range the references ``refs`` span (one reference: the plain difference; loudness in dB: 20 dB weigh
    as a full energy step), so a playlist of calm and loud songs penalizes nothing in between. ``cols``: ``(3, m)``
    float32 rows energy, acousticness / 2, loudness / 20 of the tracks (:data:`INTENSITY_SCALE` applied; NaN when
    unknown: no penalty); ``refs``: the references' ``(3,)`` columns of the same. Element by element, so a track's value does not
    depend on the others.
    """
    if len(refs) == 1:  # |x - q| == max(q - x, x - q, 0) bit for bit
        d = cols - refs[0][:, None]
        np.abs(d, out=d)
    else:
        lo, hi = np.min(refs, axis=0)[:, None], np.max(refs, axis=0)[:, None]
        d = lo - cols
        np.maximum(d, cols - hi, out=d)
        np.maximum(d, np.float32(0.0), out=d)
    g = d[0] + d[1]
    g += d[2]
    g -= np.float32(tol)
    out = np.zeros(len(g), dtype=np.float32)
    hit = np.flatnonzero(g > 0)  # most tracks are within the tolerance (and NaN, no features, is never > 0)
    x = g[hit]
    x *= np.float32(1.0 / scale)
    x *= x
    np.negative(x, out=x)
    np.exp(x, out=x)
    out[hit] = np.float32(1.0) - x
    return out


def tree_sum(rows: np.ndarray) -> np.ndarray:
    """The sum over the first axis of a ``(k, m)`` float32 array, added pairwise in a fixed order (the first half of
    the rows plus the second, an odd last row onto the first, until one row is left), ``(m,)`` float32 (a fresh
    array). Every column gets the same float operations, so a column's sum does not depend on the others (NumPy's
    ``sum`` and BLAS products round by where a value falls in their blocks); 4 passes for 12 rows."""
    if len(rows) == 1:
        return rows[0].copy()
    while len(rows) > 1:
        half = len(rows) // 2
        out = rows[:half] + rows[half : 2 * half]
        if len(rows) % 2:
            out[0] += rows[2 * half]
        rows = out
    return rows[0]


class Recommender:
    """Ranks tracks of a :class:`TrackTable` for references (similar) or a :class:`TextQuery` (text).

    Args:
        table: the live track table (mutated by the engine; call :meth:`on_upsert` / :meth:`on_delete`).
        params: score weights.
        index: KNN index (default: exact below 150k tracks, IVF above).
    """

    def __init__(self, table: TrackTable, params: ScoreParams | None = None, index: FeatureIndex | None = None):
        self.table = table
        self.params = params or ScoreParams()
        self.space = FeatureSpace()
        self.index = index or FeatureIndex()
        self._label_cache: dict[int, np.ndarray] = {}
        self._artist_cache: dict[int, np.ndarray] = {}
        self._related_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._explain_cache: dict[tuple[int, ...], object] = {}  # per reference set (core.explain contexts)
        self._plan_cache: dict[tuple[int, ...], tuple] = {}  # per reference set (:meth:`_pruning_plan`)
        self._marks: np.ndarray | None = None
        self._wide: tuple[np.ndarray, np.ndarray] | None = None
        self._cache_version = -1
        self._year_table: np.ndarray | None = None
        self._year_cache: dict[int, np.ndarray] = {}
        self._dense_labels: dict[tuple[int, float], np.ndarray] = {}
        self._featureless: np.ndarray | None = None
        self._slots: np.ndarray | None = None
        self._slots_version = -1
        self._local: np.ndarray | None = None
        self._graph: ArtistGraph | None = None
        self._style: StyleVectors | None = None
        self._style_rows: np.ndarray | None = None
        self.rebuild()

    @property
    def graph(self) -> ArtistGraph:
        """The artist relations (:class:`core.artist_graph.ArtistGraph`), built from the table on first use (scipy and
        ~60 ms of work only for the requests that need them: similar tracks and their reasons), then kept as built
        while single-track edits follow; :meth:`rebuild` drops it."""
        if self._graph is None:
            from core.artist_graph import ArtistGraph

            self._graph = ArtistGraph(self.table)
        return self._graph

    @graph.setter
    def graph(self, value: ArtistGraph | None) -> None:
        self._graph = value

    @property
    def style(self) -> StyleVectors | None:
        """The tracks' style vectors (:class:`core.style.StyleVectors`), built from the table on first use; ``None``
        when ``params.style`` is 0 (the style term is off)."""
        if self._style is None and self.params.style:
            from core.style import StyleVectors

            self._style = StyleVectors(self.table)
        return self._style

    # ------------------------------------------------------------------ index maintenance
    def rebuild(self) -> None:
        """Fit the feature scaling and the KNN index from the whole table (start-up only)."""
        t = self.table
        alive = t.alive[: t.n] & t.has_features[: t.n]  # featureless tracks are not in the KNN index
        self.space.fit(t.features[: t.n][alive] if alive.any() else np.zeros((1, t.features.shape[1])))
        self.index.fit(np.nan_to_num(self.space.transform(t.features[: t.n]), nan=0.0), alive)
        # artist relations from the catalog as loaded (built on first use); later single-track edits leave them be
        self._graph = None
        self._style = None  # built on first use (scipy, ~0.2 s): slash commands that never rank by style skip it
        self._style_rows = None
        self._cache_version = -1  # the next query re-reads the style rows
        self._explain_cache.clear()  # reasons name related artists from the graph
        self._plan_cache.clear()  # and the related-artist term comes from it
        t.original_years()  # computed once here; later edits update only the songs they touch

    def on_upsert(self, pos: int) -> None:
        """Index the track now at ``pos`` (incremental; the scaling learned at start is kept)."""
        self.index.add(pos, np.nan_to_num(self.space.transform(self.table.features[pos : pos + 1])[0], nan=0.0))
        if not self.table.has_features[pos]:
            self.index.remove(pos)

    def on_delete(self, pos: int) -> None:
        """Drop ``pos`` from the index."""
        self.index.remove(pos)

    # ------------------------------------------------------------------ helpers
    def _sync_caches(self) -> None:
        if self._cache_version != self.table.version:
            self._label_cache.clear()
            self._artist_cache.clear()
            self._related_cache.clear()
            self._year_cache.clear()
            self._dense_labels.clear()
            self._featureless = None
            self._wide = None
            self._explain_cache.clear()
            self._plan_cache.clear()
            self._style_rows = None  # re-read on the next similar-tracks request (:meth:`_style_columns`)
            self._cache_version = self.table.version

    def _style_columns(self) -> np.ndarray | None:
        """The style vectors as a ``(K, n)`` column-major float32 array (one vector-matrix product per request, ~13x
        faster than ``rows @ q`` here), cached until the table changes; ``None`` when the style term is off."""
        if self._style_rows is None and self.params.style:
            style = self.style
            if style is not None:
                self._style_rows = np.ascontiguousarray(style.sync()[: self.table.n].T)
        return self._style_rows

    def label_positions(self, lid: int) -> np.ndarray:
        """Positions carrying label ``lid`` as an int64 array (cached until the table changes)."""
        arr = self._label_cache.get(lid)
        if arr is None:
            arr = self._label_cache[lid] = np.fromiter(self.table.label_tracks.get(lid, ()), dtype=np.int64)
        return arr

    def artist_positions(self, aid: int) -> np.ndarray:
        """Positions of tracks by artist ``aid`` (cached until the table changes)."""
        arr = self._artist_cache.get(aid)
        if arr is None:
            arr = self._artist_cache[aid] = np.fromiter(self.table.artist_tracks.get(aid, ()), dtype=np.int64)
        return arr

    def related_tracks(self, aid: int) -> tuple[np.ndarray, np.ndarray]:
        """``(positions, relations)``: tracks by the artists :attr:`graph` relates to artist ``aid``, each with its
        artist's relation 0–1 (one pair of arrays, cached until the table changes: one scatter per reference)."""
        cached = self._related_cache.get(aid)
        if cached is None:
            ids, rel = self.graph.neighbours(aid)
            parts = [self.artist_positions(int(b)) for b in ids]
            if parts:
                cached = (np.concatenate(parts), np.repeat(np.asarray(rel, np.float32), [len(x) for x in parts]))
            else:
                cached = (np.zeros(0, np.int64), np.zeros(0, np.float32))
            self._related_cache[aid] = cached
        return cached

    def filter_mask(self, filters: Filters, n: int) -> np.ndarray | None:
        """Boolean ``(n,)`` mask of tracks passing ``filters`` (None when no filter is set).

        Years are each song's *original* year (:meth:`core.table.TrackTable.original_years`: the earliest year among
        its versions in the catalog), as :func:`core.compilations.year_mask` reads them: a 1985 song on a 2005 compilation
        is an 80s song. Tracks without a known year fail any year bound, and tracks without a detected beat (tempo 0
        BPM, Spotify's value when its beat tracker found none, or unknown) fail any tempo bound: "slower" never fills
        with a spoken intro that merely has no tempo.
        """
        if filters.is_empty():
            return None
        t = self.table
        mask = t.alive[:n].copy()
        if (years := year_mask(t, filters)) is not None:  # core.compilations: the one era rule
            mask &= years[:n]
        tempo = t.features[:n, FEATURE_INDEX["tempo"]]
        if filters.tempo_min:
            mask &= tempo >= filters.tempo_min
        if filters.tempo_max:
            mask &= (tempo <= filters.tempo_max) & (tempo > 0)
        if filters.genres:
            wanted = {normalize_text(g) for g in filters.genres}
            keep = np.zeros(n, dtype=bool)
            for lid, (kind, label) in enumerate(t.label_names):
                if kind in ("genre", "subgenre") and normalize_text(label) in wanted:
                    pos = self.label_positions(lid)
                    keep[pos[pos < n]] = True
            mask &= keep
        for name in filters.exclude_artists:
            aid = t.artist_index.get(normalize_text(name))
            if aid is not None:
                pos = self.artist_positions(aid)
                mask[pos[pos < n]] = False
            for p in credited_positions(t, name):  # "Song (feat. X)": X is credited in the title only
                if p < n:
                    mask[p] = False
        return mask

    # ------------------------------------------------------------------ scoring views
    def _year_lut(self) -> np.ndarray:
        """``(202, 202)`` table: row = reference year slot, column = candidate year slot -> year affinity.

        Slot 0 = unknown year (affinity 0.5); slot ``y - 1899`` for years 1900–2100. The window is flat for
        ``era_flat`` years either side, then decays as a Gaussian of scale ``era_tau`` years.
        """
        if self._year_table is None:
            years = np.arange(1899, 2101, dtype=np.float32)
            gap = np.maximum(np.abs(years[:, None] - years[None, :]) - self.params.era_flat, 0.0)
            lut = np.exp(-((gap / max(self.params.era_tau, 1e-6)) ** 2)).astype(np.float32)
            lut[0, :] = 0.5
            lut[:, 0] = 0.5
            self._year_table = lut
        return self._year_table

    def _year_affinity(self, slot: int) -> np.ndarray:
        """``(n,)`` float32 ``params.year ×`` year affinity of every track to a reference year slot.

        Cached per slot until the table changes: the gather over all tracks is then paid once per year instead of
        once per request. At most :data:`CACHE_BYTES` of slots (every year of the shipped catalog: 63 slots,
        7 MB), and never fewer than 32.
        """
        cached = self._year_cache.get(slot)
        if cached is None:
            if len(self._year_cache) >= max(32, CACHE_BYTES // (4 * max(self.table.n, 1))):
                self._year_cache.pop(next(iter(self._year_cache)))
            row = self._year_lut()[slot] * np.float32(self.params.year)
            cached = self._year_cache[slot] = row[self._year_slots()]
        return cached

    def _year_slots(self) -> np.ndarray:
        t = self.table
        if self._slots_version != t.version or self._slots is None or len(self._slots) < t.n:
            y = t.original_years()[: t.n].astype(np.intp)
            self._slots = np.where((y >= 1900) & (y <= 2100), y - 1899, 0)
            self._slots_version = t.version
        return self._slots

    def _featureless_positions(self) -> np.ndarray:
        """Positions ``< n`` of tracks without all eleven audio features (cached until the table changes)."""
        if self._featureless is None:
            self._featureless = np.flatnonzero(~self.table.has_features[: self.table.n])
        return self._featureless

    def _dense_label(self, lid: int, value: float) -> np.ndarray:
        """``(n,)`` float32: ``float32(value)`` where the track carries label ``lid``, else 0 — adding it to a score
        vector gives the very floats of ``out[positions] += value`` (x + 0 = x) in one contiguous pass instead of
        a scatter (~4× faster for a genre of 5k tracks). Cached per ``(label, value)`` within :data:`CACHE_BYTES`
        until the table changes."""
        key = (lid, value)
        dense = self._dense_labels.get(key)
        if dense is None:
            n = self.table.n
            if len(self._dense_labels) >= max(4, CACHE_BYTES // (4 * max(n, 1))):
                self._dense_labels.pop(next(iter(self._dense_labels)))
            dense = np.zeros(n, dtype=np.float32)
            pos = self.label_positions(lid)
            dense[pos[pos < n]] = value
            self._dense_labels[key] = dense
        return dense

    def _scatter(self, out: np.ndarray, positions: np.ndarray, value: float, local: np.ndarray | None) -> None:
        """``out[positions] += value`` in the candidate view (``local`` maps position -> view index or -1)."""
        if local is None:
            out[positions] += value
        else:
            lp = local[positions]
            out[lp[lp >= 0]] += value

    def _open_view(self, cand: np.ndarray | None) -> np.ndarray | None:
        if cand is None:
            return None
        if self._local is None or len(self._local) < self.table.n:
            self._local = np.full(max(self.table.n, 1024) * 2, -1, dtype=np.int64)
        self._local[cand] = np.arange(len(cand))
        return self._local

    def _close_view(self, cand: np.ndarray | None) -> None:
        if cand is not None and self._local is not None:
            self._local[cand] = -1

    # ------------------------------------------------------------------ similar
    def _similar_candidates(self, refs: Sequence[int]) -> np.ndarray | None:
        """None (score everything) for an exact index; for IVF the scanned lists plus artist / label neighbours."""
        if self.index.centroids is None:
            return None
        t = self.table
        featured = [r for r in refs if t.has_features[r]]
        parts = [self.index.candidate_positions(self.index.vectors[featured].mean(0))] if featured else []
        for r in refs:
            parts.extend(self.artist_positions(a) for a in t.artist_ids[r])
            parts.extend(self.label_positions(l) for l in t.labels[r] if t.label_names[l][0] != "genre")
        return np.unique(np.concatenate(parts))

    #: Weight of the style model's affinity (core.text.styles.style_affinity, 0–1) in similar scores on a catalog
    #: without labels, where the label and related-artist terms are 0.
    STYLE_AFFINITY = 2.0

    def _has_labels(self) -> bool:
        key = (id(self.table), self.table.version)
        if getattr(self, "_labels_key", None) != key:
            self._labels_key, self._labels_any = key, self.table.has_labels()
        return self._labels_any

    def similar_scores(self, refs: Sequence[int], cand: np.ndarray | None = None, intensity: bool = True) -> np.ndarray:
        """Score candidates against reference positions ``refs`` (see the module docstring for the formula).

        Returns:
            ``(m,)`` float32 scores, ``m = len(cand)`` or ``n`` when ``cand`` is None (all positions).
        """
        self._sync_caches()
        refs = list(refs)
        local = self._open_view(cand)
        try:
            total = self._audio_term(refs, cand, intensity)
            total += self._era_style(refs, cand)
            self._similar_rest(total, refs, cand, local, self._sparse_plan(refs))
            return total.astype(np.float32, copy=False)
        finally:
            self._close_view(cand)

    def _audio_term(self, refs: list[int], cand: np.ndarray | None, intensity: bool = True) -> np.ndarray:
        """The audio term, ``(m,)`` float32 (a fresh array): ``params.audio / len(refs) ×`` :meth:`_audio_sum` over
        the references with audio features, 0 for tracks without them (and everywhere when no reference has them).

        Each track's value is computed from its own features only (see :meth:`_audio_sum`), so it does not depend
        on which other tracks are scored: :meth:`_similar_pruned` scores a few hundred tracks and gets the floats
        of scoring every track.
        """
        t, p = self.table, self.params
        n = t.n
        featured = [r for r in refs if t.has_features[r]]
        if not featured:  # audio term only between tracks that both have features (see the module docstring)
            return np.zeros(n if cand is None else len(cand), dtype=np.float32)
        total = self._audio_sum(featured, cand)
        factor = p.audio * (1.0 / len(refs))
        if factor != 1.0:  # x * 1.0 == x: skip a pass
            total *= factor
        if intensity:
            total = self._minus_intensity(total, refs, cand)
        if len(self._featureless_positions()):  # x * 0 == 0 (the distances are finite)
            total *= t.has_features[:n] if cand is None else t.has_features[cand]
        return total

    def _intensity_columns(self) -> np.ndarray:
        """``(3, n)`` float32 energy, acousticness, loudness of every position, weighted by :data:`INTENSITY_SCALE`
        (:func:`intensity_penalty`), one contiguous copy per table version."""
        t = self.table
        key = (id(t), t.version, t.n)
        if getattr(self, "_intensity_key", None) != key:
            self._intensity_key = key
            self._intensity = np.ascontiguousarray((t.features[: t.n][:, _INTENSITY] * INTENSITY_SCALE).T,
                                                   dtype=np.float32)
        return self._intensity

    def _audio_sum(self, featured: list[int], cand: np.ndarray | None) -> np.ndarray:
        """``Σ_r exp(-|x - x_r|² / tau_audio)`` over the references ``featured`` (with audio features) for every
        position (``cand`` None) or the positions ``cand``, ``(m,)`` float32.

        Element by element, the same float operations for every track in a fixed order (the squared differences
        summed pairwise as :func:`tree_sum` does, then ``exp(s · (-1/tau_audio))``), so a track's value does not
        depend on which other tracks are scored with it — unlike a BLAS product or a NumPy reduction, whose rounding
        depends on where a value falls in their blocks. ``tests/integration/similar_reference.py`` writes the same
        formula over every track; the equivalence tests check the two agree float for float.
        """
        idx = self.index
        cols = idx.vectors_t[:, : self.table.n] if cand is None else idx.vectors_t.take(cand, axis=1)
        scale = np.float32(-1.0 / self.params.tau_audio)
        total = None
        for r in featured:
            d = cols - idx.vectors[r][:, None]
            np.multiply(d, d, out=d)
            s = tree_sum(d)
            s *= scale
            np.exp(s, out=s)
            if total is None:
                total = s
            else:
                total += s
        return total

    def _era_style(self, refs: list[int], cand: np.ndarray | None) -> np.ndarray:
        """The dense terms besides audio, ``(m,)`` float32 (a fresh array): era (each reference's year affinity
        ``× 1/len(refs)``, added reference by reference), popularity, style (one vector-matrix product over the
        candidates)."""
        t, p = self.table, self.params
        n = t.n
        inv = 1.0 / len(refs)
        total = None
        slots = self._year_slots()
        q = self._style_query(refs)
        if len(refs) == 1 and not p.popularity and q is not None:  # era + style == style + era: no copy of the row
            total = self._style_term(q, cand)
            affinity = self._year_affinity(int(slots[refs[0]]))
            total += affinity if cand is None else affinity[cand]
            return total
        for r in refs:
            affinity = self._year_affinity(int(slots[r]))
            affinity = affinity if cand is None else affinity[cand]
            if inv != 1.0:
                affinity = affinity * inv
            if total is None:  # 0 + x == x: start from the first reference's affinity
                total = affinity.copy() if inv == 1.0 and cand is None else affinity
            else:
                total += affinity
        if p.popularity:
            pop = t.popularity[:n] if cand is None else t.popularity[cand]
            total += (p.popularity / 100.0) * pop
        if q is not None:
            total += self._style_term(q, cand)
        return total

    def _minus_intensity(self, total: np.ndarray, refs: list[int], cand: np.ndarray | None) -> np.ndarray:
        """``total`` minus ``params.intensity ×`` :func:`intensity_penalty` of the candidates against the references
        with audio features (in place; unchanged when the term is off or no reference has features). Part of the
        audio term: only the tracks scored pay for it, and as it only lowers scores the pruned ranking's upper bounds
        hold (computing it for every track with the dense terms cost ~0.3 ms more per radio, measured)."""
        p, t = self.params, self.table
        featured = [r for r in refs if t.has_features[r]]
        if not p.intensity or not featured:
            return total
        every = self._intensity_columns()
        pen = intensity_penalty(every if cand is None else every[:, cand], [every[:, r] for r in featured],
                                p.intensity_tol, p.intensity_scale)
        pen *= np.float32(p.intensity)
        total -= pen
        return total

    def _style_query(self, refs: list[int]) -> np.ndarray | None:
        """``params.style ×`` the references' mean style vector, ``(K,)`` float32 (None when the style term is off)."""
        cols = self._style_columns()
        if cols is None:
            return None
        return (cols[:, refs[0]] if len(refs) == 1 else cols[:, refs].mean(1)) * np.float32(self.params.style)

    def _style_term(self, q: np.ndarray, cand: np.ndarray | None) -> np.ndarray:
        """``(m,)`` float32 style term ``q · s`` of the candidates (one vector-matrix product)."""
        cols = self._style_columns()
        return q @ cols if cand is None else q @ cols[:, cand]

    def _sparse_plan(self, refs: list[int]) -> list[tuple]:
        """The sparse terms of a similar-tracks score, in the order they are added after the style term.

        Each entry is ``("rel", positions, values (float32 array))`` (related artists: assignment semantics, a
        track listed twice gets the last value), ``("artist", positions, value)``, ``("label", positions, value)``
        or ``("dense", lid, positions, value)`` (a label on more than ``1 / DENSE_FROM`` of the tracks, added as a
        cached dense row), or ``("affinity",)``: where the style affinity of a catalog without labels goes.
        """
        t, p = self.table, self.params
        n = t.n
        inv = 1.0 / len(refs)
        plan: list[tuple] = []
        sparse: dict[tuple[str, int], float] = {}
        for r in refs:
            for aid in t.artist_ids[r]:
                sparse[("a", aid)] = min(sparse.get(("a", aid), 0.0) + inv, 1.0)
            for lid in t.labels[r]:
                sparse[("l", lid)] = sparse.get(("l", lid), 0.0) + inv
            if p.related and t.artist_ids[r]:
                # mean over the reference's artists; a track by two related artists gets one of the two
                share = p.related * inv / len(t.artist_ids[r])
                for aid in t.artist_ids[r]:
                    pos, rel = self.related_tracks(aid)
                    if len(pos):
                        plan.append(("rel", pos, rel * share))
        plan.append(("affinity",))  # where the label-less style affinity goes (:meth:`_similar_rest`)
        for (kind, key), share in sparse.items():
            if kind == "a":
                plan.append(("artist", self.artist_positions(key), p.artist * share))
            else:
                pos = self.label_positions(key)
                w = p.kind_weights.get(t.label_names[key][0], 0.0)
                if w:
                    value = p.labels * w * share / math.log2(2 + len(pos))
                    if len(pos) * DENSE_FROM > n:
                        plan.append(("dense", key, pos, value))
                    else:
                        plan.append(("label", pos, value))
        return plan

    #: Reference sets whose sparse terms :meth:`_pruning_plan` keeps (until the table changes).
    PLAN_CACHE = 1024

    def _pruning_plan(self, refs: list[int]) -> tuple[list[tuple], np.ndarray, float, dict[int, float]]:
        """``(plan, touched, reach, label values)`` for :meth:`_similar_pruned`: the :meth:`_sparse_plan`, the
        positions its artist and related-artist terms touch (int64, sorted, each once), the most a track gains from
        its label terms (their sum + :data:`PRUNE_MARGIN`) and :meth:`_label_values`. Cached per reference set until
        the table changes (a radio's pages and "more like this" ask for the same references again)."""
        key = tuple(refs)
        cached = self._plan_cache.get(key)
        if cached is None:
            plan = self._sparse_plan(refs)
            reach = self.PRUNE_MARGIN
            touched = [np.zeros(0, np.int64)]
            for step in plan:
                if step[0] == "rel" or step[0] == "artist":
                    touched.append(step[1])
                elif step[0] == "label" or step[0] == "dense":  # a track outside C gains at most every label value
                    reach += max(step[-1], 0.0)
            if len(self._plan_cache) >= self.PLAN_CACHE:
                self._plan_cache.pop(next(iter(self._plan_cache)))
            cached = (plan, np.unique(np.concatenate(touched)), reach, self._label_values(refs))
            self._plan_cache[key] = cached
        return cached

    def _similar_rest(
        self,
        total: np.ndarray,
        refs: list[int],
        cand: np.ndarray | None,
        local: np.ndarray | None,
        plan: list[tuple],
    ) -> None:
        """Add the sparse terms of ``plan`` to ``total`` (the candidate view ``cand``) in place."""
        p = self.params
        for step in plan:
            kind = step[0]
            if kind == "rel":
                _, pos, values = step
                if local is None:
                    total[pos] += values
                else:
                    lp = local[pos]
                    keep = lp >= 0
                    total[lp[keep]] += values[keep]
            elif kind == "artist" or kind == "label":
                self._scatter(total, step[1], step[2], local)
            elif kind == "dense":
                _, key, pos, value = step
                if cand is None:
                    total += self._dense_label(key, value)
                elif len(cand) * 4 < len(pos):  # few candidates: gather them from the dense row
                    total += self._dense_label(key, value)[cand]
                else:
                    self._scatter(total, pos, value, local)
            elif p.style and self.STYLE_AFFINITY and not self._has_labels():
                # no labels: the style model stands in for them
                affinity = style_affinity(self.table, refs, cand)
                if affinity is not None:
                    total += self.STYLE_AFFINITY * affinity

    #: Rounding allowance of the pruned ranking's bound (scores are float32 sums of ~20 terms below ~10: their
    #: rounding stays below 1e-5).
    PRUNE_MARGIN = 1e-3
    #: Rounds of :meth:`_similar_pruned` before it gives up (each lowers its threshold to what the picks prove);
    #: 0 scores every track.
    PRUNE_ROUNDS = 3
    #: Tracks of best era + style scored in the first round besides the touched ones (see :meth:`_similar_pruned`).
    PROBE = 32

    def _with_touched(self, positions: np.ndarray, touched: np.ndarray) -> np.ndarray:
        """``positions ∪ touched``, sorted, each once (int64; ``positions`` ascending)."""
        if not len(touched):
            return positions
        marks = self._mark_array()
        marks[positions] = True
        marks[touched] = True
        out = np.flatnonzero(marks[: self.table.n])
        marks[out] = False
        return out

    def _similar_pruned(
        self, refs: list[int], filters: Filters, exclude: set[int], exclude_keys: set[str], limit: int,
        intensity: bool = True,
    ) -> tuple[list[int], list[float]]:
        """The top ``limit`` of :meth:`similar_scores` over every track (exact index), with the audio term, the
        sparse terms and the selection done only on the tracks that can still make it — the very picks and floats of
        scoring everything.

        Every track gets the era and style terms (``es``: :meth:`_era_style`, the same floats as
        :meth:`similar_scores`). The audio term adds at most ``A = params.audio × (references with features) /
        len(refs)`` (``exp`` of a negative number is at most 1); the sparse terms add to a track the artists touch
        (same or related artist) anything, to any other track at most ``L`` (the sum of this request's label values
        + :data:`PRUNE_MARGIN`). The audio term is computed track by track (:meth:`_audio_sum`), so scoring a few
        tracks gives the floats of scoring all of them.

        Round 0 scores the touched tracks (with the :data:`PROBE` tracks of best ``es`` when they are fewer than
        ``4 × limit``), all of them candidates; any other track ends at most at ``max es + A + L`` (or the probe's
        lowest ``es + A + L``). When the ``limit``-th pick of :meth:`_select` scores above that, no other track
        could have entered the greedy walk before it, so the picks are the full ranking's. Otherwise, with ``theta``
        = that pick's score ``- L``: the tracks not scored yet with ``es + A >= theta`` (no other can reach theta)
        are scored; none reaching ``theta`` proves the picks, else those that do join the candidates, which are
        ranked again and proven when the ``limit``-th pick scores above ``theta + L``; at most
        :data:`PRUNE_ROUNDS` such rounds scoring at most a quarter of the catalog, then everything is scored.
        """
        t, p = self.table, self.params
        n = t.n
        plan, touched, reach, gains = self._pruning_plan(refs)
        es = self._era_style(refs, None)
        if self.PRUNE_ROUNDS <= 0 or n <= 4 * self.PROBE:
            return self._select_all(refs, es, plan, filters, exclude, exclude_keys, limit, intensity)
        featured = [r for r in refs if t.has_features[r]]
        reach_audio = max(p.audio, 0.0) * len(featured) / len(refs) + self.PRUNE_MARGIN  # the most audio adds
        if len(touched) >= 4 * limit:  # enough tracks to fill the list: round 0 scores them alone
            pos, outside = touched, float(es.max()) + reach_audio  # the most any other track's dense terms reach
        else:  # and the tracks of best era + style
            probe = np.sort(self._top_indices(es, self.PROBE))
            pos, outside = self._with_touched(probe, touched), float(es[probe].min()) + reach_audio
        # round 0: every track of ``pos`` is a candidate
        cand = pos
        total = self._audio_term(refs, cand, intensity)
        total += es[cand]
        self._add_sparse(total, refs, cand, plan)
        picked, scores = self._select(total, cand, filters, exclude, exclude_keys, limit)
        if len(picked) < limit:  # the other tracks may be needed to fill the list
            return self._select_all(refs, es, plan, filters, exclude, exclude_keys, limit, intensity)
        if scores[-1] > outside + reach:
            return picked, scores
        for _ in range(self.PRUNE_ROUNDS):
            theta = scores[-1] - reach - self.PRUNE_MARGIN
            # the tracks not scored yet whose dense terms can reach theta (the others end below theta + L)
            more = (es >= theta - reach_audio).nonzero()[0]
            if len(more) * 4 > n:
                break
            marks = self._mark_array()
            marks[cand] = True
            more = more[~marks[more]]
            marks[cand] = False
            if len(featured) == 1 and len(more) > self.PREFILTER_FROM:
                more = self._audio_prefilter(featured[0], more, (theta - self.PRUNE_MARGIN) - es[more], len(refs))
            head = self._audio_term(refs, more, intensity)
            head += es[more]
            keep = head >= theta
            if not keep.any():  # no other track can enter: the picks are proven
                return picked, scores
            more, head = more[keep], head[keep]
            if len(more) <= self.FEW:  # each one's own label values (at most L): can it reach the last pick?
                labels = t.labels
                bound = head + np.array([sum(gains.get(lid, 0.0) for lid in labels[q]) for q in more.tolist()])
                enter = bound + self.PRUNE_MARGIN >= scores[-1]
                if not enter.any():  # every one ends below the last pick: the picks are proven
                    return picked, scores
                more, head = more[enter], head[enter]
            self._add_sparse(head, refs, more, plan)  # each track's floats do not depend on the others
            cand = np.concatenate([cand, more])
            total = np.concatenate([total, head])
            order = np.argsort(cand, kind="stable")  # positions ascending: ties rank as in the full ranking
            cand, total = cand[order], total[order]
            picked, scores = self._select(total, cand, filters, exclude, exclude_keys, limit)
            if len(picked) < limit:
                break
            if scores[-1] > theta + reach:
                return picked, scores
        return self._select_all(refs, es, plan, filters, exclude, exclude_keys, limit, intensity)

    #: At most this many new candidates of a later round are first bounded one by one by their own label values.
    FEW = 64
    #: From this many tracks a later round first bounds their audio term on :data:`WIDE_ROWS` features (fewer: the
    #: bound costs about what it saves).
    PREFILTER_FROM = 1024
    #: Features (the most spread ones) of the audio prefilter's partial distance.
    WIDE_ROWS = 3

    def _wide_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, cols)``: the indices of the :data:`WIDE_ROWS` most spread scaled audio features and their
        ``(WIDE_ROWS, n)`` float32 values (cached until the table changes)."""
        if self._wide is None:
            n = self.table.n
            vt = self.index.vectors_t[:, :n]
            rows = np.argsort(-vt.var(axis=1), kind="stable")[: self.WIDE_ROWS]
            self._wide = (rows, np.ascontiguousarray(vt[rows]))
        return self._wide

    def _audio_prefilter(self, r: int, more: np.ndarray, need: np.ndarray, n_refs: int) -> np.ndarray:
        """The positions of ``more`` whose audio term to the one reference with features ``r`` may reach ``need``
        (float32, the audio term each must reach).

        A partial squared distance over a few features is at most the whole (each feature adds a square), so
        ``exp(-partial / tau_audio) × weight`` bounds the audio term from above; a track whose bound (with a relative
        slack of 1e-5 for rounding) is below its need cannot reach it.
        """
        weight = self.params.audio / n_refs
        if weight <= 0:
            return more
        rows, wide = self._wide_rows()
        part = wide.take(more, axis=1)
        part -= self.index.vectors[r][rows][:, None]
        np.multiply(part, part, out=part)
        bound = tree_sum(part)
        bound *= np.float32(-(1 - 1e-5) / self.params.tau_audio)
        np.exp(bound, out=bound)
        bound *= np.float32(weight * (1 + 1e-5))
        return more[bound >= need]

    def _label_values(self, refs: list[int]) -> dict[int, float]:
        """label id -> the most its label term adds to a track carrying it, for references ``refs`` (as
        :meth:`_sparse_plan` computes it, in float64, negative weights as 0: a bound, not the score's floats)."""
        t, p = self.table, self.params
        inv = 1.0 / len(refs)
        share: dict[int, float] = {}
        for r in refs:
            for lid in t.labels[r]:
                share[lid] = share.get(lid, 0.0) + inv
        out = {}
        for lid, sh in share.items():
            w = p.kind_weights.get(t.label_names[lid][0], 0.0)
            if w:
                out[lid] = max(p.labels * w * sh / math.log2(2 + len(self.label_positions(lid))), 0.0)
        return out

    def _mark_array(self) -> np.ndarray:
        """A boolean scratch array of at least ``n`` False values (callers set and reset their marks)."""
        n = self.table.n
        if self._marks is None or len(self._marks) < n:
            self._marks = np.zeros(max(n, 1024) * 2, dtype=bool)
        return self._marks

    def _add_sparse(self, total: np.ndarray, refs: list[int], cand: np.ndarray, plan: list[tuple]) -> None:
        """:meth:`_similar_rest` over the candidate view ``cand`` (positions, each once)."""
        local = self._open_view(cand)
        try:
            self._similar_rest(total, refs, cand, local, plan)
        finally:
            self._close_view(cand)

    def _select_all(
        self, refs: list[int], es: np.ndarray, plan: list[tuple], filters: Filters, exclude: set[int],
        exclude_keys: set[str], limit: int, intensity: bool = True,
    ) -> tuple[list[int], list[float]]:
        """:meth:`_select` over every track scored in full (``es``: :meth:`_era_style` of every track)."""
        total = self._audio_term(refs, None, intensity)
        total += es
        self._similar_rest(total, refs, None, None, plan)  # the same floats as similar_scores
        return self._select(total, None, filters, exclude, exclude_keys, limit, owned=True)

    def similar(
        self,
        refs: Sequence[int],
        filters: Filters | None = None,
        exclude: Iterable[int] = (),
        limit: int | None = None,
        with_reasons: bool = True,
        boost: Callable[[np.ndarray | None], np.ndarray | float] | None = None,
        intensity: bool = True,
    ) -> list[Scored]:
        """Top tracks similar to reference positions ``refs`` (excluded from results, as are their duplicates).

        Args:
            refs: table positions of the reference tracks (1..25).
            filters: genre / artist / year / tempo filters and the limit (1–50).
            exclude: positions never to return (already shown, disliked).
            boost: optional extra score for the candidate view (``None`` = all positions), e.g. a taste profile.
            intensity: False leaves out the intensity penalty (a request that moves away from the references'
                energy: "like X but more low-key").
        """
        filters = filters or _NO_FILTERS
        if not refs:
            return []
        refs = list(refs)
        cand = self._similar_candidates(refs)
        exclude_keys = {self.table.norm_keys[r] for r in refs}
        exclude = set(exclude)
        exclude.update(refs)
        limit = limit or filters.limit
        found = None
        if cand is None and boost is None:  # exact index: sparse terms and selection only where they can matter
            self._sync_caches()
            if self._has_labels() or not (self.params.style and self.STYLE_AFFINITY):
                found = self._similar_pruned(refs, filters, exclude, exclude_keys, limit, intensity)
        if found is None:
            total = self.similar_scores(refs, cand, intensity)  # also empties the per-table caches when the table changed
            if boost is not None:
                total = total + boost(cand)
            found = self._select(total, cand, filters, exclude, exclude_keys, limit, owned=True)
        picked, scores = found
        top = scores[0] if scores else 1.0
        if not with_reasons:
            return [Scored(pos, sc / top if top > 0 else 0.0, "", []) for pos, sc in zip(picked, scores)]
        facts, lines = explain_similar_lines(self.table, refs, picked, self.graph, self._explain_cache)
        return [
            Scored(pos, sc / top if top > 0 else 0.0, line, why)
            for pos, sc, line, why in zip(picked, scores, lines, facts)
        ]

    @staticmethod
    def _top_indices(scores: np.ndarray, pool: int) -> np.ndarray:
        """Indices of the ``pool`` largest finite scores, best first; equal scores in index order (as a stable
        sort of every score would give them).

        A strided sample estimates the score threshold, so one vectorized comparison replaces a full
        ``argpartition`` over all tracks (≈8× faster at 28k; the exact pool-th score is taken instead if the sample
        misleads); only the ``pool`` best of the few hundred above it are then sorted.
        """
        m = len(scores)
        if m <= 4 * pool:
            idx = np.argsort(-scores, kind="stable")[:pool]
            return idx[np.isfinite(scores[idx])]
        step = max(1, m // 2048)
        idx = None
        if step > 1:  # a sample smaller than the scores: estimate the threshold from it
            sample = scores[::step]
            k = min(len(sample), int(pool / step * 3) + 16)
            thr = np.partition(sample, len(sample) - k)[len(sample) - k]
            idx = np.flatnonzero(scores >= thr) if np.isfinite(thr) else None
        if idx is None or len(idx) < pool:
            idx = np.flatnonzero(scores >= np.partition(scores, m - pool)[m - pool])
        sub = scores[idx]
        if len(idx) > pool:
            cut = np.partition(sub, len(sub) - pool)[len(sub) - pool]  # the pool-th best score
            keep = sub > cut
            ties = np.flatnonzero(sub == cut)[: pool - int(np.count_nonzero(keep))]  # lowest indices first
            keep[ties] = True
            idx, sub = idx[keep], sub[keep]
        order = np.argsort(-sub, kind="stable")
        idx = idx[order]
        return idx[np.isfinite(sub[order])]

    #: Picks' worth of the ranking a candidate block's selection walks first (× limit, + 2), see :meth:`_select`.
    FIRST_WALK = 3

    def _select(
        self,
        total: np.ndarray,
        cand: np.ndarray | None,
        filters: Filters,
        exclude: set[int],
        exclude_keys: set[str],
        limit: int,
        artist_caps: dict[int, int] | None = None,
        owned: bool = False,
    ) -> tuple[list[int], list[float]]:
        """Greedy top-``limit`` with filters, exclusions, dedupe and the per-artist cap
        (``artist_caps`` raises the cap for artists the user asked for by name; ``owned``: ``total`` is the
        caller's scratch array and may be overwritten).

        Returns:
            ``(positions, scores)``, best first.
        """
        t = self.table
        n = t.n
        if t.n == len(t.pos):  # no tombstones: every position is live
            scores = total if owned and total.dtype == np.float32 else np.array(total, dtype=np.float32, copy=True)
        else:
            alive = t.alive[:n] if cand is None else t.alive[cand]
            scores = np.where(alive, total, -np.inf)
        mask = self.filter_mask(filters, n)
        if mask is not None:
            scores = np.where(mask if cand is None else mask[cand], scores, -np.inf)
        if exclude:
            ex = [e for e in exclude if 0 <= e < n]
            if cand is None:
                scores[ex] = -np.inf
            elif len(ex) <= 16:  # a few: one comparison each (np.isin costs ~10x more here)
                for e in ex:
                    scores[cand == e] = -np.inf
            else:
                scores[np.isin(cand, ex)] = -np.inf
        cap = self.params.per_artist
        # a candidate block (the pruned radio: ~300 tracks) first walks a short prefix of the ranking: ~3 walks in 4
        # end within it; otherwise the walk goes on over a 4× longer prefix (the same picks: the top k of
        # :meth:`_top_indices` is a prefix of its top 4k)
        pool = self.FIRST_WALK * limit + 2 if cand is not None else max(limit * 8, 100)
        picked: list[int] = []
        values: list[float] = []
        keys = set(exclude_keys)
        per_artist: dict[int, int] = {}
        caps = artist_caps or {}
        norm_keys, artist_ids = t.norm_keys, t.artist_ids
        walked = 0
        while True:
            order = self._top_indices(scores, min(pool, len(scores)))
            ahead = order[walked:]
            positions = (ahead if cand is None else cand[ahead]).tolist()
            for pos, value in zip(positions, scores[ahead].tolist()):
                key = norm_keys[pos]
                if key in keys:
                    continue
                aids = artist_ids[pos]
                full = False
                for a in aids:
                    if per_artist.get(a, 0) >= caps.get(a, cap):
                        full = True
                        break
                if full:
                    continue
                picked.append(pos)
                values.append(value)
                keys.add(key)
                for a in aids:
                    per_artist[a] = per_artist.get(a, 0) + 1
                if len(picked) >= limit:
                    return picked, values
            if pool >= len(scores) or len(order) < min(pool, len(scores)):
                return picked, values
            walked = len(order)
            pool *= 4

    # ------------------------------------------------------------------ text
    #: Weight of a matching label per kind in text scoring (subgenres are the most specific reliable labels).
    TEXT_KIND_WEIGHTS = {"playlist": 0.6, "subgenre": 1.0, "genre": 0.8}
    #: Weight of the style model's score (``core.text.styles.style_scores``, ~0–1 per style) on catalogs without labels.
    TEXT_STYLE_WEIGHT = 2.5
    #: Score of a track whose title (or artist's titles) is in the language a request names and no label names: more
    #: than audio (≤ 2) and the labels of a style (genre 0.8 + subgenre 1.0 + playlists) add up to, so every track in
    #: the language ranks before the others — a yes/no constraint like a language label
    #: (core.text.caveats.honour_languages) — and sound and style decide within it.
    TEXT_TITLE_LANGUAGE = 6.0

    def text_scores(self, query: TextQuery, cand: np.ndarray | None = None) -> np.ndarray:
        """Score candidates (all positions when ``cand`` is None) for a parsed text request.

        ``2·exp(-d / (1 + Σw))`` for the weighted distance d to the target features, plus label weights
        (× :data:`TEXT_KIND_WEIGHTS`), +1.5 for a requested artist, +0.4 × popularity/100.

        Returns:
            ``(m,)`` float32 scores.
        """
        self._sync_caches()
        t = self.table
        n = t.n
        m = n if cand is None else len(cand)
        local = self._open_view(cand)
        try:
            total = np.zeros(m, dtype=np.float32)
            if query.target:
                vec, w = self.space.target_vector(query.target, query.weights)
                if w.sum() > 0:
                    d = self.index.distances(vec[None, :], cand, w)[0]
                    term = 2.0 * np.exp(d * (-1.0 / (1.0 + float(w.sum()))))
                    # only tracks that know every targeted feature are scored on them (no made-up distance)
                    cols = [FEATURE_INDEX[k] for k in query.target if k in FEATURE_INDEX]
                    if cols:
                        ok = t.known[:n][:, cols].all(1)
                        term *= ok if cand is None else ok[cand]
                    total += term
            for key, weight in query.labels.items():
                kind, _, label = key.partition(":")
                lid = t.label_index.get((kind, label))
                if lid is not None:
                    value = float(weight) * self.TEXT_KIND_WEIGHTS.get(kind, 0.5)
                    self._scatter(total, self.label_positions(lid), value, local)
            for name in query.artists:
                aid = t.artist_index.get(normalize_text(name))
                if aid is not None:
                    self._scatter(total, self.artist_positions(aid), 1.5, local)
            styled = style_scores(t, query.styles) if query.styles else None  # a catalog without labels
            if styled is not None:
                total += self.TEXT_STYLE_WEIGHT * (styled if cand is None else styled[cand])
            if query.title_language:  # a language no label names: its song titles (core.text.title_language)
                self._scatter(total, table_languages(t).positions(query.title_language),
                              self.TEXT_TITLE_LANGUAGE * float(query.title_language_weight), local)
            pop = t.popularity[:n] if cand is None else t.popularity[cand]
            total += (0.4 / 100.0) * pop
            return total
        finally:
            self._close_view(cand)

    def _allowed(self, total: np.ndarray, cand: np.ndarray | None, filters: Filters) -> np.ndarray:
        """``total`` with -inf where a track is deleted or outside ``filters`` (a copy, ``(m,)``)."""
        n = self.table.n
        ok = self.table.alive[:n]
        mask = self.filter_mask(filters, n)
        if mask is not None:
            ok = ok & mask
        return np.where(ok if cand is None else ok[cand], total, -np.inf)

    def _text_candidates(self, query: TextQuery) -> np.ndarray | None:
        if self.index.centroids is None:
            return None
        t = self.table
        parts = []
        if query.target:
            vec, w = self.space.target_vector(query.target, query.weights)
            parts.append(self.index.candidate_positions(vec, w if w.sum() > 0 else None))
        else:
            parts.append(self.index.candidate_positions(np.zeros(self.index.vectors.shape[1], np.float32)))
        for key, weight in query.labels.items():
            kind, _, label = key.partition(":")
            lid = t.label_index.get((kind, label))
            if lid is not None and weight > 0:
                parts.append(self.label_positions(lid))
        for name in query.artists:
            aid = t.artist_index.get(normalize_text(name))
            if aid is not None:
                parts.append(self.artist_positions(aid))
        in_range = range_mask(t, query.ranges) if query.ranges else None
        if in_range is not None:  # "longer than 6 minutes": every track in the stated range is a candidate
            parts.append(np.flatnonzero(in_range))
        if query.title_language:
            parts.append(table_languages(t).positions(query.title_language))
        styled = style_scores(t, {k: w for k, w in query.styles.items() if w > 0}) if query.styles else None
        if styled is not None:  # the tracks most typical of a named style, whatever their distance to the target
            parts.append(np.argsort(-styled, kind="stable")[:STYLE_CANDIDATES])
        return np.unique(np.concatenate(parts))

    def from_text(
        self,
        query: TextQuery,
        exclude: Iterable[int] = (),
        limit: int | None = None,
        boost: Callable[[np.ndarray | None], np.ndarray | float] | None = None,
    ) -> list[Scored]:
        """Top tracks for a :class:`TextQuery` (filters, exclusions, dedupe, per-artist cap applied).

        ``boost`` adds an extra score over the candidate view (``None`` = all positions), e.g. a taste profile.
        """
        era_mix = is_era_only(query)  # "songs from the 90s": the era's music across genres, not one scene
        if era_mix:  # its feel and labels came from the era's playlist names, not from the words: popularity leads
            query = era_query(query)
        cand = self._text_candidates(query)
        total = self.text_scores(query, cand)
        limit = limit or query.filters.limit
        artist_caps: dict[int, int] = {}
        refs: list[int] = []
        for name in query.artists:
            aid = self.table.artist_index.get(normalize_text(name))
            if aid is None:
                continue
            artist_caps[aid] = max(self.params.per_artist, limit // 2)
            by_artist = self.artist_positions(aid)
            refs.extend(by_artist[np.argsort(-self.table.popularity[by_artist], kind="stable")[:5]].tolist())
        if refs:
            # "like Daft Punk": besides the artist's own tracks, what sounds and sits like their best-known ones
            sim = self.similar_scores(refs, cand)
            top_sim = float(sim.max()) if len(sim) else 0.0
            if top_sim > 0:
                total = total + sim * (1.5 / top_sim)
        if boost is not None:
            total = total + boost(cand)
        named = named_label_first(self.table, query, cand)  # "música triste em português": that label leads
        if named is not None:
            total = total + named
        focus = wants_scene_focus(query) and not era_mix
        if focus:  # "happy songs": one scene, not every genre that fits (core.scene)
            bonus = scene_bonus(self.table, self._allowed(total, cand, query.filters), cand, lang=query.lang)
            if bonus is not None:
                total = total + bonus
        in_range = range_mask(self.table, query.ranges) if query.ranges else None
        if in_range is not None:  # numbers the request stated are hard: only tracks inside them, when there are any
            inside = in_range if cand is None else in_range[cand]
            if int(inside.sum()) >= limit:
                total = np.where(inside, total, -np.inf)
            else:  # fewer than asked: the ones inside first, then the nearest others
                total = total + np.where(inside, RANGE_FIRST, 0.0).astype(np.float32)
        spread = not era_mix and wants_playlist_spread(query)  # not one curator's playlist reposted
        pool = limit * (ERA_POOL_PER_PLACE if era_mix else SPREAD_POOL if spread else 1)
        picked, scores = self._select(total, cand, query.filters, set(exclude), set(), pool, artist_caps)
        if era_mix:
            picked, scores = spread_genres(self.table, picked, scores, limit, query.lang)
        demote = foreign_demotion(self.table, query.lang, cand, picked[:limit], limit) if focus else None
        if demote is not None:  # a genre foreign to the request's language is a part of the list, not most of it
            picked, scores = self._select(total + demote, cand, query.filters, set(exclude), set(), pool, artist_caps)
        if spread:
            picked, scores = spread_playlists(self.table, query, picked, scores, limit)
        if picked and (query.filters.year_min or query.filters.year_max):  # "80s rock": the version dated in the 80s
            n = self.table.n
            allowed = self.table.alive[:n].copy()
            mask = self.filter_mask(query.filters, n)
            if mask is not None:
                allowed &= mask
            if in_range is not None and int(in_range.sum()) >= limit:
                allowed &= in_range[:n]
            picked = in_era_versions(self.table, picked, query.filters, allowed, set(exclude))
        top = scores[0] if scores else 1.0
        out = []
        for pos, sc in zip(picked, scores):
            why = explain_text(self.table, pos, query)
            out.append(Scored(pos, sc / top if top > 0 else 0.0, format_reasons(why), why))
        return out
