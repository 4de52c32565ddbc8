"""What a reply must admit (core.text.caveats): contradictions are named and settled per feature, attributes the
catalog has no data on get a "no data" note; and the mood model (core.text.moods) on a catalog without labels keeps
calm (quiet, acoustic, low energy) apart from sad (low valence), ranked by the real recommender."""

from __future__ import annotations


import numpy as np
import pytest

from core.models import TextQuery
from core.recommender import Recommender
from core.table import FEATURE_INDEX, TrackTable
from core.text import TextUnderstanding
from core.text.moods import MOOD_OF, load_moods


@pytest.fixture(scope="module")
def bare(shipped_rows: tuple[list, list]) -> tuple[TextUnderstanding, TrackTable]:
    table = TrackTable.from_rows(shipped_rows[0], [])
    t = TextUnderstanding()
    t.fit(table)
    return t, table


def q(tu: TextUnderstanding, text: str) -> TextQuery:
    result = tu.parse(text)
    assert isinstance(result, TextQuery), f"{text!r} was not understood: {result}"
    return result


def conflicts(query: TextQuery) -> list:
    return [n for n in query.notes if n.kind == "conflict"]


# ------------------------------------------------------------------------------------------------ contradictions
@pytest.mark.parametrize(
    ("text", "checks"),
    [
        ("sad but super upbeat party songs", {"energy": (0.7, 1.0)}),
        ("really calm songs that are also super high energy", {"energy": (0.45, 0.7), "danceability": (0.65, 1.0)}),
        ("calm but high energy", {"energy": (0.45, 0.7)}),
        ("soft, gentle, quiet heavy metal", {"energy": (0.0, 0.45), "loudness": (-20.0, -9.0)}),
        ("EDM bangers, but fully acoustic", {"acousticness": (0.6, 1.0)}),
        ("triste pero muy animado", {}),
    ],
)
def test_contradictions_are_named_and_settled(tu: TextUnderstanding, text: str, checks: dict) -> None:
    query = q(tu, text)
    notes = conflicts(query)
    assert notes, (text, query.cues)
    assert query.cues[0] == notes[0].text  # the reply's first words name it
    assert "\u2014" in notes[0].text and notes[0].used  # what to say instead, and what was done
    for feature, (lo, hi) in checks.items():
        assert lo <= query.target[feature] <= hi, (text, feature, query.target)


def test_a_conflict_is_never_averaged_silently(tu: TextUnderstanding) -> None:
    """Both wishes present -> a note; one of them alone -> no note, and each alone aims where it should."""
    both = q(tu, "sad happy songs")
    assert conflicts(both)
    assert not conflicts(q(tu, "sad songs")) and not conflicts(q(tu, "happy songs"))
    assert not conflicts(q(tu, "chill r&b")) and not conflicts(q(tu, "sad acoustic songs"))
    assert not conflicts(q(tu, "heavy metal workout"))
    # a setting is no contradiction: the beach is about sun and groove, not energy ("relaxar na praia" was flagged)
    for text in ("relaxing music for the beach", "músicas para relaxar na praia", "chill summer songs"):
        relaxed = q(tu, text)
        assert not conflicts(relaxed), text
        assert relaxed.target["energy"] < 0.55 and relaxed.target["valence"] > 0.55, (text, relaxed.target)


def test_era_conflicts(tu: TextUnderstanding, table_newest: int) -> None:
    query = q(tu, "Old-school 90s hip hop that just came out this year")
    assert conflicts(query) and query.cues[0] == conflicts(query)[0].text
    assert query.filters.year_min == table_newest  # "just came out this year" wins over "90s"
    written = q(tu, "new songs from 2012")  # a vaguer "new" loses to a written year, and the note says so
    assert written.filters.year_min == 2012 and conflicts(written)


@pytest.fixture(scope="module")
def table_newest(shipped_rows: tuple[list, list]) -> int:
    table = TrackTable.from_rows(*shipped_rows)
    return int(table.year[table.alive_positions()].max())


