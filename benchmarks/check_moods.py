"""Check the mood model (``data/text_moods.json``) on a catalog without labels: before (hand-set concept targets) and
after (measured prototypes), in the same run.

For each mood request ("calm songs", "sad songs", …) it takes the top 50 tracks on the given label-less catalog and
reports the share inside the mood's *definition region* — fixed here from the catalog's whole-catalog quartiles as
TEXT-REQUESTS.md words them (calm: energy ≤ 0.45 and acousticness ≥ 0.2; sad: valence ≤ 0.3 and energy ≤ 0.6; …) —
and the overlap of the calm and sad lists (calm must not be "sad", sad must not be "quiet").

Run: ``uv run python benchmarks/check_moods.py --db /tmp/x/nolabels.db`` (a catalog imported without labels).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

#: mood -> (request, {feature: (low, high)}) — the definition regions (raw units), independent of the prototypes.
REGIONS: dict[str, tuple[str, dict[str, tuple[float, float]]]] = {
    "calm": ("calm songs", {"energy": (0, 0.45), "acousticness": (0.2, 1)}),
    "sad": ("sad songs", {"valence": (0, 0.3), "energy": (0, 0.6)}),
    "happy": ("happy songs", {"valence": (0.7, 1), "energy": (0.6, 1)}),
    "energetic": ("energetic songs", {"energy": (0.85, 1)}),
    "romantic": ("romantic songs", {"energy": (0, 0.55), "valence": (0.3, 0.85)}),
    "angry": ("angry songs", {"energy": (0.85, 1), "valence": (0, 0.45)}),
    "focus": ("music to focus", {"instrumentalness": (0.5, 1), "energy": (0, 0.6)}),
    "sleep": ("music to sleep", {"energy": (0, 0.35), "acousticness": (0.5, 1)}),
}


async def run(db: Path, k: int) -> None:
    from core.engine import Engine

    engine = await Engine.open(db, seed=False)
    try:
        tu = engine.loaded.text
        prototypes = tu._moods
        rows = []
        lists: dict[tuple[str, str], set[str]] = {}
        for mode, moods in (("before", {}), ("after", prototypes)):
            tu._moods = moods
            for mood, (request, region) in REGIONS.items():
                rec = await engine.app.discovery.recommend_text(request, limit=k)
                tracks = [rt.track for rt in rec.tracks]
                inside = sum(all(lo <= getattr(t, f) <= hi for f, (lo, hi) in region.items()) for t in tracks)
                lists[(mode, mood)] = {t.track_id for t in tracks}
                rows.append((mode, mood, inside / max(1, len(tracks))))
        tu._moods = prototypes
    finally:
        await engine.close()
    print(f"share of the top {k} inside the mood's region (label-less catalog)")
    print(f"{'mood':10} {'before':>7} {'after':>7}")
    for mood in REGIONS:
        b = next(v for m, n, v in rows if m == "before" and n == mood)
        a = next(v for m, n, v in rows if m == "after" and n == mood)
        print(f"{mood:10} {b:7.2f} {a:7.2f}")
    for mode in ("before", "after"):
        vals = [v for m, _, v in rows if m == mode]
        calm, sad = lists[(mode, "calm")], lists[(mode, "sad")]
        print(f"{mode}: mean {sum(vals) / len(vals):.3f}; calm ∩ sad = {len(calm & sad)} of {k}")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--k", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(run(args.db, args.k))


if __name__ == "__main__":
    main()
