"""The fixed lines of a chat reply, one table per language (English, Spanish, Portuguese, French, German).

What a conversation shows besides a list's first line (:mod:`core.text.wording`), its reasons
(:mod:`core.reason_words`) and a follow-up's lead (:mod:`core.agent.followup_replies`): the count-cap note, the
count of a search's results, "nothing matched", the errors a user can cause (empty or too long message, unknown
song, no ``#N`` on the list, unknown command), the flood notice, the generic apology, and the labels every adapter
puts around a list ("Next page", "More like #3", "Page 2", column names). The English table is the wording every
surface has always shown, byte for byte; the others say the same facts with the same numbers, names and commands
(``/more``, ``/similar`` stay as typed: platform command names are English everywhere).

:func:`say` is the one formatter (``str.format`` fields; a key missing from a language falls back to English);
:func:`error_text` words a :class:`~core.errors.MusicBotError` that carries a :attr:`key` (raised through
:func:`invalid`), :func:`count` writes a number with the language's thousands separator.
"""

from __future__ import annotations

from typing import Any

from core.errors import InvalidInput, MusicBotError, SongNotFound

#: Languages with a wording (``en`` first); any other language is worded in English.
LANGS = ("en", "es", "pt", "fr", "de")

REPLY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "count cap": "You asked for {requested}; I send at most {limit} at a time — {more} for the next page.",
        "say more": "say “more”",
        "type more": "type /more",
        "press next": "press “Next page”",
        "send or press": "send /more or press “Next page”",
        "n tracks": "{n} tracks",
        "no search match": 'No tracks match "{q}".',
        "no match": "No tracks match that — try loosening the filters.",
        "no match short": "No tracks match — try loosening the request.",
        "empty": "Your {what} is empty — tell me what you'd like to hear, e.g. “chill study music”.",
        "too long": "Your {what} is {n} characters long; please keep it under {limit}.",
        "what message": "message", "what request": "request", "what search": "search",
        "what song reference": "song reference",
        "not found": 'No track found for "{ref}".',
        "not in catalog": "That Spotify track is not in this catalog; try its title instead.",
        "did you mean": " Did you mean: {s}?",
        "no item": "There is no #{n} in the last list shown.",
        "unknown command": "Unknown command /{name}.",
        "give a song": "Give at least one song, e.g. /similar Blinding Lights - The Weeknd",
        "slow down": "Slow down — try again in {s} s.",
        "sorry": "Sorry, something went wrong handling that. Please try again.",
        "cleared": "Conversation cleared.",
        "commands": "Commands:",
        "help tail": "#N means item N of the last list shown. Or just tell me what you want to hear.",
        # labels around a list (adapters)
        "next page": "Next page",
        "more like n": "More like #{n}",
        "more like this": "More like this",
        "page": "Page {n}",
        "showing": "showing {n} of {total}",
        "below": "Below: more like a track · next page · ➕ add to a playlist · 👍/👎",
        "results for": "Results for “{q}”",
        "recommendations": "Recommendations",
        "col title": "Title", "col artist": "Artist", "col year": "Year", "col genre": "Genre", "col why": "Why",
    },
    "es": {
        "count cap": "Pediste {requested}; envío como mucho {limit} a la vez — {more} para la página siguiente.",
        "say more": "di «más»",
        "type more": "escribe /more",
        "press next": "pulsa «Página siguiente»",
        "send or press": "envía /more o pulsa «Página siguiente»",
        "n tracks": "{n} canciones",
        "no search match": "Ninguna canción coincide con «{q}».",
        "no match": "Ninguna canción encaja — prueba a relajar los filtros.",
        "no match short": "Ninguna canción encaja — prueba a pedir algo menos estricto.",
        "empty": "No hay nada en {what} — dime qué te gustaría escuchar, por ejemplo «música tranquila para estudiar».",
        "too long": "{what} tiene {n} caracteres; por favor, no pases de {limit}.",
        "what message": "tu mensaje", "what request": "tu petición", "what search": "tu búsqueda",
        "what song reference": "la referencia de la canción",
        "not found": "No encontré ninguna canción para «{ref}».",
        "not in catalog": "Esa canción de Spotify no está en este catálogo; prueba con su título.",
        "did you mean": " ¿Quizás quisiste decir: {s}?",
        "no item": "No hay #{n} en la última lista.",
        "unknown command": "No conozco el comando /{name}.",
        "give a song": "Dime al menos una canción, por ejemplo /similar Blinding Lights - The Weeknd",
        "slow down": "Más despacio — vuelve a intentarlo en {s} s.",
        "sorry": "Perdona, algo salió mal con eso. Inténtalo de nuevo.",
        "cleared": "Conversación borrada.",
        "commands": "Comandos:",
        "help tail": "#N es el elemento N de la última lista. O simplemente dime qué quieres escuchar.",
        "next page": "Página siguiente",
        "more like n": "Más como #{n}",
        "more like this": "Más como esta",
        "page": "Página {n}",
        "showing": "se muestran {n} de {total}",
        "below": "Abajo: más como una canción · página siguiente · ➕ añadir a una lista · 👍/👎",
        "results for": "Resultados para «{q}»",
        "recommendations": "Recomendaciones",
        "col title": "Título", "col artist": "Artista", "col year": "Año", "col genre": "Género", "col why": "Por qué",
    },
    "pt": {
        "count cap": "Você pediu {requested}; envio no máximo {limit} de cada vez — {more} para a próxima página.",
        "say more": "diga “mais”",
        "type more": "digite /more",
        "press next": "toque em “Próxima página”",
        "send or press": "envie /more ou toque em “Próxima página”",
        "n tracks": "{n} músicas",
        "no search match": "Nenhuma música corresponde a “{q}”.",
        "no match": "Nenhuma música combina — tente afrouxar os filtros.",
        "no match short": "Nenhuma música combina — tente um pedido menos restrito.",
        "empty": "Não há nada em {what} — diga o que você gostaria de ouvir, por exemplo “música calma para estudar”.",
        "too long": "{what} tem {n} caracteres; por favor, fique abaixo de {limit}.",
        "what message": "sua mensagem", "what request": "seu pedido", "what search": "sua busca",
        "what song reference": "a referência da música",
        "not found": "Não encontrei nenhuma música para “{ref}”.",
        "not in catalog": "Essa música do Spotify não está neste catálogo; tente pelo título.",
        "did you mean": " Você quis dizer: {s}?",
        "no item": "Não há #{n} na última lista.",
        "unknown command": "Não conheço o comando /{name}.",
        "give a song": "Diga pelo menos uma música, por exemplo /similar Blinding Lights - The Weeknd",
        "slow down": "Mais devagar — tente de novo em {s} s.",
        "sorry": "Desculpe, algo deu errado com isso. Tente de novo.",
        "cleared": "Conversa apagada.",
        "commands": "Comandos:",
        "help tail": "#N é o item N da última lista. Ou simplesmente diga o que você quer ouvir.",
        "next page": "Próxima página",
        "more like n": "Mais como #{n}",
        "more like this": "Mais como esta",
        "page": "Página {n}",
        "showing": "mostrando {n} de {total}",
        "below": "Abaixo: mais como uma música · próxima página · ➕ adicionar a uma playlist · 👍/👎",
        "results for": "Resultados para “{q}”",
        "recommendations": "Recomendações",
        "col title": "Título", "col artist": "Artista", "col year": "Ano", "col genre": "Gênero", "col why": "Por quê",
    },
    "fr": {
        "count cap": "Tu as demandé {requested} ; j'en envoie au plus {limit} à la fois — {more} pour la page suivante.",
        "say more": "dis « encore »",
        "type more": "tape /more",
        "press next": "appuie sur « Page suivante »",
        "send or press": "envoie /more ou appuie sur « Page suivante »",
        "n tracks": "{n} morceaux",
        "no search match": "Aucun morceau ne correspond à « {q} ».",
        "no match": "Aucun morceau ne convient — essaie d'assouplir les filtres.",
        "no match short": "Aucun morceau ne convient — essaie une demande moins stricte.",
        "empty": "Il n'y a rien dans {what} — dis-moi ce que tu aimerais écouter, par exemple « musique calme pour "
                 "étudier ».",
        "too long": "{what} fait {n} caractères ; merci de rester sous {limit}.",
        "what message": "ton message", "what request": "ta demande", "what search": "ta recherche",
        "what song reference": "la référence du morceau",
        "not found": "Aucun morceau trouvé pour « {ref} ».",
        "not in catalog": "Ce morceau Spotify n'est pas dans ce catalogue ; essaie plutôt son titre.",
        "did you mean": " Tu voulais dire : {s} ?",
        "no item": "Il n'y a pas de #{n} dans la dernière liste.",
        "unknown command": "Commande inconnue : /{name}.",
        "give a song": "Donne au moins un morceau, par exemple /similar Blinding Lights - The Weeknd",
        "slow down": "Doucement — réessaie dans {s} s.",
        "sorry": "Désolé, quelque chose s'est mal passé. Réessaie.",
        "cleared": "Conversation effacée.",
        "commands": "Commandes :",
        "help tail": "#N désigne l'élément N de la dernière liste. Ou dis-moi simplement ce que tu veux écouter.",
        "next page": "Page suivante",
        "more like n": "Plus comme #{n}",
        "more like this": "Plus comme celui-ci",
        "page": "Page {n}",
        "showing": "{n} sur {total} affichés",
        "below": "Dessous : plus comme un morceau · page suivante · ➕ ajouter à une playlist · 👍/👎",
        "results for": "Résultats pour « {q} »",
        "recommendations": "Recommandations",
        "col title": "Titre", "col artist": "Artiste", "col year": "Année", "col genre": "Genre", "col why": "Pourquoi",
    },
    "de": {
        "count cap": "Du wolltest {requested}; ich schicke höchstens {limit} auf einmal — {more} für die nächste Seite.",
        "say more": "sag „mehr“",
        "type more": "tippe /more",
        "press next": "drück „Nächste Seite“",
        "send or press": "schick /more oder drück „Nächste Seite“",
        "n tracks": "{n} Titel",
        "no search match": "Kein Titel passt zu „{q}“.",
        "no match": "Kein Titel passt — lockere die Filter ein wenig.",
        "no match short": "Kein Titel passt — versuch eine weniger strenge Anfrage.",
        "empty": "{what} ist leer — sag mir, was du hören möchtest, z. B. „ruhige Musik zum Lernen“.",
        "too long": "{what} hat {n} Zeichen; bitte bleib unter {limit}.",
        "what message": "deine Nachricht", "what request": "deine Anfrage", "what search": "deine Suche",
        "what song reference": "die Songangabe",
        "not found": "Kein Titel gefunden für „{ref}“.",
        "not in catalog": "Dieser Spotify-Titel ist nicht in diesem Katalog; versuch es mit seinem Titel.",
        "did you mean": " Meintest du: {s}?",
        "no item": "In der letzten Liste gibt es kein #{n}.",
        "unknown command": "Unbekannter Befehl /{name}.",
        "give a song": "Nenn mindestens einen Song, z. B. /similar Blinding Lights - The Weeknd",
        "slow down": "Langsamer — versuch es in {s} s noch einmal.",
        "sorry": "Entschuldige, da ist etwas schiefgelaufen. Bitte versuch es noch einmal.",
        "cleared": "Unterhaltung gelöscht.",
        "commands": "Befehle:",
        "help tail": "#N ist Eintrag N der letzten Liste. Oder sag mir einfach, was du hören willst.",
        "next page": "Nächste Seite",
        "more like n": "Mehr wie #{n}",
        "more like this": "Mehr wie dieser",
        "page": "Seite {n}",
        "showing": "{n} von {total} angezeigt",
        "below": "Darunter: mehr wie ein Titel · nächste Seite · ➕ zu einer Playlist · 👍/👎",
        "results for": "Ergebnisse für „{q}“",
        "recommendations": "Empfehlungen",
        "col title": "Titel", "col artist": "Künstler", "col year": "Jahr", "col genre": "Genre", "col why": "Warum",
    },
}

