"""Anchored requests read as a listener would (shipped catalog): "like X but newer/older" uses each song's original
year (the earliest among its versions), never a compilation's album date; artist anchors with a move start from the
artist's songs that lean that way and stay in the anchor's scene; at most 2 tracks by X."""

from __future__ import annotations

import numpy as np
import pytest

from core.anchor_step import step_bands
from core.anchors import era_shift, find_anchor, lean_seeds, linked_artists, relative_moves, seed_years, style_mask
from core.engine import Engine
from core.models import Filters, Recommendation
from core.table import FEATURE_INDEX


async def test_newer_than_queen_means_newer_songs_not_newer_album_dates(engine: Engine) -> None:
    t = engine.loaded.table
    anchor = find_anchor("like Queen but newer", t, engine.loaded.refs)
    assert anchor is not None and anchor.seeds
    median = seed_years(t, anchor.seeds)[len(anchor.seeds) // 2]
    assert median < 1985  # Queen's famous songs are 1970s songs, whatever their remasters' album dates say
    rec = await engine.app.discovery.recommend_text("like Queen but newer")
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    assert rec.filters.year_min is not None and rec.filters.year_min > median  # relative to Queen, not "2018–2020"
    for item in rec.tracks:
        assert item.track.original_year is not None and item.track.original_year >= rec.filters.year_min, item.track
    assert any("newer" in m for m in rec.anchor.modifiers)
    assert sum("Queen" in i.track.artists for i in rec.tracks) <= 2
    assert all("rock" in i.track.genres for i in rec.tracks)  # the anchor's scene


async def test_an_explicit_era_is_read_on_original_years(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("like Eminem only 2010s")
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10 and "2010–2019" in rec.summary
    assert all(2010 <= (i.track.original_year or 0) <= 2019 for i in rec.tracks)


def test_era_shift_is_relative_to_the_anchor_unless_the_request_names_years(engine: Engine) -> None:
    t = engine.loaded.table
    anchor = find_anchor("like Drake but older", t, engine.loaded.refs)
    assert anchor is not None
    parsed = Filters(year_min=2018, year_max=2020)  # what the parser makes of "newer"/"recent" on its own
    filters, cue = era_shift("but older", t, anchor.seeds, parsed)
    assert filters.year_min is None and filters.year_max is not None and filters.year_max < 2018 and "older" in cue
    same, cue2 = era_shift("but older, before 2015", t, anchor.seeds, Filters(year_max=2014))
    assert same.year_max == 2014 and cue2 == ""


async def test_nothing_newer_than_the_catalog_is_said_not_invented(engine: Engine) -> None:
    t = engine.loaded.table
    last = int(t.original_years()[: t.n].max())
    anchor = find_anchor("like Roddy Ricch but newer", t, engine.loaded.refs)
    assert anchor is not None and anchor.seeds
    filters, cue = era_shift("but newer", t, anchor.seeds, Filters())
    assert (filters.year_min or 0) <= last
    if seed_years(t, anchor.seeds)[len(anchor.seeds) // 2] >= last:
        assert "nothing here is newer" in cue


async def test_like_daft_punk_but_slower(engine: Engine) -> None:
    t = engine.loaded.table
    text = "like Daft Punk but slower"
    anchor = find_anchor(text, t, engine.loaded.refs)
    assert anchor is not None and anchor.kind == "artist"
    deltas, _ = relative_moves(anchor.rest)
    ti = FEATURE_INDEX["tempo"]
    leaning = lean_seeds(t, anchor, deltas)
    assert float(t.features[leaning, ti].mean()) < float(t.features[anchor.seeds, ti].mean())  # its slower songs
    base = float(t.features[anchor.seeds, ti].mean())
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10 and rec.anchor is not None
    tempos = [float(i.track.tempo) for i in rec.tracks]
    band = step_bands(t, anchor.seeds, deltas)["tempo"]
    assert band.near == pytest.approx(base * 0.9) and band.far == pytest.approx(base * 0.75)  # 10-25 % slower
    assert all(band.makes(tempos)) and int(band.within(tempos).sum()) >= 8, tempos  # a step, not "anything slower"
    assert sum("Daft Punk" in i.track.artists for i in rec.tracks) <= 2
    mates = linked_artists(anchor, engine.loaded.recommender.graph) | set(anchor.artist_ids)
    assert sum(bool(set(t.artist_ids[t.pos[i.track.track_id]]) & mates) for i in rec.tracks) >= 6  # its scene-mates
    scene = style_mask(t, anchor, "subgenre")
    assert scene is not None
    assert sum(bool(scene[t.pos[i.track.track_id]]) for i in rec.tracks) >= 7  # Daft Punk's subgenres, mostly


async def test_spanish_and_german_anchors_keep_their_scene(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("como Shakira pero más lento")
    assert isinstance(rec, Recommendation) and rec.anchor is not None and rec.anchor.name == "Shakira"
    assert sum("latin" in i.track.genres for i in rec.tracks) >= 8
    rec = await engine.app.discovery.recommend_text("wie Rammstein aber langsamer")
    assert isinstance(rec, Recommendation) and rec.anchor is not None
    assert all("rock" in i.track.genres for i in rec.tracks)
    seeds_tempo = np.mean([engine.loaded.table.features[p, FEATURE_INDEX["tempo"]] for p in
                           find_anchor("wie Rammstein", engine.loaded.table, engine.loaded.refs).seeds])
    assert all(float(i.track.tempo) < seeds_tempo for i in rec.tracks)
