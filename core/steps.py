"""One step of a relative move, defined once for every language and every reader ("more upbeat", "más movida",
"slower", "a bit more hopeful", a follow-up or a modifier around an anchor), and the cue words of the moves.

Used by :mod:`core.moves` (the vocabulary), :mod:`core.comparatives` (mood comparatives) and
:mod:`core.agent.specs` (applying a follow-up to the last request).
"""

from __future__ import annotations

from collections.abc import Mapping

#: One step of a relative move on a 0–1 audio feature: 0.2 ≈ one standard deviation of energy (0.18) and valence
#: (0.23) in the shipped catalog (measured on data/spotify_songs.csv.gz, 28,356 tracks).
STEP = 0.2
#: One step on tempo, as a fraction of the baseline BPM (±15 %; tempo's standard deviation is 27 BPM ≈ 22 % of its
#: 121 BPM mean in the shipped catalog).
TEMPO_STEP = 0.15
#: One step on speechiness ("less rap", "more rap"): 0.05, half a standard deviation of speechiness (0.10) in the
#: shipped catalog (data/spotify_songs.csv.gz, 28,356 tracks) — it is right-skewed (5th percentile 0.03, median 0.06,
#: 95th 0.33), so a whole deviation down from a sung-and-rapped artist (Drake: 0.09) asks for the floor of the catalog
#: and lets any near-silent track in; half of it keeps his own sung songs and scene-mates (read on "like Drake but
#: less rap", not tuned on a benchmark).
SPEECH_STEP = 0.05
#: Loudness (dB) that goes with one unit of energy: the least-squares slope of loudness on energy in the shipped catalog
#: (11.2 dB per unit, correlation 0.68), so an energy move also moves a loudness target instead of fighting it.
LOUDNESS_PER_ENERGY = 11.2


#: Feature -> (cue of a move up, cue of a move down): the cues of :data:`core.moves.MOVES`.
CUES: dict[str, tuple[str, str]] = {
    "tempo": ("faster", "slower"), "valence": ("more upbeat", "less upbeat"), "energy": ("more energetic", "calmer"),
    "danceability": ("more danceable", "less danceable"), "acousticness": ("more acoustic", "more electronic"),
    "instrumentalness": ("more instrumental", "with vocals"), "speechiness": ("more rap", "less rap"),
}


def move_cues(deltas: Mapping[str, float]) -> list[str]:
    """The :data:`core.moves.MOVES` cues that make ``deltas`` (feature -> change, tempo a fraction), largest move first:
    "slower", "calmer", "less upbeat" (a valence move with a smaller energy move the same way is one cue)…"""
    cues: list[str] = []
    valence = deltas.get("valence", 0.0)
    table = CUES
    for name, value in sorted(deltas.items(), key=lambda kv: -abs(kv[1]) / (TEMPO_STEP if kv[0] == "tempo" else STEP)):
        if not value or name not in table:
            continue
        if name == "energy" and valence and (value > 0) == (valence > 0) and abs(value) < abs(valence):
            continue
        cues.append(table[name][0 if value > 0 else 1])
    return cues


__all__ = ["CUES", "LOUDNESS_PER_ENERGY", "SPEECH_STEP", "STEP", "TEMPO_STEP", "move_cues"]
