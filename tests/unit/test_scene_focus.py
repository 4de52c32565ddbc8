"""Scene focus (core.scene): a request that names only a feel gets a list from the scene its best fits lean to."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.models import Filters, TextQuery
from core.scene import (
    ERA_FOREIGN_SHARE,
    ERA_GENRE_SHARE,
    FOREIGN_BELOW,
    FOREIGN_LIST_SHARE,
    SCENE_WEIGHT,
    cap_foreign_lead,
    foreign_demotion,
    genre_agreement,
    era_query,
    genre_shares,
    is_era_only,
    is_sad,
    scene_bonus,
    spread_genres,
    wants_scene_focus,
)
from core.table import TrackTable

FEATS = (0.5, 0.9, 4, -5.0, 0, 0.05, 0.01, 0.0, 0.1, 0.4, 120.0)


def _table(genres: list[list[str]]) -> TrackTable:
    rows, labels = [], []
    for i, names in enumerate(genres):
        tid = f"g{i:021d}"
        rows.append((tid, f"Song {i}", json.dumps([f"Artist {i}"]), "Album", "2019", 2019, 50, 200_000, *FEATS))
        labels.extend((tid, "genre", g, f"pl-{g}") for g in names)
    return TrackTable.from_rows(rows, labels)


def test_shares_split_a_track_filed_under_two_genres() -> None:
    table = _table([["pop"], ["rap"], ["pop", "rap"], []])
    shares = genre_shares(table)
    assert shares is not None and shares.shape == (4, 2)
    assert shares[2].tolist() == [0.5, 0.5]  # in both: half each
    assert shares[3].sum() == 0.0  # no genre label: no scene
    assert np.allclose(shares[:3].sum(1), 1.0)


def test_the_leading_scene_of_the_best_fits_gets_the_bonus() -> None:
    table = _table([["pop"]] * 6 + [["rap"]] * 4)
    total = np.array([2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.95, 1.85, 1.4, 1.3], dtype=np.float32)
    bonus = scene_bonus(table, total, None)
    assert bonus is not None
    pop, rap = bonus[:6], bonus[6:]
    assert np.allclose(pop, SCENE_WEIGHT)  # wholly in the leading genre
    assert (rap < pop.min()).all() and (rap > 0).all()  # the runner-up gets its share, less
    # the leading genre follows the scores: rap leads when the rap tracks fit best
    flipped = scene_bonus(table, np.where(np.arange(10) >= 6, total + 1.0, total - 1.0).astype(np.float32), None)
    assert flipped is not None and flipped[6:].min() > flipped[:6].max()


def test_scene_bonus_over_a_candidate_view_and_excluded_tracks() -> None:
    table = _table([["pop"]] * 5 + [["rap"]] * 5)
    cand = np.array([5, 6, 7, 0], dtype=np.int64)
    total = np.array([2.0, 1.9, 1.8, -np.inf], dtype=np.float32)  # position 0 is filtered out
    bonus = scene_bonus(table, total, cand)
    assert bonus is not None and bonus.shape == (4,)
    assert bonus[:3].tolist() == pytest.approx([SCENE_WEIGHT] * 3)  # rap leads among the ones allowed
    assert bonus[3] == 0.0


def test_no_focus_without_two_genres() -> None:
    assert genre_shares(_table([["pop"]] * 4)) is None
    assert scene_bonus(_table([[]] * 4), np.ones(4, dtype=np.float32), None) is None


@pytest.mark.parametrize(
    "query, focus",
    [
        (TextQuery(labels={"playlist:Party Hits": 0.8}), True),  # a feel: playlists only
        (TextQuery(labels={"genre:rock": 1.0}), False),  # a style named: it picks the scene
        (TextQuery(labels={"subgenre:trap": -0.9}), True),  # a style refused picks none
        (TextQuery(artists=["Drake"]), False),
        (TextQuery(styles={"genre:rap": 1.0}), False),
        (TextQuery(language="es"), False),
        (TextQuery(title_language="fr"), False),
    ],
)
def test_focus_only_for_requests_that_name_a_feel(query: TextQuery, focus: bool) -> None:
    assert wants_scene_focus(query) is focus



def _titled(rows: list[tuple[str, str]]) -> TrackTable:
    """A table of (title, genre) rows, one artist per track."""
    out, labels = [], []
    for i, (title, genre) in enumerate(rows):
        tid = f"t{i:021d}"
        out.append((tid, title, json.dumps([f"Artist {i}"]), "Album", "2019", 2019, 50, 200_000, *FEATS))
        labels.append((tid, "genre", genre, f"pl-{genre}"))
    return TrackTable.from_rows(out, labels)


SPANISH = ["Quiero Bailar Contigo Esta Noche", "La Vida Es Una Fiesta", "Dime Que Me Quieres", "Tu Corazón Es Mío",
           "Vamos a la Playa Mi Amor", "Te Extraño Cuando Llueve"]
ENGLISH = ["Dancing All Night Long", "Take Me to the Party", "Lights Out in the City", "Feel the Beat Tonight",
           "We Are Young Forever", "Hands Up in the Air"]


def test_a_genre_titled_in_another_language_is_foreign_to_the_request() -> None:
    table = _titled([(t, "latin") for t in SPANISH] + [(t, "pop") for t in ENGLISH])
    latin, pop = 0, 1  # label order of the table
    en = genre_agreement(table, "en")
    assert en is not None and en[latin] < FOREIGN_BELOW <= en[pop]
    for lang in ("es", "pt"):  # Spanish and Portuguese listeners share the Latin scene
        kin = genre_agreement(table, lang)
        assert kin is not None and kin.min() >= FOREIGN_BELOW


def test_a_foreign_genre_ties_the_lead_never_takes_it() -> None:
    p = np.array([0.5, 0.3, 0.2], dtype=np.float32)  # the foreign genre (0) leads the pool
    agree = np.array([0.5, 0.97, 0.96], dtype=np.float32)
    assert cap_foreign_lead(p, agree).tolist() == pytest.approx([0.3, 0.3, 0.2])
    home_led = np.array([0.2, 0.5, 0.3], dtype=np.float32)  # a home genre leads: nothing changes
    assert cap_foreign_lead(home_led, agree).tolist() == pytest.approx(home_led.tolist())
    assert cap_foreign_lead(p, np.ones(3, dtype=np.float32)).tolist() == pytest.approx(p.tolist())


def test_an_english_party_list_holds_few_foreign_tracks_a_spanish_one_keeps_them() -> None:
    table = _titled([(t, "latin") for t in SPANISH] + [(t, "pop") for t in ENGLISH])
    picked = [0, 1, 2, 3, 6, 7, 4, 5]  # six Spanish-titled Latin tracks in an eight-track list
    demote = foreign_demotion(table, "en", None, picked, limit=8)
    assert demote is not None
    cap = int(FOREIGN_LIST_SHARE * 8)
    kept = [p for p in picked if p < 6][:cap]
    assert all(demote[p] == 0 for p in kept)  # the first Latin tracks keep their place
    assert all(demote[p] < -2 for p in range(6) if p not in kept)  # the rest come after every home track
    assert (demote[6:] == 0).all()
    assert foreign_demotion(table, "es", None, picked, limit=8) is None
    assert foreign_demotion(table, "en", None, [0, 6, 7, 8], limit=8) is None  # within the share


@pytest.mark.parametrize(
    "target, focus",
    [
        ({"valence": 0.2, "energy": 0.33}, False),  # sad songs: a sound, not a scene
        ({"valence": 0.22}, False),
        ({"valence": 0.2, "energy": 0.85}, True),  # dark and driving is not sad
        ({"valence": 0.8, "energy": 0.7}, True),
    ],
)
def test_a_sad_request_gets_no_genre_focus(target: dict[str, float], focus: bool) -> None:
    query = TextQuery(target=target, labels={"playlist:Sad Songs": 0.3})
    assert is_sad(query) is not focus
    assert wants_scene_focus(query) is focus


def test_a_sad_request_that_names_a_label_keeps_the_focus() -> None:
    """"música triste em português": the language word names a playlist outright; its scene leads the sad list."""
    query = TextQuery(target={"valence": 0.2, "energy": 0.33}, labels={"playlist:Trapperz Brasil": 1.0})
    assert wants_scene_focus(query)


_NINETIES = Filters(year_min=1990, year_max=1999)


@pytest.mark.parametrize(
    "query, era_only",
    [
        # "songs from the 90s": the years, and weak weights and labels the era's playlist names gave
        (TextQuery(filters=_NINETIES, target={"speechiness": 0.16}, weights={"speechiness": 0.088},
                   labels={"playlist:90's Hip Hop Ultimate Collection": 0.29}), True),
        (TextQuery(filters=Filters(year_min=2015, year_max=2015)), True),  # "music from 2015"
        (TextQuery(filters=Filters(year_max=1999), weights={"valence": 0.148}), True),  # "old school songs"
        (TextQuery(filters=_NINETIES, target={"energy": 0.42}, weights={"energy": 0.9}), False),  # "chill 90s"
        (TextQuery(filters=_NINETIES, labels={"genre:rock": 1.0}), False),  # "90s rock"
        (TextQuery(filters=_NINETIES, labels={"subgenre:trap": -0.9}), True),  # a style refused: still the era
        (TextQuery(filters=_NINETIES, artists=["Nirvana"]), False),
        (TextQuery(filters=_NINETIES, language="es"), False),
        (TextQuery(filters=_NINETIES, ranges={"tempo": [120.0, None]}), False),  # a number stated
        (TextQuery(filters=Filters(year_min=1990, year_max=1999, genres=["rock"])), False),
        (TextQuery(weights={"valence": 0.1}), False),  # no years
        # "songs from the 90s, only female singers": vocal tracks (no data on gender) is no feel
        (TextQuery(filters=_NINETIES, target={"instrumentalness": 0.0}, weights={"instrumentalness": 0.4}), True),
        (TextQuery(filters=_NINETIES, target={"instrumentalness": 0.9}, weights={"instrumentalness": 0.4}), False),
    ],
)
def test_a_request_that_names_an_era_and_nothing_else(query: TextQuery, era_only: bool) -> None:
    assert is_era_only(query) is era_only


def test_an_era_list_holds_each_genre_to_its_share_in_ranking_order() -> None:
    """Ten rap tracks rank first, then rock, r&b and pop: the list takes 3 of each in turn, in ranking order."""
    genres = [["rap"]] * 10 + [["rock"]] * 4 + [["r&b"]] * 4 + [["pop"]] * 4
    table = _table(genres)
    picked = list(range(len(genres)))
    scores = [float(100 - i) for i in picked]
    out, values = spread_genres(table, picked, scores, 10)
    cap = int(np.ceil(ERA_GENRE_SHARE * 10))
    assert out == [0, 1, 2, 10, 11, 12, 14, 15, 16, 18]
    assert values == [scores[p] for p in out]
    for g in ("rap", "rock", "r&b", "pop"):
        assert sum(genres[p] == [g] for p in out) <= cap


def test_an_era_list_fills_from_a_full_genre_when_nothing_else_is_left() -> None:
    table = _table([["rap"]] * 8 + [["rock"]] * 2)
    out, _ = spread_genres(table, list(range(10)), [1.0] * 10, 8)
    assert out == [0, 1, 2, 8, 9, 3, 4, 5]  # 3 rap, both rock, then the held-back rap in order


def test_a_track_half_in_two_genres_counts_in_both() -> None:
    table = _table([["rap"], ["rap"], ["rap", "r&b"], ["r&b"], ["r&b"], ["pop"]])
    out, _ = spread_genres(table, list(range(6)), [1.0] * 6, 3)  # one place per genre in a list of 3
    assert out == [0, 3, 5]  # the half-rap track waits: rap is full


def test_an_era_list_gives_a_foreign_genre_fewer_places() -> None:
    table = _titled([(f"Canción del amor {i}", "latin") for i in range(6)]
                    + [(f"Love song number {i}", "pop") for i in range(2)]
                    + [(f"Rock song number {i}", "rock") for i in range(2)])
    agree = genre_agreement(table, "en")
    assert agree is not None and (agree < FOREIGN_BELOW).sum() == 1
    out, _ = spread_genres(table, list(range(10)), [1.0] * 10, 10, lang="en")
    latin_places = int(np.ceil(ERA_FOREIGN_SHARE * 10))
    assert out[:latin_places + 4] == [0, 1, 6, 7, 8, 9]  # 2 Latin, then the 4 others, then the held-back Latin
    es, _ = spread_genres(table, list(range(10)), [1.0] * 10, 10, lang="es")
    assert es[:3] == [0, 1, 2]  # not foreign to Spanish: its share is the usual one


def test_an_era_list_without_genre_labels_is_the_ranking() -> None:
    table = _table([[]] * 5)
    assert spread_genres(table, [4, 3, 2, 1, 0], [5.0, 4.0, 3.0, 2.0, 1.0], 3) == ([4, 3, 2], [5.0, 4.0, 3.0])


def test_an_era_query_keeps_refusals_and_a_sung_tracks_target_only() -> None:
    query = TextQuery(filters=_NINETIES, target={"instrumentalness": 0.0, "speechiness": 0.16},
                      weights={"instrumentalness": 0.4, "speechiness": 0.088},
                      labels={"playlist:90's Gangster Rap": 0.29, "genre:rap": -1.0})
    ranked = era_query(query)
    assert ranked.target == {"instrumentalness": 0.0} and ranked.weights == {"instrumentalness": 0.4}
    assert ranked.labels == {"genre:rap": -1.0} and ranked.filters == query.filters
    other = TextQuery(target={"energy": 0.2}, weights={"energy": 0.9})
    assert era_query(other) is other
