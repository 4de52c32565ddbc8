"""Follow-ups in Spanish, Portuguese, French and German (issue 10, "Languages" + "Sessions"): negated and comparative
moves read in the right direction (core.followup_words -> core.moves), "#N" / ordinals, "not that artist", the next
page, "more like #N", and the reply's first line in the follow-up's language (core.agent.followup_replies).

Intent tests run on a real small SQLite catalog (tests.security.agent_fixtures); hypothesis varies case, accents,
punctuation, polite words and intensifiers.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.agent.followup_replies import (
    MOVE_CUES,
    NOTHING_YET,
    change_words,
    followup_summary,
    localized_summary,
    reply_language,
)
from core.agent.intents import parse_intent
from core.agent.anchored_followups import move_cues
from core.conversation import ConversationState, LastRequest
from core.engine import Engine
from core.followup_words import clear_language, followup_language, ordinal_value
from core.moves import read_moves, relative_moves
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)

READ = {"search_tracks", "get_track", "recommend", "recommend_similar", "refine_recommendations",
        "more_recommendations", "explain_track"}

#: (follow-up, feature, direction): the forms the blind review sent, and their neighbours in each language.
MOVES = [
    # negated: must never be read as the adjective alone
    ("moins rapide", "tempo", -1), ("weniger schnell", "tempo", -1), ("menos rápida", "tempo", -1),
    ("menos rápido", "tempo", -1), ("nicht so schnell", "tempo", -1), ("não tão rápido", "tempo", -1),
    ("pas si rapide", "tempo", -1), ("no tan rápidas", "tempo", -1), ("trop rapide", "tempo", -1),
    ("zu schnell", "tempo", -1), ("rápido demais", "tempo", -1), ("moins vite", "tempo", -1),
    ("menos animada", "valence", -1), ("menos alegres", "valence", -1), ("moins joyeuse", "valence", -1),
    ("weniger fröhlich", "valence", -1), ("menos triste", "valence", 1), ("moins triste", "valence", 1),
    ("weniger traurig", "valence", 1), ("nicht so traurig", "valence", 1), ("no tan triste", "valence", 1),
    ("moins fort", "energy", -1), ("nicht so laut", "energy", -1), ("menos intenso", "energy", -1),
    ("menos tranquila", "energy", 1), ("moins calme", "energy", 1), ("weniger ruhig", "energy", 1),
    ("pas trop fort", "energy", -1), ("weniger Energie", "energy", -1), ("moins d'énergie", "energy", -1),
    ("menos energía", "energy", -1), ("menos bailable", "danceability", -1), ("weniger tanzbar", "danceability", -1),
    ("menos acústico", "acousticness", -1), ("weniger akustisch", "acousticness", -1),
    ("menos instrumental", "instrumentalness", -1), ("moins instrumental", "instrumentalness", -1),
    # comparatives
    ("más lento", "tempo", -1), ("mais devagar", "tempo", -1), ("plus lent", "tempo", -1), ("langsamer", "tempo", -1),
    ("más despacio", "tempo", -1), ("plus rapide", "tempo", 1), ("schneller", "tempo", 1), ("mais rápida", "tempo", 1),
    ("mais calmo", "energy", -1), ("plus calme", "energy", -1), ("ruhiger", "energy", -1), ("más tranquilo", "energy", -1),
    ("leiser", "energy", -1), ("plus doux", "energy", -1), ("mais suave", "energy", -1),
    ("más energía", "energy", 1), ("plus d'énergie", "energy", 1), ("mehr Energie", "energy", 1), ("lauter", "energy", 1),
    ("mais pesado", "energy", 1), ("más alegre", "valence", 1), ("plus joyeux", "valence", 1), ("fröhlicher", "valence", 1),
    ("más triste", "valence", -1), ("plus sombre", "valence", -1), ("trauriger", "valence", -1),
    ("más bailable", "danceability", 1), ("plus dansant", "danceability", 1), ("tanzbarer", "danceability", 1),
    ("más acústico", "acousticness", 1), ("plus électronique", "acousticness", -1), ("akustischer", "acousticness", 1),
    ("sin voz", "instrumentalness", 1), ("mit Gesang", "instrumentalness", -1),
    ("slower", "tempo", -1), ("less upbeat", "valence", -1), ("not so fast", "tempo", -1), ("too loud", "energy", -1),
]


@pytest.mark.parametrize(("text", "feature", "sign"), MOVES)
def test_each_form_moves_the_right_way(text: str, feature: str, sign: int) -> None:
    deltas, cues = relative_moves(text, alone=True)
    assert deltas.get(feature, 0.0) * sign > 0, (text, deltas)
    assert len(cues) == 1, cues  # one move, never a move and its opposite


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


#: Polite words and intensifiers said around a follow-up (all languages: mixing them must not change the reading).
BEFORE = ["", "un poco ", "un peu ", "etwas ", "um pouco ", "ok, ", "vale, ", "bitte ", "a bit "]
AFTER = ["", " por favor", " s'il te plaît", " bitte", " pfv", "!", "?", "...", " please", " :)"]


@settings(max_examples=200, deadline=None)
@given(case=st.sampled_from(MOVES), before=st.sampled_from(BEFORE), after=st.sampled_from(AFTER),
       shape=st.sampled_from(["as is", "upper", "title", "no accents"]))
def test_case_accents_punctuation_and_polite_words_keep_the_direction(case, before, after, shape) -> None:
    text, feature, sign = case
    said = before + text + after
    said = {"upper": said.upper(), "title": said.title(), "no accents": _strip_accents(said)}.get(shape, said)
    deltas, _ = relative_moves(said, alone=True)
    assert deltas.get(feature, 0.0) * sign > 0, (said, deltas)


def test_the_move_cues_said_in_each_language_read_back_as_the_same_move() -> None:
    """The anchored follow-up restates a move in the request's language (core.agent.anchored_followups)."""
    for cue, words in MOVE_CUES.items():
        for lang, said in words.items():
            assert read_moves(said).cues == [cue], (lang, said)
    assert move_cues({"valence": -0.2, "energy": -0.1}) == ["less upbeat"]
    assert move_cues({"tempo": -0.15, "energy": 0.2}) == ["slower", "more energetic"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("moins rapide", "fr"), ("weniger schnell", "de"), ("más como el #2", "es"), ("mais como o #3", "pt"),
     ("plus comme le #1", "fr"), ("sin ese artista", "es"), ("sem esse artista", "pt"), ("pas cet artiste", "fr"),
     ("nicht dieser Künstler", "de"), ("encore", "fr"), ("weiter", "de"), ("siguiente", "es"), ("noch mehr", "de"),
     ("otra vez", "es"), ("less upbeat", "en"), ("more like #3", "en"), ("next", "en")],
)
def test_the_language_of_a_follow_up(text: str, lang: str) -> None:
    assert followup_language(text) == lang and clear_language(text) == lang


