"""The wordllama model read straight from its bundled files (core.text.embedder.BundledWordLlama) gives exactly the
vectors of ``wordllama.WordLlama.load(...).embed(norm=True)``, without importing the wordllama package."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np

from core.text import load_vocabulary
from core.text.embedder import BundledWordLlama, default_embedder, wordllama_embedder


def test_vectors_are_identical_to_wordllamas_own() -> None:
    texts = ["chill study music", "lo-fi beats", "Rock & Roll ü Beyoncé", "a", "  spaced   out  ", "日本語の歌",
             "something for a rainy drive with my dog " * 8, "", "!!!"]
    texts += [p for c in load_vocabulary().concepts for p in c.phrases]  # every phrase the text model embeds
    ours = default_embedder()
    assert isinstance(ours, BundledWordLlama)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # wordllama divides by a zero norm for the empty text
        reference = wordllama_embedder().embed(texts)
        got = ours.embed(texts)
    assert got.dtype == np.float32 and got.shape == reference.shape == (len(texts), 256)
    assert np.array_equal(got, reference, equal_nan=True)
    again = ours.embed(texts)  # this many texts: read back from the on-disk memo the first call wrote
    assert again.dtype == np.float32 and np.array_equal(again, reference, equal_nan=True)
    changed = ours.embed([*texts[:-1], "a different last phrase"])  # other texts: computed, not the stored ones
    assert np.array_equal(changed[:-1], reference[:-1], equal_nan=True)
    assert not np.allclose(changed[-1], reference[-1])
    norms = np.linalg.norm(got[:7], axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)


def test_loading_it_does_not_import_the_wordllama_package() -> None:
    code = (
        "import sys\n"
        "from core.text.embedder import default_embedder\n"
        "v = default_embedder().embed(['chill study music'])\n"
        "assert v.shape == (1, 256)\n"
        "print(sorted(m for m in ('wordllama', 'requests', 'urllib3') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "[]"

