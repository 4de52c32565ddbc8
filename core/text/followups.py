"""Cues of a request that a follow-up made stale: after "less upbeat" the summary must not still say
"upbeat → high energy and valence" (the follow-up moved energy and valence)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

#: Audio feature -> words by which a cue's right-hand side ("upbeat → high energy and valence") is about it.
FEATURE_CUE_WORDS: dict[str, tuple[str, ...]] = {
    "energy": ("energy", "energetic", "calm", "intense"),
    "valence": ("valence", "mood", "happy", "sad", "upbeat", "cheerful", "dark"),
    "tempo": ("bpm", "tempo", "fast", "slow"),
    "danceability": ("danceab", "dance"),
    "acousticness": ("acoustic", "electronic"),
    "instrumentalness": ("instrumental", "vocals"),
    "loudness": ("loud", "quiet", "db"),
    "speechiness": ("speech", "spoken"),
}


def current_cues(base_cues: Sequence[str], moved: Iterable[str]) -> list[str]:
    """``base_cues`` (the original request's ``"phrase → meaning"`` cues) without those whose meaning is about a
    feature in ``moved`` (feature names a follow-up changed, e.g. ``{"energy", "valence"}``; ``"year"`` for the
    release years: cues whose meaning names a year); cues without an arrow (notes) and cues about other things
    (styles) are kept, in order."""
    moved = set(moved)
    words = [w for f in moved if f != "year" for w in FEATURE_CUE_WORDS.get(f, (f,))]
    if not words and "year" not in moved:
        return list(base_cues)
    out = []
    for cue in base_cues:
        _, arrow, meaning = cue.partition("→")
        if arrow and any(w in meaning.casefold() for w in words):
            continue
        if arrow and "year" in moved and _YEARS.search(meaning):  # "los 80 → 1980–1989" after "newer"
            continue
        out.append(cue)
    return out


#: A year or a year range in a cue's meaning ("1980–1989", "2015–…", "up to 1999").
_YEARS = re.compile(r"\b(?:19|20)\d\d\b")


__all__ = ["FEATURE_CUE_WORDS", "current_cues"]
