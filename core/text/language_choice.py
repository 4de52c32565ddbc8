"""Which way a request's language is honoured: by the catalog's labels that name it, or by song titles.

A request naming a language or nationality ("rap français", "rock en español", "músicas brasileiras") or a style
sung in one language ("samba", "pagode") is answered, in this order:

1. by **labels** naming the language ("Gangster Rap Deutsch", "Pop En Español": :func:`core.text.caveats.honour_languages`)
   when those labels hold enough tracks of the style the request also names (at least the requested count inside the
   genre filter and years) — "deutscher Hip-Hop" stays with "Gangster Rap Deutsch". When only *scene* labels stand
   for the language (:func:`label_names_language` is false for all of them: "latin", "Latin Pop Songs" for "en
   español" — Chris Brown and Doja Cat sit in latin playlists too), they keep ranking and song titles are added as in 2;
2. else by **song titles** (:mod:`core.text.title_language`): tracks by artists whose titles are in that language rank
   first (``TextQuery.title_language``) when the loaded catalog has at least
   :data:`~core.text.title_language.MIN_ARTISTS` such artists; the request's note then says so ("no data on the
   lyrics' language — these are by artists whose song titles are in French");
3. else nothing is claimed (the no-data note stands).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from core.catalog import normalize_text
from core.models import TextNote
from core.table import TrackTable
from core.text.caveats import NO_DATA
from core.text.language import ATTRIBUTES, NOTE_TEMPLATES
from core.text.title_language import LANGUAGE_CONCEPTS, MIN_ARTISTS, STYLE_LANGUAGES, by_titles, table_languages


def named_language(concepts: Sequence, said: dict[int, str], hints: Sequence[dict[int, float]],
                   kinds: Sequence[str]) -> tuple[str, int]:
    """``(language code, concept id)`` of the first language the request names — a language concept by one of its
    language phrases, or a style of :data:`STYLE_LANGUAGES` the loaded catalog has no genre / subgenre label for
    (``hints[cid]``: label id -> weight; ``kinds``: label kinds) — else ``("", -1)``. Guesses ("≈") don't count."""
    for cid, phrase in said.items():
        if "\u2248" in phrase:
            continue
        name = concepts[cid].name
        code = LANGUAGE_CONCEPTS.get(name)
        if code:
            rule = NO_DATA.get(name)
            words = normalize_text(phrase).split()
            if rule is not None and rule[2] is not None and phrase not in rule[2] and not any(
                    w in rule[2] for w in words):
                continue  # "latin pop" names a style, "en español" a language ("música brasileira" one too)
            return code, cid
        code = STYLE_LANGUAGES.get(name, "")
        if code and not any(w >= 0.9 and kinds[lid] in ("genre", "subgenre") for lid, w in hints[cid].items()):
            return code, cid
    return "", -1


def labels_answer(table: TrackTable | None, label_keys: Sequence[str], genres: Sequence[str],
                  years: tuple[int | None, int | None], need: int, positions: Iterable[int] = ()) -> bool:
    """True when the tracks carrying the language labels ``label_keys`` (``"kind:text"``) — or the given
    ``positions`` — hold at least ``need`` live tracks of the requested ``genres`` (genre / subgenre label texts; any
    when empty) within ``years``."""
    if table is None:
        return True
    members: set[int] = {int(p) for p in positions}
    for key in label_keys:
        kind, _, text = key.partition(":")
        lid = table.label_index.get((kind, text))
        if lid is not None:
            members |= table.label_tracks.get(lid, set())
    if genres:
        styled: set[int] = set()
        for text in genres:
            for kind in ("genre", "subgenre"):
                lid = table.label_index.get((kind, text))
                if lid is not None:
                    styled |= table.label_tracks.get(lid, set())
        members &= styled
    lo, hi = years
    n = sum(1 for p in members if table.alive[p] and (lo is None or table.year[p] >= lo)
            and (hi is None or 0 < table.year[p] <= hi))
    return n >= need


