"""Follow-ups that cannot go further: "faster" said a seventh time, "newer" when the list is already the catalog's
newest years. The reply's first line says so ("These are already the fastest tracks for this request — the catalog
has nothing faster here.") instead of a list that silently stops moving.

:func:`ceiling_cues` compares the list a follow-up produced with the list on screen before it: a feature move whose
main feature (:data:`core.steps.CUES`) did not move by at least :data:`MIN_PROGRESS` in its direction, a year move
that left the year window where it was, or an empty answer, is at its ceiling. :func:`ceiling_line` words it in the
reply's language (English, Spanish, Portuguese, French, German). No LLM, no Pydantic AI import.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.models import Filters, Recommendation
from core.steps import CUES, move_cues

#: Least progress of a follow-up's move, list mean against the list on screen: 0.02 on a 0–1 feature (a tenth of a
#: step, core.steps.STEP), 2 % of the BPM on tempo. Less than that is not heard as "more".
MIN_PROGRESS = {"tempo": 0.02, "default": 0.02}
#: A move cue -> the feature it is about (the feature of :data:`core.steps.CUES` whose up / down cue it is).
_FEATURE = {cue: (name, 1 if i == 0 else -1) for name, pair in CUES.items() for i, cue in enumerate(pair)}


def _mean(rec: Recommendation, feature: str) -> float | None:
    """The list's mean of ``feature``; unknown values, and tempo 0 (no beat detected), are left out."""
    values = [float(v) for i in rec.tracks
              if (v := getattr(i.track, feature, None)) is not None and (feature != "tempo" or v > 0)]
    return sum(values) / len(values) if values else None


def ceiling_cues(deltas: dict[str, float], before: Filters, after: Filters, asked_years: tuple[int | None, int | None],
                 on_screen: dict[str, float | None], rec: Recommendation) -> list[str]:
    """The cues of a follow-up that could not go further ("faster", "newer"), in :data:`core.steps.CUES` words.

    Args:
        deltas: the follow-up's feature moves (feature -> change; tempo a fraction).
        before / after: the request's filters before and after the follow-up was applied.
        asked_years: the follow-up's ``(year_min, year_max)`` (None = not asked).
        on_screen: feature -> the list on screen's mean (None = unknown), for every feature in ``deltas``.
        rec: the list the follow-up produced.
    """
    out: list[str] = []
    for cue in move_cues(deltas):
        feature, sign = _FEATURE.get(cue, ("", 0))
        prev = on_screen.get(feature)
        if not feature or prev is None:
            continue
        new = _mean(rec, feature)
        step = MIN_PROGRESS["tempo"] * prev if feature == "tempo" else MIN_PROGRESS["default"]
        if new is None or (new - prev) * sign < step:
            out.append(cue)
    lo, hi = asked_years
    if lo is not None and hi is None and (not rec.tracks or before.year_min == after.year_min):
        out.append("newer")
    if hi is not None and lo is None and (not rec.tracks or before.year_max == after.year_max):
        out.append("older")
    return out


#: English superlatives of the move cues (the other languages say the cue itself, :data:`CEILING`).
SUPERLATIVE = {
    "faster": "fastest", "slower": "slowest", "more upbeat": "most upbeat", "less upbeat": "least upbeat", "sadder": "saddest", "happier": "happiest",
    "more energetic": "most energetic", "calmer": "calmest", "more danceable": "most danceable",
    "less danceable": "least danceable", "more acoustic": "most acoustic", "more electronic": "most electronic",
    "more instrumental": "most instrumental", "with vocals": "most vocal", "more romantic": "most romantic",
    "newer": "newest", "older": "oldest", "less rap": "least rapped", "more rap": "most rapped",
}
#: The first line of a follow-up at its ceiling, per reply language: {sup} the English superlative, {cue} the cue as
#: worded in that language (:data:`core.text.wording.MOVES`).
CEILING = {
    "en": "These are already the {sup} tracks for this request — the catalog has nothing {cue} here.",
    "es": "Esta petición ya no da para ir más allá en «{cue}»: el catálogo no tiene nada más en esa dirección.",
    "pt": "Este pedido já não permite ir além em “{cue}”: o catálogo não tem nada mais nessa direção.",
    "fr": "Impossible d'aller plus loin dans le sens « {cue} » pour cette demande : le catalogue n'a rien de plus dans "
          "cette direction.",
    "de": "Bei dieser Anfrage geht es nicht weiter in Richtung „{cue}“: Der Katalog hat in diese Richtung nichts mehr.",
}


def ceiling_line(cues: Sequence[str], lang: str = "en") -> str:
    """The first-line sentence for follow-up ``cues`` at their ceiling (:func:`ceiling_cues`) in ``lang``; "" when
    there is none. Several cues are one sentence ("fastest and newest")."""
    cues = list(dict.fromkeys(cues))
    if not cues:
        return ""
    if lang not in CEILING or lang == "en":
        sup = " and ".join(SUPERLATIVE.get(c, c) for c in cues)
        return CEILING["en"].format(sup=sup, cue=" or ".join(cues))
    from core.text.wording import MOVES

    said = ", ".join(MOVES.get(c, {}).get(lang, c) for c in cues)
    return CEILING[lang].format(cue=said)


__all__ = ["CEILING", "MIN_PROGRESS", "SUPERLATIVE", "ceiling_cues", "ceiling_line"]
