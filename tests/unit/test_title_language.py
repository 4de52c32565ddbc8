"""The language of song titles (core.text.title_language), German music compounds (core.text.language) and the
user's own spelling in parse explanations (core.text.tokens.spelled_as, core.text.wording English cues)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text.language import split_compounds
from core.text.title_language import (
    MIN_ARTIST_EVIDENCE,
    TITLE_LANGS,
    TITLE_WORDS,
    by_titles,
    decide,
    infer,
    text_evidence,
)
from core.text.tokens import spelled_as
from core.text.wording import localize_cues

#: Words only one language's list holds (so a title made of them names that language and no other).
ONLY = {lang: sorted(w for w in words if len(w) > 1 and not any(w in TITLE_WORDS[o] for o in TITLE_LANGS if o != lang))
        for lang, words in TITLE_WORDS.items()}
SUFFIXES = [" - Remix", " (feat. Somebody Else)", " - 2011 Remaster", " [Radio Edit]", " - Live"]


def _lead(title: str) -> str:
    ev = text_evidence(title)
    return TITLE_LANGS[int(np.argmax(ev))] if ev.max() > 0 else ""


def test_titles_in_each_language_read_as_that_language() -> None:
    assert _lead("Te Para Tres") == "es"
    assert _lead("Você Não Sabe de Nada") == "pt"
    assert _lead("Je t'aime encore") == "fr"
    assert _lead("Doch in der Nacht") == "de"
    assert _lead("Hips Don't Lie") == "en"
    assert _lead("Sei la vita mia") == "it"


def test_apostrophes_belong_to_their_language() -> None:
    # "don't" is no French "t'", "l'amour" is French
    assert text_evidence("Don't Stop")[TITLE_LANGS.index("fr")] == 0
    assert text_evidence("L'amour")[TITLE_LANGS.index("fr")] > 0


def test_credits_and_versions_are_ignored_and_empty_is_nothing() -> None:
    assert np.array_equal(text_evidence("Tu Amor - Remix"), text_evidence("Tu Amor"))
    assert np.array_equal(text_evidence("Tu Amor (feat. The Weeknd)"), text_evidence("Tu Amor"))
    assert not text_evidence("").any() and not text_evidence("   ").any()


@settings(max_examples=60, deadline=None)
@given(lang=st.sampled_from(TITLE_LANGS), data=st.data())
def test_a_title_of_one_language_words_decides_it(lang: str, data: st.DataObject) -> None:
    words = data.draw(st.lists(st.sampled_from(ONLY[lang]), min_size=3, max_size=6, unique=True))
    title = " ".join(words)
    upper = data.draw(st.booleans())
    suffix = data.draw(st.sampled_from(SUFFIXES))
    shown = (title.upper() if upper else title.title()) + suffix
    ev = text_evidence(shown)
    assert TITLE_LANGS[decide(ev, 2.5)] == lang, (shown, ev)
    assert np.allclose(ev, text_evidence(title))  # case and credits change nothing
    assert (ev >= 0).all()


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_gives_bounded_evidence(text: str) -> None:
    ev = text_evidence(text)
    assert ev.shape == (len(TITLE_LANGS),) and (ev >= 0).all() and np.isfinite(ev).all()
    assert decide(ev, MIN_ARTIST_EVIDENCE) in range(-1, len(TITLE_LANGS))


def test_artists_and_tracks() -> None:
    titles = ["Te Quiero Más", "La Noche de Mi Vida", "Hips Don't Lie and I Know It",  # artist 0: Spanish titles
              "cirque du soleil", "bigos", "pager", "hot coffee", "audiotele", "candy doll", "hors d'oeuvre",  # 1
              "Love Me Tonight", "Baila Conmigo",  # artist 2: one of each
              "Baila Conmigo Esta Noche", "Dime Cuando Vuelves", "Sin Ti No Soy Nada"]  # artist 0 again
    artists = [(0,), (0,), (0,), (1,), (1,), (1,), (1,), (1,), (1,), (1,), (2,), (2,), (0,), (0,), (0,)]
    got = infer(titles, [""] * len(titles), artists, 3)
    assert TITLE_LANGS[got.artist[0]] == "es"
    assert got.artist[1] == -1  # two French-looking names among seven titles are not the artist's language
    assert got.artist[2] == -1  # English and Spanish alike: no language
    assert TITLE_LANGS[got.track[2]] == "en"  # a strong English title by an artist of Spanish titles is English
    assert TITLE_LANGS[got.track[0]] == "es"  # a short title takes its artist's language
    assert got.artists("es") == 1 and list(got.positions("es")) == [0, 1, 12, 13, 14]
    assert got.positions("xx").size == 0


def test_dead_positions_are_skipped() -> None:
    got = infer(["La Vida Es Una Fiesta", "Te Quiero"], ["", ""], [(0,), (0,)], 1, alive=np.array([False, True]))
    assert got.track[0] == -1


def test_the_reply_names_the_language_in_the_reply_language() -> None:
    assert by_titles("fr", "en") == "these are by artists whose song titles are in French"
    assert "français" in by_titles("fr", "fr") and "portugués" in by_titles("pt", "es")
    assert by_titles("de", "xx").endswith("German")
    assert by_titles("fr", "en", some=3).startswith("only 3 of these")


def test_german_music_compounds_split_when_the_first_part_is_known() -> None:
    known = {"jazz", "rock", "party", "entspannung", "tanzen"}.__contains__
    assert split_compounds("entspannte jazzmusik zum lesen", known) == "entspannte jazz musik zum lesen"
    assert split_compounds("rockmusik", known) == "rock musik"
    assert split_compounds("entspannungsmusik", known) == "entspannung musik"  # linking s
    assert split_compounds("tanzmusik", known) == "tanzen musik"
    assert split_compounds("partylieder", known) == "party lieder"
    assert split_compounds("hausmusik", known) == "hausmusik"  # unknown first part: as written
    assert split_compounds("musik", known) == "musik"


def test_cues_keep_the_user_spelling_and_show_no_label_keys() -> None:
    assert spelled_as("rock en español de los 80", "en espanol") == "en español"
    assert spelled_as("música francesa", "musica francesa") == "música francesa"
    assert spelled_as("something else", "en espanol") == "en espanol"
    worded = localize_cues(["soul → playlist:Southern soul & hip hop", "rock → genre:rock, high energy"], "en")
    assert worded == ["soul → playlist \u201cSouthern soul & hip hop\u201d", "rock → genre rock, high energy"]


def test_competitor_languages_keep_a_title_from_being_claimed() -> None:
    # "je" is French and Dutch: with Dutch words in the running, a Dutch title is no French one
    assert decide(text_evidence("Je Weet Et"), MIN_ARTIST_EVIDENCE) != TITLE_LANGS.index("fr")
    assert TITLE_LANGS[decide(text_evidence("Alles Wat Ik Wil"), 2.5)] == "nl"
    # ... while the claimed languages' own titles still read as theirs
    assert TITLE_LANGS[decide(text_evidence("Je t'aime encore toujours"), 2.5)] == "fr"
    assert TITLE_LANGS[decide(text_evidence("Doch in der Nacht ohne dich"), 2.5)] == "de"
    assert TITLE_LANGS[decide(text_evidence("Te Quiero Para Mi Vida"), 2.5)] == "es"
