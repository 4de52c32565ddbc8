"""Build ``data/style_vocab.json``: subgenre names -> shares of the genres they were filed under, for :mod:`core.style`.

:class:`core.style.StyleVectors` reads genre words in playlist names as evidence of a playlist's style ("90's
Gangster Rap", "Classic Rock Drive", "Baila Reggaeton"). Each model genre's own name counts for that genre; this
vocabulary adds the shipped catalog's subgenre names, each mapped to the genres its rows carry (``trap`` -> rap,
``tropical`` -> latin, ``neo soul`` -> r&b). Only rows of *training* playlists are read (``sha1(playlist_id) % 5 !=
0``, :func:`core.evaluation.is_held_out`), so the held-out playlists ``musicbot eval`` scores are never seen.

Run: ``uv run python benchmarks/build_style_vocab.py [--csv data/spotify_songs.csv.gz] [--out data/style_vocab.json]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from core.evaluation import is_held_out

ROOT = Path(__file__).resolve().parent.parent


def build(csv_path: Path) -> dict:
    """``{"phrases": {subgenre: {genre: share}}}`` from the training playlists of the catalog CSV (shipped layout);
    shares below 0.05 are dropped, the rest rounded to 3 places."""
    df = pd.read_csv(csv_path, usecols=["playlist_id", "playlist_genre", "playlist_subgenre"]).dropna()
    df = df[~df["playlist_id"].astype(str).map(is_held_out)]
    counts = df.groupby(["playlist_subgenre", "playlist_genre"]).size()
    phrases: dict[str, dict[str, float]] = {}
    for sub, per_genre in counts.groupby(level=0):
        total = float(per_genre.sum())
        shares = {g: round(c / total, 3) for (_, g), c in per_genre.items() if c / total >= 0.05}
        phrases[str(sub)] = shares
    return {
        "about": "subgenre name -> genre shares for core.style playlist-name evidence; built by "
        "benchmarks/build_style_vocab.py from the shipped catalog's training playlists (sha1(playlist_id) % 5 != 0)",
        "phrases": dict(sorted(phrases.items())),
    }


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=ROOT / "data" / "spotify_songs.csv.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "style_vocab.json")
    args = parser.parse_args()
    doc = build(args.csv)
    args.out.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(doc['phrases'])} phrases")


if __name__ == "__main__":
    main()
