"""Quick scorer for ``data/text_requests_shared.jsonl`` (100 requests written outside the team; rules in
``data/TEXT-REQUESTS.md``), per kind, through the chat path (``engine.app.chat.chat`` with the local model).

A developer tool for the text-understanding work, not the product benchmark (``musicbot eval`` owns that). Hits are
judged against the shipped CSV (labels = union of playlist genre/subgenre over a track's rows; features, artist, album
year from its row), whatever catalog the engine runs on, so a label-stripped catalog is scored against the true labels.

Reply checks (heuristic, printed separately from precision): ``gap`` requests need a sentence saying the catalog lacks
the style; ``contradiction`` requests a sentence naming the conflict; non-English requests a reply whose first line is
in the request's language (by :func:`core.text.language.detect_language`).

Run: ``uv run python benchmarks/score_text_requests.py --db /tmp/x/m.db [--kinds numbers,language] [--show]``
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import json
import re
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = ROOT / "data" / "text_requests_shared.jsonl"
CSV = ROOT / "data" / "spotify_songs.csv.gz"
GAP_RE = re.compile(
    r"(no|n't|not|almost no|barely|hardly|few|little|lacks?|missing|gap|sin|sem|pas de|kein|keine|no hay|não tem|"
    r"n'a pas)\b.{0,60}\b(catalog|catalogue|cat[aá]logo|katalog)", re.I)
CONFLICT_RE = re.compile(r"(conflict|contradict|wins over|pull(s)? (in )?opposite|both at once|which matters|"
                         r"either|gana sobre|ganha de|l'emporte|gewinnt|widerspr|contradi)", re.I)


def load_truth() -> dict[str, dict]:
    """track_id -> {labels, features (floats), year, artist} from the shipped CSV."""
    truth: dict[str, dict] = {}
    with gzip.open(CSV, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            t = truth.get(row["track_id"])
            if t is None:
                feats = {}
                for k in ("danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                          "instrumentalness", "liveness", "valence", "tempo", "duration_ms"):
                    feats[k] = float(row[k]) if row[k] else float("nan")
                year = row["track_album_release_date"][:4]
                t = truth[row["track_id"]] = {"labels": set(), "features": feats,
                                              "year": int(year) if year.isdigit() else None,
                                              "artist": row["track_artist"].lower()}
            t["labels"].update({row["playlist_genre"], row["playlist_subgenre"]})
    return truth


def is_hit(req: dict, t: dict | None) -> bool:
    """The TEXT-REQUESTS.md hit rule for one track."""
    if t is None:
        return False
    if req["labels_any"] and not (t["labels"] & set(req["labels_any"])):
        return False
    for name, (lo, hi) in req["features"].items():
        v = t["features"].get(name)
        if v is None or not lo <= v <= hi:
            return False
    if req["years"] and (t["year"] is None or not req["years"][0] <= t["year"] <= req["years"][1]):
        return False
    return t["artist"] not in {a.lower() for a in req["exclude_artists"]}


async def run(db: Path, kinds: set[str] | None, show: bool) -> dict[str, list[float]]:
    from core.engine import Engine
    from core.models import Caller
    from core.text.language import detect_language

    truth = load_truth()
    engine = await Engine.open(db, seed=False)
    rows = [json.loads(line) for line in REQUESTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    nonce = uuid.uuid4().hex[:8]  # a fresh conversation per request and run (no state from earlier runs)
    per_kind: dict[str, list[float]] = defaultdict(list)
    checks: dict[str, list[bool]] = defaultdict(list)
    try:
        for req in rows:
            if kinds and req["kind"] not in kinds:
                continue
            reply = await engine.app.chat.chat(f"score:{nonce}:{req['id']}", Caller(user_id="scorer", platform="console"), req["q"])
            tracks = [rt.track for rt in (reply.recommendation.tracks if reply.recommendation else [])][:10]
            hits = [is_hit(req, truth.get(t.track_id)) for t in tracks]
            if req["anchor_artist"]:
                by = [i for i, t in enumerate(tracks) if req["anchor_artist"].lower() in [a.lower() for a in t.artists]]
                for i in by[2:]:
                    hits[i] = False
            p = sum(hits) / 10
            ok = p >= 0.5
            first = (reply.text or "").strip()
            if req["gap"]:
                g = bool(GAP_RE.search(first))
                checks["gap stated"].append(g)
                ok = ok and g
            if req["kind"] == "contradiction":
                c = bool(CONFLICT_RE.search(first))
                checks["conflict named"].append(c)
                ok = ok and c
            if req["lang"] != "en":
                line = re.sub(r"\u201c[^\u201d]*\u201d", "", first.splitlines()[0] if first else "")
                same = detect_language(line) == req["lang"]
                checks["reply language"].append(same)
            per_kind[req["kind"]].append(p)
            per_kind[req["kind"] + ":pass"].append(float(ok))
            if show:
                print(f"{req['id']} {req['kind']:13} p={p:.1f} {'PASS' if ok else 'fail'} | {req['q']}")
                print(f"      reply: {first[:220]!r}")
    finally:
        await engine.close()
    print(f"{'kind':14} {'n':>3} {'p@10':>6} {'pass':>6}")
    allp, allpass = [], []
    for kind in sorted(k for k in per_kind if ":" not in k):
        ps, passes = per_kind[kind], per_kind[kind + ":pass"]
        allp += ps
        allpass += passes
        print(f"{kind:14} {len(ps):3d} {sum(ps) / len(ps):6.3f} {sum(passes) / len(passes):6.2f}")
    if allp:
        print(f"{'overall':14} {len(allp):3d} {sum(allp) / len(allp):6.3f} {sum(allpass) / len(allpass):6.2f}")
    for name, vals in checks.items():
        print(f"  {name}: {sum(vals)}/{len(vals)}")
    return per_kind


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--kinds", default="")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.db, set(filter(None, args.kinds.split(","))) or None, args.show))


if __name__ == "__main__":
    main()
