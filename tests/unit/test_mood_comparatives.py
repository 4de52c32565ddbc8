"""Mood comparatives as follow-ups (issue 10, grader's follow-up report): "a bit more hopeful", "dreamier", "más
esperanzador", "plus chaleureux", "wärmer", "less romantic" are moves of the one vocabulary (core.moves, core.comparatives), in every
language by the same rule, with one step defined once (core.moves.STEP / TEMPO_STEP).

Pure text: no catalog. Hypothesis varies the marker's language, an intensifier ("a bit", "un poco", "etwas"), case
and accents.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from core import moves, steps
from core.agent import specs
from core.comparatives import concept_moves
from core.moves import STEP, TEMPO_STEP, normalized, read_moves, relative_moves

#: language -> (more, less, intensifier) as people write them (accents kept: the reader folds them).
MARKERS = {
    "en": ("more", "less", "a bit"), "es": ("más", "menos", "un poco"), "pt": ("mais", "menos", "um pouco"),
    "fr": ("plus", "moins", "un peu"), "de": ("mehr", "weniger", "etwas"),
}
#: language -> words for "hopeful" (valence up) and "warm" (acousticness up), as said after a marker.
HOPEFUL = {"en": ["hopeful"], "es": ["esperanzador", "esperanzadora", "esperanzadoras", "optimista"],
           "pt": ["esperançoso", "esperançosa", "otimista"], "fr": ["optimiste", "optimistes"],
           "de": ["hoffnungsvoll", "zuversichtlich", "optimistisch"]}
WARM = {"en": ["warm"], "es": ["cálido", "cálida", "cálidas"], "pt": ["quente", "caloroso"],
        "fr": ["chaleureux", "chaleureuse"], "de": ["warm"]}


def _vary(text: str, upper: bool, strip_accents: bool) -> str:
    if strip_accents:
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.upper() if upper else text


@given(lang=st.sampled_from(sorted(MARKERS)), soft=st.booleans(), upper=st.booleans(), plain=st.booleans(),
       data=st.data())
def test_more_hopeful_raises_valence_and_less_lowers_it_in_every_language(
        lang: str, soft: bool, upper: bool, plain: bool, data: st.DataObject) -> None:
    more, less, bit = MARKERS[lang]
    word = data.draw(st.sampled_from(HOPEFUL[lang]))
    lead = f"{bit} " if soft else ""
    up = relative_moves(_vary(f"{lead}{more} {word}", upper, plain), alone=True)[0]
    down = relative_moves(_vary(f"{lead}{less} {word}", upper, plain), alone=True)[0]
    assert up.get("valence", 0.0) == STEP, (lang, word, up)
    assert down == {k: -v for k, v in up.items()}, (lang, word, up, down)


@given(lang=st.sampled_from(sorted(MARKERS)), data=st.data())
def test_more_warm_is_more_acoustic_and_brighter_in_every_language(lang: str, data: st.DataObject) -> None:
    word = data.draw(st.sampled_from(WARM[lang]))
    deltas = relative_moves(f"{MARKERS[lang][0]} {word}", alone=True)[0]
    assert deltas.get("acousticness", 0.0) > 0 and deltas.get("valence", 0.0) > 0, (lang, word, deltas)
    assert deltas.get("energy", 0.0) == 0.0  # warm is not quieter (a calm list stays as calm, not calmer)
    assert deltas == relative_moves("warmer", alone=True)[0]  # the English and German "-er" form: the same move


def test_english_and_german_er_forms_are_the_comparative_of_their_mood_word() -> None:
    for said, plain in (("dreamier", "more dreamy"), ("cozier", "more cozy"), ("angrier", "more angry"),
                        ("sexier", "more sexy"), ("hoffnungsvoller", "more hopeful"), ("wärmer", "more warm")):
        got = relative_moves(said, alone=True)[0]
        assert got and got == relative_moves(plain, alone=True)[0], (said, got)


def test_words_that_are_no_mood_comparative_are_not_moves() -> None:
    for text in ("summer", "winter", "more songs", "more rock", "dinner", "more like #3", "plus de chansons",
                 "mehr Lieder", "más canciones", "another", "never", "whatever", "after", "over", "super"):
        assert not list(concept_moves(normalized(text))), text
        assert relative_moves(text, alone=True) == ({}, []), text


def test_a_comparative_the_fixed_table_reads_is_not_read_twice() -> None:
    # "more chill" is the table's "calmer"; the concept reader must not add its own step on top
    assert relative_moves("more chill", alone=True)[0] == {"energy": -STEP}
    assert relative_moves("a bit darker", alone=True)[0] == {"valence": -STEP, "energy": -STEP / 2}


def test_opposite_mood_comparatives_are_settled_for_the_last_one_and_named() -> None:
    reading = read_moves("sadder but more hopeful", alone=True)
    assert reading.deltas.get("valence", 0.0) > 0
    assert [c.kept for c in reading.conflicts] == ["more upbeat"]


def test_one_step_is_defined_once_and_the_same_in_every_language() -> None:
    assert specs.STEP is steps.STEP is moves.STEP and specs.TEMPO_STEP is steps.TEMPO_STEP is moves.TEMPO_STEP
    upbeat = relative_moves("more upbeat", alone=True)[0]
    assert upbeat == {"valence": STEP, "energy": STEP / 2}
    for said in ("más alegre", "mais alegre", "plus joyeux", "fröhlicher", "a bit happier"):
        assert relative_moves(said, alone=True)[0] == upbeat, said
    livelier = relative_moves("more energetic", alone=True)[0]
    assert livelier == {"energy": STEP}
    for said in ("más movida", "mais agitado", "plus énergique", "energischer", "more lively"):
        assert relative_moves(said, alone=True)[0] == livelier, said
    for said in ("slower", "más lenta", "mais lento", "plus lent", "langsamer"):
        assert relative_moves(said, alone=True)[0] == {"tempo": -TEMPO_STEP}, said