def test_ambiguous_follow_ups_keep_the_conversations_language() -> None:
    for text in ("próxima", "menos triste", "#3"):
        assert clear_language(text) is None
        assert followup_language(text, previous="pt") == "pt"
    assert followup_language("próxima", previous="fr") == "es"  # not the previous one's: the first of the tie
    assert reply_language("menos triste", "músicas animadas para festa") == "pt"
    assert reply_language("menos triste", "", conversation_lang="pt") == "pt"
    assert reply_language("slower", "musique joyeuse") == "fr"  # a short follow-up keeps the conversation's language
    assert reply_language("now something slower and sadder for the night please", "musique joyeuse") == "en"


def test_ordinal_words() -> None:
    assert ordinal_value("segunda") == 2 and ordinal_value("troisième") == 3 and ordinal_value("zweiten") == 2
    assert ordinal_value("último") == -1 and ordinal_value("letzte") == -1 and ordinal_value("banana") is None


def test_first_lines_in_the_follow_ups_language() -> None:
    words = change_words("fr", {"tempo": -0.15})
    assert words == ["plus lent"]
    line = followup_summary("lower tempo; joyeuse → high valence", "fr", changes=words, english_changes=["lower tempo"])
    assert line == "D'accord, plus lent — joyeuse → high valence"
    assert change_words("es", {"valence": -0.2, "energy": -0.1}) == ["menos alegre"]  # one phrase for the mood move
    assert change_words("de", {}, exclude_artists=["Coldplay"]) == ["ohne Coldplay"]
    assert change_words("pt", {}, year_min=2010, year_max=2019) == ["2010–2019"]
    assert localized_summary("Like Coldplay (less upbeat; slower)", "es") == "Como Coldplay (menos animado; más lento)"
    assert localized_summary("Tracks like Yellow - Coldplay (without Coldplay)", "de") == (
        "Titel wie Yellow - Coldplay (ohne Coldplay)")
    assert followup_summary("Tracks like Yellow - Coldplay", "pt", next_page=True) == (
        "Mais músicas — Músicas como Yellow - Coldplay")
    assert followup_summary("lower tempo; chill → calm", "en", changes=["x"]) == "lower tempo; chill → calm"


