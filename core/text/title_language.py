"""The language of song titles, read from the loaded catalog: which artists title their songs in French, Spanish …

A catalog rarely says what language a song is sung in (the shipped one has no such column, and few labels such as
"Gangster Rap Deutsch" name one). What every catalog has are track titles and album names, and titles are written in
the language the songs are sung in far more often than not. :func:`title_languages` reads them:

* each word of a title or album name (the part before " - ", "(" or "[": remix and "feat." credits are English in
  every language) that is in :data:`TITLE_WORDS` of a language adds 1 to that language, split evenly between the
  languages sharing the word ("que" is Spanish, Portuguese and French: 1/3 each); a letter only some languages write
  (ñ, ã, è, ß …, :data:`LETTERS`) adds 1 split the same way, at most once per text;
* per **artist**: the sums over their distinct titles and album names; the artist's language is the best one when
  its evidence is at least :data:`MIN_ARTIST_EVIDENCE` and :data:`DOMINANCE` times the runner-up's (English competes
  like any other language, so an artist with English and Spanish titles alike gets none), and it leads in at least
  :data:`SUPPORT_SHARE` of their texts (two French song names among a Polish rapper's seven titles are no language);
* per **track**: its own title when that alone is strong (:data:`MIN_TRACK_EVIDENCE`, same dominance: "Hips Don't
  Lie" by an artist of Spanish titles is an English song), else its first artist's language.

The word lists are general knowledge (each language's most frequent function words and the everyday words of song
titles — love, heart, night, life …; the same kind of list as :data:`core.text.language.STOP`, there for requests),
never words of the shipped catalog's labels. Cost: one pass over titles and albums, ~0.15 s for 28k tracks; cached per
table version (:func:`table_languages`).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Languages read from titles (ISO 639-1), in array order. Dutch and Swedish are competitors: no request names them
#: (:data:`LANGUAGE_CONCEPTS`), but their words must outweigh the others' for a title to be claimed ("Je Weet Et" shares
#: "je" with French and is no French title).
TITLE_LANGS: tuple[str, ...] = ("en", "es", "pt", "fr", "de", "it", "nl", "sv")

#: Words of song titles per language (folded: lower case, no accents; apostrophes split "c'est" into "c" + "est").
TITLE_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """the a an and of to in on at for with from by my your our their his her its i im me you we they he she it
        is are was be been am don dont can cant won wont aint ll ve re this that these those what when where who why
        how all no not never ever just only one love baby girl boy night day heart time life world like want need
        know feel go got get let make take give come back down up out over away tonight forever again around
        little good bad yeah oh good about into through without""".split()),
    "es": frozenset(
        """el la los las un una unos unas lo al del de y que con sin para por pa pal en mi mis me te tu tus su sus se
        nos yo ella ellos es son esta estoy soy eres ser hay muy mas como cuando donde pero ya solo sola nada nadie
        todo toda todos siempre nunca otra otro vez aqui ahora hoy amor corazon vida noche dia quiero quieres
        baila bailar bailando besame beso besos contigo conmigo sol luna cielo mar fuego loco loca mujer hombre
        dime dolor volver vuelve calle fiesta perreo mami papi bebe tiempo mundo ojos boca cancion hasta desde
        tengo tienes tiene puedo sabes sueno suenos alma ay yo no si""".split()),
    "pt": frozenset(
        """o a os as um uma do da dos das de e que com sem para pra pro por em no na nos nas ao eu me meu minha
        meus minhas te teu tua seu sua voce voces ele ela nao sim mais muito muita tudo nada quando onde como
        ja so sempre nunca amor coracao vida noite dia saudade quero beijo beijos sol lua mar cedo tempo mundo
        olhos boca cancao ate desde tenho tem posso sabe sonho alma ai vai vem vou fica ficar deixa agora aqui
        hoje outra outro vez brasil""".split()),
    "fr": frozenset(
        """le la les un une des du de d l et ou que qui qu avec sans pour par en a au aux dans sur mon ma mes ton
        ta tes son sa ses je j me m moi tu te toi t il elle nous vous ils elles est c ce cet cette ces s pas ne n
        plus tout tous toute rien jamais toujours encore comme quand amour coeur vie nuit jour soleil monde temps
        reve yeux laisse aller oui non ca cest bebe seul seule mal bien fou folle belle beau petit petite on alors
        danse chanson sais suis fais veux peux dit vais ai avoir etre faut ici trop""".split()),
    "de": frozenset(
        """der die das den dem des ein eine einen einem einer und oder mit ohne fur von vom zu zum zur im in am an
        auf aus bei nach uber unter mein meine dein deine mir mich dir dich ich du er sie es wir ihr ist sind bin
        bist war nicht kein keine nie immer noch nur so wie was wenn alles liebe herz nacht tag leben welt zeit
        traum augen allein schon heute morgen wieder ganz gut""".split()),
    "it": frozenset(
        """il lo la gli le un una di del della dei delle e che con senza per in nel nella mi ti ci si io tu lui lei
        noi voi sono sei non piu tutto tutti niente mai sempre ancora come quando amore cuore vita notte giorno
        sole luna mare tempo mondo occhi sogno ciao bella bello questo questa quello dove perche anche solo""".split()),
    # Competitors only: words they share with the claimed languages' frequent ones ("in", "is", "for", "de", "en",
    # "te", "die", "du", "nacht", "pa") and name particles ("van") are left out, so they take a title whose other
    # words are theirs ("Je Weet Et") without diluting English, Spanish or German evidence.
    "nl": frozenset(
        """het een op om aan uit bij naar voor met niet geen nooit altijd nog maar ook als dan wat waar
        ik jij je hij zij wij mij mijn jouw jou ons onze hun haar dit deze er hier daar niets liefde
        hart dag leven wereld tijd laat kom weet wil heb hou ga zijn ben meer zo mee samen""".split()),
    "sv": frozenset(
        """och jag det ett att som inte med ar min mitt mig dig vi ni han hon har kan vill ska nar
        hur allt aldrig alltid karlek natt dag liv hjarta tid sager dom till fran mot utan""".split()),
}
#: Letters only some of the languages write -> those languages (a text's letters add at most 1 in all).
LETTERS: dict[str, tuple[str, ...]] = {
    "ñ": ("es",), "¿": ("es",), "¡": ("es",), "ã": ("pt",), "õ": ("pt",), "ç": ("pt", "fr"), "è": ("fr", "it"),
    "ê": ("fr", "pt"), "à": ("fr", "it"), "â": ("fr", "pt"), "î": ("fr",), "ô": ("fr", "pt"), "û": ("fr",),
    "œ": ("fr",), "ë": ("fr",), "ï": ("fr",), "ä": ("de", "sv"), "ö": ("de", "sv"), "ü": ("de", "es"), "ß": ("de",),
    "é": ("es", "pt", "fr"), "á": ("es", "pt"), "í": ("es", "pt"), "ó": ("es", "pt"), "ú": ("es", "pt"),
    "ì": ("it",), "ò": ("it",), "ù": ("it", "fr"), "å": ("sv",),
}
#: An artist's titles and albums must add up to this much evidence for their language to count (two function words).
MIN_ARTIST_EVIDENCE = 2.0
#: One title alone: three function words ("Te Para Tres"), so a two-word title never overrides its artist.
MIN_TRACK_EVIDENCE = 2.5
#: ... and lead in at least this share of the artist's distinct titles and album names.
SUPPORT_SHARE = 0.3
#: The best language must have this many times the runner-up's evidence (English included).
DOMINANCE = 2.0

#: Concepts of the vocabulary (``data/text_concepts.json``) that name a language -> its code. "latin" names Spanish only
#: through its language phrases ("en español", not "latin pop": :data:`core.text.caveats.NO_DATA` lists them).
LANGUAGE_CONCEPTS: dict[str, str] = {"french": "fr", "portuguese": "pt", "latin": "es", "german": "de",
                                     "italian": "it", "english": "en"}
#: Style concepts whose music is sung in one language (general knowledge: samba, pagode, forró and sertanejo are
#: Brazilian): when the loaded catalog has no genre label for the style, its language's titles stand in for it.
STYLE_LANGUAGES: dict[str, str] = {"samba": "pt"}
#: How strongly a language only implied by a style ranks (``TextQuery.title_language_weight``): the language is a
#: strong hint, not the request itself — the style's labels (or, without labels, the style model) still count.
STYLE_LANGUAGE_WEIGHT = 0.4
#: A language needs this many artists titling their songs in it before titles stand in for a missing label.
MIN_ARTISTS = 3
#: Names of the languages, in each reply language.
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {"en": "English", "es": "inglés", "pt": "inglês", "fr": "anglais", "de": "Englisch"},
    "es": {"en": "Spanish", "es": "español", "pt": "espanhol", "fr": "espagnol", "de": "Spanisch"},
    "pt": {"en": "Portuguese", "es": "portugués", "pt": "português", "fr": "portugais", "de": "Portugiesisch"},
    "fr": {"en": "French", "es": "francés", "pt": "francês", "fr": "français", "de": "Französisch"},
    "de": {"en": "German", "es": "alemán", "pt": "alemão", "fr": "allemand", "de": "Deutsch"},
    "it": {"en": "Italian", "es": "italiano", "pt": "italiano", "fr": "italien", "de": "Italienisch"},
}
_BY_TITLES: dict[str, str] = {
    "en": "these are by artists whose song titles are in {language}",
    "es": "son de artistas cuyos títulos están en {language}",
    "pt": "são de artistas cujos títulos estão em {language}",
    "fr": "ce sont des artistes dont les titres sont en {language}",
    "de": "das sind Titel von Künstlern, deren Songtitel auf {language} sind",
}


_SOME_BY_TITLES: dict[str, str] = {
    "en": "only {n} of these are by artists whose song titles are in {language}; the rest are the nearest alternative",
    "es": "solo {n} son de artistas cuyos títulos están en {language}; el resto es la alternativa más cercana",
    "pt": "só {n} são de artistas cujos títulos estão em {language}; o resto é a alternativa mais próxima",
    "fr": "seuls {n} sont d'artistes dont les titres sont en {language} ; le reste est l'alternative la plus proche",
    "de": "nur {n} davon sind von Künstlern, deren Songtitel auf {language} sind; der Rest ist die nächste Alternative",
}
#: Songs titled in the language when only one of the list is (:func:`by_titles` with ``some`` = 1).
_ONE_BY_TITLES: dict[str, str] = {
    "en": "only 1 of these is by an artist whose song titles are in {language}; the rest are the nearest alternative",
    "es": "solo 1 es de un artista cuyos títulos están en {language}; el resto es la alternativa más cercana",
    "pt": "só 1 é de um artista cujos títulos estão em {language}; o resto é a alternativa mais próxima",
    "fr": "un seul est d'un artiste dont les titres sont en {language} ; le reste est l'alternative la plus proche",
    "de": "nur einer davon ist von einem Künstler, dessen Songtitel auf {language} sind; der Rest ist die nächste "
          "Alternative",
}



def by_titles(code: str, lang: str, some: int | None = None) -> str:
    """What a reply says it did for a language no label names, in the reply language ``lang`` (English when it has
    no wording): "these are by artists whose song titles are in French"; with ``some`` (fewer of the tracks shown
    are in the language than shown), "only 3 of these are by …"."""
    lang = lang if lang in _BY_TITLES else "en"
    name = LANGUAGE_NAMES.get(code, {}).get(lang, code)
    if some is not None:
        return (_ONE_BY_TITLES if some == 1 else _SOME_BY_TITLES)[lang].format(language=name, n=some)
    return _BY_TITLES[lang].format(language=name)


_INDEX = {lang: i for i, lang in enumerate(TITLE_LANGS)}
_K = len(TITLE_LANGS)
_CUT = re.compile(r"\s+-\s+|\(|\[|\bfeat\.|\bft\.")
#: Apostrophe forms one language writes: English "n't", "'s", "'m", "'re", "'ll", "'ve"; French elisions "l'", "d'",
#: "j'", "c'", "qu'", "m'", "n'", "s'", "t'" before a word (read before words are split, so "don't" is no French "t").
_EN_APOS = re.compile(r"(?<=[a-z])'(?:t|s|m|re|ll|ve|d)\b")
_FR_ELISION = re.compile(r"\b(?:qu|[ldjcmnst])'(?=[a-z])")
_WORD = re.compile(r"[^\W\d_]+")
_FOLD = str.maketrans("áàâãäåéèêëíìîïóòôõöúùûüñçœß’", "aaaaaaeeeeiiiiooooouuuuncos'")


def _shares(langs: Sequence[str]) -> tuple[tuple[int, float], ...]:
    return tuple((_INDEX[x], 1.0 / len(langs)) for x in langs)


_WORD_SHARES: dict[str, tuple[tuple[int, float], ...]] = {}
for _w in set().union(*TITLE_WORDS.values()):
    _WORD_SHARES[_w] = _shares([lang for lang in TITLE_LANGS if _w in TITLE_WORDS[lang]])
_LETTER_SHARES = {c: _shares(langs) for c, langs in LETTERS.items()}
_EN_SHARE, _FR_SHARE = _shares(["en"]), _shares(["fr"])


def _evidence(text: str) -> list[float]:
    return _head_evidence(_CUT.split(text.casefold(), maxsplit=1)[0])


def _head_evidence(head: str) -> list[float]:
    out = [0.0] * _K
    if not head.strip():
        return out
    if not head.isascii():
        letters = [0.0] * _K
        for c in set(head):
            for i, w in _LETTER_SHARES.get(c, ()):
                letters[i] += w
        total = sum(letters)
        if total > 0:
            scale = 1.0 / max(1.0, total)
            out = [v * scale for v in letters]
        head = head.translate(_FOLD)
    if "'" in head:
        for rx, share in ((_EN_APOS, _EN_SHARE), (_FR_ELISION, _FR_SHARE)):
            found = len(rx.findall(head))
            for i, w in share:
                out[i] += w * found
            head = rx.sub(" ", head)
    for word in set(_WORD.findall(head)):  # "Ra Ta Ta Ta" is one word of evidence, not three
        if len(word) == 1 and word not in ("a", "e", "o", "y", "i", "u"):
            continue  # a lone letter is an initial ("DJ A"), not a word
        for i, w in _WORD_SHARES.get(word, ()):
            out[i] += w
    return out


def text_evidence(text: str) -> np.ndarray:
    """Per language of :data:`TITLE_LANGS`, the evidence one title or album name gives ``(len(TITLE_LANGS),)`` float64:
    its function words (shared words split; English "n't"/"'s" and French "l'"/"qu'" count as words) plus at most 1
    for letters only some languages write. The part after " - ", "(", "[" or "feat." is ignored ("Tu Amor - Remix",
    "Song (feat. X)"). Zeros for an empty text."""
    return np.asarray(_evidence(str(text)), dtype=np.float64)


def decide(evidence: Sequence[float], minimum: float) -> int:
    """The index in :data:`TITLE_LANGS` of the language ``evidence`` names, or -1: the best one needs ``minimum``
    and :data:`DOMINANCE` times the runner-up."""
    ranked = sorted(range(len(evidence)), key=lambda i: -float(evidence[i]))
    best, second = float(evidence[ranked[0]]), float(evidence[ranked[1]])
    if best >= minimum and best >= DOMINANCE * second:
        return ranked[0]
    return -1


@dataclass(frozen=True)
class TitleLanguages:
    """Languages read from one table's titles.

    ``artist``: ``(len(artist_names),)`` int8, index into :data:`TITLE_LANGS` per artist id, -1 when unknown;
    ``track``: ``(n,)`` int8 per position (its own title when strong, else its first artist's; -1 unknown or dead);
    ``version`` / ``n``: the table version and size it was read from.
    """

    artist: np.ndarray
    track: np.ndarray
    version: int = -1
    n: int = 0

    def positions(self, lang: str) -> np.ndarray:
        """Positions whose language is ``lang`` (an ISO code of :data:`TITLE_LANGS`); empty for other codes."""
        i = _INDEX.get(lang)
        if i is None:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.track == i)

    def artists(self, lang: str) -> int:
        """How many artists title their songs in ``lang``."""
        i = _INDEX.get(lang)
        return 0 if i is None else int((self.artist == i).sum())


def _decide_rows(evidence: np.ndarray, minimum: float) -> np.ndarray:
    """:func:`decide` over the rows of ``evidence`` ``(m, K)`` -> ``(m,)`` int8."""
    if not len(evidence):
        return np.zeros(0, dtype=np.int8)
    part = np.sort(evidence, axis=1)
    best, second = part[:, -1], part[:, -2]
    ok = (best >= minimum) & (best >= DOMINANCE * second)
    return np.where(ok, evidence.argmax(axis=1), -1).astype(np.int8)


def infer(titles: Sequence[str], albums: Sequence[str], artist_ids: Sequence[Sequence[int]], n_artists: int,
          alive: np.ndarray | None = None) -> TitleLanguages:
    """Read the languages of ``titles`` / ``albums`` (per position) and their artists (``artist_ids`` per position,
    ids below ``n_artists``); positions where ``alive`` is False are skipped. See the module docstring for the rule."""
    n = len(titles)
    head_of: dict[str, int] = {}  # raw text -> id of its head (the part before " - ", "(" …)
    heads: dict[str, int] = {}
    rows: list[list[float]] = []

    def hid(text: str) -> int:
        h = head_of.get(text)
        if h is None:
            head = _CUT.split(text.casefold(), maxsplit=1)[0].strip("\0 ")
            h = heads.get(head)
            if h is None:
                h = heads[head] = len(rows)
                rows.append(_head_evidence(head) if len(head) > 1 else [0.0] * _K)
            head_of[text] = h
        return h

    live = range(n) if alive is None else np.flatnonzero(np.asarray(alive[:n])).tolist()
    title_h = np.full(n, -1, dtype=np.int64)
    pairs: set[tuple[int, int]] = set()  # (artist, text head): one song's versions, one album's tracks count once
    for p in live:
        th = hid(titles[p] or "")
        ah = hid("\0" + (albums[p] or "")) if albums[p] else -1
        title_h[p] = th
        for aid in artist_ids[p]:
            pairs.add((aid, th))
            if ah >= 0:
                pairs.add((aid, ah))
    ev = np.asarray(rows, dtype=np.float64).reshape(len(rows), _K)
    per_artist = np.zeros((n_artists, _K))
    support = np.zeros((n_artists, _K))  # texts whose own leading language is each language
    texts = np.zeros(n_artists)
    if pairs:
        pa = np.asarray(sorted(pairs), dtype=np.int64)
        pa = pa[pa[:, 0] < n_artists]
        np.add.at(per_artist, pa[:, 0], ev[pa[:, 1]])
        np.add.at(texts, pa[:, 0], 1.0)
        lead = np.where(ev.max(axis=1) > 0, ev.argmax(axis=1), -1)[pa[:, 1]]
        ok = lead >= 0
        np.add.at(support, (pa[ok, 0], lead[ok]), 1.0)
    artist = _decide_rows(per_artist, MIN_ARTIST_EVIDENCE)
    best = np.maximum(artist, 0).astype(np.int64)
    share = support[np.arange(n_artists), best] / np.maximum(texts, 1.0)
    artist[share < SUPPORT_SHARE] = -1  # two French titles among a Polish rapper's seven are not his language
    track = np.full(n, -1, dtype=np.int8)
    has = title_h >= 0
    track[has] = _decide_rows(ev[title_h[has]], MIN_TRACK_EVIDENCE)
    first = np.asarray([ids[0] if ids else -1 for ids in artist_ids[:n]], dtype=np.int64)
    fill = has & (track < 0) & (first >= 0) & (first < n_artists)
    track[fill] = artist[first[fill]]
    return TitleLanguages(artist, track, n=n)


_CACHE: weakref.WeakKeyDictionary[object, TitleLanguages] = weakref.WeakKeyDictionary()


def table_languages(table: object) -> TitleLanguages:
    """:func:`infer` over a :class:`~core.table.TrackTable`, cached per table and ``table.version`` (edits re-read)."""
    hit = _CACHE.get(table)
    version, n = getattr(table, "version"), getattr(table, "n")
    if hit is not None and hit.version == version and hit.n == n:
        return hit
    t = table
    out = infer(t.titles[:n], t.albums[:n], t.artist_ids[:n], len(t.artist_names), t.alive[:n])  # type: ignore[attr-defined]
    out = TitleLanguages(out.artist, out.track, version=version, n=n)
    _CACHE[table] = out
    return out


def adopt(table: object, languages: TitleLanguages) -> None:
    """Use ``languages`` (e.g. restored from the start-up cache, same catalog version) for ``table``."""
    _CACHE[table] = TitleLanguages(languages.artist, languages.track, version=getattr(table, "version"),
                                   n=getattr(table, "n"))
