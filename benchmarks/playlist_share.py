"""How much of a free-text list one catalog playlist holds (:mod:`core.playlist_spread`), over the text benchmark's
requests (``data/text_requests_{shared,fresh,own}.jsonl``) on the shipped catalog.

Prints, for the product's top 10 of each request: the histogram of the largest number of tracks one playlist holds
(``{4: 138, …}``), the share of lists where one playlist holds 5 or more, mean distinct artists per list, and the
lists where one playlist holds 7 or more, with the request, to read. The "before" figure of a change comes from
running this on the older checkout (a ``git worktree`` of it).

Run: ``uv run python -m benchmarks.playlist_share [--db PATH]`` (the catalog is only read).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "data" / f"text_requests_{name}.jsonl" for name in ("shared", "fresh", "own")]


async def measure(db: Path | None) -> dict[str, object]:
    """The figures above as a dict (``histogram``: largest playlist count -> lists; ``share_5_plus``; ``artists``:
    mean distinct artists; ``worst``: ``[(count, playlist, request)]``)."""
    from bot.oneshot import open_engine
    from core.models import Recommendation

    hist: Counter[int] = Counter()
    artists: list[int] = []
    worst: list[tuple[int, str, str]] = []
    async with open_engine(db, quiet=True) as engine:
        for path in FILES:
            for line in path.read_text(encoding="utf-8").splitlines():
                text = json.loads(line)["q"]
                rec = await engine.app.discovery.recommend_text(text)
                if not isinstance(rec, Recommendation) or not rec.tracks:
                    continue
                per = Counter(name for item in rec.tracks for name in set(item.track.playlists))
                name, top = per.most_common(1)[0] if per else ("", 0)
                hist[top] += 1
                artists.append(len({item.track.artist for item in rec.tracks}))
                if top >= 7:
                    worst.append((top, name, text))
    n = max(1, sum(hist.values()))
    return {"lists": sum(hist.values()), "histogram": dict(sorted(hist.items())),
            "share_5_plus": round(sum(v for k, v in hist.items() if k >= 5) / n, 3),
            "artists": round(sum(artists) / max(1, len(artists)), 2), "worst": sorted(worst, reverse=True)}


def main() -> None:
    """Command-line entry: print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None, help="catalog database (default: the configured one)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.db)), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
