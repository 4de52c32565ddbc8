"""Radio quality in one run: the radio settings before and after, every figure side by side, and radios to read.

``figures`` mode prints, per setting, what ``musicbot eval`` prints for the product (:mod:`core.evaluation`: P@10 and
genre agreement@10 with 5 references; one-seed radios: genre agreement on the catalog, on a copy with genre /
subgenre labels hidden and on a copy with no label, same-year share, max tracks per artist) plus two finer radio
figures: radio P@10 (the one-seed radio's picks found in the seed's held-out playlist) and radio subgenre agreement.
``--folds 0`` is the held-out fold ``musicbot eval`` scores (report only, never choose on it); ``--folds 1 2 3 4``
the training folds, with the style model refitted without each validation fold
(:func:`benchmarks.build_style_folds.fold_model`).

``listen`` mode prints the top 10 of radios of well-known songs across styles, on the shipped catalog and on a copy
with every label stripped (as ``musicbot eval`` builds it), with year, popularity and the catalog's genres, to read as
a listener.

Run: ``uv run python -m benchmarks.radio_quality figures [--folds 0]`` /
``uv run python -m benchmarks.radio_quality listen [--setting before] [--bare]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

import core.artist_graph as artist_graph
import core.style as style
from benchmarks.build_style_folds import catalog_rows, fold_model
from core.evaluation import build_cases, fold_of, original_label_sets, radio_metrics, score_method
from core.models import Filters
from core.recommender import Recommender, ScoreParams
from core.table import TrackTable

#: Settings compared: ScoreParams fields, plus module constants of core.style / core.artist_graph.
SETTINGS: dict[str, dict[str, Any]] = {
    "before": {  # related 1, subgenre contexts count as playlists, each track's own P(subgenre) in the affinity
        "related": 1.0, "SUBGENRE_WEIGHT": 1.0, "AFFINITY_ARTIST_SHARE": 0.0},
    "no intensity": {"intensity": 0.0},  # without the intensity penalty (energy, acousticness, loudness gap)
    "after": {},  # the shipped defaults
}
#: Well-known songs across styles: (title prefix, artist substring), lower case.
SONGS = (("smells like teen spirit", "nirvana"), ("black hole sun", "soundgarden"), ("levels", "avicii"),
         ("titanium", "david guetta"), ("despacito", "luis fonsi"), ("gasolina", "daddy yankee"),
         ("lose yourself", "eminem"), ("humble", "kendrick lamar"), ("no scrubs", "tlc"), ("crazy in love", "beyonc"),
         ("hotel california", "eagles"), ("bohemian rhapsody", "queen"), ("sweet child o", "guns n"),
         ("shape of you", "ed sheeran"), ("blinding lights", "weeknd"), ("enter sandman", "metallica"),
         ("nothing else matters", "metallica"), ("someone like you", "adele"), ("back in black", "ac/dc"))
_MODULES = {"SUBGENRE_WEIGHT": artist_graph, "AFFINITY_ARTIST_SHARE": style}


@contextmanager
def applied(setting: dict[str, Any], model: style.StyleModel | None = None) -> Iterator[ScoreParams]:
    """ScoreParams of ``setting`` with its module constants (and ``model`` as the style model) patched meanwhile."""
    saved = {k: getattr(_MODULES[k], k) for k in setting if k in _MODULES}
    loader = style.load_style_model
    try:
        for k, v in setting.items():
            if k in _MODULES:
                setattr(_MODULES[k], k, v)
        if model is not None:
            style.load_style_model = lambda *_a, **_k: model
        yield ScoreParams(**{k: v for k, v in setting.items() if k not in _MODULES})
    finally:
        style.load_style_model = loader
        for k, v in saved.items():
            setattr(_MODULES[k], k, v)


def fold_figures(rows: list, labels: list, fold: int, setting: dict[str, Any],
                 model: style.StyleModel | None) -> dict[str, float]:
    """Figures of one fold (0 = held out, as ``musicbot eval``) under ``setting``."""
    visible = [lab for lab in labels if not (lab[3] and fold_of(lab[3]) in {0, fold})]
    seen = TrackTable.from_rows(rows, visible)
    hidden = TrackTable.from_rows(rows, [lab for lab in visible if lab[1] not in ("genre", "subgenre")])
    bare = TrackTable.from_rows(rows, [])
    cases = build_cases(labels, seen, folds={fold})
    originals = original_label_sets(labels, seen)
    out: dict[str, float] = {}
    with applied(setting, model) as params:
        for prefix, table in (("", seen), ("hidden_", hidden), ("bare_", bare)):
            rec = Recommender(table, params)

            def run(refs: list[int], rec: Recommender = rec) -> list[int]:
                return [s.pos for s in rec.similar(refs, Filters(limit=10), with_reasons=False)]

            out.update(radio_metrics(prefix, cases, run, table, originals))
            if prefix:
                continue
            result = score_method("", cases, run, table, originals)
            out.update(P10=result.precision_at_10, agr10=result.genre_agreement_at_10,
                       max_per_artist=max(out["max_per_artist"], result.max_per_artist))
            radio_p, radio_sub = [], []
            for case in cases:
                picks = run([case.refs[0]])[:10]
                radio_p.append(len(set(picks) & case.truth) / 10)
                sub = originals["subgenre"].get(case.refs[0], set())
                radio_sub.append(sum(bool(sub & originals["subgenre"].get(p, set())) for p in picks) / 10)
            out.update(radio_P10=float(np.mean(radio_p)), radio_subgenre=float(np.mean(radio_sub)))
    return out


COLUMNS = (("P10", "P@10"), ("agr10", "genre agr.@10"), ("genre_agreement", "radio genre agr."),
           ("hidden_genre_agreement", "genre agr. hidden"), ("bare_genre_agreement", "no labels"),
           ("same_year_share", "same year"), ("radio_P10", "radio P@10"), ("radio_subgenre", "radio subgenre agr."),
           ("max_per_artist", "max/artist"))


def figures(folds: list[int], models: Path) -> None:
    """Print one table row per setting (means over ``folds``)."""
    rows, labels = asyncio.run(catalog_rows())
    fitted = {f: (fold_model(models, f) if f else None) for f in folds}
    print("| setting | " + " | ".join(c for _, c in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for name, setting in SETTINGS.items():
        per = [fold_figures(rows, labels, f, setting, fitted[f]) for f in folds]
        cells = [f"{max(p[k] for p in per):.0f}" if k == "max_per_artist" else f"{np.mean([p[k] for p in per]):.3f}"
                 for k, _ in COLUMNS]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def listen(setting_name: str, bare: bool) -> None:
    """Print the radios of :data:`SONGS` under one setting."""
    rows, labels = asyncio.run(catalog_rows())
    full = TrackTable.from_rows(rows, labels)
    genres = original_label_sets(labels, full)["genre"]
    table = TrackTable.from_rows(rows, []) if bare else full
    years = table.original_years()
    with applied(SETTINGS[setting_name]) as params:
        rec = Recommender(table, params)
        for title, artist in SONGS:
            found = [p for p in range(table.n) if table.titles[p].lower().startswith(title)
                     and any(artist in table.artist_names[a] for a in table.artist_ids[p])]
            if not found:
                print(f"(no {title!r} in the catalog)")
                continue
            seed = max(found, key=lambda p: int(table.popularity[p]))
            print(f"== {table.titles[seed]} — {', '.join(table.artists[seed])} ({years[seed]}, "
                  f"popularity {table.popularity[seed]}, {'/'.join(sorted(genres.get(seed, ())))})")
            for s in rec.similar([seed], Filters(limit=10), with_reasons=False):
                p = s.pos
                print(f"   {', '.join(table.artists[p])[:24]:24} | {table.titles[p][:40]:40} {years[p]} "
                      f"p{table.popularity[p]:<3} {'/'.join(sorted(genres.get(p, ())))}")


def main() -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("figures", "listen"))
    ap.add_argument("--folds", type=int, nargs="+", default=[0])
    ap.add_argument("--models", type=Path, default=Path(tempfile.gettempdir()) / "style_folds")
    ap.add_argument("--setting", choices=list(SETTINGS), default="after")
    ap.add_argument("--bare", action="store_true", help="radios on a copy without any label")
    args = ap.parse_args()
    if args.mode == "figures":
        args.models.mkdir(parents=True, exist_ok=True)
        figures(args.folds, args.models)
    else:
        listen(args.setting, args.bare)


if __name__ == "__main__":
    main()
