"""Offline text understanding: a chat request -> :class:`~core.models.TextQuery` or :class:`NeedsClarification`.

Nothing here calls a network. Three layers of evidence, strongest first:

1. **Explicit rules** (regular expressions and token patterns): tempo ("around 120 bpm", "120-130 bpm", "over 140
   bpm"), years and decades ("90s", "early 2000s", "2010-2015", "since 2015", "last 5 years"), keys and modes
   ("minor key", "in C# minor"), "no vocals", result counts ("20 songs"), negations ("not Drake", "no rap",
   "without Ed Sheeran", "nothing sad") and artist references ("like Daft Punk", "by Queen"; rapidfuzz against the
   loaded catalog's artist names).
2. **Concept vocabulary** (``data/text_concepts.json``, hand-written): ~120 concepts (moods, activities, genres,
   eras, instruments, languages) with ~1,400 phrases -> target features, weights and label-text hints that are
   resolved against the loaded catalog's own labels at :meth:`TextUnderstanding.fit` time. Adjective cues (slow,
   happy, loud, acoustic...) carry priority 3 and override mood concepts (priority 2).
3. **Label evidence**: the request is matched against the loaded catalog's genre / subgenre / playlist names
   (whole-phrase, partial phrase, typo-tolerant with rapidfuzz, and wordllama embedding similarity) to produce
   ``labels`` weights; the audio-feature profiles (mean, std) of the matched labels give low-priority targets for the
   features the request did not constrain otherwise. When the loaded catalog has no labels at all, the same matching
   runs against ``data/text_profiles.json`` (profiles measured on the shipped catalog by
   ``benchmarks/build_text_profiles.py``), so "lofi beats" still yields targets on a plain imported CSV.

Per feature, the highest-priority evidence wins (numeric rules 4 > adjective cues 3 > concepts 2 > label/artist
profiles 1); evidence of equal priority is averaged by weight. Targets are in raw units (0–1, tempo BPM, loudness
dB, mode 0/1), weights in 0–1.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from rapidfuzz import fuzz, process

from core.catalog import normalize_text
from core.errors import InvalidInput
from core.models import AUDIO_FEATURES, FEATURE_RANGES, Filters, NeedsClarification, TextQuery
from core.table import FEATURE_INDEX, TrackTable

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CONCEPTS_PATH = DATA_DIR / "text_concepts.json"
PROFILES_PATH = DATA_DIR / "text_profiles.json"

#: Longest request accepted, in characters (the product issue's limit).
MAX_CHARS = 2000

# Priorities of evidence (higher wins per feature).
P_RULE, P_ADJ, P_CONCEPT, P_PROFILE = 4, 3, 2, 1

# Embedding thresholds, calibrated on wordllama l2_supercat_256 cosine similarities measured on the shipped labels:
# gibberish and off-topic words score 0.15–0.55 against label texts ("cats" vs "Tropical Beats" 0.55), on-topic
# requests 0.6–1.0 ("jazz" vs "Jazz Vibes" 0.79, "lush" vs "Lush Lofi" 0.72). Single words are matched on sub-word
# pieces, so word-to-concept similarity is only trusted for near-duplicates ("cats" vs "beats" scores 0.77).
LABEL_SIM_MIN = 0.6  # request text vs a label / profile text: becomes a label weight
LABEL_SIM_UNDERSTOOD = 0.65  # ... and counts as having understood the request
CONCEPT_SIM_MIN = 0.85  # an unknown word vs a concept phrase
MAX_LABELS = 12  # labels kept per polarity in a TextQuery

#: Words that carry no musical meaning in a request (plus greetings); a request made only of these is unclear.
STOPWORDS = frozenset(
    """a an the some any something anything someone this that these those it its is are was were be been being am
    i me my mine we us our you your he she they them their im ive id ill
    s t d ll ve re m
    and or but so if then than as of in on at to for from with into onto about around over under up down out off
    by via per
    please pls plz thanks thank thx ty hey hi hello hiya yo sup howdy greetings good ok okay cool
    yes yeah yep no nope sure maybe
    play playing put give gimme show find get make suggest recommend recommendation recommendations want wanna need
    looking look searching search could would should can will shall may might must do does did done let lets
    song songs music track tracks tune tunes playlist playlists list mix mixes stuff thing things kind kinds type
    types sort sorts genre genres artist artists record records jams jam sounds sound listen listening hear
    more most less very really so too just bit little lot lots much many few couple of all every each other
    while when during whilst before after now today tonight right here there where what which who whom whose why how
    """.split()
)
GREETINGS = frozenset("hello hi hey hiya yo sup howdy greetings thanks thank thx ty bye goodbye help".split())

_NEGATORS: tuple[tuple[str, ...], ...] = (
    ("anything", "but"),
    ("but", "not"),
    ("nothing", "by"),
    ("nothing", "from"),
    ("none", "of"),
    ("no", "more"),
    ("dont", "want"),
    ("don", "t", "want"),
    ("dont", "like"),
    ("don", "t", "like"),
    ("do", "not", "want"),
    ("except", "for"),
    ("not",),
    ("no",),
    ("without",),
    ("except",),
    ("excluding",),
    ("exclude",),
    ("minus",),
    ("avoid",),
    ("skip",),
    ("nothing",),
    ("never",),
    ("hate",),
    ("non",),
)
_ARTIST_CONNECTORS: tuple[tuple[str, ...], ...] = (
    ("in", "the", "style", "of"),
    ("in", "the", "vein", "of"),
    ("reminds", "me", "of"),
    ("similar", "to"),
    ("sounds", "like"),
    ("sound", "like"),
    ("sounding", "like"),
    ("style", "of"),
    ("fans", "of"),
    ("fan", "of"),
    ("such", "as"),
    ("inspired", "by"),
    ("songs", "by"),
    ("music", "by"),
    ("tracks", "by"),
    ("more", "of"),
    ("like",),
    ("by",),
    ("from",),
)
_FILLERS = frozenset("too any more much so the a an very overly really songs song music tracks stuff by from of".split())
_CHUNK_STOP = frozenset("and or nor but with please just only for in that while when at to".split())
_VOCAL_WORDS = frozenset("vocal vocals singing singer singers lyrics lyric words voice voices vocalist vocalists".split())
_GENERIC = STOPWORDS | frozenset(
    "hits hit best top playlist radio vibes vibe edition remastered presents collection greatest ultimate official "
    "the of and by volume vol mix mixes".split()
)

_PITCH = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_DECADE_WORDS = {
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
    "noughties": 2000,
    "aughts": 2000,
    "two thousands": 2000,
    "twenty tens": 2010,
}
_NUM_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
              "few": 3, "couple of": 2, "couple": 2}


# ---------------------------------------------------------------------------------------------------- embeddings
@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors: ``embed(texts) -> (len(texts), d)`` float32, each row L2-normalized."""

    def embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - protocol
        """Embed ``texts`` (list of n strings) into an ``(n, d)`` float32 array of unit vectors."""
        ...


class WordLlamaEmbedder:
    """:class:`Embedder` over a loaded ``wordllama`` model (256-d, ~0.05 ms per short sentence on one CPU core)."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return ``(len(texts), 256)`` float32 unit vectors (zero rows never occur for non-empty texts)."""
        vecs = np.asarray(self._model.embed(list(texts), norm=True), dtype=np.float32)
        return vecs.reshape(len(texts), -1)


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """Load wordllama (config ``l2_supercat``, 256-d) from the weights bundled inside the installed package.

    Offline by construction: ``cache_dir`` is the package directory (where ``weights/`` and ``tokenizers/`` ship) and
    ``disable_download=True`` makes wordllama raise instead of fetching; ``HF_HUB_OFFLINE=1`` is set as well.
    Cached: one model per process (~16 MB, ~1 s to load).

    Raises:
        FileNotFoundError: the bundled weights are missing (a broken install); nothing is downloaded.
        ImportError: wordllama is not installed.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    import wordllama
    from wordllama import WordLlama

    package_dir = Path(wordllama.__file__).resolve().parent
    return WordLlamaEmbedder(WordLlama.load(cache_dir=package_dir, disable_download=True))


# ---------------------------------------------------------------------------------------------------- text helpers
def _fold(text: str) -> str:
    """Lower-case, strip accents, unify apostrophes and spell R&B / D&B as single words."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[\u2018\u2019\u201b\u0060\u00b4]", "'", text)
    text = re.sub(r"\b(\d0)\s?'\s?s\b", r"\1s", text)  # "90's" / "90 's" -> "90s"
    text = re.sub(r"\br\s*(?:&|'?n'?|and)\s*b\b", " rnb ", text)
    text = re.sub(r"\bd\s*&\s*b\b", " dnb ", text)
    return re.sub(r"\s*&\s*", " and ", text)


