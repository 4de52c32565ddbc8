"""Relative moves — the one vocabulary of "slower", "more upbeat", "calmer", "más lento", "langsamer", "newer"…

Two readers use it: anchored requests ("like Daft Punk but slower", :mod:`core.anchors`: the move is measured from
the anchor's own audio features) and follow-ups to the list on screen ("slower", :mod:`core.agent.intents_recommend`
-> :mod:`core.agent.specs`: the move is measured from the last request). Both read the same table, so a word that
moves one moves the other the same way.

Patterns match :func:`normalized` text (lower case, accents folded, "'s" joined). One step is defined once, for
every language and every reader (:mod:`core.steps`): ``STEP`` on 0–1 features and ``TEMPO_STEP`` on tempo (a fraction); each move
is a multiple of it ("more upbeat" = one step of valence and half a step of energy, "más movida" = one step of energy,
whatever the language it is said in).

Besides the fixed table, a comparative of any *mood word* the text understanding knows ("more hopeful", "a bit
dreamier", "más esperanzador", "plus chaleureux", "wärmer", "less romantic") is a move too
(:func:`core.comparatives.concept_moves`, one step toward or away from where that mood sits).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.catalog import normalize_text
from core.followup_words import not_after_marker as _bare
from core.followup_words import toward
from core.models import Conflict
from core.steps import LOUDNESS_PER_ENERGY as LOUDNESS_PER_ENERGY
from core.steps import SPEECH_STEP, STEP, TEMPO_STEP
from core.steps import move_cues as move_cues


@dataclass(frozen=True)
class Move:
    """One relative move: its cue (the summary's words), feature deltas (0–1 units; tempo a fraction of the
    baseline), the pattern (on :func:`normalized` text), and ``alone``: whether the words also make a follow-up by
    themselves ("slower" after a list) — False for bare style words ("acoustic", "romantic") that start a new
    request when said alone but shift an anchor when said next to one ("like Adele but acoustic")."""

    cue: str
    deltas: dict[str, float]
    pattern: re.Pattern[str]
    alone: bool = True


class LazyPattern:
    """A regular expression compiled on first use, used like the ``re.Pattern`` it stands for (``search``,
    ``finditer``, …). The move table holds ~20 long alternations that cost ~0.1 s to compile (≈ a numpy import),
    and most messages — every slash command but a follow-up — never read them.

    Args:
        source: the pattern text (``re`` syntax).
    """

    __slots__ = ("source", "_compiled")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled once, by ``re.compile``)."""
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


def _rx(*parts: str) -> re.Pattern[str]:
    return LazyPattern(r"\b(?:" + "|".join(parts) + r")\b")  # type: ignore[return-value]  # used as re.Pattern


