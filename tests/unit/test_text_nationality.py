"""Nationality / language words (core.text.caveats.honour_languages): in every supported language they are either
honoured through the catalog's own labels that name the language, or named as not applied and not echoed as a cue."""

from __future__ import annotations

import pytest

from core.models import TextQuery
from core.text import TextUnderstanding
from core.text.caveats import LANGUAGE_LABEL_WEIGHT


def q(tu: TextUnderstanding, text: str) -> TextQuery:
    result = tu.parse(text)
    assert isinstance(result, TextQuery), f"{text!r} was not understood: {result}"
    return result


@pytest.mark.parametrize("text", ["deutscher Hip-Hop aus den 2010ern", "German hip hop", "deutschen Rap bitte",
                                  "rap allemand", "hip hop alemán", "rap alemão"])
def test_a_language_the_labels_name_leads_the_labels(tu: TextUnderstanding, text: str) -> None:
    query = q(tu, text)
    assert query.labels.get("playlist:Gangster Rap Deutsch") == LANGUAGE_LABEL_WEIGHT
    # no look-alike playlist ("RAP 91") or stacked subgenre outweighs the language
    assert all(w <= 0 or k == "playlist:Gangster Rap Deutsch" for k, w in query.labels.items())
    assert "rap" in query.filters.genres  # German rap is filed as rap / gangster rap: the style filter keeps it


@pytest.mark.parametrize("text", ["rap français", "french rap", "französischer Rap", "rap francés"])
def test_a_language_without_labels_is_named_and_not_echoed(tu: TextUnderstanding, text: str) -> None:
    query = q(tu, text)
    notes = [n for n in query.notes if n.kind == "no_data" and n.subject == "lyrics_language"]
    # no label names French: the shipped catalog's song titles stand in (core.text.title_language), and the note
    # says so instead of "I left it out"
    assert notes and notes[0].used == "titles" and query.title_language == "fr"
    assert not any(c.endswith("→ french") for c in query.cues)


def test_no_language_word_leaves_the_labels_alone(tu: TextUnderstanding) -> None:
    query = q(tu, "hip hop from the 2010s")
    assert "playlist:Gangster Rap Deutsch" not in query.labels
    assert max(query.labels.values()) <= 1.0


def test_a_style_word_of_a_language_concept_stays_a_style(tu: TextUnderstanding) -> None:
    query = q(tu, "latin pop")  # the style "latin", not the Spanish language: no label is pushed to the maximum
    assert not any(w == LANGUAGE_LABEL_WEIGHT and k.startswith("playlist:") for k, w in query.labels.items())
    assert sum(1 for w in query.labels.values() if w > 0) > 1
