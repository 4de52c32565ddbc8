"""Choose the style settings of :mod:`core.style` on training folds only (never on the held-out playlists).

``musicbot eval`` scores 20 % of the playlists (``sha1(playlist_id) % 5 == 0``, fold 0). Every choice of the style
model and style vectors is made here instead, on the four training folds: for validation fold ``v`` in 1–4,

* the style model is refitted without folds 0 and ``v`` (``benchmarks/build_style_model.py --exclude-folds 0 v``),
* the catalog copy keeps only the labels of the other training folds (fold 0 and ``v`` stripped), and its
  label-hidden copy drops genre / subgenre labels as well (playlist memberships kept), the bare copy every label,
* the cases are fold ``v``'s playlists, scored as ``musicbot eval`` scores fold 0 (:mod:`core.evaluation`): radio
  genre agreement on the label-hidden copy, same-year share, P@10 and genre agreement@10, and radios on the bare copy.

Settings are module constants of :mod:`core.style` (``EVIDENCE``, ``MIX``, ``CONTEXT_SHARE``, ``NAME_SHARE``) or the
recommender's ``ScoreParams.style``, patched per run; the averages over the four folds (~360 radios) are printed.

Run: ``uv run python -m benchmarks.build_style_folds [--models DIR] [--folds 1 2 3 4]`` (fits missing fold models,
~1 min each on 2 cores, into DIR; then ~20 s per setting).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import core.style as style
from core.catalog import SHIPPED_CATALOG, Catalog
from core.evaluation import build_cases, fold_of, original_label_sets, radio_metrics, score_method
from core.models import Filters
from core.recommender import Recommender, ScoreParams
from core.table import TrackTable

ROOT = Path(__file__).resolve().parent.parent

#: The settings compared last (name -> patches of ``core.style`` constants; ``"style"`` = ``ScoreParams.style``).
#: Means over folds 1–4 on 2026-12-05 (hidden = radio genre agreement with genre labels hidden; P = P@10):
#: the former 13-input prior refitted per fold, unweighted centroid: hidden 0.691; this style model, unweighted
#: centroid: hidden 0.704, P 0.235; evidence (1, 0.6, 0.3) (shipped): hidden 0.709, P 0.229; evidence (1, 0.3, 0.1):
#: 0.708 / 0.225; style 4: 0.709 / 0.224; style 5: 0.708 / 0.223; MIX audio 0.5: 0.703 / 0.230; SHARPEN 2: 0.707 /
#: 0.213; an ensemble of 3 seeds as the prior: 0.710 / 0.233 (not adopted: 3× the fit and forward pass for +0.001).
SETTINGS: dict[str, dict[str, Any]] = {
    "artist centroid unweighted": {"EVIDENCE": (1.0, 1.0, 1.0)},
    "evidence-weighted artist centroid (shipped)": {},
    "evidence (1, 0.3, 0.1)": {"EVIDENCE": (1.0, 0.3, 0.1)},
    "style 4": {"style": 4.0},
    "style 5": {"style": 5.0},
    "mix audio 0.5": {"MIX": (0.5, 1.0, 0.5)},
    "sharpen 2": {"SHARPEN": 2.0},
}


async def catalog_rows() -> tuple[list, list]:
    """The shipped catalog's rows and labels, seeded into a temporary database as ``musicbot eval`` does."""
    with tempfile.TemporaryDirectory() as tmp:
        catalog = await Catalog.open(Path(tmp) / "folds.db")
        try:
            await catalog.seed(SHIPPED_CATALOG)
            return await catalog.all_rows(), await catalog.all_labels()
        finally:
            await catalog.close()


def fold_model(models: Path, fold: int) -> style.StyleModel:
    """The style model fitted without folds 0 and ``fold`` (fitted and stored in ``models`` when missing)."""
    path = models / f"style_model_without_{fold}.json"
    if not path.exists():
        from benchmarks.build_style_model import build, load_catalog

        doc = build(load_catalog(ROOT / "data" / "spotify_songs.csv.gz"), (0, fold), validate=False, with_all=False)
        path.write_text(json.dumps(doc), encoding="utf-8")
    return style.StyleModel.from_doc(json.loads(path.read_text(encoding="utf-8")), fit="training")


def fold_figures(rows: Sequence, labels: Sequence, fold: int, model: style.StyleModel, patches: dict[str, Any],
                 bare: bool = False) -> dict[str, float]:
    """Radio and playlist figures of validation ``fold`` with ``model`` as the style model and ``patches`` applied
    (restored afterwards)."""
    visible = [lab for lab in labels if not (lab[3] and fold_of(lab[3]) in (0, fold))]
    seen = TrackTable.from_rows(rows, visible)
    hidden = TrackTable.from_rows(rows, [lab for lab in visible if lab[1] not in ("genre", "subgenre")])
    cases = build_cases(labels, seen, folds={fold})
    originals = original_label_sets(labels, seen)
    saved = {k: getattr(style, k) for k in patches if k != "style"}
    loader = style.load_style_model
    style.load_style_model = lambda *_a, **_k: model  # StyleVectors and the text-side affinity read the fold model
    try:
        for k, v in patches.items():
            if k != "style":
                setattr(style, k, v)
        params = ScoreParams(style=patches.get("style", ScoreParams().style))
        out: dict[str, float] = {}
        copies = [("", seen), ("hidden_", hidden)] + ([("bare_", TrackTable.from_rows(rows, []))] if bare else [])
        for prefix, table in copies:
            rec = Recommender(table, params)

            def run(refs: list[int], rec: Recommender = rec) -> list[int]:
                return [s.pos for s in rec.similar(refs, Filters(limit=10), with_reasons=False)]

            out.update(radio_metrics(prefix, cases, run, table, originals))
            if not prefix:
                result = score_method("", cases, run, table, originals)
                out["precision_at_10"] = result.precision_at_10
                out["genre_agreement_at_10"] = result.genre_agreement_at_10
            if prefix == "hidden_":
                vectors = rec.style.vectors if rec.style is not None else None
                if vectors is not None:
                    genres = [g.casefold() for g in model.genres]
                    out["hidden_seed_top_genre_right"] = float(np.mean(
                        [genres[int(vectors[c.refs[0]].argmax())] in originals["genre"].get(c.refs[0], set())
                         for c in cases]))
        return out
    finally:
        style.load_style_model = loader
        for k, v in saved.items():
            setattr(style, k, v)


def main() -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=Path(tempfile.gettempdir()) / "style_folds")
    ap.add_argument("--folds", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--bare", action="store_true", help="also run radios on a copy without any label")
    args = ap.parse_args()
    args.models.mkdir(parents=True, exist_ok=True)
    rows, labels = asyncio.run(catalog_rows())
    models = {f: fold_model(args.models, f) for f in args.folds}
    for name, patches in SETTINGS.items():
        per = [fold_figures(rows, labels, f, models[f], patches, args.bare) for f in args.folds]
        mean = {k: float(np.mean([p[k] for p in per])) for k in per[0]}
        print(name, json.dumps({k: round(v, 4) for k, v in sorted(mean.items()) if "max_per" not in k}), flush=True)


if __name__ == "__main__":
    main()