#: The moves, most specific first ("less upbeat" before "more upbeat" never matters: patterns do not overlap).
MOVES: tuple[Move, ...] = (
    # mood words move the mood alone: "sadder", "darker", "less sad", "happier" ask nothing of energy or danceability
    # ("like Adele but less sad" stays with ballads; "like Daft Punk but darker" stays on the dance floor); "less X"
    # goes half as far as "more of the opposite" ("less sad" is not "happy"), as in the text understanding
    Move("sadder", {"valence": -STEP}, _rx(
        r"sadder", r"darker", r"moodier", r"gloomier", r"more (?:melancholic|melancholy|sad|moody|dark|gloomy|somber)",
        r"mas (?:triste|tristes|melancolic[oa]s?|oscur[oa]s?)", r"mais (?:triste|tristes|melancolic[oa]s?|sombri[oa]s?)",
        r"plus (?:triste|tristes|sombres?|melancoliques?)", r"trauriger", r"dusterer", r"melancholischer")),
    Move("sadder", {"valence": -STEP / 2}, _rx(
        r"less (?:happy|cheerful|bright|joyful)", r"not so happy", r"menos (?:alegres?|feliz|felices|felizes)",
        r"moins (?:joyeu[xs]e?s?|gaie?s?|heureu[xs]e?s?)", r"weniger (?:frohlich\w*|heiter\w*|gut gelaunt\w*)")),
    Move("happier", {"valence": STEP}, _rx(
        r"happier", r"brighter", r"cheerier", r"more (?:happy|cheerful|joyful)",
        r"mas (?:alegres?|feliz|felices)", r"mais (?:alegres?|feliz|felizes)",
        r"plus (?:joyeu[xs]e?s?|gaie?s?|heureu[xs]e?s?)", r"frohlicher", r"heiterer")),
    Move("happier", {"valence": STEP / 2}, _rx(
        r"less (?:sad|dark|depressing|gloomy|melancholic|moody)", r"not so (?:sad|dark|gloomy)",
        r"menos (?:trist[ea]s?|melancolic[oa]s?|oscur[oa]s?)", r"moins (?:tristes?|sombres?|melancoliques?)",
        r"weniger (?:traurig\w*|duster\w*|melancholisch\w*)")),
    # "upbeat" is mood and drive together
    Move("less upbeat", {"valence": -STEP, "energy": -STEP / 2}, _rx(
        r"less (?:up ?beat|positive|poppy)", r"not so up ?beat",
        # es / pt / fr / de "less upbeat" ("menos animada", "moins entraînant", "weniger beschwingt")
        r"menos animad[oa]s?", r"moins entrainante?s?", r"weniger beschwingt\w*", *toward("mood", -1))),
    Move("more upbeat", {"valence": STEP, "energy": STEP / 2}, _rx(
        r"more (?:up ?beat|positive|fun)", r"mas animad[oa]s?", r"mais animad[oa]s?", *toward("mood", 1))),
    Move("more energetic", {"energy": STEP}, _rx(
        r"more (?:energetic|energy|intense|hype|powerful|lively|aggressive)", r"harder", r"heavier", r"louder",
        r"livelier", r"pump it up", r"higher energy", r"mas (?:energic[oa]s?|fuertes?|dur[oa]s?|intens[oa]s?)",
        r"mais (?:pesad[oa]s?|energetic[oa]s?|fortes?|intens[oa]s?)", r"plus (?:energiques?|forte?s?|intenses?)",
        r"harter", r"energischer", r"lauter", r"kraftiger", r"mas energia", r"mais energia", r"plus d ?energie",
        r"mehr energie", *toward("energy", 1))),
    Move("calmer", {"energy": -STEP}, _rx(
        r"less (?:energetic|energy|intense|aggressive|loud)", r"calmer", r"chill(?:l)?er", r"chilled(?: out)?",
        r"more (?:chill|relaxed|mellow|calm|laid[- ]back|low ?key)", r"mellower", r"softer", r"quieter", r"gentler",
        r"lower energy", r"low[- ]?key", r"laid[- ]back",
        r"mas (?:tranquil[oa]s?|suaves?|relajad[oa]s?|calmad[oa]s?)", r"menos (?:intens[oa]s?|agresiv[oa]s?)",
        r"mais (?:calm[oa]s?|tranquil[oa]s?|suaves?|relaxad[oa]s?)", r"plus (?:calmes?|doux|douce|douces|tranquilles?)",
        r"ruhiger", r"entspannter", r"sanfter", r"menos (?:energic[oa]s?|movid[oa]s?|fuertes?|energia)",
        r"menos (?:energetic[oa]s?|agitad[oa]s?)", r"moins (?:energiques?|intenses?|forte?s?|d ?energie)",
        r"weniger (?:energisch\w*|intensiv\w*|laut\w*|energie)", *toward("energy", -1))),
    # "slow jams" asks for slow songs, not a little slower: two steps (a 110 BPM R&B anchor -> 75-90 BPM)
    Move("slower", {"tempo": -2 * TEMPO_STEP}, _rx(r"slow jams?")),
    Move("slower", {"tempo": -TEMPO_STEP}, _rx(
        r"slower", r"slow (?:it |things )?down", r"less fast", r"lower tempo", r"less bpm",
        r"mas lent[oa]s?", r"mais lent[oa]s?", r"plus lente?s?", r"langsamer", *toward("tempo", -1))),
    Move("faster", {"tempo": TEMPO_STEP}, _rx(
        r"faster", r"speed (?:it |things )?up", r"quicker", r"higher tempo", r"more bpm", r"more tempo",
        r"mas rapid[oa]s?", r"mais rapid[oa]s?", r"plus rapides?", r"schneller", *toward("tempo", 1))),
    Move("more danceable", {"danceability": STEP}, _rx(
        r"more dance(?:able)?", r"groovier", r"dancier", r"more groovy", r"mas bailables?", r"mais dancantes?",
        r"plus dansantes?", r"tanzbarer", *toward("dance", 1))),
    Move("less danceable", {"danceability": -STEP}, _rx(r"less dance(?:able)?", r"instead of dance", *toward("dance", -1))),
    Move("more acoustic", {"acousticness": round(1.5 * STEP, 3), "energy": -STEP / 2}, _rx(
        r"more acoustic", r"unplugged", r"stripped(?: back| down)?", r"mas acusticos?", r"mais acusticos?",
        r"plus acoustiques?", r"akustischer", *toward("acoustic", 1))),
    Move("more acoustic", {"acousticness": round(1.5 * STEP, 3), "energy": -STEP / 2},
         _rx(_bare(r"acoustic"), _bare(r"akustisch")), alone=False),
    Move("more electronic", {"acousticness": round(-1.5 * STEP, 3)}, _rx(r"less acoustic", r"more electronic", r"mas electronic[oa]s?",
                                                        r"plus electroniques?", r"elektronischer",
                                                        *toward("acoustic", -1))),
    Move("more instrumental", {"instrumentalness": 2 * STEP}, _rx(
        _bare(r"(?:more |only )?instrumental"), r"no vocals", r"without (?:vocals|lyrics|singing)", r"fewer vocals",
        *toward("vocals", 1))),
    Move("with vocals", {"instrumentalness": -2 * STEP}, _rx(r"with (?:vocals|lyrics|singing)", r"more vocals",
                                                        *toward("vocals", -1))),
    Move("more romantic", {"valence": STEP / 4, "energy": round(-0.75 * STEP, 3)}, _rx(
        r"more romantic", _bare(r"romantic"), _bare(r"romantic[oa]s?"), _bare(r"romantiques?"), r"romantischer",
        r"(?:mas|mais) romantic[oa]s?", r"plus romantiques?", r"mehr romantisch(?:e[nrms]?)?"),
         alone=False),
    # rapped vs sung vocals: speechiness (Spotify: "the presence of spoken words"): "like Drake but less rap", and
    # "less rap" after a list (the list's request with fewer spoken words, never a new request for "not rap")
    Move("less rap", {"speechiness": -SPEECH_STEP}, _rx(
        r"less (?:rap|rapping|raps|rapped|hip ?hop)", r"fewer (?:raps|bars|spoken words)",
        r"menos (?:rap|hip ?hop)", r"mais cantad[oa]s?", r"moins (?:de )?(?:rap|hip ?hop)", r"plus chantee?s?",
        r"weniger (?:rap|hip ?hop)", r"mehr gesang")),
    Move("more rap", {"speechiness": SPEECH_STEP}, _rx(
        r"more (?:rap|rapping|raps|bars|hip ?hop)", r"mas (?:rap|hip ?hop)", r"mais (?:rap|hip ?hop)",
        r"plus (?:de )?(?:rap|hip ?hop)", r"mehr (?:rap|hip ?hop)")),
)

