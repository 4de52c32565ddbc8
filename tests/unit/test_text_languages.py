"""Other languages in text requests: moods, activities, genres, eras and negation in Spanish, Portuguese, French and
German; stop-words of every language never matched to catalog labels; the reply-language hint (TextQuery.lang)."""

from __future__ import annotations


import pytest

from core.models import TextQuery
from core.text import TextUnderstanding
from core.text.language import detect_language


def q(tu: TextUnderstanding, text: str) -> TextQuery:
    result = tu.parse(text)
    assert isinstance(result, TextQuery), f"{text!r} was not understood: {result}"
    return result


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ponme canciones tristes para llorar un rato.", "es"),
        ("Quero músicas bem alegres pra levantar meu astral.", "pt"),
        ("Des chansons douces et mélancoliques pour un dimanche pluvieux.", "fr"),
        ("Entspannte, ruhige Musik zum Abschalten nach der Arbeit.", "de"),
        ("musica dos anos oitenta", "pt"),
        ("Bossa nova for a quiet evening, João Gilberto style.", "en"),
        ("sad songs with no vocals", "en"),
        ("de la soul", "en"),
    ],
)
def test_language_is_detected_and_exposed(tu: TextUnderstanding, text: str, lang: str) -> None:
    assert detect_language(text) == lang
    query = tu.parse(text)
    if isinstance(query, TextQuery):
        assert query.lang == lang


@pytest.mark.parametrize(
    ("text", "feature", "low", "high"),
    [
        ("canciones tristes", "valence", 0.0, 0.35),
        ("músicas tristes pra chorar", "valence", 0.0, 0.35),
        ("chansons mélancoliques", "valence", 0.0, 0.35),
        ("traurige Lieder", "valence", 0.0, 0.35),
        ("música alegre", "valence", 0.7, 1.0),
        ("musique joyeuse", "valence", 0.7, 1.0),
        ("fröhliche Musik", "valence", 0.7, 1.0),
        ("música tranquila para dormir", "energy", 0.0, 0.4),
        ("musique calme", "energy", 0.0, 0.4),
        ("ruhige Musik", "energy", 0.0, 0.4),
        ("música con mucha energía para el gimnasio", "energy", 0.8, 1.0),
        ("musique très énergique pour la salle de sport", "energy", 0.8, 1.0),
        ("Musik zum Trainieren", "energy", 0.8, 1.0),
        ("música pra treinar", "energy", 0.8, 1.0),
    ],
)
def test_moods_and_activities_in_other_languages(tu: TextUnderstanding, text: str, feature: str, low: float,
                                                 high: float) -> None:
    query = q(tu, text)
    assert low <= query.target[feature] <= high, (text, query.target, query.cues)


@pytest.mark.parametrize(
    ("text", "english"),
    [("músicas para ouvir no verão", "summer songs"), ("músicas animadas na praia", "upbeat songs at the beach"),
     ("rock no carro, nas férias", "rock in the car on holiday")],
)
def test_portuguese_no_and_na_mean_in_the(tu: TextUnderstanding, text: str, english: str) -> None:
    """Portuguese "no" / "na" are "in the" (em + o / a), never a negation: the request means what the English one does
    (it used to read "no verão" as "no summer" and answer with sad songs)."""
    query, ref = q(tu, text), q(tu, english)
    assert not any(c.startswith(("not ", "sem ")) for c in query.cues), query.cues
    assert not any(w < 0 for w in query.labels.values()), query.labels
    shared = set(query.target) & set(ref.target)
    assert shared, (query.target, ref.target)
    for name in shared:  # the same direction on every feature both set
        assert abs(query.target[name] - ref.target[name]) <= 0.15 * (1 if name not in ("tempo", "loudness") else 40), (
            name, query.target, ref.target)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("música para bailar, pero nada de reggaetón", "music to dance to, but no reggaeton"),
        ("música para bailar sin reggaetón", "music to dance to without reggaeton"),
        ("rock pesado, mas sem metal", "heavy rock, but no metal"),
        ("musique pour danser, pas de rap", "music to dance to, no rap"),
        ("musique pour danser sans rap", "music to dance to without rap"),
        ("Gute-Laune-Musik, aber bitte kein EDM", "good mood music, but no edm"),
        ("Musik ohne Rap", "music without rap"),
    ],
)
def test_negation_in_other_languages(tu: TextUnderstanding, text: str, english: str) -> None:
    """A foreign negation avoids what the English one avoids (never turns "without X" into "X")."""
    query, ref = q(tu, text), q(tu, english)
    avoided = {k for k, w in query.labels.items() if w < 0}
    assert avoided == {k for k, w in ref.labels.items() if w < 0}, (text, query.labels, ref.labels)
    assert any(c.startswith("not ") for c in query.cues), query.cues
    assert not avoided & {k for k, w in query.labels.items() if w > 0}
    negated = english.split()[-1]
    assert not any(k.split(":", 1)[1].lower() == negated for k, w in query.labels.items() if w > 0)


