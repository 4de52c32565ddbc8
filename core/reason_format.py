"""The ONE formatter of reasons: :class:`core.models.Reason` facts (and the hot path's :class:`Fact` tuples) as short
checkable words ("96 BPM · minor key · acoustic 0.81 · same subgenre: neo soul"), in the reply's language — the words
come from :mod:`core.reason_words` (one table per language; numbers and units are the same in every language).
:mod:`core.explain` makes the facts and re-exports this module.

A word is used only when the track's value is on that side of the threshold in :data:`FEATURE_WORDS`. Thresholds:
Spotify's audio-features reference (https://developer.spotify.com/documentation/web-api/reference/get-audio-features)
— instrumentalness above 0.5 "is intended to represent instrumental tracks", speechiness above 0.33 "may contain both
music and speech, … such as rap music", liveness above 0.8 "provides strong likelihood that the track is live"; the
others (acoustic ≥ 0.5, danceable ≥ 0.7, high energy ≥ 0.7 / low ≤ 0.35, bright valence ≥ 0.65 / dark ≤ 0.35) are this
project's choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from core.genres import shown_label
from core.models import Reason, Recommendation, RecommendedTrack, Track
from core.reason_words import REASON_WORDS, words_for
from core.units import format_value

#: ``feature: (high threshold, high word, low threshold, low word, neutral name)``; a word is used only on its side
#: of the threshold (``None`` = no word on that side), otherwise the neutral name with the value.
FEATURE_WORDS: dict[str, tuple[float | None, str, float | None, str, str]] = {
    "danceability": (0.70, "danceable", 0.40, "low danceability", "danceability"),
    "energy": (0.70, "high energy", 0.35, "low energy", "energy"),
    "valence": (0.65, "bright valence", 0.35, "dark valence", "valence"),
    "acousticness": (0.50, "acoustic", None, "", "acousticness"),
    "instrumentalness": (0.50, "instrumental", None, "", "instrumentalness"),
    "speechiness": (0.33, "rap/spoken", None, "", "speechiness"),
    "liveness": (0.80, "live recording", None, "", "liveness"),
}
#: Instrumentalness below this reads as "vocal" (Spotify: values near 0 mean vocal content).
VOCAL_BELOW = 0.10
#: At most this many facts in one rendered reason.
MAX_FACTS = 4
SEPARATOR = " · "
_EN = REASON_WORDS["en"]


class Fact(NamedTuple):
    """A :class:`Reason` in the hot path: the same fields as a plain tuple (a radio makes ~50 facts per request;
    building Pydantic models for them would cost more than the ranking). :func:`to_reason` turns one into a
    :class:`Reason`; :func:`format_reason` accepts both."""

    kind: str
    feature: str = ""
    value: float | None = None
    target: float | None = None
    label: str = ""


#: :func:`to_reason` by fact (a radio's facts repeat across its pages, its picks and other radios); at most
#: :data:`_REASONS_MAX` (~1 KB each), cleared when full.
_REASONS: dict[Fact, Reason] = {}
_REASONS_MAX = 4096


def to_reason(fact: Fact | Reason) -> Reason:
    """The :class:`Reason` model of a :class:`Fact` (validated once per distinct fact and then shared: a
    :class:`Reason` is frozen), or the reason itself."""
    if isinstance(fact, Reason):
        return fact
    got = _REASONS.get(fact)
    if got is None:
        got = Reason(**fact._asdict())
        if len(_REASONS) >= _REASONS_MAX:
            _REASONS.clear()
        _REASONS[fact] = got
    return got


def feature_fact(feature: str, value: float, lang: str = "en") -> str:
    """One fact for an audio feature value: ``"96 BPM"``, ``"minor key"``, ``"-5.2 dB"``, ``"acoustic 0.81"``,
    ``"vocal"``, ``"energy 0.55"`` (in ``lang``: ``"acústica 0.81"``, ``"Moll"``; :mod:`core.reason_words`). Words
    follow :data:`FEATURE_WORDS`; numbers are the value rounded, the same in every language."""
    return _feature_fact(feature, value, REASON_WORDS.get(lang) or _EN)


def _feature_fact(feature: str, value: float, w: dict[str, str]) -> str:
    if feature == "tempo":
        return f"{value:.0f} BPM"
    if feature == "loudness":
        return f"{value:.1f} dB"
    if feature == "duration_ms":  # "2:54": a length asked for ("under 3 minutes") is said as one
        return format_value(feature, value)
    if feature == "mode":
        return w["minor key"] if value < 0.5 else w["major key"]
    if feature == "instrumentalness" and value < VOCAL_BELOW:
        return w["vocal"]
    spec = FEATURE_WORDS.get(feature)
    if spec is None:
        return f"{feature} {value:.2f}"
    hi, hi_word, lo, lo_word, name = spec
    word = hi_word if hi is not None and value >= hi else lo_word if lo is not None and value <= lo else name
    return f"{w.get(word, word)} {value:.2f}"  # the word, then the value, in every language


def _target(feature: str, target: float, w: dict[str, str]) -> str:
    """An asked / anchor value in its unit (:func:`core.units.format_value`); "minor" / "major" worded."""
    said = format_value(feature, target)
    return w.get(said, said) if feature == "mode" else said


def bound_text(feature: str, low: float | None, high: float | None) -> str:
    """A range a request stated, in the feature's unit (:func:`core.units.format_value`): ``"≥ 125 BPM"``,
    ``"≤ 0.3"``, ``"100–120 BPM"`` (the same in every language: symbols and numbers)."""
    if low is not None and high is not None:
        lo, hi = format_value(feature, low), format_value(feature, high)
        unit = lo.rpartition(" ")[2] if " " in lo and lo.rpartition(" ")[2] == hi.rpartition(" ")[2] else ""
        return f"{lo.rpartition(' ')[0]}–{hi}" if unit else f"{lo}–{hi}"
    return f"≥ {format_value(feature, low)}" if low is not None else f"≤ {format_value(feature, float(high or 0))}"


def format_reason(reason: Reason | Fact, lang: str = "en") -> str:
    """One :class:`Reason` (or :class:`Fact`) as a short fact (see the module docstring), worded in ``lang`` by
    :mod:`core.reason_words` (English for a language without a table)."""
    k = reason.kind
    w = REASON_WORDS.get(lang) or _EN
    if k == "feature" and reason.value is not None:
        return _feature_fact(reason.feature, reason.value, w)
    if k == "asked_feature" and reason.value is not None:
        fact = _feature_fact(reason.feature, reason.value, w)
        worded = not any(ch.isdigit() for ch in fact)  # "vocal", "minor key": the word already answers the ask
        low, high = getattr(reason, "low", None), getattr(reason, "high", None)  # a Fact carries no bounds
        if (low is not None or high is not None) and not worded:  # a bound asked: shown as the bound
            return w["asked"].format(fact=fact, target=bound_text(reason.feature, low, high))
        return (
            fact
            if reason.target is None or reason.feature == "mode" or worded
            else w["asked"].format(fact=fact, target=_target(reason.feature, reason.target, w))
        )
    if k == "anchor_feature" and reason.value is not None:  # "like Coldplay but slower": the move, checkable
        fact = _feature_fact(reason.feature, reason.value, w)
        if reason.target is None or reason.feature == "mode":
            return fact
        return w["anchor"].format(fact=fact, x=reason.label or w["seed"],
                                  target=_target(reason.feature, reason.target, w))
    if k in ("artist", "related_artist", "asked_artist"):
        return w[k].format(x=reason.label)
    if k in ("label", "asked_label"):
        label = shown_label(reason.label)
        if reason.feature == "playlist":
            return w["with seed"] if k == "label" else w["catalog playlist"].format(x=label)
        if reason.feature.startswith("playlist "):  # a playlist's tag, not the track's own style (own_labels)
            return w["tagged"].format(x=label)
        kind = w.get(reason.feature, reason.feature) if reason.feature in ("genre", "subgenre") else reason.feature
        return w["same label" if k == "label" else "asked label"].format(kind=kind, x=label)
    if k == "era" and reason.value is not None:
        year = int(reason.value)
        if reason.target is None:
            return str(year)
        seed = int(reason.target)
        if reason.label:  # "like Metallica but newer": the year next to the anchor's own, as the first line says it
            return w["anchor"].format(fact=year, x=reason.label, target=seed)
        return w["like seed"].format(y=year) if seed == year else w["near seed"].format(y=year, s=seed)
    if k == "album_date" and reason.value is not None:
        if reason.target is not None and int(reason.target) < int(reason.value):
            return w["album first"].format(y=int(reason.value), f=int(reason.target))
        return w["album"].format(y=int(reason.value))
    if k == "evidence":  # a look-alike for a style the catalog lacks: which of its own texts names the style
        names = w.get(f"names {reason.feature}")  # title / album / artist; anything else: close by its labels
        said = (w["named playlist"].format(x=reason.label[:60]) if reason.feature == "playlist"
                else names.format(x=reason.label) if names else w["by labels"].format(x=reason.label))
        return w["alternative of"].format(x=said)
    if k == "popular" and reason.value is not None:
        return w["popular"].format(v=int(reason.value))
    if k in ("taste", "search", "sound", "no_features"):
        return w[k]
    return w["request"]


def format_reasons(reasons: Sequence[Reason | Fact], max_facts: int = MAX_FACTS, lang: str = "en") -> str:
    """The plain reason line: the first ``max_facts`` facts joined by " · " (empty for no reasons), in ``lang``."""
    facts: list[str] = []
    worded = _WORDED if lang == "en" else _WORDED_IN.setdefault(lang, {})
    for r in reasons:
        fact = worded.get(r) if isinstance(r, Fact) else None
        if fact is None:
            fact = format_reason(r, lang)
            if isinstance(r, Fact):
                if len(worded) >= 8192:
                    worded.clear()
                worded[r] = fact
        if fact and fact not in facts:
            facts.append(fact)
            if len(facts) >= max_facts:
                break
    return SEPARATOR.join(facts)


#: Worded facts by value (labels, artists, years and modes repeat across radios); bounded, cleared when full.
_WORDED: dict[Fact, str] = {}
#: The same per other language (``lang -> fact -> words``).
_WORDED_IN: dict[str, dict[Fact, str]] = {}


def reason_text(item: RecommendedTrack, lang: str = "en") -> str:
    """What adapters show as the reason line: the rendered :attr:`RecommendedTrack.reasons`, else the free-text
    :attr:`RecommendedTrack.reason` (an LLM's, for instance). ``lang`` is the reply's language
    (:attr:`core.models.Recommendation.lang`): the facts are worded in it, and a "closest alternative" pick says so
    first (see :func:`localized_reason`)."""
    if lang == "en" or lang not in REASON_WORDS:
        return format_reasons(item.reasons) if item.reasons else item.reason
    return localized_reason(item, lang)


#: The English fixed phrases a free-text reason may be made of (no structured facts behind it).
_FIXED = {"matches your request": "request", "picked for your request": "picked", "closest alternative": "alternative"}
_ALTERNATIVE = "closest alternative"


def localized_reason(item: RecommendedTrack, lang: str) -> str:
    """``item``'s reason line in ``lang``: its facts worded by :mod:`core.reason_words`, after "closest alternative"
    when the English line was marked so (:meth:`core.app.discovery.Discovery._with_coverage`). A reason with no facts
    is translated when it is one of this module's fixed phrases; other free text (an LLM's) is kept as written."""
    w = words_for(lang)
    alt = item.reason.startswith(_ALTERNATIVE) or item.reason.startswith(w["alternative"])
    if item.reasons:
        if alt and all(r.kind == "request" for r in item.reasons):
            return w["alternative"]
        body = format_reasons(item.reasons, lang=lang)
        if not alt or item.reasons[0].kind == "evidence":
            return body
        return w["alternative of"].format(x=body)
    key = _FIXED.get(item.reason)
    if key is not None:
        return w[key]
    if item.reason.startswith(_ALTERNATIVE + ": "):
        rest = item.reason[len(_ALTERNATIVE) + 2:]
        return w["alternative of"].format(x=w[_FIXED[rest]] if rest in _FIXED else rest)
    return item.reason


def describe_track(track: Track, lang: str, reason: str = "") -> str:
    """One track's sound as checkable facts in ``lang`` ("energía 0.46 · ánimo sombrío 0.20 · 148 BPM · con voz ·
    tonalidad menor; hip pop; 2020. Elegida porque: …"), for "why #2" in a conversation held in another
    language than English; ``reason``: the line the list showed (already in ``lang``), "" for none."""
    facts = [feature_fact(f, float(getattr(track, f)), lang)
             for f in ("energy", "valence", "danceability", "tempo", "acousticness", "instrumentalness", "mode")
             if getattr(track, f, None) is not None]
    labels = (track.subgenres or track.genres)[:3]
    parts = [SEPARATOR.join(facts), ", ".join(labels), str(track.year or "")]
    text = "; ".join(p for p in parts if p) + "."
    return text + (" " + words_for(lang)["why"].format(x=reason) if reason else "")


def localize(rec: Recommendation, lang: str) -> Recommendation:
    """``rec`` with :attr:`~core.models.Recommendation.lang` set to ``lang`` and each track's plain ``reason`` worded
    in it (:func:`localized_reason`; the facts in ``reasons`` are unchanged). Presentation only: the tracks, their
    order and scores stay. ``rec`` itself when it is already in ``lang`` or ``lang`` has no wording; reasons
    already worded in another language than English are left as they are."""
    if lang == rec.lang or lang not in REASON_WORDS or rec.lang != "en":
        return rec
    tracks = [i.model_copy(update={"reason": localized_reason(i, lang)}) for i in rec.tracks]
    coverage = [n.model_copy(update={"lang": lang}) if n.lang == "en" else n for n in rec.coverage]
    return rec.model_copy(update={"tracks": tracks, "lang": lang, "coverage": coverage})
