"""Anchored lists in a conversation (ChatService.chat, local agent): "not that artist" / "no more X" act on the list on
screen and keep the anchor; opposite moves next to an anchor are named on the first line, not averaged."""

from __future__ import annotations

from core.anchors import find_anchor
from core.engine import Engine
from core.table import FEATURE_INDEX
from core.models import Caller

USER = Caller(user_id="u-anchor-session", platform="test")


async def test_not_that_artist_and_no_more_x_on_an_anchored_list(engine: Engine) -> None:
    cid = "test:anchor-session"
    first = await engine.app.chat.chat(cid, USER, "like Coldplay but more upbeat")
    rec = first.recommendation
    assert rec is not None and rec.anchor is not None and rec.anchor.name == "Coldplay"
    on_screen = rec.tracks[0].track.artists[0]
    second = await engine.app.chat.chat(cid, USER, "not that artist")
    rec2 = second.recommendation
    assert rec2 is not None and len(rec2.tracks) == 10
    assert all(on_screen not in i.track.artists for i in rec2.tracks)  # the artist of the list on screen
    assert rec2.anchor is not None and rec2.anchor.name == "Coldplay"  # still around the anchor
    other = next(a for i in rec2.tracks for a in i.track.artists if a != on_screen)
    third = await engine.app.chat.chat(cid, USER, f"no more {other}")
    rec3 = third.recommendation
    assert rec3 is not None and rec3.tracks
    assert all(other not in i.track.artists and on_screen not in i.track.artists for i in rec3.tracks)


async def test_opposite_moves_next_to_an_anchor_are_named_first(engine: Engine) -> None:
    reply = await engine.app.chat.chat("test:anchor-conflict", USER, "like Shakira but slower, no wait, faster")
    rec = reply.recommendation
    assert rec is not None and rec.anchor is not None and [c.axis for c in rec.conflicts] == ["tempo"]
    assert reply.text.splitlines()[0].startswith("“slower” and “faster” pull opposite ways: “faster” wins")
    anchor = find_anchor("like Shakira", engine.loaded.table, engine.loaded.refs)
    assert anchor is not None
    base = float(engine.loaded.table.features[anchor.seeds, FEATURE_INDEX["tempo"]].mean())  # Shakira's own tempo
    assert all(float(i.track.tempo) > base for i in rec.tracks)  # the kept side, in full
