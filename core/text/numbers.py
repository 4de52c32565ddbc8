"""Numbers for audio features in the units people write: 0–1 ("valence 0.3"), percent ("energy 40%"), marks out of
10 or 5 ("8/10 danceable"), dB ("quieter than -10 dB"), BPM without the unit ("tempo over 140"), song length ("under
two and a half minutes"), with comparisons in English, Spanish, Portuguese, French and German ("at least", "under",
"or higher", "más de", "pelo menos", "au moins", "mindestens") and ranges ("energy between 0.2 and 0.4", "20-40%").

Each value becomes a rule-priority target (:data:`core.text.state.P_RULE`), a hard range in ``Request.ranges`` (raw
units; the ranker may apply it as a filter) and a cue; a value outside the feature's range is clamped and a
``clamped`` :class:`~core.models.TextNote` says so. Runs on the folded request after the tempo / year rules of
:mod:`core.text.cues` (which consume "120 bpm", "2010-2015", "90s" first); matched spans become clause delimiters.
"""

from __future__ import annotations

import bisect
import functools
import re

from core.text.language import note_text
from core.text.state import P_RULE, Request
from core.units import format_value as _fmt  # one rule for shown values (core.units)
from core.units import mmss as _mmss

#: Folded words naming a feature (English, Spanish, Portuguese, French, German) -> audio feature.
FEATURE_WORDS: dict[str, str] = {
    **dict.fromkeys("energy energetic energia energie energique energetico energetica energisch intensity "
                    "intensidad intensidade intensite intensitat".split(), "energy"),
    **dict.fromkeys("valence valencia positivity positiveness happiness positividad positividade positivite "
                    "positivitat mood humor humeur stimmung animo".split(), "valence"),
    **dict.fromkeys("danceability danceable danceabilty dancability danceablity dance dancey dancy bailable "
                    "bailabilidad dancabilidade dancante dansant dansante dansabilite tanzbar tanzbarkeit "
                    "tanzbarer".split(), "danceability"),
    **dict.fromkeys("acousticness acoustic acousticity acustico acustica acusticidad acoustique akustisch "
                    "akustik".split(), "acousticness"),
    **dict.fromkeys("instrumentalness instrumental instrumentality".split(), "instrumentalness"),
    **dict.fromkeys("speechiness speech spoken speechy".split(), "speechiness"),
    **dict.fromkeys("liveness live".split(), "liveness"),
    **dict.fromkeys("loudness loud louder quiet quieter volume volumen lautstarke laut".split(), "loudness"),
    **dict.fromkeys("tempo bpm pace speed velocidad velocidade vitesse geschwindigkeit".split(), "tempo"),
}
#: Raw bounds a number is clamped to per feature (0–1 features; loudness as the catalog measures it, up to 0 dB;
#: tempo as beat trackers report it). Source of the 0–1 scales and dB/BPM units: Spotify's audio-features reference.
BOUNDS: dict[str, tuple[float, float]] = {
    **dict.fromkeys(("danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness",
                     "valence"), (0.0, 1.0)),
    "loudness": (-60.0, 0.0),
    "tempo": (40.0, 240.0),
    "duration_ms": (10_000.0, 1_800_000.0),
}
# "point" tolerance (a bare value / "around" a value) per unit family, and the margin a one-sided bound's target keeps
# inside the range: for 0–1 features 0.05 / 0.1 (a mark out of 10 is ±half a mark), dB 1.5 / 3, BPM 4 / 10.
_TOL = {"unit": (0.05, 0.1), "loudness": (1.5, 3.0), "tempo": (4.0, 10.0)}

_MIN = (r"at least|no less than|not less than|over|above|more than|greater than|higher than|bigger than|min(?:imum)?|"
        r">=?|from|starting at|louder than|faster than|mas de|mas que|al menos|por lo menos|minimo|como minimo|"
        r"mais de|mais que|pelo menos|no minimo|acima de|au moins|plus de|plus que|superieur a|au dessus de|"
        r"minimum|mindestens|uber|mehr als|ab|hoher als|lauter als|schneller als")
_MAX = (r"at most|no more than|not more than|under|below|less than|lower than|smaller than|max(?:imum)?|<=?|up to|"
        r"quieter than|softer than|slower than|menos de|menos que|como maximo|maximo|hasta|por debajo de|"
        r"no maximo|ate|abaixo de|au plus|moins de|moins que|en dessous de|sous|inferieur a|jusqu a|hochstens|"
        r"maximal|unter|weniger als|bis|niedriger als|leiser als|langsamer als")