#: "more upbeat and danceable" = "more upbeat and more danceable" (also less / más / mais / plus / mehr).
_DISTRIBUTE: re.Pattern[str] = LazyPattern(  # type: ignore[assignment]
    r"\b(more|less|mas|menos|mais|plus|moins|mehr|weniger) (\w+) (and|y|e|et|und) (?!more\b|less\b)(\w+)")
#: Era moves relative to a baseline (the anchor's or the list's original years).
NEWER = _rx(r"newer", r"more recent", r"recent ones", r"newer ones", r"fresher", _bare(r"modern"), _bare(r"nuevos?"),
            r"mas recientes?", r"mas nuev[oa]s?", r"mais (?:nov[oa]s|recentes?)", r"plus recents?", _bare(r"recents?"),
            r"neuer", r"neuere", r"aktueller",
            # es / pt / fr / de comparatives and negated "older" (core.followup_words: never read as its opposite)
            r"mas (?:modern[oa]s?|actuales?)", r"mais (?:modern[oa]s?|atuais|atual)", r"plus (?:recente?s?|modernes?|"
            r"actuel(?:le)?s?)", r"neuer(?:e[nrms]?)?", r"moderner(?:e[nrms]?)?", r"aktueller(?:e[nrms]?)?",
            r"(?:less|menos) (?:old|antigu[oa]s?|viej[oa]s?|antig[oa]s?|velh[oa]s?)", r"moins (?:ancien(?:ne)?s?|vieu(?:x|ille|illes))",
            r"weniger alt(?:e[nrms]?)?", r"nicht so alt(?:e[nrms]?)?")
