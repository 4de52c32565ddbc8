"""core.text.word_ids: token ids of stored words, without loading the tokenizer, are exactly the tokenizer's — and so
are the vectors embedded from them; text the table cannot vouch for goes to the tokenizer."""

from __future__ import annotations

import csv
import gzip
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.catalog import SHIPPED_CATALOG
from core.text import load_vocabulary
from core.text.embedder import BundledWordLlama, default_embedder
from core.text.word_ids import WordIds, splits_at_spaces


def _catalog_texts() -> list[str]:
    """The shipped catalog's label texts (genres, subgenres, playlist names) and some titles and artists."""
    out: set[str] = set()
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            out.update(row.get(k) or "" for k in ("playlist_genre", "playlist_subgenre", "playlist_name"))
            if i % 20 == 0:
                out.update(row.get(k) or "" for k in ("track_name", "track_artist"))
    return sorted(t for t in out if t)


@pytest.fixture(scope="module")
def model() -> BundledWordLlama:
    embedder = default_embedder()
    assert isinstance(embedder, BundledWordLlama)
    return embedder


def test_the_bundled_tokenizer_never_merges_across_words(model: BundledWordLlama) -> None:
    assert splits_at_spaces(model.tokenizer)


def test_stored_ids_and_vectors_equal_the_tokenizers(model: BundledWordLlama, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSICBOT_CACHE_DIR", str(tmp_path))
    phrases = [p for c in load_vocabulary().concepts for p in c.phrases]
    catalog = _catalog_texts()
    words = WordIds("test")
    words.learn(phrases + catalog, model.tokenizer)
    assert words.stored and len(words.table) > 1000
    rng = random.Random(7)
    pool = sorted(words.table)
    combos = [" ".join(rng.choice(pool) for _ in range(rng.randint(1, 9))) for _ in range(3000)]
    checked = 0
    for text in phrases + catalog + combos:
        ids = words.ids(text)
        if ids is not None:
            assert ids == model.tokenizer.encode(text, add_special_tokens=False).ids, text
            checked += 1
    assert checked > 3000 + len(phrases) // 2  # every combination of stored words, most phrases
    # the vectors: the model with this table against the model without any (the tokenizer for every text)
    texts = combos[:500] + phrases[:300]
    with_table = model._embed(texts, 64)
    saved = model.words
    try:
        model.words = WordIds("none")
        model.words._table = {}
        assert np.array_equal(with_table, model._embed(texts, 64), equal_nan=True)
    finally:
        model.words = saved
    # read back from the file, as the next process does
    again = WordIds("test")
    assert again.stored and again.table == words.table


@pytest.mark.parametrize("text", ["", " chill", "chill ", "chill  music", "chill\u2581music", "<s>", "chill <s>",
                                  "zzqxv chill", "chill music \u2581"])
def test_text_the_table_cannot_vouch_for_goes_to_the_tokenizer(model: BundledWordLlama, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("MUSICBOT_CACHE_DIR", str(tmp_path))
    words = WordIds("odd")
    words.learn(["chill music", "<s> chill", "a\u2581b"], model.tokenizer)
    assert "<s>" not in words.table and "a\u2581b" not in words.table
    assert words.ids(text) is None


def test_a_request_of_known_words_does_not_load_the_tokenizer(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from core.text import load_vocabulary\n"
        "from core.text.embedder import default_embedder\n"
        "m = default_embedder()\n"
        "m.embed([p for c in load_vocabulary().concepts for p in c.phrases])\n"  # a large batch: memo + word table
        "print('tokenizers' in sys.modules, end=' ')\n"
        "m.embed(['chill study music'])\n"
        "print('tokenizers' in sys.modules, end=' ')\n"
        "m.embed(['zzqxv blorp'])\n"
        "print('tokenizers' in sys.modules)\n"
    )
    env = {"MUSICBOT_CACHE_DIR": str(tmp_path), "PATH": ""}
    run = [sys.executable, "-c", code]
    first = subprocess.run(run, capture_output=True, text=True, timeout=300, check=True, env=env).stdout.split()
    assert first == ["True", "True", "True"]  # nothing stored yet: the tokenizer embeds and the table is written
    later = subprocess.run(run, capture_output=True, text=True, timeout=300, check=True, env=env).stdout.split()
    assert later == ["False", "False", "True"]  # stored words: no tokenizer; an unknown word loads it


def test_the_table_stops_growing_at_its_cap(model: BundledWordLlama, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import core.text.word_ids as word_ids

    monkeypatch.setenv("MUSICBOT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(word_ids, "MAX_WORDS", 3)
    words = WordIds("cap")
    words.learn(["alpha beta gamma delta epsilon"], model.tokenizer)
    words.learn(["zeta eta"], model.tokenizer)
    assert sorted(words.table) == ["alpha", "beta", "delta"]  # sorted, the first three kept
    assert words.ids("alpha beta") is not None and words.ids("alpha gamma") is None
