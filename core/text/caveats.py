"""What a reply must admit about a request: contradictions ("sad but super upbeat", "calm but high energy", "quiet
heavy metal", "90s hip hop that came out this year") and attributes the catalog has no data on (singer's gender,
instruments, lyrics language). Each becomes a :class:`~core.models.TextNote`; nothing is averaged silently.

Conflicts (:meth:`Caveats._conflicts`): two concepts the request named pull one audio feature in opposite directions
when both weigh it ≥ 0.5 and their targets sit ≥ 2 catalog standard deviations apart. The winner per feature: the
mood over the style ("quiet heavy metal": quiet wins the sound, metal keeps its labels), else the concept the feature
is more central to (its weight relative to the concept's largest weight: energy is what "party" is about, a side
remark of "sad"), else the higher priority (an adjective over an activity), else the one said with an intensifier
("super upbeat"); when none decides, the target goes between the two and the note says so. The winner's value is set
at :data:`P_RESOLVED`, above every concept and adjective and below explicit numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from core.models import Conflict, TextNote
from core.table import FEATURE_INDEX
from core.text.language import note_text
from core.text.state import P_ADJ, P_RULE, Request, TextState

P_RESOLVED = P_ADJ + 0.5  # a settled conflict: above adjectives (3), below numeric rules (4)
_CONFLICT_FEATURES = ("energy", "valence", "acousticness", "loudness", "danceability", "tempo", "instrumentalness")
_INTENSIFIERS = ("super", "really", "very", "so", "extremely", "totally", "fully", "truly", "mega", "ultra", "muy",
                 "bien", "bem", "muito", "tres", "sehr", "total", "echt")
#: Words to say to move a feature up / down, per language (the "say 'slower' if you meant …" of a conflict note).
_MOVE: dict[str, dict[str, tuple[str, str]]] = {
    "en": {"energy": ("more energy", "calmer"), "valence": ("happier", "sadder"), "acousticness": ("more acoustic",
           "more electronic"), "loudness": ("louder", "quieter"), "danceability": ("more danceable", "less danceable"),
           "tempo": ("faster", "slower"), "instrumentalness": ("instrumental", "with vocals")},
    "es": {"energy": ("más energía", "más tranquilo"), "valence": ("más alegre", "más triste"), "acousticness": (
           "más acústico", "más electrónico"), "loudness": ("más fuerte", "más suave"), "danceability": (
           "más bailable", "menos bailable"), "tempo": ("más rápido", "más lento"), "instrumentalness": (
           "instrumental", "con voz")},
    "pt": {"energy": ("mais energia", "mais calmo"), "valence": ("mais alegre", "mais triste"), "acousticness": (
           "mais acústico", "mais eletrônico"), "loudness": ("mais alto", "mais baixo"), "danceability": (
           "mais dançante", "menos dançante"), "tempo": ("mais rápido", "mais lento"), "instrumentalness": (
           "instrumental", "com voz")},
    "fr": {"energy": ("plus d'énergie", "plus calme"), "valence": ("plus joyeux", "plus triste"), "acousticness": (
           "plus acoustique", "plus électronique"), "loudness": ("plus fort", "plus doux"), "danceability": (
           "plus dansant", "moins dansant"), "tempo": ("plus rapide", "plus lent"), "instrumentalness": (
           "instrumental", "avec voix")},
    "de": {"energy": ("mehr Energie", "ruhiger"), "valence": ("fröhlicher", "trauriger"), "acousticness": (
           "akustischer", "elektronischer"), "loudness": ("lauter", "leiser"), "danceability": ("tanzbarer",
           "weniger tanzbar"), "tempo": ("schneller", "langsamer"), "instrumentalness": ("instrumental",
           "mit Gesang")},
}
#: The audio feature a conflict note names, per language ("“sad” sets the mood, “upbeat” keeps the energy").
_AXES: dict[str, dict[str, str]] = {
    "en": {"energy": "the energy", "valence": "the mood", "acousticness": "the sound", "loudness": "the volume",
           "danceability": "the groove", "tempo": "the tempo", "instrumentalness": "the vocals"},
    "es": {"energy": "la energía", "valence": "el ánimo", "acousticness": "el sonido", "loudness": "el volumen",
           "danceability": "el ritmo", "tempo": "el tempo", "instrumentalness": "la voz"},
    "pt": {"energy": "a energia", "valence": "o clima", "acousticness": "o som", "loudness": "o volume",
           "danceability": "o balanço", "tempo": "o andamento", "instrumentalness": "a voz"},
    "fr": {"energy": "l'énergie", "valence": "l'humeur", "acousticness": "le son", "loudness": "le volume",
           "danceability": "le groove", "tempo": "le tempo", "instrumentalness": "la voix"},
    "de": {"energy": "die Energie", "valence": "die Stimmung", "acousticness": "den Klang", "loudness": "die Lautstärke",
           "danceability": "den Groove", "tempo": "das Tempo", "instrumentalness": "den Gesang"},
}
_MOVE_NEW = {"en": "only new releases", "es": "solo novedades", "pt": "só lançamentos", "fr": "que des nouveautés",
             "de": "nur Neuerscheinungen"}
_ONLY_PERIOD = {"en": "only {period}", "es": "solo {period}", "pt": "só {period}", "fr": "seulement {period}",
                "de": "nur {period}"}

#: Concepts naming an attribute the catalog has no data on -> (attribute, what is done instead, phrases that trigger
#: it; None = every phrase of the concept). Attributes and fallbacks are worded in core.text.language.
NO_DATA: dict[str, tuple[str, str, frozenset[str] | None]] = {
    "female": ("gender", "vocals", None),
    "male": ("gender", "vocals", None),
    "guitar": ("instrument", "sound", None),
    "piano": ("instrument", "sound", None),
    "saxophone": ("instrument", "sound", None),
    "drums": ("instrument", "sound", frozenset({"drums", "drum", "drummer", "percussion", "drum heavy"})),
    "strings": ("instrument", "sound", None),
    "german": ("lyrics_language", "labels", None),
    "italian": ("lyrics_language", "labels", None),
    "russian": ("lyrics_language", "labels", None),
    "arabic": ("lyrics_language", "labels", None),
    "polish": ("lyrics_language", "labels", None),
    "dutch": ("lyrics_language", "labels", None),
    "filipino": ("lyrics_language", "labels", frozenset({"tagalog", "filipino"})),
    "english": ("lyrics_language", "ignored", None),
    # nationality adjectives in the five reply languages (not place names: "paris", "france", "latin")
    "french": ("lyrics_language", "labels", frozenset({
        "french", "francais", "en francais", "in french", "french rap", "francaise", "francaises", "musique francaise",
        "franzosisch", "franzosische", "franzosischer", "franzosischen", "franzosisches", "frances", "francesa",
        "franceses", "francesas"})),
    "portuguese": ("lyrics_language", "labels", frozenset({
        "portuguese", "em portugues", "in portuguese", "brazilian", "brasileiro", "brasileira", "brasileiros",
        "brasileiras", "brasilianisch", "brasilianische", "brasilianischer", "brasilianischen", "bresilien",
        "bresilienne", "brasileno", "brasilena", "brasilenos", "portugues", "portugiesisch", "portugiesische",
        "portugais", "portugaise"})),
    "latin": ("lyrics_language", "labels", frozenset({
        "spanish", "espanol", "en espanol", "in spanish", "spanish language", "espanola", "espanoles", "espanolas",
        "spanisch", "spanische", "spanischer", "spanischen", "espagnol", "espagnole", "espagnols", "espanhol",
        "espanhola"})),
    "kpop": ("lyrics_language", "labels", frozenset({
        "korean", "coreano", "coreana", "coreanos", "coreen", "coreenne", "koreanisch", "koreanische",
        "koreanischer", "koreanischen"})),
    "jpop": ("lyrics_language", "labels", frozenset({
        "japanese", "japones", "japonesa", "japonais", "japonaise", "japanisch", "japanische", "japanischer",
        "japanischen"})),
}


class Caveats(TextState):
    _concept_target: Callable[[int], tuple[dict[str, float], dict[str, float]]]  # PhraseMatching._concept_target

    """Conflict and missing-data notes (mixin of ``TextUnderstanding``; run by ``QueryAssembly._build``)."""

    def _no_data_notes(self, req: Request) -> None:
        styled = any(_is_style(self.vocab.concepts[cid].hints) for cid in req.said)
        for cid, phrase in req.said.items():
            if "\u2248" in phrase:
                continue  # a guess ("beat (≈ beats)") is not something the user asked for
            concept = self.vocab.concepts[cid]
            rule = NO_DATA.get(concept.name)
            if rule is None:
                continue
            attribute, instead, triggers = rule
            if triggers is not None and phrase not in triggers:
                continue
            if attribute == "instrument" and styled:
                continue  # "hard rock with big guitar riffs": the style named carries the instrument
            if instead == "labels" and not self._cat.hints[cid]:
                instead = "ignored" if len(self._cat.labels) else "sound"
            if instead == "sound" and not concept.target:
                instead = "ignored"
            if instead == "ignored":  # never echo a constraint that was not applied ("francais → french")
                req.cues = [c for c in req.cues if not (c.startswith(phrase) and c.endswith(f"→ {concept.cue}"))]
            if attribute == "lyrics_language" and instead == "sound" and self._mood_named(req, cid):
                req.style_yields = True  # "sad spanish songs" without labels: the language's sound must not undo sad
            req.note("no_data", attribute, note_text("no_data", req.lang, attribute=attribute, asked=phrase,
                                                     instead=instead), asked=phrase, used=instead)

    def _mood_named(self, req: Request, other_than: int) -> bool:
        """True when the request names a mood or activity (a concept weighing valence or energy ≥ 0.7 that is no
        style) besides concept ``other_than``."""
        for cid in req.concepts:
            concept = self.vocab.concepts[cid]
            if cid == other_than or _is_style(concept.hints):
                continue
            if max(concept.weights.get("valence", 0.0), concept.weights.get("energy", 0.0)) >= 0.7:
                return True
        return False

    def _conflicts(self, req: Request) -> None:
        gmean, gstd = self._cat.labels.global_mean, self._cat.labels.global_std
        # only phrases the user wrote (not "moving (≈ moving on)" guessed by typo / embedding similarity)
        named = [(cid, req.said[cid]) for cid, s in req.concepts.items()
                 if s >= 0.6 and cid in req.said and "\u2248" not in req.said[cid]]
        named += self._implied(named)
        lang = req.lang if req.lang in _MOVE else "en"
        settled = self._number_conflicts(req, named, lang)  # a number against a word: the number wins, said
        for x in range(len(named)):
            for y in range(x + 1, len(named)):
                a, b = self.vocab.concepts[named[x][0]], self.vocab.concepts[named[y][0]]
                (ta, wta), (tb, wtb) = self._concept_target(named[x][0]), self._concept_target(named[y][0])
                for f in _CONFLICT_FEATURES:
                    wa, wb = wta.get(f, 0.0), wtb.get(f, 0.0)
                    if f in settled or f not in ta or f not in tb or min(wa, wb) < 0.5:
                        continue
                    i = FEATURE_INDEX[f]
                    if abs(ta[f] - tb[f]) / float(gstd[i]) < 2.0:
                        continue
                    settled.add(f)
                    pa, pb = named[x][1], named[y][1]
                    texture = _texture_side(wta, wtb, f, (_is_style(a.hints), _is_style(b.hints)))
                    if texture != -1:  # "relaxing electronic": a sound word owns its texture, the mood its energy —
                        req.target(P_RESOLVED, f, (ta, tb)[texture][f], max(wa, wb))  # no contradiction to note
                        req.texture_yields = True  # the EDM playlists "electronic" reaches must not undo "relaxing"
                        # a sound word that also names a style ("elektronische Musik": EDM) yields as a style too
                        req.texture_style |= _is_style((a, b)[texture].hints)
                        continue
                    sa, sb = _is_style(a.hints), _is_style(b.hints)
                    if sa != sb:  # "quiet heavy metal": the mood wins the sound, the style keeps its labels
                        win = 1 if sa else 0
                        req.style_yields = True
                    elif abs(wa / max(wta.values()) - wb / max(wtb.values())) >= 0.15:
                        win = 0 if wa / max(wta.values()) > wb / max(wtb.values()) else 1
                    elif _sole_top(wta, f) != _sole_top(wtb, f):
                        # a word keeps the feature it is about above all: "sad" is about valence first, "upbeat" about
                        # energy and valence alike, so "sad but upbeat" = low valence with upbeat's energy
                        win = 0 if _sole_top(wta, f) else 1
                    elif a.priority != b.priority:
                        win = 0 if a.priority > b.priority else 1
                    else:
                        ia, ib = self._intensified(req, pa), self._intensified(req, pb)
                        win = 0 if ia and not ib else 1 if ib and not ia else -1
                    up, down = _MOVE[lang][f]
                    if win == -1:
                        value = (ta[f] + tb[f]) / 2
                        req.target(P_RESOLVED, f, value, max(wa, wb))
                        if f == "energy":  # mid energy keeps momentum through a steady groove
                            req.target(P_RESOLVED, "danceability", max(float(gmean[FEATURE_INDEX["danceability"]]),
                                                                       0.7), 0.6)
                        text = note_text("conflict_mid", req.lang, a=pa, b=pb, up=up, down=down)
                        req.note("conflict", f"{pa}|{pb}", text, asked=f"{pa} + {pb}", used=f"{f} {value:g}")
                        continue
                    wt, lt = (ta, tb) if win == 0 else (tb, ta)
                    wp = pa if win == 0 else pb
                    req.target(P_RESOLVED, f, wt[f], max(wa, wb))
                    kept: set[str] = set()
                    if sa == sb:  # two moods: the loser keeps what it is about elsewhere ("sad but upbeat" = sad
                        kept = self._split(req, (wta, wtb) if win == 1 else (wtb, wta), lt, wt, f, settled)  # bangers
                        settled |= kept
                    alt = up if lt[f] > wt[f] else down
                    if kept:  # said: "“sad” sets the mood, “upbeat” keeps the energy — say “happier” …"
                        axes = _AXES.get(req.lang, _AXES["en"])
                        text = note_text("conflict_split", req.lang, a=pa, b=pb, winner=f"\u201c{wp}\u201d",
                                         loser=f"\u201c{pb if win == 0 else pa}\u201d", alt=alt, axis=axes[f],
                                         kept=axes[sorted(kept, key=_CONFLICT_FEATURES.index)[0]])
                    else:
                        text = note_text("conflict", req.lang, a=pa, b=pb, winner=f"\u201c{wp}\u201d", alt=alt)
                    req.note("conflict", f"{pa}|{pb}", text, asked=f"{pa} + {pb}", used=f"{wp}: {f}")

    def _split(self, req: Request, weights: tuple[dict[str, float], dict[str, float]], lose: dict[str, float],
               win: dict[str, float], feature: str, settled: set[str]) -> set[str]:
        """After a mood conflict on ``feature`` is settled for one side, the other side keeps the features it weighs
        ≥ 0.5 and more than the winner does (``weights`` = (loser's, winner's) weights, ``lose`` / ``win`` their
        targets in raw units): "sad but super upbeat" = sad's low valence with upbeat's energy — not sad's "softer"
        averaged with upbeat's drive. Only features both sides name, whose targets differ by ≥ 0.5 catalog standard
        deviations (else nothing needs settling); each is set at :data:`P_RESOLVED`. Returns the features set."""
        gstd = self._cat.labels.global_std
        wl, ww = weights
        out: set[str] = set()
        for g in _CONFLICT_FEATURES:
            if g == feature or g in settled or g not in lose or g not in win or wl.get(g, 0.0) < 0.5 \
                    or wl[g] <= ww.get(g, 0.0) or abs(lose[g] - win[g]) / float(gstd[FEATURE_INDEX[g]]) < 0.5:
                continue
            req.target(P_RESOLVED, g, lose[g], wl[g])
            out.add(g)
        return out

    def _implied(self, named: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Adjectives inside a longer phrase that names something else ("slow" in "slow jams", "slow songs"), as
        ``(adjective concept id, the phrase)``: they pull a feature as the bare word would ("fast slow jams")."""
        have = {cid for cid, _ in named}
        out: list[tuple[int, str]] = []
        for owner, phrase in list(named):
            words = phrase.split()
            if len(words) < 2:
                continue
            # the phrase's own axes are its own: "energy" inside "low energy" is no "energetic" against it
            own = {f for f, w in self.vocab.concepts[owner].weights.items() if w >= 0.5}
            for word in words:
                for cid in self._lookup_concepts(word):
                    if own & {f for f, w in self.vocab.concepts[cid].weights.items() if w >= 0.5}:
                        continue
                    if cid not in have and self.vocab.concepts[cid].priority >= P_ADJ:
                        have.add(cid)
                        out.append((cid, phrase))
        return out

    def _lookup_concepts(self, word: str) -> list[int]:
        return list(self.vocab.index.get(word, ()))

    def _number_conflicts(self, req: Request, named: list[tuple[int, str]], lang: str) -> set[str]:
        """Note each word the request's own numbers contradict ("slow songs at 170 BPM", "calm, energy 0.9"): the
        word weighs the feature ≥ 0.5 and its target lies outside the stated range by ≥ 1.5 catalog standard
        deviations. The number already wins (numeric rules have the top priority); the note says so. Returns the
        features settled this way."""
        gstd = self._cat.labels.global_std
        settled: set[str] = set()
        for f in _CONFLICT_FEATURES:
            rule = [v for p, n, v, w in req.targets if n == f and p >= P_RULE and w >= 0.6]
            if not rule:
                continue
            lo, hi = (req.ranges.get(f) or [None, None])[:2]
            value = rule[-1]
            lo = value if lo is None else lo
            hi = value if hi is None else hi
            for cid, phrase in named:
                target, weights = self._concept_target(cid)
                if f not in target or weights.get(f, 0.0) < 0.5:
                    continue
                t = target[f]
                gap = (lo - t) if t < lo else (t - hi) if t > hi else 0.0
                if gap / float(gstd[FEATURE_INDEX[f]]) < 1.5:
                    continue
                said = _number_phrase(f, value, lo, hi)
                up, down = _MOVE[lang][f]
                alt = down if t < value else up
                text = note_text("conflict", req.lang, a=phrase, b=said, winner=f"\u201c{said}\u201d", alt=alt)
                req.note("conflict", f"{phrase}|{said}", text, asked=f"{phrase} + {said}", used=f"{said}: {f}")
                settled.add(f)
                break
        return settled

    def _era_conflict(self, req: Request, named: tuple[int, int], newest: tuple[int, int | None, str],
                      phrase: str, recency_wins: bool) -> None:
        """Note a named period ("90s") that the request's recency ("this year", "new") contradicts."""
        period = f"{named[0]}–{named[1]}" if named[0] != named[1] else str(named[0])
        lang = req.lang if req.lang in _ONLY_PERIOD else "en"
        if recency_wins:
            winner, alt = phrase, _ONLY_PERIOD[lang].format(period=period)
            used = f"{newest[0]}–{newest[1] if newest[1] is not None else self._cat.year_max}"
        else:
            winner, alt, used = period, _MOVE_NEW.get(lang, _MOVE_NEW["en"]), period
        text = note_text("conflict", req.lang, a=period, b=phrase, winner=f"\u201c{winner}\u201d", alt=alt)
        req.note("conflict", f"{period}|{phrase}", text, asked=f"{period} + {phrase}", used=f"{winner}: era {used}")

    @staticmethod
    def _intensified(req: Request, phrase: str) -> bool:
        from core.text.tokens import fold

        pattern = rf"\b(?:{'|'.join(_INTENSIFIERS)})\s+(?:[\w-]+\s+)?{re.escape(phrase.split(' (')[0])}"
        return re.search(pattern, fold(req.raw).replace("-", " ")) is not None


