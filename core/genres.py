"""The style shown for a track: the one artist-majority label rule (:func:`artist_label_counts`) behind the genre
next to each track (:func:`display_genre`) and the genre claims of reasons (:func:`core.explain.own_labels`), and
the wording of a catalog label (:func:`shown_label`).

Kept apart from :mod:`core.explain` so the track table can fill ``Track.display_genre`` without importing the
reasons (which import the table).
"""

from __future__ import annotations

import functools
import unicodedata
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.table import TrackTable


@functools.lru_cache(maxsize=4096)
def shown_label(text: str, limit: int = 60) -> str:
    """A catalog label as shown in a reason: invisible format characters (zero-width spaces, direction marks)
    removed, whitespace collapsed, clipped to ``limit`` characters (playlist names can run to 130). Memoized (a
    radio's reasons word the seed's labels, often dozens of playlist names, the first time it is asked for)."""
    clean = " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cf").split())
    return clean if len(clean) <= limit else clean[: limit - 1].rstrip() + "…"


#: per table: (version, artist ids -> ({kind: {label id: tracks}}, scene labels)), see :func:`_artists_entry`
_BY_ARTISTS: weakref.WeakKeyDictionary[
    TrackTable, tuple[int, dict[tuple[int, ...], tuple[dict[str, dict[int, int]], frozenset[int]]]]
] = weakref.WeakKeyDictionary()


def artist_label_counts(table: TrackTable, p: int, kind: str) -> dict[int, int]:
    """How many of track ``p``'s artists' tracks (``p`` included) carry each label of ``kind`` ("genre" /
    "subgenre"): ``{label id: tracks}`` (a fresh dict), empty when none carries one. The one count behind
    :func:`scene_labels` (the reasons' :func:`core.explain.own_labels`) and :func:`display_genre`.

    The counts depend only on the artists when ``p`` is one of their live tracks (always, except for a deleted
    track): they are then counted once per set of artists, every kind in one pass, and kept until the table
    changes (a radio's picks, pages and lists meet the same artists again).
    """
    return dict(_artists_entry(table, p)[0].get(kind, ()))


def scene_labels(table: TrackTable, p: int) -> frozenset[int]:
    """The genre / subgenre labels that ``p``'s artists' tracks (``p`` included) carry most, per kind (all of them
    on a tie): the artists' scene by :func:`artist_label_counts`. Kept per set of artists like the counts."""
    return _artists_entry(table, p)[1]


def _artists_entry(table: TrackTable, p: int) -> tuple[dict[str, dict[int, int]], frozenset[int]]:
    aids = table.artist_ids[p]
    if not aids or p not in table.artist_tracks.get(aids[0], ()):  # e.g. a deleted track: it counts itself
        return _scene(_count_labels(table, {q for a in aids for q in table.artist_tracks.get(a, ())} | {p}))
    cached = _BY_ARTISTS.get(table)
    if cached is None or cached[0] != table.version:
        cached = (table.version, {})
        _BY_ARTISTS[table] = cached
    entry = cached[1].get(aids)
    if entry is None:
        mates = table.artist_tracks[aids[0]] if len(aids) == 1 else {
            q for a in aids for q in table.artist_tracks.get(a, ())}
        entry = cached[1][aids] = _scene(_count_labels(table, mates))
    return entry


def _scene(by_kind: dict[str, dict[int, int]]) -> tuple[dict[str, dict[int, int]], frozenset[int]]:
    top: set[int] = set()
    for counts in by_kind.values():
        most = max(counts.values())
        top.update(lid for lid, c in counts.items() if c == most)
    return by_kind, frozenset(top)


def _count_labels(table: TrackTable, tracks: Iterable[int]) -> dict[str, dict[int, int]]:
    """``{kind: {label id: tracks}}`` over ``tracks`` for the kinds "genre" and "subgenre" (absent when none)."""
    names = table.label_names
    out: dict[str, dict[int, int]] = {}
    for q in tracks:
        for lid in table.labels[q]:
            kind = names[lid][0]
            if kind == "genre" or kind == "subgenre":
                counts = out.get(kind)
                if counts is None:
                    counts = out[kind] = {}
                counts[lid] = counts.get(lid, 0) + 1
    return out


def display_genre(table: TrackTable, p: int) -> str:
    """The style shown next to track ``p`` ("(1982, synth pop)"): the subgenre its artists' tracks carry most (the
    rule of :func:`own_labels`; on a tie the one ``p`` itself carries, then the alphabetically first), else that
    genre; for a catalog without such labels the top genre of the style model's ``P(genre | track)``
    (:mod:`core.style`); "" when nothing is known. Billie Jean, filed on one rock playlist, shows Michael Jackson's
    scene, not "classic rock". Raw playlist labels stay in ``Track.genres`` / ``subgenres``."""
    names = table.label_names
    mine = set(table.labels[p])
    for kind in ("subgenre", "genre"):
        counts = artist_label_counts(table, p, kind)
        if counts:
            best = min(counts, key=lambda lid: (-counts[lid], lid not in mine, names[lid][1]))
            return shown_label(names[best][1])
    return _model_genre(table, p)


