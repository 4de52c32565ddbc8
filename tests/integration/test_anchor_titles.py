"""Song titles that hold a clause word ("Rolling in the Deep", "Dancing With A Stranger") are whole anchors on the
shipped catalog (core.anchor_titles): "like Rolling in the Deep by Adele but more upbeat" was the unknown artist
"Rolling" ("There's no artist named Rolling" on the first line) and the playlist "Deep …"."""

from __future__ import annotations

import re

import pytest

from core.anchor_titles import CLAUSE_WORDS_IN_TITLES, _title_cased
from core.anchors import find_anchor
from core.catalog import normalize_text
from core.engine import Engine
from core.models import Recommendation

_CLAUSE = re.compile(r"\s(" + "|".join(sorted(CLAUSE_WORDS_IN_TITLES, key=len, reverse=True)) + r")\s", re.I)


def _catalog_titles(engine: Engine, n: int) -> list[int]:
    """Up to ``n`` popular catalog songs whose plain title (no " - Remastered" tail) is title-cased and holds a clause
    word after its first word, one per title."""
    t = engine.loaded.table
    seen: set[str] = set()
    out: list[int] = []
    for p in sorted(t.alive_positions().tolist(), key=lambda p: -int(t.popularity[p])):
        title = re.split(r"\s+-\s+|\s*\(", t.titles[p])[0].strip()
        key = normalize_text(title)
        if key in seen or not _CLAUSE.search(title) or not _title_cased(title) or len(title.split()) > 6:
            continue
        seen.add(key)
        out.append(p)
        if len(out) == n:
            break
    return out


@pytest.mark.parametrize("template", ["like {title} by {artist} but more upbeat", "songs like {title} by {artist}",
                                      "something like {title} but slower"])
async def test_a_title_holding_a_clause_word_is_the_song(engine: Engine, template: str) -> None:
    t = engine.loaded.table
    songs = _catalog_titles(engine, 25)
    assert len(songs) >= 15  # the catalog holds many such titles
    wrong = []
    for p in songs:
        title = re.split(r"\s+-\s+|\s*\(", t.titles[p])[0].strip()
        text = template.format(title=title, artist=t.artists[p][0])
        anchor = find_anchor(text, t, engine.loaded.refs)
        if anchor is None or anchor.kind != "track" or not anchor.seeds or not normalize_text(
                t.titles[anchor.seeds[0]]).startswith(normalize_text(title)):
            wrong.append((text, anchor and anchor.name))
    # without "by ARTIST" another artist's song of the same title may be the one resolved; the title must be it
    assert not wrong, wrong


@pytest.mark.parametrize("text, artist", [("like Drake in the 2010s", "Drake"),
                                          ("like Queen in the 80s but slower", "Queen"),
                                          ("like Daft Punk with more energy", "Daft Punk")])
async def test_an_artist_then_a_clause_stays_the_artist(engine: Engine, text: str, artist: str) -> None:
    anchor = find_anchor(text, engine.loaded.table, engine.loaded.refs)
    assert anchor is not None and anchor.kind == "artist" and anchor.name == artist


async def test_rolling_in_the_deep_more_upbeat_says_the_song_first(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("like Rolling in the Deep by Adele but more upbeat")
    assert isinstance(rec, Recommendation) and rec.tracks
    assert rec.anchor is not None and rec.anchor.kind == "track" and "Rolling in the Deep" in rec.anchor.name
    assert "no artist named" not in rec.summary and not any(n.kind == "missing_artist" for n in rec.coverage)
    seed = rec.anchor.seed_ids[0]
    assert seed not in {i.track.track_id for i in rec.tracks}


async def test_like_number_but_move_anchors_on_that_very_song(engine: Engine) -> None:
    """"more like #3 but no rap" on "My, My, My" by Johnny Gill became "like Johnny Gill" (the commas ended the name):
    the anchored request the intent writes always reads back as the list's song — its title and artist when they
    carry it, its Spotify link when not. Checked over catalog titles with commas, clause words and a few plain ones."""
    from core.agent.intents_recommend import _anchor_request

    t = engine.loaded.table
    hard = [p for p in t.alive_positions().tolist() if "," in t.titles[p] or _CLAUSE.search(t.titles[p])][:40]
    plain = [t.pos[i] for i in t.ids[:10]]
    for p in hard + plain:
        text = _anchor_request(engine.app.tracks, t.ids[p], "but no rap")
        anchor = find_anchor(text, t, engine.loaded.refs)
        assert anchor is not None and anchor.kind == "track" and anchor.seeds, text
        assert t.norm_keys[anchor.seeds[0]] == t.norm_keys[p], (text, t.titles[anchor.seeds[0]])
        assert "no rap" in anchor.rest


@pytest.mark.parametrize("text, conflicted", [("like Run Away by Real McCoy but slower", False),
                                              ("like Daft Punk but slower and running", True)])
async def test_a_word_inside_the_anchors_name_is_no_conflict(engine: Engine, text: str, conflicted: bool) -> None:
    """"like Run Away by Real McCoy but slower" opened with "“run” and “slower” pull in opposite directions": the
    word was the song's title. A conflict both of whose words are outside the name is still said."""
    rec = await engine.app.discovery.recommend_text(text)
    assert isinstance(rec, Recommendation) and rec.anchor is not None
    assert ("pull in opposite directions" in rec.summary) is conflicted, rec.summary
    assert bool(rec.conflicts) is conflicted