def _number_phrase(feature: str, value: float, lo: float, hi: float) -> str:
    """How a stated number reads in a note: "170 BPM", "-12 dB", "energy 0.9" (the range's middle for a range)."""
    v = value if lo <= value <= hi else (lo + hi) / 2
    if feature == "tempo":
        return f"{v:.0f} BPM"
    if feature == "loudness":
        return f"{v:.0f} dB"
    return f"{feature} {v:.2g}"


def _is_style(hints: dict[str, float]) -> bool:
    """A style concept (rock, metal, EDM…) names a label outright (a hint of weight 1); moods and activities don't."""
    return any(w >= 1.0 for w in hints.values())


def conflicts_from_notes(notes: list[TextNote]) -> list[Conflict]:
    """The ``conflict`` notes of a parsed request as :class:`~core.models.Conflict` items (the structured field a
    reply carries: ``Recommendation.conflicts``). ``axis`` is the audio feature settled (``"era"`` for years),
    ``sides`` the two phrases as written, ``kept`` the phrase that won ("" = a middle ground was taken)."""
    out: list[Conflict] = []
    for n in notes:
        if n.kind != "conflict":
            continue
        sides = n.subject.split("|", 1)
        if ": " in n.used:  # "upbeat: valence", "this year: era 2023–2024"
            kept, axis = n.used.split(": ", 1)
        else:  # a middle ground: "energy 0.55"
            kept, axis = "", n.used
        out.append(Conflict(axis=axis.split(" ", 1)[0], sides=sides, kept=kept))
    return out


