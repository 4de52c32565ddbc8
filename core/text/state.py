"""Evidence bookkeeping shared by the parsing steps: priorities, the per-request :class:`Request`, the per-fit
:class:`CatalogFit`, and :class:`TextState`, the attributes the :class:`~core.text.understanding.TextUnderstanding`
mixins read.

Per feature, the highest-priority evidence wins (numeric rules 4 > adjective cues 3 > concepts 2 > label/artist
profiles 1); evidence of equal priority is averaged by weight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, overload

from core.models import TextNote
from core.text.tokens import clamp

#: Full rapidfuzz scans over every catalog artist one request may run (each ~1–2 ms over ~10k artists; a real request
#: names a few artists, an adversarial one can ask for hundreds — issue 9 "CPU per message").
FUZZY_SCANS_PER_REQUEST = 12

if TYPE_CHECKING:
    import numpy as np

    from core.table import TrackTable
    from core.text.concepts import Vocabulary
    from core.text.embedder import Embedder
    from core.text.labels import LabelSet

# Priorities of evidence (higher wins per feature).
P_RULE, P_ADJ, P_CONCEPT, P_PROFILE = 4, 3, 2, 1
#: A measured mood prototype's feature weighing less than this (core.text.moods: "happy" also carries the high energy of
#: the happy tracks it was measured on) is only implied by the mood: a negation of that feature ("happy songs that
#: aren't hyper") replaces it instead of being averaged with it.
IMPLIED_WEIGHT = 0.7


@dataclass(slots=True)
class Request:
    """Evidence collected while parsing one request."""

    raw: str
    limit: int
    caps: set[str]
    targets: list[tuple[float, str, float, float]] = field(default_factory=list)  # (priority, feature, value, weight)
    pos_labels: dict[int, float] = field(default_factory=dict)  # catalog label id -> weight
    neg_labels: dict[int, float] = field(default_factory=dict)
    ship_hits: dict[int, float] = field(default_factory=dict)  # shipped profile id -> weight
    ship_neg: dict[int, float] = field(default_factory=dict)  # shipped profile id -> weight, negated ("no rap")
    ship_style: dict[int, float] = field(default_factory=dict)  # the part of ship_hits a style named ("neo soul")
    style_yields: bool = False  # a mood won the sound over a named style ("quiet heavy metal")
    texture_yields: bool = False  # a sound word kept its texture beside a mood ("relaxing electronic"): its labels yield
    texture_style: bool = False  # ... and that sound word names a style ("entspannte elektronische Musik": EDM)
    genres: list[str] = field(default_factory=list)
    genre_families: dict[str, str] = field(default_factory=dict)  # subgenre named by a family word -> its genre
    artists: list[int] = field(default_factory=list)  # artist ids
    excluded: list[int] = field(default_factory=list)
    concepts: dict[int, float] = field(default_factory=dict)  # concept id -> strength
    negated: dict[int, float] = field(default_factory=dict)
    negated_targets: set[tuple[str, float]] = field(default_factory=set)  # (feature, value) a negation set ("not hyper")
    implied_targets: set[tuple[str, float]] = field(default_factory=set)  # (feature, value) a mood prototype implies
    # a refused style's mirrored sound ("no rap" -> few spoken words): (feature, value) -> the refusal's cue index
    style_opposites: dict[tuple[str, float], int] = field(default_factory=dict)
    # feature -> the values a mood, activity or style named outright sets for it
    named_features: dict[str, list[float]] = field(default_factory=dict)
    said: dict[int, str] = field(default_factory=dict)  # concept id -> the request's phrase that named it
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
    requested: int | None = None  # a count asked for ("100 songs") when it was over the maximum
    lang: str = "en"  # the language the reply is worded in (the caller's, else the text's)
    text_lang: str = "en"  # the language of the request's own words (core.text.language.detect_language, read once)
    softened: bool = False  # while a "less X" / "menos X" / "moins X" / "weniger X" chunk is read (a milder "not X")
    notes: list[TextNote] = field(default_factory=list)  # clamped numbers, missing data, conflicts
    ranges: dict[str, list[float | None]] = field(default_factory=dict)  # feature -> [low, high], raw units
    language: str = ""  # a language the request names, however it is answered (ISO 639-1; core.text.language_choice)
    language_labels: list[str] = field(default_factory=list)  # the label keys ("playlist:…") that answer it, if any

    def note(self, kind: str, subject: str, text: str, asked: str = "", used: str = "") -> None:
        """Record a :class:`~core.models.TextNote` once per ``(kind, subject)``; ``text`` is the sentence shown."""
        if not any(n.kind == kind and n.subject == subject for n in self.notes):
            self.notes.append(TextNote(kind=kind, subject=subject, asked=asked, used=used, text=text))

    def bound(self, name: str, low: float | None, high: float | None) -> None:
        """Narrow the hard range of feature ``name`` (raw units; None = open) to ``[low, high]``; when the ranges do
        not overlap, the later one replaces the earlier."""
        cur = self.ranges.get(name, [None, None])
        lo = low if cur[0] is None else (cur[0] if low is None else max(cur[0], low))
        hi = high if cur[1] is None else (cur[1] if high is None else min(cur[1], high))
        if lo is not None and hi is not None and lo > hi:  # two numbers that cannot both hold: the later one wins
            lo, hi = low, high
        self.ranges[name] = [lo, hi]
    fuzzy_left: int = FUZZY_SCANS_PER_REQUEST  # full fuzzy scans over all artists this request may still run

    def target(self, priority: float, name: str, value: float, weight: float) -> None:
        """Record a target for audio feature ``name`` (raw units, clamped to its range); weights cap at 1, ≤ 0 drop."""
        if weight > 0:
            self.targets.append((priority, name, clamp(name, value), min(1.0, weight)))

    def cue(self, text: str) -> None:
        """Record a human-readable explanation ("90s → 1990–1999") once, in order."""
        if text and text not in self.cues:
            self.cues.append(text)


@dataclass(slots=True)
class CatalogFit:
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


class PerConcept(Sequence[dict[int, float]]):
    """A read-only list of ``n`` values, ``self[i] == make(i)``, each made on its first read and kept: for per-concept
    tables a request reads a few of (the shipped profiles' hints of the ~130 concepts: a one-shot ``/recommend`` reads
    three or four, and no longer waits for all of them at start-up)."""

    def __init__(self, n: int, make: Callable[[int], dict[int, float]]) -> None:
        self._make = make
        self._items: list[dict[int, float] | None] = [None] * n

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> dict[int, float]: ...

    @overload
    def __getitem__(self, i: slice) -> list[dict[int, float]]: ...

    def __getitem__(self, i: int | slice) -> dict[int, float] | list[dict[int, float]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self._items)))]
        value = self._items[i]
        if value is None:
            value = self._items[i] = self._make(range(len(self._items))[i])
        return value


class TextState:
    """The state the parsing mixins share, set by :class:`~core.text.understanding.TextUnderstanding` (``__init__``
    and ``fit``); declared here so each mixin module names what it reads."""

    embedder: Embedder | None
    vocab: Vocabulary
    shipped: LabelSet  # the shipped profiles (own copy: ``emb`` depends on the embedder)
    _ship_hints: Sequence[dict[int, float]]  # per concept: shipped profile id -> weight (PerConcept)
    _cat: CatalogFit
    _table: TrackTable | None
    _phrase_emb: np.ndarray | None  # (n phrases, d) unit vectors of every vocabulary phrase
    _phrase_concept: list[int]  # per phrase: its concept id
    _phrase_text: list[str]