@pytest.mark.parametrize(
    ("text", "artist"),
    [("Quero um rock pesado pra treinar, mas sem Metallica.", "Metallica"),
     ("Chill R&B, but no Drake and no The Weeknd.", "The Weeknd"),
     ("canciones románticas sin Shakira", "Shakira")],
)
def test_negated_artists(tu: TextUnderstanding, text: str, artist: str) -> None:
    query = q(tu, text)
    assert artist in query.filters.exclude_artists, (query.filters, query.cues)
    assert artist not in query.artists


@pytest.mark.parametrize(
    ("text", "no_vocals"),
    [("música tranquila sin letra", True), ("músicas pra estudar sem letra", True), ("musique sans paroles", True),
     ("Musik ohne Gesang", True)],
)
def test_no_vocals_in_other_languages(tu: TextUnderstanding, text: str, no_vocals: bool) -> None:
    assert q(tu, text).target["instrumentalness"] >= 0.7


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("canciones de los 80", (1980, 1989)),
        ("música de los ochenta", (1980, 1989)),
        ("rock dos anos 90", (1990, 1999)),
        ("músicas dos anos oitenta", (1980, 1989)),
        ("chansons des années 80", (1980, 1989)),
        ("les années quatre-vingt-dix", (1990, 1999)),
        ("Hits der 80er", (1980, 1989)),
        ("Musik der achtziger Jahre", (1980, 1989)),
        ("canciones después de 2015", (2016, None)),
        ("músicas antes de 2000", (None, 1999)),
        ("Lieder seit 2010", (2010, None)),
        ("the nineties", (1990, 1999)),
        ("2010-2015 pop", (2010, 2015)),
        ("after 2015", (2016, None)),
        ("before 2000", (None, 1999)),
    ],
)
def test_eras_in_other_languages(tu: TextUnderstanding, text: str, years: tuple[int | None, int | None]) -> None:
    query = q(tu, text)
    assert (query.filters.year_min, query.filters.year_max) == years


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("canciones tristes para llorar", "para bailar"),  # "para" (Spanish "for") is no playlist name
        ("Necesito música con mucha energía para salir a correr", "para bailar"),
        ("canciones de amor", "de fiesta"),
        ("canciones de amor", "reggaeton de ayer"),
        ("only sad songs", "vibes only"),
        ("songs to listen along with", "jam along with"),
        ("songs with energy", "with orchestra"),
        ("la mejor música de la semana", "la historia"),
        ("el ritmo de la noche", "la discografia"),
        ("música en inglés", "en español"),
        ("canciones para el verano y la playa", "house y más"),
    ],
)
def test_stop_words_never_match_labels(tu: TextUnderstanding, text: str, forbidden: str) -> None:
    """Labels are matched on meaningful words: a function word of any language never finds a playlist name."""
    query = tu.parse(text)
    labels = query.labels if isinstance(query, TextQuery) else {}
    assert not any(forbidden in k.lower() for k in labels), (text, labels)


@pytest.mark.parametrize(
    ("text", "lang", "word"),
    [
        ("canciones tristes", "es", "elegí"),
        ("músicas alegres", "pt", "escolhi"),
        ("chansons douces", "fr", "choisi"),
        ("ruhige Musik", "de", "ausgesucht"),
        ("canciones con energía 150%", "es", "usé"),
    ],
)
def test_first_note_is_in_the_users_language(tu: TextUnderstanding, text: str, lang: str, word: str) -> None:
    query = q(tu, text)
    assert query.lang == lang
    assert word in query.cues[0] and query.notes and query.notes[0].text == query.cues[0]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("música brasileira para relaxar", "pt"),
        ("funk brasileiro para festa", "pt"),
        ("música para bailar salsa", "es"),
        ("canciones tristes para llorar", "es"),
    ],
)
def test_portuguese_and_spanish_are_told_apart_by_their_own_words(text: str, lang: str) -> None:
    from core.text.language import detect_language

    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["no drake no ed sheeran no taylor swift", "no Drake, no Ed Sheeran, no Adele, no rap",
                                  "na na na", "no no no"])
def test_no_and_na_are_no_evidence_of_portuguese(tu: TextUnderstanding, text: str) -> None:
    """English "no" said three times made a request Portuguese — the reply too — and turned its negations into "in
    the": the words "no" / "na" count for no language (core.text.language.NO_EVIDENCE)."""
    assert detect_language(text) == "en"
    query = tu.parse(text)
    assert getattr(query, "lang", "en") == "en"
    if "drake" in text.lower() and isinstance(query, TextQuery):
        assert query.filters.exclude_artists, query  # the negations stand


@pytest.mark.parametrize("text", ["spanish guitar", "classical guitar music", "some fingerstyle guitar"])
def test_a_guitar_named_by_a_country_is_a_sound_not_a_language(tu: TextUnderstanding, text: str) -> None:
    # "spanish guitar" answered Spanish-titled reggaeton (acousticness 0.01–0.26)
    query = q(tu, text)
    assert not query.language and not query.title_language
    assert query.target.get("acousticness", 0.0) >= 0.7, query.cues