# ---------------------------------------------------------------------------------------------- intents (real catalog)
@pytest.fixture
async def state(agent_engine: Engine) -> ConversationState:
    """A conversation that has shown a list whose #1 is Blinding Lights (so follow-ups apply)."""
    blinding = agent_engine.loaded.table.ids[agent_engine.app.tracks.resolve("Blinding Lights")]
    page = [blinding, *[i for i in agent_engine.loaded.table.ids[:9] if i != blinding]]
    return ConversationState(last=LastRequest(request="música alegre"), last_page=page, shown=list(page))


NEXT_PAGE = ["más", "Más!", "dame más", "más canciones", "siguiente", "la siguiente página", "otra vez", "otras",
             "mais", "mais músicas", "próxima", "outra vez", "de novo", "encore", "encore plus", "d'autres",
             "la suite", "page suivante", "mehr", "noch mehr", "weiter", "nächste Seite", "nochmal", "mehr davon"]


@pytest.mark.parametrize("text", NEXT_PAGE)
def test_next_page_in_each_language(agent_engine: Engine, state: ConversationState, text: str) -> None:
    assert parse_intent(text, agent_engine.app.tracks, state, READ).tool == "more_recommendations"


@pytest.mark.parametrize(
    ("text", "n"),
    [("más como el #2", 2), ("plus comme le #1", 1), ("mehr wie #2", 2), ("mais como o #3", 3),
     ("algo como la número 4", 4), ("canciones parecidas a la 2", 2), ("como la segunda", 2), ("comme le troisième", 3),
     ("wie das zweite", 2), ("wie Nummer 5", 5), ("mais como a última", 10), ("como el 3º", 3), ("comme le 1er", 1),
     ("plus comme la 2e", 2), ("ähnlich wie #4", 4), ("des chansons comme le #6", 6)],
)
def test_more_like_a_list_item(agent_engine: Engine, state: ConversationState, text: str, n: int) -> None:
    intent = parse_intent(text, agent_engine.app.tracks, state, READ)
    assert intent.tool == "recommend_similar" and intent.args["refs"] == [f"#{n}"], intent


@pytest.mark.parametrize(
    "text",
    ["sin ese artista", "no ese artista", "otro artista", "sem esse artista", "outros artistas", "pas cet artiste",
     "sans cet artiste", "d'autres artistes", "nicht dieser Künstler", "ohne diesen Künstler", "andere Künstler",
     "nada más de él", "nichts mehr von ihm"],
)
def test_not_that_artist_means_the_list_on_screen(agent_engine: Engine, state: ConversationState, text: str) -> None:
    intent = parse_intent(text, agent_engine.app.tracks, state, READ)
    assert intent.tool == "refine_recommendations" and intent.args["exclude_artists"] == ["The Weeknd"], intent