def label_names_language(label: str, phrases: Iterable[str]) -> bool:
    """True when the label's own words name the language: one of its words (accents folded, 4+ letters) begins a
    word of the language's request phrases ``phrases`` ("Trapperz Brasil": "brasil" begins "brasileira"; "Rap
    Français": "francais"), or the other way round. "Latin Pop Songs" names a scene, not Spanish."""

    words = {w for w in normalize_text(label).split() if len(w) >= 4}
    said = {w for phrase in phrases for w in normalize_text(phrase).split() if len(w) >= 4}
    return any(a.startswith(b) or b.startswith(a) for a in words for b in said)


def has_title_language(table: TrackTable | None, code: str) -> bool:
    """True when at least :data:`MIN_ARTISTS` artists of ``table`` title their songs in ``code``."""
    return table is not None and table_languages(table).artists(code) >= MIN_ARTISTS


def titles_note(notes: list[TextNote], code: str, lang: str) -> list[TextNote]:
    """``notes`` with the lyrics-language no-data note saying the titles were used ("… (“français”); these are by
    artists whose song titles are in French."), worded in the request's language ``lang``."""
    out = []
    for n in notes:
        if n.kind == "no_data" and n.subject == "lyrics_language":
            form = NOTE_TEMPLATES["no_data"].get(lang, NOTE_TEMPLATES["no_data"]["en"])
            attribute = ATTRIBUTES["lyrics_language"].get(lang, ATTRIBUTES["lyrics_language"]["en"])
            n = n.model_copy(update={"used": "titles", "text": form.format(
                attribute=attribute, asked=n.asked, instead=by_titles(code, lang))})
        out.append(n)
    return out



#: Words around a language's name in a follow-up that only asks for the language ("in Spanish", "auf Deutsch bitte",
#: "now only French songs", "e em português?"): prepositions, "only", "songs", "please", "now" in the five languages.
_AROUND_LANGUAGE = frozenset(
    """in en auf em na no au im op of the only just solo sólo so nur seulement juste songs song music tracks canciones
    musica musicas cancoes lieder musik chansons musique titres please pls por favor porfa bitte stp svp now ahora
    agora jetzt maintenant instead then but and y e et und mais aber pero same ones las los les die as os""".split())


#: Words around an attribute's name in a follow-up that only names it ("only female singers", "with piano please").
_AROUND_ATTRIBUTE = _AROUND_LANGUAGE | frozenset("with more some a mit con com avec".split())


def attribute_phrase(text: str) -> str:
    """The attribute ("gender", "instrument") when ``text`` names, and names only, an attribute the catalog has no
    data on (:data:`~core.text.caveats.NO_DATA`): "only female singers", "with piano please", "voces femeninas".
    "" otherwise ("sad female singers" names a mood too; "in Spanish" is a language: :func:`language_phrase`)."""
    from core.text.concepts import load_vocabulary

    words = [w for w in normalize_text(text).split() if w not in _AROUND_ATTRIBUTE]
    if not words or len(words) > 3:
        return ""
    vocab = load_vocabulary()
    for cid in vocab.index.get(" ".join(words), ()):
        rule = NO_DATA.get(vocab.concepts[cid].name)
        if rule is not None and rule[0] in ("gender", "instrument"):
            return rule[0]
    return ""


def language_phrase(text: str) -> str:
    """The language code ("es", "de", …) when ``text`` asks for a language of songs and nothing else ("in Spanish",
    "auf Deutsch", "en français por favor", "only Portuguese songs"): its words, folded, are a language concept's
    phrase (:data:`~core.text.title_language.LANGUAGE_CONCEPTS`, by the shared vocabulary) and words of
    :data:`_AROUND_LANGUAGE`. "" otherwise ("sad Spanish songs" names a mood too; "latin" names a style)."""
    from core.text.concepts import load_vocabulary

    words = [w for w in normalize_text(text).split() if w not in _AROUND_LANGUAGE]
    if not words or len(words) > 2:
        return ""
    vocab = load_vocabulary()
    names = {vocab.concepts[cid].name for cid in vocab.index.get(" ".join(words), ())}
    if len(names) != 1:
        return ""
    name = names.pop()
    code = LANGUAGE_CONCEPTS.get(name, "")
    return code if code and " ".join(words) not in ("latin", "latino", "latina") else ""
