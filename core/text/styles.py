"""The style model for catalogs without labels (``data/text_styles.json``, built by
``benchmarks/build_text_styles.py`` from the shipped catalog).

A catalog imported without genre or playlist labels still has audio features, durations, album years and titles. The
shipped catalog teaches how those relate to its 6 genres and 24 playlist subgenres: a small multilayer perceptron
(two ReLU layers, softmax over subgenres) gives ``P(subgenre | track)``; ``P(genre | track)`` is the sum over the
genre's subgenres. When a request names a style ("neo soul", "hard rock", "no reggaeton") and the loaded catalog has
no labels, :mod:`core.text` puts the style into ``TextQuery.styles`` and the recommender ranks by these
probabilities (:func:`style_scores`), instead of by the style's average sound alone.

Honesty: the file records the model's precision@10 per label on artists it never saw (fitted on half of the artists
by name hash, scored on the other half) next to its precision on the whole shipped catalog. Nothing is downloaded;
the forward pass is numpy only (~40 ms per 28k tracks, once per catalog version).
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from core.table import TrackTable

STYLES_PATH = Path(__file__).resolve().parents[2] / "data" / "text_styles.json"

#: Model inputs, in order (raw units before standardization; NaN = unknown, read as the training mean).
INPUTS: tuple[str, ...] = (
    "danceability", "energy", "key_01", "loudness_10", "mode", "speechiness", "acousticness", "instrumentalness",
    "liveness", "valence", "tempo_100", "minutes_4", "year_10", "year_10_sq", "title_latin_words", "title_accent",
)

#: Common Spanish / Portuguese title words (function words, pronouns, everyday nouns of song titles); the share of a
#: title's words found here is one input. Hand-written from the languages, not from the catalog's labels.
LATIN_WORDS = frozenset(
    "el la los las de del mi mis tu tus te que y con por para sin una un no me se lo le como mas yo eres es "
    "amor corazon quiero baila bailar bailando noche vida todo nada fuego mami papi hasta otra vez solo sola ella "
    "dime cuando donde porque besame contigo conmigo loco loca ti pa pal nos vamos ay mujer hombre cielo sol "
    "luna mar dia beso besos nunca siempre tiempo mundo dolor volver vuelve calle fiesta perreo gata bebe "
    "voce meu minha nao pra eu seu sua tudo coracao saudade".split()
)
_ACCENTS = frozenset("áéíóúñãõçü¿¡")
_TITLE_CUT = re.compile(r" - | \(|\[")
_WORD = re.compile(r"[^\W\d_]+")
_FOLD = str.maketrans("áéíóúñãõçü", "aeiounaocu")


def title_signals(title: str) -> tuple[float, float]:
    """``(share of words in LATIN_WORDS 0–1, 1.0 if the title has a Spanish/Portuguese accent else 0.0)`` for a
    track title; the part after " - " or "(" (remix / feat. credits) is ignored."""
    head = _TITLE_CUT.split(str(title).casefold(), maxsplit=1)[0]
    words = [w.translate(_FOLD) for w in _WORD.findall(head)]
    share = sum(w in LATIN_WORDS for w in words) / len(words) if words else 0.0
    return share, float(any(c in _ACCENTS for c in head))


def style_inputs(audio: np.ndarray, duration_ms: np.ndarray, years: np.ndarray, titles: Sequence[str]) -> np.ndarray:
    """Raw model inputs ``(n, len(INPUTS))`` float64.

    Args:
        audio: ``(n, 11)`` audio features in ``core.models.AUDIO_FEATURES`` order (raw units; NaN = unknown).
        duration_ms: ``(n,)`` milliseconds (≤ 0 or NaN = unknown).
        years: ``(n,)`` album years (0 = unknown).
        titles: n track titles.
    """
    audio = np.asarray(audio, dtype=np.float64)
    n = len(audio)
    out = np.full((n, len(INPUTS)), np.nan)
    out[:, :11] = audio
    out[:, 2] = audio[:, 2] / 11.0
    out[:, 3] = audio[:, 3] / 10.0
    out[:, 10] = audio[:, 10] / 100.0
    dur = np.asarray(duration_ms, dtype=np.float64)
    out[:, 11] = np.where(dur > 0, dur / 240_000.0, np.nan)
    yr = np.asarray(years, dtype=np.float64)
    y10 = np.where(yr > 0, (yr - 2010.0) / 10.0, np.nan)
    out[:, 12] = y10
    out[:, 13] = y10 * y10
    out[:, 14:16] = np.asarray([title_signals(t) for t in titles], dtype=np.float64).reshape(n, 2)
    return out


@dataclass(frozen=True)
class StyleModel:
    """The loaded model. ``subgenres`` are the softmax columns; ``keys`` = ``"genre:…"`` then ``"subgenre:…"``;
    ``playlists`` maps a shipped playlist name to its subgenre shares (a request naming "Jazz Vibes" means its
    subgenres); ``validation`` is the file's held-out precision block."""

    mean: np.ndarray
    std: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    subgenres: tuple[str, ...]
    genre_of: dict[str, str]
    playlists: dict[str, dict[str, float]]
    validation: dict[str, Any]

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> StyleModel:
        """Build from the JSON document. Raises ValueError when its inputs differ from :data:`INPUTS`."""
        if tuple(doc["inputs"]) != INPUTS:
            raise ValueError("text_styles.json was built for other inputs; rerun benchmarks/build_text_styles.py")
        layers = tuple((np.asarray(layer["w"], dtype=np.float32), np.asarray(layer["b"], dtype=np.float32))
                       for layer in doc["layers"])
        return cls(np.asarray(doc["mean"], dtype=np.float64), np.asarray(doc["std"], dtype=np.float64), layers,
                   tuple(doc["subgenres"]), dict(doc["genre_of"]), {k.casefold(): v for k, v in
                                                                      doc.get("playlists", {}).items()},
                   dict(doc.get("validation", {})))

    @property
    def genres(self) -> list[str]:
        """Genre texts, sorted."""
        return sorted(set(self.genre_of.values()))

    @property
    def keys(self) -> list[str]:
        """Every style key the model scores: ``genre:edm`` … then ``subgenre:big room`` …"""
        return [f"genre:{g}" for g in self.genres] + [f"subgenre:{s}" for s in self.subgenres]

    def column(self, key: str) -> int:
        """Softmax column of a ``subgenre:…`` key. Raises KeyError for another key."""
        kind, _, text = key.partition(":")
        if kind != "subgenre" or text not in self.subgenres:
            raise KeyError(key)
        return self.subgenres.index(text)

    def genre_columns(self, key: str) -> list[int]:
        """Softmax columns of the subgenres of a ``genre:…`` key (empty for an unknown genre)."""
        text = key.partition(":")[2]
        return [i for i, s in enumerate(self.subgenres) if self.genre_of[s] == text]

    def predict_raw(self, raw: np.ndarray) -> np.ndarray:
        """``P(subgenre)`` ``(n, len(subgenres))`` float32 rows summing to 1, for raw inputs of :func:`style_inputs`."""
        x = np.where(np.isfinite(raw), (raw - self.mean) / self.std, 0.0).astype(np.float32)
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                np.maximum(x, 0.0, out=x)
        x -= x.max(axis=1, keepdims=True)
        np.exp(x, out=x)
        x /= x.sum(axis=1, keepdims=True)
        return x

    def resolve(self, kind: str, text: str) -> dict[str, float]:
        """Style keys a shipped label names, with shares: a genre or subgenre itself (1.0), a shipped playlist its
        subgenres' shares; ``{}`` when the model does not know it."""
        t = text.casefold()
        if kind == "genre" and t in self.genre_of.values():
            return {f"genre:{t}": 1.0}
        if kind == "subgenre" and t in self.subgenres:
            return {f"subgenre:{t}": 1.0}
        if kind == "playlist" and t in self.playlists:
            return {f"subgenre:{s}": float(v) for s, v in self.playlists[t].items()}
        return {}