_AROUND = (r"around|about|approximately|approx|roughly|circa|near|close to|~|like|maybe|alrededor de|cerca de|"
           r"aproximadamente|unos|por volta de|uns|environ|autour de|vers|etwa|ungefahr|rund|um|at|@|de|of|a|en|"
           r"em|bei|auf|is|=|:")
_TAIL_MIN = r"or (?:higher|more|above|greater|louder|faster|up)|and (?:up|above|higher|more)|\+|plus|o mas|ou mais|ou plus|oder mehr|und mehr"
_TAIL_MAX = r"or (?:lower|less|below|under|quieter|slower|down)|and (?:below|under|lower|less|down)|o menos|ou menos|ou moins|oder weniger"
_NUM = r"(-?\s?(?:0[.,]\d+|\d+(?:\.\d+)?|\.\d+))"
_UNIT = (r"(?:\s*(%|percent|per cent|pct|por ciento|por cento|pour cent|prozent|/\s*(?:10|100|5)\b|out of (?:10|100|5)\b|"
         r"de (?:10|100)\b|sur (?:10|100)\b|von (?:10|100)\b|db\b|decibels?\b|dbfs\b|bpm\b))?")
#: Marks that end a clause (a number and its feature word are in one clause).
_CLAUSE_MARK = re.compile(r"[,;.!?]")
_LETTERS = re.compile(r"[a-z]+")


@functools.lru_cache(maxsize=8)
def _clause_index(s: str) -> tuple[list[int], list[int], list[tuple[int, int]]]:
    """``(mark positions, word starts, word spans)`` of ``s``, ascending: the clause marks and the ``[a-z]+`` words
    (kept for the few texts being parsed: one message's numbers ask for the same text)."""
    spans = [w.span() for w in _LETTERS.finditer(s)]
    return [mk.start() for mk in _CLAUSE_MARK.finditer(s)], [w0 for w0, _ in spans], spans
_NUMBER_RE = re.compile(
    rf"(?<![\w.,/:-])(?:(?P<cmp>{_MIN}|{_MAX}|{_AROUND}|between|entre|zwischen)\s*)?{_NUM}{_UNIT}"
    rf"(?:\s*(?:-|\u2013|to|and|y|e|et|und|bis|a)\s*{_NUM}{_UNIT})?"
    rf"(?:\s*(?P<tail>{_TAIL_MIN}|{_TAIL_MAX}))?(?!\w|[.,]\d)",
)
_MIN_RE = re.compile(rf"^(?:{_MIN}|{_TAIL_MIN})$")
_MAX_RE = re.compile(rf"^(?:{_MAX}|{_TAIL_MAX})$")
_NEAR_RE = re.compile(r"^(?:around|about|approximately|approx|roughly|circa|near|close to|~|like|maybe|alrededor de|"
                      r"cerca de|aproximadamente|unos|por volta de|uns|environ|autour de|vers|etwa|ungefahr|rund)$")
_WORD_NUMS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10, "un": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "um": 1, "dois": 2,
              "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "ein": 1, "eins": 1, "zwei": 2, "drei": 3, "vier": 4,
              "funf": 5}
_DURATION_RE = re.compile(
    rf"\b(?:(?P<cmp>{_MIN}|{_MAX}|longer than|shorter than|no longer than|around|about)\s+)?"
    r"(?P<num>\d+(?:[.,]\d+)?|\d+:\d\d|one|two|three|four|five|six|seven|eight|nine|ten|uno|dos|tres|cuatro|cinco|"
    r"um|dois|deux|trois|quatre|cinq|zwei|drei|vier|funf)(?P<half>\s+and\s+a\s+half|\s+y\s+medio|\s+e\s+meio|"
    r"\s+et\s+demie?|\s+einhalb)?\s*(?:(?P<unit>min(?:ute)?s?|minutos?|mins?|minuten)\b|(?<=\d:\d\d)(?!\d))"
    r"(?:\s*(?P<tail>long|or less|or shorter|"
    r"or more|or longer|max|tops))?"
)


def _value(raw: str) -> float:
    return float("".join(raw.split()).replace(",", "."))  # any whitespace the regex's \s allowed ("- 5", "-\x1f5")


