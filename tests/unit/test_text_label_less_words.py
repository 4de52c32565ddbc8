"""Words that failed on catalogs without labels (found on the own / fresh text requests, label-stripped copy):
negations written as contractions ("aren't", "isn't") and continued over moods ("not loud or hyper"); a negated feature
replacing what a measured mood prototype only implies for it ("happy but not hyper"), never what another word is about
("night drive, not sleepy"); "electronic music" in five languages naming the EDM style."""

from __future__ import annotations

import pytest

from core.text import TextUnderstanding
from tests.unit.conftest import parse_query as parse
from core.text.moods import load_moods




@pytest.mark.parametrize("text", ["songs that aren't sad", "songs that arent sad", "a playlist that isn't sad",
                                  "a playlist that isn’t sad"])
def test_contracted_negations_negate(bare: TextUnderstanding, text: str) -> None:
    q = parse(bare, text)
    sad = parse(bare, "sad songs")
    assert q.target["valence"] > 0.5 > sad.target["valence"], (text, q.target)
    assert any(c.startswith("not sad") for c in q.cues), q.cues


def test_a_negation_continues_over_mood_words(bare: TextUnderstanding) -> None:
    q = parse(bare, "songs that aren't loud or hyper")
    assert any(c.startswith("not loud") for c in q.cues) and any(c.startswith("not hyper") for c in q.cues), q.cues
    assert q.target["energy"] < 0.6 and q.target["loudness"] < -8, q.target


def test_a_continued_negation_still_names_artists_and_labels_exactly(bare: TextUnderstanding) -> None:
    q = parse(bare, "no rap or trap")
    assert q.styles.get("subgenre:trap", 0) < 0 and q.styles.get("genre:rap", 0) < 0, q.styles


def test_a_negation_replaces_what_a_mood_prototype_only_implies(bare: TextUnderstanding) -> None:
    happy = parse(bare, "happy songs")
    calm_happy = parse(bare, "happy songs that aren't hyper")
    assert load_moods()["happy"].weights["energy"] < 0.7  # the prototype's energy is only implied by "happy"
    assert happy.target["energy"] > 0.75
    assert calm_happy.target["energy"] < 0.6, calm_happy.target  # not averaged with the prototype's high energy
    assert calm_happy.target["valence"] == pytest.approx(happy.target["valence"])  # still happy


def test_a_negation_does_not_replace_what_another_word_is_about(bare: TextUnderstanding) -> None:
    """"not sleepy" mirrors the sleep concept's very low energy to the top of the scale; the night drive's steady energy
    is what that word is about, so the two are averaged as before (no prototype is involved)."""
    q = parse(bare, "music for a night drive, moody but not sleepy")
    assert 0.6 < q.target["energy"] < 0.9, q.target


@pytest.mark.parametrize("text", ["música eletrônica animada", "música electrónica",
                                  "musique électronique", "elektronische Musik", "electronica for the evening"])
def test_electronic_music_names_the_edm_style(bare: TextUnderstanding, text: str) -> None:
    q = parse(bare, text)
    assert q.styles.get("genre:edm", 0) >= 0.5, (text, q.styles)


def test_electric_and_synth_stay_a_sound(bare: TextUnderstanding) -> None:
    for text in ("electric guitar songs", "synth heavy songs"):
        assert parse(bare, text).styles.get("genre:edm", 0) <= 0, text


def test_electronic_music_reaches_the_edm_labels_of_a_labelled_catalog(tu: TextUnderstanding) -> None:
    q = parse(tu, "musique électronique")
    assert q.labels.get("genre:edm", 0) >= 0.8, q.labels


def test_a_mood_reaches_the_styles_its_vocabulary_entry_names(bare: TextUnderstanding) -> None:
    """"furious" pulls hard rock labels on a labelled catalog; without labels the style model stands in for them
    (a dark festival EDM track has the same energy, valence and loudness as a hard rock one)."""
    q = parse(bare, "furious, raging music to scream along to")
    assert q.styles.get("subgenre:hard rock", 0) >= 0.5, q.styles
    assert parse(bare, "disco classics").styles.get("subgenre:new jack swing", 0) >= 0.5  # a style the model lacks


def test_only_strong_mood_hints_become_styles(bare: TextUnderstanding) -> None:
    assert parse(bare, "road trip songs").styles == {}  # classic rock 0.4: a hint, not the request's style
    assert not any(w > 0 for w in parse(bare, "no angry songs").styles.values())  # negated: nothing pulled


def test_a_labelled_catalog_keeps_mood_hints_as_labels(tu: TextUnderstanding) -> None:
    q = parse(tu, "furious, raging music to scream along to")
    assert q.styles == {}