@lru_cache(maxsize=2)
def load_style_model(path: Path = STYLES_PATH) -> StyleModel | None:
    """The shipped style model, or None when the file is absent (styles then come from feature profiles only)."""
    if not path.exists():
        return None
    return StyleModel.from_doc(json.loads(path.read_text(encoding="utf-8")))


#: Cap of a track's style score relative to the 99th percentile (the most typical tracks keep their order).
STYLE_CAP = 1.5

_CACHE: weakref.WeakKeyDictionary[Any, _TableStyles] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _TableStyles:
    """Per table version: ``probs`` P(subgenre) ``(n, S)``; ``rel`` ``(n, K)`` per style key of the model (genres
    then subgenres) ``min(P / P₉₉ over live tracks, STYLE_CAP)``; ``root`` = √probs (for the affinity)."""

    version: int
    n: int
    probs: np.ndarray
    rel: np.ndarray
    root: np.ndarray


def _table_styles(table: TrackTable, model: StyleModel) -> _TableStyles:
    hit = _CACHE.get(table)
    if hit is not None and hit.version == table.version and hit.n == table.n:
        return hit
    n = table.n
    audio = np.where(table.known[:n], table.features[:n], np.nan)
    raw = style_inputs(audio, np.asarray(table.durations[:n], dtype=np.float64), table.year[:n], table.titles[:n])
    probs = model.predict_raw(raw) if n else np.zeros((0, len(model.subgenres)), np.float32)
    probs[~table.has_features[:n]] = 0.0
    cols = [probs[:, model.genre_columns(k)].sum(axis=1) for k in model.keys if k.startswith("genre:")]
    full = np.column_stack([*cols, probs]) if n else np.zeros((0, len(model.keys)), np.float32)
    alive = full[table.alive[:n]]
    top = np.percentile(alive, 99, axis=0) if len(alive) else np.zeros(full.shape[1])
    rel = np.where(top > 0, np.minimum(full / np.maximum(top, 1e-9), STYLE_CAP), 0.0).astype(np.float32)
    out = _TableStyles(table.version, n, probs, rel, np.sqrt(probs))
    _CACHE[table] = out
    return out


