"""Sad, melancholic and heartbreak requests in the five reply languages mean low-valence songs WITH vocals (sad
songs), not instrumental study beats; study and sleep stay instrumental."""

from __future__ import annotations

import pytest

from core.models import TextQuery
from core.text import TextUnderstanding

SAD = ["sad songs", "quelque chose de triste pour une nuit de pluie", "algo triste para una noche de lluvia",
       "algo triste para uma noite de chuva", "etwas Trauriges für eine regnerische Nacht", "melancholic",
       "mélancolique", "melancólico", "melancholisch", "heartbreak songs", "chagrin d'amour", "desamor",
       "Liebeskummer", "coração partido"]


@pytest.mark.parametrize("text", SAD)
def test_sad_asks_for_vocals_and_low_valence(tu: TextUnderstanding, text: str) -> None:
    query = tu.parse(text)
    assert isinstance(query, TextQuery)
    assert query.target.get("valence", 1.0) <= 0.35
    assert query.target.get("instrumentalness", 1.0) <= 0.1 and query.weights["instrumentalness"] >= 0.5


@pytest.mark.parametrize("text", ["music to study", "sleep music"])
def test_study_and_sleep_stay_instrumental(tu: TextUnderstanding, text: str) -> None:
    query = tu.parse(text)
    assert isinstance(query, TextQuery)
    assert query.target.get("instrumentalness", 0.0) >= 0.5
