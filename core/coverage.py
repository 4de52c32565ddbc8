"""Coverage honesty: what the LOADED catalog holds for the style, artist, era or attribute a request names.

Before a reply is built, :class:`CatalogCoverage` checks the request against the catalog actually loaded and returns
:class:`~core.models.CoverageNote` items for what is missing or sparse; adapters put the first one on the first line
of the reply ("This catalog has no country music — here's the closest: acoustic, mellow tracks").

What is hard-coded here is only a vocabulary of style *words* (general knowledge: "country", "bossa nova", "k-pop"),
attribute words the Spotify audio features cannot express (singer's gender, instruments, lyrics language) and
negation words. Which styles the catalog HAS is always computed from the loaded catalog: a style counts as present by
the number of live tracks carrying a genre / subgenre / playlist label that contains one of its words as whole words
(longer style phrases are matched first, so "new jack swing" is not "swing" and "death metal" is not "metal").
Nothing here is specific to the shipped catalog; a catalog with no labels at all gets ``kind="unlabelled"`` notes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from core.catalog import normalize_text
from core.credits import lead_act
from core.models import CoverageNote, Filters, Reason, Recommendation, RecommendedTrack
from core.reply_words import counted
from core.style_scripts import SCRIPT_NAMES, script_playlists
from core.table import FEATURE_INDEX, TrackTable

#: Style name -> phrases (normalized: lower case, no accents, punctuation as spaces). General music knowledge;
#: multi-language where the word differs (es/pt/fr/de). Sorted longest-first at match time.
STYLES: dict[str, tuple[str, ...]] = {
    "country": ("country", "country music", "nashville", "musica country", "musique country", "countrymusik"),
    "bluegrass": ("bluegrass",),
    "blues": ("blues", "delta blues"),
    "classical": ("classical", "classical music", "musica clasica", "musica classica", "musique classique", "klassik",
                  "klassische musik", "symphony", "symphonies", "sinfonia", "sinfonie", "orchestral", "chamber music",
                  "baroque", "nocturne", "nocturnes", "concerto", "concertos", "sonata", "sonatas", "string quartet"),
    "opera": ("opera", "operas", "oper", "aria", "arias", "operetta"),
    "jazz": ("jazz", "bebop", "free jazz", "smooth jazz", "cool jazz"),
    "big band swing": ("big band", "swing music", "swing era", "big band swing"),
    "reggae": ("reggae", "roots reggae", "dub reggae"),
    "ska": ("ska",),
    "dancehall": ("dancehall",),
    "metal": ("metal", "heavy metal", "thrash metal", "metalcore", "nu metal", "power metal", "doom metal"),
    "death metal": ("death metal", "black metal", "grindcore", "blast beats", "brutal death metal"),
    "k-pop": ("k pop", "kpop", "korean pop"),
    "j-pop": ("j pop", "jpop"),
    "bossa nova": ("bossa nova", "bossa", "mpb"),
    "samba": ("samba", "pagode"),
    "sertanejo": ("sertanejo",),
    "forro": ("forro",),
    "fado": ("fado",),
    "tango": ("tango", "tangos", "bandoneon", "milonga"),
    "french chanson": ("french chanson", "chanson francaise", "chansons francaises", "variete francaise"),
    "schlager": ("schlager", "volksmusik"),
    "regional mexican": ("mariachi", "regional mexican", "ranchera", "rancheras", "corrido", "corridos", "norteno",
                         "nortena", "musica regional mexicana", "banda sinaloense"),
    "salsa": ("salsa",),
    "bachata": ("bachata",),
    "merengue": ("merengue",),
    "cumbia": ("cumbia",),
    "flamenco": ("flamenco",),
    "bolero": ("bolero", "boleros"),
    "bollywood": ("bollywood", "filmi", "hindi film"),
    "bhangra": ("bhangra",),
    "afrobeats": ("afrobeat", "afrobeats", "afro beats"),
    "gospel": ("gospel",),
    "folk": ("folk", "folk music"),
    "celtic": ("celtic", "irish folk"),
    "polka": ("polka",),
    "gregorian chant": ("gregorian", "gregorian chant", "plainchant", "plainsong"),
    "medieval": ("medieval", "medieval music", "early music", "renaissance music", "troubadour"),
    "choral": ("choral", "choral music", "choir music", "choirs"),
    "eurodance": ("eurodance", "euro dance", "eurohouse", "euro house", "europop", "euro pop", "eurobeat",
                  "italo dance", "italodance"),
    # world and folk styles people ask for by name (general knowledge; none of them is a label of the shipped catalog)
    "zydeco": ("zydeco", "cajun", "cajun music"),
    "qawwali": ("qawwali", "sufi music", "sufi devotional"),
    "klezmer": ("klezmer",),
    "highlife": ("highlife", "afro highlife"),
    "soukous": ("soukous", "congolese rumba"),
    "gamelan": ("gamelan",),
    "indian classical": ("raga", "ragas", "carnatic", "hindustani", "indian classical"),
    "enka": ("enka",),
    "sea shanty": ("sea shanty", "sea shanties", "shanty", "shanties"),
    "barbershop": ("barbershop", "barbershop quartet"),
    "punk": ("punk", "punk rock"),
    "grunge": ("grunge",),
    "emo": ("emo",),
    "funk": ("funk",),
    "disco": ("disco",),
    "soul": ("soul", "soul music"),
    "neo soul": ("neo soul",),
    "new jack swing": ("new jack swing",),
    "techno": ("techno",),
    "house": ("house", "house music"),
    # house / techno sub-styles: each its own style, so "deep house" is checked as deep house, not as any house
    "deep house": ("deep house",),
    "tech house": ("tech house",),
    "progressive house": ("progressive house", "progressive electro house"),
    "future house": ("future house",),
    "bass house": ("bass house",),
    "acid house": ("acid house",),
    "afro house": ("afro house",),
    "tropical house": ("tropical house",),
    "lo-fi house": ("lo fi house", "lofi house"),
    "minimal techno": ("minimal techno",),
    "melodic techno": ("melodic techno",),
    "psytrance": ("psytrance", "psy trance", "psychedelic trance", "goa trance"),
    "nu disco": ("nu disco", "nudisco"),
    "chillwave": ("chillwave",),
    "vaporwave": ("vaporwave",),
    "dream pop": ("dream pop",),
    "post rock": ("post rock",),
    "math rock": ("math rock",),
    "post punk": ("post punk",),
    "hyperpop": ("hyperpop",),
    "phonk": ("phonk",),
    "amapiano": ("amapiano",),
    "trance": ("trance",),
    "dubstep": ("dubstep",),
    "drum and bass": ("drum and bass", "drum n bass", "dnb", "jungle"),
    "hardstyle": ("hardstyle",),
    "ambient": ("ambient",),
    "edm": ("edm", "electronic dance music"),
    "hip hop": ("hip hop", "hiphop", "rap"),
    "boom bap": ("boom bap", "boombap", "old school hip hop", "old school rap", "golden age hip hop"),
    "g-funk": ("g funk", "gfunk"),
    "conscious hip hop": ("conscious rap", "conscious hip hop"),
    "trip hop": ("trip hop", "triphop"),
    "new wave": ("new wave", "synth pop", "synthpop"),
    "synthwave": ("synthwave", "retrowave", "outrun"),
    "shoegaze": ("shoegaze", "dream pop"),
    "britpop": ("britpop", "brit pop"),
    "motown": ("motown",),
    "uk garage": ("uk garage", "2 step"),
    "trap": ("trap",),
    "drill": ("drill",),
    "grime": ("grime",),
    "r&b": ("r b", "rnb", "r and b", "rhythm and blues"),
    "rock": ("rock", "rock music", "rock and roll", "rock n roll"),
    "hard rock": ("hard rock",),
    "pop": ("pop", "pop music"),
    "indie": ("indie",),
    "latin": ("latin", "latino", "latina", "musica latina"),
    "reggaeton": ("reggaeton", "perreo"),
    "lo-fi": ("lo fi", "lofi"),
    "soundtrack": ("soundtrack", "film score", "movie score"),
    "musical theatre": ("musical theatre", "musical theater", "broadway", "show tunes"),
}
#: Style -> the broader style it belongs to (general music knowledge, like :data:`STYLES`). A playlist NAME counts
#: as evidence of a style only for tracks whose own genre labels name the style or this parent: a "Lo-Fi Beats"
#: playlist of tracks tagged hip hop holds lo-fi; a "Jazz Vibes" playlist of the same tracks holds no jazz.
PARENT: dict[str, str] = {
    "lo-fi": "hip hop", "trap": "hip hop", "drill": "hip hop", "grime": "hip hop", "neo soul": "r&b",
    "new jack swing": "r&b", "soul": "r&b", "funk": "r&b", "house": "edm", "techno": "edm", "trance": "edm",
    "dubstep": "edm", "drum and bass": "edm", "hardstyle": "edm", "hard rock": "rock", "punk": "rock",
    "grunge": "rock", "emo": "rock", "metal": "rock", "death metal": "metal", "indie": "rock", "k-pop": "pop",
    "j-pop": "pop", "reggaeton": "latin", "salsa": "latin", "bachata": "latin", "merengue": "latin",
    "cumbia": "latin", "bolero": "latin", "bossa nova": "latin", "samba": "latin", "sertanejo": "latin",
    "forro": "latin", "tango": "latin", "regional mexican": "latin", "dancehall": "reggae", "ska": "reggae",
    "bluegrass": "country", "disco": "pop", "boom bap": "hip hop", "g-funk": "hip hop", "conscious hip hop": "hip hop",
    "trip hop": "hip hop", "new wave": "pop", "synthwave": "edm", "shoegaze": "rock", "britpop": "rock",
    "motown": "r&b", "uk garage": "edm", "deep house": "house", "tech house": "house", "progressive house": "house",
    "future house": "house", "bass house": "house", "acid house": "house", "afro house": "house",
    "tropical house": "house", "lo-fi house": "house", "minimal techno": "techno", "melodic techno": "techno",
    "psytrance": "trance", "nu disco": "disco", "chillwave": "edm", "vaporwave": "edm", "dream pop": "pop",
    "post rock": "rock", "math rock": "rock", "post punk": "punk", "hyperpop": "pop", "phonk": "hip hop",
    "amapiano": "house", "eurodance": "dance pop", "medieval": "classical", "choral": "classical",
    "gregorian chant": "classical",
}
#: A playlist whose name names at least this many styles is a mix ("Fresh EDM | Progressive House | Electro House |
#: Trap | Deep House"): on a catalog with genre labels its name is evidence for none of them.
MIX_STYLES = 3
#: Phrases that contain a style word without asking for the style.
NOT_STYLES = ("house party", "opera house", "country roads", "soul food", "rock bottom",
              "rock star", "pop up", "pop star", "popstar", "trap door", "folk tale", "punk attitude", "soul mate",
              "heart and soul", "swing by", "jazz hands")
#: Words that negate a style named within the next three words ("no rap", "sin reggaeton", "kein EDM").
NEGATIONS = frozenset("""no not without anything but except excluding exclude minus nothing none avoid skip
    sin nada ni sem nao nenhum sans pas aucun ohne kein keine keinen nicht""".split())
#: What a request for lyrics in some language is called in a note (the audio features carry no language).
LYRICS_LANGUAGE = "the language of the lyrics"
#: Attributes the Spotify audio features carry no data on: phrase pattern (normalized text) -> what to call it.
NO_DATA: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:female|male|women|woman|men|girl|boy)s? (?:vocals?|vocalists?|singers?|voices?|artists?|rappers?|"
                r"bands?|groups?|fronted)\b|\bsung by (?:a )?(?:women|woman|men|man|girls?|boys?)\b|"
                r"\bvoz (?:femenina|masculina)\b|\bvoix (?:feminine|masculine)\b|\b(?:frauen|manner)stimmen?\b|"
                r"\bsangerin(?:nen)?\b|\bcantoras?\b|\bchanteuses?\b"), "the singer's gender"),
    (re.compile(r"\b(?:saxophone|sax|violins?|cellos?|trumpets?|flutes?|harps?|banjos?|accordions?|ukuleles?|"
                r"harmonicas?|bagpipes?|sitars?|clarinets?|trombones?|mandolins?|xylophones?|marimbas?)\b"),
     "instruments"),
    (re.compile(r"\b(?:sung |lyrics |songs |music |rap |pop )?in (?:spanish|french|german|portuguese|italian|"
                r"japanese|korean|hindi|arabic|russian|turkish|chinese|mandarin)\b|"
                r"\b(?:spanish|french|german|portuguese|italian|japanese|korean|hindi|arabic|russian|turkish|chinese)"
                r"[ -]language\b|\ben (?:espanol|frances|aleman|portugues|italiano|ingles)\b|"
                r"\bem (?:portugues|ingles|espanhol|frances)\b|\ben (?:francais|anglais|espagnol|allemand)\b|"
                r"\bauf (?:deutsch|englisch|franzosisch|spanisch)\b|"
                # "musique française", "French songs", "chansons françaises", "deutsche Lieder", "música francesa"
                r"\b(?:musique|chansons?|musica|canciones|cancoes|musik|lieder|songs?|music|tracks|rap|pop) "
                r"(?:francais|francaises?|francesas?|franceses|franzosische[n]?|espagnoles?|espanolas?|alemanas?|allemandes?|"
                r"italiennes?|italianas?|italienische[n]?|deutsche[n]?|portugaises?)\b|"
                r"\b(?:french|spanish|german|italian|portuguese|japanese|korean|arabic|russian|turkish|chinese|"
                r"francaises?|deutsche[n]?|franzosische[n]?) (?:songs?|music|lyrics|tracks|chansons?|lieder|musik|"
                r"musique|rap|pop)\b"), LYRICS_LANGUAGE),
)
#: Word stems by which a request is about an audio feature (for the "no values of this feature" check).
FEATURE_WORDS: dict[str, tuple[str, ...]] = {
    "danceability": ("danc", "bail", "tanz"), "energy": ("energ",), "valence": ("valence", "mood", "happy", "sad"),
    "tempo": ("bpm", "tempo", "fast", "slow"), "acousticness": ("acoustic", "acustic", "akustisch"),
    "instrumentalness": ("instrumental", "vocal", "lyrics"), "speechiness": ("speech", "spoken", "rap"),
    "liveness": ("live",), "loudness": ("loud", "quiet", "db"), "key": ("key",), "mode": ("major", "minor"),
}
#: Language -> words naming it (English and native spellings, normalized), to find it in requests and label texts.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "spanish": ("spanish", "espanol", "espanhol", "espagnol", "spanisch"),
    "french": ("french", "francais", "frances", "franzosisch"),
    "german": ("german", "deutsch", "aleman", "allemand"),
    "portuguese": ("portuguese", "portugues"),
    "italian": ("italian", "italiano"),
    "japanese": ("japanese", "japones"),
    "korean": ("korean", "coreano"),
    "hindi": ("hindi",),
    "arabic": ("arabic", "arabe"),
    "russian": ("russian", "ruso"),
    "english": ("english", "ingles", "anglais", "englisch"),
}
#: A style is *sparse* below this many live tracks (and this share of the catalog): ≈ a third of one playlist of the
#: shipped catalog (~75 tracks per playlist); fewer cannot fill several pages without padding.
SPARSE_TRACKS = 25
#: Preference weight of a thin style's family genre within the years asked (:meth:`CatalogCoverage.era_family_labels`):
#: under a named label's 1.0, so the style's own few tracks still lead.
ERA_FAMILY_WEIGHT = 1.0
SPARSE_SHARE = 0.001


def _alternation(phrases: Sequence[str]) -> re.Pattern[str]:
    """One regex for many whole-word phrases; longest first, so at any position the longest phrase wins."""
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=lambda p: (-len(p), p)))
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")


_STYLE_OF: dict[str, str] = {p: style for style, phrases in STYLES.items() for p in phrases}
_STYLE_RE = _alternation(list(_STYLE_OF))
_NOT_STYLE_RE = _alternation(NOT_STYLES)


def find_styles(text: str) -> list[tuple[str, str, bool]]:
    """Styles named in ``text``: ``(style, phrase as matched, negated)`` in order of appearance, each style once.

    Longest phrases win and consume their words ("new jack swing" is one style, not "swing"); phrases of
    :data:`NOT_STYLES` ("house party") are removed first. ``negated`` is True when one of :data:`NEGATIONS` stands
    within the three words before the phrase ("no rap", "nada de reggaetón").
    """
    from core.text.language import split_compounds  # "Jazzmusik" names jazz

    norm = " " + split_compounds(normalize_text(text).replace("_", " "), _STYLE_OF.__contains__) + " "
    norm = _NOT_STYLE_RE.sub(lambda m: " " * len(m.group(0)), norm)
    out: list[tuple[str, str, bool]] = []
    seen: set[str] = set()
    for m in _STYLE_RE.finditer(norm):
        phrase = " ".join(m.group(0).split())
        style = _STYLE_OF[phrase]
        if style in seen:
            continue
        seen.add(style)
        before = norm[: m.start()].split()[-3:]
        out.append((style, phrase, any(w in NEGATIONS for w in before)))
    return out


def negated_styles(text: str) -> set[str]:
    """The styles ``text`` negates ("pop but no punk" -> ``{"punk"}``; :func:`find_styles`)."""
    return {style for style, _phrase, negated in find_styles(text) if negated}


@functools.lru_cache(maxsize=50_000)
def _label_styles(text: str) -> tuple[str, ...]:
    """The styles one label text names (cached by text: catalog edits rebuild coverage without rescanning)."""
    return tuple(style for style, _phrase, _neg in find_styles(text))


def _synonym(phrase: str, style: str) -> str:
    """``phrase`` when it names ``style`` in other words ("old school hip hop" for boom bap), so the first line can
    say what the user said; "" when it shares a word with the style name ("country music", "chanson francaise")."""
    return phrase if not set(phrase.split()) & set(normalize_text(style).replace("_", " ").split()) else ""


def no_data_attributes(text: str) -> list[str]:
    """Attributes the request asks for that audio features cannot express ("the singer's gender", "instruments")."""
    norm = normalize_text(text)
    return [name for rx, name in NO_DATA if rx.search(norm)]


@dataclass(frozen=True)
class StyleCount:
    """How many live tracks of the loaded catalog carry a style (by label text), and the labels that matched."""

    style: str
    tracks: int
    labels: tuple[str, ...]


@dataclass(frozen=True)
class StyleEvidence:
    """What the loaded catalog holds for one style beyond its genre labels (:meth:`CatalogCoverage.evidence`).

    ``tagged``: live tracks whose genre / subgenre label names the style (the only evidence that makes it present,
    unless the catalog has no genre labels at all); ``playlists``: names of playlist labels that name it (a playlist
    called "Jazz Vibes" says nothing of its tracks' style); ``positions``: live tracks that are not tagged but whose
    title, album, artist or playlist names the style ("Tu Amor Me Hace Bien - Salsa Version", album "Pura Salsa");
    ``closest``: the label those tracks carry most (subgenre, else genre; "" when none) — the honest "closest:".
    """

    style: str
    tagged: int
    playlists: tuple[str, ...]
    positions: tuple[int, ...]
    closest: str
    family: str = ""  # set when ``closest`` is the label of the style's family (boom bap -> hip hop), not look-alikes
    #: playlists that hold the style by their artists' script (:mod:`core.style_scripts`: "K-Party Dance Mix")
    scene: tuple[str, ...] = ()


#: Evidence tracks needed before the reply names a closest label or answers from them (fewer is noise: one title
#: with "Salsa" in it is not a style).
MIN_EVIDENCE = 3
#: Share of a missing style's look-alike tracks that must carry one label for it to be named as the closest.
CLOSEST_SHARE = 0.4
#: ... and be this many times more frequent among them than across the catalog (a label half the catalog carries
#: says nothing). 8 separates, on the shipped catalog, salsa -> tropical (lift 17) and jazz -> neo soul (9.5) from
#: country -> southern hip hop (7: albums called "Country Grammar").
CLOSEST_LIFT = 8.0


class CatalogCoverage:
    """What one loaded :class:`TrackTable` holds: style track counts (from its labels), artists, years, features.

    Built lazily per table version (``CatalogCoverage.for_table``); label scanning is one regex pass per style phrase
    over the distinct label texts (~2k on the shipped catalog, a few ms).
    """

    def __init__(self, table: TrackTable) -> None:
        self.table = table
        self.version = table.version
        alive = table.alive_positions()
        self.n_live = int(len(alive))
        self.labelled = any(table.label_tracks.get(lid) for lid in range(len(table.label_names)))
        years = table.year[alive] if len(alive) else np.zeros(0, dtype=np.int16)
        years = years[years > 0]
        self.year_range: tuple[int, int] | None = (int(years.min()), int(years.max())) if len(years) else None
        self._years = np.sort(years.astype(np.int32))
        feats = table.features[alive] if len(alive) else np.zeros((0, len(FEATURE_INDEX)))
        self.constant_features = {
            name for name, i in FEATURE_INDEX.items() if len(feats) >= 2 and float(np.std(feats[:, i])) < 1e-9
        }
        self._style_map: dict[str, list[int]] | None = None  # see _style_labels: scanned on first read
        self._counts: dict[str, StyleCount] = {}
        self._members: dict[str, frozenset[int]] = {}
        #: True when some live track carries a genre or subgenre label: then only those make a style present
        self.genre_labelled = any(
            table.label_tracks.get(lid) for lid, (kind, _) in enumerate(table.label_names) if kind != "playlist")
        self._texts: list[str] | None = None
        self._evidence: dict[str, StyleEvidence] = {}

    @classmethod
    def for_table(cls, table: TrackTable, cached: CatalogCoverage | None) -> CatalogCoverage:
        """``cached`` when it still describes ``table`` (same object and version), else a fresh one."""
        if cached is not None and cached.table is table and cached.version == table.version:
            return cached
        return cls(table)

    @property
    def _style_labels(self) -> dict[str, list[int]]:
        """style -> label ids whose text names it (:meth:`_scan_labels`), scanned on first read: a request that names
        no style (a one-shot "/recommend chill study music") never scans the ~2k label texts."""
        if self._style_map is None:
            self._style_map = self._scan_labels()
        return self._style_map

    def prepare(self) -> None:
        """Scan the label texts now (a long-running process's warm-up), not on its first request that names a style."""
        _ = self._style_labels

    def _scan_labels(self) -> dict[str, list[int]]:
        """style -> label ids whose text names it (longest phrases consume their words first)."""
        out: dict[str, list[int]] = {}
        for lid, (_kind, text) in enumerate(self.table.label_names):
            if not self.table.label_tracks.get(lid):
                continue
            for style in _label_styles(text):
                out.setdefault(style, []).append(lid)
        return out

    def style_count(self, style: str) -> StyleCount:
        """Live tracks carrying a label that names ``style`` (a key of :data:`STYLES`). When the catalog has genre /
        subgenre labels, a playlist's NAME counts only for its tracks whose own genre labels name the style or its
        :data:`PARENT` ("Jazz Vibes" holds lo-fi hip hop, not jazz); without any genre labels, every label counts."""
        if style not in self._counts:
            lids = self._style_labels.get(style, [])
            members: set[int] = set()
            family = {style, PARENT.get(style, style)}
            for lid in lids:
                tracks = self.table.label_tracks.get(lid, set())
                if self.genre_labelled and self.table.label_names[lid][0] == "playlist" and len(
                        _label_styles(self.table.label_names[lid][1])) >= MIX_STYLES:
                    continue  # "Fresh EDM | Progressive House | … | Deep House": a mix names styles, it holds none
                if self.genre_labelled and self.table.label_names[lid][0] == "playlist":
                    tracks = {p for p in tracks if self._genre_styles(p) & family}  # a name is no label
                members |= tracks
            members = {p for p in members if self.table.alive[p]}
            names = tuple(dict.fromkeys(self.table.label_names[lid][1] for lid in lids))[:5]
            self._counts[style] = StyleCount(style, len(members), names)
            self._members[style] = frozenset(members)
        return self._counts[style]

    def _genre_styles(self, p: int) -> set[str]:
        """The styles named by track ``p``'s own genre / subgenre labels."""
        t = self.table
        return {st for lid in t.labels[p] if t.label_names[lid][0] != "playlist"
                for st in _label_styles(t.label_names[lid][1])}

    def _track_texts(self) -> list[str]:
        """Per position: normalized "title | album | artists" (built once per coverage object, ~28k strings)."""
        if self._texts is None:
            t = self.table
            self._texts = [
                " " + normalize_text(f"{t.titles[p]} | {t.albums[p] or ''} | {' '.join(t.artists[p])}") + " "
                if t.alive[p] else "" for p in range(t.n)
            ]
        return self._texts

    def evidence(self, style: str) -> StyleEvidence:
        """What the catalog holds for ``style`` (a key of :data:`STYLES`) besides its tag count: tracks whose title,
        album, artist or playlist names it, and the label they carry most (see :class:`StyleEvidence`). Computed
        from the loaded catalog only; cached per catalog version."""
        if style in self._evidence:
            return self._evidence[style]
        t = self.table
        tagged_count = self.style_count(style)
        tagged: set[int] = set()
        family = {style, PARENT.get(style, style)}
        for lid in self._style_labels.get(style, []):
            tracks = t.label_tracks.get(lid, set())
            if self.genre_labelled and t.label_names[lid][0] == "playlist":
                tracks = {p for p in tracks if self._genre_styles(p) & family}
            tagged |= tracks
        playlists = tuple(dict.fromkeys(t.label_names[lid][1] for lid in sorted(
            (lid for lid in self._style_labels.get(style, []) if t.label_names[lid][0] == "playlist"),
            key=lambda lid: -len(t.label_tracks.get(lid, ())))))  # the largest playlists first
        rx = _alternation(STYLES.get(style, (style,)))
        named = {p for p, text in enumerate(self._track_texts())
                 if text and rx.search(text) and rx.search(_NOT_STYLE_RE.sub(" ", text))}  # not "Country Roads"
        for lid in self._style_labels.get(style, []):
            if t.label_names[lid][0] == "playlist":
                named |= t.label_tracks.get(lid, set())
        scene = tuple(script_playlists(t, style)) if not tagged_count.tracks else ()  # "K-Party Dance Mix"
        for lid in scene:
            named |= t.label_tracks.get(lid, set())
        positions = tuple(sorted(p for p in named - tagged if t.alive[p]))
        closest = ""
        if len(positions) >= MIN_EVIDENCE:
            counts: dict[tuple[str, str], int] = {}
            artists: dict[tuple[str, str], set[int]] = {}
            for p in positions:
                for lid in t.labels[p]:
                    kind, label = t.label_names[lid]
                    if kind in ("subgenre", "genre"):
                        counts[(kind, label)] = counts.get((kind, label), 0) + 1
                        artists.setdefault((kind, label), set()).update(t.artist_ids[p][:1])
            # a label counts as the closest only when the look-alikes agree on it: at least CLOSEST_SHARE of them,
            # by MIN_EVIDENCE artists or more (five versions of one "Country Grammar" are no country scene)
            # and far more often than across the catalog (lift ≥ CLOSEST_LIFT: "Country Grammar" albums are hip hop)
            live = max(self.n_live, 1)
            # (in a small catalog where the label is a third of everything, a lift of 3 is all there can be: the
            # bar is then 0.8 of the largest possible lift)
            def lifted(k: tuple[str, str], c: int) -> bool:
                share = max(len(t.label_tracks.get(t.label_index[k], ())) / live, 1e-9)
                return (c / len(positions)) / share >= min(CLOSEST_LIFT, 0.8 / share)

            kin = {t.label_names[lid] for lid in self._family_lids(style)}  # boom bap: a hip-hop label or none
            ok = [(k, c) for k, c in counts.items()
                  if c >= CLOSEST_SHARE * len(positions) and len(artists[k]) >= MIN_EVIDENCE and lifted(k, c)
                  and (not kin or k in kin)]
            if ok:  # subgenre first (the most specific reliable label), then the most frequent
                closest = max(ok, key=lambda kv: (kv[0][0] == "subgenre", kv[1]))[0][1]
        family = ""
        if not closest and tagged_count.tracks == 0:
            closest = self.family_label(style, positions)
            family = PARENT.get(style, "") if closest else ""
        ev = StyleEvidence(style, tagged_count.tracks, playlists, positions, closest, family,
                           tuple(t.label_names[lid][1] for lid in scene))
        self._evidence[style] = ev
        return ev

    def _family_lids(self, style: str) -> list[int]:
        """Genre / subgenre label ids of the loaded catalog that name ``style``'s family (:data:`PARENT`) or a style of
        that family ("southern hip hop", "gangster rap" for boom bap); [] without a family or such labels."""
        parent = PARENT.get(style)
        if not parent:
            return []
        t = self.table
        out: list[int] = []
        for lid, (kind, text) in enumerate(t.label_names):
            if kind == "playlist" or not t.label_tracks.get(lid):
                continue
            named = set(_label_styles(text))
            if parent in named or any(PARENT.get(st) == parent for st in named):
                out.append(lid)
        genres = {lid for lid in out if t.label_names[lid][0] == "genre"}
        for lid, (kind, _text) in enumerate(t.label_names):  # subgenres filed under a family genre ("tropical": latin)
            if kind != "subgenre" or lid in out or not t.label_tracks.get(lid) or not genres:
                continue
            counts: dict[int, int] = {}
            for p in t.label_tracks[lid]:
                for g in t.labels[p]:
                    if t.label_names[g][0] == "genre":
                        counts[g] = counts.get(g, 0) + 1
            if counts and max(counts, key=lambda g: counts[g]) in genres:
                out.append(lid)
        return out

    def family_label(self, style: str, positions: Sequence[int] = ()) -> str:
        """The catalog label nearest to a ``style`` it has no tags for, by the style's family (:data:`PARENT`:
        boom bap -> hip hop, disco -> pop): among the genre / subgenre labels of the loaded catalog that name the
        family (or a style whose parent it is), the one most of ``positions`` (the style's look-alike tracks) carry,
        else a subgenre named exactly like the family ("hip hop"), else the family's largest subgenre, else its genre.
        "" when the family has no label here (or the style has no family). Computed from the loaded catalog."""
        parent = PARENT.get(style, "")
        t = self.table
        members = [(lid, *t.label_names[lid]) for lid in self._family_lids(style)]  # (label id, kind, text)
        if not members:
            return ""
        if positions:
            inside = {lid: sum(1 for p in positions if lid in t.labels[p]) for lid, _k, _t in members}
            lid, n = max(inside.items(), key=lambda kv: (kv[1], t.label_names[kv[0]][0] == "subgenre"))
            if n >= MIN_EVIDENCE and n >= CLOSEST_SHARE * len(positions):
                return t.label_names[lid][1]
        exact = [m for m in members if m[1] == "subgenre" and normalize_text(m[2]) in STYLES.get(parent, (parent,))]
        subs = exact or [m for m in members if m[1] == "subgenre"] or members
        return max(subs, key=lambda m: len(t.label_tracks.get(m[0], ())))[2]

    def evidence_reason(self, style: str, p: int) -> Reason:
        """Why track ``p`` is offered for a missing ``style``: which of its own texts names the style (checkable), as
        a :class:`~core.models.Reason` of kind ``evidence`` (worded by :func:`core.explain.format_reason`: "closest
        alternative: its title names salsa")."""
        t = self.table
        rx = _alternation(STYLES.get(style, (style,)))
        for what, text in (("title", t.titles[p]), ("album", t.albums[p] or ""), ("artist", " ".join(t.artists[p]))):
            if rx.search(" " + normalize_text(text) + " "):
                return Reason(kind="evidence", feature=what, label=style)
        scene = set(self.evidence(style).scene)
        for lid in t.labels[p]:
            kind, label = t.label_names[lid]
            if kind == "playlist" and (style in _label_styles(label) or label in scene):
                return Reason(kind="evidence", feature="playlist", label=label)
        return Reason(kind="evidence", feature="labels", label=style)

    def label_negated(self, kind: str, label: str, negated: set[str]) -> bool:
        """True when the catalog label ``(kind, label)`` stands for a style the request negates (``negated``, keys of
        :data:`STYLES`): its text names one as whole words ("neo soul" for "no soul") or one's family
        (:data:`PARENT`), or — a subgenre whose name says nothing ("indie poptimism") — most of its tracks carry a
        genre label that does ("pop")."""
        if not negated:
            return False
        named = set(_label_styles(label)) | {PARENT.get(st, "") for st in _label_styles(label)}
        if named & negated or any(self.names_style(st, label) for st in negated):
            return True
        lid = self.table.label_index.get((kind, label))
        members = self.table.label_tracks.get(lid, set()) if lid is not None and kind == "subgenre" else set()
        hits = sum(1 for p in members if self._genre_styles(p) & negated)
        return bool(members) and hits * 2 > len(members)

    def carries_negated(self, p: int, negated: set[str]) -> bool:
        """True when track ``p``'s own genre or subgenre labels stand for a negated style (:meth:`label_negated`)."""
        t = self.table
        return bool(negated) and any(self.label_negated(*t.label_names[lid], negated) for lid in t.labels[p]
                                     if t.label_names[lid][0] != "playlist")

    def names_style(self, style: str, text: str) -> bool:
        """True when ``text`` names ``style`` as a whole word or phrase (its :data:`STYLES` phrases)."""
        return bool(_alternation(STYLES.get(style, (style,))).search(" " + normalize_text(text) + " "))

    def is_sparse(self, count: int) -> bool:
        """True when ``count`` tracks are too few to answer a style request with (see :data:`SPARSE_TRACKS`)."""
        return count < max(SPARSE_TRACKS, int(SPARSE_SHARE * self.n_live))

    def tracks_in_years(self, lo: int | None, hi: int | None) -> int:
        """Live tracks whose year lies in ``[lo, hi]`` (None = open end); tracks without a year are not counted."""
        a = 0 if lo is None else int(np.searchsorted(self._years, lo, "left"))
        b = len(self._years) if hi is None else int(np.searchsorted(self._years, hi, "right"))
        return max(0, b - a)

    # ------------------------------------------------------------------ checks
    def era_family_labels(self, text: str, filters: Filters | None) -> dict[str, float]:
        """Label preferences (``{"genre:r&b": 0.8}``) for the styles ``text`` names that the catalog holds too few of
        in the years ``filters`` asks (:meth:`is_sparse`, as the first line then says) while their family's genre
        label (:data:`PARENT`) holds at least :data:`SPARSE_TRACKS` tracks there: "60s soul and motown" is the
        1960s r&b (The Supremes, Sam Cooke, Wilson Pickett, Percy Sledge) — the catalog files classic soul as r&b and
        its soul labels are neo soul — not classic rock. {} without years, labels or such a style."""
        if filters is None or (filters.year_min is None and filters.year_max is None) or not self.genre_labelled:
            return {}
        lo, hi = filters.year_min, filters.year_max
        t = self.table
        years = t.year

        def in_years(positions: Iterable[int]) -> int:
            return sum(1 for p in positions if t.alive[p] and years[p] > 0 and (lo is None or years[p] >= lo)
                       and (hi is None or years[p] <= hi))

        out: dict[str, float] = {}
        for style, _phrase, negated in find_styles(text):
            parent = PARENT.get(style, "")
            lid = t.label_index.get(("genre", parent)) if parent and not negated else None
            if lid is None or not self.is_sparse(in_years(self._members.get(style, ()))):
                continue
            if in_years(t.label_tracks.get(lid, ())) >= SPARSE_TRACKS:
                out[f"genre:{parent}"] = ERA_FAMILY_WEIGHT
        return out

    def check_request(self, text: str, filters: Filters | None = None,
                      targets: Sequence[str] = (), anchor: str = "") -> list[CoverageNote]:
        """Notes for what ``text`` asks and this catalog lacks: styles (missing / sparse / unlabelled catalog), the
        year range in ``filters``, attributes without data, and targeted features the catalog has no values for.
        ``anchor``: the display name of a resolved "like X" of the same request ("k-pop like BTS"); a missing or
        sparse style is then answered from X (``CoverageNote.via``), and the line says so instead of "no k-pop".

        Styles the request negates ("no rap") are not checked. ``alternative`` is left empty (see
        :func:`describe_alternative`, filled once the tracks are known).
        """
        notes: list[CoverageNote] = []
        era_asked = filters is not None and (filters.year_min is not None or filters.year_max is not None)
        era_held = era_asked and self.tracks_in_years(filters.year_min, filters.year_max) > 0
        against = negated_styles(text)
        for style, phrase, negated in find_styles(text):
            if negated:
                continue
            if not self.labelled:
                notes.append(CoverageNote(requested=style, kind="unlabelled"))
                continue
            count = self.style_count(style).tracks
            if count == 0:
                ev = self.evidence(style)
                closest = ev.closest if len(ev.positions) >= MIN_EVIDENCE or ev.family else ""
                if closest and any(self.label_negated(k, closest, against) for k in ("subgenre", "genre")):
                    closest = ""  # "gospel but no soul": the negated style is never named as the closest
                notes.append(CoverageNote(requested=style, asked=_synonym(phrase, style), kind="missing",
                                          found_count=len(ev.positions),
                                          closest=closest, family=ev.family if closest else "",
                                          playlists=list(ev.playlists[:2]),
                                          scene=list(ev.scene[:2]), via=anchor))
                continue
            if self.is_sparse(count):
                notes.append(CoverageNote(requested=style, asked=_synonym(phrase, style), kind="sparse",
                                          found_count=count, via=anchor))
            elif self.genre_labelled and not anchor and self._playlists_only(style):
                # "metal": the catalog's genres don't name it, a playlist does ("Progressive Rock / Metal")
                t = self.table
                names = sorted((lid for lid in self._style_labels.get(style, [])),
                               key=lambda lid: -len(t.label_tracks.get(lid, ())))
                notes.append(CoverageNote(requested=style, asked=_synonym(phrase, style), kind="playlists_only",
                                          found_count=count, playlists=[t.label_names[lid][1] for lid in names[:2]]))
            elif era_held:
                # "punk rock from the 70s": the style is here, but maybe not in those years (an era the catalog
                # holds nothing from is said once, below, not per style)
                lo, hi = filters.year_min, filters.year_max
                years = self.table.year
                n = sum(1 for p in self._members.get(style, ()) if years[p] > 0 and (lo is None or years[p] >= lo)
                        and (hi is None or years[p] <= hi))
                if self.is_sparse(n):
                    notes.append(CoverageNote(requested=f"{style} from {year_span(lo, hi)}",
                                              kind="missing" if n == 0 else "sparse", found_count=n, via=anchor))
        if era_asked and not era_held:
            notes.append(CoverageNote(requested=year_span(filters.year_min, filters.year_max), kind="era",
                                      found_count=0))
        for attribute in no_data_attributes(text):
            if attribute == LYRICS_LANGUAGE and self._language_labelled(text):
                continue  # the catalog's own labels name that language ("Pop En Español"): the labels answer it
            notes.append(CoverageNote(requested=attribute, kind="no_data"))
        norm = normalize_text(text)
        for name in targets:  # a feature the request is about, which this catalog carries no values of
            if name in self.constant_features and any(w in norm for w in FEATURE_WORDS.get(name, (name,))):
                notes.append(CoverageNote(requested=name, kind="no_data"))
        # the catalog-wide "no labels" statement once, first
        unlabelled = [n for n in notes if n.kind == "unlabelled"]
        if len(unlabelled) > 1:
            joined = " or ".join(n.requested for n in unlabelled[:3])
            notes = [CoverageNote(requested=joined, kind="unlabelled")] + [n for n in notes if n.kind != "unlabelled"]
        return sort_notes(notes)

    def playlist_members(self, style: str) -> np.ndarray:
        """Live positions of the playlists whose titles name ``style`` (sorted ``(m,)`` int64; empty without)."""
        members: set[int] = set()
        for lid in self._style_labels.get(style, []):
            if self.table.label_names[lid][0] == "playlist":
                members |= self.table.label_tracks.get(lid, set())
        return np.asarray(sorted(p for p in members if self.table.alive[p]), dtype=np.int64)

    def _playlists_only(self, style: str) -> bool:
        """True when only playlist titles name ``style`` in this catalog (no genre / subgenre label does)."""
        lids = self._style_labels.get(style, [])
        if not lids or any(self.table.label_names[lid][0] != "playlist" for lid in lids):
            return False
        rx = _alternation(STYLES.get(style, (style,)))  # "neo soul" is a label of soul, "hard rock" of rock
        return not any(kind != "playlist" and self.table.label_tracks.get(lid) and rx.search(normalize_text(text))
                       for lid, (kind, text) in enumerate(self.table.label_names))

    def _language_labelled(self, text: str) -> bool:
        """True when a language the request names also appears in one of this catalog's label texts."""
        norm = " " + normalize_text(text) + " "
        wanted = {w for words in LANGUAGES.values() for w in words if f" {w} " in norm}
        if not wanted:
            return False
        names = {lang for lang, words in LANGUAGES.items() if wanted & set(words)}
        words = {w for lang in names for w in LANGUAGES[lang]}
        return any(
            f" {w} " in f" {normalize_text(text_)} "
            for lid, (_k, text_) in enumerate(self.table.label_names) if self.table.label_tracks.get(lid)
            for w in words
        )

    def relaxed_years(self, filters: Filters) -> Filters:
        """``filters`` with a year range the catalog has nothing in moved to the nearest decade it does have."""
        if self.year_range is None:
            return filters.model_copy(update={"year_min": None, "year_max": None})
        first, last = self.year_range
        if filters.year_max is not None and filters.year_max < first:
            return filters.model_copy(update={"year_min": None, "year_max": first + 9})
        if filters.year_min is not None and filters.year_min > last:
            return filters.model_copy(update={"year_min": last - 1, "year_max": None})
        return filters.model_copy(update={"year_min": None, "year_max": None})


#: Feature words for describing an alternative by its tracks' mean values (0–1 features; thresholds near the
#: shipped catalog's quartiles: energy 0.58/0.72/0.84, valence 0.33/0.51/0.70, acousticness 0.01/0.08/0.26).
#: How :func:`describe_alternative` says most picks come from one asked-for playlist; the family guess ("closest:
#: indie poptimism") is then left out of the first line, as the picks are not from it.
FROM_PLAYLIST = ", mostly from the playlist "


def describe_alternative(table: TrackTable, tracks: Sequence[RecommendedTrack], limit: int = 10) -> str:
    """A short, checkable description of what was offered instead: measured on the tracks themselves
    ("calm, acoustic tracks, mostly indie poptimism"); empty when there are no tracks."""
    if not tracks:
        return ""
    pos = [table.pos[t.track.track_id] for t in tracks[:limit] if t.track.track_id in table.pos]
    if not pos:
        return ""
    mean = table.features[pos].mean(axis=0)

    def f(name: str) -> float:
        return float(mean[FEATURE_INDEX[name]])

    words: list[str] = []
    if f("energy") < 0.45:
        words.append("calm")
    elif f("energy") > 0.8:
        words.append("high-energy")
    if f("valence") < 0.33:
        words.append("dark")
    elif f("valence") > 0.68:
        words.append("upbeat")
    if f("acousticness") > 0.5:
        words.append("acoustic")
    if f("instrumentalness") > 0.5:
        words.append("instrumental")
    if f("danceability") > 0.74:
        words.append("danceable")
    if f("speechiness") > 0.3:
        words.append("rap-heavy")
    if f("tempo") < 95:
        words.append("slow")
    counts: dict[str, int] = {}
    for t in tracks[:limit]:  # the genre shown next to each track, so "mostly X" can be checked on the list
        if t.track.shown_genre:
            counts[t.track.shown_genre] = counts.get(t.track.shown_genre, 0) + 1
    head = ", ".join(words[:3]) + " tracks" if words else "tracks with the closest sound"
    playlists: dict[str, int] = {}  # the asked-for playlist most picks come from ("K-Party Dance Mix" for k-pop)
    for t in tracks[:limit]:
        for name in {r.label for r in t.reasons if r.kind == "asked_label" and r.feature == "playlist" and r.label}:
            playlists[name] = playlists.get(name, 0) + 1
    if playlists:
        name, n = max(playlists.items(), key=lambda kv: kv[1])
        if n * 2 >= len(tracks[:limit]) and n >= 2:
            from core.text.wording import short_playlist_name

            short = short_playlist_name(name)
            return (", ".join(words[:3]) + " tracks" if words else "tracks") + f"{FROM_PLAYLIST}“{short}”"
    if counts:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        label, n = ranked[0]
        if n * 2 >= len(tracks[:limit]) and n >= 2:  # "mostly" = at least half of the tracks shown
            head += f", mostly {label}"
        elif len(ranked) > 1 and (n + ranked[1][1]) * 2 >= len(tracks[:limit]) and ranked[1][1] >= 2:
            head += f", mostly {label} / {ranked[1][0]}"  # two genres hold half: both named, never a vague "sound"
    return head


def coverage_line(note: CoverageNote) -> str:
    """The plain-text first line of a reply for ``note`` (adapters add their own emphasis)."""
    if note.kind == "missing" and note.family and FROM_PLAYLIST in note.alternative:
        note = note.model_copy(update={"family": "", "closest": ""})  # the picks are not from the family's label
    if note.kind == "playlists_only":
        return playlists_only_line(note)
    if note.lang != "en":  # the request's language (core.text.wording: es, pt, fr, de), same facts
        from core.text.wording import coverage_line_in

        line = coverage_line_in(note, note.lang)
        if line:
            return line
    if note.asked and " from " not in note.requested:  # the user's words, not the vocabulary's style name
        note = note.model_copy(update={"requested": note.asked})
    alt = note.alternative
    tail = f" — here's the closest: {alt}" if alt else ""
    if note.kind in ("missing", "sparse") and note.via:  # "k-pop like BTS": the anchor is the evidence
        what = "no label" if note.kind == "missing" else f"only {counted(note.found_count, '1 track', 'n tracks')} labelled"
        return (f"This catalog has {what} {'naming ' if note.kind == 'missing' else ''}{note.requested}, so these go "
                f"by {note.via}'s sound and playlists" + (f": {alt}." if alt else "."))
    if note.kind == "missing" and " from " in note.requested and not (note.closest or note.playlists):
        # "no punk from 1970–1979": no track of those years is tagged with the style (some may still sound like it)
        return f"This catalog has no tracks tagged {note.requested}{tail}."
    if note.kind == "missing":
        said = _evidence_words(note)
        if said:  # honest about what there is: "closest: tropical", never the style itself
            return f"This catalog has no music tagged {note.requested} ({said})" + (
                f" — here are alternatives: {alt}." if alt else ".")
        return f"This catalog has no music tagged {note.requested}{tail}."
    if note.kind == "sparse":
        return (f"This catalog has very little {note.requested} ({counted(note.found_count, '1 track', 'n tracks')})"
                + (f" — these are the closest: {alt}." if alt else "."))
    if note.kind == "unlabelled":
        return f"This catalog has no genre labels, so I can't check for {note.requested}" + (
            f" — here's what sounds closest: {alt}." if alt else ".")
    if note.kind == "no_match":
        return f"Nothing in this catalog matches “{note.requested}” — no title, artist or album by that name" + (
            f"; did you mean {alt}?" if alt else ".")
    if note.kind == "closest_match":
        return f"Nothing in this catalog is called “{note.requested}” — the closest match is {note.alternative}."
    if note.kind == "missing_artist":
        return f"There's no artist named {note.requested} in this catalog" + (f" — closest: {alt}." if alt else ".")
    if note.kind == "era":
        return f"This catalog has nothing from {note.requested}" + (f" — here's the closest: {alt}." if alt else ".")
    return f"This catalog has no data on {note.requested}" + (f" — {alt}." if alt else ".")


def year_span(lo: int | None, hi: int | None) -> str:
    """Years as a first line says them: "2030" (one year), "1990–1999", "2015 or later", "1979 or earlier"."""
    if lo and hi:
        return str(lo) if lo == hi else f"{lo}–{hi}"
    return f"{lo} or later" if lo else f"{hi} or earlier"


def _evidence_words(note: CoverageNote) -> str:
    """"closest: tropical; 31 tracks name salsa in their title, album or playlist" / "“Jazz Vibes” is only a
    playlist name" for a missing style with evidence (see :meth:`CatalogCoverage.evidence`); "" without."""
    parts: list[str] = []
    if note.closest and note.family and note.closest == note.family:  # "closest: hip hop" (its own family)
        parts.append(f"closest: {note.closest}")
    elif note.closest and note.family:  # boom bap -> hip hop: the style's family, not look-alike tracks
        parts.append(f"closest: {note.closest}, from the {note.family} family it belongs to")
    elif note.closest:
        parts.append(f"closest: {note.closest}")
        if not note.scene:
            parts.append(f"{note.found_count} tracks name {note.requested} in their title, album or playlist")
    if note.scene:  # "K-Party Dance Mix" names no k-pop: its artists' titles are what says so
        names = " and ".join(f"“{name[:40]}”" for name in note.scene)
        script = SCRIPT_NAMES.get(note.requested, "its script")
        parts.append(f"{names} {'holds' if len(note.scene) == 1 else 'hold'} artists who title songs in {script}")
    from core.text.wording import playlist_mentions

    quoted, more = playlist_mentions(note.playlists)  # a first line names the style briefly, never whole titles
    if quoted:
        names = " and ".join(f"“{shown}”" for shown in quoted)
        parts.append(f"{names} {'is' if len(quoted) == 1 else 'are'} only "
                     f"{'a playlist name' if len(quoted) == 1 else 'playlist names'}")
    if more:
        parts.append(f"{'' if quoted else 'only '}{more} {'other ' if quoted else ''}playlist "
                     f"name{'s' if more != 1 else ''} mention{'s' if more == 1 else ''} it")
    return "; ".join(parts)


def coverage_text(notes: Sequence[CoverageNote]) -> str:
    """The notes' lines joined by spaces: the first with its alternative, up to two more without (the alternative is
    the same tracks); empty when there is nothing to say."""
    if not notes:
        return ""
    rest = [coverage_line(n.model_copy(update={"alternative": ""}) if n.kind != "no_data" else n) for n in notes[1:3]]
    return " ".join([coverage_line(notes[0]), *rest])


def note_key(note: CoverageNote) -> str:
    """What a coverage note is about, as one string (``"missing:jazz"``): the same gap in two replies has one key."""
    return f"{note.kind}:{note.requested}"


def asks_again(note: CoverageNote, text: str) -> bool:
    """True when the message ``text`` itself names what ``note`` says the catalog lacks: the style (not negated,
    :func:`find_styles`), the attribute without data (:func:`no_data_attributes`) or the note's own words."""
    if note.requested in {style for style, _phrase, negated in find_styles(text) if not negated}:
        return True
    if note.requested.partition(" from ")[0] in {style for style, _p, negated in find_styles(text) if not negated}:
        return True
    if note.requested in no_data_attributes(text):
        return True
    said = normalize_text(note.asked or note.requested)
    return bool(said) and f" {said} " in f" {normalize_text(text)} "


def unsaid_notes(notes: Sequence[CoverageNote], said: Sequence[str], text: str) -> list[CoverageNote]:
    """``notes`` without those a reply of the same request already said (``said``: their :func:`note_key`), unless
    the message ``text`` asks for that again ("jazz again"): a gap is said once per request, not on every follow-up
    ("less upbeat", "more like #3", "more")."""
    done = set(said)
    return [n for n in notes if note_key(n) not in done or asks_again(n, text)]


def sort_notes(notes: Sequence[CoverageNote]) -> list[CoverageNote]:
    """Most telling first: a missing style, an unlabelled catalog, a missing artist, an era, a sparse style, no data."""
    order = {"missing": 0, "unlabelled": 1, "missing_artist": 2, "no_match": 2, "closest_match": 2, "era": 3, "sparse": 4,
             "playlists_only": 4, "no_data": 5}
    return sorted(notes, key=lambda n: order[n.kind])


def artist_suggestions(table: TrackTable, name: str, n: int = 3) -> list[str]:
    """Up to ``n`` catalog artist names close to ``name`` (rapidfuzz ``ratio`` ≥ 75), display spelling."""
    from rapidfuzz import fuzz, process

    key = normalize_text(name)
    out: list[str] = []
    for _, _, aid in process.extract(key, table.artist_names, scorer=fuzz.ratio, limit=n * 2, score_cutoff=75):
        members = table.artist_tracks.get(aid)
        if not members:
            continue
        p = next(iter(members))
        display = next((d for d, a in zip(table.artists[p], table.artist_ids[p]) if a == aid), table.artist_names[aid])
        if display not in out:
            out.append(display)
    return out[:n]


def search_closeness(table: TrackTable, pos: int, query: str) -> float:
    """0–100: how closely ``query`` names track ``pos`` as a whole — rapidfuzz ``ratio`` against each of its artist
    names (also without a leading "the"), its title (also without a version suffix) and "title artist"
    (order-insensitive); a partial-word overlap scores low."""
    from rapidfuzz import fuzz

    from core.catalog import base_title
    from core.search_rank import name_keys

    q = normalize_text(query)
    title = normalize_text(table.titles[pos])
    names = [table.artist_names[a] for a in table.artist_ids[pos]]
    # each artist also without a leading "the" ("beatels" ≈ "beatles"), the title without its version suffix
    # ("bohemian rapsody" ≈ "Bohemian Rhapsody - 2011 Mix")
    scores = [fuzz.ratio(q, k) for n in names for k in name_keys(n)]
    scores += [fuzz.ratio(q, title), fuzz.ratio(q, base_title(table.titles[pos]))]
    scores.append(fuzz.token_sort_ratio(q, f"{title} {' '.join(names)}"))
    return float(max(scores))


def text_is_gap_and_summary(text: str, rec: Recommendation) -> bool:
    """True when a chat reply's ``text`` says nothing beyond the recommendation's coverage line(s) and summary (as
    :meth:`core.chat.ChatService.chat` writes it), so an adapter can render the list alone — the gap first — without
    repeating the summary."""
    gap = coverage_text(rec.coverage)
    said = (text or "").strip()
    return bool(gap) and said in (gap, f"{gap}\n{rec.summary}".strip())


#: A run of 2–4 capitalised words (names: "Luke Combs", "Maria Callas", "João Gilberto"), joiners allowed inside.
_CAPS_RUN = re.compile(r"(?<![\w'])((?:[A-ZÀ-ÖØ-Þ][\w'’.&-]*)(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’.&-]*|de|da|do|dos|del|la|le|van|"
                       r"von|der|di)){1,3})")

#: Name particles a run of capitalised words may end with that belong to the words after it ("Coldplay de 2005").
_TRAILING_PARTICLES = re.compile(r"(?:\s+(?:de|da|do|dos|del|la|le|van|von|der|di))+$")


def partial_artist_matches(text: str, artists: Sequence[str], table: TrackTable) -> list[tuple[str, str]]:
    """``(name as written, catalog artist)`` pairs where the request names someone ("Luke Combs", "Maria Callas")
    whom no catalog artist is called, but a catalog artist sharing part of the name ("Luke", "MARIA") was matched
    for it — a substitution the reply must not make silently.

    A run of capitalised words at the start of a sentence loses its first word ("Like The Weeknd" is not a name).
    """
    out: list[tuple[str, str]] = []
    keys = {normalize_text(a): a for a in artists}
    for m in _CAPS_RUN.finditer(text):
        run = m.group(1)
        head = text[: m.start()].rstrip()
        if not head or head[-1] in ".!?:;¡¿\n":
            run = run.split(None, 1)[1] if " " in run else ""
        run = _TRAILING_PARTICLES.sub("", run.strip(" .,;:!?'’"))  # "Coldplay de 2005": the name is "Coldplay"
        key = normalize_text(run)
        if len(key.split()) < 2 or key in table.artist_index:
            continue
        lead = lead_act(table, key)  # "Bob Marley" is the lead of "Bob Marley & The Wailers": that act, no substitute
        led = table.artist_names[lead] if lead is not None else None
        words = set(key.split())
        out.extend((run, display) for akey, display in keys.items()
                   if akey != key and akey != led and words & set(akey.split()))
    return list(dict.fromkeys(out))


def titled(note: CoverageNote, code: str, lang: str, some: int | None = None) -> CoverageNote:
    """A coverage note of a request answered by song titles in ``code`` (``TextQuery.title_language``,
    :mod:`core.text.language_choice`): the lyrics-language no-data note, or a missing style sung in that language
    (:data:`core.text.title_language.STYLE_LANGUAGES`: "samba"), offers "these are by artists whose song titles are in
    Portuguese" (in the reply language ``lang``; "only 3 of these …" with ``some``) instead of its usual alternative;
    other notes come back unchanged."""
    from core.text.title_language import STYLE_LANGUAGES, by_titles

    if note.kind == "no_data" and note.requested == LYRICS_LANGUAGE:
        return note.model_copy(update={"alternative": by_titles(code, lang, some)})
    if note.kind == "missing" and STYLE_LANGUAGES.get(note.requested) == code:
        return note.model_copy(update={"alternative": by_titles(code, lang, some), "closest": "", "family": "",
                                       "playlists": []})
    return note


#: The first line for a style only playlist titles name, per reply language ({req}: the style as asked, {names}: the
#: quoted short playlist names, {n}: their tracks).
PLAYLISTS_ONLY: dict[str, str] = {
    "en": "This catalog has no genre label for {req} — only playlist titles name it ({names}, {n} tracks).",
    "es": "Este catálogo no tiene ningún género etiquetado {req}: solo lo nombran títulos de listas ({names}, "
          "{n} pistas).",
    "pt": "Este catálogo não tem nenhum gênero rotulado {req}: só títulos de playlists o mencionam ({names}, "
          "{n} faixas).",
    "fr": "Ce catalogue n'a aucun genre étiqueté {req} : seuls des titres de playlists le nomment ({names}, "
          "{n} titres).",
    "de": "Dieser Katalog hat kein Genre-Label {req} — nur Playlist-Titel nennen es ({names}, {n} Titel).",
}


def playlists_only_line(note: CoverageNote) -> str:
    """The first line of a ``playlists_only`` note in its language: the style as the user said it, the playlists'
    short names quoted (:func:`core.text.wording.short_playlist_name`) and how many tracks they hold."""
    from core.text.wording import short_playlist_name

    quoted = [short_playlist_name(p, word=note.requested) for p in note.playlists[:2]]
    more = max(0, len(note.playlists) - 2)
    quote = ("\u00ab {} \u00bb" if note.lang == "fr" else "\u201e{}\u201c" if note.lang == "de" else "\u201c{}\u201d")
    names = ", ".join(quote.format(q) for q in quoted) + (f" +{more}" if more else "")
    form = PLAYLISTS_ONLY.get(note.lang, PLAYLISTS_ONLY["en"])
    return form.format(req=note.asked or note.requested, names=names or "?", n=note.found_count)
