"""Explicit rules, run on the folded request before tokenizing: tempo ("around 120 bpm", "120-130 bpm", "over 140
bpm"), years and decades ("90s", "early 2000s", "2010-2015", "since 2015", "last 5 years"), keys and modes ("minor
key", "in C# minor"), "no vocals" and result counts ("20 songs"). Each matched span is replaced by a delimiter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from core.limits import MAX_TRACKS
from core.text.matching import PhraseMatching
from core.text.numbers import NumberRules
from core.text.state import P_RULE, Request

#: Lower / upper bound words before a BPM value in Spanish, Portuguese, French and German (folded: "über" -> "uber"),
#: as in "más de 140 BPM", "pelo menos 120 bpm", "moins de 90 BPM", "über 130 BPM".
_MIN_WORDS = (r"mas de|mas que|al menos|por lo menos|como minimo|mais de|mais que|pelo menos|no minimo|acima de|"
              r"au moins|plus de|plus que|superieur a|au dessus de|mindestens|uber|mehr als|schneller als")
_MAX_WORDS = (r"menos de|menos que|por debajo de|hasta|como maximo|no maximo|abaixo de|ate|moins de|moins que|"
              r"au plus|en dessous de|sous|jusqu a|hochstens|unter|weniger als|bis|langsamer als")

#: A rule: the pattern and its handler, which records the evidence and returns False to leave the match unused.
Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Request], bool]]

_PITCH = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_DECADE_WORDS = {
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
    "noughties": 2000,
    "aughts": 2000,
    "two thousands": 2000,
    "twenty tens": 2010,
}
#: Decade words in Spanish, Portuguese, French and German (folded) -> first year.
_FOREIGN_DECADES = {
    "cincuenta": 1950, "sesenta": 1960, "setenta": 1970, "ochenta": 1980, "noventa": 1990,
    "cinquenta": 1950, "sessenta": 1960, "oitenta": 1980,
    "cinquante": 1950, "soixante": 1960, "soixante dix": 1970, "quatre vingt": 1980, "quatre vingts": 1980,
    "quatre vingt dix": 1990,
    "funfziger": 1950, "sechziger": 1960, "siebziger": 1970, "achtziger": 1980, "neunziger": 1990,
}
#: Open bounds in those languages -> the English word :func:`_open_bound` understands.
_FOREIGN_BOUND_WORDS = {
    "desde": "since", "depuis": "since", "seit": "since", "a partir de": "since", "ab": "since",
    "despues de": "after", "depois de": "after", "apres": "after", "nach": "after", "posterior a": "after",
    "antes de": "before", "avant": "before", "vor": "before", "anterior a": "before",
    "hasta": "until", "ate": "until", "jusqu a": "until", "jusqu en": "until", "bis": "until",
}
_FOREIGN_BOUNDS = "|".join(sorted(_FOREIGN_BOUND_WORDS, key=len, reverse=True))
_NUM_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
              "few": 3, "couple of": 2, "couple": 2}


#: Words that turn an open era bound round ("nothing older than 2015", "no songs from before 2000", "not after
#: the 90s").
_NOT_BOUND = (r"\b(?:nothing|none|no (?:songs?|tracks?|music|stuff)|not(?: anything)?|never anything)\s+"
              r"(?:(?:from|released|made|recorded|that'?s|that is)\s+)?")


def _open_bound(prefix: str | None, lo: int, hi: int, req: Request) -> tuple[str, str]:
    """Apply ``prefix`` ("since", "before"…) as an open-ended bound on the period ``lo``–``hi`` (years).

    since (newer / later than) -> from ``lo``; after (post) -> from ``hi + 1``; before (pre, prior to, older /
    earlier than) -> up to ``lo - 1``; until (till, up to) -> up to ``hi``. Returns ``(canonical word, "from Y" or
    "up to Y")``, or ``("", "")`` (nothing set) when ``prefix`` is not a bound.
    """
    if prefix in ("since", "newer than", "later than"):
        req.year_lo = lo
        return "since", f"from {lo}"
    if prefix in ("after", "post"):
        req.year_lo = hi + 1
        return "after", f"from {hi + 1}"
    if prefix in ("before", "pre", "prior to", "older than", "earlier than"):
        req.year_hi = lo - 1
        return "before", f"up to {lo - 1}"
    if prefix in ("until", "till", "up to"):
        req.year_hi = hi
        return "until", f"up to {hi}"
    return "", ""


def no_vocals(m: re.Match[str] | None, req: Request) -> bool:
    """Instrumental request ("no vocals", "without singing"; also reached from a negation, with ``m`` None)."""
    req.target(P_RULE, "instrumentalness", 0.8, 1.0)
    req.bound("instrumentalness", 0.5, None)  # the cue's "> 0.5" (core.text.assembly.INSTRUMENTAL_MIN)
    req.target(P_RULE, "speechiness", 0.04, 0.6)
    req.cue("no vocals → instrumental (instrumentalness > 0.5)")
    req.evidence.append(0.6)
    return True


class ExplicitRules(NumberRules, PhraseMatching):
    """Regular-expression rules for numbers, years, keys and vocals (mixin of ``TextUnderstanding``)."""

    _rule_list: list[Rule]  # self._rules(), built once per instance

    def _apply_rules(self, s: str, req: Request) -> str:
        for pattern, handler in self._rule_list:
            s = pattern.sub(lambda m, h=handler: " , " if h(m, req) else m.group(0), s)
        return self._numbers(s, req)

    def _rules(self) -> list[Rule]:
        bpm = r"\s*(?:bpm|beats per minute|beats a minute|beats/min)\b"
        year = r"((?:19|20)\d{2})"
        dec = r"(?:the\s+)?'?((?:19|20)\d0|\d0)\s?'?s\b"
        decw = r"(fifties|sixties|seventies|eighties|nineties|noughties|aughts|two thousands|twenty tens)\b"
        return [
            (re.compile(rf"\b(?:between\s+)?(\d{{2,3}})\s*(?:-|to|and|\u2013)\s*(\d{{2,3}}){bpm}"), self._r_tempo_range),
            (re.compile(rf"\b((?:no|not) (?:more|faster|higher|quicker) than)\s*(\d{{2,3}}){bpm}"), self._r_tempo_max),
            (re.compile(rf"\b((?:no|not) (?:less|slower|lower) than)\s*(\d{{2,3}}){bpm}"), self._r_tempo_min),
            (re.compile(rf"\b(over|above|faster than|more than|at least|min(?:imum)?|greater than|>=?|{_MIN_WORDS})\s*(\d{{2,3}}){bpm}"),
             self._r_tempo_min),
            (re.compile(rf"\b(\d{{2,3}})\s*(?:\+|plus){bpm}|\b(\d{{2,3}}){bpm}\s*(?:or|and)\s*(?:more|above|faster|up|higher)\b"),
             self._r_tempo_min2),
            (re.compile(rf"\b(under|below|slower than|less than|at most|max(?:imum)?|up to|<=?|{_MAX_WORDS})\s*(\d{{2,3}}){bpm}"),
             self._r_tempo_max),
            (re.compile(rf"(?:\b(around|about|approximately|approx|roughly|circa|near|close to|like|at|@|exactly)\s*|~\s*)?"
                        rf"\b(\d{{2,3}}){bpm}(?:\s*,?\s*(?:give or take|plus or minus|\+/-|\u00b1|\+-)\s*"
                        rf"(\d{{1,2}}|one|two|three|four|five|ten)\b(?:\s*bpm\b)?)?"),
             self._r_tempo_point),
            # the word "tempo" beside a BPM number said above ("tempo 170 BPM", "at a tempo of 120 bpm") is that
            # number's label, not a wish for an up-tempo track
            (re.compile(r"\b(?:(?:at\s+)?an?\s+)?tempo(?:\s*(?:of|:|=))?(?=\s|,|$)"),
             lambda m, req: req.tempo_min is not None or req.tempo_max is not None),
            (re.compile(rf"\b(?:between\s+|from\s+)?{year}\s*(?:-|to|until|till|through|thru|and|\u2013)\s*((?:19|20)?\d{{2}})\b"),
             self._r_year_range),
            # "nothing older than 2015", "no songs from before the 90s": the bound turned round (it was read as
            # "older than 2015 → up to 2014")
            (re.compile(rf"{_NOT_BOUND}(before|pre|prior to|older than|earlier than|after|post|newer than|later than)"
                        rf"\s*-?\s*(?:{year}\b|{dec})"), self._r_not_bound),
            (re.compile(rf"\b(since|after|post|newer than|later than|before|pre|until|till|up to|prior to|older than|earlier than|from)?\s*(early|late|mid|middle)?\s*-?\s*{dec}"),
             self._r_decade),
            (re.compile(rf"\b(since|after|post|before|pre|until|from)?\s*(early|late|mid|middle)?\s*(?:the\s+)?{decw}"),
             self._r_decade_word),
            (re.compile(rf"\b(since|after|post|newer than|later than|before|pre|until|till|up to|prior to|older than|earlier than)\s*-?\s*{year}\b"),
             self._r_year_bound),
            # Spanish / Portuguese / French / German decades ("los 80", "anos 90", "annees 80", "80er", "achtziger");
            # 1950s-2020s only: "los 40" is a radio chart ("Los 40 Principales"), not the 1940s
            (re.compile(rf"\b({_FOREIGN_BOUNDS})?\s*(?:(?:de|en|dos|das|des|der|in den)\s+)?(?:los|las|anos|annees|les annees|"
                        r"decada de(?: los)?|decada de|die|den)\s+((?:19)?[5-9]0|20[0-2]0)(?:s|er)?\b(?!\s*(?:bpm|%))"),
             self._r_decade_foreign),
            (re.compile(rf"\b({_FOREIGN_BOUNDS})?\s*(?:(?:die|den|der)\s+)?((?:19|20)?\d0)er[ns]?\b(?:\s+jahren?\b)?"),
             self._r_decade_foreign),
            (re.compile(rf"\b({_FOREIGN_BOUNDS})?\s*(?:(?:de|en|dos|das|des|der|in den)\s+)?(?:los|las|anos|annees|les annees|die|den)?\s*"
                        rf"({'|'.join(k.replace(' ', '[ -]') for k in sorted(_FOREIGN_DECADES, key=len, reverse=True))})n?\b(?:\s+jahren?\b)?"),
             self._r_decade_foreign_word),
            (re.compile(rf"\b({_FOREIGN_BOUNDS})\s+(?:(?:de|del|do|da)\s+)?{year}\b"), self._r_year_bound_foreign),
            (re.compile(rf"\b(?:from\s+)?{year}\s*(\+|onwards?|and (?:later|newer|after|up|beyond)|or (?:later|newer)|(?:up )?(?:to|till|until) (?:now|present|today)|or (?:earlier|older|before)|and (?:earlier|older|before))"),
             self._r_year_open),
            (re.compile(r"\b(?:last|past|previous)\s+(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|few|couple of)\s+years\b"),
             self._r_last_years),
            (re.compile(rf"\b(?:(?:released |recorded |made )?(?:in|from|of|year)\s+)?{year}\b"), self._r_year),
            (re.compile(r"\b(?:in\s+(?:the\s+key\s+of\s+)?)?([a-g])\s*(#|sharp|flat|b)?\s+(major|minor|maj|min)\b(\s+keys?)?"),
             self._r_key),
            (re.compile(r"\b(?:in\s+(?:an?\s+)?)?(minor|major)(\s+(?:keys?|modes?|scales?|tonality|chords?)\b|(?=\s|$|,))"),
             self._r_mode),
            (re.compile(r"\b(?:no|without|zero|w/o|free of|minus|not any|nothing with|don'?t want|less|skip the|"
                        r"not (?:too |so |that )?(?:many|much)|(?<!\ba )(?:very )?few|fewer|hardly any|barely any|minimal)\s+(?:any\s+|the\s+)?"
                        r"(?:vocals?|singing|singers?|lyrics?|words|voices?|vocalists?|vox)\b|\b(?:vocal|lyrics?|voice)\s*-?\s*free\b|\bwordless\b"),
             no_vocals),
            # "in the mood for X" wants X: the idiom names no mood of its own (never "good mood"); also es/pt/fr/de
            (re.compile(r"\b(?:(?:i'?m|i am|am|im)\s+)?(?:in|into)\s+(?:the|a)\s+mood\s+(?:for|to)\b|"
                        r"\b(?:con|com)\s+ganas\s+de\b|\bd'?humeur a\b|\blust auf\b"), lambda m, req: True),
            # the count only: up to three words may sit between it and the noun ("100 chill songs"); they stay, and so
            # does a "top" before it ("top 50 songs": popular ones). Never the decimals of a feature value ("energy 0.9
            # workout songs" is not 9 songs)
            (re.compile(r"(?<![\d.,])\b(\d{1,6})(?=\s+(?:[a-z][a-z'&-]*\s+){0,3}?"
                        r"(?:songs|tracks|tunes|recommendations|picks|suggestions|records|jams|canciones|temas|musicas|cancoes|"
                        r"faixas|chansons|morceaux|titres|lieder|titel)\b)"),
             self._r_limit),
            (re.compile(r"^(?:please\s+)?(?:give|send|show|get|find|recommend)\s+me\s+(\d{1,6})(?:\s+(?:more|of them|please|pls))?\s*$"),
             self._r_limit),
        ]

    def _r_tempo_range(self, m: re.Match[str], req: Request) -> bool:
        lo, hi = sorted((float(m.group(1)), float(m.group(2))))
        if not 30 <= lo <= 250 or not 30 <= hi <= 250:
            return False
        req.tempo_min, req.tempo_max = lo, hi
        req.bound("tempo", lo, hi)
        req.target(P_RULE, "tempo", (lo + hi) / 2, 1.0)
        req.cue(f"{lo:.0f}–{hi:.0f} BPM → tempo filter")
        req.evidence.append(0.6)
        return True

    def _r_tempo_min(self, m: re.Match[str], req: Request) -> bool:
        return self._tempo_bound(float(m.group(2)), "min", req)

    def _r_tempo_min2(self, m: re.Match[str], req: Request) -> bool:
        return self._tempo_bound(float(m.group(1) or m.group(2)), "min", req)

    def _r_tempo_max(self, m: re.Match[str], req: Request) -> bool:
        return self._tempo_bound(float(m.group(2)), "max", req)

    def _tempo_bound(self, bpm: float, side: str, req: Request) -> bool:
        if not 30 <= bpm <= 250:
            return False
        req.bound("tempo", bpm if side == "min" else None, bpm if side == "max" else None)
        if side == "min":
            req.tempo_min = bpm
            req.target(P_RULE, "tempo", bpm + 12, 0.6)
            req.cue(f"over {bpm:.0f} BPM → tempo ≥ {bpm:.0f}")
        else:
            req.tempo_max = bpm
            req.target(P_RULE, "tempo", max(40.0, bpm - 12), 0.6)
            req.cue(f"under {bpm:.0f} BPM → tempo ≤ {bpm:.0f}")
        req.evidence.append(0.6)
        return True

    def _r_tempo_point(self, m: re.Match[str], req: Request) -> bool:
        bpm = float(m.group(2))
        if not 30 <= bpm <= 250:
            return False
        # "around 120 bpm" tolerates ±10 BPM, a bare "120 bpm" ±6 BPM (a beat-tracker's typical error is a few BPM),
        # "at / exactly 128 bpm" ±3 BPM; "give or take N" / "± N" sets the tolerance itself
        word = (m.group(1) or "").strip()
        if m.group(3):
            tol = float(_NUM_WORDS.get(m.group(3), 0) or m.group(3)) if not m.group(3).isdigit() else float(m.group(3))
        elif word in ("at", "@", "exactly"):
            tol = 3.0
        elif word or m.group(0).lstrip().startswith("~"):
            tol = 10.0
        else:
            tol = 6.0
        tol = max(0.5, tol)
        req.tempo_min, req.tempo_max = bpm - tol, bpm + tol
        req.bound("tempo", bpm - tol, bpm + tol)
        req.target(P_RULE, "tempo", bpm, 1.0)
        req.cue(f"{'around ' if tol == 10 else ''}{bpm:.0f} BPM → tempo {bpm - tol:.0f}–{bpm + tol:.0f}")
        req.evidence.append(0.6)
        return True

    def _r_year_range(self, m: re.Match[str], req: Request) -> bool:
        a = int(m.group(1))
        b_raw = m.group(2)
        b = int(b_raw) if len(b_raw) == 4 else (a // 100) * 100 + int(b_raw)
        lo, hi = sorted((a, b))
        if lo < 1900 or hi > 2100:
            return False
        req.year_ranges.append((lo, hi))
        req.cue(f"{lo}–{hi} → years {lo}–{hi}")
        req.evidence.append(0.6)
        return True

    @staticmethod
    def _decade_start(text: str) -> int:
        value = int(text)
        if value >= 1900:
            return value
        return 2000 + value if value <= 30 else 1900 + value

    def _decade_common(self, prefix: str | None, mod: str | None, start: int, label: str, req: Request) -> bool:
        lo, hi = start, start + 9
        if mod == "early":
            hi = start + 3
        elif mod in ("mid", "middle"):
            lo, hi = start + 3, start + 6
        elif mod == "late":
            lo = start + 6
        word, bound = _open_bound(prefix, lo, hi, req)
        if word:
            req.cue(f"{word} the {label} → {bound}")
        else:
            req.year_ranges.append((lo, hi))
            req.cue(f"{(mod + ' ') if mod else ''}{label} → {lo}–{hi}")
            labels = self._cat.labels  # catalog labels named after the decade ("90s Dance Hits")
            for key in (f"{start % 100:02d}s", f"{start}s"):
                for lid, cov in labels.grams.get(key, ()):
                    self._label(lid, 0.5 * math.sqrt(cov), req, negated=False, source="decade")
        req.evidence.append(0.6)
        return True

    def _r_decade(self, m: re.Match[str], req: Request) -> bool:
        start = self._decade_start(m.group(3))
        if start % 10 or not 1900 <= start <= 2090:
            return False
        return self._decade_common(m.group(1), m.group(2), start, f"{start}s", req)

    def _r_decade_word(self, m: re.Match[str], req: Request) -> bool:
        start = _DECADE_WORDS[m.group(3)]
        return self._decade_common(m.group(1), m.group(2), start, m.group(3), req)

    def _r_decade_foreign(self, m: re.Match[str], req: Request) -> bool:
        start = self._decade_start(m.group(2))
        if start % 10 or not 1900 <= start <= 2090:
            return False
        prefix = _FOREIGN_BOUND_WORDS.get((m.group(1) or "").strip())
        return self._decade_common(prefix, None, start, f"{start}s", req)

    def _r_decade_foreign_word(self, m: re.Match[str], req: Request) -> bool:
        start = _FOREIGN_DECADES[m.group(2).replace("-", " ")]
        prefix = _FOREIGN_BOUND_WORDS.get((m.group(1) or "").strip())
        return self._decade_common(prefix, None, start, f"{start}s", req)

    def _r_year_bound_foreign(self, m: re.Match[str], req: Request) -> bool:
        prefix, year = _FOREIGN_BOUND_WORDS[m.group(1).strip()], int(m.group(2))
        _, bound = _open_bound(prefix, year, year, req)
        req.cue(f"{m.group(1).strip()} {year} → {bound}")
        req.evidence.append(0.6)
        return True

    def _r_not_bound(self, m: re.Match[str], req: Request) -> bool:
        """A negated open bound ("nothing older than 2015" = from 2015; "nothing after the 90s" = up to 1999)."""
        prefix = m.group(1)
        if m.group(2):
            lo = hi = int(m.group(2))
            said = m.group(2)
        else:
            lo = self._decade_start(m.group(3))
            if lo % 10 or not 1900 <= lo <= 2090:
                return False
            hi, said = lo + 9, f"{lo}s"
        if prefix in ("before", "pre", "prior to", "older than", "earlier than"):
            req.year_lo, bound = lo, f"from {lo}"
        else:
            req.year_hi, bound = hi, f"up to {hi}"
        req.cue(f"nothing {prefix} {said} → {bound}")
        req.evidence.append(0.6)
        return True

    def _r_year_bound(self, m: re.Match[str], req: Request) -> bool:
        prefix, year = m.group(1), int(m.group(2))
        _, bound = _open_bound(prefix, year, year, req)
        req.cue(f"{prefix} {year} → {bound}")
        req.evidence.append(0.6)
        return True

    def _r_year_open(self, m: re.Match[str], req: Request) -> bool:
        year, tail = int(m.group(1)), m.group(2)
        if any(w in tail for w in ("earlier", "older", "before")):
            req.year_hi = year
            req.cue(f"{year} or earlier → up to {year}")
        else:
            req.year_lo = year
            req.cue(f"{year} onwards → from {year}")
        req.evidence.append(0.6)
        return True

    def _r_last_years(self, m: re.Match[str], req: Request) -> bool:
        n_raw = m.group(1)
        n = int(n_raw) if n_raw.isdigit() else _NUM_WORDS.get(n_raw, 3)
        req.year_lo = self._cat.year_max - max(1, n) + 1
        req.cue(f"last {n} years → from {req.year_lo}")
        req.evidence.append(0.6)
        return True

    def _r_year(self, m: re.Match[str], req: Request) -> bool:
        year = int(m.group(1))
        # a bare number past the catalog's newest year is no year ("2030 songs"); "from 2030", "released in 2030" is,
        # and the era's own note says the catalog has nothing from it (never the year silently dropped)
        said_year = m.group(0).strip() != m.group(1)
        if not 1900 <= year <= (2100 if said_year else self._cat.year_max + 1):
            return False
        req.year_ranges.append((year, year))
        req.cue(f"{year} → released in {year}")
        req.evidence.append(0.6)
        return True

    def _r_key(self, m: re.Match[str], req: Request) -> bool:
        letter, acc, quality, key_word = m.group(1), m.group(2), m.group(3), m.group(4)
        if letter == "a" and key_word and not re.search(r"\bA\s*(?:#|sharp|flat|b)?\s+(?:major|minor|maj|min)\b", req.raw):
            return False  # "a minor key": the article, not A minor — left to the mode rule
        pc = _PITCH[letter] + {"#": 1, "sharp": 1, "flat": -1, "b": -1}.get((acc or "").strip(), 0)
        mode = 0 if quality.startswith("min") else 1
        req.target(P_RULE, "key", pc % 12, 0.8)
        req.target(P_RULE, "mode", mode, 1.0)
        # a key is a category, not a scale: C♯ minor is no "near" D minor — the key asked for is a hard bound (the
        # ranker keeps only tracks in it while there are enough, core.ranges.range_mask)
        req.bound("key", pc % 12, pc % 12)
        req.bound("mode", mode, mode)
        name = letter.upper() + {"#": "#", "sharp": "#", "flat": "b", "b": "b"}.get((acc or "").strip(), "")
        req.cue(f"{name} {'minor' if mode == 0 else 'major'} → key {pc % 12}, mode {mode}")
        req.evidence.append(0.6)
        return True

    def _r_mode(self, m: re.Match[str], req: Request) -> bool:
        quality, tail = m.group(1), (m.group(2) or "").strip()
        if quality == "major" and not tail and "in" not in m.group(0).split():
            return False  # a bare "major" ("major hits") is not about the key
        mode = 0 if quality == "minor" else 1
        req.target(P_RULE, "mode", mode, 1.0 if tail else 0.8)
        if tail:  # "in a minor key": said outright, a hard bound like a named key
            req.bound("mode", mode, mode)
        req.cue(f"{quality} key → mode {mode} ({quality})")
        req.evidence.append(0.6)
        return True

    def _r_limit(self, m: re.Match[str], req: Request) -> bool:
        """A count ("20 songs", "give me 100"): capped at :data:`core.limits.MAX_TRACKS` (the cap is remembered in
        ``req.requested`` so the reply can say so)."""
        n = int(m.group(1))
        if n < 1:
            return False
        req.limit = min(n, MAX_TRACKS)
        req.requested = n if n > MAX_TRACKS else None
        return True
