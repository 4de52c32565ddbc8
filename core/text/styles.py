"""The style model as the text package sees it: one model, defined in :mod:`core.style` (``data/style_model.json``,
built by ``benchmarks/build_style_model.py``), shared with the style vectors of radios.

This module only re-exports the names :mod:`core.text`, :mod:`core.anchors` and :mod:`core.recommender` import from
here, so their imports keep working; new code should import from :mod:`core.style`.
"""

from __future__ import annotations

from core.style import (
    INPUTS,
    LATIN_WORDS,
    STYLE_CAP,
    STYLES_PATH,
    StyleModel,
    load_style_model,
    style_affinity,
    style_inputs,
    style_scores,
    table_probabilities,
    title_signals,
)

__all__ = [
    "INPUTS",
    "LATIN_WORDS",
    "STYLE_CAP",
    "STYLES_PATH",
    "StyleModel",
    "load_style_model",
    "style_affinity",
    "style_inputs",
    "style_scores",
    "table_probabilities",
    "title_signals",
]
