"""Request languages: stop-words of every supported language and a small detector for the reply-language hint.

Supported: English (``en``), Spanish (``es``), Portuguese (``pt``), French (``fr``) and German (``de``). The word lists
are function words (articles, pronouns, prepositions, conjunctions, common verbs of asking) — they carry no musical
meaning, so :mod:`core.text` never matches them against catalog labels or playlist names ("para" must not find
"… Para Bailar"). The lists are hand-written from each language's most frequent words (the top of any frequency list,
e.g. the Leipzig Corpora / Wiktionary frequency lists), accents stripped as :func:`core.text.tokens.fold` does.

:func:`detect_language` counts, per language, the request's tokens that are function words or musical words of that
language and picks the best; ties and requests with no evidence fall back to English.
"""

from __future__ import annotations

import re
from collections.abc import Callable

LANGS = ("en", "es", "pt", "fr", "de")

#: Function words per language (folded: lower case, no accents). Never matched against labels.
STOP: dict[str, frozenset[str]] = {
    "es": frozenset(
        """el la los las un una unos unas lo al del de y e o u ni que con sin para por pa en a mi mis me te tu tus
        su sus se nos yo tu usted ustedes el ella ellos ellas es son esta estan estoy ser estar hay muy mucho mucha
        muchos muchas poco poca algo alguna algunas alguno algunos algun como cuando donde pero mas menos ya tambien
        solo sola solamente quiero quisiera quieres necesito dame ponme pon pone damelo busca buscame recomienda
        recomiendame recomiendas puedes podrias favor porfa porfavor gracias hola canciones cancion musica temas tema
        lista listas rato un poco este esta estos estas ese esa eso aqui ahi hoy dia nada ninguna ninguno
        bien tan todo toda todos todas otro otra otros otras sea algo asi unas""".split()
    ),
    "pt": frozenset(
        """o a os as um uma uns umas do da dos das de e ou nem que com sem para pra pro por em no na nos nas ao aos
        eu me meu minha meus minhas te teu tua seu sua voce voces ele ela eles elas e sao esta estou ser estar ha
        muito muita muitos muitas pouco algo alguma algumas algum alguns como quando onde mas mais menos ja tambem
        so somente quero queria preciso me indica indica indicar manda coloca toca bota sugere favor obrigado obrigada
        oi ola musica musicas cancao cancoes som sons faixa faixas lista umas bem tao todo toda todos todas outro
        outra hoje dia nada nenhum nenhuma isso esse essa este esta aqui ai de preferencia""".split()
    ),
    "fr": frozenset(
        """le la les un une des du de d l et ou ni que qui avec sans pour par en a au aux dans sur mon ma mes ton
        ta tes son sa ses je j me m moi tu te toi il elle nous vous ils elles est sont suis etre ce cet cette ces
        tres beaucoup peu quelque quelques comme quand ou mais plus moins deja aussi seulement juste veux voudrais
        veut besoin mets met donne donnez donne moi trouve propose proposez s il te plait svp merci bonjour salut
        chanson chansons musique musiques morceau morceaux titre titres playlist liste bien tout toute tous toutes
        autre autres aujourd hui soir jour rien aucun aucune pas ne n un peu trop""".split()
    ),
    "de": frozenset(
        """der die das den dem des ein eine einen einem einer eines und oder noch dass mit ohne fur von vom zu zum
        zur im in am an auf aus bei nach uber unter mein meine meinen mir mich ich du dich dir er sie es wir ihr
        ist sind bin bitte danke hallo sehr viel viele wenig etwas einige wie wenn wo aber mehr weniger schon auch
        nur will mochte mochten brauche gib gebt spiel spiele spielt such suche empfiehl empfehle musik lieder lied
        songs titel playlist liste gut ganz alle alles andere heute abend tag nichts kein keine keinen keiner nicht
        mal so""".split()
    ),
}

