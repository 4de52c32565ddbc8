"""Style vectors: what genre each track most likely belongs to, for a "similar tracks" score that puts style first.

Every track gets a ``(K,)`` vector over the genres of :data:`STYLE_MODEL_PATH` (the shipped catalog's six: edm,
latin, pop, r&b, rap, rock), L2-normalized, built from what the loaded catalog knows, best evidence first:

* **own labels** — the track's genre labels whose names are model genres (one-hot, split evenly);
* **playlist context** — for a track without such labels, the mean vector of the playlists it sits in (by source id,
  else playlist label; playlists of at least :data:`MIN_CONTEXT` tracks): a playlist's centroid over dozens of
  tracks says its style far better than any one track's audio;
* **audio prior** — :class:`StyleModel`, P(genre | audio features, year), a small MLP fitted on the shipped
  catalog's *training* playlists only (``benchmarks/build_style_model.py``; held-out accuracy on one track ≈ 0.5,
  chance 0.17). Tracks without all eleven audio features get a flat prior.

A track's *base* vector is its own labels, else ``CONTEXT_SHARE ×`` context + the rest audio prior, else the audio
prior. Its style vector is ``OWN × own labels + ARTIST × mean base of its first artist's tracks + AUDIO × audio
prior`` (:data:`MIX`), normalized: the artist term is the "artist-level centroid" that lets a seed without labels
borrow the style of its artist's other tracks. A catalog with no labels at all still gets artist centroids of the
audio prior. The similarity of two tracks is the dot product of their vectors (cosine, 0–1).

Weights (:data:`MIX`, :data:`CONTEXT_SHARE`) were chosen on training folds 3–4 with the model fitted on folds 1–2
(radio genre agreement on label-hidden and label-less copies, playlist precision@10 kept). Later single-track edits
append vectors for new positions from the artist centroids as they were (like :class:`core.artist_graph.ArtistGraph`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from core.catalog import normalize_text
from core.features import _prepare

#: The shipped genre prior (see ``benchmarks/build_style_model.py``).
STYLE_MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "style_model.json"
#: A playlist context counts once it holds this many tracks (a 1–2 track "playlist" is no evidence of a style).
MIN_CONTEXT = 3
#: Share of the playlist-context centroid in the base vector of a track that has contexts but no genre label.
CONTEXT_SHARE = 0.7
#: ``(own labels, artist centroid, audio prior)`` weights of a style vector.
MIX = (0.5, 1.0, 0.25)


def model_inputs(raw: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Model inputs ``(n, 13)`` float64: the twelve columns of :func:`core.features._prepare` (log2 tempo, key on the
    circle) + release year (NaN when unknown: ``years <= 0``)."""
    prepared = _prepare(np.nan_to_num(np.asarray(raw, dtype=np.float64), nan=0.0)).astype(np.float64)
    y = np.asarray(years, dtype=np.float64)
    return np.column_stack([prepared, np.where(y > 0, y, np.nan)])


class StyleModel:
    """P(genre | audio features, year): a one-hidden-layer ReLU network + softmax, evaluated with numpy.

    Args:
        doc: the JSON document written by ``benchmarks/build_style_model.py`` (``genres``, ``mean``, ``scale``,
            ``w1`` (13, h), ``b1`` (h,), ``w2`` (h, K), ``b2`` (K,)).
    """

    def __init__(self, doc: dict) -> None:
        self.genres: list[str] = list(doc["genres"])
        self.mean = np.asarray(doc["mean"], dtype=np.float64)
        self.scale = np.asarray(doc["scale"], dtype=np.float64)
        self.w1 = np.asarray(doc["w1"], dtype=np.float32)
        self.b1 = np.asarray(doc["b1"], dtype=np.float32)
        self.w2 = np.asarray(doc["w2"], dtype=np.float32)
        self.b2 = np.asarray(doc["b2"], dtype=np.float32)

    @classmethod
    def load(cls, path: Path = STYLE_MODEL_PATH) -> StyleModel:
        """The model stored at ``path`` (read once per path). Raises OSError / ValueError for a missing or bad file."""
        return _load(str(path))

    def predict(self, raw: np.ndarray, years: np.ndarray, has_features: np.ndarray | None = None) -> np.ndarray:
        """``(n, K)`` float32 genre probabilities for raw ``(n, 11)`` features and years ``(n,)`` (0 = unknown,
        replaced by the training mean); rows with ``has_features`` False get the flat prior ``1/K``."""
        x = model_inputs(raw, years)
        x = np.where(np.isnan(x), self.mean, x)
        h = np.maximum(((x - self.mean) / self.scale).astype(np.float32) @ self.w1 + self.b1, 0.0)
        z = (h @ self.w2 + self.b2).astype(np.float64)
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        if has_features is not None:
            p[~np.asarray(has_features, dtype=bool)] = 1.0 / len(self.genres)
        return p.astype(np.float32)


@lru_cache(maxsize=4)
def _load(path: str) -> StyleModel:
    return StyleModel(json.loads(Path(path).read_text(encoding="utf-8")))


