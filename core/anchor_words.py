"""What the words around an anchor ask for, and which of them could be applied ("like Drake but more melodic and less
rap": "less rap" is a move on speechiness, "melodic" is nothing the catalog measures).

The anchored path (:meth:`core.app.discovery.Discovery._anchored`) applies the words around "like X" in three ways:
relative moves measured from X (:func:`core.moves.read_moves`), an era move (:func:`core.moves.era_reading`), and what
the text understanding reads in them (``parse(rest)``: feature targets, genre / subgenre labels to prefer or avoid, and
its own no-data notes, e.g. "no data on instruments (“piano”)"). :func:`read_rest` gathers the last two and lists the
comparatives ("more X", "less X", "más X", "moins de X", "weniger X": :data:`core.followup_words.COMPARATIVE_RX`, the
one reader of comparatives) that none of the three applied, so the reply's first line can say so
(:func:`unread_line`) instead of dropping them silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.followup_words import COMPARATIVE_RX, NEGATED_BEFORE
from core.moves import NEWER, OLDER, move_matches, normalized
from core.table import TrackTable

#: A year in a cue's meaning ("2010s → 2010–2019"): the anchored path words its year window itself.
_YEARS = re.compile(r"\b(?:1[89]|20)\d\d\b")
#: A feature target (or a label) the text understanding gives at least this weight counts as asked for (0–1).
MIN_WEIGHT = 0.5


@dataclass
class RestReading:
    """What the words around an anchor ask for beyond the moves.

    ``targets``: feature -> (target in raw units, weight 0–1), features a move already sets left out; ``prefer`` /
    ``avoid``: genre or subgenre label texts ("genre:rap") asked for / against ("less rap", "more rock"); ``cues``:
    the understanding's "phrase → meaning" cues for them (for the summary); ``notes``: its no-data sentences (already
    in the request's language); ``unread``: comparatives nothing applied ("more melodic"), as written (normalized);
    ``implied``: genre / subgenre labels only the move words imply ("heavier" → hard rock, "more aggressive" → hard
    rock and gangster rap) — not asked for as such: the anchored path keeps those of the anchor's own genre family
    (:func:`core.anchor_sound.in_family`), so "heavier than Queen" leans to hard rock and "more aggressive than
    Kendrick Lamar" to gangster rap, never to rock."""

    targets: dict[str, tuple[float, float]] = field(default_factory=dict)
    prefer: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    implied: list[str] = field(default_factory=list)


def _taken(norm: str) -> list[tuple[int, int]]:
    """Spans of ``norm`` (:func:`core.moves.normalized` text) that a move or an era word reads."""
    spans = [m.span() for m, _ in move_matches(norm)]
    spans += [m.span() for rx in (NEWER, OLDER) for m in rx.finditer(norm)]
    return spans


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in taken)


def _asks(parsed: object) -> bool:
    """True when a parse (a :class:`~core.models.TextQuery`) asks for a feature or a genre / subgenre label."""
    from core.models import TextQuery

    if not isinstance(parsed, TextQuery):
        return False
    if any(w >= MIN_WEIGHT for w in parsed.weights.values()):
        return True
    return any(abs(w) >= MIN_WEIGHT and k.split(":", 1)[0] in ("genre", "subgenre") for k, w in parsed.labels.items())


def _safe(parse: Callable[[str], object], text: str) -> object:
    try:
        return parse(text)
    except Exception:  # a phrase the parser refuses (too short, only filler) asks for nothing
        return None


