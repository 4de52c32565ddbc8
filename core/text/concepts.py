"""The concept vocabulary (``data/text_concepts.json``): moods, activities, genres, eras, instruments, languages.

Each concept maps phrases ("chill", "work out", "lo-fi") to target audio features with weights and to label-text
hints, which :class:`~core.text.understanding.TextUnderstanding` resolves against the loaded catalog's own labels.
:func:`describe` words a target for the cues shown to the user.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.table import FEATURE_INDEX
from core.text.state import P_CONCEPT
from core.text.tokens import phrase_keys, word_tokens

CONCEPTS_PATH = Path(__file__).resolve().parents[2] / "data" / "text_concepts.json"


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
            toks = word_tokens(phrase)
            if not toks:
                continue
            max_len = max(max_len, len(toks))
            for key in set(phrase_keys(toks)):
                ids = index.setdefault(key, [])
                if cid not in ids:
                    ids.append(cid)
    words = sorted(k for k in index if " " not in k and len(k) >= 4)
    return Vocabulary(concepts, index, words, max_len)

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


def describe(
    target: dict[str, float], weights: dict[str, float], gmean: np.ndarray, gstd: np.ndarray, limit: int = 3
) -> str:
    """Short human words for the strongest distinctive targets, e.g. ``"instrumental, calm"``.

    ``target`` / ``weights`` are keyed by audio feature (raw units, weights 0–1); ``gmean`` / ``gstd`` are the
    catalog's ``(11,)`` feature means and standard deviations in AUDIO_FEATURES order. A feature is named only when
    its target sits at least half a catalog standard deviation from the catalog mean.
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