class StyleVectors:
    """The style vectors of a :class:`core.table.TrackTable` (see the module docstring).

    Attributes:
        vectors: ``(n, K)`` float32, unit length (rows for positions appended later are added by :meth:`sync`).

    Args:
        table: the track table as loaded.
        model: the genre prior (default: the shipped one).
    """

    def __init__(self, table, model: StyleModel | None = None) -> None:
        self.table = table
        self.model = model or StyleModel.load()
        k = len(self.model.genres)
        self._genre_dim = {normalize_text(g): i for i, g in enumerate(self.model.genres)}
        t, n = table, table.n
        audio = self._audio(0, n)
        own = self._own(0, n)
        labelled = own.sum(1) > 0
        base = np.where(labelled[:, None], own, audio)
        ctx, has_ctx = self._contexts(base)
        base = np.where(labelled[:, None], own, np.where(has_ctx[:, None], CONTEXT_SHARE * ctx + (1 - CONTEXT_SHARE) * audio, audio))
        first = np.array([a[0] if a else -1 for a in t.artist_ids[:n]], dtype=np.int64)
        n_artists = max(len(t.artist_names), 1)
        live = t.alive[:n] & (first >= 0)
        counts = np.bincount(first[live], minlength=n_artists).astype(np.float64)
        sums = np.stack([np.bincount(first[live], weights=base[live, j], minlength=n_artists) for j in range(k)], 1)
        self._artist = (sums / np.maximum(counts, 1.0)[:, None]).astype(np.float32)
        self._artist_known = counts > 0
        self.vectors = self._combine(own, base, audio, first)

    # ------------------------------------------------------------------ parts
    def _audio(self, start: int, stop: int) -> np.ndarray:
        t = self.table
        return self.model.predict(t.features[start:stop], t.year[start:stop], t.has_features[start:stop])

    def _own(self, start: int, stop: int) -> np.ndarray:
        t = self.table
        own = np.zeros((stop - start, len(self.model.genres)), dtype=np.float32)
        dims = {lid: self._genre_dim.get(normalize_text(name)) for lid, (kind, name) in enumerate(t.label_names) if kind == "genre"}
        for lid, dim in dims.items():
            if dim is None:
                continue
            pos = np.fromiter(t.label_tracks.get(lid, ()), dtype=np.int64)
            pos = pos[(pos >= start) & (pos < stop)]
            own[pos - start, dim] = 1.0
        total = own.sum(1, keepdims=True)
        return np.divide(own, total, out=own, where=total > 0)

    def _contexts(self, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(centroid of the track's playlist contexts (n, K), has a context (n,))`` — two sparse products over the
        track × context incidence matrix."""
        t = self.table
        n = len(base)
        playlist = {lid for lid, (kind, _) in enumerate(t.label_names) if kind == "playlist"}
        keys: dict[object, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        alive = t.alive[:n].tolist()
        for p, src in enumerate(t.sources[:n]):
            if not alive[p]:
                continue
            for key in src or (playlist & t.labels[p] if playlist else ()):
                rows.append(p)
                cols.append(keys.setdefault(key, len(keys)))
        ctx = np.zeros_like(base)
        if not rows:
            return ctx, np.zeros(n, dtype=bool)
        m = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, len(keys)))
        m.sum_duplicates()
        m.data[:] = 1.0
        size = np.asarray(m.sum(0)).ravel()
        centroid = (m.T @ base) / np.maximum(size, 1.0)[:, None]
        m = m @ sparse.diags((size >= MIN_CONTEXT).astype(np.float32))  # only contexts of MIN_CONTEXT+ tracks
        per_track = np.asarray(m.sum(1)).ravel()
        has = per_track > 0
        ctx[has] = (np.asarray(m @ centroid)[has] / per_track[has, None]).astype(np.float32)
        return ctx, has

    def _combine(self, own: np.ndarray, base: np.ndarray, audio: np.ndarray, first: np.ndarray) -> np.ndarray:
        known = (first >= 0) & self._artist_known[np.maximum(first, 0)]
        artist = np.where(known[:, None], self._artist[np.maximum(first, 0)], base)
        w_own, w_artist, w_audio = MIX
        s = (w_own * own + w_artist * artist + w_audio * audio).astype(np.float32)
        norm = np.linalg.norm(s, axis=1, keepdims=True)
        return np.divide(s, norm, out=s, where=norm > 0)

    # ------------------------------------------------------------------ updates
    def sync(self) -> np.ndarray:
        """Vectors for every position of the table (rows for positions added since are computed from their own
        labels, audio prior and the artist centroids as built). Returns :attr:`vectors`."""
        t = self.table
        start = len(self.vectors)
        if start < t.n:
            audio = self._audio(start, t.n)
            own = self._own(start, t.n)
            base = np.where((own.sum(1) > 0)[:, None], own, audio)
            first = np.array([a[0] if a and a[0] < len(self._artist) else -1 for a in t.artist_ids[start : t.n]], np.int64)
            self.vectors = np.concatenate([self.vectors, self._combine(own, base, audio, first)])
        return self.vectors