#: Words that only one language uses for music requests: strong evidence for that language (folded).
MARKERS: dict[str, frozenset[str]] = {
    # "musica", "para" and "alegre" are Spanish and Portuguese alike: not markers of either; "animada" is a marker of
    # both (a tie goes to Spanish, the first listed; "noite", "pra" … tip it to Portuguese) (folded "anos" is Portuguese;
    # Spanish "años" keeps its ñ, which counts for Spanish)
    "es": frozenset("canciones cancion ponme dame quiero necesito tristes bailar fiesta relajar "
                    "relajante tranquila tranquilas correr entrenar estudiar dormir sin nada llorar por favor noche "
                    "espanol espanola hola que tal animada animadas animado animados "
                    "rato con mucha mucho energia ochenta sesenta cincuenta los las".split()),
    "pt": frozenset("musicas cancoes quero preciso pra indica alegres tristes tranquilas estudar treinar dormir "
                    "correr sem letra bem meu minha astral pesado dancar festa voce umas oitenta sessenta cinquenta nao "
                    "relaxar brasileira brasileiro brasileiras brasileiros animada animadas animado animados ouvir malhar noite chuva "
                    "tambem muito muita em portugues forro anos oi ola tudo".split()),
    "fr": frozenset("chanson chansons musique des une douces doux tristes melancoliques pour dimanche tres energique salle "
                    "sport sans pas danser fete dormir etudier calme je veux annees quatre vingt soixante les francais "
                    "francaise francaises moins comme quelque chose bonjour salut peux aider".split()),
    "de": frozenset("musik lieder ruhige ruhig entspannte entspannt zum zur nach der arbeit kein keine ohne bitte "
                    "und traurig frohlich gute laune tanzen schlafen lernen abschalten aber achtziger neunziger siebziger "
                    "jahre aus den wie etwas weniger deutsch deutsche deutschen traurige gesang hallo spiel was".split()),
    "en": frozenset("the songs music something some please with without for and but like give me want need "
                    "tracks i my".split()),
}


#: German compound heads meaning "music" / "songs" ("Jazzmusik", "Partylieder", "Tanzmucke"), folded.
COMPOUND_HEADS = ("musik", "mucke", "lieder", "lied", "songs", "song", "klange", "sound")
_COMPOUND = re.compile(r"\b([a-z]{3,}?)(" + "|".join(COMPOUND_HEADS) + r")\b")


def split_compounds(folded: str, known: Callable[[str], bool]) -> str:
    """German compounds of a style or mood with a word for music read as two words: "jazzmusik" -> "jazz musik",
    "entspannungsmusik" -> "entspannung musik" (linking s dropped), "tanzmusik" -> "tanzen musik". ``folded`` is a
    folded request (:func:`core.text.tokens.fold`); ``known(word)`` says whether the vocabulary or the catalog's
    labels know a word. A compound whose first part is unknown is left as written."""

    def part(m: re.Match[str]) -> str:
        head = m.group(1)
        for cand in (head, head[:-1] if head.endswith("s") else "", head + "en", head + "e",
                     head[:-1] if head.endswith("e") else ""):
            if len(cand) >= 3 and known(cand):
                return f"{cand} {m.group(2)}"
        return m.group(0)

    return _COMPOUND.sub(part, folded)


def stopwords_all() -> frozenset[str]:
    """The union of the non-English function-word lists (for label matching: never a label token on its own)."""
    out: set[str] = set()
    for words in STOP.values():
        out |= words
    return frozenset(out)


#: Words of the function-word lists that say nothing about a request's language: English and Spanish "no", Portuguese
#: "no" / "na" ("in the"). Counting them made "no drake no ed sheeran no taylor swift" Portuguese, and its reply too.
NO_EVIDENCE = frozenset({"no", "na"})


def language_scores(text: str) -> dict[str, float]:
    """The evidence :func:`detect_language` weighs, per language (``{"en": 4.0, "es": 1.0, …}``; see there)."""
    from core.text.tokens import word_tokens  # tokens imports this module's word lists

    score = dict.fromkeys(LANGS, 0.0)
    if not text:
        return score
    for tok in word_tokens(text):
        if tok in NO_EVIDENCE:
            continue
        for lang in LANGS:
            if lang != "en" and tok in STOP[lang]:
                score[lang] += 1
            if tok in MARKERS[lang]:
                score[lang] += 2
    raw = text.lower()
    score["de"] += 2 * min(1, len(re.findall(r"\b\d0ern?\b", raw)))  # "aus den 90ern", "80er Jahre"
    for lang, chars in (("de", "ßäöü"), ("es", "ñ¿¡íóú"), ("pt", "ãõç"), ("fr", "èêàùœç")):
        score[lang] += min(2, sum(raw.count(c) for c in chars))
    return score


