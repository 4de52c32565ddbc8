"""Label texts (genre / subgenre / playlist names) with their audio-feature profiles, indexed for phrase matching.

One :class:`LabelSet` is built per catalog fit; another is loaded from ``data/text_profiles.json`` (profiles measured
on the shipped catalog by ``benchmarks/build_text_profiles.py``) for catalogs that carry no labels at all.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.models import AUDIO_FEATURES
from core.text.tokens import GENERIC, phrase_keys, word_tokens

PROFILES_PATH = Path(__file__).resolve().parents[2] / "data" / "text_profiles.json"


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
            toks = word_tokens(text)
            if not toks:
                continue
            for key in set(phrase_keys(toks)):
                ls.exact.setdefault(key, []).append(lid)
            informative = max(1, sum(t not in GENERIC and not t.isdigit() for t in toks))
            seen: set[str] = set()
            for n in (1, 2, 3):
                for i in range(len(toks) - n + 1):
                    gram = toks[i : i + n]
                    if all(t in GENERIC or t.isdigit() for t in gram):
                        continue
                    coverage = min(1.0, sum(t not in GENERIC for t in gram) / informative)
                    for key in phrase_keys(gram):
                        if key not in seen:
                            seen.add(key)
                            ls.grams.setdefault(key, []).append((lid, coverage))
        return ls

    def __len__(self) -> int:
        return len(self.texts)

    def top(self, weights: dict[int, float], n: int) -> list[tuple[int, float]]:
        """The ``n`` heaviest ``(label id, weight)`` pairs of ``weights``; ties go to the label with more tracks."""
        return sorted(weights.items(), key=lambda kv: (-kv[1], -int(self.count[kv[0]])))[:n]

    def resolve_hint(self, hint: str, weight: float) -> dict[int, float]:
        """Labels a hint text names: whole-label match -> ``weight``, inside a label -> ``weight * 0.8 * sqrt(cov)``."""
        toks = word_tokens(hint)
        out: dict[int, float] = {}
        if not toks:
            return out
        for key in phrase_keys(toks):
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
