"""The one style model (core.style, data/style_model.json): its fit script on small synthetic catalogs, the shipped
file's documented figures, and the evidence-weighted artist centroid of the style vectors."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

import core.style as style
from benchmarks.build_style_model import build
from core.evaluation import fold_of
from core.models import AUDIO_FEATURES
from core.style import StyleModel, StyleVectors, load_style_model
from core.table import TrackTable

#: Two genres of two subgenres each, told apart by energy (genre) and acousticness (subgenre).
SUBS = {"sub a1": ("ga", 0.9, 0.1), "sub a2": ("ga", 0.9, 0.8), "sub b1": ("gb", 0.1, 0.1), "sub b2": ("gb", 0.1, 0.8)}


def playlist_in_fold(fold: int, start: int = 0) -> str:
    """The first playlist id ``pl{i}`` (i ≥ start) whose :func:`core.evaluation.fold_of` is ``fold``."""
    i = start
    while fold_of(f"pl{i}") != fold:
        i += 1
    return f"pl{i}"


def synthetic(rng: np.random.Generator, per_sub: int = 400, only_held: str | None = None) -> pd.DataFrame:
    """A catalog frame in the shipped CSV layout: per subgenre, tracks in one training playlist and a few in a held-out
    (fold 0) one; ``only_held`` names a subgenre that occurs in the held-out playlist only."""
    out, n = [], 0
    for k, (sub, (genre, energy, acoustic)) in enumerate(SUBS.items()):
        train_pl = playlist_in_fold(1, 100 * k)
        held_pl = playlist_in_fold(0, 100 * k)
        for i in range(per_sub):
            feats = dict(zip(AUDIO_FEATURES, rng.uniform(0, 1, len(AUDIO_FEATURES))))
            feats.update(energy=energy + rng.normal(0, 0.05), acousticness=acoustic + rng.normal(0, 0.05),
                         key=float(rng.integers(0, 12)), loudness=-8.0, mode=1.0, tempo=120.0)
            pl = held_pl if (i % 6 == 0 or sub == only_held) else train_pl
            out.append({"track_id": f"t{n:05d}", "track_name": f"Song {n}", "track_artist": f"artist {n % 40}",
                        "track_album_release_date": "2015-01-01", "duration_ms": 200_000, "playlist_id": pl,
                        "playlist_name": f"{sub} mix", "playlist_genre": genre, "playlist_subgenre": sub, **feats})
            n += 1
    df = pd.DataFrame(out)
    df["fold"] = df.playlist_id.map(fold_of)
    return df


def test_fit_learns_synthetic_styles_and_never_reads_held_out_rows() -> None:
    rng = np.random.default_rng(0)
    df = synthetic(rng)
    doc = build(df, exclude_folds=(0,), validate=True, hidden=(16,))
    model = StyleModel.from_doc(json.loads(json.dumps(doc)), fit="training")
    assert list(model.subgenres) == sorted(SUBS) and model.genres == ["ga", "gb"]
    assert doc["training"]["trained_on"].endswith("not in [0]") and doc["trained_on"].startswith("all rows")
    assert doc["training"]["held_out_accuracy"] >= 0.9  # energy tells the genres apart on the held-out playlist's tracks
    probe = np.tile(np.full(len(AUDIO_FEATURES), 0.5), (2, 1))
    probe[:, AUDIO_FEATURES.index("energy")] = [0.9, 0.1]
    p = model.predict(probe, np.array([2015, 2015]), np.array([True, True]))
    assert p.shape == (2, 2) and np.allclose(p.sum(1), 1.0, atol=1e-5)
    assert p[0].argmax() == 0 and p[1].argmax() == 1
    # a subgenre seen only in held-out rows cannot be learned: it is not a column of the model
    doc = build(synthetic(rng, only_held="sub b2"), exclude_folds=(0,), validate=False, hidden=(8,), with_all=False)
    assert "sub b2" not in doc["subgenres"] and "validation" not in doc and doc["training"]["layers"] == doc["layers"]


def test_held_out_rows_do_not_change_the_weights() -> None:
    """Scrambling the held-out (fold 0) rows' features and genres leaves the fitted weights as they were."""
    df = synthetic(np.random.default_rng(1), per_sub=200)
    scrambled = df.copy()
    held = scrambled.fold == 0
    scrambled.loc[held, "energy"] = 1.0 - scrambled.loc[held, "energy"]
    scrambled.loc[held, "playlist_genre"] = "gb"
    a = build(df, exclude_folds=(0,), validate=False, hidden=(8,))
    b = build(scrambled, exclude_folds=(0,), validate=False, hidden=(8,))
    assert a["training"]["layers"] == b["training"]["layers"] and a["training"]["mean"] == b["training"]["mean"]
    assert a["layers"] != b["layers"]  # the fit on every row (text requests) does read them