_DELIM_RE = re.compile(r"[,;.!?:()\[\]{}|/\n\u2013\u2014]+")
_NONWORD_RE = re.compile(r"[^\w,]+|_")


def _tokenize(folded: str) -> list[str]:
    """Split folded text into word tokens; clause punctuation becomes a ``","`` delimiter token."""
    text = _DELIM_RE.sub(" , ", folded)
    return _NONWORD_RE.sub(" ", text).split()


def _label_tokens(text: str) -> list[str]:
    """Word tokens of a label text (no delimiters), folded like requests."""
    return [t for t in _tokenize(_fold(text)) if t != ","]


def _keys(tokens: list[str]) -> tuple[str, str]:
    """``(spaced, compact)`` lookup keys of a phrase: ``["lo", "fi"] -> ("lo fi", "lofi")``."""
    return " ".join(tokens), "".join(tokens)


def _clamp(name: str, value: float) -> float:
    lo, hi = FEATURE_RANGES[name]
    return float(min(hi, max(lo, value)))


# ---------------------------------------------------------------------------------------------------- static data
@dataclass(slots=True)
class Concept:
    """One vocabulary concept (see ``data/text_concepts.json`` for the meaning of each field)."""

    name: str
    phrases: list[str]
    target: dict[str, float]
    weights: dict[str, float]
    hints: dict[str, float]
    priority: int = P_CONCEPT
    years: tuple[int | None, int | None] | None = None
    years_relative: tuple[int | None, int | None] | None = None
    cue: str = ""


@dataclass(slots=True)
class Vocabulary:
    """The concept list plus a phrase index: spaced and compact phrase keys -> concept ids."""

    concepts: list[Concept]
    index: dict[str, list[int]]
    words: list[str]  # single-word keys, for typo matching
    max_len: int


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = CONCEPTS_PATH) -> Vocabulary:
    """Load and index the concept vocabulary JSON (cached per path).

    Raises:
        ValueError: a concept names an unknown audio feature or a weight outside 0–1.
    """
    doc = json.loads(path.read_text(encoding="utf-8"))
    concepts: list[Concept] = []
    index: dict[str, list[int]] = {}
    max_len = 1
    for raw in doc["concepts"]:
        for name, value in list(raw["target"].items()) + list(raw["weights"].items()):
            if name not in FEATURE_INDEX:
                raise ValueError(f"concept {raw['name']!r}: unknown feature {name!r}")
        if any(not 0 <= w <= 1 for w in raw["weights"].values()):
            raise ValueError(f"concept {raw['name']!r}: weights must be within 0..1")
        years = raw.get("years")
        rel = raw.get("years_relative")
        concept = Concept(
            name=raw["name"],
            phrases=raw["phrases"],
            target={k: float(v) for k, v in raw["target"].items()},
            weights={k: float(v) for k, v in raw["weights"].items()},
            hints={k: float(v) for k, v in raw.get("labels", {}).items()},
            priority=int(raw.get("priority", P_CONCEPT)),
            years=tuple(years) if years else None,  # type: ignore[arg-type]
            years_relative=tuple(rel) if rel else None,  # type: ignore[arg-type]
            cue=raw.get("cue", ""),
        )
        cid = len(concepts)
        concepts.append(concept)
        for phrase in concept.phrases:
            toks = _label_tokens(phrase)
            if not toks:
                continue
            max_len = max(max_len, len(toks))
            for key in set(_keys(toks)):
                ids = index.setdefault(key, [])
                if cid not in ids:
                    ids.append(cid)
    words = sorted(k for k in index if " " not in k and len(k) >= 4)
    return Vocabulary(concepts, index, words, max_len)


@dataclass(slots=True)
class LabelSet:
    """Label texts with their audio-feature profiles and lookup indexes (one per catalog fit, one for shipped data).

    Attributes:
        kinds, texts: per label, ``genre|subgenre|playlist`` and the text as stored; ``keys`` = ``"kind:text"``.
        mean, std: ``(n, 11)`` float32 raw-unit profiles in AUDIO_FEATURES order; ``count``: tracks per label.
        exact: phrase key (spaced and compact) of a whole label text -> label ids.
        grams: key of every 1–3 word n-gram inside a label text -> ``[(label id, coverage 0–1)]``.
        global_mean, global_std: ``(11,)`` over all tracks the profiles come from.
        emb: ``(n, d)`` unit vectors of the texts, or None without an embedder.
    """

    kinds: list[str]
    texts: list[str]
    keys: list[str]
    mean: np.ndarray
    std: np.ndarray
    count: np.ndarray
    global_mean: np.ndarray
    global_std: np.ndarray
    exact: dict[str, list[int]] = field(default_factory=dict)
    grams: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    emb: np.ndarray | None = None
    year_max: int = 0

    @classmethod
    def build(
        cls,
        kinds: list[str],
        texts: list[str],
        mean: np.ndarray,
        std: np.ndarray,
        count: np.ndarray,
        global_mean: np.ndarray,
        global_std: np.ndarray,
    ) -> LabelSet:
        """Index the label texts (exact phrase keys and informative n-grams)."""
        ls = cls(kinds, texts, [f"{k}:{t}" for k, t in zip(kinds, texts)], mean, std, count, global_mean, global_std)
        for lid, text in enumerate(texts):
            toks = _label_tokens(text)
            if not toks:
                continue
            for key in set(_keys(toks)):
                ls.exact.setdefault(key, []).append(lid)
            informative = max(1, sum(t not in _GENERIC and not t.isdigit() for t in toks))
            seen: set[str] = set()
            for n in (1, 2, 3):
                for i in range(len(toks) - n + 1):
                    gram = toks[i : i + n]
                    if all(t in _GENERIC or t.isdigit() for t in gram):
                        continue
                    coverage = min(1.0, sum(t not in _GENERIC for t in gram) / informative)
                    for key in _keys(gram):
                        if key not in seen:
                            seen.add(key)
                            ls.grams.setdefault(key, []).append((lid, coverage))
        return ls

    def __len__(self) -> int:
        return len(self.texts)

    def resolve_hint(self, hint: str, weight: float) -> dict[int, float]:
        """Labels a hint text names: whole-label match -> ``weight``, inside a label -> ``weight * 0.8 * sqrt(cov)``."""
        toks = _label_tokens(hint)
        out: dict[int, float] = {}
        if not toks:
            return out
        for key in _keys(toks):
            for lid, cov in self.grams.get(key, ()):
                out[lid] = max(out.get(lid, 0.0), weight * 0.8 * math.sqrt(cov))
            for lid in self.exact.get(key, ()):
                out[lid] = weight
        return out


