"""Generate a large synthetic catalog CSV for import memory measurements (no network, deterministic).

Usage: ``uv run python -m benchmarks.gen_import_csv OUT.csv [ROWS] [--layout spotify-tracks|exportify]``.
The default (200,000 rows, Spotify Tracks Dataset layout) is ~45-50 MB; ``.gz`` output is gzip-compressed.
Peak RSS of an import is then measured with ``/usr/bin/time -v uv run musicbot --db X import OUT.csv --replace``.
"""

from __future__ import annotations

import csv
import gzip
import random
import string
import sys
from pathlib import Path

ALPHABET = string.ascii_letters + string.digits
SPOTIFY_TRACKS_HEADER = [
    "", "track_id", "artists", "album_name", "track_name", "popularity", "duration_ms", "explicit",
    "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness", "instrumentalness",
    "liveness", "valence", "tempo", "time_signature", "track_genre",
]  # fmt: skip
EXPORTIFY_HEADER = [
    "Track URI", "Track Name", "Artist Name(s)", "Album Name", "Album Release Date", "Track Duration (ms)",
    "Popularity", "Genres", "Danceability", "Energy", "Key", "Loudness", "Mode", "Speechiness", "Acousticness",
    "Instrumentalness", "Liveness", "Valence", "Tempo", "Time Signature",
]  # fmt: skip
WORDS = "love night fire heart dream rain summer city light dance blue gold road moon wild home star time".split()


def _id(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(22))


def _words(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(lo, hi)))


def _features(rng: random.Random) -> list[str]:
    return [
        f"{rng.random():.3f}", f"{rng.random():.3f}", str(rng.randint(0, 11)), f"{rng.uniform(-30, 0):.3f}",
        str(rng.randint(0, 1)), f"{rng.random() * 0.3:.4f}", f"{rng.random():.4f}", f"{rng.random() * 0.5:.4f}",
        f"{rng.random() * 0.6:.4f}", f"{rng.random():.3f}", f"{rng.uniform(60, 200):.3f}",
    ]  # fmt: skip


def write(path: Path, rows: int = 200_000, layout: str = "spotify-tracks", seed: int = 7) -> None:
    """Write ``rows`` random track rows in ``layout`` to ``path`` (gzip when it ends in ``.gz``)."""
    rng = random.Random(seed)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        if layout == "exportify":
            w.writerow(EXPORTIFY_HEADER)
        else:
            w.writerow(SPOTIFY_TRACKS_HEADER)
        for i in range(rows):
            tid = _id(rng)
            artists = [_words(rng, 2, 3) for _ in range(rng.randint(1, 3))]
            feats = _features(rng)
            if layout == "exportify":
                w.writerow([f"spotify:track:{tid}", _words(rng, 1, 4), ",".join(artists), _words(rng, 1, 3),
                            f"{rng.randint(1960, 2024)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                            rng.randint(90_000, 400_000), rng.randint(0, 100), "pop,rock", *feats, "4"])  # fmt: skip
            else:
                w.writerow([i, tid, ";".join(artists), _words(rng, 2, 6), _words(rng, 2, 7), rng.randint(0, 100),
                            rng.randint(90_000, 400_000), "False", *feats, "4", rng.choice(WORDS)])  # fmt: skip


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    lay = "exportify" if "--layout=exportify" in sys.argv or "exportify" in sys.argv else "spotify-tracks"
    write(Path(args[0]), int(args[1]) if len(args) > 1 else 200_000, lay)