def table_probabilities(table: TrackTable, model: StyleModel) -> np.ndarray:
    """``P(subgenre)`` ``(table.n, len(model.subgenres))`` for every position of ``table`` (rows of tracks without
    audio features are all 0: the model makes no claim about them). Cached per table and ``table.version`` (~0.6 s
    for 28k tracks on a loaded 2-core machine: title signals and the forward pass)."""
    return _table_styles(table, model).probs


def style_scores(table: TrackTable, styles: dict[str, float], model: StyleModel | None = None) -> np.ndarray | None:
    """Per position of ``table``, ``Σ weight × min(P(style | track) / P₉₉(style), STYLE_CAP)`` for the
    ``{"genre:rock": 1.0, "subgenre:trap": -0.8}`` weights of a request (negative = avoid); ``(table.n,)`` float32,
    or None when no style is known to the model. Dividing by the 99th percentile over the live tracks puts the most
    typical tracks of a style near 1, like a label match on a labelled catalog."""
    model = model if model is not None else load_style_model()
    if model is None or not styles or table.n == 0:
        return None
    keys = model.keys
    idx = [(keys.index(k), float(w)) for k, w in styles.items() if k in keys]
    if not idx:
        return None
    cached = _table_styles(table, model)
    cols = np.asarray([i for i, _ in idx])
    weights = np.asarray([w for _, w in idx], dtype=np.float32)
    return cached.rel[:, cols] @ weights


def style_affinity(table: TrackTable, refs: list[int], cand: np.ndarray | None = None,
                   model: StyleModel | None = None) -> np.ndarray | None:
    """How alike in style each candidate is to the reference tracks, for a catalog without labels: the
    Bhattacharyya coefficient ``Σ √(p·q)`` (0–1) between a candidate's ``P(subgenre)`` and the mean over the
    references with audio features. ``(m,)`` float32 over ``cand`` (all positions when None), or None when the model
    is absent or no reference has audio features."""
    model = model if model is not None else load_style_model()
    if model is None or table.n == 0:
        return None
    cached = _table_styles(table, model)
    featured = [r for r in refs if table.has_features[r]]
    if not featured:
        return None
    ref = np.sqrt(cached.probs[featured].mean(axis=0))
    sub = cached.root if cand is None else cached.root[cand]
    return (sub @ ref).astype(np.float32)