@pytest.mark.parametrize(
    ("text", "lang", "word"),
    [("canciones tristes pero muy animadas", "es", "contradicen"),
     ("chansons calmes mais très énergiques", "fr", "contredisent"),
     ("ruhige aber sehr energiegeladene Musik", "de", "widersprechen")],
)
def test_conflict_notes_in_the_users_language(tu: TextUnderstanding, text: str, lang: str, word: str) -> None:
    query = q(tu, text)
    assert query.lang == lang and conflicts(query) and word in conflicts(query)[0].text


# ------------------------------------------------------------------------------------------------ no data
@pytest.mark.parametrize(
    ("text", "subject", "instead"),
    [
        ("songs with female vocals", "gender", "vocals"),
        ("male singer please", "gender", "vocals"),
        ("canciones con voz femenina", "gender", "vocals"),
        ("saxophone solos", "instrument", "sound"),
        ("music with lots of piano", "instrument", "sound"),
        # only the scene label "latin" stands for Spanish (it holds English songs too): song titles answer, as said
        ("songs in spanish", "lyrics_language", "titles"),
        ("italian songs", "lyrics_language", None),
    ],
)
def test_attributes_without_data_get_a_note(tu: TextUnderstanding, text: str, subject: str, instead: str | None) -> None:
    query = q(tu, text)
    notes = [n for n in query.notes if n.kind == "no_data"]
    assert notes and notes[0].subject == subject, (text, query.notes)
    assert instead is None or notes[0].used == instead
    assert query.cues[0] == notes[0].text


def test_gender_is_not_mapped_to_unrelated_features(tu: TextUnderstanding) -> None:
    query = q(tu, "female vocals")
    assert set(query.target) <= {"instrumentalness", "speechiness"}  # vocals, nothing invented
    # only a label that is itself about female vocals ("Female Vocal EDM"), none that merely says "girl" or "diva"
    assert all("female" in k.lower() for k in query.labels), query.labels
    assert not [n for n in q(tu, "blast beats and drops").notes if n.kind == "no_data"]  # "beats" is no drum kit
    assert not [n for n in q(tu, "hard rock with big guitar riffs").notes if n.kind == "no_data"]  # style says it


# ------------------------------------------------------------------------------------------------ mood model
def _top(table: TrackTable, tu: TextUnderstanding, text: str, k: int = 20) -> np.ndarray:
    rec = Recommender(table)
    picked = rec.from_text(q(tu, text), limit=k)
    return table.features[np.asarray([s.pos for s in picked])]


def test_mood_model_loads_every_mood() -> None:
    moods = load_moods()
    assert set(MOOD_OF.values()) <= set(moods)
    assert moods["calm"].target["energy"] < 0.45 and moods["sad"].target["valence"] < 0.3
    assert moods["calm"].weights["energy"] > moods["calm"].weights.get("valence", 0)  # calm is about energy
    assert moods["sad"].weights["valence"] > moods["sad"].weights.get("energy", 0)  # sad is about valence


def test_label_less_catalog_separates_calm_from_sad(bare: tuple[TextUnderstanding, TrackTable]) -> None:
    tu, table = bare
    calm, sad = _top(table, tu, "calm songs"), _top(table, tu, "sad songs")
    e, v, a = FEATURE_INDEX["energy"], FEATURE_INDEX["valence"], FEATURE_INDEX["acousticness"]
    assert calm[:, e].mean() < 0.4 and calm[:, a].mean() > 0.4  # quiet, acoustic
    assert sad[:, v].mean() < 0.25  # low valence
    assert calm[:, e].mean() < sad[:, e].mean() - 0.1  # calm is calmer than sad...
    assert sad[:, v].mean() < calm[:, v].mean() - 0.1  # ...and sad sadder than calm


