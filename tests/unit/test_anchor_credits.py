"""Label-free artist relations for anchored requests: shared credits (core.collabs), the anchor's own words as targets
(core.anchors.rest_targets) and the thin-scene line (core.anchors.thin_scene_line), on small real track tables."""

from __future__ import annotations

import json

from core.anchors import RELATED_BONUS, THIN_OWN, Anchor, familiar_bonus, rest_targets, scene_size, thin_scene_line
from core.artist_graph import ArtistGraph
from core.catalog import normalize_text
from core.collabs import DIRECT, collaborators, credit_links
from core.models import Filters, NeedsClarification, TextQuery
from core.table import TrackTable

F = (0.6, 0.7, 1, -5.0, 1, 0.05, 0.2, 0.0, 0.1, 0.7, 118.0)


def table(rows: list[tuple[str, list[str], list[tuple[str, str]]]]) -> TrackTable:
    out, labels = [], []
    for i, (title, artists, labs) in enumerate(rows):
        tid = f"t{i:021d}"
        out.append((tid, title, json.dumps(artists), "", "2018", 2018, 50, 200_000, *F))
        labels.extend((tid, kind, label, f"pl-{label}" if kind == "playlist" else "") for kind, label in labs)
    return TrackTable.from_rows(out, labels)


def aid(t: TrackTable, name: str) -> int:
    return t.artist_index[normalize_text(name)]


def anchor(t: TrackTable, name: str) -> Anchor:
    a = aid(t, name)
    return Anchor(kind="artist", name=name, seeds=sorted(t.artist_tracks[a]), artist_ids=[a])


def credits_catalog(labels: list[tuple[str, str]] | None = None) -> TrackTable:
    labs = labels or []
    return table([
        ("Ye", ["Burna Boy"], labs),
        ("Location (feat. Burna Boy)", ["Dave"], labs),
        ("Own It (feat. Nobody In This Catalog & Burna Boy)", ["Stormzy"], labs),
        ("Duet", ["Jorja Smith", "Mahalia"], labs),
        ("Dance with Me", ["Far Away"], labs),  # "with" in a title is not a credit
        ("Solo", ["Dave"], labs),
    ])


def test_title_credits_and_co_artists_link_catalog_artists_only() -> None:
    t = credits_catalog()
    links = credit_links(t)
    assert links[aid(t, "Burna Boy")] == {aid(t, "Dave"): 1, aid(t, "Stormzy"): 1}
    assert links[aid(t, "Jorja Smith")] == {aid(t, "Mahalia"): 1}
    assert aid(t, "Far Away") not in links
    assert "nobody in this catalog" not in t.artist_index  # a credited name the catalog lacks links no one
    assert collaborators(t, [aid(t, "Burna Boy")]) == {aid(t, "Dave"): DIRECT, aid(t, "Stormzy"): DIRECT}


def test_collaborators_get_the_related_bonus_on_a_catalog_without_labels() -> None:
    t = credits_catalog()
    assert not t.has_labels()
    graph = ArtistGraph(t)  # empty without labels: credits are the only relation
    bonus = familiar_bonus(t, anchor(t, "Burna Boy"), graph, list(range(t.n)))
    assert bonus[1] == bonus[5] >= RELATED_BONUS  # both Dave tracks
    assert bonus[3] < RELATED_BONUS  # Jorja Smith & Mahalia: popularity tie-break only


def test_rest_targets_read_only_the_words_around_the_anchor() -> None:
    seen: list[str] = []

    def parse(text: str) -> TextQuery | NeedsClarification:
        seen.append(text)
        if "organic" not in text:
            return NeedsClarification(question="what do you mean?")
        return TextQuery(text=text, target={"acousticness": 0.8, "energy": 0.4, "tempo": 90.0},
                         weights={"acousticness": 1.0, "energy": 0.3, "tempo": 0.6}, filters=Filters())

    # "slower" is a move from the anchor (tempo): not read again as an absolute target
    assert rest_targets(parse, "but slower and organic", {"tempo": -0.1}) == {"acousticness": (0.8, 1.0)}
    assert rest_targets(parse, "songs", {}) == {}  # "songs like X": nothing asked beyond X
    assert rest_targets(parse, "  ", {}) == {}
    assert seen == ["slower", "but and organic", "but slower and organic", "songs"]  # the whole: implied styles


def test_thin_scene_is_said_with_counts_and_only_when_thin() -> None:
    few = credits_catalog([("playlist", "Afro Hits"), ("subgenre", "urban contemporary")])
    line = thin_scene_line(few, anchor(few, "Burna Boy"), ArtistGraph(few), [0, 1, 2])
    assert line.startswith("Burna Boy's scene is thin in this catalog (only 1 song and few linked artists): after 1")
    plain = credits_catalog()
    line = thin_scene_line(plain, anchor(plain, "Burna Boy"), ArtistGraph(plain), [1, 2])
    assert line.startswith("Burna Boy has only 1 song here and the catalog has no genre labels")
    assert "after" not in line  # none of the picks is theirs
    many = table([(f"Song {i}", ["Big Act"], [("playlist", "Rock Hits")]) for i in range(THIN_OWN)])
    assert scene_size(many, anchor(many, "Big Act"), ArtistGraph(many))[0] == THIN_OWN
    assert thin_scene_line(many, anchor(many, "Big Act"), ArtistGraph(many), [0]) == ""


def test_thin_scene_is_said_in_the_reply_language() -> None:
    from core.text.wording import THIN_SCENE

    few = credits_catalog([("playlist", "Afro Hits"), ("subgenre", "urban contemporary")])
    plain = credits_catalog()
    for lang, forms in THIN_SCENE.items():
        line = thin_scene_line(few, anchor(few, "Burna Boy"), ArtistGraph(few), [0, 1, 2], lang)
        assert "Burna Boy" in line and forms[2] in line and forms[4].format(m=1) in line, line  # same counts
        assert "scene is thin" not in line and "closest" not in line
        line = thin_scene_line(plain, anchor(plain, "Burna Boy"), ArtistGraph(plain), [1, 2], lang)
        assert line.startswith("Burna Boy") and forms[2] in line and forms[4].format(m=1) not in line, line
    assert thin_scene_line(few, anchor(few, "Burna Boy"), ArtistGraph(few), [0, 1, 2], "en").startswith(
        "Burna Boy's scene is thin")
