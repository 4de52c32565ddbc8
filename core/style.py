"""The style model: what style each track most likely has, from what any catalog knows — one model for radios and text.

**The model** (:class:`StyleModel`, ``data/style_model.json``, built by ``benchmarks/build_style_model.py``). The
shipped catalog files every track under one of 24 playlist subgenres in 6 genres (edm, latin, pop, r&b, rap, rock). A
small multilayer perceptron (two ReLU layers of 128 and 64 units, softmax over subgenres) gives ``P(subgenre | track)``
from signals any imported catalog has: the eleven audio features, duration, album year and two title-language
signals; ``P(genre | track)`` is the sum over the genre's subgenres. Radios use its fit on the rows of the shipped
catalog's *training* playlists only (``sha1(playlist_id) % 5 != 0``, :func:`core.evaluation.is_held_out`), so the
playlists ``musicbot eval`` scores are never seen; text requests its fit on every row (see the end of this docstring).
The file records per-label precision@10 on artists the model never saw (fitted on half of the artists by name hash)
next to the full model's. Nothing is downloaded; the forward pass is numpy
only (~40 ms per 28k tracks, once per catalog version, shared by every user of the table).

**Text requests on catalogs without labels** (:mod:`core.text`): a named style ("neo soul", "no reggaeton") goes into
``TextQuery.styles`` and the recommender ranks by these probabilities (:func:`style_scores`); similar tracks add the
Bhattacharyya affinity of the subgenre distributions (:func:`style_affinity`), each track's blended with its
artist's mean (:data:`AFFINITY_ARTIST_SHARE`).

**Style vectors for radios** (:class:`StyleVectors`). Every track gets a ``(K,)`` vector over the model's genres,
L2-normalized, built from what the loaded catalog knows, best evidence first:

* **own labels** — the track's genre labels whose names are model genres (one-hot, split evenly);
* **playlist context** — for a track without such labels, the mean vector of the playlists it sits in (by source id,
  else playlist label; playlists of at least :data:`MIN_CONTEXT` tracks): a playlist's centroid over dozens of
  tracks says its style far better than any one track's audio;
* **audio prior** — ``P(genre | track)`` of the model above (tracks without all eleven audio features get a flat
  prior);
* **playlist names** — genre words in the names of the track's playlists ("90's Gangster Rap", "Classic Rock
  Drive"): each model genre's own name, plus the subgenre names of :data:`STYLE_VOCAB_PATH` mapped to their genres
  (learned from the shipped catalog's training playlists, ``benchmarks/build_style_vocab.py``), longest phrase first.
  For a track without genre labels its *prior* is ``NAME_SHARE ×`` the mean name vector + the rest audio prior (just
  the audio prior when no name has a genre word).

A track's *base* vector is its own labels, else ``CONTEXT_SHARE ×`` context + the rest prior, else the prior. Its
style vector is ``OWN × own labels + ARTIST × artist centroid + AUDIO × audio prior`` (:data:`MIX`), normalized. The
artist centroid is the mean base of its first artist's tracks, each weighted by its evidence (:data:`EVIDENCE`:
labels or playlist contexts 1, playlist-name words only less, the audio prior alone least), so a seed without labels
borrows the style of its artist's placed tracks rather than an average diluted by its own and other unplaced tracks'
priors. A catalog with no labels at all still gets artist centroids of the audio prior. The similarity of two tracks
is the dot product of their vectors (cosine, 0–1).

Choices, all on training folds only (:func:`core.evaluation.fold_of` 1–4; the prior refitted without the validation
fold): see ``benchmarks/build_style_folds.py`` and the README ("Evaluation and benchmarks"). Radio genre agreement with
genre labels hidden, mean over folds 1–4: former 13-input prior 0.691, this model 0.704, with the evidence-weighted
centroid 0.709 (P@10 0.235 → 0.229); sharper vectors, a larger style weight or more audio prior in :data:`MIX` gave
nothing. :data:`NAME_SHARE` 0.3 from {0.3, 0.5, 0.8}; :data:`MIX` and :data:`CONTEXT_SHARE` on folds 3–4 (radio genre
agreement on label-hidden and label-less copies, playlist precision@10 kept).

The model file holds two fits of the one recipe (:data:`FITS`): on every shipped row for text requests, and on the
training playlists only for radios (:data:`RADIO_FIT`), so what ``musicbot eval`` scores on held-out playlists never
saw them. One fit for both costs one side: the training fit alone drops the label-stripped strict text benchmark
(shared 0.850 → 0.790: it scores tracks the full fit has seen), the full fit alone would leak held-out playlists into
the radio figures.

Later single-track edits append vectors for new positions from the artist centroids as they were (like
:class:`core.artist_graph.ArtistGraph`).

:mod:`core.text.styles` re-exports this module's text-facing names (the text package imports them from there).
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.catalog import normalize_text

if TYPE_CHECKING:
    from core.table import TrackTable

#: The shipped style model (see ``benchmarks/build_style_model.py``).
STYLE_MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "style_model.json"
#: Former name of :data:`STYLE_MODEL_PATH` (the text package's).
STYLES_PATH = STYLE_MODEL_PATH
#: The fitted weights the file holds (see :meth:`StyleModel.from_doc`): ``"all"`` shipped rows (text requests) and
#: ``"training"`` playlists only (radios).
FITS = ("all", "training")
#: The fit radios use (style vectors, the style affinity of similar tracks): the one that never saw the held-out
#: playlists ``musicbot eval`` scores similar tracks on.
RADIO_FIT = "training"
#: A playlist context counts once it holds this many tracks (a 1–2 track "playlist" is no evidence of a style).
MIN_CONTEXT = 3
#: Share of the playlist-context centroid in the base vector of a track that has contexts but no genre label.
CONTEXT_SHARE = 0.7
#: ``(own labels, artist centroid, audio prior)`` weights of a style vector.
MIX = (0.5, 1.0, 0.25)
#: Weight of playlist-name evidence (genre words in the names of a track's playlists) in the prior of a track without
#: genre labels (0.3 chosen on training folds 3–4, see the module docstring).
NAME_SHARE = 0.3
#: Weight of a track in its artist's centroid by its evidence: ``(labels or playlist contexts, playlist-name words
#: only, audio prior only)``; chosen on training folds 1–4 (``benchmarks/build_style_folds.py``).
EVIDENCE = (1.0, 0.6, 0.3)
#: Exponent applied to a style vector's weights before it is normalized (> 1 sharpens towards its top genre, so the
#: dot product of two tracks reads more like "same genre or not"); chosen on training folds 1–4.
SHARPEN = 1.0
#: The style vocabulary learned from the shipped catalog's training playlists (``benchmarks/build_style_vocab.py``).
STYLE_VOCAB_PATH = Path(__file__).resolve().parent.parent / "data" / "style_vocab.json"

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
_ACCENT = re.compile("[" + "".join(sorted(_ACCENTS)) + "]")
_TITLE_CUT = re.compile(r" - | \(|\[")
_WORD = re.compile(r"[^\W\d_]+")
_FOLD = str.maketrans("áéíóúñãõçü", "aeiounaocu")


def title_signals(title: str) -> tuple[float, float]:
    """``(share of words in LATIN_WORDS 0–1, 1.0 if the title has a Spanish/Portuguese accent else 0.0)`` for a
    track title; the part after " - " or "(" (remix / feat. credits) is ignored."""
    head = _TITLE_CUT.split(str(title).casefold(), maxsplit=1)[0]
    if head.isascii():  # most titles: nothing to fold, no accent
        words = _WORD.findall(head)
        accent = 0.0
    else:  # folding first splits the same words (accented letters are letters)
        words = _WORD.findall(head.translate(_FOLD))
        accent = 1.0 if _ACCENT.search(head) else 0.0
    share = sum(w in LATIN_WORDS for w in words) / len(words) if words else 0.0
    return share, accent


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
    def from_doc(cls, doc: dict[str, Any], fit: str = "all") -> StyleModel:
        """Build from the JSON document: ``fit="all"`` the weights fitted on every shipped row (the top level),
        ``fit="training"`` those fitted on the training playlists only (``doc["training"]``; the top level when the
        document has no such block). Raises ValueError when its inputs differ from :data:`INPUTS`, KeyError for
        another ``fit``."""
        if tuple(doc["inputs"]) != INPUTS:
            raise ValueError("style_model.json was built for other inputs; rerun benchmarks/build_style_model.py")
        if fit not in FITS:
            raise KeyError(fit)
        weights = doc.get("training", doc) if fit == "training" else doc
        layers = tuple((np.asarray(layer["w"], dtype=np.float32), np.asarray(layer["b"], dtype=np.float32))
                       for layer in weights["layers"])
        return cls(np.asarray(weights["mean"], dtype=np.float64), np.asarray(weights["std"], dtype=np.float64), layers,
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

    def genre_probabilities(self, subgenre_probs: np.ndarray) -> np.ndarray:
        """``P(genre)`` ``(n, K)`` float32 (columns in :attr:`genres` order) from ``P(subgenre)`` ``(n, S)``."""
        p = np.asarray(subgenre_probs, dtype=np.float32)
        return np.column_stack([p[:, self.genre_columns(f"genre:{g}")].sum(axis=1) for g in self.genres]).astype(
            np.float32).reshape(len(p), len(self.genres))

    def predict(self, raw: np.ndarray, years: np.ndarray, has_features: np.ndarray | None = None,
                durations: np.ndarray | None = None, titles: Sequence[str] | None = None) -> np.ndarray:
        """``P(genre)`` ``(n, K)`` float32 for raw ``(n, 11)`` audio features (NaN = unknown), album years ``(n,)``
        (0 = unknown), optional durations in ms ``(n,)`` and titles (unknown when absent); rows with
        ``has_features`` False get the flat prior ``1/K``."""
        raw = np.asarray(raw, dtype=np.float64)
        n = len(raw)
        dur = np.full(n, np.nan) if durations is None else np.asarray(durations, dtype=np.float64)
        names = [""] * n if titles is None else list(titles)
        p = self.genre_probabilities(self.predict_raw(style_inputs(raw, dur, years, names)))
        if has_features is not None:
            p[~np.asarray(has_features, dtype=bool)] = 1.0 / len(self.genres)
        return p

    @classmethod
    def load(cls, path: Path = STYLE_MODEL_PATH, fit: str = "all") -> StyleModel:
        """The model stored at ``path`` (read once per path and fit, see :meth:`from_doc`). Raises OSError /
        ValueError for a missing or bad file."""
        model = load_style_model(path, fit)
        if model is None:
            raise OSError(f"no style model at {path}")
        return model

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


def load_style_model(path: Path = STYLE_MODEL_PATH, fit: str = "all") -> StyleModel | None:
    """The shipped style model (read once per path and fit: every caller shares one instance; ``fit`` as in
    :meth:`StyleModel.from_doc`), or None when the file is absent (text styles then come from feature profiles only).
    Raises ValueError for a file of other inputs."""
    return _load_path(str(Path(path).resolve()), fit)


@lru_cache(maxsize=8)
def _load_path(path: str, fit: str) -> StyleModel | None:
    p = Path(path)
    if not p.exists():
        return None
    return StyleModel.from_doc(json.loads(p.read_text(encoding="utf-8")), fit)


#: Cap of a track's style score relative to the 99th percentile (the most typical tracks keep their order).
STYLE_CAP = 1.5

_CACHE: weakref.WeakKeyDictionary[Any, dict[int, _TableStyles]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _TableStyles:
    """Per table version: ``probs`` P(subgenre) ``(n, S)``; ``rel`` ``(n, K)`` per style key of the model (genres
    then subgenres) ``min(P / P₉₉ over live tracks, STYLE_CAP)``; ``root`` = √probs (for the affinity)."""

    version: int
    n: int
    probs: np.ndarray
    rel: np.ndarray
    root: np.ndarray
    model: StyleModel
    #: derived arrays built on first use (:func:`_artist_root`), dropped with this entry
    derived: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)


_INPUTS: weakref.WeakKeyDictionary[Any, tuple[int, int, np.ndarray]] = weakref.WeakKeyDictionary()


def _table_inputs(table: TrackTable) -> np.ndarray:
    """Raw model inputs ``(table.n, len(INPUTS))`` of every position, cached per table version: both fits (text and
    radios) read them, and the title signals are most of the cost (~0.3–1 s for 28k titles on a loaded machine)."""
    hit = _INPUTS.get(table)
    if hit is not None and hit[0] == table.version and hit[1] == table.n:
        return hit[2]
    n = table.n
    audio = np.where(table.known[:n], table.features[:n], np.nan)
    raw = style_inputs(audio, np.asarray(table.durations[:n], dtype=np.float64), table.year[:n], table.titles[:n])
    _INPUTS[table] = (table.version, n, raw)
    return raw


def _table_styles(table: TrackTable, model: StyleModel) -> _TableStyles:
    per_model = _CACHE.setdefault(table, {})
    hit = per_model.get(id(model))
    if hit is not None and hit.model is model and hit.version == table.version and hit.n == table.n:
        return hit
    n = table.n
    raw = _table_inputs(table)
    probs = model.predict_raw(raw) if n else np.zeros((0, len(model.subgenres)), np.float32)
    probs[~table.has_features[:n]] = 0.0
    cols = [probs[:, model.genre_columns(k)].sum(axis=1) for k in model.keys if k.startswith("genre:")]
    full = np.column_stack([*cols, probs]) if n else np.zeros((0, len(model.keys)), np.float32)
    alive = full[table.alive[:n]]
    top = np.percentile(alive, 99, axis=0) if len(alive) else np.zeros(full.shape[1])
    rel = np.where(top > 0, np.minimum(full / np.maximum(top, 1e-9), STYLE_CAP), 0.0).astype(np.float32)
    out = _TableStyles(table.version, n, probs, rel, np.sqrt(probs), model)
    if len(per_model) >= 4:  # models built in tests / fold runs: keep the cache small
        per_model.clear()
    per_model[id(model)] = out
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
    is absent or no reference has audio features. The default model is the radios' (:data:`RADIO_FIT`): similar
    tracks are what ``musicbot eval`` scores on held-out playlists."""
    model = model if model is not None else load_style_model(fit=RADIO_FIT)
    if model is None or table.n == 0:
        return None
    cached = _table_styles(table, model)
    featured = [r for r in refs if table.has_features[r]]
    if not featured:
        return None
    if AFFINITY_ARTIST_SHARE:
        probs, root = _artist_probs(table, cached)
        ref = np.sqrt(probs[featured].mean(axis=0))
    else:
        root = cached.root
        ref = np.sqrt(cached.probs[featured].mean(axis=0))
    sub = root if cand is None else root[cand]
    return (sub @ ref).astype(np.float32)


