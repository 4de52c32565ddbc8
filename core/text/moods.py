"""The mood model for catalogs without labels (``data/text_moods.json``, built from the shipped catalog by
``benchmarks/build_text_profiles.py``): per mood (calm, sad, happy, energetic, romantic, angry, focus, sleep) a
prototype target in raw audio-feature units and per-feature weights 0–1.

With labels, mood words also pull the catalog's own labels ("Sad Trap", "Lush Lofi") and their profiles; without them
the hand-set concept targets of ``data/text_concepts.json`` were all there was, and calm and sad overlapped (both
"softer"). The prototypes are measured: calm = quiet, acoustic, low energy; sad = low valence, subdued — so
:class:`~core.text.understanding.TextUnderstanding` swaps them in for the mood concepts of :data:`MOOD_OF` when the
loaded catalog carries no labels.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MOODS_PATH = Path(__file__).resolve().parents[2] / "data" / "text_moods.json"

#: Vocabulary concept name -> mood prototype it uses on a catalog without labels.
MOOD_OF: dict[str, str] = {
    "calm": "calm", "relax": "calm", "sad": "sad", "heartbreak": "sad", "happy": "happy", "energetic": "energetic",
    "romantic": "romantic", "angry": "angry", "study": "focus", "sleep": "sleep", "meditation": "sleep",
}


@dataclass(frozen=True, slots=True)
class MoodPrototype:
    """One mood: ``target`` (raw units: 0–1, loudness dB, tempo BPM, mode 0/1) and ``weights`` (0–1) per feature,
    measured over ``count`` shipped tracks."""

    name: str
    target: dict[str, float]
    weights: dict[str, float]
    count: int


@lru_cache(maxsize=2)
def load_moods(path: Path = MOODS_PATH) -> dict[str, MoodPrototype]:
    """Load the mood prototypes; an absent file gives ``{}`` (the hand-set concept targets are used then).

    Raises:
        ValueError: the file names a weight outside 0–1.
    """
    if not path.exists():
        return {}
    doc = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, MoodPrototype] = {}
    for name, raw in doc["moods"].items():
        weights = {k: float(v) for k, v in raw["weights"].items()}
        if any(not 0 <= w <= 1 for w in weights.values()):
            raise ValueError(f"mood {name!r}: weights must be within 0..1")
        out[name] = MoodPrototype(name, {k: float(v) for k, v in raw["target"].items()}, weights, int(raw["count"]))
    return out