def test_shipped_file_holds_the_documented_figures() -> None:
    """The shipped file (README, data/README.md): the radios' fit saw training playlists only and puts the top genre
    right for ~0.56 of the held-out playlists' tracks (the former 13-input prior: 0.524); the text fit (every row)
    scores per-label precision@10 ~0.66 on artists its half-fitted copy never saw, ~0.87 on the whole catalog."""
    doc = json.loads(style.STYLE_MODEL_PATH.read_text(encoding="utf-8"))
    assert doc["training"]["trained_on"].endswith("not in [0]")
    assert doc["training"]["held_out_accuracy"] == pytest.approx(0.562, abs=0.02)
    text, radio = load_style_model(), load_style_model(fit="training")
    assert text.validation["mean_held_out"] == pytest.approx(0.66, abs=0.03)
    assert text.validation["mean_whole"] == pytest.approx(0.867, abs=0.03)
    assert radio.subgenres == text.subgenres and len(text.subgenres) == 24 and len(text.genres) == 6
    assert not np.allclose(radio.layers[0][0], text.layers[0][0])  # two fits of one recipe


def test_text_package_and_radios_share_the_one_model() -> None:
    import core.text.styles as text_styles

    assert text_styles.load_style_model is style.load_style_model
    assert text_styles.StyleModel is StyleModel and StyleModel.load() is load_style_model()
    assert text_styles.STYLES_PATH == style.STYLE_MODEL_PATH
    table = TrackTable.from_rows([_row("t0", "someone", 0.5)], [])
    assert StyleVectors(table).model is load_style_model(fit=style.RADIO_FIT)
    with pytest.raises(KeyError):
        load_style_model(fit="everything")


def _row(tid: str, artist: str, energy: float) -> tuple:
    f = [0.5] * 11
    f[AUDIO_FEATURES.index("energy")] = energy
    return (tid, f"Song {tid}", json.dumps([artist]), "Album", "2015-01-01", 2015, 50, 200_000, *f, 1)


def test_artist_centroid_weights_tracks_by_evidence(monkeypatch) -> None:
    """An artist with one track placed by a playlist and four with audio alone: the centroid follows the placed track
    more as unplaced tracks weigh less (EVIDENCE)."""
    rows = [_row(f"t{i}", "someone", 0.5) for i in range(5)] + [_row(f"m{i}", f"mate {i}", 0.5) for i in range(4)]
    # t0 sits in a playlist with four other tracks filed under rock: t0's context says rock
    labels = [(tid, "genre", "rock", "p1") for tid in ("m0", "m1", "m2", "m3")] + [("t0", "playlist", "Mix", "p1")]
    labels += [(tid, "playlist", "Mix", "p1") for tid in ("m0", "m1", "m2", "m3")]
    table = TrackTable.from_rows(rows, labels)
    model = StyleModel.load()
    rock = model.genres.index("rock")

    def rock_share(weights: tuple[float, float, float]) -> float:
        monkeypatch.setattr(style, "EVIDENCE", weights)
        return float(StyleVectors(table, model).vectors[table.pos["t3"], rock])

    flat, weighted = rock_share((1.0, 1.0, 1.0)), rock_share((1.0, 0.6, 0.1))
    assert weighted > flat + 0.05, (flat, weighted)


def test_sharpening_makes_vectors_peakier(monkeypatch) -> None:
    rows = [_row(f"t{i}", f"a{i % 3}", e) for i, e in enumerate(np.linspace(0.05, 0.95, 12))]
    table = TrackTable.from_rows(rows, [])
    model = StyleModel.load()
    base = StyleVectors(table, model).vectors
    monkeypatch.setattr(style, "SHARPEN", 3.0)
    sharp = StyleVectors(table, model).vectors
    assert np.allclose(np.linalg.norm(sharp, axis=1), 1.0, atol=1e-5)
    assert (sharp.max(1) >= base.max(1) - 1e-6).all() and (sharp.argmax(1) == base.argmax(1)).all()


def test_fold_ids_are_stable() -> None:
    assert fold_of("pl0") == int(hashlib.sha1(b"pl0").hexdigest(), 16) % 5
