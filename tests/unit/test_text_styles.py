"""The style model for catalogs without labels (core.style via core.text.styles, data/style_model.json) and how requests reach it:
named, negated and substituted styles in ``TextQuery.styles``; conflicts between a stated number and a word."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.models import AUDIO_FEATURES
from core.table import TrackTable
from core.text import TextUnderstanding
from tests.unit.conftest import parse_query as parse
from core.text.styles import INPUTS, load_style_model, style_inputs, title_signals




# ------------------------------------------------------------------------------------------ the model file
def test_model_loads_and_predicts_distributions() -> None:
    model = load_style_model()
    assert model is not None
    assert len(model.subgenres) == 24 and len(model.genres) == 6
    raw = style_inputs(np.tile([[0.7, 0.8, 5, -5, 1, 0.05, 0.1, 0.0, 0.1, 0.5, 125]], (3, 1)),
                       np.asarray([200_000, 0, np.nan]), np.asarray([2019, 0, 1985]), ["Song", "Canción de amor", ""])
    probs = model.predict_raw(raw)
    assert probs.shape == (3, 24)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-4) and (probs >= 0).all()


def test_model_file_reports_held_out_precision() -> None:
    """The shipped file carries the precision the model had on artists it never saw (fitted on the other half)."""
    val = load_style_model().validation
    held = val["half_model_on_held_out_artists"]
    assert set(held) == set(load_style_model().keys)
    assert 0.5 <= val["mean_held_out"] <= val["mean_whole"]
    assert all(held[f"genre:{g}"] >= 0.5 for g in ("rock", "rap", "r&b", "edm"))


def test_resolve_maps_shipped_labels_to_style_keys() -> None:
    model = load_style_model()
    assert model.resolve("genre", "Rock") == {"genre:rock": 1.0}
    assert model.resolve("subgenre", "neo soul") == {"subgenre:neo soul": 1.0}
    assert model.resolve("genre", "polka") == {}
    playlist = next(iter(model.playlists))
    shares = model.resolve("playlist", playlist)
    assert shares and all(k.startswith("subgenre:") and 0 < v <= 1 for k, v in shares.items())


def test_inputs_mark_unknown_values_missing() -> None:
    raw = style_inputs(np.full((1, len(AUDIO_FEATURES)), np.nan), np.asarray([0]), np.asarray([0]), ["x"])
    assert raw.shape == (1, len(INPUTS))
    assert np.isnan(raw[0, :14]).all()  # audio, duration and year unknown; title signals always known
    assert load_style_model().predict_raw(raw).shape == (1, 24)


@pytest.mark.parametrize(
    ("title", "latin"),
    [("Te Quiero - Remix", True), ("Bésame Mucho", True), ("Corazón (feat. X)", True), ("Sweet but Psycho", False),
     ("La La Land", True), ("Lose Yourself - From 8 Mile", False)],
)
def test_title_signals(title: str, latin: bool) -> None:
    share, accent = title_signals(title)
    assert (share > 0 or accent == 1.0) is latin, title


def test_title_signals_ignore_credits_after_a_dash() -> None:
    assert title_signals("Numb - Remix para la pista") == (0.0, 0.0)


@given(st.text(max_size=200))
def test_title_signals_take_any_text(title: str) -> None:
    share, accent = title_signals(title)
    assert 0.0 <= share <= 1.0 and accent in (0.0, 1.0)


# ------------------------------------------------------------------------------------------ parsing -> styles
@pytest.mark.parametrize(
    ("text", "key"),
    [("neo soul please", "subgenre:neo soul"), ("some hard rock", "subgenre:hard rock"),
     ("Big room EDM", "subgenre:big room"), ("ponme reggaeton", "subgenre:reggaeton"),
     ("du rock", "genre:rock"), ("Trap-Musik bitte", "subgenre:trap")],
)
def test_named_style_becomes_a_style(bare: TextUnderstanding, text: str, key: str) -> None:
    q = parse(bare, text)
    assert q.styles.get(key, 0) >= 0.7, q.styles


def test_styles_only_on_catalogs_without_labels(tu: TextUnderstanding) -> None:
    assert parse(tu, "neo soul please").styles == {}
    assert "subgenre:neo soul" in parse(tu, "neo soul please").labels


@pytest.mark.parametrize(
    ("text", "kept", "avoided"),
    [("Latin music, but no reggaeton", "genre:latin", "subgenre:reggaeton"),
     ("musica latina sin reggaeton", "genre:latin", "subgenre:reggaeton"),
     ("no rap, just pop", "genre:pop", "genre:rap")],
)
def test_negated_style_is_avoided_not_the_whole_genre(bare: TextUnderstanding, text: str, kept: str,
                                                      avoided: str) -> None:
    q = parse(bare, text)
    assert q.styles.get(kept, 0) > 0 and q.styles.get(avoided, 0) < 0, q.styles


def test_negated_genre_drops_its_subgenres(bare: TextUnderstanding) -> None:
    q = parse(bare, "dance music without any EDM")
    model = load_style_model()
    assert q.styles["genre:edm"] < 0
    assert not [k for k, w in q.styles.items() if w > 0 and model.genre_of.get(k.partition(":")[2]) == "edm"]


def test_style_the_model_lacks_uses_the_nearest_named_one(bare: TextUnderstanding) -> None:
    assert parse(bare, "country music please").styles == {"subgenre:classic rock": 0.8}
    assert parse(bare, "brutal death metal").styles.get("subgenre:hard rock", 0) > 0


@pytest.mark.parametrize("text", ["sad songs", "chill study music", "music for running", "happy songs"])
def test_moods_and_activities_name_no_style(bare: TextUnderstanding, text: str) -> None:
    assert parse(bare, text).styles == {}


# ------------------------------------------------------------------------------------------ number vs word
@pytest.mark.parametrize(
    ("text", "feature"),
    [("Slow songs at 170 BPM", "tempo"), ("fast songs around 70 bpm", "tempo"), ("calm music with energy 0.9",
     "energy"), ("canciones lentas a 170 bpm", "tempo"), ("schnelle Songs mit 60 BPM", "tempo"),
     ("Fast slow jams", "tempo"), ("sad songs with valence 0.9", "valence")],
)
def test_a_number_against_a_word_is_named(tu: TextUnderstanding, text: str, feature: str) -> None:
    q = parse(tu, text)
    conflicts = [n for n in q.notes if n.kind == "conflict"]
    assert conflicts, text
    assert feature in conflicts[0].used, conflicts[0]


def test_the_number_wins_its_feature(tu: TextUnderstanding) -> None:
    q = parse(tu, "Slow songs at 170 BPM")
    assert q.target["tempo"] == pytest.approx(170, abs=4)
    assert q.ranges["tempo"][0] >= 160
    assert "170 BPM" in q.notes[0].text


@pytest.mark.parametrize("text", ["upbeat songs at 128 bpm", "slow jams", "sad songs with valence 0.2",
                                  "chill music around 90 bpm", "energy 0.9 workout songs", "slow songs"])
def test_agreeing_numbers_and_words_name_no_conflict(tu: TextUnderstanding, text: str) -> None:
    assert not [n for n in parse(tu, text).notes if n.kind == "conflict"], text


def test_a_guessed_word_never_outranks_a_named_concept(tu: TextUnderstanding) -> None:
    """"moving" is guessed as "moving on" (sad) by embedding similarity; "cleaning" (upbeat) was said outright."""
    q = parse(tu, "Cleaning the whole apartment. Keep me moving!")
    assert q.target["valence"] >= 0.6 and q.target["energy"] >= 0.6


@pytest.mark.parametrize("text", ["energy 0.9 workout songs", "valence 0,2 sad songs", "danceability 0.75 party tracks"])
def test_a_decimal_before_songs_is_a_value_not_a_count(tu: TextUnderstanding, text: str) -> None:
    q = parse(tu, text)
    assert q.filters.limit == 10 and q.requested_count is None, text
    (feature, (lo, hi)), = q.ranges.items()
    assert 0.1 <= lo <= hi <= 1.0, (text, q.ranges)


def test_style_scores_rank_typical_tracks_and_avoid_negated(shipped_rows) -> None:
    from core.text.styles import style_scores

    table = TrackTable.from_rows(*shipped_rows)
    rock = style_scores(table, {"genre:rock": 1.0})
    assert rock is not None and rock.shape == (table.n,)
    assert 0.0 <= float(rock.min()) and float(rock.max()) <= 1.5
    lid = table.label_index[("genre", "rock")]
    labelled = np.zeros(table.n, dtype=bool)
    labelled[list(table.label_tracks[lid])] = True
    top = np.argsort(-rock)[:200]
    assert labelled[top].mean() >= 0.8  # the 200 most rock-typical tracks are mostly filed under rock
    both = style_scores(table, {"genre:rock": 1.0, "subgenre:hard rock": -1.0})
    hard = table.label_index[("subgenre", "hard rock")]
    members = list(table.label_tracks[hard])
    assert float(both[members].mean()) < float(rock[members].mean())
    assert style_scores(table, {"genre:polka": 1.0}) is None
