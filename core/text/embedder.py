"""Sentence embeddings for similarity matching: the :class:`Embedder` port and the bundled wordllama model (offline)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors: ``embed(texts) -> (len(texts), d)`` float32, each row L2-normalized."""

    def embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - protocol
        """Embed ``texts`` (list of n strings) into an ``(n, d)`` float32 array of unit vectors."""
        ...


class WordLlamaEmbedder:
    """:class:`Embedder` over a loaded ``wordllama`` model (256-d, ~0.05 ms per short sentence on one CPU core)."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return ``(len(texts), 256)`` float32 unit vectors (zero rows never occur for non-empty texts)."""
        vecs = np.asarray(self._model.embed(list(texts), norm=True), dtype=np.float32)
        return vecs.reshape(len(texts), -1)


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """Load wordllama (config ``l2_supercat``, 256-d) from the weights bundled inside the installed package.

    Offline by construction: ``cache_dir`` is the package directory (where ``weights/`` and ``tokenizers/`` ship) and
    ``disable_download=True`` makes wordllama raise instead of fetching; ``HF_HUB_OFFLINE=1`` is set as well.
    Cached: one model per process (~16 MB, ~1 s to load).

    Raises:
        FileNotFoundError: the bundled weights are missing (a broken install); nothing is downloaded.
        ImportError: wordllama is not installed.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    import wordllama
    from wordllama import WordLlama

    package_dir = Path(wordllama.__file__).resolve().parent
    return WordLlamaEmbedder(WordLlama.load(cache_dir=package_dir, disable_download=True))
