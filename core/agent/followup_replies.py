"""The first line of a follow-up's reply in the user's language (Spanish, Portuguese, French, German).

A follow-up ("moins rapide", "más como el #2", "pas cet artiste", "weiter") is answered with the same facts as in
English — what changed (slower, calmer, without <artist>, only <genre>, years), whose tracks the list is like, that
it is the next page — worded in the turn's reply language (:mod:`core.reply_language`: the follow-up's own words
when it is clearly one language, else the conversation's). The English summary's own cue phrases that the line restates are
replaced, the rest (the original request's "phrase → meaning" cues) is kept after a dash.

No LLM, no Pydantic AI import; used by the catalog tools (:mod:`core.agent.tools_catalog`) and the local intents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


#: Feature -> direction -> language -> words (what a refinement changed).
CHANGE: dict[str, dict[int, dict[str, str]]] = {
    "tempo": {1: {"es": "más rápido", "pt": "mais rápido", "fr": "plus rapide", "de": "schneller"},
              -1: {"es": "más lento", "pt": "mais lento", "fr": "plus lent", "de": "langsamer"}},
    "energy": {1: {"es": "más energía", "pt": "mais energia", "fr": "plus d'énergie", "de": "mehr Energie"},
               -1: {"es": "más tranquilo", "pt": "mais calmo", "fr": "plus calme", "de": "ruhiger"}},
    "valence": {1: {"es": "más alegre", "pt": "mais alegre", "fr": "plus joyeux", "de": "fröhlicher"},
                -1: {"es": "menos alegre", "pt": "menos alegre", "fr": "moins joyeux", "de": "weniger fröhlich"}},
    "danceability": {1: {"es": "más bailable", "pt": "mais dançante", "fr": "plus dansant", "de": "tanzbarer"},
                     -1: {"es": "menos bailable", "pt": "menos dançante", "fr": "moins dansant", "de": "weniger tanzbar"}},
    "acousticness": {1: {"es": "más acústico", "pt": "mais acústico", "fr": "plus acoustique", "de": "akustischer"},
                     -1: {"es": "más electrónico", "pt": "mais eletrônico", "fr": "plus électronique",
                          "de": "elektronischer"}},
    "instrumentalness": {1: {"es": "más instrumental", "pt": "mais instrumental", "fr": "plus instrumental",
                             "de": "instrumentaler"},
                         -1: {"es": "con más voz", "pt": "com mais voz", "fr": "plus de voix", "de": "mit mehr Gesang"}},
    "speechiness": {1: {"es": "más hablado", "pt": "mais falado", "fr": "plus parlé", "de": "mehr Sprechgesang"},
                    -1: {"es": "menos hablado", "pt": "menos falado", "fr": "moins parlé", "de": "weniger Sprechgesang"}},
}
#: The move cues of :mod:`core.moves` (anchored summaries, "Like X (slower; calmer)") per language.
MOVE_CUES: dict[str, dict[str, str]] = {
    "less upbeat": {"es": "menos animado", "pt": "menos animado", "fr": "moins entraînant", "de": "weniger beschwingt"},
    "more upbeat": {"es": "más animado", "pt": "mais animado", "fr": "plus entraînant", "de": "beschwingter"},
    "sadder": {"es": "más triste", "pt": "mais triste", "fr": "plus triste", "de": "trauriger"},
    "happier": {"es": "más alegre", "pt": "mais alegre", "fr": "plus joyeux", "de": "fröhlicher"},
    "more energetic": {"es": "más energía", "pt": "mais energia", "fr": "plus d'énergie", "de": "mehr Energie"},
    "calmer": {"es": "más tranquilo", "pt": "mais calmo", "fr": "plus calme", "de": "ruhiger"},
    "slower": {"es": "más lento", "pt": "mais lento", "fr": "plus lent", "de": "langsamer"},
    "faster": {"es": "más rápido", "pt": "mais rápido", "fr": "plus rapide", "de": "schneller"},
    "more danceable": {"es": "más bailable", "pt": "mais dançante", "fr": "plus dansant", "de": "tanzbarer"},
    "less danceable": {"es": "menos bailable", "pt": "menos dançante", "fr": "moins dansant", "de": "weniger tanzbar"},
    "more acoustic": {"es": "más acústico", "pt": "mais acústico", "fr": "plus acoustique", "de": "akustischer"},
    "more electronic": {"es": "más electrónico", "pt": "mais eletrônico", "fr": "plus électronique",
                        "de": "elektronischer"},
    "more instrumental": {"es": "más instrumental", "pt": "mais instrumental", "fr": "plus instrumental",
                          "de": "instrumentaler"},
    "with vocals": {"es": "con voz", "pt": "com voz", "fr": "avec voix", "de": "mit Gesang"},
    "more romantic": {"es": "más romántico", "pt": "mais romântico", "fr": "plus romantique", "de": "romantischer"},
    "less rap": {"es": "menos rap", "pt": "menos rap", "fr": "moins de rap", "de": "weniger Rap"},
    "more rap": {"es": "más rap", "pt": "mais rap", "fr": "plus de rap", "de": "mehr Rap"},
}
WITHOUT = {"es": "sin {}", "pt": "sem {}", "fr": "sans {}", "de": "ohne {}"}
ONLY = {"es": "solo {}", "pt": "só {}", "fr": "seulement {}", "de": "nur {}"}
SINCE = {"es": "desde {}", "pt": "desde {}", "fr": "depuis {}", "de": "ab {}"}
UNTIL = {"es": "hasta {}", "pt": "até {}", "fr": "jusqu'à {}", "de": "bis {}"}
#: "OK, <changes>" — the lead of a refinement.
ADJUSTED = {"es": "Vale, {}", "pt": "Certo, {}", "fr": "D'accord, {}", "de": "Okay, {}"}
#: The lead of the next page of the same request.
NEXT_PAGE = {"es": "Más canciones", "pt": "Mais músicas", "fr": "Encore des morceaux", "de": "Mehr Titel"}
#: The list's anchor, artist or song ("Like Coldplay", "Tracks like Yellow - Coldplay").
LIKE = {"es": "Como {}", "pt": "Como {}", "fr": "Comme {}", "de": "Wie {}"}
TRACKS_LIKE = {"es": "Canciones como {}", "pt": "Músicas como {}", "fr": "Des morceaux comme {}", "de": "Titel wie {}"}
#: Nothing more for this request.
EVERYTHING = {"es": "Eso es todo para esta petición.", "pt": "Isso é tudo para este pedido.",
              "fr": "C'est tout pour cette demande.", "de": "Das ist alles zu dieser Anfrage."}
#: A follow-up with no earlier request ("más" as the first message).
NOTHING_YET = {
    "es": "Primero pídeme algo, por ejemplo «música tranquila para estudiar»; luego di «más», «más lento» o "
          "«más como el #3».",
    "pt": "Peça algo primeiro, por exemplo “música calma para estudar”; depois diga “mais”, “mais lento” ou "
          "“mais como o #3”.",
    "fr": "Demande-moi d'abord quelque chose, par exemple « musique calme pour étudier » ; puis dis « encore », "
          "« plus lent » ou « plus comme le #3 ».",
    "de": "Frag mich zuerst nach etwas, z. B. „ruhige Musik zum Lernen“; dann sag „mehr“, „langsamer“ oder "
          "„mehr wie #3“.",
}
#: "older and newer" as one follow-up: the two era moves cancel out, so the list is kept and the user is asked.
ERA_BOTH = {
    "en": "“Older” and “newer” pull opposite ways, so I kept the list as it is — which one do you mean? Say “older” "
          "or “newer”.",
    "es": "«Más antiguas» y «más nuevas» se contradicen, así que dejé la lista como está: ¿cuál querías? Di «más "
          "antiguas» o «más nuevas».",
    "pt": "“Mais antigas” e “mais novas” se contradizem, então mantive a lista como está: qual você quer? Diga “mais "
          "antigas” ou “mais novas”.",
    "fr": "« Plus ancien » et « plus récent » se contredisent, j'ai donc gardé la liste telle quelle : lequel "
          "voulais-tu ? Dis « plus ancien » ou « plus récent ».",
    "de": "„Älter“ und „neuer“ widersprechen sich, deshalb bleibt die Liste, wie sie ist – was meinst du? Sag "
          "„älter“ oder „neuer“.",
}


def era_both_reply(user_text: str) -> str:
    """The answer to a follow-up that asks for older and newer at once (:data:`ERA_BOTH`), in its language."""
    lang = reply_language(user_text)
    return ERA_BOTH.get(lang, ERA_BOTH["en"])


#: "#N" is not on the list on screen.
NO_SUCH_ITEM = {"es": "No hay #{} en la última lista.", "pt": "Não há #{} na última lista.",
                "fr": "Il n'y a pas de #{} dans la dernière liste.", "de": "In der letzten Liste gibt es kein #{}."}
_NO_ITEM = re.compile(r"^There is no #(\d+) in the last list")
_EN_CHANGE = re.compile(r"^(?:(?:higher|lower) (?:energy|mood|danceability|acoustic feel|instrumental feel|tempo|"
                        r"vocal density)|without .+?|only .+?|(?:\d{4}|…)–(?:\d{4}|…))$")
_LIKE_HEAD = re.compile(r"^(?P<head>Like|Tracks like) (?P<name>.+?)(?: \((?P<cues>[^()]*)\))?$")


def reply_language(user_text: str, previous_request: str = "", conversation_lang: str = "") -> str:
    """The language to answer a follow-up in: ``"en" | "es" | "pt" | "fr" | "de"`` — the one rule of
    :func:`core.reply_language.turn_language`, with the conversation's language taken from ``conversation_lang``
    (:attr:`core.conversation.ConversationState.lang`) or else from the last request's text (``previous_request``;
    "" when none, e.g. a "similar" list)."""
    from core.reply_language import reply_lang
    from core.text.language import detect_language

    conv = conversation_lang or (detect_language(previous_request) if previous_request else "")
    return reply_lang(user_text, conv)


def nothing_yet(user_text: str, english: str) -> str:
    """The answer to a follow-up that has nothing to follow ("más" as a first message), in its language; ``english``
    (:data:`core.agent.intents_recommend.NOTHING_YET`) otherwise."""
    return NOTHING_YET.get(reply_language(user_text), english)


def localized_error(message: str, lang: str) -> str:
    """A tool's error about the list on screen ("There is no #12 in the last list.") in ``lang``, with the English
    after it when it says more; other messages unchanged."""
    m = _NO_ITEM.match(message)
    if m is None or lang not in NO_SUCH_ITEM:
        return message
    rest = message[m.end():].lstrip(" .")
    return NO_SUCH_ITEM[lang].format(m.group(1)) + (f" ({rest})" if rest else "")


def change_words(lang: str, deltas: Mapping[str, float], exclude_artists: Sequence[str] = (),
                 genres: Sequence[str] = (), year_min: int | None = None, year_max: int | None = None) -> list[str]:
    """The facts of a refinement in ``lang`` (the English ones are :func:`core.agent.tools_catalog._change_cues`):
    one phrase per moved feature (``deltas``: feature -> change, tempo a fraction), the artists left out, the genres
    kept, the years. A valence move that also lowers/raises energy a little ("less upbeat") is one phrase."""
    out: list[str] = []
    valence = deltas.get("valence", 0.0)
    for name, value in deltas.items():
        if not value or name not in CHANGE:
            continue
        if name == "energy" and valence and (value > 0) == (valence > 0) and abs(value) < abs(valence):
            continue  # part of the mood move
        out.append(CHANGE[name][1 if value > 0 else -1][lang])
    if exclude_artists:
        out.append(WITHOUT[lang].format(", ".join(exclude_artists[:3])))
    if genres:
        out.append(ONLY[lang].format(", ".join(genres[:3])))
    if year_min and year_max:
        out.append(f"{year_min}–{year_max}")
    elif year_min:
        out.append(SINCE[lang].format(year_min))
    elif year_max:
        out.append(UNTIL[lang].format(year_max))
    return out


def localized_summary(summary: str, lang: str) -> str:
    """An English list summary with its fixed phrases in ``lang``: "Like X (slower; without Y)" -> "Como X (más
    lento; sin Y)", "Tracks like X" -> "Canciones como X"; the original request's own cues are kept as said. The
    summary unchanged for English or an unknown language."""
    if lang not in LIKE or not summary:
        return summary
    from core.text.language import NOTE_TEMPLATES

    note = NOTE_TEMPLATES.get("language", {}).get(lang, "")
    if note:  # the initial request's "Here is what I picked for you" line: the follow-up's lead replaces it
        summary = summary.replace(note + "; ", "").replace(note, "").strip("; ")
    m = _LIKE_HEAD.match(summary)
    if m is None:
        return "; ".join(_cue(c, lang) for c in summary.split("; "))
    head = (LIKE if m.group("head") == "Like" else TRACKS_LIKE)[lang].format(m.group("name"))
    cues = m.group("cues")
    return head + (f" ({'; '.join(_cue(c, lang) for c in cues.split('; '))})" if cues else "")


def _cue(cue: str, lang: str) -> str:
    if cue in MOVE_CUES:
        return MOVE_CUES[cue][lang]
    if cue.startswith(("without ", "not ")):  # "without Drake", "not reggaeton" (a style refused: "sin reggaeton")
        return WITHOUT[lang].format(cue.partition(" ")[2])
    if cue.startswith("up to "):
        return UNTIL[lang].format(cue[len("up to "):])
    return cue


def followup_summary(summary: str, lang: str, *, changes: Sequence[str] = (), english_changes: Sequence[str] = (),
                     next_page: bool = False) -> str:
    """The summary of a follow-up's list in ``lang`` (unchanged for English): its first line says the same facts.

    Args:
        summary: the English summary (the list's title): for a text request "lower tempo; chill → low energy", for an
            anchored one "Like Coldplay (slower)", for a similar one "Tracks like Yellow - Coldplay (without X)".
        changes: the refinement's facts in ``lang`` (:func:`change_words`); they lead the line ("Vale, más lento").
        english_changes: the same facts in English as the summary starts with them (cut from its start).
        next_page: the next page of the same request ("Más canciones — …").
    """
    if lang not in ADJUSTED:
        return summary
    from core.text.wording import localize_cue

    # the summary may carry the changes already worded in ``lang`` ("humeur plus gaie" for "higher mood")
    english_changes = [*english_changes, *(localize_cue(c, lang) for c in english_changes)]
    rest = summary
    parts = rest.split("; ")
    cut = 0
    while cut < len(parts) and (parts[cut] in english_changes or _EN_CHANGE.match(parts[cut])):
        cut += 1
    if changes and cut:
        rest = "; ".join(parts[cut:])
    if changes and english_changes:  # said by the lead, once (a coverage note may come before them: "…nombran. 1990–1999")
        kept: list[str] = []
        glue = False  # the part before ended a sentence ("…nombran."): the next part follows it after a space
        for part in rest.split("; "):
            cut_here = False
            for c in english_changes:
                if part.endswith(". " + c):
                    part, cut_here = part[: -len(c) - 1].rstrip(), True
            if part in english_changes:
                continue
            if glue and kept:
                kept[-1] += " " + part
            else:
                kept.append(part)
            glue = cut_here
        rest = "; ".join(kept)
    rest = localized_summary(rest, lang)
    fresh = [c for c in changes if c not in rest]  # "sin X" already in "Canciones como Y (sin X)": said once
    lead = (ADJUSTED[lang].format(", ".join(fresh)) if fresh else ADJUSTED[lang].split(",")[0]) if changes \
        else NEXT_PAGE[lang] if next_page else ""
    if not lead:
        return rest
    return f"{lead} — {rest}" if rest else lead


__all__ = ["CHANGE", "ERA_BOTH", "MOVE_CUES", "era_both_reply", "NOTHING_YET", "change_words", "followup_summary", "localized_error", "localized_summary",
           "nothing_yet", "reply_language"]
