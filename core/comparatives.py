"""Comparatives of mood words as relative moves: "more hopeful", "a bit dreamier", "más esperanzador", "plus chaleureux",
"wärmer", "less romantic", "not so dreamy", "too dark" — in English, Spanish, Portuguese, French and German.

The fixed table of :mod:`core.moves` covers the everyday axes (tempo, energy, mood, danceability, acoustic, vocals).
Any other mood word the text understanding knows is read here: the word after a comparative marker
(:data:`core.followup_words.COMPARATIVE_RX`: "more / más / mais / plus / mehr", "less / menos / moins / weniger",
"not so", "too"; or an English / German "-er" form) is looked up in the concept vocabulary
(``data/text_concepts.json``, :data:`MOOD_CONCEPTS` only — no genres, no eras, no activities that name a scene) or in
:data:`FEELS`, and the move is one step (:data:`core.moves.STEP`) toward — or, after "less", away from — where that
concept sits relative to the shipped catalog's average sound (:data:`NEUTRAL`), on the features the concept weighs
most. The move's cue is the fixed table's cue of its largest feature move, so summaries and their translations stay
the table's (:func:`core.steps.move_cues`, applied by :func:`core.moves.move_matches`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from core.followup_words import COMPARATIVE_RX
from core.steps import STEP, TEMPO_STEP


#: Vocabulary concepts (``data/text_concepts.json``) whose comparative is a move: moods and feels, never genres,
#: eras, languages or activities that name a scene.
MOOD_CONCEPTS = frozenset({
    "happy", "upbeat", "sad", "dark", "calm", "chill", "relax", "energetic", "angry", "romantic", "sensual", "dreamy",
    "epic", "heavy", "heartbreak", "motivation", "winter", "sunset", "summer", "quiet", "loud", "warm", "danceable",
    "acoustic", "electronic", "instrumental", "slow", "fast", "party",
})
#: The point a concept's direction is measured from: the shipped catalog's mean sound (data/spotify_songs.csv.gz:
#: energy 0.70, valence 0.51, danceability 0.66, acousticness 0.18, instrumentalness 0.09, tempo 121 BPM).
NEUTRAL = {"energy": 0.70, "valence": 0.51, "danceability": 0.66, "acousticness": 0.18, "instrumentalness": 0.09,
           "tempo": 121.0}
#: A concept moves a feature when its target is at least this far from :data:`NEUTRAL` (0–1 units; tempo: BPM / 100)
#: and its weight is at least :data:`_MIN_SHARE` of the concept's largest weight among the movable features.
_MARGIN = 0.08
_MIN_SHARE = 0.4


#: Feel words that are comparatives in follow-ups ("warmer", "lighter") but not requests of their own (the concept
#: vocabulary has no "warm songs"): name -> (folded words in en/es/pt/fr/de, target, weights), read like a concept.
#: Hand-set in the direction of Spotify's feature definitions: warm = more acoustic, a little brighter;
#: euphoric = more intense, brighter; light = less intense, brighter.
FEELS: dict[str, tuple[tuple[str, ...], dict[str, float], dict[str, float]]] = {
    "warm": (("warm", "warmth", "calido", "calida", "calidos", "calidas", "quente", "quentes", "caloroso", "calorosa",
              "chaleureux", "chaleureuse", "chaleureuses", "chaud", "chaude", "warme", "warmen"),
             {"acousticness": 0.4, "energy": 0.5, "valence": 0.6}, {"acousticness": 0.6, "energy": 0.2, "valence": 0.4}),
    "euphoric": (("euphoric", "euforico", "euforica", "euforicos", "euforicas", "euphorique", "euphoriques",
                  "euphorisch", "euphorische"),
                 {"energy": 0.85, "valence": 0.7}, {"energy": 0.8, "valence": 0.5}),
    "light": (("light", "ligero", "ligera", "ligeros", "ligeras", "leger", "legere", "legeres", "leicht", "leichte"),
              {"energy": 0.5, "valence": 0.62}, {"energy": 0.6, "valence": 0.4}),
}


def _concept_deltas(name: str) -> dict[str, float]:
    """One step toward concept ``name`` (a vocabulary concept or a :data:`FEELS` entry) from :data:`NEUTRAL`:
    feature -> delta (tempo a fraction), {} when the concept leans on nothing movable."""
    from core.text.concepts import load_vocabulary

    if name in FEELS:
        _, target, weights = FEELS[name]
    else:
        concept = next((c for c in load_vocabulary().concepts if c.name == name), None)
        if concept is None:
            return {}
        target, weights = concept.target, concept.weights
    lean: dict[str, tuple[float, float]] = {}  # feature -> (direction, weight)
    for feature, ref in NEUTRAL.items():
        if feature not in target:
            continue
        gap = target[feature] - ref
        if abs(gap if feature != "tempo" else gap / 100.0) >= _MARGIN:
            lean[feature] = (1.0 if gap > 0 else -1.0, weights.get(feature, 0.0))
    top = max((w for _, w in lean.values()), default=0.0)
    if top <= 0:
        return {}
    out: dict[str, float] = {}
    for feature, (sign, w) in lean.items():
        if w >= _MIN_SHARE * top:
            out[feature] = round(sign * (TEMPO_STEP if feature == "tempo" else STEP) * w / top, 3)
    return out


def _word_concept(words: str) -> str | None:
    """The :data:`MOOD_CONCEPTS` concept a word or phrase (normalized) names, trying its plain forms too: "dreamier" ->
    "dreamy", "sadder" -> "sad", "warmer" -> "warm", "hoffnungsvoller" -> "hoffnungsvoll", "esperanzadora" ->
    "esperanzador"; None when it names none."""
    from core.text.concepts import load_vocabulary

    vocab = load_vocabulary()
    for form in _forms(words):
        for name, (said, _, _) in FEELS.items():
            if form in said:
                return name
        for cid in vocab.index.get(form, ()):
            if vocab.concepts[cid].name in MOOD_CONCEPTS:
                return vocab.concepts[cid].name
    return None


def _forms(word: str) -> list[str]:
    forms = [word]
    w = word
    for end in ("eren", "erem", "eres", "erer", "ere", "er"):  # comparatives: -er (+ German endings)
        if w.endswith(end) and len(w) - len(end) >= 3:
            stem = w[: -len(end)]
            forms += [stem, stem + "e"]
            if stem.endswith("i"):
                forms.append(stem[:-1] + "y")  # dreamier -> dreamy
            if len(stem) > 3 and stem[-1] == stem[-2]:
                forms.append(stem[:-1])  # sadder -> sad
            break
    for end in ("as", "os", "es", "a", "s"):  # es/pt/fr gender and number: esperanzadora(s) -> esperanzador
        if w.endswith(end) and len(w) - len(end) >= 4:
            forms += [w[: -len(end)], w[: -len(end)] + "o"]
    return list(dict.fromkeys(forms))


def concept_moves(norm: str) -> Iterator[tuple[re.Match[str], dict[str, float]]]:
    """Comparatives of a mood word in ``norm`` (:func:`normalized` text) as moves: "more hopeful" / "más esperanzador"
    / "plus chaleureux" / "wärmer" one step toward the concept the word names (:func:`_concept_deltas`), "less X" /
    "not so X" / "too X" one step away. The move's cue is the fixed table's cue of its largest feature move
    (:func:`core.steps.move_cues`), so summaries and translations stay the table's. Words that name no mood are
    skipped. Yields (match of the words read, feature deltas: 0–1 units, tempo a fraction)."""
    for m in COMPARATIVE_RX.finditer(norm):
        if m.group("er"):
            said, sign = m.group("er"), 1.0
            name = _word_concept(said) if _is_comparative(said) else None
            if name is None:
                continue
        else:
            words = m.group("word").split()
            name, said = None, ""
            for n in (2, 1)[2 - len(words):]:
                name = _word_concept(" ".join(words[:n]))
                if name is not None:
                    said = " ".join(words[:n])
                    break
            if name is None:
                continue
            sign = 1.0 if m.group("more") else -1.0
        deltas = {k: round(sign * v, 3) for k, v in _concept_deltas(name).items()}
        if not deltas:
            continue
        end = m.start("er") + len(said) if m.group("er") else m.start("word") + len(said)
        start = m.start()
        span = re.compile(re.escape(norm[start:end])).search(norm, start)  # a match of exactly the words read
        if span is not None:
            yield span, deltas


def _is_comparative(word: str) -> bool:
    """True when ``word`` is an "-er" form whose plain form is a mood word ("warmer", "dreamier"), not a plain word
    that ends in "er" and names the concept itself ("summer", "winter")."""
    from core.text.concepts import load_vocabulary

    return word not in load_vocabulary().index and not any(word in said for said, _, _ in FEELS.values())


__all__ = ["FEELS", "MOOD_CONCEPTS", "NEUTRAL", "concept_moves"]