OLDER = _rx(r"older", r"old(?:er)? ones", r"more classic", r"oldies", r"more nostalgic", r"(?:mas|mais) nostalgic[oa]s?",
            r"plus nostalgiques?", r"nostalgischer(?:e[nrms]?)?", r"mehr nostalgisch(?:e[nrms]?)?", r"mas antigu[oa]s?", r"mais antig[oa]s",
            r"plus anciens?", r"plus vieux", r"alter", r"altere",
            r"mas (?:viej[oa]s?|clasic[oa]s?)", r"mais (?:antig[oa]s?|velh[oa]s?|classic[oa]s?)",
            r"plus (?:ancien(?:ne)?s?|vieil(?:le)?s?|classiques?)", r"alter(?:e[nrms]?)?", r"klassischer(?:e[nrms]?)?",
            r"(?:less|menos) (?:new|recent|nuev[oa]s?|recientes?|modern[oa]s?|nov[oa]s?|recentes?)",
            r"moins (?:recente?s?|modernes?)", r"weniger (?:neu|modern|aktuell)(?:e[nrms]?)?")


def normalized(text: str) -> str:
    """``text`` as the move patterns read it: normalized (:func:`core.catalog.normalize_text`), "'s" joined, padded
    with spaces, and "more X and Y" distributed to "more X and more Y"."""
    norm = " " + normalize_text(text.replace("'s", "s")) + " "
    return _DISTRIBUTE.sub(lambda m: f"{m.group(1)} {m.group(2)} {m.group(3)} {m.group(1)} {m.group(4)}", norm)


def move_matches(norm: str, *, alone: bool = False) -> Iterator[tuple[re.Match[str], Move]]:
    """Every match of a move in ``norm`` (:func:`normalized` text): the fixed table's, in table order, then the mood
    comparatives of :func:`core.comparatives.concept_moves` that overlap none of them. ``alone=True``: only the moves that make a
    follow-up by themselves (:attr:`Move.alone`)."""
    taken: list[tuple[int, int]] = []
    for move in MOVES:
        if alone and not move.alone:
            continue
        for m in move.pattern.finditer(norm):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue  # words an earlier, more specific move read ("less sad" is "happier", not "more upbeat")
            taken.append(m.span())
            yield m, move
    from core.comparatives import concept_moves

    for m, deltas in concept_moves(norm):
        if not any(m.start() < end and start < m.end() for start, end in taken):
            cues = move_cues(deltas)
            yield m, Move(cues[0] if cues else "more", deltas, m.re)


#: Moves that pull one axis opposite ways: (low side cue, high side cue, axis name for the note).
OPPOSED: tuple[tuple[str, str, str], ...] = (
    ("less upbeat", "more upbeat", "mood"), ("sadder", "happier", "mood"), ("sadder", "more upbeat", "mood"),
    ("less upbeat", "happier", "mood"), ("calmer", "more energetic", "energy"), ("slower", "faster", "tempo"),
    ("less danceable", "more danceable", "danceability"), ("more electronic", "more acoustic", "sound"),
    ("with vocals", "more instrumental", "vocals"), ("less rap", "more rap", "rap"),
)


