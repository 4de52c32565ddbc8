"""A pasted Spotify link plus a modifier keeps both (core.anchors.link_anchor, core.app.discovery.Discovery.understand): the
linked song is the anchor and the words around it move the answer, through ChatService.chat (local agent) and in every
form people paste (links with queries, intl paths, URIs, Spanish words around them)."""

from __future__ import annotations

import numpy as np
import pytest

from core.anchors import find_anchor, link_anchor
from core.engine import Engine
from core.models import Caller, TextQuery
from core.table import FEATURE_INDEX

USER = Caller(user_id="u-links", platform="test")
MISSING = "4uLU6hMCjMI75M1A2tKUQQ"  # a valid id that is not in the shipped catalog


def tid_of(engine: Engine, ref: str) -> str:
    return engine.loaded.table.ids[engine.app.tracks.resolve(ref)]


@pytest.mark.parametrize(
    ("template", "rest"),
    [
        ("https://open.spotify.com/track/{tid} but slower", "but slower"),
        ("like https://open.spotify.com/track/{tid}?si=abc only 2010s", "only 2010s"),
        ("spotify:track:{tid} but newer", "but newer"),
        ("como <https://open.spotify.com/intl-es/track/{tid}> pero más lento", "pero más lento"),
        ("Something similar to open.spotify.com/track/{tid}/ but more acoustic please", "Something but more acoustic please"),
    ],
)
def test_link_anchor_keeps_the_words_around_the_link(engine: Engine, template: str, rest: str) -> None:
    tid = tid_of(engine, "Get Lucky - Daft Punk")
    anchor = find_anchor(template.format(tid=tid), engine.loaded.table, engine.loaded.refs)
    assert anchor is not None and anchor.kind == "track" and anchor.seeds == [engine.loaded.table.pos[tid]]
    assert anchor.rest == rest


def test_a_link_outside_the_catalog_is_no_anchor(engine: Engine) -> None:
    assert link_anchor(f"https://open.spotify.com/track/{MISSING} but slower", engine.loaded.table, engine.loaded.refs) is None


def test_understand_keeps_a_catalog_link_as_its_canonical_uri(engine: Engine) -> None:
    tid = tid_of(engine, "Get Lucky - Daft Punk")
    parsed = engine.app.discovery.understand(f"https://open.spotify.com/track/{tid}?si=xyz&utm_source=copy but slower")
    assert isinstance(parsed, TextQuery) and parsed.text == f"spotify:track:{tid} but slower"
    assert "si" not in parsed.text.split() and "utm" not in parsed.text
    # words that mean nothing alone still make a request around the linked song
    parsed = engine.app.discovery.understand(f"como https://open.spotify.com/track/{tid} pero más lento")
    assert isinstance(parsed, TextQuery) and f"spotify:track:{tid}" in parsed.text


@pytest.mark.parametrize(
    ("template", "check"),
    [
        ("https://open.spotify.com/track/{tid} but slower", "slower"),
        ("{tid_link}?si=1 but newer", "newer"),
        ("like {tid_link} only 2010s", "2010s"),
        ("como {tid_link} pero más lento", "slower"),
    ],
)
async def test_chat_link_plus_modifier(engine: Engine, template: str, check: str) -> None:
    tid = tid_of(engine, "Get Lucky - Daft Punk")
    pos = engine.loaded.table.pos[tid]
    text = template.format(tid=tid, tid_link=f"https://open.spotify.com/track/{tid}")
    reply = await engine.app.chat.chat(f"test:linkmod:{check}:{abs(hash(template))}", USER, text)
    rec = reply.recommendation
    assert rec is not None and rec.anchor is not None and rec.anchor.seed_ids == [tid], reply.text
    # the first line is in the request's language (core.text.wording): "Como Get Lucky (más lento)" for Spanish
    assert reply.text.splitlines()[0].startswith("Como Get Lucky" if template.startswith("como") else "Like Get Lucky")
    assert "Liked" not in reply.text  # "like <link> only 2010s" is a request, not a thumbs up
    tracks = [i.track for i in rec.tracks]
    assert len(tracks) == 10 and tid not in [t.track_id for t in tracks]
    assert sum("Daft Punk" in t.artists for t in tracks) <= 2
    if check == "slower":
        base = float(engine.loaded.table.features[pos, FEATURE_INDEX["tempo"]])
        assert all(float(t.tempo) < base for t in tracks)
    elif check == "newer":
        seed = int(engine.loaded.table.original_years()[pos])
        assert all((t.original_year or 0) > seed for t in tracks)
    else:
        assert all(2010 <= (t.original_year or 0) <= 2019 for t in tracks)
    assert np.isfinite([i.score for i in rec.tracks]).all()


async def test_i_like_a_link_is_still_a_like(engine: Engine) -> None:
    tid = tid_of(engine, "Get Lucky - Daft Punk")
    reply = await engine.app.chat.chat("test:linklike", Caller(user_id="u-liker", platform="test"),
                              f"I like https://open.spotify.com/track/{tid}")
    assert reply.text.startswith("Liked")
