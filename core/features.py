"""Audio-feature space: raw Spotify audio features -> weighted, scaled vectors for the KNN index.

Design (chosen by measurement with ``musicbot eval``, see README "Evaluation"):

* Each continuous feature is standardized (z-score with the catalog's own mean and standard deviation), so
  loudness in dB and tempo in BPM do not dominate 0–1 features as they do under MinMax scaling with outliers.
* ``tempo`` is taken as log2(BPM): a 60->120 BPM step counts like 90->180 (half/double time feel alike).
* ``key`` is a pitch class on a circle: encoded as (cos, sin) of 2πk/12, so B (11) sits next to C (0).
  ``key = -1`` (no key detected) maps to the origin.
* Per-dimension weights (:data:`DEFAULT_WEIGHTS`) multiply the standardized values; a weight of 0 drops a feature.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.models import AUDIO_FEATURES

#: Dimensions of the vector space, in order. ``key`` becomes ``key_cos``/``key_sin``.
DIMS: tuple[str, ...] = tuple(d for f in AUDIO_FEATURES for d in ((f"{f}_cos", f"{f}_sin") if f == "key" else (f,)))
DIM_INDEX = {d: i for i, d in enumerate(DIMS)}

#: Per-feature weights, tuned on the training playlists (never the held-out ones) by coordinate search over
#: {0, 0.25, 0.5, 1, 1.5, 2} per feature, maximizing audio-only playlist-continuation precision@10.
DEFAULT_WEIGHTS: dict[str, float] = {
    "danceability": 1.0,
    "energy": 1.0,
    "key": 0.25,
    "loudness": 0.5,
    "mode": 0.25,
    "speechiness": 1.0,
    "acousticness": 1.0,
    "instrumentalness": 0.5,
    "liveness": 0.25,
    "valence": 1.0,
    "tempo": 0.5,
}

_KEY = AUDIO_FEATURES.index("key")
_TEMPO = AUDIO_FEATURES.index("tempo")


def _prepare(raw: np.ndarray) -> np.ndarray:
    """Raw ``(n, 11)`` features -> ``(n, 12)`` unscaled columns (log tempo, key on the circle)."""
    raw = np.asarray(raw, dtype=np.float32)
    out = np.empty((raw.shape[0], len(DIMS)), dtype=np.float32)
    j = 0
    for i, name in enumerate(AUDIO_FEATURES):
        col = raw[:, i]
        if i == _KEY:
            angle = col * (2 * np.pi / 12)
            has_key = col >= 0
            out[:, j] = np.where(has_key, np.cos(angle), 0)
            out[:, j + 1] = np.where(has_key, np.sin(angle), 0)
            j += 2
        elif i == _TEMPO:
            out[:, j] = np.log2(np.clip(col, 30, 250))
            j += 1
        else:
            out[:, j] = col
            j += 1
    return out


class FeatureSpace:
    """Maps raw audio features to weighted standardized vectors.

    Args:
        weights: per-feature weight (names from :data:`core.models.AUDIO_FEATURES`); missing -> default.
    """

    def __init__(self, weights: Mapping[str, float] | None = None) -> None:
        self.weights = {**DEFAULT_WEIGHTS, **(weights or {})}
        self.mean = np.zeros(len(DIMS), dtype=np.float32)
        self.scale = np.ones(len(DIMS), dtype=np.float32)

    def fit(self, raw: np.ndarray) -> FeatureSpace:
        """Learn mean/std per dimension from raw ``(n, 11)`` features (key dims are left unscaled: unit circle)."""
        prepared = _prepare(raw)
        std = prepared.std(axis=0)
        std[std < 1e-6] = 1.0
        self.mean = prepared.mean(axis=0).astype(np.float32)
        self.scale = std.astype(np.float32)
        for d in ("key_cos", "key_sin"):
            self.mean[DIM_INDEX[d]] = 0.0
            self.scale[DIM_INDEX[d]] = 0.7071  # unit circle -> same spread as a z-scored feature
        return self

    def dim_weights(self, weights: Mapping[str, float] | None = None) -> np.ndarray:
        """Per-dimension weights ``(12,)`` from per-feature weights (defaults: the space's own)."""
        w = weights if weights is not None else self.weights
        return np.array([w.get(d.rsplit("_", 1)[0] if d.startswith("key_") else d, 0.0) for d in DIMS], np.float32)

    def transform(self, raw: np.ndarray) -> np.ndarray:
        """Raw ``(n, 11)`` features -> ``(n, 12)`` float32 weighted standardized vectors."""
        return ((_prepare(raw) - self.mean) / self.scale) * self.dim_weights()

    def target_vector(self, target: Mapping[str, float], weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """A partial target (raw units) -> ``(vector (12,), dim_mask_weights (12,))`` in the weighted space.

        Dimensions not in ``target`` get weight 0, so distance only counts what the request asked for.
        """
        raw = np.zeros((1, len(AUDIO_FEATURES)), dtype=np.float32)
        raw[0, _KEY] = -1
        feature_weights: dict[str, float] = {}
        for name, value in target.items():
            if name in AUDIO_FEATURES:
                raw[0, AUDIO_FEATURES.index(name)] = value
                feature_weights[name] = float(weights.get(name, 1.0))
        vec = self.transform(raw)[0]
        mask = self.dim_weights(feature_weights)
        return vec, mask

    def state(self) -> dict[str, list[float] | dict[str, float]]:
        """Serializable state (for the index cache)."""
        return {"weights": self.weights, "mean": self.mean.tolist(), "scale": self.scale.tolist()}
