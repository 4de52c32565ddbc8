"""First lines in the request's language (core.text.wording): coverage lines with the same facts as the English ones,
cues worded in es/pt/fr/de, short playlist names; and the parsing forms behind them in the four languages — word
order of mood + language, "less X" comparatives, negations, numbers."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.coverage import coverage_line
from core.models import CoverageNote, TextQuery
from core.text import TextUnderstanding
from core.text.wording import localize_cues
from core.text.concepts import CONCEPTS_PATH, _FEATURE_WORDS
from core.text.language import detect_language
from core.text.wording import (
    GLOSSARY,
    LOCAL,
    MOVES,
    alternative_in,
    coverage_line_in,
    localize_anchor_summary,
    localize_cue,
    no_data_alternative,
    playlist_mentions,
    short_playlist_name,
)

#: Words that mark each language's wording of a coverage line (the catalog word).
CATALOG_WORD = {"es": "catálogo", "pt": "catálogo", "fr": "catalogue", "de": "Katalog"}
#: English words that must not appear in a localized first line (labels and names aside).
ENGLISH = re.compile(r"\b(?:This|catalog|tracks|here's|closest|mostly|nothing|from|only|playlist names?|"
                     r"here are|audio features|sound|low|high|not)\b")


def _english_free(line: str, keep: tuple[str, ...] = ()) -> bool:
    for k in keep:
        line = line.replace(k, " ")
    return ENGLISH.search(line) is None


# ------------------------------------------------------------------------------------------------ coverage lines
NOTES = [
    CoverageNote(requested="country", kind="missing", found_count=36,
                 alternative="calm, acoustic tracks, mostly classic rock"),
    CoverageNote(requested="deep house", kind="missing", found_count=93, closest="progressive electro house",
                 playlists=["Techno House 2020 👽 Best Collection 👻 Top DJ’s Electronic Music - Deep House - Trance",
                            "Fresh EDM | Progressive House | Electro House | Trap | Deep House | Electronic"],
                 alternative="tracks with the closest sound, mostly progressive electro house"),
    CoverageNote(requested="jazz", kind="missing", found_count=704, closest="neo soul", playlists=["Jazz Vibes"],
                 alternative="acoustic tracks, mostly classic rock"),
    CoverageNote(requested="tango", kind="missing", closest="latin hip hop", family="latin",
                 alternative="acoustic tracks, mostly dance pop"),
    CoverageNote(requested="disco", kind="sparse", found_count=2, alternative="upbeat, danceable tracks"),
    CoverageNote(requested="punk from 1970–1979", kind="missing", alternative="high-energy tracks, mostly hard rock"),
    CoverageNote(requested="reggae", kind="missing", via="Bob Marley & The Wailers",
                 alternative="danceable tracks, mostly indie poptimism"),
    CoverageNote(requested="k-pop", kind="sparse", found_count=4, via="BTS"),
    CoverageNote(requested="country or jazz", kind="unlabelled", alternative="calm tracks"),
    CoverageNote(requested="Luke Combs", kind="missing_artist", alternative="Luke Bryan"),
    CoverageNote(requested="1940–1949", kind="era", alternative="acoustic tracks, mostly classic rock"),
    CoverageNote(requested="1960 or later", kind="era"),
    CoverageNote(requested="the language of the lyrics", kind="no_data",
                 alternative="these picks go by the audio features only"),
    CoverageNote(requested="the singer's gender", kind="no_data", alternative="I picked tracks with vocals"),
]


@pytest.mark.parametrize("lang", LOCAL)
@pytest.mark.parametrize("note", NOTES, ids=lambda n: f"{n.kind}:{n.requested}")
def test_coverage_lines_keep_the_facts_in_the_request_language(note: CoverageNote, lang: str) -> None:
    line = coverage_line(note.model_copy(update={"lang": lang}))
    assert line == coverage_line_in(note, lang)
    english = coverage_line(note)
    assert line != english and line.endswith(".")
    # the same facts: every number, year and name of the English line is in the localized one
    for fact in re.findall(r"\d{4}|\d+", english):
        assert fact in line, (fact, line)
    for name in (note.closest, note.family, note.via, *(p for p in note.playlists if len(p) <= 32)):
        assert not name or name in line, (name, line)
    if note.kind == "missing_artist":
        assert note.requested in line
    if note.kind != "missing_artist":
        assert CATALOG_WORD[lang] in line
    labels = ("classic rock", "progressive electro house", "indie poptimism", "dance pop", "hard rock", "neo soul",
              "latin hip hop", "deep house", "Jazz Vibes", "Bob Marley & The Wailers", "k-pop", "reggae", "jazz",
              "country", "disco", "punk", "tango", "latin", "BTS", "Luke Bryan")
    assert _english_free(line, labels), line


@pytest.mark.parametrize("lang", ["en", "it", ""])
def test_other_languages_keep_the_english_line(lang: str) -> None:
    note = NOTES[0].model_copy(update={"lang": lang or "en"})
    assert coverage_line(note).startswith("This catalog has no music tagged country")
    assert coverage_line_in(NOTES[0], lang) == ""


def test_a_missing_style_line_never_quotes_whole_playlist_titles() -> None:
    note = NOTES[1]
    for lang in ("en", *LOCAL):
        line = coverage_line(note.model_copy(update={"lang": lang}))
        assert "Techno House 2020" not in line and "Fresh EDM" not in line, line
        assert "2" in line and "deep house" in line and "progressive electro house" in line
        assert len(line) < 330, line


def test_playlist_mentions_quote_short_names_and_count_the_rest() -> None:
    assert playlist_mentions(["Jazz Vibes", "x" * 60]) == (["Jazz Vibes"], 1)
    assert playlist_mentions(["a" * 40, "b" * 50]) == ([], 2)
    assert playlist_mentions(["A", "B", "C"]) == (["A", "B"], 1)


@given(st.text(min_size=1, max_size=120))
def test_short_playlist_names_are_short(name: str) -> None:
    short = short_playlist_name(name)
    assert len(short) <= 32
    if len(" ".join(name.split())) <= 32:
        assert short == " ".join(name.split())


def test_short_playlist_name_cuts_at_a_separator() -> None:
    assert short_playlist_name("Pop Latino 2019 - Mix Canciones Reggaeton & Pop Latino - Pop En Español") == \
        "Pop Latino 2019"
    assert short_playlist_name("Fresh EDM | Progressive House | Electro House | Trap | Deep House") == "Fresh EDM"


@pytest.mark.parametrize("lang", LOCAL)
def test_alternatives_are_worded(lang: str) -> None:
    for alt in ("calm, dark, acoustic tracks, mostly hip hop", "tracks with the closest sound",
                "high-energy, rap-heavy, slow tracks", "these picks go by the audio features only",
                "I used the catalog's labels named after it"):
        worded = alternative_in(alt, lang)
        assert worded != alt and _english_free(worded, ("hip hop",)), worded
    assert alternative_in("something else entirely", lang) == "something else entirely"


def test_the_no_data_alternative_says_what_the_parse_did() -> None:
    from core.models import TextNote

    used = TextNote(kind="no_data", subject="lyrics_language", asked="portugues", used="labels", text="…")
    assert no_data_alternative([used], "the language of the lyrics") == "I used the catalog's labels named after it"
    ignored = used.model_copy(update={"used": "ignored"})
    assert no_data_alternative([ignored], "the language of the lyrics") == "these picks go by the audio features only"
    assert no_data_alternative([], "instruments") == "these picks go by the audio features only"


# ------------------------------------------------------------------------------------------------ cues
def _concept_meanings() -> set[str]:
    data = json.loads(CONCEPTS_PATH.read_text(encoding="utf-8"))["concepts"]
    out: set[str] = set()
    for c in data:
        cue = c.get("cue", "")
        if "→" in cue:
            out.add(cue.split("→", 1)[1].strip())
    return out


@pytest.mark.parametrize("lang", LOCAL)
def test_every_meaning_the_vocabulary_produces_has_a_wording(lang: str) -> None:
    missing = []
    for meaning in sorted(_concept_meanings()):
        worded = localize_cue(f"x → {meaning}", lang).split(" → ", 1)[1]
        pieces = [meaning] if meaning.lower() in GLOSSARY else meaning.split(", ")
        for piece, out in zip(pieces, [worded] if len(pieces) == 1 else worded.split(", ")):
            if out == piece and piece.lower() not in GLOSSARY and piece.lower() not in ("instrumental", "live", "ambient", "~172 bpm", "~136 bpm",
                                                      "~150 bpm", "~80 bpm", "groovy", "jazzy"):
                missing.append(piece)
    for low, high in _FEATURE_WORDS.values():
        for word in (low, high):
            if word.lower() not in GLOSSARY:
                missing.append(word)
    assert not missing, missing


@pytest.mark.parametrize(
    ("cue", "lang", "expected"),
    [
        ("tristes → low valence, softer", "es", "tristes → valencia baja, más suave"),
        ("not reggaeton", "es", "sin reggaeton"),
        ("not rap → few spoken words", "de", "ohne rap → wenig Sprechgesang"),
        ("no vocals → instrumental (instrumentalness > 0.5)", "fr",
         "sans voix → instrumental (instrumentalité > 0.5)"),
        ("1970s → 1970–1979", "es", "años 70 → 1970–1979"),
        ("1980s → 1980–1989", "de", "80er → 1980–1989"),
        ("2000s → 2000–2009", "fr", "années 2000 → 2000–2009"),
        ("early 1990s → 1990–1993", "pt", "início dos anos 90 → 1990–1993"),
        ("over 140 BPM → tempo ≥ 140", "es", "más de 140 BPM → tempo ≥ 140"),
        ("under 90 BPM → tempo ≤ 90", "fr", "moins de 90 BPM → tempo ≤ 90"),
        ("120 BPM → tempo 114–126", "de", "120 BPM → Tempo 114–126"),
        ("energia 40% → energy 0.35–0.45", "es", "energia 40% → energía 0.35–0.45"),
        ("not eminem → exclude Eminem", "pt", "sem eminem → excluir Eminem"),
        ("en espanol → genre:latin", "es", "en espanol → género latin"),
        ("musica para bailar → playlist:Pop Latino 2019 - Mix Canciones Reggaeton & Pop Latino", "es",
         "musica para bailar → lista «Pop Latino 2019»"),
        ("no rock → avoid genre:rock", "fr", "sans rock → éviter genre rock"),
        ("less upbeat → sad/dark", "es", "menos animado → triste/oscuro"),
        ("less energetic → lower energy", "fr", "moins energetic → moins d'énergie"),
        ("menos animada → sad/dark, minor", "es", "menos animada → triste/oscuro, menor"),
        ("house → ~124 BPM four-on-the-floor", "de", "house → ~124 BPM, Four-on-the-Floor"),
        ("like Drake → artist", "fr", "comme Drake → artiste"),
        ("long request: read the first 96 words", "de", "lange Anfrage: die ersten 96 Wörter gelesen"),
        ("El catálogo no tiene datos sobre el idioma de las letras.", "es",
         "El catálogo no tiene datos sobre el idioma de las letras."),
        ("tristes → low valence, softer", "en", "tristes → low valence, softer"),
    ],
)
def test_cues_are_worded_in_the_request_language(cue: str, lang: str, expected: str) -> None:
    assert localize_cue(cue, lang) == expected


@pytest.mark.parametrize("lang", LOCAL)
def test_anchored_summaries_are_worded(lang: str) -> None:
    out = localize_anchor_summary("Like Daft Punk (newer → 2018+ (anchor 2013); slower)", lang)
    assert "Daft Punk" in out and "2018+" in out and "2013" in out
    assert MOVES["slower"][lang] in out and MOVES["newer"][lang] in out and not out.startswith("Like")
    said = localize_anchor_summary("“slower” and “faster” pull opposite ways: “faster” wins — say “slower” if you "
                                   "meant that. Like Queen (faster)", lang)
    assert "pull opposite ways" not in said and "Queen" in said and MOVES["faster"][lang] in said


# ------------------------------------------------------------------------------------------------ parsing forms
def q(tu: TextUnderstanding, text: str) -> TextQuery:
    result = tu.parse(text)
    assert isinstance(result, TextQuery), f"{text!r} was not understood: {result}"
    return result


SAD_LANGUAGE = {
    "es": ["tristes", "canciones", "en", "español"],
    "pt": ["músicas", "tristes", "brasileiras"],
    "de": ["traurige", "deutsche", "Lieder"],
    "fr": ["chansons", "tristes", "françaises"],
}


@settings(max_examples=25, deadline=None)
@given(lang=st.sampled_from(sorted(SAD_LANGUAGE)), data=st.data())
def test_sad_survives_any_word_order_next_to_a_language(tu: TextUnderstanding, lang: str, data) -> None:
    words = data.draw(st.permutations(SAD_LANGUAGE[lang]))
    text = " ".join(words)
    query = q(tu, text)
    assert query.target.get("valence", 1.0) <= 0.3, (text, query.target)
    assert query.weights.get("valence", 0.0) >= 0.8, (text, query.weights)
    assert detect_language(text) == lang, text


@pytest.mark.parametrize(
    ("text", "lang"),
    [("música triste em português", "pt"), ("Jazz aus den 40ern", "de"), ("algo menos animada", "es"),
     ("música alegre brasileira", "pt"), ("música dos anos 70 alegre", "pt"), ("moins énergique", "fr"),
     ("canciones de los años 80", "es"), ("la la land", "en"), ("De La Soul", "en"), ("deep house", "en")],
)
def test_language_detection_of_short_mixed_requests(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "feature"),
    [("something less upbeat", "valence"), ("algo menos animada", "valence"), ("weniger fröhliche Lieder", "valence"),
     ("less energetic songs", "energy"), ("musique moins énergique", "energy"), ("menos enérgica", "energy")],
)
def test_less_x_lowers_x_but_less_than_not_x(tu: TextUnderstanding, text: str, feature: str) -> None:
    shipped_mean = {"valence": 0.51, "energy": 0.70}[feature]  # the shipped catalog's means (data/text_profiles.json)
    soft = q(tu, text)
    assert soft.target[feature] < shipped_mean, (text, soft.target)
    hard = q(tu, re.sub(r"\b(less|menos|moins|weniger)\b", {"valence": "not", "energy": "not"}[feature], text))
    if feature in hard.target:
        assert hard.target[feature] <= soft.target[feature], (text, hard.target, soft.target)
    assert not any("→ high" in c or "happy" in c for c in soft.cues), soft.cues


@pytest.mark.parametrize("text", ["more or less happy songs", "al menos 120 bpm", "au moins 120 BPM"])
def test_less_inside_an_idiom_is_not_a_comparative(tu: TextUnderstanding, text: str) -> None:
    query = q(tu, text)
    assert not any(c.startswith(("less ", "menos ", "moins ")) for c in query.cues), query.cues


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("música para bailar sin reguetón", lambda t: any(k.endswith("reggaeton") and w < 0 for k, w in t.labels.items())
         or any("regueton" in c for c in t.cues)),
        ("Musik zum Lernen ohne Gesang", lambda t: t.target.get("instrumentalness", 0) >= 0.8),
        ("musique pour travailler sans paroles", lambda t: t.target.get("instrumentalness", 0) >= 0.8),
        ("canciones con energía 40%", lambda t: abs(t.target.get("energy", 0) - 0.4) < 0.05),
        ("musique à 120 BPM", lambda t: t.filters.tempo_min is not None and t.filters.tempo_min <= 120
         <= (t.filters.tempo_max or 0)),
        ("Lieder mit 90 BPM zum Entspannen", lambda t: abs(t.target.get("tempo", 0) - 90) < 1),
        ("música dos anos 70", lambda t: (t.filters.year_min, t.filters.year_max) == (1970, 1979)),
    ],
)
def test_negations_and_numbers_in_other_languages(tu: TextUnderstanding, text: str, check) -> None:
    assert check(q(tu, text)), q(tu, text)


def test_shipped_means_used_above_are_the_profiles(tu: TextUnderstanding) -> None:
    from core.table import FEATURE_INDEX

    mean = tu.shipped.global_mean
    assert abs(float(mean[FEATURE_INDEX["valence"]]) - 0.51) < 0.03
    assert abs(float(mean[FEATURE_INDEX["energy"]]) - 0.70) < 0.03
    assert isinstance(mean, np.ndarray)


@pytest.mark.parametrize(
    ("text", "cue"),
    [("menos tristes", "happier"), ("moins tristes", "happier"), ("weniger traurig", "happier"),
     ("less sad", "happier"), ("algo menos animada", "less upbeat"), ("moins joyeux", "sadder"),
     ("weniger fröhlich", "sadder"), ("moins entraînant", "less upbeat"), ("weniger beschwingt", "less upbeat"), ("moins énergique", "calmer"), ("menos enérgica", "calmer"),
     ("weniger laut", "calmer"), ("mais energia", "more energetic"), ("plus d'énergie", "more energetic")],
)
def test_follow_up_moves_in_four_languages(text: str, cue: str) -> None:
    from core.moves import read_moves

    assert read_moves(text, alone=True).cues == [cue]


@pytest.mark.parametrize("lang", LOCAL)
def test_follow_up_summaries_put_sentences_first_and_word_changes(lang: str) -> None:
    from core.text.language import NOTE_TEMPLATES
    from core.text.wording import localize_cues

    lead = NOTE_TEMPLATES["language"][lang]
    out = localize_cues(["higher mood", "lower energy", lead, "tristes → low valence, softer"], lang)
    assert out[0] == lead
    assert out[1] == GLOSSARY["higher mood"][lang] and out[2] == GLOSSARY["lower energy"][lang]
    assert localize_cues(["higher mood", lead], "en") == ["higher mood", lead]


@pytest.mark.parametrize(
    ("text", "start"),
    [("hola", "¡Hola!"), ("hola, ¿qué tal?", "¡Hola!"), ("oi, tudo bem?", "Oi!"), ("Hallo, spiel was", "Hallo!"),
     ("bonjour, tu peux m'aider ?", "Je n'ai pas compris"), ("hello", "Hi!"), ("asdfgh", "I couldn't tell")],
)
def test_a_clarifying_question_is_asked_in_the_request_language(tu: TextUnderstanding, text: str, start: str) -> None:
    from core.models import NeedsClarification

    result = tu.parse(text)
    assert isinstance(result, NeedsClarification), result
    assert result.question.startswith(start), result.question


@pytest.mark.parametrize("text", ["música para bailar sin reguetón", "musique pour danser sans reggaeton",
                                  "Musik zum Tanzen ohne Reggaeton", "dance music but no reggaeton"])
def test_a_refused_style_is_not_let_back_in_by_a_playlist_naming_it(tu: TextUnderstanding, text: str) -> None:
    query = q(tu, text)
    assert any(k.endswith(":reggaeton") and w < 0 for k, w in query.labels.items()), query.labels
    assert not any("reggaeton" in k.lower() and w > 0 for k, w in query.labels.items()), query.labels


def test_a_side_hint_of_a_refused_style_does_not_drop_the_style_asked_for(tu: TextUnderstanding) -> None:
    query = q(tu, "latin pop sin reggaeton")
    assert query.labels.get("subgenre:latin pop", 0) > 0.9


@pytest.mark.parametrize(("text", "n"), [("dame 20 canciones tristes", 20), ("3 Lieder zum Tanzen", 3),
                                         ("15 chansons calmes", 15), ("me indica 12 músicas animadas", 12)])
def test_a_count_in_other_languages_sets_the_limit(tu: TextUnderstanding, text: str, n: int) -> None:
    assert q(tu, text).filters.limit == n


@pytest.mark.parametrize(("text", "word"), [("canciones con valencia 1.5", "valencia va de 0 a 1"),
                                            ("Musik mit Energie 150%", "Energie reicht von 0 bis 1")])
def test_a_clamped_number_is_said_with_the_feature_named_in_the_language(tu: TextUnderstanding, text: str,
                                                                        word: str) -> None:
    query = q(tu, text)
    assert any(n.kind == "clamped" and n.text.startswith(word) for n in query.notes), query.notes


@pytest.mark.parametrize("lang", ["es", "pt", "fr", "de"])
def test_alternative_mostly_from_one_playlist_is_worded_in_the_language(lang: str) -> None:
    from core.text.wording import alternative_in

    for alt in ("tracks, mostly from the playlist “K-Party Dance Mix”",
                "calm, acoustic tracks, mostly from the playlist “K-Party Dance Mix”"):
        said = alternative_in(alt, lang)
        assert "K-Party Dance Mix" in said and "from the playlist" not in said and "mostly" not in said, said


@pytest.mark.parametrize(("lang", "key_word", "name"), [("en", "key", "D minor"), ("es", "tonalidad", "Re menor"),
                                                        ("pt", "tom", "Ré menor"), ("fr", "tonalité", "ré mineur"),
                                                        ("de", "Tonart", "d-Moll")])
def test_a_key_cue_names_the_key_as_musicians_do(lang: str, key_word: str, name: str) -> None:
    # the parser writes Spotify's numbers ("key 2, mode 0"); a listener reads the key's name, in every language
    key_cue, mode_cue = localize_cues(["D minor → key 2, mode 0", "minor key → mode 0 (minor)"], lang)
    assert key_cue.endswith(f"{key_word}: {name}"), key_cue
    assert "mode 0" not in mode_cue and "modo 0" not in mode_cue and "0" not in key_cue.split("→")[1], (key_cue,
                                                                                                       mode_cue)
