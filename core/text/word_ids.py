"""Token ids of the text model's own words, read from a small file instead of loading the tokenizer.

Why: loading wordllama's tokenizer (``tokenizers.Tokenizer.from_file`` of a 32k-token, 61k-merge BPE) costs
~0.06–0.09 s of CPU under load — about half a bare ``python -c "import numpy, sqlite3"`` — and holds the GIL, and a
request's few words are nearly always words the text model already embedded at its fit (the vocabulary's phrases,
the catalog's label texts).

Why it is exact: the tokenizer has no pre-tokenizer; its normalizer prepends ``▁`` and turns each space into ``▁``,
then BPE runs over the whole text. When no vocabulary token holds ``▁`` after its first character (checked on the
tokenizer's vocabulary before anything is stored), no merge joins two words, so a text of single-space-separated
words tokenizes to the concatenation of its words' own tokenizations. Words holding ``▁`` or an added token's text
(``<s>``…) are never stored, and a text with an empty word (leading, trailing or double spaces) or any word not
stored goes to the tokenizer. ``tests/unit/test_word_ids.py`` compares the ids and the vectors with the tokenizer's
on the vocabulary, the shipped catalog's label texts and odd input.

Which words: only those of the large batches the model embeds and memoizes (:data:`BundledWordLlama.MEMO_FROM`),
never a request's. File: :func:`core.disk_memo.cache_root` ``/memo/wordids-<model and code fingerprint>.json``;
unreadable = empty (the tokenizer is used), written atomically.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

#: The normalizer's word separator (SentencePiece's "▁").
SEP = "\u2581"
#: Words stored at most (the shipped catalog and vocabulary hold ~2.3k, read in ~2 ms; a large imported catalog's
#: label texts could hold far more): beyond it new words are not stored, and a text holding one uses the tokenizer.
MAX_WORDS = 30_000


def splits_at_spaces(tokenizer: Any) -> bool:
    """True when no vocabulary token of ``tokenizer`` holds ``▁`` after its first character (runs of ``▁`` alone,
    which only consecutive spaces make, aside): then no BPE merge joins two words (module docstring)."""
    return not any(SEP in tok[1:] and set(tok) != {SEP} for tok in tokenizer.get_vocab())


class WordIds:
    """The stored word -> token ids table of one model (see the module docstring).

    Args:
        identity: a fingerprint of the model files and the code (names the file).
    """

    def __init__(self, identity: str) -> None:
        self.identity = identity
        self._table: dict[str, list[int]] | None = None
        self._stored = False

    @property
    def stored(self) -> bool:
        """Whether the table was read from, or written to, its file."""
        self.table  # noqa: B018 - read on first use
        return self._stored

    def _path(self) -> Any:
        from core.disk_memo import _path

        return _path("wordids", self.identity, ".json")

    @property
    def table(self) -> dict[str, list[int]]:
        """word -> token ids (read from the file on first use; empty when there is none or it is unreadable)."""
        if self._table is None:
            self._table = {}
            path = self._path()
            if path is not None and path.is_file():
                try:
                    data = json.loads(path.read_bytes())
                    if isinstance(data, dict) and isinstance(data.get("words"), dict):
                        self._table, self._stored = data["words"], True
                except (OSError, ValueError) as exc:
                    log.debug("word ids unreadable: %s (%s)", path, exc)
        return self._table

    def ids(self, text: str) -> list[int] | None:
        """The token ids of ``text`` from the table, or None when any of its words is not there (or it is empty or
        has an empty word: leading, trailing or repeated spaces)."""
        if not text:
            return None
        table = self.table
        out: list[int] = []
        for word in text.split(" "):
            ids = table.get(word)
            if ids is None:
                return None
            out.extend(ids)
        return out

    def learn(self, texts: Iterable[str], tokenizer: Any) -> None:
        """Add the words of ``texts`` (a large batch the model embedded) that are not stored yet, each tokenized
        alone by ``tokenizer``; write the file when any was added. Nothing when the tokenizer's merges can join
        words (:func:`splits_at_spaces`)."""
        table = self.table
        specials = [t.content for t in tokenizer.get_added_tokens_decoder().values()]
        new = sorted({w for t in texts for w in t.split(" ")
                      if w and w not in table and SEP not in w and not any(s in w for s in specials)})
        new = new[: max(0, MAX_WORDS - len(table))]
        if not new or not splits_at_spaces(tokenizer):
            return
        for word, enc in zip(new, tokenizer.encode_batch(new, add_special_tokens=False)):
            table[word] = enc.ids[: sum(enc.attention_mask)]  # padding (right) stripped
        path = self._path()
        if path is not None:
            from core.disk_memo import _store

            _store(path, json.dumps({"words": table}, ensure_ascii=False, separators=(",", ":")).encode())
            self._stored = True