@lru_cache(maxsize=4)
def load_shipped_profiles(path: Path = PROFILES_PATH) -> LabelSet:
    """Load ``data/text_profiles.json`` (built by ``benchmarks/build_text_profiles.py``) as a :class:`LabelSet`."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    order = [doc["features"].index(f) for f in AUDIO_FEATURES]
    profiles = doc["profiles"]
    mean = np.asarray([[p["mean"][i] for i in order] for p in profiles], dtype=np.float32).reshape(-1, len(order))
    std = np.asarray([[p["std"][i] for i in order] for p in profiles], dtype=np.float32).reshape(-1, len(order))
    g = doc["global"]
    shipped = LabelSet.build(
        [p["kind"] for p in profiles],
        [p["text"] for p in profiles],
        mean,
        std,
        np.asarray([p["count"] for p in profiles], dtype=np.int32),
        np.asarray([g["mean"][i] for i in order], dtype=np.float32),
        np.maximum(np.asarray([g["std"][i] for i in order], dtype=np.float32), 1e-6),
    )
    shipped.year_max = int(g.get("year_max", 2020))
    return shipped


# ---------------------------------------------------------------------------------------------------- per-request state
@dataclass(slots=True)
class _Request:
    """Evidence collected while parsing one request."""

    raw: str
    limit: int
    caps: set[str]
    targets: list[tuple[int, str, float, float]] = field(default_factory=list)  # (priority, feature, value, weight)
    pos_labels: dict[int, float] = field(default_factory=dict)  # catalog label id -> weight
    neg_labels: dict[int, float] = field(default_factory=dict)
    ship_hits: dict[int, float] = field(default_factory=dict)  # shipped profile id -> weight
    genres: list[str] = field(default_factory=list)
    artists: list[int] = field(default_factory=list)  # artist ids
    excluded: list[int] = field(default_factory=list)
    concepts: dict[int, float] = field(default_factory=dict)  # concept id -> strength
    negated: dict[int, float] = field(default_factory=dict)
    year_ranges: list[tuple[int, int]] = field(default_factory=list)
    year_lo: int | None = None
    year_hi: int | None = None
    tempo_min: float | None = None
    tempo_max: float | None = None
    support: dict[int, set[str]] = field(default_factory=dict)  # label id -> request phrases that named it
    cues: list[str] = field(default_factory=list)
    evidence: list[float] = field(default_factory=list)  # per piece of evidence, its 0–1 strength
    known: int = 0
    unknown: list[str] = field(default_factory=list)

    def target(self, priority: int, name: str, value: float, weight: float) -> None:
        if weight > 0:
            self.targets.append((priority, name, _clamp(name, value), min(1.0, weight)))

    def cue(self, text: str) -> None:
        if text and text not in self.cues:
            self.cues.append(text)


@dataclass(slots=True)
class _Catalog:
    """What :meth:`TextUnderstanding.fit` learned from one table."""

    labels: LabelSet
    hints: list[dict[int, float]]  # per concept: catalog label id -> weight
    artist_index: dict[str, int]
    artist_display: list[str]
    artist_count: np.ndarray
    fuzzy_names: list[str]
    fuzzy_ids: list[int]
    year_max: int
    suggestions: list[str]
    words: dict[str, list[str]]  # first letter -> words of the vocabulary and the labels, for typo matching


_FEATURE_WORDS: dict[str, tuple[str, str]] = {
    "energy": ("calm", "energetic"),
    "valence": ("sad/dark", "happy"),
    "danceability": ("less danceable", "danceable"),
    "acousticness": ("electric", "acoustic"),
    "instrumentalness": ("vocal", "instrumental"),
    "speechiness": ("few spoken words", "rap/spoken"),
    "liveness": ("studio", "live"),
    "loudness": ("quiet", "loud"),
    "mode": ("minor", "major"),
}


def _describe(target: dict[str, float], weights: dict[str, float], gmean: np.ndarray, gstd: np.ndarray,
              limit: int = 3) -> str:
    """Short human words for the strongest distinctive targets, e.g. ``"instrumental, calm"``.

    A feature is named only when its target sits at least half a catalog standard deviation from the catalog mean.
    """
    words = []
    for name in sorted(weights, key=lambda n: -weights[n]):
        if name not in target:
            continue
        i = FEATURE_INDEX[name]
        z = (target[name] - float(gmean[i])) / max(float(gstd[i]), 1e-6)
        if name == "tempo" and abs(z) >= 0.3:
            words.append(f"~{target[name]:.0f} BPM")
        elif name == "mode":
            words.append("major" if target[name] >= 0.5 else "minor")
        elif name in _FEATURE_WORDS and abs(z) >= 0.5:
            low, high = _FEATURE_WORDS[name]
            words.append(high if z > 0 else low)
        if len(words) == limit:
            break
    return ", ".join(dict.fromkeys(words))


class TextUnderstanding:
    """Turns a free-text music request into a :class:`TextQuery` using only local data.

    Usage: ``tu = TextUnderstanding(); tu.fit(table); tu.parse("chill study music")``. ``fit`` learns the loaded
    catalog's label texts (genre / subgenre / playlist names), their audio-feature profiles and its artist names;
    ``parse`` can be called before any fit (it then relies on the vocabulary and the shipped profiles only).

    Args:
        embedder: text embedder for similarity matching; None loads :func:`default_embedder` (wordllama, offline).
            If that cannot be loaded the component still works, without embedding similarity (a warning is logged).
    """

    def __init__(self, embedder: Embedder | None = None) -> None:
        if embedder is None:
            try:
                embedder = default_embedder()
            except Exception as exc:  # a broken install must not take text understanding down
                log.warning("text embeddings unavailable (%s); continuing with rules and fuzzy matching only", exc)
        self.embedder = embedder
        self.vocab = load_vocabulary()
        self.shipped = dataclasses.replace(load_shipped_profiles())  # own copy: .emb depends on the embedder
        self._ship_hints = [self._resolve_hints(c, self.shipped) for c in self.vocab.concepts]
        self._emb_cache: dict[str, np.ndarray] = {}
        self._phrase_emb: np.ndarray | None = None
        self._phrase_concept: list[int] = []
        self._phrase_text: list[str] = []
        self._table: TrackTable | None = None
        self._version = -1
        self._cat = self._empty_catalog()
        self._rule_list = self._rules()

    # ------------------------------------------------------------------------------------------ fitting
    def fit(self, table: TrackTable) -> None:
        """Learn from the loaded catalog: label profiles, label embeddings, artist names, newest year.

        Label profiles are the mean and std (raw units) of each feature over the live tracks carrying the label.
        Label texts are embedded once and cached by text, so refits after catalog edits only embed new labels.
        Works on a table without labels (targets then come from the shipped profiles). ~0.2 s on 28k tracks.
        """
        alive = table.alive_positions()
        feats = table.features[alive].astype(np.float64) if len(alive) else np.zeros((0, len(AUDIO_FEATURES)))
        if len(alive) >= 2:
            gmean = feats.mean(axis=0).astype(np.float32)
            gstd = np.maximum(feats.std(axis=0), 1e-6).astype(np.float32)
        else:
            gmean, gstd = self.shipped.global_mean, self.shipped.global_std
        kinds, texts, means, stds, counts = [], [], [], [], []
        for lid, (kind, text) in enumerate(table.label_names):
            members = table.label_tracks.get(lid)
            if not members:
                continue
            idx = np.fromiter(members, dtype=np.int64, count=len(members))
            sub = table.features[idx]
            kinds.append(kind)
            texts.append(text)
            means.append(sub.mean(axis=0))
            stds.append(sub.std(axis=0))
            counts.append(len(idx))
        shape = (len(texts), len(AUDIO_FEATURES))
        labels = LabelSet.build(
            kinds,
            texts,
            np.asarray(means, dtype=np.float32).reshape(shape),
            np.asarray(stds, dtype=np.float32).reshape(shape),
            np.asarray(counts, dtype=np.int32),
            gmean,
            gstd,
        )
        labels.emb = self._embed_cached(texts)
        # artists: normalized name -> id (the table's own index), display spelling, live track counts
        display = [""] * len(table.artist_names)
        for p in alive.tolist():
            for name, aid in zip(table.artists[p], table.artist_ids[p]):
                if not display[aid]:
                    display[aid] = name
        count = np.zeros(len(table.artist_names), dtype=np.int32)
        for aid, members in table.artist_tracks.items():
            if aid < len(count):
                count[aid] = len(members)
        live = [aid for aid in range(len(count)) if count[aid] > 0 and len(table.artist_names[aid]) >= 2]
        years = table.year[alive]
        years = years[years > 0]
        year_max = int(years.max()) if len(years) else self.shipped.year_max
        genre_counts = sorted(
            ((int(c), t) for k, t, c in zip(kinds, texts, counts) if k == "genre"), reverse=True
        )
        self._cat = _Catalog(
            labels=labels,
            hints=[self._resolve_hints(c, labels) for c in self.vocab.concepts],
            artist_index=table.artist_index,
            artist_display=display,
            artist_count=count,
            fuzzy_names=[table.artist_names[a] for a in live],
            fuzzy_ids=live,
            year_max=year_max,
            suggestions=[t for _, t in genre_counts[:3]],
            words=self._word_list(labels),
        )
        self._ensure_static_embeddings()
        self._table = table
        self._version = table.version

    def update(self, table: TrackTable) -> None:
        """Refresh after catalog edits: refits when ``table`` is another table or its ``version`` changed.

        Cheap: label embeddings are cached by text, so only new label texts are embedded.
        """
        if table is not self._table or table.version != self._version:
            self.fit(table)

    def _empty_catalog(self) -> _Catalog:
        empty = np.zeros((0, len(AUDIO_FEATURES)), dtype=np.float32)
        labels = LabelSet.build(
            [], [], empty, empty, np.zeros(0, np.int32), self.shipped.global_mean, self.shipped.global_std
        )
        return _Catalog(labels, [{} for _ in self.vocab.concepts], {}, [], np.zeros(0, np.int32), [], [],
                        self.shipped.year_max, [], self._word_list(labels))

    def _word_list(self, labels: LabelSet) -> dict[str, list[str]]:
        words = set(self.vocab.words)
        for source in (labels.exact, labels.grams, self.shipped.exact, self.shipped.grams):
            words.update(k for k in source if " " not in k and len(k) >= 4 and not k.isdigit() and k not in _GENERIC)
        buckets: dict[str, list[str]] = {}
        for w in sorted(words):  # typos rarely change the first letter; bucketing keeps fuzzy matching ~10 µs
            buckets.setdefault(w[0], []).append(w)
        return buckets

    def _resolve_hints(self, concept: Concept, labels: LabelSet) -> dict[int, float]:
        out: dict[int, float] = {}
        for hint, weight in concept.hints.items():
            for lid, w in labels.resolve_hint(hint, weight).items():
                out[lid] = max(out.get(lid, 0.0), w)
        best = sorted(out.items(), key=lambda kv: (-kv[1], -int(labels.count[kv[0]])))[:8]
        return dict(best)

    def _embed_cached(self, texts: list[str]) -> np.ndarray | None:
        if self.embedder is None:
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._emb_cache]
        if missing:
            vecs = self.embedder.embed([" ".join(_label_tokens(t)) or t for t in missing])
            for t, v in zip(missing, vecs):
                self._emb_cache[t] = np.asarray(v, dtype=np.float32)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._emb_cache[t] for t in texts])

    def _ensure_static_embeddings(self) -> None:
        if self.embedder is None or self._phrase_emb is not None:
            return
        phrases, owners = [], []
        for cid, concept in enumerate(self.vocab.concepts):
            for phrase in concept.phrases:
                phrases.append(phrase)
                owners.append(cid)
        self._phrase_emb = np.asarray(self.embedder.embed(phrases), dtype=np.float32)
        self._phrase_concept = owners
        self._phrase_text = phrases
        if self.shipped.emb is None:
            self.shipped.emb = self._embed_cached(self.shipped.texts)

    # ------------------------------------------------------------------------------------------ parsing
    def parse(self, text: str, limit: int = 10) -> TextQuery | NeedsClarification:
        """Understand one request.

        Args:
            text: the user's words, 1–2,000 characters.
            limit: number of tracks wanted (clamped to 1–50); a count in the text ("20 songs") overrides it.

        Returns:
            A :class:`TextQuery` (targets in raw units, weights 0–1, ``labels`` keyed ``"kind:label text"`` of the
            loaded catalog with weights −1..1, filters, cues, confidence 0–1), or :class:`NeedsClarification` when
            nothing musical was recognised (gibberish, greetings, "play something").

        Raises:
            InvalidInput: empty / whitespace-only text, or more than 2,000 characters.
        """
        if not isinstance(text, str) or not text.strip():
            raise InvalidInput("Please describe the music you want (the request was empty).", field="text")
        if len(text) > MAX_CHARS:
            raise InvalidInput(
                f"That request is {len(text):,} characters long; please keep it under {MAX_CHARS:,}.",
                field="text",
                allowed=f"1–{MAX_CHARS} characters",
            )
        if self._table is not None and self._table.version != self._version:
            self.fit(self._table)
        raw = text.strip()
        caps = {normalize_text(w) for w in re.findall(r"\b[A-Z][\w'&.-]*", raw)}
        req = _Request(raw=raw, limit=max(1, min(50, int(limit))), caps=caps)
        folded = self._apply_rules(_fold(raw), req)
        tokens = _tokenize(folded)
        used = [t == "," for t in tokens]
        self._negations(tokens, used, req)
        self._artist_refs(tokens, used, req)
        content = [t for t, u in zip(tokens, used) if not u and t not in STOPWORDS and not t.isdigit()]
        self._phrases(tokens, used, req)
        self._bare_artists(tokens, used, req)
        req.unknown = [t for t, u in zip(tokens, used) if not u and t not in STOPWORDS and not t.isdigit()]
        self._typos(req)
        self._embeddings(content, req)
        if not req.evidence:
            return self._clarify(raw)
        return self._build(req)

    # -- explicit numeric / key / vocal rules (run on folded text, before tokenizing) --------------------
    def _apply_rules(self, s: str, req: _Request) -> str:
        for pattern, handler in self._rule_list:
            s = pattern.sub(lambda m, h=handler: " , " if h(m, req) else m.group(0), s)
        return s

    def _rules(self) -> list[tuple[re.Pattern[str], Callable[[re.Match[str], _Request], bool]]]:
        bpm = r"\s*(?:bpm|beats per minute|beats a minute|beats/min)\b"
        year = r"((?:19|20)\d{2})"
        dec = r"(?:the\s+)?'?((?:19|20)\d0|\d0)\s?'?s\b"
        decw = r"(fifties|sixties|seventies|eighties|nineties|noughties|aughts|two thousands|twenty tens)\b"
        return [
            (re.compile(rf"\b(?:between\s+)?(\d{{2,3}})\s*(?:-|to|and|\u2013)\s*(\d{{2,3}}){bpm}"), self._r_tempo_range),
            (re.compile(rf"\b((?:no|not) (?:more|faster|higher|quicker) than)\s*(\d{{2,3}}){bpm}"), self._r_tempo_max),
            (re.compile(rf"\b((?:no|not) (?:less|slower|lower) than)\s*(\d{{2,3}}){bpm}"), self._r_tempo_min),
            (re.compile(rf"\b(over|above|faster than|more than|at least|min(?:imum)?|greater than|>=?)\s*(\d{{2,3}}){bpm}"),
             self._r_tempo_min),
            (re.compile(rf"\b(\d{{2,3}})\s*(?:\+|plus){bpm}|\b(\d{{2,3}}){bpm}\s*(?:or|and)\s*(?:more|above|faster|up|higher)\b"),
             self._r_tempo_min2),
            (re.compile(rf"\b(under|below|slower than|less than|at most|max(?:imum)?|up to|<=?)\s*(\d{{2,3}}){bpm}"),
             self._r_tempo_max),
            (re.compile(rf"(?:\b(around|about|approximately|approx|roughly|circa|near|close to|at|@)\s*|~\s*)?\b(\d{{2,3}}){bpm}"),
             self._r_tempo_point),
            (re.compile(rf"\b(?:between\s+|from\s+)?{year}\s*(?:-|to|until|till|through|thru|and|\u2013)\s*((?:19|20)?\d{{2}})\b"),
             self._r_year_range),
            (re.compile(rf"\b(since|after|post|newer than|later than|before|pre|until|till|up to|prior to|older than|earlier than|from)?\s*(early|late|mid|middle)?\s*-?\s*{dec}"),
             self._r_decade),
            (re.compile(rf"\b(since|after|post|before|pre|until|from)?\s*(early|late|mid|middle)?\s*(?:the\s+)?{decw}"),
             self._r_decade_word),
            (re.compile(rf"\b(since|after|post|newer than|later than|before|pre|until|till|up to|prior to|older than|earlier than)\s*-?\s*{year}\b"),
             self._r_year_bound),
            (re.compile(rf"\b(?:from\s+)?{year}\s*(\+|onwards?|and (?:later|newer|after|up|beyond)|or (?:later|newer)|(?:up )?(?:to|till|until) (?:now|present|today)|or (?:earlier|older|before)|and (?:earlier|older|before))"),
             self._r_year_open),
            (re.compile(r"\b(?:last|past|previous)\s+(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|few|couple of)\s+years\b"),
             self._r_last_years),
            (re.compile(rf"\b(?:(?:released |recorded |made )?(?:in|from|of|year)\s+)?{year}\b"), self._r_year),
            (re.compile(r"\b(?:in\s+(?:the\s+key\s+of\s+)?)?([a-g])\s*(#|sharp|flat|b)?\s+(major|minor|maj|min)\b(\s+keys?)?"),
             self._r_key),
            (re.compile(r"\b(?:in\s+(?:an?\s+)?)?(minor|major)(\s+(?:keys?|modes?|scales?|tonality|chords?)\b|(?=\s|$|,))"),
             self._r_mode),
            (re.compile(r"\b(?:no|without|zero|w/o|free of|minus|not any|nothing with|don'?t want|less|skip the)\s+(?:any\s+|the\s+)?"
                        r"(?:vocals?|singing|singers?|lyrics?|words|voices?|vocalists?|vox)\b|\b(?:vocal|lyrics?|voice)\s*-?\s*free\b|\bwordless\b"),
             self._r_no_vocals),
            (re.compile(r"\b(?:top\s+)?(\d{1,2})\s+(?:songs|tracks|tunes|recommendations|picks|suggestions|records|jams)\b"),
             self._r_limit),
        ]

    def _r_tempo_range(self, m: re.Match[str], req: _Request) -> bool:
        lo, hi = sorted((float(m.group(1)), float(m.group(2))))
        if not 30 <= lo <= 250 or not 30 <= hi <= 250:
            return False
        req.tempo_min, req.tempo_max = lo, hi
        req.target(P_RULE, "tempo", (lo + hi) / 2, 1.0)
        req.cue(f"{lo:.0f}–{hi:.0f} BPM → tempo filter")
        req.evidence.append(0.6)
        return True

    def _r_tempo_min(self, m: re.Match[str], req: _Request) -> bool:
        return self._tempo_bound(float(m.group(2)), "min", req)

    def _r_tempo_min2(self, m: re.Match[str], req: _Request) -> bool:
        return self._tempo_bound(float(m.group(1) or m.group(2)), "min", req)

    def _r_tempo_max(self, m: re.Match[str], req: _Request) -> bool:
        return self._tempo_bound(float(m.group(2)), "max", req)

    def _tempo_bound(self, bpm: float, side: str, req: _Request) -> bool:
        if not 30 <= bpm <= 250:
            return False
        if side == "min":
            req.tempo_min = bpm
            req.target(P_RULE, "tempo", bpm + 12, 0.6)
            req.cue(f"over {bpm:.0f} BPM → tempo ≥ {bpm:.0f}")
        else:
            req.tempo_max = bpm
            req.target(P_RULE, "tempo", max(40.0, bpm - 12), 0.6)
            req.cue(f"under {bpm:.0f} BPM → tempo ≤ {bpm:.0f}")
        req.evidence.append(0.6)
        return True

    def _r_tempo_point(self, m: re.Match[str], req: _Request) -> bool:
        bpm = float(m.group(2))
        if not 30 <= bpm <= 250:
            return False
        # "around 120 bpm" tolerates ±10 BPM, a bare "120 bpm" ±6 BPM (a beat-tracker's typical error is a few BPM)
        tol = 10.0 if m.group(1) or m.group(0).lstrip().startswith("~") else 6.0
        req.tempo_min, req.tempo_max = bpm - tol, bpm + tol
        req.target(P_RULE, "tempo", bpm, 1.0)
        req.cue(f"{'around ' if tol == 10 else ''}{bpm:.0f} BPM → tempo {bpm - tol:.0f}–{bpm + tol:.0f}")
        req.evidence.append(0.6)
        return True

    def _r_year_range(self, m: re.Match[str], req: _Request) -> bool:
        a = int(m.group(1))
        b_raw = m.group(2)
        b = int(b_raw) if len(b_raw) == 4 else (a // 100) * 100 + int(b_raw)
        lo, hi = sorted((a, b))
        if lo < 1900 or hi > 2100:
            return False
        req.year_ranges.append((lo, hi))
        req.cue(f"{lo}–{hi} → years {lo}–{hi}")
        req.evidence.append(0.6)
        return True

    @staticmethod
    def _decade_start(text: str) -> int:
        value = int(text)
        if value >= 1900:
            return value
        return 2000 + value if value <= 30 else 1900 + value

    def _decade_common(self, prefix: str | None, mod: str | None, start: int, label: str, req: _Request) -> bool:
        lo, hi = start, start + 9
        if mod == "early":
            hi = start + 3
        elif mod in ("mid", "middle"):
            lo, hi = start + 3, start + 6
        elif mod == "late":
            lo = start + 6
        if prefix in ("since", "newer than", "later than"):
            req.year_lo = lo
            req.cue(f"since the {label} → from {lo}")
        elif prefix in ("after", "post"):
            req.year_lo = hi + 1
            req.cue(f"after the {label} → from {hi + 1}")
        elif prefix in ("before", "pre", "prior to", "older than", "earlier than"):
            req.year_hi = lo - 1
            req.cue(f"before the {label} → up to {lo - 1}")
        elif prefix in ("until", "till", "up to"):
            req.year_hi = hi
            req.cue(f"until the {label} → up to {hi}")
        else:
            req.year_ranges.append((lo, hi))
            req.cue(f"{(mod + ' ') if mod else ''}{label} → {lo}–{hi}")
            labels = self._cat.labels  # catalog labels named after the decade ("90s Dance Hits")
            for key in (f"{start % 100:02d}s", f"{start}s"):
                for lid, cov in labels.grams.get(key, ()):
                    self._label(lid, 0.5 * math.sqrt(cov), req, negated=False, source="decade")
        req.evidence.append(0.6)
        return True

    def _r_decade(self, m: re.Match[str], req: _Request) -> bool:
        start = self._decade_start(m.group(3))
        if start % 10 or not 1900 <= start <= 2090:
            return False
        return self._decade_common(m.group(1), m.group(2), start, f"{start}s", req)

    def _r_decade_word(self, m: re.Match[str], req: _Request) -> bool:
        start = _DECADE_WORDS[m.group(3)]
        return self._decade_common(m.group(1), m.group(2), start, m.group(3), req)

    def _r_year_bound(self, m: re.Match[str], req: _Request) -> bool:
        prefix, year = m.group(1), int(m.group(2))
        if prefix in ("since", "newer than", "later than"):
            req.year_lo = year
        elif prefix in ("after", "post"):
            req.year_lo = year + 1
        elif prefix in ("until", "till", "up to"):
            req.year_hi = year
        else:
            req.year_hi = year - 1
        req.cue(f"{prefix} {year} → " + (f"from {req.year_lo}" if req.year_lo and prefix in (
            "since", "newer than", "later than", "after", "post") else f"up to {req.year_hi}"))
        req.evidence.append(0.6)
        return True

    def _r_year_open(self, m: re.Match[str], req: _Request) -> bool:
        year, tail = int(m.group(1)), m.group(2)
        if any(w in tail for w in ("earlier", "older", "before")):
            req.year_hi = year
            req.cue(f"{year} or earlier → up to {year}")
        else:
            req.year_lo = year
            req.cue(f"{year} onwards → from {year}")
        req.evidence.append(0.6)
        return True

    def _r_last_years(self, m: re.Match[str], req: _Request) -> bool:
        n_raw = m.group(1)
        n = int(n_raw) if n_raw.isdigit() else _NUM_WORDS.get(n_raw, 3)
        req.year_lo = self._cat.year_max - max(1, n) + 1
        req.cue(f"last {n} years → from {req.year_lo}")
        req.evidence.append(0.6)
        return True

    def _r_year(self, m: re.Match[str], req: _Request) -> bool:
        year = int(m.group(1))
        if not 1900 <= year <= self._cat.year_max + 1:
            return False
        req.year_ranges.append((year, year))
        req.cue(f"{year} → released in {year}")
        req.evidence.append(0.6)
        return True

    def _r_key(self, m: re.Match[str], req: _Request) -> bool:
        letter, acc, quality, key_word = m.group(1), m.group(2), m.group(3), m.group(4)
        if letter == "a" and key_word and not re.search(r"\bA\s*(?:#|sharp|flat|b)?\s+(?:major|minor|maj|min)\b", req.raw):
            return False  # "a minor key": the article, not A minor — left to the mode rule
        pc = _PITCH[letter] + {"#": 1, "sharp": 1, "flat": -1, "b": -1}.get((acc or "").strip(), 0)
        mode = 0 if quality.startswith("min") else 1
        req.target(P_RULE, "key", pc % 12, 0.8)
        req.target(P_RULE, "mode", mode, 1.0)
        name = letter.upper() + {"#": "#", "sharp": "#", "flat": "b", "b": "b"}.get((acc or "").strip(), "")
        req.cue(f"{name} {'minor' if mode == 0 else 'major'} → key {pc % 12}, mode {mode}")
        req.evidence.append(0.6)
        return True

    def _r_mode(self, m: re.Match[str], req: _Request) -> bool:
        quality, tail = m.group(1), (m.group(2) or "").strip()
        if quality == "major" and not tail and "in" not in m.group(0).split():
            return False  # a bare "major" ("major hits") is not about the key
        mode = 0 if quality == "minor" else 1
        req.target(P_RULE, "mode", mode, 1.0 if tail else 0.8)
        req.cue(f"{quality} key → mode {mode} ({quality})")
        req.evidence.append(0.6)
        return True

    def _r_no_vocals(self, m: re.Match[str] | None, req: _Request) -> bool:
        req.target(P_RULE, "instrumentalness", 0.8, 1.0)
        req.target(P_RULE, "speechiness", 0.04, 0.6)
        req.cue("no vocals → instrumental (instrumentalness > 0.5)")
        req.evidence.append(0.6)
        return True

    def _r_limit(self, m: re.Match[str], req: _Request) -> bool:
        n = int(m.group(1))
        if not 1 <= n <= 50:
            return False
        req.limit = n
        return True

    # -- negations and artist references (token patterns) ---------------------------------------------------
    @staticmethod
    def _match_seq(tokens: list[str], used: list[bool], i: int, seqs: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
        for seq in seqs:
            n = len(seq)
            if tuple(tokens[i : i + n]) == seq and not any(used[i : i + n]):
                return seq
        return ()

    @staticmethod
    def _chunk_end(tokens: list[str], used: list[bool], start: int, max_len: int = 5) -> int:
        end = start
        while end < len(tokens) and end - start < max_len and not used[end] and tokens[end] not in _CHUNK_STOP:
            end += 1
        return end

    def _artist_exact(self, tokens: list[str]) -> int | None:
        aid = self._cat.artist_index.get(" ".join(tokens))
        if aid is None or aid >= len(self._cat.artist_count) or self._cat.artist_count[aid] == 0:
            return None
        return aid

    def _artist_fuzzy(self, tokens: list[str], cutoff: float) -> int | None:
        query = " ".join(tokens)
        if len(query) < 4 or not self._cat.fuzzy_names:
            return None
        hit = process.extractOne(query, self._cat.fuzzy_names, scorer=fuzz.ratio, score_cutoff=cutoff)
        return self._cat.fuzzy_ids[hit[2]] if hit else None

    def _is_caps(self, tokens: list[str], req: _Request) -> bool:
        return all(t in req.caps for t in tokens)

    def _negations(self, tokens: list[str], used: list[bool], req: _Request) -> None:
        i = 0
        while i < len(tokens):
            seq = () if used[i] else self._match_seq(tokens, used, i, _NEGATORS)
            if not seq:
                i += 1
                continue
            j, strict, done = i + len(seq), False, False
            while True:
                k = j
                while k < len(tokens) and not used[k] and tokens[k] in _FILLERS:
                    k += 1
                end = self._chunk_end(tokens, used, k)
                n = self._resolve_negated(tokens[k:end], req, strict) if end > k else 0
                if not n:
                    break
                for p in range(i if not done else j, k + n):
                    used[p] = True
                done, j = True, k + n
                if j + 1 < len(tokens) and tokens[j] in (",", "or", "nor", "and") and not used[j + 1]:
                    j, strict = j + 1, True  # "no rap or trap", "not Drake, Future" continue the negation
                    continue
                break
            i = j if done else i + 1

    def _resolve_negated(self, chunk: list[str], req: _Request, strict: bool) -> int:
        """Apply a negated chunk ("rap", "drake", "sad songs"); return how many of its tokens were used (0 = none)."""
        for n in range(min(4, len(chunk)), 0, -1):
            gram = chunk[:n]
            if n == 1 and gram[0] in _VOCAL_WORDS:
                self._r_no_vocals(None, req)  # "without any singing" reached through the negation path
                return 1
            caps_artist = self._artist_exact(gram) if self._is_caps(gram, req) else None
            if caps_artist is not None:
                self._exclude_artist(caps_artist, " ".join(gram), req)
                return n
            hit = self._lookup(gram)
            if hit["concepts"] or hit["exact"] or hit["ship_exact"]:
                if strict and not (hit["exact"] or hit["ship_exact"]):
                    continue
                self._apply_hit(gram, hit, req, negated=True)
                return n
            aid = self._artist_exact(gram)
            if aid is not None:
                self._exclude_artist(aid, " ".join(gram), req)
                return n
        for n in range(min(4, len(chunk)), 0, -1):
            aid = self._artist_fuzzy(chunk[:n], 88)
            if aid is not None:
                self._exclude_artist(aid, " ".join(chunk[:n]), req)
                return n
        return 0

    def _exclude_artist(self, aid: int, said: str, req: _Request) -> None:
        if aid not in req.excluded:
            req.excluded.append(aid)
        req.cue(f"not {said} → exclude {self._cat.artist_display[aid]}")
        req.evidence.append(0.6)
        req.known += 1

    def _artist_refs(self, tokens: list[str], used: list[bool], req: _Request) -> None:
        i = 0
        while i < len(tokens):
            seq = () if used[i] else self._match_seq(tokens, used, i, _ARTIST_CONNECTORS)
            if not seq or (seq == ("like",) and i > 0 and tokens[i - 1] in ("i", "d", "would", "feel", "feels", "t", "dont", "do")):
                i += 1
                continue
            k = i + len(seq)
            end = self._chunk_end(tokens, used, k)
            n = self._resolve_artist(tokens[k:end], req, fuzzy=seq != ("from",))
            if n:
                for p in range(i, k + n):
                    used[p] = True
                i = k + n
            else:
                i += 1

    def _resolve_artist(self, chunk: list[str], req: _Request, fuzzy: bool) -> int:
        for n in range(min(5, len(chunk)), 0, -1):
            gram = chunk[:n]
            aid = self._artist_exact(gram)
            if aid is None:
                continue
            hit = self._lookup(gram)
            if (hit["concepts"] or hit["exact"]) and not self._is_caps(gram, req):
                return 0  # "something like chill": a vocabulary word, not the artist of that name
            self._add_artist(aid, req)
            return n
        if fuzzy:
            for n in range(min(5, len(chunk)), 0, -1):
                if self._lookup(chunk[:n])["concepts"]:
                    return 0
                aid = self._artist_fuzzy(chunk[:n], 90)
                if aid is not None:
                    self._add_artist(aid, req)
                    return n
        return 0

    def _add_artist(self, aid: int, req: _Request, bare: bool = False) -> None:
        if aid not in req.artists:
            req.artists.append(aid)
            req.cue(f"{'' if bare else 'like '}{self._cat.artist_display[aid]} → artist")
        req.evidence.append(0.6)
        req.known += 1

    def _bare_artists(self, tokens: list[str], used: list[bool], req: _Request, multi: bool = False) -> None:
        """Artist names written without a connector: multi-word names first (before vocabulary matching, so "Daft
        Punk" is not read as punk), single words after it (only if capitalised or a catalog artist with ≥ 3 tracks)."""
        i = 0
        while i < len(tokens):
            if used[i] or tokens[i] == ",":
                i += 1
                continue
            hit_n = 0
            for n in range(min(5, len(tokens) - i), 1 if multi else 0, -1):
                gram = tokens[i : i + n]
                if any(used[i : i + n]) or "," in gram or all(t in STOPWORDS for t in gram):
                    continue
                aid = self._artist_exact(gram)
                if aid is None:
                    continue
                caps = self._is_caps(gram, req)
                if multi:
                    lk = self._lookup(gram)
                    if (lk["concepts"] or lk["exact"]) and not caps:
                        continue
                elif gram[0] in STOPWORDS or len(gram[0]) < 3 or not (caps or (
                        len(gram[0]) >= 4 and self._cat.artist_count[aid] >= 3)):
                    continue
                self._add_artist(aid, req, bare=True)
                hit_n = n
                break
            if hit_n:
                for p in range(i, i + hit_n):
                    used[p] = True
                i += hit_n
            else:
                i += 1

    # -- vocabulary and label phrases ------------------------------------------------------------------------
    def _lookup(self, gram: list[str]) -> dict[str, Any]:
        """Everything a phrase names: concepts, whole catalog labels, parts of labels, shipped profiles."""
        spaced, compact = _keys(gram)
        keys = [spaced]
        if len(gram) > 1 and not any(t in STOPWORDS for t in gram):
            keys.append(compact)
        if len(gram[-1]) > 3 and gram[-1].endswith("s") and not gram[-1].endswith("ss"):
            keys.append(" ".join([*gram[:-1], gram[-1][:-1]]))
        out: dict[str, Any] = {"concepts": [], "exact": [], "grams": [], "ship_exact": [], "ship_grams": []}
        cat, ship = self._cat.labels, self.shipped
        for key in keys:
            for name, source in (("concepts", self.vocab.index), ("exact", cat.exact), ("ship_exact", ship.exact)):
                for v in source.get(key, ()):
                    if v not in out[name]:
                        out[name].append(v)
            if not any(t in _GENERIC for t in gram) or len(gram) > 1:
                out["grams"].extend(cat.grams.get(key, ()))
                out["ship_grams"].extend(ship.grams.get(key, ()))
            if out["concepts"] or out["exact"] or out["ship_exact"]:
                break
        return out

    def _phrases(self, tokens: list[str], used: list[bool], req: _Request) -> None:
        self._bare_artists(tokens, used, req, multi=True)
        i = 0
        while i < len(tokens):
            if used[i]:
                i += 1
                continue
            matched = 0
            for n in range(min(self.vocab.max_len + 1, len(tokens) - i), 0, -1):
                if any(used[i : i + n]):
                    continue
                gram = tokens[i : i + n]
                if n == 1 and gram[0] in STOPWORDS:
                    break
                hit = self._lookup(gram)
                strong = hit["concepts"] or hit["exact"] or hit["ship_exact"]
                partial = (hit["grams"] or hit["ship_grams"]) and len(" ".join(gram)) >= 3 and not gram[0].isdigit()
                if partial and not strong and self._artist_exact(gram) is not None:
                    partial = False  # "Queen": the artist, not a word inside a playlist name
                if strong or partial:
                    self._apply_hit(gram, hit, req)
                    if n > 1 and not hit["concepts"]:
                        self._inner_concepts(gram, req)  # "hard rock workout" also means hard rock + workout
                    matched = n
                    break
            if matched:
                for p in range(i, i + matched):
                    used[p] = True
                i += matched
            else:
                i += 1

    def _inner_concepts(self, gram: list[str], req: _Request) -> None:
        i = 0
        while i < len(gram):
            for n in range(len(gram) - i - (1 if i == 0 else 0), 0, -1):
                sub = gram[i : i + n]
                if n == 1 and sub[0] in STOPWORDS:
                    continue
                cids = self._lookup(sub)["concepts"]
                if cids:
                    for cid in cids:
                        self._apply_concept(cid, " ".join(sub), req, False, 0.8)
                    i += n
                    break
            else:
                i += 1

    def _apply_hit(self, gram: list[str], hit: dict[str, Any], req: _Request, negated: bool = False,
                   strength: float = 1.0, said: str | None = None) -> None:
        phrase = said or " ".join(gram)
        labels = self._cat.labels
        found: dict[int, float] = {}
        for lid in hit["exact"]:
            found[lid] = 1.0 if labels.kinds[lid] != "playlist" else 0.9
            if not negated and labels.kinds[lid] in ("genre", "subgenre") and labels.texts[lid] not in req.genres:
                req.genres.append(labels.texts[lid])
        for lid, cov in ([] if hit["concepts"] else hit["grams"]):  # a concept's own label hints cover it
            scale = 0.75 if labels.kinds[lid] != "playlist" else 0.6
            found[lid] = max(found.get(lid, 0.0), scale * math.sqrt(cov))
        for lid, w in found.items():
            self._label(lid, w * strength, req, negated, source=phrase)
        if found and not hit["concepts"]:
            top = max(found, key=lambda lid: (found[lid], int(labels.count[lid])))
            req.cue(f"{'no ' if negated else ''}{phrase} → {'avoid ' if negated else ''}{labels.keys[top]}")
        if not found and not hit["concepts"] and not len(labels) and (hit["ship_exact"] or hit["ship_grams"]):
            sid = hit["ship_exact"][0] if hit["ship_exact"] else max(hit["ship_grams"], key=lambda x: x[1])[0]
            req.cue(f"{phrase} → sounds of the shipped '{self.shipped.texts[sid]}' {self.shipped.kinds[sid]}")
        if not negated:
            for sid in hit["ship_exact"]:
                req.ship_hits[sid] = max(req.ship_hits.get(sid, 0.0), strength)
            for sid, cov in hit["ship_grams"]:
                req.ship_hits[sid] = max(req.ship_hits.get(sid, 0.0), 0.6 * math.sqrt(cov) * strength)
        for cid in hit["concepts"]:
            self._apply_concept(cid, phrase, req, negated, strength)
        if not hit["concepts"] and (found or hit["ship_exact"] or hit["ship_grams"]):
            req.evidence.append((0.6 if hit["exact"] or hit["ship_exact"] else 0.35) * strength)
        req.known += len(gram)

    def _label(self, lid: int, weight: float, req: _Request, negated: bool, source: str = "") -> None:
        book = req.neg_labels if negated else req.pos_labels
        book[lid] = max(book.get(lid, 0.0), min(1.0, weight))
        if source and not negated:
            req.support.setdefault(lid, set()).add(source)

    def _apply_concept(self, cid: int, phrase: str, req: _Request, negated: bool, strength: float) -> None:
        concept = self.vocab.concepts[cid]
        gmean, gstd = self._cat.labels.global_mean, self._cat.labels.global_std
        if negated:
            req.negated[cid] = max(req.negated.get(cid, 0.0), strength)
            inverted: dict[str, float] = {}
            for name, value in concept.target.items():
                w = concept.weights.get(name, 0.0) * strength
                if name == "mode":
                    inverted[name] = 1 - value
                    req.target(concept.priority, name, 1 - value, w * 0.5)
                    continue
                if name == "key":
                    continue
                i = FEATURE_INDEX[name]
                z = (value - float(gmean[i])) / float(gstd[i])
                if abs(z) >= 0.8 and concept.weights.get(name, 0.0) >= 0.7:  # only a distinctive target has a meaningful opposite: mirror it about the mean
                    inverted[name] = _clamp(name, float(gmean[i]) - z * float(gstd[i]))
                    req.target(concept.priority, name, inverted[name], w * 0.5)
            for lid, w in self._cat.hints[cid].items():
                self._label(lid, w * 0.8 * strength, req, negated=True)
            desc = _describe(inverted, {k: concept.weights[k] for k in inverted}, gmean, gstd)
            req.cue(f"not {phrase}" + (f" → {desc}" if desc else ""))
        else:
            req.concepts[cid] = max(req.concepts.get(cid, 0.0), strength)
            for name, value in concept.target.items():
                req.target(concept.priority, name, value, concept.weights.get(name, 0.0) * strength)
            for lid, w in self._cat.hints[cid].items():
                self._label(lid, w * strength, req, negated=False, source=phrase)
            for sid, w in self._ship_hints[cid].items():
                req.ship_hits[sid] = max(req.ship_hits.get(sid, 0.0), w * 0.7 * strength)
            if "→" in concept.cue:
                desc = concept.cue.split("→", 1)[1].strip()
            else:
                desc = _describe(concept.target, concept.weights, gmean, gstd)
            hints = self._cat.hints[cid]
            top = max(hints, key=lambda lid: hints[lid]) if hints else None
            name = self._cat.labels.keys[top] if top is not None and hints[top] >= 0.9 else ""
            if not name and concept.cue and "→" not in concept.cue and concept.cue.lower() != phrase:
                name = concept.cue
            parts = [p for p in (name, desc) if p]
            if not parts and top is not None:
                parts = [self._cat.labels.keys[top]]
            req.cue(f"{phrase} → {', '.join(parts) or concept.cue or concept.name}")
        req.evidence.append(0.55 * strength)

    # -- typo tolerance and embedding similarity ---------------------------------------------------------------
    def _typos(self, req: _Request) -> None:
        if not req.unknown:
            return
        still = []
        for tok in req.unknown:
            if len(tok) >= 5:
                hit = process.extractOne(tok, self._cat.words.get(tok[0], ()), scorer=fuzz.ratio, score_cutoff=86)
                if hit:
                    word = hit[0]
                    found = self._lookup([word])
                    if found["concepts"] or found["exact"] or found["grams"] or found["ship_exact"]:
                        self._apply_hit([word], found, req, strength=0.85, said=f"{tok} (≈ {word})")
                        continue
            still.append(tok)
        req.unknown = still

    def _embeddings(self, content: list[str], req: _Request) -> None:
        if self.embedder is None:
            return
        text = " ".join(content)
        unknown = list(dict.fromkeys(req.unknown))[:6]
        batch = ([text] if text else []) + unknown
        if not batch:
            return
        vecs = self.embedder.embed(batch)
        if text:
            labels = self._cat.labels if len(self._cat.labels) else self.shipped
            if labels.emb is not None and len(labels):
                sims = labels.emb @ vecs[0]
                top = np.argsort(-sims)[:8]
                best = float(sims[top[0]])
                # lowest tier: when rules and vocabulary already explained every word, neighbours only nudge
                scale = 1.0 if req.unknown or not req.evidence else 0.5
                for lid in top.tolist():
                    sim = float(sims[lid])
                    if sim < LABEL_SIM_MIN:
                        break
                    w = (0.3 + 0.6 * (sim - LABEL_SIM_MIN) / (1 - LABEL_SIM_MIN)) * scale
                    if labels is self.shipped:
                        req.ship_hits[lid] = max(req.ship_hits.get(lid, 0.0), w)
                    elif lid not in req.neg_labels:
                        self._label(lid, w, req, negated=False)
                if best >= LABEL_SIM_UNDERSTOOD:
                    req.evidence.append(min(0.5, best - 0.2))
                    if not req.cues:
                        where = labels.keys[int(top[0])] if labels is not self.shipped else (
                            f"the shipped '{labels.texts[int(top[0])]}' {labels.kinds[int(top[0])]}")
                        req.cue(f"\u201c{text}\u201d ≈ {where}")
        if unknown and self._phrase_emb is not None:
            sims = (self._phrase_emb @ np.ascontiguousarray(vecs[len(batch) - len(unknown) :].T)).T
            for tok, row in zip(unknown, sims):
                j = int(np.argmax(row))
                if row[j] >= CONCEPT_SIM_MIN:
                    cid = self._phrase_concept[j]
                    strength = 0.6 + 0.4 * (float(row[j]) - CONCEPT_SIM_MIN) / (1 - CONCEPT_SIM_MIN)
                    self._apply_concept(cid, f"{tok} (≈ {self._phrase_text[j]})", req, False, strength)
                    req.unknown.remove(tok)

    # -- assembling the answer ---------------------------------------------------------------------------------
    def _profile_targets(self, labels: LabelSet, hits: dict[int, float], scale: float, req: _Request) -> None:
        """Low-priority targets from the profiles of the best-matching labels (only distinctive features).

        A feature gets weight ``min(1, |z| / 1.5) * (0.5 + 0.5 * tightness) * hit weight * scale`` where ``z`` is
        the distance of the weighted profile mean from the catalog mean in catalog standard deviations and
        tightness is ``1 - profile std / catalog std``; key and mode averages carry no meaning and are skipped.
        """
        top = sorted(hits.items(), key=lambda kv: (-kv[1], -int(labels.count[kv[0]])))[:5]
        top = [(lid, w) for lid, w in top if w > 0 and labels.count[lid] >= 3]
        if not top:
            return
        ids = np.asarray([lid for lid, _ in top])
        w = np.asarray([wt for _, wt in top], dtype=np.float64)
        mean = (labels.mean[ids] * w[:, None]).sum(axis=0) / w.sum()
        std = (labels.std[ids] * w[:, None]).sum(axis=0) / w.sum()
        before = len(req.targets)
        self._distinctive(mean, std, labels.global_mean, labels.global_std, float(w.max()) * scale, req)
        if before == 0 and len(req.targets) == 0:
            # the request named only an average-sounding label ("poptimism"): aim at its profile, gently
            for name in AUDIO_FEATURES:
                i = FEATURE_INDEX[name]
                tight = 1.0 - float(std[i]) / float(labels.global_std[i])
                if name not in ("key", "mode") and tight >= 0.15:
                    req.target(P_PROFILE, name, float(mean[i]), 0.25 * float(w.max()))

    @staticmethod
    def _distinctive(mean: np.ndarray, std: np.ndarray, gmean: np.ndarray, gstd: np.ndarray, weight: float,
                     req: _Request) -> None:
        for name in AUDIO_FEATURES:
            if name in ("key", "mode"):
                continue
            i = FEATURE_INDEX[name]
            z = abs(float(mean[i]) - float(gmean[i])) / float(gstd[i])
            tight = min(1.0, max(0.0, 1.0 - float(std[i]) / float(gstd[i])))
            w = min(1.0, z / 1.5) * (0.5 + 0.5 * tight) * weight
            if w >= 0.1:
                req.target(P_PROFILE, name, float(mean[i]), w)

    def _artist_targets(self, req: _Request) -> None:
        table = self._table
        if table is None or not req.artists:
            return
        positions = sorted({p for aid in req.artists for p in table.artist_tracks.get(aid, ())})
        if not positions:
            return
        sub = table.features[np.asarray(positions)]
        labels = self._cat.labels
        self._distinctive(sub.mean(axis=0), sub.std(axis=0), labels.global_mean, labels.global_std, 0.7, req)

    def _years(self, req: _Request) -> tuple[int | None, int | None]:
        lo, hi = req.year_lo, req.year_hi
        if req.year_ranges:
            r_lo = min(a for a, _ in req.year_ranges)
            r_hi = max(b for _, b in req.year_ranges)
            lo = r_lo if lo is None else max(lo, r_lo)
            hi = r_hi if hi is None else min(hi, r_hi)
            if lo > hi:  # contradictory bounds ("90s since 2015"): keep the named period
                lo, hi = r_lo, r_hi
        if lo is None and hi is None:  # eras from the vocabulary apply only when no year was written
            newest = self._cat.year_max
            for cid in req.concepts:
                concept = self.vocab.concepts[cid]
                if concept.years:
                    c_lo, c_hi = concept.years
                elif concept.years_relative:
                    r0, r1 = concept.years_relative
                    c_lo = None if r0 is None else newest + r0
                    c_hi = None if r1 is None else newest + r1
                else:
                    continue
                lo = c_lo if c_lo is not None and (lo is None or c_lo > lo) else lo
                hi = c_hi if c_hi is not None and (hi is None or c_hi < hi) else hi
                if c_lo is not None and c_hi is not None:
                    req.cue(f"{concept.name.replace('_', ' ')} → {c_lo}–{c_hi}")
            if lo is not None and hi is not None and lo > hi:
                lo, hi = hi, lo
        return lo, hi

    def _build(self, req: _Request) -> TextQuery:
        has_labels = len(self._cat.labels) > 0
        if has_labels:
            self._profile_targets(self._cat.labels, {k: v for k, v in req.pos_labels.items()
                                                     if k not in req.neg_labels}, 0.8, req)
        else:
            self._profile_targets(self.shipped, req.ship_hits, 0.8, req)
        self._artist_targets(req)
        # per feature: the highest priority present wins; equal priorities average by weight
        best: dict[str, int] = {}
        for prio, name, _, _ in req.targets:
            best[name] = max(best.get(name, 0), prio)
        target: dict[str, float] = {}
        weights: dict[str, float] = {}
        for name in AUDIO_FEATURES:
            rows = [(v, w) for prio, n, v, w in req.targets if n == name and prio == best.get(name)]
            if not rows:
                continue
            total = sum(w for _, w in rows)
            value = sum(v * w for v, w in rows) / total
            if name in ("mode", "key"):
                value = float(round(value))
            target[name] = round(_clamp(name, value), 4)
            weights[name] = round(max(w for _, w in rows), 3)
        labels = self._cat.labels
        for lid, phrases in req.support.items():  # a label named by two phrases ("italian" + "pop") fits best
            if len(phrases) > 1:
                req.pos_labels[lid] = min(1.0, req.pos_labels[lid] * (1.0 + 0.35 * (len(phrases) - 1)))
        neg = sorted(req.neg_labels.items(), key=lambda kv: (-kv[1], -int(labels.count[kv[0]])))[:MAX_LABELS]
        neg_ids = {lid for lid, _ in neg}
        pos = sorted(((lid, w) for lid, w in req.pos_labels.items() if lid not in req.neg_labels),
                     key=lambda kv: (-kv[1], -int(labels.count[kv[0]])))[:MAX_LABELS]
        label_weights = {labels.keys[lid]: round(w, 3) for lid, w in pos if w >= 0.05}
        label_weights.update({labels.keys[lid]: -round(w, 3) for lid, w in neg if lid in neg_ids and w >= 0.05})
        year_min, year_max = self._years(req)
        tempo_min, tempo_max = req.tempo_min, req.tempo_max
        if tempo_min is not None and tempo_max is not None and tempo_min > tempo_max:
            tempo_min, tempo_max = tempo_max, tempo_min
        filters = Filters(
            genres=req.genres,
            exclude_artists=[self._cat.artist_display[a] for a in req.excluded],
            year_min=year_min,
            year_max=year_max,
            tempo_min=tempo_min,
            tempo_max=tempo_max,
            limit=req.limit,
        )
        confidence = 1.0
        for e in req.evidence:
            confidence *= 1.0 - max(0.0, min(0.95, e))
        confidence = 1.0 - confidence
        unknown = len(req.unknown)
        coverage = req.known / (req.known + unknown) if req.known + unknown else 1.0
        confidence *= 0.5 + 0.5 * coverage
        return TextQuery(
            text=req.raw,
            target=target,
            weights=weights,
            labels=label_weights,
            artists=[self._cat.artist_display[a] for a in req.artists],
            filters=filters,
            cues=req.cues,
            confidence=round(max(0.05, min(0.99, confidence)), 3),
        )

    def _clarify(self, raw: str) -> NeedsClarification:
        words = [t for t in _tokenize(_fold(raw)) if t != ","]
        greeting = bool(words) and all(t in GREETINGS or t in STOPWORDS for t in words)
        lead = "Hi! " if greeting else f"I couldn't tell what kind of music \u201c{raw[:80]}\u201d means. "
        suggestions = ["chill study music", "upbeat 90s dance around 120 bpm", "sad songs in a minor key",
                       "heavy rock for the gym"]
        suggestions += [f"{g} party" for g in self._cat.suggestions[:2]]
        return NeedsClarification(
            question=lead + "Tell me a mood, activity, genre, era or artist — for example \u201crelaxing acoustic "
            "songs\u201d or \u201clike Daft Punk but slower\u201d.",
            suggestions=suggestions[:6],
        )