#: Thousands separator per language ("5,000" / "5.000" / "5 000").
_THOUSANDS = {"en": ",", "es": ".", "pt": ".", "fr": "\u202f", "de": "."}


def say(key: str, lang: str = "en", **fields: Any) -> str:
    """The line ``key`` of :data:`REPLY_WORDS` in ``lang`` with ``fields`` filled in (``str.format``); English for a
    language without a table or a key the language lacks.

    Raises:
        KeyError: ``key`` is not in the English table, or a field the template names is missing.
    """
    table = REPLY_WORDS.get(lang, REPLY_WORDS["en"])
    return table.get(key, REPLY_WORDS["en"][key]).format(**fields)


def count(n: int, lang: str = "en") -> str:
    """``n`` with the language's thousands separator: ``5,000`` (en), ``5.000`` (es, pt, de), ``5 000`` (fr)."""
    return f"{n:,}".replace(",", _THOUSANDS.get(lang, ","))


def invalid(key: str, field: str | None = None, **fields: Any) -> InvalidInput:
    """An :class:`~core.errors.InvalidInput` whose message is :func:`say` of ``key`` in English and which carries
    ``key`` and ``fields`` so :func:`error_text` can word it in the conversation's language. A ``what`` field names
    a ``"what …"`` key ("message", "request", "search", "song reference"); ``n`` / ``limit`` are ints."""
    exc = InvalidInput(_worded(key, "en", fields), field)
    exc.key, exc.fields = key, fields  # type: ignore[attr-defined]
    return exc