#: Audio features that describe a track's sound (texture, instrumentation) rather than its mood.
_TEXTURE = frozenset({"acousticness", "instrumentalness", "liveness", "speechiness"})


def _texture_side(wa: dict[str, float], wb: dict[str, float], feature: str, styles: tuple[bool, bool]) -> int:
    """Which of two concepts (by their feature weights; ``styles``: whether each is a style, :func:`_is_style`) is a
    sound word that is about texture ``feature`` while the other is a mood that only implies it: 0 or 1; -1 when
    neither or both ("electronic" is about acousticness, "falling asleep" about energy — together they ask for quiet
    electronic music, not a contradiction; "EDM, but fully acoustic" is one: a style is no mood)."""
    if feature not in _TEXTURE:
        return -1
    sound = [_sole_top(w, feature) and max(w, key=w.__getitem__) in _TEXTURE for w in (wa, wb)]
    mood = [max(w, key=w.__getitem__) not in _TEXTURE and not style for w, style in zip((wa, wb), styles)]
    if sound[0] and mood[1]:
        return 0
    if sound[1] and mood[0]:
        return 1
    return -1


def _sole_top(weights: dict[str, float], feature: str) -> bool:
    """True when ``feature`` carries the largest weight of a concept and no other feature ties it."""
    top = max(weights.values())
    return weights.get(feature, 0.0) == top and sum(1 for w in weights.values() if w == top) == 1


