"""Recommendation: similar tracks and text-driven recommendations over the in-memory table + KNN index.

Similar tracks ("radio") put style first. Every candidate ``c`` is scored against the references ``R`` as a
weighted sum (weights in :class:`ScoreParams`, tuned on training playlists only — fold ``sha1(playlist_id) % 5 == 1``
with :func:`core.evaluation.evaluate` (``folds={1}``), checked on folds 2–4; fold 0 is held out):

* audio   — mean over r∈R of ``exp(-d(c, r) / tau_audio)``, d = weighted squared distance in
  :class:`core.features.FeatureSpace` (the KNN index);
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
* popularity match — ``exp(-|Δ popularity| / popularity_tau)`` against the references' mean popularity
  (:mod:`core.popularity_match`): how mainstream a track is, heard as part of its style;
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
in a top 10). With the exact index, the sparse terms and that selection run only on the tracks that can still make
the top (:meth:`Recommender._similar_pruned`: bound-checked, the same picks and floats as scoring every track).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.catalog import normalize_text
from core.credits import credited_positions
from core.explain import Fact, explain_similar_lines, explain_text, format_reasons, to_reason
from core.features import FeatureSpace
from core.index import FeatureIndex
from core.models import Filters, Reason, TextQuery
from core.popularity_match import popularity_match_row
from core.ranges import RANGE_FIRST, range_mask
from core.table import FEATURE_INDEX, TrackTable
from core.text.styles import style_affinity, style_scores

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
    #: weight of the popularity-match term (:mod:`core.popularity_match`: ``exp(-|Δ popularity| / popularity_tau)``
    #: against the references' mean popularity — how mainstream a track is, heard as part of its style); 0 turns it off
    popularity_match: float = 0.5
    #: scale of that term in popularity points (0–100); 0.5 / 30 from a grid on training folds 1–4 (see the module)
    popularity_tau: float = 30.0


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
        self._plan_cache: dict[tuple[int, ...], tuple[list[tuple], np.ndarray, float]] = {}  # per reference set
        self._norms_scaled: tuple[np.ndarray, np.ndarray] | None = None
        self._scratches: tuple[np.ndarray, np.ndarray] | None = None
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
            self._explain_cache.clear()
            self._plan_cache.clear()
            self._norms_scaled = None  # the index's norms change in place with each edit
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
        its versions in the catalog), as :func:`core.anchors.year_mask` reads them: a 1985 song on a 2005 compilation
        is an 80s song. Tracks without a known year fail any year bound.
        """
        if filters.is_empty():
            return None
        t = self.table
        mask = t.alive[:n].copy()
        if filters.year_min or filters.year_max:
            years = t.original_years()[:n]
            if filters.year_min:
                mask &= years >= filters.year_min
            if filters.year_max:
                mask &= (years <= filters.year_max) & (years > 0)
        tempo = t.features[:n, FEATURE_INDEX["tempo"]]
        if filters.tempo_min:
            mask &= tempo >= filters.tempo_min
        if filters.tempo_max:
            mask &= tempo <= filters.tempo_max
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

    def similar_scores(self, refs: Sequence[int], cand: np.ndarray | None = None) -> np.ndarray:
        """Score candidates against reference positions ``refs`` (see the module docstring for the formula).

        Returns:
            ``(m,)`` float32 scores, ``m = len(cand)`` or ``n`` when ``cand`` is None (all positions).
        """
        self._sync_caches()
        refs = list(refs)
        local = self._open_view(cand)
        try:
            total = self._similar_base(refs, cand)
            self._similar_rest(total, refs, cand, local, self._sparse_plan(refs))
            return total.astype(np.float32, copy=False)
        finally:
            self._close_view(cand)

    def _similar_base(self, refs: list[int], cand: np.ndarray | None, scratch: bool = False) -> np.ndarray:
        """The dense terms added before the style term: audio, era and popularity, ``(m,)`` float32 (a fresh array;
        with ``scratch``, possibly the recommender's own scratch array, overwritten by the next request)."""
        t, p = self.table, self.params
        n = t.n
        inv = 1.0 / len(refs)
        featured = [r for r in refs if t.has_features[r]]
        if featured:  # audio term only between tracks that both have features (see the module docstring)
            if cand is None and len(featured) == 1 and self._scaled_norms() is not None:
                total = self._audio_one(featured[0], self._scratch(0)[None, :] if scratch else None)
            else:
                d = self.index.distances(self.index.vectors[featured], cand)  # (r, m), fresh array: work in place
                np.multiply(d, -1.0 / p.tau_audio, out=d)
                np.exp(d, out=d)
                total = d[0] if len(featured) == 1 else d.mean(0)
            factor = p.audio * len(featured) * inv
            if factor != 1.0:  # x * 1.0 == x: skip a pass over every track
                total *= factor
            if cand is None:
                off = self._featureless_positions()
                if len(off):
                    total[off] = 0.0  # == total * has_features: the distances are finite, so x * 0 is 0
            else:
                total *= t.has_features[cand]
        else:
            total = np.zeros(n if cand is None else len(cand), dtype=np.float32)
        slots = self._year_slots()
        for r in refs:
            affinity = self._year_affinity(int(slots[r]))
            affinity = affinity if cand is None else affinity[cand]
            total += affinity if inv == 1.0 else affinity * inv
        if p.popularity:
            pop = t.popularity[:n] if cand is None else t.popularity[cand]
            total += (p.popularity / 100.0) * pop
        if p.popularity_match:  # how close in popularity to the references (core.popularity_match)
            row = popularity_match_row(t, refs, p.popularity_match, p.popularity_tau)
            total += row if cand is None else row[cand]
        return total

    def _scaled_norms(self) -> np.ndarray | None:
        """``-1/tau_audio ×`` the index's squared norms (float32, cached until the table changes), or None when
        ``-1/tau_audio`` is not a power of two (then scaling does not commute exactly with float32 rounding)."""
        scale = -1.0 / self.params.tau_audio
        if not math.isfinite(scale) or math.frexp(abs(scale))[0] != 0.5:
            return None
        if self._norms_scaled is None or self._norms_scaled[0] is not self.index.norms:
            self._norms_scaled = (self.index.norms, self.index.norms * np.float32(scale))
        return self._norms_scaled[1][: self.index.n]

    def _audio_one(self, r: int, out: np.ndarray | None = None) -> np.ndarray:
        """``exp(-d(x, r) / tau_audio)`` for every position, ``(n,)`` float32: the very floats of
        ``exp(index.distances(r) * (-1/tau))`` with two passes fewer. With ``s = -1/tau`` a power of two, scaling
        is exact in float32, so ``s·max((-2·x·q + |x|²) + |q|², 0) == min(((-2s·q)·x + s|x|²) + s|q|², 0)`` float for
        float (:meth:`core.index.FeatureIndex.distances` computes the left side). ``out``: a ``(1, n)`` float32
        array to write into (a fresh one by default)."""
        idx = self.index
        s = np.float32(-1.0 / self.params.tau_audio)
        q = idx.vectors[r : r + 1]
        d = np.matmul(q * (np.float32(-2.0) * s), idx.vectors_t[:, : idx.n], out=out)
        d += self._scaled_norms()[None, :]
        d += ((q * q).sum(1) * s)[:, None]
        np.minimum(d, 0.0, out=d)
        np.exp(d, out=d)
        return d[0]

    def _scratch(self, i: int) -> np.ndarray:
        """Scratch float32 array ``i`` (0 or 1) of length ``n``, reused across requests (no allocation, warm in the
        cache); only :meth:`_similar_pruned` uses them, never for an array it hands out."""
        n = self.table.n
        if self._scratches is None or len(self._scratches[0]) != n:
            self._scratches = (np.empty(n, np.float32), np.empty(n, np.float32))
        return self._scratches[i]

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

    def _pruning_plan(self, refs: list[int]) -> tuple[list[tuple], np.ndarray, float]:
        """``(plan, touched, reach)`` for :meth:`_similar_pruned`: the :meth:`_sparse_plan`, the positions its
        artist and related-artist terms touch (int64, may repeat) and the most a track gains from its label terms
        (their sum + :data:`PRUNE_MARGIN`). Cached per reference set until the table changes (a radio's pages and
        "more like this" ask for the same references again)."""
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
                    reach += step[-1]
            if len(self._plan_cache) >= self.PLAN_CACHE:
                self._plan_cache.pop(next(iter(self._plan_cache)))
            cached = self._plan_cache[key] = (plan, np.concatenate(touched), reach)
        return cached

    def _similar_rest(
        self,
        total: np.ndarray,
        refs: list[int],
        cand: np.ndarray | None,
        local: np.ndarray | None,
        plan: list[tuple],
        style: bool = True,
    ) -> None:
        """Add the style term (unless ``style`` is False: already added) and the sparse terms of ``plan`` to ``total``
        (the candidate view ``cand``) in place."""
        p = self.params
        q = self._style_query(refs) if style else None
        if q is not None:
            total += self._style_term(q, cand)
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
    #: Rounds of :meth:`_similar_pruned` before it gives up (each lowers its threshold to what the picks prove).
    PRUNE_ROUNDS = 3
    #: How far below the best dense score the first round's threshold starts (a guess: 1 round for ~90 % of radios).
    PRUNE_OFFSET = 0.5

    def _similar_pruned(
        self, refs: list[int], filters: Filters, exclude: set[int], exclude_keys: set[str], limit: int
    ) -> tuple[list[int], list[float]]:
        """The top ``limit`` of :meth:`similar_scores` over every track (exact index), with the sparse terms and the
        selection done only on the tracks that can still make it — the very picks and floats of scoring everything.

        Every track gets the dense terms (audio, era, popularity, style: ``head``, the same floats as
        :meth:`similar_scores` has before its sparse terms). The candidates ``C`` are the tracks with
        ``head >= theta`` plus every track the artist and related-artist terms touch; any other track can reach at
        most ``theta + L`` (``L``: the sum of this request's label values + :data:`PRUNE_MARGIN`). ``C`` gets the
        sparse terms in the same order as the full computation and :meth:`_select` ranks it; when the
        ``limit``-th pick scores above ``theta + L``, no other track could have entered the greedy walk before it, so
        the picks are the full ranking's. Otherwise ``theta`` drops to what the picks prove (at most
        :data:`PRUNE_ROUNDS` rounds, ``C`` at most a quarter of the catalog), then everything is scored.
        """
        n = self.table.n
        head = self._similar_base(refs, None, scratch=True)
        q = self._style_query(refs)
        if q is not None:
            head += np.matmul(q, self._style_columns(), out=self._scratch(1))  # == self._style_term(q, None)
        plan, touched, reach = self._pruning_plan(refs)
        theta = float(head.max()) - reach - self.PRUNE_OFFSET if n else 0.0
        for _ in range(self.PRUNE_ROUNDS):
            keep = head >= theta
            keep[touched] = True
            cand = np.flatnonzero(keep)
            if len(cand) * 4 > n:
                break
            local = self._open_view(cand)
            try:
                total = head[cand]
                self._similar_rest(total, refs, cand, local, plan, style=False)
            finally:
                self._close_view(cand)
            picked, scores = self._select(total, cand, filters, exclude, exclude_keys, limit, owned=True)
            if len(picked) < limit:
                break  # the other tracks may be needed to fill the list
            if scores[-1] > theta + reach:
                return picked, scores
            theta = scores[-1] - reach - self.PRUNE_MARGIN
        self._similar_rest(head, refs, None, None, plan, style=False)  # everything: the same as similar_scores
        return self._select(head, None, filters, exclude, exclude_keys, limit, owned=True)

    def similar(
        self,
        refs: Sequence[int],
        filters: Filters | None = None,
        exclude: Iterable[int] = (),
        limit: int | None = None,
        with_reasons: bool = True,
        boost: Callable[[np.ndarray | None], np.ndarray | float] | None = None,
    ) -> list[Scored]:
        """Top tracks similar to reference positions ``refs`` (excluded from results, as are their duplicates).

        Args:
            refs: table positions of the reference tracks (1..25).
            filters: genre / artist / year / tempo filters and the limit (1–50).
            exclude: positions never to return (already shown, disliked).
            boost: optional extra score for the candidate view (``None`` = all positions), e.g. a taste profile.
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
                found = self._similar_pruned(refs, filters, exclude, exclude_keys, limit)
        if found is None:
            total = self.similar_scores(refs, cand)  # also empties the per-table caches when the table changed
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
        # end within it; otherwise a longer prefix is walked again from the start (the same picks: the top k of
        # :meth:`_top_indices` is a prefix of its top 4k)
        pool = self.FIRST_WALK * limit + 2 if cand is not None else max(limit * 8, 100)
        while True:
            order = self._top_indices(scores, min(pool, len(scores)))
            picked: list[int] = []
            values: list[float] = []
            keys = set(exclude_keys)
            per_artist: dict[int, int] = {}
            caps = artist_caps or {}
            norm_keys, artist_ids = t.norm_keys, t.artist_ids
            positions = (order if cand is None else cand[order]).tolist()
            for i, pos in zip(order.tolist(), positions):
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
                values.append(float(scores[i]))
                keys.add(key)
                for a in aids:
                    per_artist[a] = per_artist.get(a, 0) + 1
                if len(picked) >= limit:
                    return picked, values
            if pool >= len(scores) or len(order) < min(pool, len(scores)):
                return picked, values
            pool *= 4

    # ------------------------------------------------------------------ text
    #: Weight of a matching label per kind in text scoring (subgenres are the most specific reliable labels).
    TEXT_KIND_WEIGHTS = {"playlist": 0.6, "subgenre": 1.0, "genre": 0.8}
    #: Weight of the style model's score (``core.text.styles.style_scores``, ~0–1 per style) on catalogs without labels.
    TEXT_STYLE_WEIGHT = 2.5

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
            pop = t.popularity[:n] if cand is None else t.popularity[cand]
            total += (0.4 / 100.0) * pop
            return total
        finally:
            self._close_view(cand)

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
        in_range = range_mask(self.table, query.ranges) if query.ranges else None
        if in_range is not None:  # numbers the request stated are hard: only tracks inside them, when there are any
            inside = in_range if cand is None else in_range[cand]
            if int(inside.sum()) >= limit:
                total = np.where(inside, total, -np.inf)
            else:  # fewer than asked: the ones inside first, then the nearest others
                total = total + np.where(inside, RANGE_FIRST, 0.0).astype(np.float32)
        picked, scores = self._select(total, cand, query.filters, set(exclude), set(), limit, artist_caps)
        top = scores[0] if scores else 1.0
        out = []
        for pos, sc in zip(picked, scores):
            why = explain_text(self.table, pos, query)
            out.append(Scored(pos, sc / top if top > 0 else 0.0, format_reasons(why), why))
        return out
