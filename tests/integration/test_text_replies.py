"""The chat reply shows what text understanding noted (core.text notes, first), on a real engine over the shipped
catalog: clamped numbers, missing data, contradictions, and the first line in the user's language; and the ranked
tracks honour the numbers asked for."""

from __future__ import annotations

import pytest

from core.engine import Engine
from core.models import Caller


async def ask(engine: Engine, user: Caller, text: str, conv: str) -> tuple[str, list]:
    reply = await engine.app.chat.chat(f"test:{conv}", user, text)
    tracks = [rt.track for rt in reply.recommendation.tracks] if reply.recommendation else []
    return reply.text, tracks


@pytest.mark.parametrize(
    ("text", "first_words"),
    [
        ("Songs with energy 150%", "energy goes from 0 to 1"),
        ("songs with female vocals", "This catalog has no data on the singer's gender"),  # core.coverage says it once
        ("sad but super upbeat party songs", "\u201csad\u201d and \u201cupbeat\u201d pull in opposite directions"),
        ("Ponme canciones tristes para llorar un rato.", "Esto es lo que elegí para ti"),
        ("Des chansons douces et mélancoliques pour un dimanche pluvieux.", "Voici ce que j'ai choisi"),
        ("Entspannte, ruhige Musik zum Abschalten nach der Arbeit.", "Das habe ich für dich ausgesucht"),
    ],
)
async def test_reply_leads_with_the_note(engine: Engine, user: Caller, text: str, first_words: str) -> None:
    reply, tracks = await ask(engine, user, text, str(abs(hash(text))))
    assert reply.startswith(first_words), reply
    assert len(tracks) == 10


@pytest.mark.parametrize(
    ("text", "feature", "lo", "hi", "min_hits"),
    [
        ("Songs with valence 0.2 or lower.", "valence", 0.0, 0.2, 8),
        ("Songs with acousticness above 0.8.", "acousticness", 0.8, 1.0, 8),
        ("I want songs that are like 8/10 danceable.", "danceability", 0.7, 0.9, 8),
        ("Only tracks quieter than -10 dB loudness.", "loudness", -60.0, -10.0, 8),
        ("canciones con energía de al menos 90%", "energy", 0.9, 1.0, 8),
    ],
)
async def test_numbers_rank_tracks_inside_the_range(engine: Engine, user: Caller, text: str, feature: str, lo: float,
                                                    hi: float, min_hits: int) -> None:
    _, tracks = await ask(engine, user, text, f"n-{feature}")
    inside = [t for t in tracks if lo <= getattr(t, feature) <= hi]
    assert len(inside) >= min_hits, [(t.title, getattr(t, feature)) for t in tracks]


async def test_foreign_negation_excludes_the_artist(engine: Engine, user: Caller) -> None:
    _, tracks = await ask(engine, user, "Quero um rock pesado pra treinar, mas sem Metallica.", "sem")
    assert tracks and not [t for t in tracks if "Metallica" in t.artists]