def read_rest(parse: Callable[[str], object], rest: str, deltas: dict[str, float]) -> RestReading:
    """Read the words around an anchor (``rest``) with the text understanding ``parse`` (text -> a
    :class:`~core.models.TextQuery` or a clarification); ``deltas`` are the moves already read (their features are
    left to them). Pure apart from ``parse``. An empty reading when ``rest`` has no word."""
    from core.models import TextQuery

    out = RestReading()
    if not re.search(r"\w", rest or ""):
        return out
    norm = normalized(rest)
    taken = _taken(norm)
    free = _outside_moves(parse, rest, norm, taken)
    parsed = _safe(parse, free)
    if free != rest:  # the styles the move words imply ("heavier" → hard rock): kept apart, see RestReading.implied
        whole = _safe(parse, rest)
        if isinstance(whole, TextQuery):
            own = parsed.labels if isinstance(parsed, TextQuery) else {}
            out.implied = [k for k, w in whole.labels.items() if k.split(":", 1)[0] in ("genre", "subgenre")
                           and w >= MIN_WEIGHT and k not in own]
    if isinstance(parsed, TextQuery):
        out.targets = {k: (float(v), float(parsed.weights.get(k, 0.0))) for k, v in parsed.target.items()
                       if parsed.weights.get(k, 0.0) >= MIN_WEIGHT and k not in deltas}
        for key, w in parsed.labels.items():
            if key.split(":", 1)[0] in ("genre", "subgenre") and abs(w) >= MIN_WEIGHT:
                (out.prefer if w > 0 else out.avoid).append(key)
        out.notes = [n.text for n in parsed.notes if n.kind == "no_data" and n.text]
        for cue in parsed.cues:
            phrase, arrow, meaning = cue.partition(" → ")
            if not arrow or cue in out.notes or _YEARS.search(meaning):
                continue  # a year window is said by the anchored path's own year cue ("2010–2019")
            said = normalized(phrase).strip()
            at = norm.find(" " + said + " ")
            if at < 0 or _overlaps((at + 1, at + 1 + len(said)), taken):
                continue  # "darker → low valence": said by the move's own cue ("less upbeat"); a concept's name only
            out.cues.append(cue)
    pos = 0
    while (m := COMPARATIVE_RX.search(norm, pos)) is not None:
        if not (m.group("more") or m.group("less")):
            pos = m.end()
            continue
        word = m.group("word").split()[0]  # "more melodic less soulful": the next comparative is read on its own
        if word in NEGATED_BEFORE:  # "mais plus mélodique": French "but", then the comparative
            pos = m.start("word")
            continue
        end = m.start("word") + len(word)
        pos = end
        if _overlaps((m.start(), end), taken):
            continue
        phrase = norm[m.start(): end].strip()
        if not _asks(_safe(parse, phrase)):
            out.unread.append(_as_written(rest, phrase))
    return out


def _names_a_style(parse: Callable[[str], object], phrase: str) -> bool:
    """True when ``phrase`` (a move's words, normalized) names a genre or subgenre label itself: "less rap" reads as
    genre rap (so rappers leave too), "more aggressive" only implies hard rock and gangster rap."""
    from core.models import TextQuery

    parsed = _safe(parse, phrase)
    if not isinstance(parsed, TextQuery):
        return False
    words = f" {phrase} "
    return any(k.split(":", 1)[0] in ("genre", "subgenre") and abs(w) >= MIN_WEIGHT
               and f" {k.split(':', 1)[1]} " in words for k, w in parsed.labels.items())


def _outside_moves(parse: Callable[[str], object], rest: str, norm: str, taken: list[tuple[int, int]]) -> str:
    """``rest`` for the text understanding without the words a move or an era word reads (``taken``: spans of
    ``norm``): those are moves measured from the anchor ("darker than Daft Punk"), and read again as absolute targets
    they override the anchor instead of moving from it ("darker" as valence 0.18, "softer" as -13 dB, "more
    aggressive" as the hard rock and gangster rap labels). A move whose words name a style itself ("less rap") is kept
    (:func:`_names_a_style`). ``rest`` unchanged when no word is taken."""
    if not taken:
        return rest
    cut = [(a, b) for a, b in sorted(taken) if not _names_a_style(parse, norm[a:b].strip())]
    if not cut:
        return rest
    out, at = [], 0
    for a, b in cut:
        if a >= at:
            out.append(norm[at:a])
            at = b
        else:
            at = max(at, b)
    out.append(norm[at:])
    return " ".join(" ".join(out).split())


def _as_written(text: str, phrase: str) -> str:
    """``phrase`` (normalized words) as ``text`` wrote them ("más melódico" for "mas melodico"), else ``phrase``."""
    from core.catalog import normalize_text

    want = phrase.split()
    tokens = list(re.finditer(r"\w+", text))
    keys = [normalize_text(t.group(0)) for t in tokens]
    for i in range(len(tokens) - len(want) + 1):
        if keys[i: i + len(want)] == want:
            return text[tokens[i].start(): tokens[i + len(want) - 1].end()]
    return phrase


