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


class BundledWordLlama:
    """:class:`Embedder` reading wordllama's bundled files directly (tokenizer JSON + safetensors embedding matrix)
    and pooling exactly as ``wordllama.inference.WordLlamaInference.embed(texts, norm=True)`` does: token ids
    (padding on, truncation off, no special tokens) -> embedding rows -> mean over the attention mask -> L2 norm.

    Why not ``WordLlama.load``: importing the ``wordllama`` package pulls ``requests``/``urllib3`` and its algorithm
    modules (~0.1–0.4 s of start-up) for what is a table look-up and a mean. ``tests/unit`` checks the vectors are
    identical to wordllama's own.

    Args:
        weights: the ``.safetensors`` file holding ``embedding.weight`` ``(vocab, 256)``.
        tokenizer: the ``tokenizers`` JSON of the same model.
    """

    TENSOR = "embedding.weight"

    def __init__(self, weights: Path, tokenizer: Path) -> None:
        from safetensors import safe_open

        from core.text.word_ids import WordIds

        with safe_open(str(weights), framework="np", device="cpu") as fh:
            # kept as stored (float16 in the bundled file): rows are widened to float32 when looked up, which gives
            # the same float32 values as widening the whole (32000, 256) matrix up front, without its start-up cost
            self.matrix = np.ascontiguousarray(fh.get_tensor(self.TENSOR))
        self._tokenizer_file = tokenizer
        self._tokenizer: Any = None
        from core.disk_memo import fingerprint

        stat = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in (weights, tokenizer)]
        word_code = Path(__file__).with_name("word_ids.py")
        self._identity = fingerprint([Path(__file__), word_code], extra=repr(stat))  # model files and this code
        #: token ids of the words the model embedded in large batches (core.text.word_ids): a request made of them
        #: is embedded without loading the tokenizer
        self.words = WordIds(self._identity)

    @property
    def tokenizer(self) -> Any:
        """The ``tokenizers.Tokenizer`` (padding on, truncation off), loaded on first use (~0.06–0.09 s)."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(self._tokenizer_file))
            tok.enable_padding()
            tok.no_truncation()
            self._tokenizer = tok
        return self._tokenizer

    #: Batches at least this large (a catalog's label texts, the vocabulary's phrases at start-up) are memoized on
    #: disk by content (:mod:`core.disk_memo`); a request's few words never are.
    MEMO_FROM = 200

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Return ``(len(texts), 256)`` float32 unit vectors (a text with no token gives a NaN row, as wordllama)."""
        texts = list(texts)
        if len(texts) >= self.MEMO_FROM:
            from core.disk_memo import memo_array, text_key

            key = text_key(texts, self._identity)
            computed: list[bool] = []

            def compute() -> np.ndarray:
                computed.append(True)
                return self._embed(texts, batch_size)

            out = memo_array("embed", key, compute).astype(np.float32, copy=False)
            if computed or not self.words.stored:  # new texts, or no stored word table yet: learn their words
                self.words.learn(texts, self.tokenizer)
            return out
        return self._embed(texts, batch_size)

    def _ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(ids, mask)`` of ``texts`` padded on the right to the longest, as the tokenizer's ``encode_batch``
        gives them: from the stored word ids when every text is made of stored words, else from the tokenizer."""
        known = [self.words.ids(t) for t in texts]
        if all(k is not None for k in known):
            width = max(len(k) for k in known if k is not None)
            ids = np.zeros((len(texts), width), dtype=np.int32)
            mask = np.zeros((len(texts), width), dtype=np.float32)
            for row, k in enumerate(known):
                assert k is not None
                ids[row, : len(k)] = k
                mask[row, : len(k)] = 1.0
            return ids, mask
        encoded = self.tokenizer.encode_batch(texts, is_pretokenized=False, add_special_tokens=False)
        return (np.array([e.ids for e in encoded], dtype=np.int32),
                np.array([e.attention_mask for e in encoded], dtype=np.float32))

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        out = np.empty((len(texts), self.matrix.shape[1]), dtype=np.float32)
        for i in range(0, len(texts), batch_size):
            ids, mask = self._ids(texts[i : i + batch_size])
            np.clip(ids, 0, self.matrix.shape[0] - 1, out=ids)
            rows = self.matrix[ids].astype(np.float32)
            count = np.maximum(mask.sum(axis=1, keepdims=True), 1.0).astype(np.float32)
            pooled = np.sum(rows * mask[..., np.newaxis], axis=1, dtype=np.float32) / count
            with np.errstate(invalid="ignore", divide="ignore"):
                pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
            out[i : i + len(pooled)] = pooled
        return out


def wordllama_dir() -> Path:
    """The installed ``wordllama`` package folder (found without importing the package).

    Raises:
        ImportError: wordllama is not installed.
    """
    import importlib.util

    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("wordllama is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The wordllama model (config ``l2_supercat``, 256-d) from the weights bundled inside the installed package,
    read by :class:`BundledWordLlama` (offline by construction: only files inside the package are opened).
    Cached: one model per process (~16 MB, ~30 ms to load).

    Raises:
        FileNotFoundError: the bundled weights are missing (a broken install); nothing is downloaded.
        ImportError: wordllama is not installed.
    """
    package_dir = wordllama_dir()
    weights = package_dir / "weights" / "l2_supercat_256.safetensors"
    tokenizer = package_dir / "tokenizers" / "l2_supercat_tokenizer_config.json"
    for path in (weights, tokenizer):
        if not path.is_file():
            raise FileNotFoundError(f"wordllama's bundled file is missing: {path}")
    return BundledWordLlama(weights, tokenizer)


def wordllama_embedder() -> Embedder:
    """The same model through ``wordllama.WordLlama.load`` (the reference :class:`BundledWordLlama` is checked
    against; ``HF_HUB_OFFLINE=1`` and ``disable_download=True``: never a download)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from wordllama import WordLlama

    return WordLlamaEmbedder(WordLlama.load(cache_dir=wordllama_dir(), disable_download=True))
