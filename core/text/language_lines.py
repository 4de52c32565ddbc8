"""How a reply says how many of its tracks are in the language a request named (issue 10: "música brasileira para
relaxar" padded with English soft rock and said nothing).

:meth:`core.app.discovery.Discovery._language_share` counts the tracks titled in the language
(:mod:`core.text.title_language`) or carrying the catalog labels that answered it ("Trapperz Brasil"); when fewer
than all are, the first line says how many, in the reply language, and that the rest are the nearest alternative.
"""

from __future__ import annotations

from core.text.title_language import LANGUAGE_NAMES

#: A language the catalog's labels answered ("Trapperz Brasil" for "música brasileira") when fewer of the tracks
#: shown carry those labels or are titled in it than shown ({n}: how many do; :func:`some_in_language`).
_SOME_IN_LANGUAGE: dict[str, str] = {
    "en": "only {n} of these are in {language} (by the catalog's labels or song titles); the rest are the nearest "
          "alternative",
    "es": "solo {n} están en {language} (por las etiquetas del catálogo o los títulos); el resto es la alternativa "
          "más cercana",
    "pt": "só {n} estão em {language} (pelos rótulos do catálogo ou pelos títulos); o resto é a alternativa mais "
          "próxima",
    "fr": "seuls {n} sont en {language} (d'après les étiquettes du catalogue ou les titres) ; le reste est "
          "l'alternative la plus proche",
    "de": "nur {n} davon sind auf {language} (nach den Labels des Katalogs oder den Songtiteln); der Rest ist die "
          "nächste Alternative",
}
#: ... when only one is (the verb agrees: "only 1 of these is …").
_ONE_IN_LANGUAGE: dict[str, str] = {
    "en": "only 1 of these is in {language} (by the catalog's labels or song titles); the rest are the nearest "
          "alternative",
    "es": "solo 1 está en {language} (por las etiquetas del catálogo o los títulos); el resto es la alternativa más "
          "cercana",
    "pt": "só 1 está em {language} (pelos rótulos do catálogo ou pelos títulos); o resto é a alternativa mais próxima",
    "fr": "un seul est en {language} (d'après les étiquettes du catalogue ou les titres) ; le reste est l'alternative "
          "la plus proche",
    "de": "nur einer davon ist auf {language} (nach den Labels des Katalogs oder den Songtiteln); der Rest ist die "
          "nächste Alternative",
}
_NONE_IN_LANGUAGE: dict[str, str] = {
    "en": "none of these is in {language} by the catalog's labels or song titles; they are the nearest alternative",
    "es": "ninguna está en {language} según las etiquetas del catálogo o los títulos; son la alternativa más cercana",
    "pt": "nenhuma está em {language} pelos rótulos do catálogo ou pelos títulos; são a alternativa mais próxima",
    "fr": "aucun n'est en {language} d'après les étiquettes du catalogue ou les titres ; c'est l'alternative la plus "
          "proche",
    "de": "keiner davon ist nach den Labels des Katalogs oder den Songtiteln auf {language}; das ist die nächste "
          "Alternative",
}


def some_in_language(code: str, lang: str, n: int) -> str:
    """How many of a list are in the language ``code`` a request named, in the reply language ``lang``: "only 2
    of these are in Portuguese (by the catalog's labels or song titles); the rest are the nearest alternative"
    (``n`` = 0: "none of these is …")."""
    lang = lang if lang in _SOME_IN_LANGUAGE else "en"
    name = LANGUAGE_NAMES.get(code, {}).get(lang, code)
    return (_SOME_IN_LANGUAGE if n > 1 else _ONE_IN_LANGUAGE if n else _NONE_IN_LANGUAGE)[lang].format(
        language=name, n=n)