#: Weight given to the catalog labels that name a requested nationality / language ("Gangster Rap Deutsch" for
#: "deutscher Hip-Hop"): the most a label may weigh (the engine clamps label weights to ±1).
LANGUAGE_LABEL_WEIGHT = 1.0
#: Weight of each further label of the same language (a playlist inside the language's genre): small, so that
#: membership in many of them does not outweigh the request's mood (0.25 each: a track in the main label and two more scores 1.5, not 3).
LANGUAGE_EXTRA_WEIGHT = 0.25


def honour_languages(concepts: list, said: dict[int, str], scores: dict[int, float], hints: list[dict[int, float]], keys: list[str],
                     label_weights: dict[str, float], counts: Sequence[int] | None = None) -> bool:
    """Make a named nationality / language a real constraint: the catalog labels its concept resolves to get
    :data:`LANGUAGE_LABEL_WEIGHT` and other positive labels (look-alike names such as "RAP 91") are dropped, so the
    ranking is led by tracks the catalog places in that language. ``label_weights`` (``"kind:text" -> weight``) is
    changed in place. Returns True when a language was honoured (the caller keeps its cue), else False.

    ``counts`` (tracks per label id, optional): the language is a yes/no property, so its labels must not add up —
    with counts, the label holding the most tracks gets :data:`LANGUAGE_LABEL_WEIGHT` and the others
    :data:`LANGUAGE_EXTRA_WEIGHT` each, so a Spanish hit filed under eight Latin playlists does not outrank a sad
    Spanish song the request asked for ("canciones en español tristes": the mood still decides inside the language)."""
    honoured: set[str] = set()
    for cid, phrase in said.items():
        rule = NO_DATA.get(concepts[cid].name)
        if rule is None or rule[0] != "lyrics_language" or rule[1] != "labels" or scores.get(cid, 0.0) <= 0:
            continue
        if rule[2] is not None and phrase not in rule[2]:
            continue  # "latin pop" names a style, "spanish" a language
        for lid, w in hints[cid].items():
            if w >= 0.3:  # a word inside a label ("Gangster Rap Deutsch"): 0.8 × sqrt(coverage), see LabelSet
                honoured.add(keys[lid])
    if not honoured:
        return False
    # other positive labels add up on tracks filed under many of them (a US rap hit under four hip hop subgenres
    # outweighs one language label): the named style stays a filter (Filters.genres), the labels rank the language
    for key in [k for k, w in label_weights.items() if w > 0 and k not in honoured]:
        del label_weights[key]
    if counts is not None and len(honoured) > 1:
        index = {k: i for i, k in enumerate(keys)}
        top = max(sorted(honoured), key=lambda k: int(counts[index[k]]))
        for key in honoured:
            label_weights[key] = LANGUAGE_LABEL_WEIGHT if key == top else LANGUAGE_EXTRA_WEIGHT
        return True
    for key in honoured:
        label_weights[key] = LANGUAGE_LABEL_WEIGHT
    return True
