"""CPU per message (issue 9 §4): the work one message can cause is bounded — counted, not timed (speed is in
``musicbot bench``: ``worst_case_ms_per_message``).

* at most ``FUZZY_SCANS_PER_REQUEST`` full rapidfuzz scans over the catalog's artists per request, whatever the text
  (property test over messages built from connector words, artist names and junk, up to 2,000 characters);
* the cue matchers read at most ``MAX_PARSE_TOKENS`` tokens, and the reply's cues say a long request was cut;
* a reference far longer than any "title artist" skips the fuzzy scan over all tracks;
* long requests are parsed in a worker thread, short ones inline;
* typo'd and shortened artist names still resolve (the bounds change cost, not answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.references as track_refs
import core.text.references as text_refs
from core.catalog import Catalog
from core.engine import INLINE_TEXT_CHARS, Engine
from core.models import TextQuery
from core.table import TrackTable
from core.text import TextUnderstanding
from core.text.state import FUZZY_SCANS_PER_REQUEST
from core.text.understanding import MAX_PARSE_TOKENS

CONNECTORS = [" by ", " not ", " and ", " like ", " no ", " without ", " , ", " ; ", " or ", " from ", " similar to "]


@pytest.fixture(scope="module")
def tu(shipped_db: Path) -> TextUnderstanding:
    async def load() -> TrackTable:
        catalog = await Catalog.open(shipped_db)
        try:
            return TrackTable.from_rows(await catalog.all_rows(), await catalog.all_labels())
        finally:
            await catalog.close()

    t = TextUnderstanding()
    t.fit(asyncio.run(load()))
    return t


class _Counting:
    """Stands in for a module's ``rapidfuzz.process``: counts full scans, delegates to the real one."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def extractOne(self, *args, **kwargs):  # noqa: N802 - rapidfuzz's name
        self.calls += 1
        return self.real.extractOne(*args, **kwargs)

    def extract(self, *args, **kwargs):
        self.calls += 1
        return self.real.extract(*args, **kwargs)


@contextlib.contextmanager
def counting(module) -> Iterator[_Counting]:
    real = module.process
    counter = _Counting(real)
    module.process = counter
    try:
        yield counter
    finally:
        module.process = real


words = st.sampled_from(
    ["drake", "drak", "queen", "qween", "taylor", "swift", "adele", "xqzvw", "kanye", "love", "night", "rap", "sad",
     "#3", '"', "'", "é", "音楽", "🎵", "a", "bts", "daft", "punk", "zzzz", "blinding", "lights"]
)
pieces = st.lists(st.one_of(st.sampled_from(CONNECTORS), words), min_size=1, max_size=900)


@given(pieces)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fuzzy_artist_scans_are_bounded_per_request(tu, parts):
    text = " ".join(parts)[:2000].strip() or "by"
    tu._fuzzy_memo().clear()  # every example starts cold: the bound must hold without the memo's help
    with counting(text_refs) as scans:
        tu.parse(text)
    assert scans.calls <= FUZZY_SCANS_PER_REQUEST


def test_distinct_unknown_names_hit_the_scan_budget(tu):
    text = " ".join(f"not xq{i}zv by qw{i}rt" for i in range(100))[:2000]  # ~200 distinct names to look up
    tu._fuzzy_memo().clear()
    with counting(text_refs) as scans:
        tu.parse(text)
    assert scans.calls == FUZZY_SCANS_PER_REQUEST  # the budget, not one scan per name


@pytest.mark.parametrize("unit", CONNECTORS)
def test_repeated_connectors_read_a_bounded_prefix(tu, unit):
    text = (unit.strip() + " ") * 600
    text = text[:2000]
    lookups = {"n": 0}
    real = tu._lookup

    def lookup(gram):
        lookups["n"] += 1
        return real(gram)

    tu._lookup = lookup
    try:
        parsed = tu.parse(text)
    finally:
        del tu._lookup
    # each step looks up at most a few n-grams per token it reads, and it reads at most MAX_PARSE_TOKENS tokens
    assert lookups["n"] <= MAX_PARSE_TOKENS * 25
    if isinstance(parsed, TextQuery):
        assert any(f"first {MAX_PARSE_TOKENS} words" in c for c in parsed.cues)


def test_typos_and_short_names_still_resolve(tu):
    tu._fuzzy_memo().clear()
    assert tu.parse("no drake, no ed sheran please").filters.exclude_artists == ["Drake", "Ed Sheeran"]  # typo
    assert "Kanye West" in tu.parse("rap but not kanye").filters.exclude_artists  # a name's first word
    long = tu.parse(("no drake, no ed sheran, " * 100)[:2000])  # the same answer from the long form
    assert long.filters.exclude_artists == ["Drake", "Ed Sheeran"]


async def test_long_references_skip_the_fuzzy_scan_over_all_tracks(engine: Engine):
    long_ref = "love by " * 250
    with counting(track_refs) as scans:
        with pytest.raises(Exception):
            engine.app.tracks.resolve(long_ref)
    assert scans.calls == 0
    with counting(track_refs) as scans:  # a short typo still gets its fuzzy scan (and is found)
        pos = engine.app.tracks.resolve("Blindng Lights")
    assert scans.calls >= 1 and "Blinding Lights" in engine.app.tracks.label(pos)


async def test_long_requests_are_parsed_off_the_event_loop(engine: Engine):
    seen: list[str] = []
    text = engine.loaded.text
    real = text.parse

    def parse(*args, **kwargs):
        seen.append(threading.current_thread().name)
        return real(*args, **kwargs)

    text.parse = parse
    try:
        await engine.app.discovery.understand_async("chill study music")
        await engine.app.discovery.understand_async(("not drake and " * 200)[:2000])
        await engine.app.discovery.recommend_text(("sad songs without adele, " * 100)[:2000])
    finally:
        del text.parse
    main = threading.main_thread().name
    assert len(seen) == 3 and seen[0] == main and seen[1] != main and seen[2] != main
    assert len("chill study music") <= INLINE_TEXT_CHARS < 2000
