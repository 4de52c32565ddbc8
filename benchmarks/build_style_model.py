"""Build ``data/style_model.json``: a genre prior from audio features, the portable model :mod:`core.style` runs.

A small multilayer perceptron (scikit-learn ``MLPClassifier``, one hidden ReLU layer of 32 units, early stopping)
learns P(genre | the twelve feature-space columns of :func:`core.features._prepare` + release year) from the shipped
catalog (``data/spotify_songs.csv.gz``, the TidyTuesday 2020-01-21 "Song Genres" export). Only rows of *training*
playlists are used: ``sha1(playlist_id) % 5 != 0`` (:func:`core.evaluation.is_held_out`), so the held-out 20 % that
``musicbot eval`` scores is never seen. A track in playlists of several genres is one sample per (track, genre).

The JSON holds the input standardization (mean, scale), the two weight matrices and biases and the genre names;
:class:`core.style.StyleModel` evaluates it with numpy (no scikit-learn at run time). Held-out accuracy (top genre
among the track's genres, tracks of held-out playlists only) is printed and stored as ``held_out_accuracy``.

Run: ``uv run python benchmarks/build_style_model.py [--csv data/spotify_songs.csv.gz] [--out data/style_model.json]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from core.evaluation import is_held_out
from core.models import AUDIO_FEATURES
from core.style import model_inputs

ROOT = Path(__file__).resolve().parent.parent


def _round(a: np.ndarray) -> list:
    return np.vectorize(lambda v: float(f"{v:.5g}"))(np.asarray(a, dtype=np.float64)).tolist()


def build(csv_path: Path) -> dict:
    """Fit the model on the training playlists of the catalog CSV at ``csv_path`` (shipped layout)."""
    df = pd.read_csv(csv_path).dropna(subset=list(AUDIO_FEATURES))
    df["year"] = pd.to_numeric(df["track_album_release_date"].astype(str).str[:4], errors="coerce").fillna(0)
    df["held"] = df["playlist_id"].astype(str).map(is_held_out)
    pairs = df.drop_duplicates(["track_id", "playlist_genre", "held"])
    genres = sorted(pairs["playlist_genre"].unique())
    index = {g: i for i, g in enumerate(genres)}
    x = model_inputs(pairs[list(AUDIO_FEATURES)].to_numpy(np.float64), pairs["year"].to_numpy(np.float64))
    y = pairs["playlist_genre"].map(index).to_numpy()
    train = ~pairs["held"].to_numpy()
    fill = np.nanmean(x[train], axis=0)  # an unknown year stands at the training mean, as StyleModel.predict does
    x = np.where(np.isnan(x), fill, x)
    scaler = StandardScaler().fit(x[train])
    mlp = MLPClassifier((32,), max_iter=400, random_state=0, early_stopping=True).fit(scaler.transform(x[train]), y[train])
    # held-out accuracy per track: the top genre is one of the track's held-out genres
    held = pairs[pairs["held"]]
    truth = held.groupby("track_id")["playlist_genre"].agg(set)
    first = held.drop_duplicates("track_id").set_index("track_id").loc[truth.index]
    xh = model_inputs(first[list(AUDIO_FEATURES)].to_numpy(np.float64), first["year"].to_numpy(np.float64))
    top = mlp.predict_proba(scaler.transform(np.where(np.isnan(xh), fill, xh))).argmax(1)
    accuracy = float(np.mean([genres[t] in g for t, g in zip(top, truth)]))
    return {
        "about": "P(genre | audio features, year) for core.style; built by benchmarks/build_style_model.py from the "
        "shipped catalog's training playlists (sha1(playlist_id) % 5 != 0)",
        "genres": genres,
        "mean": _round(scaler.mean_),
        "scale": _round(scaler.scale_),
        "w1": _round(mlp.coefs_[0]),
        "b1": _round(mlp.intercepts_[0]),
        "w2": _round(mlp.coefs_[1]),
        "b2": _round(mlp.intercepts_[1]),
        "training_samples": int(train.sum()),
        "held_out_accuracy": round(accuracy, 3),
    }


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=ROOT / "data" / "spotify_songs.csv.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "style_model.json")
    args = parser.parse_args()
    doc = build(args.csv)
    args.out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(doc['genres'])} genres, {doc['training_samples']} samples, "
          f"held-out accuracy {doc['held_out_accuracy']}")


if __name__ == "__main__":
    main()