#: Share of the artist's mean ``P(subgenre)`` in the distributions :func:`style_affinity` compares (the rest is the
#: track's own): one track's audio says its style poorly, the mean over an artist's tracks far better (top genre of
#: held-out playlists' tracks by artists the model never saw: 0.57 per track, 0.68 averaged over the artist). 0.8
#: from {0, 0.5, 0.8, 1.0} on training folds 1–4 (fold models): radios on a label-less copy, genre agreement
#: 0.644 → 0.655 and same-year share 0.360 → 0.331; 0 turns it off.
AFFINITY_ARTIST_SHARE = 0.8


def _artist_probs(table: TrackTable, cached: _TableStyles) -> tuple[np.ndarray, np.ndarray]:
    """``(P, √P)`` ``(n, S)`` float32: each track's ``P(subgenre)`` blended with the mean over the live tracks with
    audio features of its first artist, ``AFFINITY_ARTIST_SHARE × artist mean + rest × own`` (own alone for a track
    without artist or features). Built once per table version and share (one pass of ``np.add.at``)."""
    key = f"artist:{AFFINITY_ARTIST_SHARE}"
    hit = cached.derived.get(key)
    if hit is not None and len(hit) == cached.n:
        return hit, cached.derived[key + ":root"]
    n = cached.n
    probs = cached.probs
    first = np.array([a[0] if a else -1 for a in table.artist_ids[:n]], dtype=np.int64)
    use = (first >= 0) & table.alive[:n] & table.has_features[:n]
    m = max(int(first.max()) + 1 if n else 0, 1)
    idx, kept = first[use], probs[use]
    sums = np.stack([np.bincount(idx, weights=kept[:, j], minlength=m) for j in range(probs.shape[1])], 1)
    counts = np.bincount(idx, minlength=m).astype(np.float64)
    mean = sums / np.maximum(counts, 1.0)[:, None]
    has = (first >= 0) & (counts[np.maximum(first, 0)] > 0) & table.has_features[:n]
    share = float(AFFINITY_ARTIST_SHARE)
    out = probs.astype(np.float32, copy=True)
    out[has] = (share * mean[first[has]] + (1.0 - share) * probs[has]).astype(np.float32)
    cached.derived[key] = out
    cached.derived[key + ":root"] = np.sqrt(out)
    return out, cached.derived[key + ":root"]


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
        self.model = model or StyleModel.load(fit=RADIO_FIT)
        k = len(self.model.genres)
        self._genre_dim = {normalize_text(g): i for i, g in enumerate(self.model.genres)}
        t, n = table, table.n
        audio = self._audio(0, n)
        own = self._own(0, n)
        labelled = own.sum(1) > 0
        names, has_name = self._names(n)
        prior = np.where(has_name[:, None], NAME_SHARE * names + (1 - NAME_SHARE) * audio, audio)
        base = np.where(labelled[:, None], own, prior)
        ctx, has_ctx = self._contexts(base)
        base = np.where(labelled[:, None], own, np.where(has_ctx[:, None], CONTEXT_SHARE * ctx + (1 - CONTEXT_SHARE) * prior, prior))
        placed, named, unplaced = EVIDENCE
        weight = np.where(labelled | has_ctx, placed, np.where(has_name, named, unplaced))
        first = np.array([a[0] if a else -1 for a in t.artist_ids[:n]], dtype=np.int64)
        n_artists = max(len(t.artist_names), 1)
        live = t.alive[:n] & (first >= 0)
        w = weight[live]
        counts = np.bincount(first[live], weights=w, minlength=n_artists)
        sums = np.stack([np.bincount(first[live], weights=w * base[live, j], minlength=n_artists) for j in range(k)], 1)
        self._artist = (sums / np.maximum(counts, 1e-12)[:, None]).astype(np.float32)
        self._artist_known = counts > 0
        self.vectors = self._combine(own, base, audio, first)

    # ------------------------------------------------------------------ parts
    def _audio(self, start: int, stop: int) -> np.ndarray:
        """``P(genre)`` ``(stop - start, K)`` float32 of positions ``start:stop`` (flat ``1/K`` without audio
        features); the whole table's comes from :func:`table_probabilities`, shared with the text side."""
        t = self.table
        k = len(self.model.genres)
        if start == 0 and stop == t.n:
            p = self.model.genre_probabilities(table_probabilities(t, self.model))
        else:
            audio = np.where(t.known[start:stop], t.features[start:stop], np.nan)
            p = self.model.genre_probabilities(self.model.predict_raw(style_inputs(
                audio, np.asarray(t.durations[start:stop], dtype=np.float64), t.year[start:stop], t.titles[start:stop])))
        p[~np.asarray(t.has_features[start:stop], dtype=bool)] = 1.0 / k
        return p

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

    def _phrases(self) -> dict[tuple[str, ...], np.ndarray]:
        """Phrase (normalized tokens) -> ``(K,)`` genre distribution: each model genre's own name, then the
        shipped vocabulary (subgenre names -> genre shares, learned on training playlists)."""
        k = len(self.model.genres)
        out: dict[tuple[str, ...], np.ndarray] = {}
        try:
            vocab = json.loads(STYLE_VOCAB_PATH.read_text(encoding="utf-8"))["phrases"]
        except (OSError, ValueError, KeyError):
            vocab = {}
        for phrase, shares in vocab.items():
            v = np.zeros(k, np.float32)
            for g, w in shares.items():
                dim = self._genre_dim.get(normalize_text(g))
                if dim is not None:
                    v[dim] += float(w)
            if v.sum() > 0:
                out[tuple(normalize_text(phrase).split())] = v / v.sum()
        for g, dim in self._genre_dim.items():
            v = np.zeros(k, np.float32)
            v[dim] = 1.0
            out[tuple(g.split())] = v
        return out

    def _names(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(mean genre-word vector of the track's playlist names (n, K), has one (n,))``: playlist names are
        matched against :meth:`_phrases`, longest phrase first, without overlaps."""
        t = self.table
        k = len(self.model.genres)
        phrases = self._phrases()
        longest = max((len(p) for p in phrases), default=0)
        out = np.zeros((n, k), np.float32)
        counts = np.zeros(n, np.float32)
        for lid, (kind, name) in enumerate(t.label_names):
            if kind != "playlist":
                continue
            tokens = normalize_text(name).split()
            v = np.zeros(k, np.float32)
            i = 0
            while i < len(tokens):
                for size in range(min(longest, len(tokens) - i), 0, -1):
                    hit = phrases.get(tuple(tokens[i : i + size]))
                    if hit is not None:
                        v += hit
                        i += size
                        break
                else:
                    i += 1
            if v.sum() <= 0:
                continue
            pos = np.fromiter(t.label_tracks.get(lid, ()), dtype=np.int64)
            pos = pos[pos < n]
            out[pos] += v / v.sum()
            counts[pos] += 1
        has = counts > 0
        out[has] /= counts[has, None]
        return out, has

    def _contexts(self, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(centroid of the track's playlist contexts (n, K), has a context (n,))`` — two sparse products over the
        track × context incidence matrix."""
        from scipy import sparse  # imported here: slash commands that never rank by style skip scipy

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
        if SHARPEN != 1.0:
            s = np.power(np.maximum(s, 0.0), SHARPEN, dtype=np.float32)
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
