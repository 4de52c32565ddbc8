"""The style shown next to a track ("(1982, permanent wave)") is its own — its artist's most carried label, not one
playlist's — in every adapter; text reasons claim a genre only when it is the track's own (core.explain)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.api.schemas import song_out
from adapters.console.render import recommendation_json, track_list
from adapters.discord.render import recommendation_embed
from core.explain import display_genre, explain_text, format_reasons, own_labels
from core.models import Recommendation, RecommendedTrack, TextQuery, Track
from tests.unit.test_explain import build

F = (0.6, 0.7, 1, -5.0, 1, 0.05, 0.2, 0.0, 0.1, 0.7, 118.0)


def _t(title: str, artist: str, *labels: tuple[str, str], year: int = 1982) -> dict:
    return {"title": title, "artists": [artist], "album": "", "year": year, "labels": list(labels), "features": F}


def catalog():
    """Human League: three new-wave tracks, one also on a classic-rock playlist; Ed Sheeran: pop, one track on a
    latin playlist too; Joao Gilberto: latin."""
    return build([
        _t("Don't You Want Me", "The Human League", ("genre", "rock"), ("subgenre", "classic rock"),
           ("genre", "pop"), ("subgenre", "permanent wave"), ("playlist", "Classic Rock Drive")),
        _t("Human", "The Human League", ("genre", "pop"), ("subgenre", "permanent wave")),
        _t("Fascination", "The Human League", ("genre", "pop"), ("subgenre", "permanent wave")),
        _t("Photograph", "Ed Sheeran", ("genre", "latin"), ("subgenre", "latin pop"), ("genre", "pop"),
           ("subgenre", "dance pop"), year=2014),
        _t("Perfect", "Ed Sheeran", ("genre", "pop"), ("subgenre", "dance pop"), year=2017),
        _t("Shape of You", "Ed Sheeran", ("genre", "pop"), ("subgenre", "dance pop"), year=2017),
        _t("Chega de Saudade", "Joao Gilberto", ("genre", "latin"), ("subgenre", "latin pop"), year=1959),
        _t("Beat It", "Michael Jackson", ("genre", "rock"), ("subgenre", "classic rock")),
        _t("Billie Jean", "Michael Jackson", ("genre", "r&b"), ("subgenre", "new jack swing")),
        _t("Thriller", "Michael Jackson", ("genre", "r&b"), ("subgenre", "new jack swing")),
    ])


def test_display_genre_is_the_artists_scene_not_one_playlists_label() -> None:
    t = catalog()
    assert display_genre(t, 0) == "permanent wave"  # not "classic rock" (its first label)
    assert display_genre(t, 7) == "new jack swing"  # Beat It: only on a rock playlist, Michael Jackson's scene
    assert display_genre(t, 3) == "dance pop"
    assert display_genre(t, 6) == "latin pop"  # a one-artist scene keeps its label
    track = t.track(0)
    assert track.display_genre == track.shown_genre == "permanent wave"
    assert "rock" in track.genres and "classic rock" in track.subgenres  # raw labels stay as the catalog has them


def test_every_adapter_shows_the_same_display_genre_and_the_api_keeps_raw_labels() -> None:
    t = catalog()
    rec = Recommendation(kind="similar", tracks=[RecommendedTrack(track=t.track(p), score=1.0, reason="r") for p in (0, 7)])
    console = track_list(rec)
    discord = recommendation_embed(rec).description or ""
    for shown in (console, discord):
        assert "1982, permanent wave" in shown and "1982, new jack swing" in shown
        assert "classic rock" not in shown
    out = song_out(t.track(7))
    assert out["genre"] == "new jack swing"
    assert (out["playlist_genre"], out["playlist_subgenre"]) == ("rock", "classic rock")
    assert "display_genre" in json.loads(t.track(7).model_dump_json())
    assert json.loads(recommendation_json(rec))[0]["subgenres"][0] == "classic rock"


def test_track_without_a_table_falls_back_to_its_first_label() -> None:
    tr = Track(track_id="x" * 22, title="T", artists=["A"], genres=["rock"], subgenres=["hard rock"])
    assert tr.shown_genre == "hard rock"
    assert Track(track_id="y" * 22, title="T", artists=["A"]).shown_genre == ""


def test_label_less_catalog_shows_the_style_models_genre() -> None:
    t = build([_t("Song", "Someone"), _t("Other", "Else", year=2001)])
    got = display_genre(t, 0)
    from core.style import load_style_model

    model = load_style_model()
    assert model is not None and got in model.genres


def test_text_reason_claims_a_genre_only_when_it_is_the_tracks_own() -> None:
    t = catalog()
    q = TextQuery(labels={"genre:latin": 1.0, "subgenre:latin pop": 0.8})
    sheeran = format_reasons(explain_text(t, 3, q))
    assert "genre: latin" not in sheeran and "subgenre: latin pop" not in sheeran
    assert "on a playlist tagged latin" in sheeran  # worded as the playlist fact it is
    assert "genre: latin" in format_reasons(explain_text(t, 6, q))  # Joao Gilberto: his own scene


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["latin pop", "dance pop", "trap", "hard rock"])),
                min_size=1, max_size=12))
def test_claimed_genre_is_always_own_and_shown_genre_is_the_artists_most_carried(rows: list[tuple[int, str]]) -> None:
    artists = ["A", "B", "C", "D"]
    t = build([_t(f"s{i}", artists[a], ("subgenre", sub)) for i, (a, sub) in enumerate(rows)])
    for p in range(t.n):
        counts: dict[str, int] = {}
        for q, (a, sub) in enumerate(rows):
            if artists[a] == t.artists[p][0]:
                counts[sub] = counts.get(sub, 0) + 1
        assert counts[display_genre(t, p)] == max(counts.values())
        own = {t.label_names[lid][1] for lid in own_labels(t, p)}
        for sub in counts:
            text = format_reasons(explain_text(t, p, TextQuery(labels={f"subgenre:{sub}": 1.0})))
            assert ("subgenre: " + sub in text) == (sub in own)


# ---------------------------------------------------------------- one song, one entry (normalized title + artist)
@given(st.sampled_from(["Best of-Version", "M-22 Remix", "Re-Recorded Version", "12-inch Version", "Pilooski Re-edit",
                        "2009 Remaster", "Radio Edit", "Live at Wembley"]),
       st.sampled_from([" - {}", " ({})", " [{}]"]),
       st.sampled_from(["Big in Japan", "Anti-Hero", "Closer"]))
def test_hyphenated_version_suffixes_collide_with_the_song(suffix: str, form: str, title: str) -> None:
    from core.catalog import dedupe_key

    assert dedupe_key(title + form.format(suffix), ["Alphaville"]) == dedupe_key(title, ["Alphaville"])


def test_two_versions_of_a_song_never_share_a_similar_list() -> None:
    from core.recommender import Recommender

    t = build([
        _t("Forever Young", "Alphaville", ("subgenre", "permanent wave")),
        _t("Big in Japan", "Alphaville", ("subgenre", "permanent wave")),
        _t("Big in Japan - Best of-Version", "Alphaville", ("subgenre", "permanent wave")),
        _t("Sounds Like a Melody", "Alphaville", ("subgenre", "permanent wave")),
        _t("Don't You Want Me", "The Human League", ("subgenre", "permanent wave")),
        _t("Rio", "Duran Duran", ("subgenre", "permanent wave")),
    ])
    for seed in range(t.n):
        titles = [t.titles[s.pos] for s in Recommender(t).similar([seed], limit=5)]
        japan = [x for x in titles + [t.titles[seed]] if x.startswith("Big in Japan")]
        assert len(japan) <= 1 and len(titles) >= 3, (seed, titles)


def _direct_counts(t, p: int, kind: str) -> dict[int, int]:
    mates = {q for a in t.artist_ids[p] for q in t.artist_tracks.get(a, ())} | {p}
    out: dict[int, int] = {}
    for q in mates:
        for lid in t.labels[q]:
            if t.label_names[lid][0] == kind:
                out[lid] = out.get(lid, 0) + 1
    return out


def test_artist_label_counts_follow_edits_of_the_table() -> None:
    """The counts kept per set of artists (core.genres.artist_label_counts) equal a direct count for every track,
    deleted ones included, and its own labels are those its artists carry most, after each edit: a track moved to
    another scene, a track deleted, a duet added."""
    from core.genres import artist_label_counts

    t = catalog()

    def check() -> None:
        for p in range(t.n):
            own = set()
            for kind in ("genre", "subgenre"):
                counts = _direct_counts(t, p, kind)
                assert artist_label_counts(t, p, kind) == counts, (p, kind)
                own |= {lid for lid in t.labels[p] if lid in counts and counts[lid] == max(counts.values())}
            assert own_labels(t, p) == own, p

    check()
    beat_it = t.track(7).model_copy(update={"genres": ["r&b"], "subgenres": ["new jack swing"], "playlists": []})
    t.upsert(beat_it)  # Michael Jackson's scene is now new jack swing only
    check()
    assert display_genre(t, t.pos[beat_it.track_id]) == "new jack swing"
    t.delete(t.ids[1])  # a Human League track gone: its tombstone counts itself, as before
    check()
    duet = t.track(4).model_copy(update={"track_id": "duet", "artists": ["Ed Sheeran", "Joao Gilberto"]})
    t.upsert(duet)
    check()
    counts = artist_label_counts(t, t.pos["duet"], "subgenre")  # both artists' tracks, the duet once
    assert counts[t.label_names.index(("subgenre", "latin pop"))] == 2  # Photograph, Chega de Saudade
    assert counts[t.label_names.index(("subgenre", "dance pop"))] == 4  # Photograph, Perfect, Shape of You, the duet
