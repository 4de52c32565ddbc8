"""Mood comparatives as follow-ups (issue 10, grader's follow-up report): "a bit more hopeful", "dreamier", "más
esperanzador", "plus chaleureux", "wärmer", "less romantic" are moves of the one vocabulary (core.moves, core.comparatives), in every
language by the same rule, with one step defined once (core.moves.STEP / TEMPO_STEP).

Word-level tests are pure text; hypothesis varies the marker's language, an intensifier ("a bit", "un poco", "etwas"),
case and accents. Intent tests (the local model's follow-up parsing) run on a real small SQLite catalog.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import moves, steps
from core.agent import specs
from core.agent.intents import parse_intent
from core.conversation import ConversationState, LastRequest
from core.engine import Engine
from core.models import Filters
from core.comparatives import concept_moves
from core.moves import STEP, TEMPO_STEP, normalized, read_moves, relative_moves
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)

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
    assert relative_moves("a bit darker", alone=True)[0] == {"valence": -STEP}  # mood alone (no energy move)


def test_opposite_mood_comparatives_are_settled_for_the_last_one_and_named() -> None:
    reading = read_moves("sadder but more hopeful", alone=True)
    assert reading.deltas.get("valence", 0.0) > 0
    assert [c.kept for c in reading.conflicts] == ["more upbeat"]


def test_one_step_is_defined_once_and_the_same_in_every_language() -> None:
    assert specs.STEP is steps.STEP is moves.STEP and specs.TEMPO_STEP is steps.TEMPO_STEP is moves.TEMPO_STEP
    upbeat = relative_moves("more upbeat", alone=True)[0]
    assert upbeat == {"valence": STEP, "energy": STEP / 2}
    for said in ("más animado", "mais animado", "plus entraînant", "beschwingter", "a bit more upbeat"):
        assert relative_moves(said, alone=True)[0] == upbeat, said
    for said in ("más alegre", "mais alegre", "plus joyeux", "fröhlicher", "a bit happier"):  # the mood alone
        assert relative_moves(said, alone=True)[0] == {"valence": STEP}, said
    livelier = relative_moves("more energetic", alone=True)[0]
    assert livelier == {"energy": STEP}
    for said in ("más movida", "mais agitado", "plus énergique", "energischer", "more lively"):
        assert relative_moves(said, alone=True)[0] == livelier, said
    for said in ("slower", "más lenta", "mais lento", "plus lent", "langsamer"):
        assert relative_moves(said, alone=True)[0] == {"tempo": -TEMPO_STEP}, said


# ---------------------------------------------------------------------------------------------- intents (real catalog)
READ = {"search_tracks", "get_track", "recommend", "recommend_similar", "refine_recommendations",
        "more_recommendations", "explain_track"}


@pytest.fixture
async def page_state(agent_engine: Engine) -> ConversationState:
    """A conversation that has shown a list of "sad songs from the 80s" (a closed decade window)."""
    page = list(agent_engine.loaded.table.ids[:10])
    return ConversationState(last=LastRequest(request="sad songs", filters=Filters(year_min=1980, year_max=1989)),
                             last_page=page, shown=list(page))


@pytest.mark.parametrize(("text", "feature", "sign"), [
    ("a bit more hopeful", "valence", 1), ("more hopeful please", "valence", 1), ("un poco más esperanzadoras", "valence", 1),
    ("um pouco mais otimista", "valence", 1), ("un peu plus optimiste", "valence", 1), ("hoffnungsvoller", "valence", 1),
    ("warmer", "acousticness", 1), ("más cálidas", "acousticness", 1), ("plus chaleureux", "acousticness", 1),
    ("wärmer bitte", "acousticness", 1), ("dreamier", "instrumentalness", 1), ("less dreamy", "instrumentalness", -1),
    ("not so dark", "valence", 1), ("a bit darker", "valence", -1), ("más movida", "energy", 1),
    ("sem vocal", "instrumentalness", 1), ("com vocal", "instrumentalness", -1), ("sin vocales", "instrumentalness", 1),
    ("sans voix", "instrumentalness", 1), ("mit Gesang", "instrumentalness", -1),
])
def test_mood_comparatives_are_refinements_in_each_language(agent_engine: Engine, page_state: ConversationState,
                                                          text: str, feature: str, sign: int) -> None:
    intent = parse_intent(text, agent_engine.app.tracks, page_state, READ)
    assert intent.tool == "refine_recommendations", (text, intent)
    assert intent.args.get(f"{feature}_change", 0.0) * sign > 0, (text, intent.args)


@pytest.mark.parametrize(("text", "window"), [
    ("newer", (1990, 1999)), ("más recientes", (1990, 1999)), ("mais recentes", (1990, 1999)),
    ("plus récent", (1990, 1999)), ("neuere", (1990, 1999)), ("older", (1970, 1979)), ("más antiguas", (1970, 1979)),
    ("plus anciens", (1970, 1979)), ("ältere", (1970, 1979)), ("more nostalgic", (1970, 1979)),
])
def test_newer_and_older_replace_a_decade_window_in_each_language(agent_engine: Engine, page_state: ConversationState,
                                                                  text: str, window: tuple[int, int]) -> None:
    intent = parse_intent(text, agent_engine.app.tracks, page_state, READ)
    assert intent.tool == "refine_recommendations", (text, intent)
    assert (intent.args.get("year_min"), intent.args.get("year_max")) == window, (text, intent.args)
