"""Song-version suffixes in other languages and holiday words in five languages: pure functions, no catalog."""

from __future__ import annotations

import pytest

from core.anchors import asks_seasonal
from core.catalog import dedupe_key


@pytest.mark.parametrize(("title", "base"), [
    ("Canción Animal - Remasterizado 2007", "cancion animal"),  # `similar "Canción Animal"` found nothing
    ("Persiana Americana - En Vivo", "persiana americana"),
    ("Garota de Ipanema - Ao Vivo", "garota de ipanema"),
    ("Je te promets - Remasterisé", "je te promets"),
    ("Bésame Mucho - Versión Acústica", "besame mucho"),
    ("Dancing Queen - Remastered 2014", "dancing queen"),
])
def test_version_suffixes_in_other_languages_are_versions(title: str, base: str) -> None:
    assert dedupe_key(title, ["X"]) == f"{base}|x"


@pytest.mark.parametrize("title", ["Version of Me", "Livin' on a Prayer", "En Vivo Tonight", "Vivo Per Lei"])
def test_titles_that_only_contain_such_words_stay_whole(title: str) -> None:
    assert dedupe_key(title, ["X"]).split("|")[0] == dedupe_key(title, ["X"]).split("|")[0].strip()
    assert len(dedupe_key(title, ["X"]).split("|")[0].split()) == len(title.replace("'", "").split())


@pytest.mark.parametrize("text", ["Weihnachtsmusik", "canciones de navidad", "villancicos", "músicas de natal",
                                  "musica natalizia", "chansons de Noël", "christmas soul"])
def test_holiday_requests_in_five_languages_ask_for_holiday_songs(text: str) -> None:
    assert asks_seasonal(text)


@pytest.mark.parametrize("text", ["60s soul", "natalie's favourite songs", "winter vibes", "summer holidayz"])
def test_other_requests_do_not(text: str) -> None:
    assert not asks_seasonal(text)