@pytest.mark.parametrize(
    ("text", "args"),
    [("moins rapide", {"tempo_change_percent": -15.0}), ("weniger schnell", {"tempo_change_percent": -15.0}),
     ("menos rápida", {"tempo_change_percent": -15.0}), ("menos animada", {"valence_change": -0.2}),
     ("moins fort", {"energy_change": -0.2}), ("nicht so laut", {"energy_change": -0.2}),
     ("menos triste", {"valence_change": 0.1}), ("un peu moins rapide s'il te plaît", {"tempo_change_percent": -15.0}),
     ("etwas ruhiger bitte", {"energy_change": -0.2}), ("sin The Weeknd", {"exclude_artists": ["The Weeknd"]}),
     ("ohne The Weeknd", {"exclude_artists": ["The Weeknd"]}), ("solo los 90", {"year_min": 1990, "year_max": 1999}),
     ("só dos anos 2010", {"year_min": 2010, "year_max": 2019}), ("nur 80er", {"year_min": 1980, "year_max": 1989}),
     ("seulement des années 2000", {"year_min": 2000, "year_max": 2009}), ("antes de 2000", {"year_max": 1999}),
     ("depuis 2015", {"year_min": 2015}), ("solo rock", {"only_genres": ["rock"]}), ("nur Rock", {"only_genres": ["rock"]}),
     ("más antiguas", {"year_max": None}), ("menos antiguas", {"year_min": None})],
)
def test_refinements_in_each_language(agent_engine: Engine, state: ConversationState, text: str, args: dict) -> None:
    intent = parse_intent(text, agent_engine.app.tracks, state, READ)
    assert intent.tool == "refine_recommendations", intent
    for key, value in args.items():
        if value is None:
            assert key in intent.args, (key, intent.args)  # a year bound from the page's years
        else:
            assert intent.args.get(key) == value, (key, intent.args)
    for key in ("tempo_change_percent", "energy_change", "valence_change"):  # never the opposite move
        if key in args and args[key] is not None:
            assert intent.args[key] * args[key] > 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.sampled_from(NEXT_PAGE + ["más como el #2", "pas cet artiste", "moins rapide", "nicht so laut"]),
       shape=st.sampled_from(["as is", "upper", "no accents", "title"]), end=st.sampled_from(["", "!", " ?", "."]))
def test_intents_survive_case_accents_and_punctuation(agent_engine: Engine, state: ConversationState, text: str,
                                                      shape: str, end: str) -> None:
    expected = parse_intent(text, agent_engine.app.tracks, state, READ)
    said = {"upper": text.upper(), "title": text.title(), "no accents": _strip_accents(text)}.get(shape, text) + end
    got = parse_intent(said, agent_engine.app.tracks, state, READ)
    assert (got.tool, got.args) == (expected.tool, expected.args), said


def test_a_follow_up_with_nothing_before_is_answered_in_its_language(agent_engine: Engine) -> None:
    empty = ConversationState()
    assert parse_intent("más", agent_engine.app.tracks, empty, READ).reply == NOTHING_YET["es"]
    assert parse_intent("encore", agent_engine.app.tracks, empty, READ).reply == NOTHING_YET["fr"]
    assert parse_intent("noch mehr", agent_engine.app.tracks, empty, READ).reply == NOTHING_YET["de"]


def test_new_requests_are_not_taken_for_follow_ups(agent_engine: Engine, state: ConversationState) -> None:
    """Words near the follow-up forms that start a new request stay a new request."""
    for text in ("música para correr", "como la primera vez", "canciones de los 80 para bailar", "rock français"):
        assert parse_intent(text, agent_engine.app.tracks, state, READ).tool == "recommend", text


def test_an_item_not_on_the_list_is_said_in_the_follow_ups_language() -> None:
    from core.agent.followup_replies import localized_error

    assert localized_error("There is no #15 in the last list.", "es") == "No hay #15 en la última lista."
    assert localized_error("There is no #15 in the last list.", "en") == "There is no #15 in the last list."
    assert localized_error("Song not found.", "de") == "Song not found."


def test_too_and_not_so_in_german_need_the_plain_adjective() -> None:
    assert relative_moves("zu laut")[0] == {"energy": -0.2} and relative_moves("zu schnell bitte")[0] == {"tempo": -0.15}
    assert relative_moves("Musik zu entspannten Abenden") == ({}, [])  # "for relaxed evenings", not "too relaxed"


async def test_anchored_requests_are_restated_around_the_anchor(agent_engine: Engine) -> None:
    from core.agent.anchored_followups import restate_anchored

    artist = "Martin Garrix"
    assert artist.casefold() in agent_engine.loaded.table.artist_index
    said = restate_anchored(agent_engine.app.tracks, f"like {artist} but more upbeat", {"tempo": -0.15})
    assert said == f"but more upbeat, slower like {artist}"
    back = restate_anchored(agent_engine.app.tracks, said, {"valence": -0.2, "energy": -0.1})
    assert back == f"slower like {artist}"  # one step back, never "more upbeat" and "less upbeat" together
    assert restate_anchored(agent_engine.app.tracks, f"como {artist} pero más alegre", {"tempo": -0.15}) == (
        f"pero más alegre, más lento como {artist}")
    assert restate_anchored(agent_engine.app.tracks, "chill music", {"tempo": -0.15}) == "chill music"  # no anchor: unchanged