class NumberRules:
    """Feature numbers and song lengths (mixin of ``TextUnderstanding``; called by ``ExplicitRules._apply_rules``)."""

    def _numbers(self, s: str, req: Request) -> str:
        s = _DURATION_RE.sub(lambda m: " , " if self._duration(m, req) else m.group(0), s)
        out, last = [], 0
        for m in _NUMBER_RE.finditer(s):
            span = self._feature_number(s, m, req)
            if span is None or span[0] < last:
                continue
            out.append(s[last : span[0]])
            out.append(" , ")
            last = span[1]
        out.append(s[last:])
        return "".join(out)

    # ---------------------------------------------------------------------------------------------------- parts
    @staticmethod
    def _find_feature(s: str, m: re.Match[str]) -> tuple[str, int, int] | None:
        """The feature word nearest to the number (same clause; left wins ties): ``(feature, start, end)`` — among
        the clause's last four words before the number and its first three after it.

        The clause marks and words of ``s`` are found once per message (:func:`_clause_index`) and each number looks
        up its neighbours by bisection: splitting and scanning the text around every number was quadratic (a
        2,000-character message of 667 numbers, "#3 #3 …", spent ~100 ms there). The words are those of the clause
        as a substring: no word runs into a number or past a mark (the number's pattern starts and ends at a word
        boundary; a mark is no letter).
        """
        marks, starts, spans = _clause_index(s)
        a, b = m.start(), m.end()
        i = bisect.bisect_left(marks, a)
        lo = marks[i - 1] + 1 if i else 0  # the clause starts after the last mark before the number…
        j = bisect.bisect_left(marks, b)
        hi = marks[j] if j < len(marks) else len(s)  # …and ends at the first mark after it
        best = None
        k = bisect.bisect_left(starts, a)
        for dist, q in enumerate(range(k - 1, max(k - 5, -1), -1)):  # the last four words before it, nearest first
            w0, w1 = spans[q]
            if w0 < lo:
                break
            word = s[w0:w1]
            if word in FEATURE_WORDS:
                best = (dist, FEATURE_WORDS[word], w0, w1)
                break
        k = bisect.bisect_left(starts, b)
        for dist, q in enumerate(range(k, min(k + 3, len(spans)))):  # the first three words after it
            w0, w1 = spans[q]
            if w1 > hi:
                break
            word = s[w0:w1]
            if word in FEATURE_WORDS:
                if best is None or dist < best[0]:
                    best = (dist, FEATURE_WORDS[word], w0, w1)
                break
        return None if best is None else best[1:]

    def _feature_number(self, s: str, m: re.Match[str], req: Request) -> tuple[int, int] | None:
        nums = [g for g in (m.group(2), m.group(4)) if g is not None]
        units = [(u or "").replace(" ", "") for u in (m.group(3), m.group(5))]
        unit = units[0] or units[1]
        found = self._find_feature(s, m)
        if found is None:
            if unit == "bpm":
                found = ("tempo", m.start(), m.start())
            elif unit.startswith(("db", "decibel")):
                found = ("loudness", m.start(), m.start())
            else:
                return None
        name, w_start, w_end = found
        if unit == "bpm":
            name = "tempo"
        if name != "loudness" and unit.startswith(("db", "decibel")):
            return None
        # comparison: before the number (its own group or the words between the feature word and the number)
        cmp = (m.group("cmp") or "").strip()
        between = s[w_end : m.start()].strip() if w_end <= m.start() else ""
        tail = (m.group("tail") or "").strip()
        side = "point"
        for text in (tail, cmp, between):
            t = re.sub(r"\s+", " ", text)
            for piece in (t, *[t[i:] for i in range(len(t)) if i == 0 or t[i - 1] == " "]):
                if _MIN_RE.match(piece):
                    side = "min"
                elif _MAX_RE.match(piece):
                    side = "max"
                elif _NEAR_RE.match(piece) and side == "point":
                    side = "near"
                else:
                    continue
                break
            if side != "point":
                break
        if name == "loudness" and side == "point":
            word = s[w_start:w_end]
            side = {"louder": "min", "quieter": "max"}.get(word, side)
        first = _value(nums[0])
        if not unit and name not in ("loudness", "tempo") and (first > 100 or (first > 1 and w_start > m.start()
                                                                            and side == "point")):
            return None  # "blink 182 live", "2 live crew": a number next to a feature word, not a value of it
        values = [self._scale(name, _value(n), unit, s[m.start() : m.end()], req) for n in nums]
        if any(v is None for v in values):
            return None
        asked = re.sub(r"\s+", " ", s[min(m.start(), w_start) : max(m.end(), w_end)]).strip()
        if len(values) == 2:
            lo, hi = sorted(values)  # type: ignore[type-var]
            self._set_range(name, lo, hi, (lo + hi) / 2, asked, req)
        else:
            self._set_bound(name, float(values[0]), side, asked, req)  # type: ignore[arg-type]
        return min(m.start(), w_start), max(m.end(), w_end)

    @staticmethod
    def _scale(name: str, value: float, unit: str, said: str, req: Request) -> float | None:
        """The number in the feature's raw units, clamped (with a ``clamped`` note); None = not a feature value."""
        lo, hi = BOUNDS[name]
        if name in ("loudness", "tempo"):
            if unit in ("%",) or unit.startswith(("/", "outof", "percent", "de", "sur", "von", "por", "pour", "pro")):
                return None
            if name == "loudness" and value > 0 and "-" not in said and unit == "":
                value = -value  # "loudness 8" = -8 dB: loudness is negative in the catalog
            scaled = value
        elif unit in ("%", "percent", "percent", "pct", "porciento", "porcento", "pourcent", "prozent", "/100",
                      "outof100", "de100", "sur100", "von100"):
            scaled = value / 100
        elif unit in ("/10", "outof10", "de10", "sur10", "von10"):
            scaled = value / 10
        elif unit in ("/5", "outof5"):
            scaled = value / 5
        elif unit:
            return None
        elif value <= 1 or value != int(value):
            scaled = value  # 0–1 as written; "valence 1.5" is out of range (clamped below, with a note)
        elif value <= 10:
            scaled = value / 10
            req.cue(f"{name} {value:g} → read as {value:g}/10")
        else:
            scaled = value / 100
            if value <= 100:
                req.cue(f"{name} {value:g} → read as {value:g}%")
        if not lo <= scaled <= hi:
            used = min(hi, max(lo, scaled))
            req.note("clamped", name, note_text("clamped", req.lang, feature=name, asked=said.strip(),
                                                used=_fmt(name, used), lo=_fmt(name, lo), hi=_fmt(name, hi)),
                     asked=said.strip(), used=_fmt(name, used))
            scaled = used
        return scaled

    def _set_bound(self, name: str, value: float, side: str, asked: str, req: Request) -> None:
        lo, hi = BOUNDS[name]
        family = "unit" if hi == 1.0 else name
        tol_point, tol_near = _TOL.get(family, (0.05, 0.1))
        if side == "min":
            margin = min(tol_near * 1.5, (hi - value) / 2)
            self._set_range(name, value, None, value + margin, asked, req)
        elif side == "max":
            margin = min(tol_near * 1.5, (value - lo) / 2)
            self._set_range(name, None, value, value - margin, asked, req)
        else:
            tol = tol_near if side == "near" else tol_point
            self._set_range(name, max(lo, value - tol), min(hi, value + tol), value, asked, req)

    @staticmethod
    def _set_range(name: str, low: float | None, high: float | None, target: float, asked: str, req: Request) -> None:
        req.bound(name, low, high)
        if name == "tempo":
            req.tempo_min = low if low is not None else req.tempo_min
            req.tempo_max = high if high is not None else req.tempo_max
        req.target(P_RULE, name, target, 1.0)
        if low is not None and high is not None:
            unit = {"loudness": " dB", "tempo": " BPM"}.get(name, "")
            shown = f"{name} {_fmt(name, low).split(' ')[0]} to {_fmt(name, high)}" if unit else \
                f"{name} {_fmt(name, low)}–{_fmt(name, high)}"
        elif low is not None:
            shown = f"{name} ≥ {_fmt(name, low)}"
        else:
            shown = f"{name} ≤ {_fmt(name, high)}"  # type: ignore[arg-type]
        req.cue(f"{asked} → {shown}")
        req.evidence.append(0.6)

    def _duration(self, m: re.Match[str], req: Request) -> bool:
        raw = m.group("num")
        if m.group("unit") is None and not m.group("cmp"):  # a bare "11:30" is a time of day; "under 2:30" a length
            return False
        if ":" in raw:
            mins, secs = raw.split(":")
            minutes = int(mins) + int(secs) / 60
        else:
            minutes = float(_WORD_NUMS.get(raw, 0)) if raw in _WORD_NUMS else _value(raw)
        if m.group("half"):
            minutes += 0.5
        if minutes <= 0:
            return False
        ms = minutes * 60_000
        cmp = (m.group("cmp") or "").strip()
        tail = (m.group("tail") or "").strip()
        lo_b, hi_b = BOUNDS["duration_ms"]
        if _MAX_RE.match(cmp) or cmp in ("shorter than", "no longer than") or tail in ("or less", "or shorter", "max",
                                                                                        "tops"):
            req.bound("duration_ms", None, ms)
            shown = f"≤ {_mmss(ms)}"
        elif _MIN_RE.match(cmp) or cmp == "longer than" or tail in ("or more", "or longer"):
            req.bound("duration_ms", ms, None)
            shown = f"≥ {_mmss(ms)}"
        else:
            req.bound("duration_ms", max(lo_b, ms - 30_000), min(hi_b, ms + 30_000))
            shown = f"{_mmss(ms - 30_000)}–{_mmss(ms + 30_000)}"
        req.cue(f"{m.group(0).strip()} → length {shown}")
        req.evidence.append(0.6)
        return True
