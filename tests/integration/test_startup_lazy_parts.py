"""What a one-shot command no longer builds at start-up, on a real copy of the shipped catalog: the cached table's
per-track playlist ids (built on first read), the holiday songs' positions (read back from a memo keyed by the catalog
version), and the artist-name pattern of the text understanding (only for text that could hold such a name).

No timings here: speed is measured by ``musicbot bench`` (start-up figures).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core import anchors
from core.catalog import Catalog
from core.engine import Engine
from core.models import Caller
from core.startup_cache import table_memo
from core.table import TrackTable



async def _reopen(db: Path) -> Engine:
    """An engine whose table comes from the start-up cache (a first open writes it)."""
    first = await Engine.open(db)
    await first.close()
    engine = await Engine.open(db)
    assert engine.loaded.table_source == "cache"
    return engine


async def test_a_cached_table_builds_its_playlist_ids_only_when_read(db_copy: Path, cache_dir: Path) -> None:
    engine = await _reopen(db_copy)
    try:
        table = engine.loaded.table
        for text in ("/recommend chill study music", "something for a rainy drive"):
            reply = await engine.app.chat.chat("lazy:1", Caller(), text)
            assert reply.recommendation is not None and len(reply.recommendation.tracks) == 10
        assert table._sources is None  # neither request read them
        catalog = await Catalog.open(db_copy)
        try:
            built = await TrackTable.load(catalog)
        finally:
            await catalog.close()
        # read now: the same sets as the table built from SQLite, position by position and in the same order
        assert table.sources == built.sources and any(built.sources)
        assert all(list(a) == list(b) for a, b in zip(table.sources, built.sources))
    finally:
        await engine.close()


async def test_a_change_before_the_first_read_keeps_the_playlist_ids_whole(db_copy: Path, cache_dir: Path) -> None:
    engine = await _reopen(db_copy)
    try:
        table = engine.loaded.table
        built = await _built_sources(db_copy)
        p = next(i for i, s in enumerate(built) if s)
        want = built[p]
        track = table.track(p)
        assert table._sources is None  # not built yet: the upsert below is the first to need them
        q = table.pos[engine.loaded.apply_upsert(track.model_copy(update={"popularity": 3})).track_id]
        assert q == table.n - 1 and len(table.sources) == table.n  # the new position got its own (empty) set
        assert table.sources[p] == want  # the old position kept what the cache file held
    finally:
        await engine.close()


async def _built_sources(db: Path) -> list[set[str]]:
    catalog = await Catalog.open(db)
    try:
        return (await TrackTable.load(catalog)).sources
    finally:
        await catalog.close()


async def test_holiday_songs_come_from_the_memo_only_for_the_cached_catalog_version(
    db_copy: Path, cache_dir: Path
) -> None:
    engine = await _reopen(db_copy)
    try:
        table = engine.loaded.table
        anchors._SEASONAL_MEMO.clear()
        first = anchors.seasonal_positions(table)
        fresh = anchors._seasonal_scan(table)
        assert first == fresh and len(first) > 20  # the shipped catalog holds ~100 holiday songs
        assert len(list((cache_dir / "memo").glob("seasonal-*.npy"))) == 1
        # a second process reads the file: poison it and see the value served from it (so it is really read)
        path = next((cache_dir / "memo").glob("seasonal-*.npy"))
        np.save(path, np.asarray([0, 1], dtype=np.int64))
        anchors._SEASONAL_MEMO.clear()
        assert anchors.seasonal_positions(table) == frozenset({0, 1})
        # a table changed since it was loaded is no longer the cached catalog version: computed afresh
        track = table.track(next(iter(first)))
        engine.loaded.apply_upsert(track.model_copy(update={"popularity": 1}))
        anchors._SEASONAL_MEMO.clear()
        changed = anchors.seasonal_positions(table)
        assert changed == anchors._seasonal_scan(table) and changed != frozenset({0, 1})
        assert table_memo(table, "seasonal", [Path(anchors.__file__)], lambda: np.asarray([7])).tolist() == [7]
    finally:
        anchors._SEASONAL_MEMO.clear()
        await engine.close()


def test_text_without_inner_punctuation_never_builds_the_artist_name_pattern() -> None:
    from core.text import TextUnderstanding

    tu = TextUnderstanding()
    assert tu._punctuated_names("chill study music") == "chill study music"
    assert getattr(tu, "_punct_memo", None) is None  # the catalog's names were not folded for it
    assert tu._punctuated_names("without ac/dc") == "without ac/dc"  # no fitted catalog: no names to rewrite
    assert getattr(tu, "_punct_memo", None) is not None


async def test_an_inner_punctuation_name_is_still_rewritten(engine: Engine) -> None:
    from core.text.tokens import fold
    from core.text.understanding import _INNER_PUNCT

    text = engine.loaded.text
    names = [d for d in text._cat.artist_display if _INNER_PUNCT.search(fold(d)) and len(fold(d)) >= 3]
    assert len(names) > 5, "the shipped catalog has artists with punctuation inside their name (AC/DC, P!nk)"
    for name in names[:20]:
        folded = fold(f"nothing like {name}")
        assert text._punctuated_names(folded) != folded, name
    assert text._punctuated_names(fold("without AC/DC")) == "without ac dc"


def test_the_shipped_hints_are_made_per_concept_on_first_read_and_equal_the_eager_ones() -> None:
    from core.text import TextUnderstanding

    tu = TextUnderstanding()
    hints = tu._ship_hints
    assert len(hints) == len(tu.vocab.concepts) and all(v is None for v in hints._items)  # nothing made at start
    tu.parse("chill study music")
    made = sum(v is not None for v in hints._items)
    assert 0 < made < len(hints) // 4  # a request reads the few concepts it names
    eager = [tu._resolve_hints(c, tu.shipped) for c in tu.vocab.concepts]
    assert list(hints) == eager and any(eager) and hints[-1] == eager[-1] and hints[2:5] == eager[2:5]


async def test_coverage_scans_the_label_texts_only_for_a_request_that_needs_a_style(engine: Engine) -> None:
    reply = await engine.app.chat.chat("cov:1", Caller(), "/recommend chill study music")
    assert reply.recommendation is not None and len(reply.recommendation.tracks) == 10
    coverage = engine.loaded.coverage_model
    assert coverage is not None and coverage._style_map is None  # built, but no label text scanned
    count = coverage.style_count("rock")  # read now: scanned once, the same as an eager scan
    assert coverage._style_map == coverage._scan_labels() and count.tracks > 0


async def test_a_long_running_process_scans_the_label_texts_in_its_warm_up(engine: Engine) -> None:
    engine.app.chat.prepare_lists()  # what a bot's and musicbot chat's warm-up runs
    coverage = engine.loaded.coverage_model
    assert coverage is not None and coverage._style_map is not None
