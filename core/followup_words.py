"""Follow-up words in English, Spanish, Portuguese, French and German: the word lists behind :mod:`core.moves` (relative
moves such as "moins rapide", "weniger schnell", "menos triste") and the follow-up rules of
:mod:`core.agent.intents_recommend` ("más como el #2", "pas cet artiste", "weiter", "só rock").

Everything here is matched on *folded* text: lower case, accents stripped (``"Más rápida"`` -> ``"mas rapida"``),
other characters kept (``#``, ``'``) — :func:`fold`; the move patterns of :mod:`core.moves` read
:func:`core.moves.normalized` text (punctuation also gone), which the same word lists fit.

Negated and comparative forms are generated from one table of *poles* (:data:`POLES`: per axis, the words of its high
and low end in each language), so a negation can never be read as its opposite:

* toward the high end: "more HIGH" / "less LOW" / "not so LOW" / "too LOW" (and "mas/mais/plus/mehr HIGH",
  "menos/moins/weniger LOW", "no tan/não tão/pas si/nicht so LOW", "demasiado/trop/zu LOW", "LOW demais"), German
  comparatives ("schneller"), "more NOUN" / "less NOUN" ("más energía", "moins d'énergie", "weniger Energie");
* toward the low end: the same with the poles swapped.

Words are hand-written from each language's everyday vocabulary for music (no outside data); the comparative markers
are the standard grammar of each language (es/pt "más/mais … / menos …", fr "plus … / moins …", de "-er", "weniger …").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

LANGS = ("en", "es", "pt", "fr", "de")

#: "more" / "less" / "not so" / "too" per language (folded regex fragments).
MORE = {"en": "more", "es": "mas", "pt": "mais", "fr": "plus", "de": "mehr"}
LESS = {"en": "less", "es": "menos", "pt": "menos", "fr": "moins", "de": "weniger"}
NOT_SO = {
    "en": r"not (?:so|as|that|too)", "es": r"(?:no|ni) (?:tan|tanto|demasiado)", "pt": r"(?:nao|nem) (?:tao|muito)",
    "fr": r"pas (?:si|aussi|trop|tellement)", "de": r"nicht (?:mehr )?(?:so|zu|ganz so|allzu)",
}
#: "too X" before the adjective ("trop rapide", "zu laut", "demasiado rápido") and after it ("rápido demais").
TOO_BEFORE = {"en": "too", "es": "demasiado", "pt": "demasiado", "fr": "trop", "de": "zu"}
TOO_AFTER = {"es": "de mas", "pt": "demais"}

#: German adjective endings (schnell, schnelle, schnellen, schneller, schnelles, schnellem).
_DE = r"(?:e[nrms]?)?"


def _de(*stems: str) -> tuple[str, ...]:
    return tuple(s + _DE for s in stems)


#: axis -> language -> (words of the high end, words of the low end). Folded regex fragments.
POLES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "tempo": {
        "en": (("fast", "quick", "rapid", "up ?tempo"), ("slow",)),
        "es": (("rapid[oa]s?", "veloz", "veloces", "acelerad[oa]s?", "deprisa"), ("lent[oa]s?", "pausad[oa]s?", "despacio")),
        "pt": (("rapid[oa]s?", "acelerad[oa]s?", "veloz", "velozes", "depressa"), ("lent[oa]s?", "devagar")),
        "fr": (("rapides?", "vite", "rapidement"), ("lente?s?", "lentement")),
        "de": (_de("schnell", "flott", "zugig"), _de("langsam", "gemachlich")),
    },
    "energy": {
        "en": (("energetic", "intense", "loud", "heavy", "aggressive", "powerful", "hype"),
               ("calm", "quiet", "soft", "mellow", "chill", "relaxed", "gentle", "relaxing")),
        "es": (("energic[oa]s?", "fuertes?", "intens[oa]s?", "potentes?", "movid[oa]s?", "ruidos[oa]s?", "agresiv[oa]s?",
                "dur[oa]s?", "cañer[oa]s?", "caner[oa]s?"),
               ("tranquil[oa]s?", "suaves?", "relajad[oa]s?", "calmad[oa]s?", "calm[oa]s?", "relajantes?", "chill")),
        "pt": (("energetic[oa]s?", "energic[oa]s?", "fortes?", "intens[oa]s?", "pesad[oa]s?", "agitad[oa]s?",
                "barulhent[oa]s?", "agressiv[oa]s?"),
               ("calm[oa]s?", "tranquil[oa]s?", "suaves?", "relaxad[oa]s?", "relaxantes?", "leves?", "chill")),
        "fr": (("energiques?", "forte?s?", "intenses?", "puissante?s?", "violente?s?", "agressi(?:f|fs|ve|ves)",
                "bruyante?s?", "dure?s?", "nerveu(?:x|se|ses)", "pechu(?:e|es|s)?"),
               ("calmes?", "doux", "douces?", "tranquilles?", "posee?s?", "relax(?:e|es|ee|ees|ante?s?)?", "apaisante?s?",
                "doucement", "chill")),
        "de": (_de("energisch", "energiegeladen", "intensiv", "laut", "kraftig", "hart", "heftig", "wild", "wuchtig"),
               _de("ruhig", "sanft", "entspannt", "leis", "chillig", "gemutlich", "weich")),
    },
    "mood": {
        "en": (("up ?beat", "happy", "cheerful", "positive", "bright", "joyful"), ("sad", "dark", "melancholic", "gloomy")),
        "es": (("alegres?", "feliz", "felices", "animad[oa]s?", "positiv[oa]s?", "optimistas?", "divertid[oa]s?"),
               ("tristes?", "melancolic[oa]s?", "oscur[oa]s?", "depresiv[oa]s?", "sombri[oa]s?", "bajon")),
        "pt": (("alegres?", "feliz", "felizes", "animad[oa]s?", "positiv[oa]s?", "pra cima", "divertid[oa]s?", "otimistas?"),
               ("tristes?", "melancolic[oa]s?", "sombri[oa]s?", "escur[oa]s?", "deprimentes?", "pra baixo", "sofrid[oa]s?")),
        "fr": (("joyeu(?:x|se|ses)", "gaie?s?", "heureu(?:x|se|ses)", "positi(?:f|fs|ve|ves)", "entrainante?s?",
                "enjouee?s?", "festi(?:f|fs|ve|ves)"),
               ("tristes?", "sombres?", "melancoliques?", "deprimante?s?", "mornes?")),
        "de": (_de("frohlich", "heiter", "froh", "positiv", "beschwingt", "lustig", "gut gelaunt", "happy"),
               _de("traurig", "dust", "duster", "melancholisch", "bedruckt", "dunkl") + ("dunkel",)),
    },
    "dance": {
        "en": (("danceable", "dancey", "groovy"), ()),
        "es": (("bailables?", "bailongo", "bailongas?"), ()),
        "pt": (("dancantes?", "dancaveis", "dancavel"), ()),
        "fr": (("dansante?s?", "groovy"), ()),
        "de": (_de("tanzbar", "groovig"), ()),
    },
    "acoustic": {
        "en": (("acoustic",), ("electronic",)),
        "es": (("acustic[oa]s?",), ("electronic[oa]s?",)),
        "pt": (("acustic[oa]s?",), ("eletronic[oa]s?", "electronic[oa]s?")),
        "fr": (("acoustiques?",), ("electroniques?",)),
        "de": (_de("akustisch"), _de("elektronisch")),
    },
    "vocals": {
        "en": (("instrumental",), ("vocal",)),
        "es": (("instrumental(?:es)?",), ("vocal(?:es)?", "cantad[oa]s?")),
        "pt": (("instrumentais", "instrumental"), ("vocais", "vocal", "cantad[oa]s?")),
        "fr": (("instrumentale?s?", "instrumentaux"), ("vocale?s?", "vocaux", "chantee?s?")),
        "de": (_de("instrumental"), ()),
    },
}
#: Nouns of an axis end: "more NOUN" moves toward that end ("más energía", "plus d'énergie", "weniger Energie").
NOUNS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "tempo": {"en": (("speed",), ()), "es": (("velocidad",), ()), "pt": (("velocidade",), ()),
              "fr": (("vitesse",), ()), "de": (("tempo",), ())},
    "energy": {"en": (("energy", "power", "intensity"), ("calm",)), "es": (("energia", "intensidad", "fuerza", "potencia"), ("calma",)),
               "pt": (("energia", "intensidade", "forca", "peso"), ("calma",)),
               "fr": (("energie", "intensite", "puissance", "peche"), ("calme",)),
               "de": (("energie", "power", "wumms", "druck", "intensitat"), ("ruhe",))},
    "mood": {"en": (("happiness", "joy"), ("sadness",)), "es": (("alegria", "buen rollo", "buena onda"), ("tristeza",)),
             "pt": (("alegria", "astral"), ("tristeza",)), "fr": (("joie", "bonne humeur", "gaiete"), ("tristesse",)),
             "de": (("freude", "gute laune", "frohsinn"), ("traurigkeit", "melancholie"))},
    "dance": {"en": ((), ()), "es": (("baile", "ritmo bailable"), ()), "pt": (("danca",), ()), "fr": (("danse",), ()),
              "de": ((), ())},
    "vocals": {"en": ((), ("vocals", "singing", "lyrics")), "es": ((), ("voz", "voces", "letra")),
               "pt": ((), ("voz", "vozes", "letra")), "fr": ((), ("voix", "chant", "paroles")),
               "de": ((), ("gesang", "stimme", "text"))},
}
#: Fixed expressions per axis end (verbs and idioms): "baja el ritmo", "ralentis", "mais devagar", "mach langsamer".
IDIOMS: dict[tuple[str, int], tuple[str, ...]] = {
    ("tempo", -1): ("baja(?:le)? (?:un poco )?(?:el )?(?:ritmo|tempo)", "bajale", "ralenti(?:s|r|ssez)?", "diminui(?:r)? o ritmo",
                    "mach(?: es)? langsamer", "tempo runter"),
    ("tempo", 1): ("sube(?:le)? (?:un poco )?(?:el )?(?:ritmo|tempo)", "acelera(?:r)?", "accelere(?:z|r)?",
                   "aumenta(?:r)? o ritmo", "tempo rauf", "mach(?: es)? schneller"),
    ("energy", -1): ("baja(?:le)? (?:la )?intensidad", "mas relax", "tranqui"),
    ("energy", 1): ("sube(?:le)? (?:la )?(?:intensidad|energia)", "mas caña", "mas cana", "mas marcha", "plus de peps",
                    "mais agito"),
    ("vocals", 1): ("sin (?:voz|voces|letra|vocal(?:es)?)", "sem (?:voz|vozes|letra|vocal|vocais)",
                    "sans (?:voix|paroles|chant|vocal(?:e|es|s)?)", "ohne (?:gesang|stimme|text|vocals)"),
    ("vocals", -1): ("con (?:voz|voces|letra|vocal(?:es)?|cantante)", "com (?:voz|vozes|letra|vocal|vocais|cantor(?:a)?)",
                     "avec (?:de la |des )?(?:voix|paroles|chant)", "mit (?:gesang|stimme|text|vocals)"),
}
#: Words that also mean "more"/"less" before a noun: "de", "d'", "de l'" (fr), "de" (es/pt).
_OF = r"(?:(?:de la|de l|du|des|de|d|del|do|da) )?"
#: An intensifier that may sit between the marker and the word ("más bien lento", "plus très"): kept short.
_SOFT = r"(?:(?:bien|bem|un poco|um pouco|un peu|etwas|ein bisschen|ein wenig|a bit|a little|muito|mucho|viel|beaucoup) )?"


def _alts(parts: Iterable[str]) -> str:
    return "(?:" + "|".join(parts) + ")"


def toward(axis: str, sign: int) -> tuple[str, ...]:
    """Regex alternatives (folded text) that move ``axis`` toward its high end (``sign`` +1) or its low end (-1), in
    every language of :data:`LANGS`: "more HIGH", "less LOW", "not so LOW", "too LOW", German comparatives of HIGH,
    "more NOUN-of-HIGH", "less NOUN-of-LOW" and the idioms of :data:`IDIOMS`. Raises KeyError for an unknown axis."""
    out: list[str] = []
    for lang in LANGS:
        high, low = POLES[axis][lang]
        if sign < 0:
            high, low = low, high
        if high:
            out.append(rf"{MORE[lang]} {_SOFT}{_alts(high)}")
        if low:
            out.append(rf"{LESS[lang]} {_SOFT}{_alts(low)}")
            out.append(rf"{NOT_SO[lang]} {_alts(low)}")
            if lang == "de":  # "zu laut" (too loud), not "zu entspannten Abenden" (for relaxed evenings)
                bare = [w[: -len(_DE)] if w.endswith(_DE) else w for w in low]
                out.append(rf"{TOO_BEFORE[lang]} {_alts(bare + ['leise'] if 'leis' in bare else bare)}")
            else:
                out.append(rf"{TOO_BEFORE[lang]} {_alts(low)}")
            if lang in TOO_AFTER:
                out.append(rf"{_alts(low)} {TOO_AFTER[lang]}")
        nouns = NOUNS.get(axis, {}).get(lang, ((), ()))
        n_high, n_low = nouns if sign > 0 else (nouns[1], nouns[0])
        if n_high:
            out.append(rf"{MORE[lang]} {_OF}{_alts(n_high)}")
        if n_low:
            out.append(rf"{LESS[lang]} {_OF}{_alts(n_low)}")
        if lang == "de" and high:  # comparatives: schneller, langsamere, ruhigeren
            stems = [h[: -len(_DE)] for h in high if h.endswith(_DE)]
            if stems:
                out.append(_alts(stems) + r"er(?:e[nrms]?)?")
    out.extend(IDIOMS.get((axis, sign), ()))
    return tuple(out)


#: A comparative of a word, on :func:`core.moves.normalized` text, in every language of :data:`LANGS` — group ``more``
#: ("more", "más", "mais", "plus", "mehr" …), or ``less`` ("less", "menos", "moins", "weniger", "not so", "too" …),
#: then ``word`` (one or two words, an optional "a bit" / "de" between); or ``er``, an English or German "-er" form
#: ("dreamier", "warmer", "hoffnungsvoller"). What the word means is decided by :func:`core.moves.concept_moves`.
COMPARATIVE_RX = re.compile(
    r"\b(?:(?P<more>" + "|".join(MORE.values()) + r")|(?P<less>" + "|".join(LESS.values()) + "|"
    + "|".join(NOT_SO.values()) + "|" + "|".join(w for k, w in TOO_BEFORE.items() if k != "de") + r"))\s+"
    + _SOFT + _OF + r"(?P<word>[a-z]{3,}(?: [a-z]{3,})?)"
    r"|\b(?P<er>[a-z]{3,}er(?:e[nrms]?)?)\b"
)

#: Words that, right before a style word, mean it is not a plain request for it ("less acoustic", "weniger akustisch").
NEGATED_BEFORE = tuple(dict.fromkeys([*MORE.values(), *LESS.values(), "not so", "no tan", "nao tao", "pas si", "nicht so"]))


def not_after_marker(word: str) -> str:
    """``word`` (a regex fragment) guarded by lookbehinds so "more/less/menos/moins/weniger/… WORD" is not read as
    a bare WORD."""
    guards = "".join(f"(?<!{re.escape(m)} )" for m in NEGATED_BEFORE)
    return guards + word


# ---------------------------------------------------------------------------------------------- intents (folded text)
def fold(text: str) -> str:
    """Lower case, accents stripped, other characters kept (``"Más como el #2"`` -> ``"mas como el #2"``); ``º``/``ª``
    become ``o``/``a`` (Unicode compatibility decomposition)."""
    text = unicodedata.normalize("NFKD", str(text).lower())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("ß", "ss")


#: Ordinal words of the list (folded) -> position; -1 = the last item.
ORDINAL_WORDS: dict[str, int] = {}
for _n, _words in enumerate(
    (
        "primero primera primer primeiro primeira premier premiere erste",
        "segundo segunda deuxieme zweite",
        "tercero tercera tercer terceiro terceira troisieme dritte",
        "cuarto cuarta quarto quarta quatrieme vierte",
        "quinto quinta cinquieme funfte fuenfte",
        "sexto sexta sixieme sechste",
        "septimo septima setimo setima septieme siebte",
        "octavo octava oitavo oitava huitieme achte",
        "noveno novena nono nona neuvieme neunte",
        "decimo decima dixieme zehnte",
    ),
    start=1,
):
    for _w in _words.split():
        ORDINAL_WORDS[_w] = _n
for _w in "ultimo ultima dernier derniere letzte".split():
    ORDINAL_WORDS[_w] = -1

#: Ordinal words of every language but English as one regex group (German endings allowed: "zweiten", "letzter"),
#: not when a noun of time follows ("la primera vez", "le premier jour").
ORDINAL_RX = (r"\b(" + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + r")(?:[nrs])?\b"
              r"(?!\s+(?:vez|vezes|fois|mal|dia|jour|tag|ano|annee|jahr|noche|noite|nuit|nacht|amor|amour|liebe|cita))")
#: "número 3", "nº 3", "n° 3", "nummer 3", "nr. 3", "3º", "2ª", "1er", "2e", "2eme", "3." — one group: the number.
NUMBER_WORD_RX = (r"\b(?:numero|nummer|nr\.?|n[o°]\.?)\s*(\d{1,2})\b|\b(\d{1,2})(?:o|a|er|re|e|eme|te|ter|ten)\b")


def ordinal_value(word: str) -> int | None:
    """The position an ordinal word names (folded, German ending allowed), -1 for "last", or None."""
    w = fold(word)
    if w in ORDINAL_WORDS:
        return ORDINAL_WORDS[w]
    if w[:-1] in ORDINAL_WORDS and w[-1] in "nrs":
        return ORDINAL_WORDS[w[:-1]]
    return None


_POLITE = (r"(?: (?:por favor|porfa|pf|porfavor|s il te plait|s il vous plait|stp|svp|bitte|please|pls|obrigad[oa]|"
           r"gracias|merci|danke))?")
#: "más", "dame más", "encore", "noch mehr", "weiter", "siguiente", "próxima", "otra vez", "d'autres"… (folded text).
MORE_PAGE = re.compile(
    r"^(?:(?:dame |damelo |pon(?:me)? |quiero |me da |me manda |manda |da-me |donne(?:-moi| moi)? |gib mir |zeig mir |"
    r"y |e |et |und |ok |vale |dale |bueno )?"
    r"(?:mas|mais|mehr|encore|encore plus|noch mehr|noch ein paar|noch welche|weitere|plus|mas canciones|mais musicas)"
    r"(?: (?:canciones|temas|musicas|cancoes|faixas|chansons|morceaux|titres|lieder|songs|titel|de lo mismo|do mesmo|"
    r"disso|de eso|davon|pareil|du meme|de la meme chose|por favor|porfa|pf|s il te plait|s il vous plait|svp|bitte|"
    r"please|asi|assim|comme ca|so was|sowas))*"
    r"|(?:la |las |el |los |a |as |o |os |die |den |la page |page |pagina |seite )?"
    r"(?:siguientes?|proxim[oa]s?|suivante?s?|nachste[nrms]?|naechste[nrms]?|weiter)"
    r"(?: (?:pagina|page|seite|tanda|lista|lote))?" + _POLITE +
    r"|otr[oa]s?(?: (?:canciones|temas|mas|tanda|pagina))?" + _POLITE +
    r"|outr[oa]s?(?: (?:musicas|mais|pagina))?" + _POLITE +
    r"|d ?'? ?autres?(?: (?:chansons|morceaux|titres))?" + _POLITE +
    r"|andere(?: (?:lieder|songs|titel))?" + _POLITE +
    r"|otra vez|de nuevo|outra vez|de novo|encore une fois|nochmal|noch ?einmal|sigue|continua|continue|weiter so|"
    r"la suite|que mas|o que mais|quoi d ?'? ?autre|was noch|was gibt es noch|mas de lo mismo|mais do mesmo"
    r")[\s!.?¡¿]*$"
)
#: "more like #2" in es/pt/fr/de: a cue, then an optional article, then the list reference (see :data:`ARTICLE_NUM`).
LIKE_CUE = (r"\b(?:(?:mas|mais|plus|mehr|algo|canciones|musicas|cancoes|musiques|chansons|morceaux|lieder|titel|"
            r"songs|temas|d ?'? ?autres|otras|outras|andere|noch mehr) )?"
            r"(?:como|parecid[oa]s? (?:a|al|ao|con|com)|similar(?:es)? (?:a|al|ao)|tipo|estilo(?: d[eoa]l?)?|comme|"
            r"pareil(?:le)?s? (?:a|au|que)|similaires? (?:a|au)|dans le (?:style|genre) d[eu]|proches? d[eu]|wie|"
            r"ahnlich(?:e[nrms]?)? wie|im stil von)\s+")
#: An article before a list reference ("el #2", "la 3", "o #3", "le premier", "das zweite").
ARTICLE = r"(?:(?:el|la|lo|o|a|ao|al|le|l ?'|au|der|die|das|dem|den)\s*)?"
#: A bare number after an article ("como la 2"), not a decade or a tempo ("los 80", "80s", "120 bpm").
ARTICLE_NUM = r"(?:(?:el|la|lo|o|a|le|der|die|das|den)\s+(\d{1,2})\b(?!'?s\b|er\b|\s*(?:bpm|%|anos|annees|jahre)))"
#: "like that one" in es/pt/fr/de (folded, whole message).
LIKE_THAT = re.compile(
    r"^(?:(?:mas|mais|plus|mehr|algo|canciones|musicas|chansons|des chansons|lieder|songs) )?"
    r"(?:como|parecid[oa]s? (?:a|al|ao|com)|comme|pareil(?:le)?s? a|wie|ahnlich(?:e[nrms]?)? wie)\s+"
    r"(?:esa|ese|eso|esta|este|esto|essa|esse|isso|aquela|aquele|ca|cela|celle-ci|celui-ci|celle-la|celui-la|"
    r"celle ci|celui ci|das|dieses?|diesen?|der da|die da)"
    r"(?: (?:cancion|tema|musica|faixa|chanson|morceau|titre|lied|song|track))?[\s!.?]*$"
)
#: "why #2" / "explain #2" lead-ins in es/pt/fr/de.
WHY = r"(?:por ?que|porque|pourquoi|warum|wieso|weshalb|explica(?:me)?|explique|erklar(?:e|en)?(?: mir)?)"

#: "not that artist" in es/pt/fr/de (on :func:`core.moves.normalized` text: no punctuation, no accents).
THAT_ARTIST_I18N = (
    r"\b(?:no|sin|ni|nada de|nada mas de|basta de|ya no|no mas|no quiero|otra vez)\s+(?:ese|este|esa|esta|el mismo|la misma|aquel)"
    r"\s+(?:artista|cantante|grupo|banda|tipo|man|autor)\b|"
    r"\b(?:nao|sem|nada de|chega de|nem|nao quero)\s+(?:esse|este|essa|esta|aquele|aquela|o mesmo|a mesma)"
    r"\s+(?:artista|cantor|cantora|grupo|banda|cara)\b|"
    r"\b(?:pas|sans|plus|assez de|fini|pas encore|plus de)\s+(?:cet|cette|ce|le meme|la meme)"
    r"\s+(?:artiste|chanteur|chanteuse|groupe|mec|interprete)\b|"
    r"\b(?:nicht|kein|keine|keinen|ohne|genug von|weg mit|nichts mehr von|nicht mehr|nicht schon wieder)\s+"
    r"(?:diese[nrms]?|de[nmrs]|die|das|gleiche[nrms]?|demselben|derselbe|dieselbe|denselben)"
    r"\s+(?:kunstler(?:in)?|kuenstler(?:in)?|sanger(?:in)?|saenger(?:in)?|band|gruppe|interpret(?:in)?|typ)\b|"
    r"\botr[oa]s? (?:artistas?|cantantes?|grupos?|bandas?)\b|\b(?:artistas?|cantantes?|grupos?|bandas?) "
    r"(?:diferentes?|distint[oa]s?)\b|\b(?:diferentes?|distint[oa]s?) artistas\b|"
    r"\boutr[oa]s? (?:artistas?|cantor(?:es|a|as)?|grupos?|bandas?)\b|"
    r"\b(?:un |d )?autres? (?:artistes?|chanteu(?:r|rs|se|ses)|groupes?|interpretes?)\b|\bartistes? differents?\b|"
    r"\b(?:ein |eine |einen |andere )?andere[nrms]? (?:kunstler(?:in|innen)?|kuenstler(?:in|innen)?|sanger(?:in|innen)?|"
    r"bands?|gruppen?|interpreten?)\b|"
    r"\b(?:nada|no) mas (?:de )?(?:el|ella|ellos|ellas)\s*$|\bnada mais (?:dele|dela|deles|delas)\b|"
    r"\bnao (?:quero )?mais (?:ele|ela|eles|elas)\b|\bchega (?:dele|dela|deles|delas)\b|"
    r"\b(?:pas|plus) (?:lui|elle|eux)(?: encore)?\s*$|\bplus (?:de lui|d elle|d eux)\b|\bquelqu un d autre\b|"
    r"\bnicht (?:schon )?(?:wieder )?(?:ihn|sie)(?: schon wieder| wieder)?\s*$|\bnichts mehr von (?:ihm|ihr|ihnen)\b|"
    r"\bjemand(?:en)? anderes?n?\b|\botra persona\b|\boutra pessoa\b|\balguien (?:mas|diferente|distinto)\b"
)
#: Negation words before an artist's name ("sin Bad Bunny", "sans Drake", "ohne Coldplay"), normalized text.
NOT_NAME_I18N = (r"sin|nada de|no quiero|excepto|salvo|sem|exceto|nao quero|sans|pas de|sauf|excepte|ohne|kein|keine|keinen|"
                 r"nicht|ausser|auser|au lieu de")
#: "only" in es/pt/fr/de ("solo rock", "só 90s", "seulement du rap", "nur Rock").
ONLY_I18N = r"solo|solamente|unicamente|nada mas que|so|somente|apenas|seulement|uniquement|que du|que de la|juste|nur|bloss|ausschliesslich"
#: Decades in es/pt/fr/de on normalized text: "los 90", "anos 80", "annees 2000", "90er", "80er jahre".
DECADE_I18N = re.compile(
    r"\b(?:(?:de |dos |das |des |aus |der )?(?:los |las |anos |annees |den |die )(?:anos |annees )?(19|20)?(\d)0(?:s|er|ern)?"
    r"|(19|20)?(\d)0(?:er|ern)(?: jahre| jahren)?)\b"
)
#: Before / after a year in es/pt/fr/de (normalized text): (word, inclusive?).
BEFORE_I18N = re.compile(r"\b(antes de(?:l)?|antes|avant|vor|hasta|ate|bis|jusqu en|jusqu a)\s+((?:19|20)\d\d)\b")
AFTER_I18N = re.compile(r"\b(despues de(?:l)?|depois de|apres|nach|desde|a partir de(?:l)?|depuis|seit|ab)\s+((?:19|20)\d\d)\b")
#: Exclusive bounds ("antes de 2010" = up to 2009, "après 2015" = from 2016); the others include the year.
EXCLUSIVE = frozenset({"antes de", "antes del", "antes", "avant", "vor", "despues de", "despues del", "depois de", "apres", "nach"})

#: Words that carry no follow-up meaning of their own in es/pt/fr/de (after the follow-up's words are taken out).
FILLER_I18N = frozenset(
    """bisschen bischen wenig mal doch ja jetzt nun lieber eher tantito poquito poquinho pouquinho ahora agora
    maintenant plutot vraiment realmente bien bem quiero quero veux voudrais will mochte hatte gern gerne
    ponme pon dame da manda mets donne gib spiel spiele musica musicas cancion canciones cancoes musique musiques
    chanson chansons morceau morceaux titre titres lieder lied songs titel temas tema faixas faixa cosas coisas
    trucs sachen algo coisa chose etwas alguna algumas quelque quelques einige porfa pf stp bitte ok vale dale bueno
    okay perfecto perfeito parfait gut super genial ahi ca""".split()
)


# ---------------------------------------------------------------------------------------------- the reply's language
#: Words that point to one follow-up language (folded). A word may count for several languages ("como": es, pt).
_LANG_WORDS: dict[str, str] = {
    "en": r"more|less|like|not|that|this|artist|next|again|please|too|slower|faster|calmer|songs?|the|one|other|"
          r"without|only|newer|older|sadder|happier|louder|quieter",
    "es": r"mas|menos|como|el|los|las|del|al|ese|esa|eso|este|esta|otra|otro|otras|otros|sin|siguientes?|proxim[ao]|"
          r"canciones|cancion|tan|por favor|quiero|dame|artista|cantante|vez|lent[oa]s?|rapid[oa]s?|alegres?|"
          r"tristes?|tranquil[oa]s?|animad[oa]s?|solo|antes|despues|desde|ultim[oa]|primer[oa]?|segund[oa]|tercer[oa]?|"
          r"parecid[oa]s?|ya|nada|suaves?|fuertes?|bailables?|nuev[oa]s?|antigu[oa]s?|demasiado|ritmo|otra vez|sigue",
    "pt": r"mais|menos|como|o|os|as|do|da|dos|das|ao|esse|essa|isso|outra|outro|outras|outros|sem|proxim[ao]s?|"
          r"musicas|cancoes|tao|nao|quero|me da|artista|cantor|cantora|lent[oa]s?|rapid[oa]s?|alegres?|tristes?|"
          r"calm[oa]s?|tranquil[oa]s?|animad[oa]s?|so|somente|apenas|depois|ultim[oa]|primeir[oa]|segund[oa]|"
          r"terceir[oa]|parecid[oa]s?|nada|suaves?|fortes?|dancantes?|nov[oa]s|antig[oa]s|demais|devagar|de novo|"
          r"pessoa|chega|ritmo|vez",
    "fr": r"plus|moins|comme|le|les|du|des|cet|cette|ce|autre|autres|sans|suivante?s?|chansons|si|pas|encore|"
          r"un peu|artiste|groupe|lente?s?|rapides?|joyeu(?:x|se)|tristes?|calmes?|doux|douce|fort|forte|seulement|"
          r"avant|apres|depuis|dernier|derniere|premier|premiere|deuxieme|troisieme|trop|vite|suite|lui|elle|"
          r"anciennes?|recente?s?|dansante?s?|energiques?|morceaux|quelqu|svp|s il te plait",
    "de": r"mehr|weniger|wie|der|die|das|dem|den|dieser|diesen|dieses|andere|anderen|ohne|nachste|naechste|lieder|"
          r"nicht|so|noch|weiter|bitte|etwas|kunstler|kuenstler|band|langsamer|schneller|ruhiger|lauter|leiser|"
          r"trauriger|frohlicher|schnell|langsam|laut|leise|ruhig|traurig|nur|vor|nach|seit|letzte[nrs]?|erste[nrs]?|"
          r"zweite[nrs]?|dritte[nrs]?|zu|nochmal|einmal|alter|neuer|tanzbarer|ihn|sie|ihm|nummer|mal",
}
_LANG_RX = {lang: re.compile(r"\b(?:" + words + r")\b") for lang, words in _LANG_WORDS.items()}


def followup_language(text: str, previous: str = "en") -> str:
    """The language a follow-up is written in: ``"en" | "es" | "pt" | "fr" | "de"``.

    Counts the follow-up words of each language in the folded text (:data:`_LANG_WORDS`); the language with the most
    wins. Ties and texts without such words ("#3", "ok") go to ``previous`` (the conversation's language, e.g. the
    detected language of the last request) when it is among the best, else to the first of the best in
    :data:`LANGS` order ("menos triste" is Spanish and Portuguese alike). Accented letters of one language break ties
    first (ñ/¿/¡ Spanish, ã/õ Portuguese, è/ê/à French, ä/ö/ü/ß German).
    """
    best = _best_languages(text)
    if not best:
        return previous if previous in LANGS else "en"
    if len(best) == 1:
        return best[0]
    if previous in best:
        return previous
    return best[0]


def clear_language(text: str) -> str | None:
    """The follow-up's language when its words point to exactly one (:func:`followup_language` without a fallback),
    else None ("#3", "menos triste": Spanish or Portuguese)."""
    best = _best_languages(text)
    return best[0] if len(best) == 1 else None


def _best_languages(text: str) -> list[str]:
    """The languages with the most follow-up words in ``text`` (in :data:`LANGS` order); [] when it has none."""
    raw = str(text).lower()
    folded = " ".join(re.sub(r"[^\w#]+", " ", fold(raw)).split())
    score = {lang: float(len(rx.findall(folded))) for lang, rx in _LANG_RX.items()}
    for lang, chars in (("es", "ñ¿¡"), ("pt", "ãõ"), ("fr", "èêàùœ"), ("de", "äöüß")):
        if any(c in raw for c in chars):
            score[lang] += 0.5
    top = max(score.values())
    return [lang for lang in LANGS if score[lang] == top] if top > 0 else []


__all__ = [
    "ARTICLE", "ARTICLE_NUM", "COMPARATIVE_RX", "DECADE_I18N", "FILLER_I18N", "LANGS", "LIKE_CUE", "LIKE_THAT", "MORE_PAGE",
    "NOT_NAME_I18N", "NUMBER_WORD_RX", "ONLY_I18N", "ORDINAL_RX", "ORDINAL_WORDS", "POLES", "THAT_ARTIST_I18N", "WHY",
    "clear_language", "fold", "followup_language", "not_after_marker", "ordinal_value", "toward",
]
