""""Like X but MOVE" lists measured three ways, to compare a change of the anchored path with the code before it.

Per request of :data:`REQUESTS` (written before tuning; none is from ``data/text_requests_*.jsonl``):

* **move** — share of the 10 tracks moved in the asked direction from the anchor's own mean (every feature of the
  move, :func:`core.moves.read_moves`; "newer" / "older": the original year against the anchor's median year);
* **steps** — the median size of that move in steps (:data:`core.steps.STEP` on 0–1 features, ``TEMPO_STEP ×`` the
  anchor's BPM on tempo): about 1 is the step asked for, far above it an overshoot to the extreme of the feature;
* **style** — share of tracks in the anchor's scene: carrying one of its subgenre labels (:func:`core.anchors.
  style_mask`), by an artist the catalog's playlists link to it (:func:`core.anchors.linked_artists`) or by the
  anchor's artist; **genre** — share carrying one of its genre labels; **linked** — share by the anchor's artist or
  an artist linked to it (the catalog's playlists); **profile** — mean cosine between the subgenre mix of a pick's
  lead artist (share of its tracks per subgenre label) and the anchor artist's: how close in scene, 0–1 (the labels
  are broad — "electropop" holds Maroon 5 and Daft Punk — so the two finer figures tell scenes apart);
* **artists** — distinct artists of the list.

Run: ``uv run python -m benchmarks.anchor_moves [--db PATH] [--show]`` (``--show`` prints each list to read). Without
``--db`` the shipped catalog is seeded into a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

import numpy as np

from core.anchors import find_anchor, linked_artists, seed_years, style_mask
from core.catalog import Catalog
from core.engine import Engine
from core.models import Recommendation
from core.moves import era_move, read_moves
from core.steps import STEP, TEMPO_STEP
from core.table import FEATURE_INDEX

#: The requests, written before any tuning: the issue's examples, then others across styles and languages.
REQUESTS = (
    "like Daft Punk but slower", "like Coldplay but more electronic", "like Adele but happier",
    "songs like Bob Marley but more upbeat", "like Radiohead but calmer", "something like Blinding Lights but less dark",
    "like Drake but older", "like Metallica but softer", "like Billie Eilish but more danceable",
    "like Taylor Swift but sadder", "como Shakira pero más lento", "wie Daft Punk, aber langsamer",
    "like Ed Sheeran but faster", "like The Weeknd but happier", "like Kygo but more energetic",
    "like Arctic Monkeys but slower", "like Bruno Mars but calmer", "like Avicii but more acoustic",
    "like Dua Lipa but sadder", "like Red Hot Chili Peppers but more danceable", "like Lana Del Rey but faster",
    "like Post Malone but more upbeat", "como Bad Bunny pero más tranquilo", "comme David Guetta mais plus calme",
    "like Nirvana but happier", "like Calvin Harris but slower", "like Linkin Park but calmer",
    "like Michael Jackson but faster", "like Queen but more electronic", "like Katy Perry but less upbeat",
    "parecido com Imagine Dragons mas mais lento", "like Eminem but less rap",
)


def _moved(t, p: int, base: np.ndarray, deltas: dict[str, float], era: int, year0: int) -> tuple[bool, float]:  # noqa: ANN001
    """(moved the asked way on every axis, size of the first axis's move in steps)."""
    ok, size = True, float("nan")
    for k, d in deltas.items():
        if k not in FEATURE_INDEX or not d:
            continue
        i = FEATURE_INDEX[k]
        diff = (float(t.features[p, i]) - float(base[i])) * np.sign(d)
        ok &= bool(t.known[p, i]) and diff > 0
        if np.isnan(size):
            size = diff / (TEMPO_STEP * float(base[i]) if k == "tempo" else STEP)
    if era:
        y = int(t.original_years()[p])
        ok &= y > 0 and (y - year0) * era > 0
        if np.isnan(size):
            size = (y - year0) * era / 5.0
    return ok, size


def _mix(t, aid: int) -> dict[int, float]:  # noqa: ANN001
    """Subgenre label -> share of the artist's live tracks carrying it."""
    own = [p for p in t.artist_tracks.get(aid, ()) if t.alive[p]]
    out: dict[int, float] = {}
    for p in own:
        for lid in t.labels[p]:
            if t.label_names[lid][0] == "subgenre":
                out[lid] = out.get(lid, 0.0) + 1.0 / len(own)
    return out


def _cosine(a: dict[int, float], b: dict[int, float]) -> float:
    num = sum(v * b.get(k, 0.0) for k, v in a.items())
    den = (sum(v * v for v in a.values()) * sum(v * v for v in b.values())) ** 0.5
    return num / den if den else 0.0


async def measure(eng: Engine, show: bool) -> dict[str, float]:
    """Print one line per request (and the list with ``show``); return the means over all requests."""
    t, refs, graph = eng.loaded.table, eng.loaded.refs, eng.loaded.recommender.graph
    rows = []
    for text in REQUESTS:
        rec = await eng.app.discovery.recommend_text(text)
        anchor = find_anchor(text, t, refs)
        if not isinstance(rec, Recommendation) or anchor is None or not anchor.seeds:
            print(f"{text!r}: no anchor / no list")
            continue
        deltas = read_moves(anchor.rest).deltas
        era = era_move(anchor.rest)
        base = t.features[anchor.seeds].mean(axis=0)
        years = seed_years(t, anchor.seeds)
        year0 = years[len(years) // 2] if years else 0
        sub = style_mask(t, anchor, "subgenre")
        gen = style_mask(t, anchor, "genre")
        linked = linked_artists(anchor, graph) | set(anchor.artist_ids)
        pos = [t.pos[i.track.track_id] for i in rec.tracks]
        moves = [_moved(t, p, base, deltas, era, year0) for p in pos]
        style = [bool((sub is not None and sub[p]) or set(t.artist_ids[p]) & linked) for p in pos]
        genre = [bool(gen is not None and gen[p]) for p in pos]
        near = [bool(set(t.artist_ids[p]) & linked) for p in pos]
        mix = _mix(t, anchor.artist_ids[0]) if anchor.artist_ids else {}
        profile = [_cosine(mix, _mix(t, t.artist_ids[p][0])) if t.artist_ids[p] else 0.0 for p in pos]
        row = {"move": float(np.mean([m for m, _ in moves])) if moves else 0.0,
               "steps": float(statistics.median([s for _, s in moves if not np.isnan(s)] or [0.0])),
               "style": float(np.mean(style)) if style else 0.0, "genre": float(np.mean(genre)) if genre else 0.0,
               "linked": float(np.mean(near)) if near else 0.0,
               "profile": float(np.mean(profile)) if profile else 0.0,
               "artists": float(len({t.artist_ids[p][0] for p in pos if t.artist_ids[p]}))}
        rows.append(row)
        print(f"{text[:46]:46s} move {row['move']:.1f}  steps {row['steps']:5.2f}  style {row['style']:.1f}  "
              f"genre {row['genre']:.1f}  linked {row['linked']:.1f}  profile {row['profile']:.2f}  artists {row['artists']:.0f}")
        if show:
            print("   ", rec.summary[:160])
            feats = [k for k in deltas if k in FEATURE_INDEX]
            for item, p, s in zip(rec.tracks, pos, style):
                subs = [n for lid in t.labels[p] for k, n in [t.label_names[lid]] if k == "subgenre"][:2]
                vals = " ".join(f"{k[:5]} {float(t.features[p, FEATURE_INDEX[k]]):.2f}" for k in feats)
                print(f"    {'*' if s else ' '} {item.track.title[:38]:38s} — {', '.join(item.track.artists)[:26]:26s}"
                      f" {int(t.original_years()[p])} {'/'.join(subs)[:30]:30s} {vals}")
            anchor_vals = " ".join(f"{k[:5]} {float(base[FEATURE_INDEX[k]]):.2f}" for k in feats)
            print(f"      anchor {anchor.name}: {anchor_vals} year {year0}")
    means = {k: statistics.mean(r[k] for r in rows) for k in rows[0]} if rows else {}
    print(f"MEAN over {len(rows)}: " + "  ".join(f"{k} {v:.3f}" for k, v in means.items()))
    return means


async def main(db: str | None, show: bool) -> None:
    """Seed the shipped catalog when no ``db`` is given, open an engine and measure."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(db) if db else Path(tmp) / "shipped.db"
        if not db:
            catalog = await Catalog.open(path)
            await catalog.seed()
            await catalog.close()
        eng = await Engine.open(path, seed=False)
        try:
            await measure(eng, show)
        finally:
            await eng.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.db, args.show))