@dataclass
class MoveReading:
    """The moves of one text: summed ``deltas``, ``cues`` (each once, in table order) and ``conflicts`` — opposite
    moves said together ("sadder but more upbeat"), each settled for the one said LAST (people correct themselves:
    "slower… no, faster") and named, never averaged silently."""

    deltas: dict[str, float]
    cues: list[str]
    conflicts: list[Conflict]


def read_moves(text: str, *, alone: bool = False) -> MoveReading:
    """:func:`relative_moves` with the contradictions named (see :class:`MoveReading`)."""
    found: dict[str, tuple[int, Move]] = {}  # cue -> (last position said, move)
    for m, move in move_matches(normalized(text), alone=alone):
        if move.cue not in found or m.start() > found[move.cue][0]:
            found[move.cue] = (m.start(), move)
    conflicts: list[Conflict] = []
    for low, high, axis in OPPOSED:
        if low in found and high in found:
            kept, dropped = (low, high) if found[low][0] > found[high][0] else (high, low)
            conflicts.append(Conflict(axis=axis, sides=[low, high], kept=kept, ask=dropped))
            del found[dropped]
    deltas: dict[str, float] = {}
    cues: list[str] = []
    order = {move.cue: i for i, move in reversed(list(enumerate(MOVES)))}
    # table order, each cue once ("more acoustic" is also matched by the bare "acoustic"); a mood comparative
    # (concept_moves) counts under its largest move's cue
    for cue in sorted(found, key=lambda c: order.get(c, len(MOVES))):
        cues.append(cue)
        for k, v in found[cue][1].deltas.items():
            deltas[k] = deltas.get(k, 0.0) + v
    return MoveReading(deltas, cues, conflicts)


def conflict_sentence(c: Conflict) -> str:
    """The reply's words for a settled contradiction: "“slower” and “faster” pull opposite ways: “faster” wins —
    say “slower” if you meant that."."""
    a, b = c.sides
    return f"“{a}” and “{b}” pull opposite ways: “{c.kept}” wins — say “{c.ask}” if you meant that."


def relative_moves(text: str, *, alone: bool = False) -> tuple[dict[str, float], list[str]]:
    """Summed feature deltas (0–1 units; tempo a fraction) and the cues (each once, in table order) of the moves in
    ``text``; one move counts once however often it is said ("slower, slower" is one step); of two opposite moves
    the one said last counts (:func:`read_moves` names the contradiction)."""
    reading = read_moves(text, alone=alone)
    return reading.deltas, reading.cues


def era_reading(text: str) -> tuple[int, Conflict | None]:
    """The era move of ``text``: +1 for "newer" (and its translations), -1 for "older", 0 for neither — and, when
    both are said ("older and newer"), the one said last with the contradiction named (a :class:`Conflict` on the
    "era" axis, worded by :func:`conflict_sentence`), as :func:`read_moves` settles opposite moves."""
    norm = normalized(text)
    newer = [m.start() for m in NEWER.finditer(norm)]
    older = [m.start() for m in OLDER.finditer(norm)]
    if newer and older:
        kept, dropped = ("newer", "older") if max(newer) > max(older) else ("older", "newer")
        return (1 if kept == "newer" else -1), Conflict(axis="era", sides=["older", "newer"], kept=kept, ask=dropped)
    return (1 if newer else -1 if older else 0), None


def era_move(text: str) -> int:
    """+1 for "newer" (and its translations), -1 for "older", 0 for neither; of both, the one said last
    (:func:`era_reading` names that contradiction)."""
    return era_reading(text)[0]


def era_both(text: str) -> bool:
    """True when ``text`` says both "newer" and "older" (in any of the languages of :data:`NEWER` / :data:`OLDER`)."""
    return era_reading(text)[1] is not None