def detect_language(text: str) -> str:
    """Guess the language of a request: ``"en" | "es" | "pt" | "fr" | "de"``.

    Each token adds 1 to every language whose function-word list holds it and 2 to the language it is a marker of
    (:data:`MARKERS`); letters typical of one language add 1 each, at most 2 (``ß``/umlauts German, ``ñ``/``¿``/``¡``/``í``/``ó``/``ú``
    Spanish, ``ã``/``õ``/``ç`` Portuguese, ``è``/``ê``/``à``/``ç`` French; on the raw text). English wins ties and texts with no evidence; a
    non-English language needs a score of at least 3 and must beat English.
    """
    if not text:
        return "en"
    score = language_scores(text)
    best = max(LANGS, key=lambda lang: (score[lang], lang == "en"))
    if best == "en" or score[best] < 3 or score[best] <= score["en"]:
        return "en"
    return best


#: Sentences of :class:`~core.models.TextNote` per kind and language (``str.format`` fields in braces).
NOTE_TEMPLATES: dict[str, dict[str, str]] = {
    "clamped": {
        "en": "{feature} goes from {lo} to {hi}, so I used {used} for \u201c{asked}\u201d.",
        "es": "{feature} va de {lo} a {hi}: usé {used} en lugar de \u201c{asked}\u201d.",
        "pt": "{feature} vai de {lo} a {hi}: usei {used} em vez de \u201c{asked}\u201d.",
        "fr": "{feature} va de {lo} à {hi} : j'ai pris {used} au lieu de \u00ab {asked} \u00bb.",
        "de": "{feature} reicht von {lo} bis {hi}, daher {used} statt \u201e{asked}\u201c.",
    },
    "no_data": {
        "en": "The catalog has no data on {attribute} (\u201c{asked}\u201d); {instead}.",
        "es": "El catálogo no tiene datos sobre {attribute} (\u201c{asked}\u201d); {instead}.",
        "pt": "O catálogo não tem dados sobre {attribute} (\u201c{asked}\u201d); {instead}.",
        "fr": "Le catalogue n'a pas de données sur {attribute} (\u00ab {asked} \u00bb) ; {instead}.",
        "de": "Der Katalog hat keine Daten über {attribute} (\u201e{asked}\u201c); {instead}.",
    },
    "conflict": {
        "en": "\u201c{a}\u201d and \u201c{b}\u201d pull in opposite directions: {winner} wins \u2014 say \u201c{alt}\u201d if "
        "you meant the other.",
        "es": "\u201c{a}\u201d y \u201c{b}\u201d se contradicen: gana {winner} \u2014 di \u201c{alt}\u201d si querías lo "
        "otro.",
        "pt": "\u201c{a}\u201d e \u201c{b}\u201d se contradizem: ganha {winner} \u2014 diga \u201c{alt}\u201d se queria o "
        "contrário.",
        "fr": "\u00ab {a} \u00bb et \u00ab {b} \u00bb se contredisent : {winner} l'emporte \u2014 dis \u00ab {alt} \u00bb "
        "si tu voulais l'inverse.",
        "de": "\u201e{a}\u201c und \u201e{b}\u201c widersprechen sich: {winner} gewinnt \u2014 sag \u201e{alt}\u201c, "
        "wenn du das andere meintest.",
    },
    "conflict_split": {  # a conflict settled per feature: one side sets {axis}, the other keeps {kept}
        "en": "\u201c{a}\u201d and \u201c{b}\u201d pull in opposite directions: {winner} sets {axis}, {loser} "
        "keeps {kept} \u2014 say \u201c{alt}\u201d if you meant the other.",
        "es": "\u201c{a}\u201d y \u201c{b}\u201d se contradicen: {winner} marca {axis}, {loser} pone {kept} "
        "\u2014 di \u201c{alt}\u201d si querías lo otro.",
        "pt": "\u201c{a}\u201d e \u201c{b}\u201d se contradizem: {winner} define {axis}, {loser} dá {kept} "
        "\u2014 diga \u201c{alt}\u201d se queria o contrário.",
        "fr": "\u00ab {a} \u00bb et \u00ab {b} \u00bb se contredisent : {winner} donne {axis}, {loser} garde {kept} "
        "\u2014 dis \u00ab {alt} \u00bb si tu voulais l'inverse.",
        "de": "\u201e{a}\u201c und \u201e{b}\u201c widersprechen sich: {winner} bestimmt {axis}, {loser} behält "
        "{kept} \u2014 sag \u201e{alt}\u201c, wenn du das andere meintest.",
    },
    "conflict_mid": {
        "en": "\u201c{a}\u201d and \u201c{b}\u201d pull in opposite directions, so I aimed between them \u2014 say "
        "\u201c{up}\u201d or \u201c{down}\u201d to pick one.",
        "es": "\u201c{a}\u201d y \u201c{b}\u201d se contradicen, así que apunté a un punto medio \u2014 di "
        "\u201c{up}\u201d o \u201c{down}\u201d para elegir.",
        "pt": "\u201c{a}\u201d e \u201c{b}\u201d se contradizem, então mirei num meio-termo \u2014 diga "
        "\u201c{up}\u201d ou \u201c{down}\u201d para escolher.",
        "fr": "\u00ab {a} \u00bb et \u00ab {b} \u00bb se contredisent, j'ai donc visé entre les deux \u2014 dis "
        "\u00ab {up} \u00bb ou \u00ab {down} \u00bb pour choisir.",
        "de": "\u201e{a}\u201c und \u201e{b}\u201c widersprechen sich, daher habe ich die Mitte gewählt \u2014 sag "
        "\u201e{up}\u201c oder \u201e{down}\u201c, um dich zu entscheiden.",
    },
    "language": {
        "es": "Esto es lo que elegí para ti",
        "pt": "Aqui está o que escolhi para você",
        "fr": "Voici ce que j'ai choisi pour toi",
        "de": "Das habe ich für dich ausgesucht",
    },
}
#: What was done instead of an attribute the catalog has no data on, per language.
INSTEAD: dict[str, dict[str, str]] = {
    "vocals": {"en": "I picked tracks with vocals", "es": "elegí pistas con voz", "pt": "escolhi faixas com voz",
               "fr": "j'ai pris des morceaux chantés", "de": "ich habe Titel mit Gesang gewählt"},
    "labels": {"en": "I used the catalog's labels named after it", "es": "usé las etiquetas del catálogo que lo nombran",
               "pt": "usei os rótulos do catálogo que o mencionam",
               "fr": "j'ai utilisé les étiquettes du catalogue qui le nomment",
               "de": "ich habe die Katalog-Labels mit diesem Namen genutzt"},
    "sound": {"en": "I matched the sound usually associated with it", "es": "busqué el sonido que suele acompañarlo",
              "pt": "busquei o som que costuma acompanhá-lo", "fr": "j'ai visé le son qui va souvent avec",
              "de": "ich habe den Klang gewählt, der meist dazu passt"},
    "ignored": {"en": "I left it out", "es": "lo dejé de lado", "pt": "deixei isso de lado", "fr": "je l'ai laissé de côté",
                "de": "das habe ich weggelassen"},
}
#: Names of attributes the catalog has no data on, per language.
ATTRIBUTES: dict[str, dict[str, str]] = {
    "gender": {"en": "the singer's gender", "es": "el género de quien canta", "pt": "o gênero de quem canta",
               "fr": "le genre de l'interprète", "de": "das Geschlecht der Stimme"},
    "instrument": {"en": "instruments", "es": "los instrumentos", "pt": "os instrumentos", "fr": "les instruments",
                   "de": "Instrumente"},
    "lyrics_language": {"en": "the lyrics' language", "es": "el idioma de las letras", "pt": "o idioma das letras",
                        "fr": "la langue des paroles", "de": "die Sprache der Texte"},
    "lyrics_topic": {"en": "what the lyrics are about", "es": "el tema de las letras", "pt": "o tema das letras",
                     "fr": "le sujet des paroles", "de": "den Inhalt der Texte"},
}


def note_text(kind: str, lang: str, **fields: str) -> str:
    """The sentence of a note of ``kind`` in ``lang`` (English when that language has no wording), fields filled in.

    For ``no_data`` pass ``attribute`` and ``instead`` as keys of :data:`ATTRIBUTES` / :data:`INSTEAD`.
    """
    forms = NOTE_TEMPLATES[kind]
    lang = lang if lang in forms else "en"
    if kind == "clamped" and lang != "en":  # "valencia va de 0 a 1", not "valence va de 0 a 1"
        from core.text.wording import FEATURES

        fields = {**fields, "feature": FEATURES.get(fields["feature"], {}).get(lang, fields["feature"])}
    if kind == "no_data":
        fields = {**fields, "attribute": ATTRIBUTES[fields["attribute"]].get(lang, ATTRIBUTES[fields["attribute"]]["en"]),
                  "instead": INSTEAD[fields["instead"]].get(lang, INSTEAD[fields["instead"]]["en"])}
    return forms.get(lang, forms.get("en", "")).format(**fields)
