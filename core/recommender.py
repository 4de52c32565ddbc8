"""Recommendation: similar tracks and text-driven recommendations over the in-memory table + KNN index.

Similar tracks (playlist continuation) score every candidate ``c`` against the references ``R`` as a weighted sum
(weights in :class:`ScoreParams`, tuned on the *training* playlists only with ``musicbot eval --tune``):

* audio   — mean over r∈R of ``exp(-d(c, r) / tau_audio)``, d = weighted squared distance in
  :class:`core.features.FeatureSpace` (the KNN index);
* artist  — share of references that have one of c's artists;
* year    — mean over r∈R of ``exp(-|year_c - year_r| / tau_year)`` (0.5 when a year is unknown);
* labels  — catalog labels shared with the references (playlist > subgenre > genre), each label's weight divided by
  ``log2(2 + tracks carrying it)`` (an IDF-like damping) and averaged over the references;
* popularity — Spotify popularity / 100 (a small prior).

Results exclude the references, apply :class:`core.models.Filters`, collapse duplicates (same normalized title and
first artist — remasters, edits) and cap tracks per artist (default 2 in a top 10).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.catalog import normalize_text
from core.features import FeatureSpace
from core.index import FeatureIndex
from core.models import AUDIO_FEATURES, Filters, TextQuery
from core.table import FEATURE_INDEX, TrackTable

#: Human names for features in reasons.
FEATURE_WORDS = {
    "danceability": "danceability",
    "energy": "energy",
    "valence": "mood",
    "tempo": "tempo",
    "acousticness": "acoustic feel",
    "instrumentalness": "instrumental feel",
    "speechiness": "vocal/rap density",
    "loudness": "loudness",
    "liveness": "live feel",
}
#: Features worth naming in a "similar" reason (the others are near 0 for most songs, so "close" says nothing).
SIMILAR_REASON_FEATURES = ("energy", "tempo", "danceability", "valence", "acousticness")
#: Typical spread used to judge "close" in reasons: half a standard deviation of the shipped catalog.
CLOSE_WITHIN = {
    "danceability": 0.07,
    "energy": 0.09,
    "valence": 0.12,
    "tempo": 13.0,
    "acousticness": 0.11,
    "instrumentalness": 0.12,
    "speechiness": 0.05,
    "loudness": 1.5,
    "liveness": 0.07,
}


@dataclass
class ScoreParams:
    """Weights of the similar-tracks score (see module docstring); defaults from ``musicbot eval --tune``."""

    audio: float = 0.5
    artist: float = 5.0
    year: float = 1.5
    labels: float = 1.0
    popularity: float = 0.0
    tau_audio: float = 4.0
    tau_year: float = 2.0
    kind_weights: dict[str, float] = field(default_factory=lambda: {"playlist": 0.6, "subgenre": 0.6, "genre": 0.25})
    per_artist: int = 2


@dataclass(slots=True)
class Scored:
    """One ranked result: table position, 0–1 score and a short reason."""

    pos: int
    score: float
    reason: str


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
        self._cache_version = -1
        self.rebuild()

    # ------------------------------------------------------------------ index maintenance
    def rebuild(self) -> None:
        """Fit the feature scaling and the KNN index from the whole table (start-up only)."""
        t = self.table
        alive = t.alive[: t.n]
        self.space.fit(t.features[: t.n][alive] if alive.any() else t.features[: max(t.n, 1)])
        self.index.fit(self.space.transform(t.features[: t.n]), alive)

    def on_upsert(self, pos: int) -> None:
        """Index the track now at ``pos`` (incremental; the scaling learned at start is kept)."""
        self.index.add(pos, self.space.transform(self.table.features[pos : pos + 1])[0])

    def on_delete(self, pos: int) -> None:
        """Drop ``pos`` from the index."""
        self.index.remove(pos)

    # ------------------------------------------------------------------ helpers
    def _sync_caches(self) -> None:
        if self._cache_version != self.table.version:
            self._label_cache.clear()
            self._artist_cache.clear()
            self._cache_version = self.table.version

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

    def filter_mask(self, filters: Filters, n: int) -> np.ndarray | None:
        """Boolean ``(n,)`` mask of tracks passing ``filters`` (None when no filter is set)."""
        if filters.is_empty():
            return None
        t = self.table
        mask = t.alive[:n].copy()
        if filters.year_min:
            mask &= t.year[:n] >= filters.year_min
        if filters.year_max:
            mask &= (t.year[:n] <= filters.year_max) & (t.year[:n] > 0)
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
        return mask

    # ------------------------------------------------------------------ similar
    def similar_scores(self, refs: Sequence[int]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Score every position against reference positions ``refs``.

        Returns:
            ``(total (n,), parts)`` where parts maps ``audio | artist | year | labels`` to ``(n,)`` arrays.
        """
        self._sync_caches()
        t, p = self.table, self.params
        n = t.n
        refs = list(refs)
        inv = 1.0 / len(refs)
        ref_vecs = self.index.vectors[refs]
        d = self.index.distances(ref_vecs)  # (r, n)
        audio = np.exp(-d / p.tau_audio).mean(0)
        artist = np.zeros(n, dtype=np.float32)
        for r in refs:
            for aid in t.artist_ids[r]:
                pos = self.artist_positions(aid)
                artist[pos] += inv
        np.minimum(artist, 1.0, out=artist)
        years = t.year[:n].astype(np.float32)
        year = np.zeros(n, dtype=np.float32)
        for r in refs:
            yr = float(t.year[r])
            if yr > 0:
                year += np.where(years > 0, np.exp(-np.abs(years - yr) / p.tau_year), 0.5) * inv
            else:
                year += 0.5 * inv
        labels = np.zeros(n, dtype=np.float32)
        for r in refs:
            for lid in t.labels[r]:
                pos = self.label_positions(lid)
                kind = t.label_names[lid][0]
                labels[pos] += p.kind_weights.get(kind, 0.0) * inv / math.log2(2 + len(pos))
        pop = t.popularity[:n].astype(np.float32) / 100.0
        total = p.audio * audio + p.artist * artist + p.year * year + p.labels * labels + p.popularity * pop
        return total, {"audio": audio, "artist": artist, "year": year, "labels": labels}

    def similar(
        self,
        refs: Sequence[int],
        filters: Filters | None = None,
        exclude: Iterable[int] = (),
        limit: int | None = None,
        with_reasons: bool = True,
    ) -> list[Scored]:
        """Top tracks similar to reference positions ``refs`` (excluded from results, as are their duplicates)."""
        filters = filters or Filters()
        if not refs:
            return []
        total, parts = self.similar_scores(refs)
        exclude_keys = {self.table.norm_keys[r] for r in refs}
        picked = self._select(total, filters, set(exclude) | set(refs), exclude_keys, limit or filters.limit)
        top = float(total[picked[0]]) if picked else 1.0
        return [
            Scored(p, float(total[p]) / top if top > 0 else 0.0, self._similar_reason(p, refs, parts) if with_reasons else "")
            for p in picked
        ]

    def _select(
        self,
        total: np.ndarray,
        filters: Filters,
        exclude: set[int],
        exclude_keys: set[str],
        limit: int,
    ) -> list[int]:
        """Greedy top-``limit`` with filters, exclusions, dedupe and the per-artist cap."""
        t = self.table
        n = t.n
        scores = np.where(t.alive[:n], total, -np.inf)
        mask = self.filter_mask(filters, n)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        if exclude:
            ex = np.fromiter((e for e in exclude if 0 <= e < n), dtype=np.int64)
            scores[ex] = -np.inf
        pool = min(n, max(limit * 8, 100))
        cand = np.argpartition(-scores, pool - 1)[:pool] if pool < n else np.arange(n)
        cand = cand[np.argsort(-scores[cand], kind="stable")]
        picked: list[int] = []
        keys = set(exclude_keys)
        per_artist: dict[int, int] = {}
        cap = self.params.per_artist
        for p in cand:
            if not np.isfinite(scores[p]):
                break
            p = int(p)
            if t.norm_keys[p] in keys:
                continue
            aids = t.artist_ids[p]
            if any(per_artist.get(a, 0) >= cap for a in aids):
                continue
            picked.append(p)
            keys.add(t.norm_keys[p])
            for a in aids:
                per_artist[a] = per_artist.get(a, 0) + 1
            if len(picked) >= limit:
                break
        return picked

    def _similar_reason(self, p: int, refs: Sequence[int], parts: dict[str, np.ndarray]) -> str:
        t = self.table
        bits: list[str] = []
        ref_artists = {a for r in refs for a in t.artist_ids[r]}
        shared_artists = [t.artists[p][i] for i, a in enumerate(t.artist_ids[p]) if a in ref_artists]
        if shared_artists:
            bits.append(f"same artist ({shared_artists[0]})")
        ref_labels = set().union(*(t.labels[r] for r in refs))
        shared = t.labels[p] & ref_labels
        for kind, word in (("subgenre", "same subgenre"), ("playlist", "on a shared playlist"), ("genre", "same genre")):
            names = sorted(t.label_names[lid][1] for lid in shared if t.label_names[lid][0] == kind)
            if names:
                bits.append(f"{word} ({names[0]})" if kind != "playlist" else word)
                break
        close = self._close_features(p, np.mean([t.features[r] for r in refs], axis=0), SIMILAR_REASON_FEATURES)
        if close:
            bits.append("close " + " and ".join(close[:2]))
        yr = int(t.year[p])
        ref_years = [int(t.year[r]) for r in refs if t.year[r]]
        if yr and ref_years and min(abs(yr - y) for y in ref_years) <= 2 and len(bits) < 3:
            bits.append(f"same era ({yr})")
        return "; ".join(bits[:3]) or "similar overall sound"

    def _close_features(self, p: int, target: np.ndarray, names: Iterable[str] | None = None) -> list[str]:
        f = self.table.features[p]
        scored = []
        for name in names or CLOSE_WITHIN:
            if name not in CLOSE_WITHIN:
                continue
            i = FEATURE_INDEX[name]
            gap = abs(float(f[i]) - float(target[i])) / CLOSE_WITHIN[name]
            if gap <= 1.0:
                scored.append((gap, FEATURE_WORDS[name]))
        return [w for _, w in sorted(scored)]

    # ------------------------------------------------------------------ text
    def text_scores(self, query: TextQuery) -> tuple[np.ndarray, np.ndarray]:
        """Score every position for a parsed text request.

        Returns:
            ``(total (n,), feature_fit (n,))``; feature_fit is 0–1 closeness to the target features.
        """
        self._sync_caches()
        t = self.table
        n = t.n
        total = np.zeros(n, dtype=np.float32)
        fit = np.ones(n, dtype=np.float32)
        if query.target:
            vec, w = self.space.target_vector(query.target, query.weights)
            if w.sum() > 0:
                d = self.index.distances(vec[None, :], None, w)[0]
                fit = np.exp(-d / (1.0 + float(w.sum())))
                total += 2.0 * fit
        for key, weight in query.labels.items():
            kind, _, label = key.partition(":")
            lid = t.label_index.get((kind, label))
            if lid is None:
                continue
            pos = self.label_positions(lid)
            kind_w = {"playlist": 0.6, "subgenre": 1.0, "genre": 0.8}.get(kind, 0.5)
            total[pos] += float(weight) * kind_w
        for name in query.artists:
            aid = t.artist_index.get(normalize_text(name))
            if aid is not None:
                total[self.artist_positions(aid)] += 1.5
        total += 0.4 * t.popularity[:n].astype(np.float32) / 100.0
        return total, fit

    def from_text(self, query: TextQuery, exclude: Iterable[int] = (), limit: int | None = None) -> list[Scored]:
        """Top tracks for a :class:`TextQuery` (filters, exclusions, dedupe, per-artist cap applied)."""
        total, fit = self.text_scores(query)
        picked = self._select(total, query.filters, set(exclude), set(), limit or query.filters.limit)
        top = float(total[picked[0]]) if picked else 1.0
        return [Scored(p, float(total[p]) / top if top > 0 else 0.0, self._text_reason(p, query)) for p in picked]

    def _text_reason(self, p: int, query: TextQuery) -> str:
        t = self.table
        bits: list[str] = []
        carried = {f"{k}:{v}" for k, v in (t.label_names[lid] for lid in t.labels[p])}
        liked = [k.split(":", 1)[1] for k, w in sorted(query.labels.items(), key=lambda kv: -kv[1]) if w > 0 and k in carried]
        if liked:
            bits.append(liked[0])
        for name in query.artists:
            if normalize_text(name) in {t.artist_names[a] for a in t.artist_ids[p]}:
                bits.append(f"by {name}")
        if query.target:
            target = np.zeros(len(AUDIO_FEATURES), dtype=np.float32)
            for k, v in query.target.items():
                if k in FEATURE_INDEX:
                    target[FEATURE_INDEX[k]] = v
            close = self._close_features(p, target, [k for k in query.target if k in CLOSE_WITHIN])
            if close:
                bits.append("fits the " + " and ".join(close[:2]))
            f = t.features[p]
            if "tempo" in query.target and not close[:2].count("tempo"):
                bits.append(f"{float(f[FEATURE_INDEX['tempo']]):.0f} BPM")
        yr = int(t.year[p])
        if (query.filters.year_min or query.filters.year_max) and yr:
            bits.append(str(yr))
        return "; ".join(bits[:3]) or "matches your request"