def label_mask(table: TrackTable, keys: list[str]) -> np.ndarray | None:
    """Boolean ``(table.n,)`` mask of tracks carrying any of the label texts ``keys`` ("genre:rap"); None when no key
    names a label of this catalog."""
    wanted = {tuple(k.split(":", 1)) for k in keys}
    ids = [lid for lid, (kind, name) in enumerate(table.label_names) if (kind, name) in wanted]
    if not ids:
        return None
    return table.positions_mask(table.label_tracks.get(lid, ()) for lid in ids)


#: The first line for comparatives around an anchor that nothing could apply, per reply language: {said} the quoted
#: phrases, {name} the anchor.
UNREAD: dict[str, str] = {
    "en": "No data on {said} in this catalog (no audio feature or label measures it), so that part is not applied — "
          "these follow {name}'s sound and the rest of your request.",
    "es": "Este catálogo no tiene datos sobre {said} (ninguna característica de audio ni etiqueta lo mide), así que esa "
          "parte no se aplica: estas siguen el sonido de {name} y el resto de tu petición.",
    "pt": "Este catálogo não tem dados sobre {said} (nenhuma característica de áudio ou rótulo mede isso), então essa "
          "parte não foi aplicada: estas seguem o som de {name} e o resto do pedido.",
    "fr": "Ce catalogue n'a pas de données sur {said} (aucune caractéristique audio ni étiquette ne le mesure) : cette "
          "partie n'est pas appliquée — voici des titres qui suivent le son de {name} et le reste de ta demande.",
    "de": "Dieser Katalog hat keine Daten zu {said} (kein Audio-Merkmal und kein Label misst das), daher bleibt dieser "
          "Teil unberücksichtigt – diese folgen dem Klang von {name} und dem Rest deiner Anfrage.",
}
_QUOTES = {"fr": ("\u00ab ", " \u00bb"), "de": ("\u201e", "\u201c")}
_AND = {"en": "and", "es": "y", "pt": "e", "fr": "et", "de": "und"}


def unread_line(unread: list[str], name: str, lang: str = "en") -> str:
    """The first-line sentence for ``unread`` comparatives (:attr:`RestReading.unread`) around the anchor ``name``, in
    ``lang`` (en/es/pt/fr/de; English for another); "" when nothing was left unread."""
    if not unread:
        return ""
    lang = lang if lang in UNREAD else "en"
    left, right = _QUOTES.get(lang, ("\u201c", "\u201d"))
    quoted = [f"{left}{u}{right}" for u in dict.fromkeys(unread)][:3]
    said = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" {_AND[lang]} {quoted[-1]}"
    return UNREAD[lang].format(said=said, name=name)


#: The first line when a style asked against ("less pop") fills most of the anchor's neighbourhood anyway, per reply
#: language: {name} the anchor, {styles} the label names.
AVOID_HELD: dict[str, str] = {
    "en": "Most tracks near {name} in this catalog are {styles} too, so asking for less of it barely changes the list "
          "— these stay close to {name}'s sound.",
    "es": "La mayoría de las canciones cercanas a {name} en este catálogo también son {styles}, así que pedir menos de "
          "eso apenas cambia la lista: estas siguen cerca del sonido de {name}.",
    "pt": "A maioria das faixas próximas de {name} neste catálogo também é {styles}, então pedir menos disso quase não "
          "muda a lista: estas continuam perto do som de {name}.",
    "fr": "La plupart des titres proches de {name} dans ce catalogue sont aussi {styles} : en demander moins change à "
          "peine la liste — ceux-ci restent proches du son de {name}.",
    "de": "Die meisten Titel in der Nähe von {name} sind in diesem Katalog ebenfalls {styles}, daher ändert weniger "
          "davon die Liste kaum – diese bleiben nah am Klang von {name}.",
}


def avoid_held_line(picks: list[int], avoid: np.ndarray | None, keys: list[str], name: str, lang: str = "en") -> str:
    """The first-line sentence (:data:`AVOID_HELD`) when at least half of ``picks`` (table positions) still carry a
    style asked against (``avoid``: :func:`label_mask` of ``keys``, label texts such as "genre:pop"); "" otherwise."""
    if avoid is None or not picks or sum(1 for p in picks if avoid[p]) * 2 < len(picks):
        return ""
    styles = ", ".join(dict.fromkeys(k.split(":", 1)[-1] for k in keys[:2]))
    return AVOID_HELD[lang if lang in AVOID_HELD else "en"].format(name=name, styles=styles)