@pytest.mark.parametrize(
    ("text", "feature", "lo", "hi"),
    [("happy songs", "valence", 0.7, 1.0), ("energetic songs", "energy", 0.85, 1.0),
     ("angry music", "energy", 0.85, 1.0), ("music to focus", "instrumentalness", 0.4, 1.0),
     ("music to sleep", "energy", 0.0, 0.35), ("romantic songs", "energy", 0.0, 0.6)],
)
def test_label_less_moods_rank_by_their_prototype(bare: tuple[TextUnderstanding, TrackTable], text: str, feature: str,
                                                  lo: float, hi: float) -> None:
    tu, table = bare
    mean = float(_top(table, tu, text)[:, FEATURE_INDEX[feature]].mean())
    assert lo <= mean <= hi, (text, feature, mean)


def test_contradictions_become_structured_conflicts_on_their_axis(tu: TextUnderstanding) -> None:
    """``Recommendation.conflicts`` comes from the parser's conflict notes (:func:`conflicts_from_notes`); negated
    or compatible wishes are not conflicts."""
    from core.text.caveats import conflicts_from_notes

    def axes(text: str) -> list[str]:
        return [c.axis for c in conflicts_from_notes(q(tu, text).notes)]

    assert "valence" in axes("Sad but super upbeat party songs")
    assert "energy" in axes("Soft, gentle, quiet heavy metal")
    assert axes("Old-school 90s hip hop that just came out this year") == ["era"]
    assert "valence" in axes("Canciones muy tristes pero súper alegres")
    for fine in ("Nostalgic, bittersweet songs. Not crying-sad, just wistful.", "Lazy Sunday morning: chill but feel-good.",
                 "Running: fast and high-energy"):
        assert axes(fine) == [], fine
    kept = conflicts_from_notes(q(tu, "sad but super upbeat").notes)[0]
    # "sad" is about valence above all, "upbeat" about energy and valence alike: sad keeps the valence
    assert kept.sides == ["sad", "upbeat"] and kept.kept == "sad"


@pytest.mark.parametrize(("text", "low_valence"), [
    ("sad but super upbeat party songs", True),
    ("melancholic but upbeat tracks", True),
    ("dark but bouncy songs", True),
])
def test_each_side_of_a_conflict_keeps_the_feature_it_is_mostly_about(tu: TextUnderstanding, text: str,
                                                                      low_valence: bool) -> None:
    query = q(tu, text)
    assert query.notes and any(n.kind == "conflict" for n in query.notes), text
    assert (query.target["valence"] <= 0.35) is low_valence, (text, query.target)
    assert query.target.get("energy", 0.0) >= 0.55, (text, query.target)  # the upbeat side's energy survives


def test_two_words_about_the_same_feature_still_meet_or_name_a_winner(tu: TextUnderstanding) -> None:
    query = q(tu, "happy sad songs")
    assert any(n.kind == "conflict" for n in query.notes)
    assert 0.3 <= query.target["valence"] <= 0.8  # neither side silently dropped to an extreme of the other


def test_summary_joins_sentences_and_phrases_without_a_stray_semicolon() -> None:
    from core.engine import join_cues

    assert join_cues(["“sad” and “upbeat” pull in opposite directions: pick one.", "sad → low valence"]) == (
        "“sad” and “upbeat” pull in opposite directions: pick one. sad → low valence")
    assert join_cues(["chill → low energy", "", "study → focus"]) == "chill → low energy; study → focus"
    assert ".;" not in join_cues(["A note.", "B?", "c", "d."])


@pytest.mark.parametrize("text", ["danceability 90% but low energy", "low energy but danceable", "high energy"])
def test_a_phrase_owns_its_axis_against_the_words_inside_it(tu: TextUnderstanding, text: str) -> None:
    """"energy" inside "low energy" was taken for "energetic" against it: "“low energy” and “low energy” pull in
    opposite directions", energy aimed at 0.59. A word inside a phrase about the same feature is that phrase."""
    q = tu.parse(text)
    assert not any(n.kind == "conflict" for n in q.notes), [n.text for n in q.notes]
    assert (q.target["energy"] <= 0.4) is ("low" in text), q.target


def test_an_adjective_inside_a_phrase_about_another_feature_still_pulls(tu: TextUnderstanding) -> None:
    q = tu.parse("fast slow jams")  # "slow" inside "slow jams" is against "fast": both about tempo
    assert any(n.kind == "conflict" for n in q.notes)