def _model_genre(table: TrackTable, p: int) -> str:
    """Top genre of the style model for a track without labels ("" without audio features or model)."""
    if not table.has_features[p]:
        return ""
    from core.style import load_style_model, table_probabilities  # lazy: numpy model, only for label-less tracks

    model = load_style_model()
    if model is None:
        return ""
    probs = model.genre_probabilities(table_probabilities(table, model)[p : p + 1])
    return model.genres[int(probs[0].argmax())] if probs.size and float(probs[0].max()) > 0 else ""


def parent_genres(named: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of the ``(kind, label)`` styles a word names outright, the genres that are only the family of a subgenre named
    with them: the genre's name is a word of the subgenre's ("dance pop" names genre pop and subgenre dance pop; "no
    dance pop" refuses dance pop, not indie or electropop). A genre that is another name for the subgenre stays ("hip
    hop" names genre rap and subgenre hip hop: "no hip hop" refuses both). Compared on lower-cased words."""
    named = list(named)
    subs = [label.lower().split() for kind, label in named if kind == "subgenre"]
    return {(kind, label) for kind, label in named
            if kind == "genre" and any(label.lower() in words for words in subs)}


#: Label weight at or below which a text query's genre / subgenre label is an outright "no X" ("latin but no
#: reggaeton" gives -1.0; a style only pushed down by a mood stays above).
EXCLUDED_LABEL_WEIGHT = -0.9


def excluded_style_positions(table: TrackTable, labels: dict[str, float]) -> set[int]:
    """Positions a listener would call a style the request excludes ("no reggaeton"), for the genre / subgenre
    labels weighted ≤ :data:`EXCLUDED_LABEL_WEIGHT` in ``labels`` (``"kind:label"`` -> weight) and every subgenre
    whose name holds a refused one's words ("no hip hop" also refuses "latin hip hop"): every track carrying one,
    every track shown with that style (:func:`display_genre`: its artists' scene — Tony Dize's latin-pop-tagged song
    is still shown as reggaeton; for a genre, the artists' majority genre), and every track of an artist with at
    least :data:`ARTIST_STYLE_SHARE` of their live tracks carrying it (G-Eazy's r&b-filed songs after "no rap": 7
    of his 17 are rap). Empty when nothing is excluded."""
    refused: list[tuple[str, str]] = []
    for key, weight in labels.items():
        kind, _, label = key.partition(":")
        if kind in ("genre", "subgenre") and weight <= EXCLUDED_LABEL_WEIGHT and (kind, label) in table.label_index:
            refused.append((kind, label))
    if not refused:
        return set()
    words = [f" {label.lower()} " for _, label in refused]
    refused += [(k, name) for k, name in table.label_names
                if k == "subgenre" and (k, name) not in refused and any(w in f" {name.lower()} " for w in words)]
    out: set[int] = set()
    for kind, label in refused:
        lid = table.label_index[(kind, label)]
        tagged = table.label_tracks.get(lid, set())
        out.update(tagged)
        shown = shown_label(label)
        counts: dict[int, int] = {}
        for p in tagged:
            for a in table.artist_ids[p]:
                counts[a] = counts.get(a, 0) + 1
        for a, n in counts.items():
            mates = table.artist_tracks.get(a, set())
            if n >= ARTIST_STYLE_SHARE * len(mates):
                out.update(mates)
                continue
            out.update(q for q in mates - tagged if table.alive[q] and (
                _scene_genre(table, q) == lid if kind == "genre" else display_genre(table, q) == shown))
    return out


#: Share of an artist's live tracks carrying a refused style at which all their tracks count as that style.
ARTIST_STYLE_SHARE = 0.4


def _scene_genre(table: TrackTable, p: int) -> int | None:
    """The genre label id ``p``'s artists' tracks carry most (ties: the lowest id), None without one. A genre
    excluded ("no hip hop" → genre rap) takes the tracks of its artists shown with any of its subgenres: Blueface's
    single filed on an r&b playlist is shown (and heard) as gangster rap."""
    counts = artist_label_counts(table, p, "genre")
    return min(counts, key=lambda lid: (-counts[lid], lid)) if counts else None


def refused_cue(labels: dict[str, float], cues: Iterable[str]) -> str:
    """The words of the styles ``labels`` refuse outright (genre / subgenre at or below
    :data:`EXCLUDED_LABEL_WEIGHT`) for a list's title: the request's own cue when it has one ("not hip hop" of
    "not hip hop → few spoken words", "not reguetón"), else "not <label>"; "" when nothing is refused."""
    refused = [key.partition(":")[2] for key, w in labels.items()
               if w <= EXCLUDED_LABEL_WEIGHT and key.startswith(("genre:", "subgenre:"))]
    if not refused:
        return ""
    said = [c.split(" → ")[0] for c in cues if c.startswith("not ")]
    return said[0] if said else f"not {refused[0]}"