#: The first line when fewer than half of an anchored list carry a style asked for ("like Taylor Swift but more rock"),
#: per reply language: {name} the anchor, {styles} the label names, {n} / {k} how many picks carry one of them.
PREFER_THIN: dict[str, str] = {
    "en": "Few tracks near {name} in this catalog are labelled {styles}: {n} of these {k} are, the others lean that "
          "way by sound.",
    "es": "Pocas canciones cercanas a {name} en este catálogo tienen la etiqueta {styles}: {n} de estas {k} la tienen, "
          "las demás se acercan por el sonido.",
    "pt": "Poucas faixas próximas de {name} neste catálogo têm o rótulo {styles}: {n} destas {k} têm, as outras se "
          "aproximam pelo som.",
    "fr": "Peu de titres proches de {name} dans ce catalogue portent l'étiquette {styles} : {n} sur ces {k}, les autres "
          "s'en approchent par le son.",
    "de": "Wenige Titel in der Nähe von {name} tragen in diesem Katalog das Label {styles}: {n} von diesen {k}, die "
          "anderen gehen klanglich in diese Richtung.",
}


def prefer_thin_line(picks: list[int], carry: np.ndarray | None, keys: list[str], name: str, lang: str = "en") -> str:
    """The first-line sentence (:data:`PREFER_THIN`) when fewer than half of ``picks`` (table positions) carry a style
    asked for (``carry``: :func:`label_mask` of ``keys``, label texts such as "genre:rock"): the summary's "rock →
    genre:rock" is then not what most of the list is. "" otherwise, or when no label of ``keys`` is in the catalog."""
    if carry is None or not picks:
        return ""
    n = sum(1 for p in picks if carry[p])
    if n * 2 >= len(picks):
        return ""
    styles = ", ".join(dict.fromkeys(k.split(":", 1)[-1] for k in keys[:2]))
    return PREFER_THIN[lang if lang in PREFER_THIN else "en"].format(name=name, styles=styles, n=n, k=len(picks))


#: The first line when a move around an anchor had to leave its scene (fewer than half of the picks are in the anchor's
#: subgenre or by artists the catalog links to it), per reply language: {name} the anchor (the moves are the title's).
SCENE_LEFT: dict[str, str] = {
    "en": "Few tracks of {name}'s scene here make that move: most of these come from outside it, the closest by sound.",
    "es": "Pocas canciones de la escena de {name} van en esa dirección: la mayoría de estas vienen de fuera, las más "
          "cercanas por sonido.",
    "pt": "Poucas faixas da cena de {name} vão nessa direção: a maioria destas vem de fora dela, as mais próximas pelo "
          "som.",
    "fr": "Peu de titres de la scène de {name} vont dans ce sens : la plupart de ceux-ci viennent d'ailleurs, les plus "
          "proches par le son.",
    "de": "Wenige Titel aus der Szene von {name} gehen in diese Richtung: Die meisten hier kommen von außerhalb, die "
          "klanglich nächsten.",
}


def scene_left_line(picks: list[int], scene: list[np.ndarray | None], own: set[int], table: TrackTable,
                    name: str, cues: list[str], lang: str = "en") -> str:
    """The first-line sentence (:data:`SCENE_LEFT`) when fewer than half of ``picks`` (table positions) are in the
    anchor's scene — a track of one of ``own`` (the anchor's artist ids) or in any of the ``scene`` masks (None =
    unknown); "" otherwise, without moves (``cues``), or when no scene is known."""
    masks = [m for m in scene if m is not None]
    if not picks or not cues or not masks:
        return ""
    inside = sum(1 for p in picks if any(bool(m[p]) for m in masks) or set(table.artist_ids[p]) & own)
    if inside * 2 >= len(picks):
        return ""
    return SCENE_LEFT[lang if lang in SCENE_LEFT else "en"].format(name=name)


__all__ = ["AVOID_HELD", "MIN_WEIGHT", "PREFER_THIN", "SCENE_LEFT", "avoid_held_line", "prefer_thin_line", "UNREAD", "RestReading", "label_mask", "read_rest", "scene_left_line",
           "unread_line"]