def _worded(key: str, lang: str, fields: dict[str, Any]) -> str:
    shown = dict(fields)
    if "what" in shown:
        what = f"what {shown['what']}"
        shown["what"] = REPLY_WORDS.get(lang, {}).get(what) or REPLY_WORDS["en"].get(what, str(shown["what"]))
    for name in ("n", "limit"):
        if isinstance(shown.get(name), int):
            shown[name] = count(shown[name], lang)
    text = say(key, lang, **shown)
    return text[:1].upper() + text[1:]


def error_text(exc: MusicBotError, lang: str = "en") -> str:
    """The user-facing message of ``exc`` in ``lang``: ``str(exc)`` in English (and for errors this table has no
    wording for); :class:`~core.errors.SongNotFound` from its ``ref`` / ``suggestions`` / ``reason``, an error
    raised through :func:`invalid` from its key and fields, "There is no #N in the last list" from the number."""
    if lang == "en" or lang not in REPLY_WORDS:
        return str(exc)
    if isinstance(exc, SongNotFound):
        return _not_found(exc, lang)
    key = getattr(exc, "key", "")
    if key:
        return _worded(key, lang, getattr(exc, "fields", {}))
    return str(exc)


def _not_found(exc: SongNotFound, lang: str) -> str:
    shown = " ".join(str(exc.ref).split())
    shown = shown if len(shown) <= 120 else shown[:119] + "…"
    english = str(exc)
    text = say("not found", lang, ref=shown)
    if say("not in catalog", "en") in english:
        text += " " + say("not in catalog", lang)
    if exc.suggestions:
        text += say("did you mean", lang, s="; ".join(exc.suggestions))
    return text


__all__ = ["LANGS", "REPLY_WORDS", "count", "error_text", "invalid", "say"]
