"""Follow-ups and anchors on the shipped catalog, read as a listener reads the list (issue 10: the blind grader scored
follow-ups 1.09/2 and anchors 0.86/2). Each property failed on the lists these conversations got before:

* "latin music for a wedding … no reggaeton" (said at once, or "no reggaeton" / "sin reguetón" after it) stays Latin
  and drops reggaeton only (it brought Michael Kiwanuka, The Chainsmokers and The Weeknd);
* "more like #N" after "no reggaeton" keeps reggaeton out and says so (Ozuna and Yandel came back);
* a mood word next to an anchor moves the mood, not the drive ("like Adele but less sad" was dance-pop at energy
  0.77; "like Daft Punk but darker" fell to energy 0.55 with Coldplay ballads);
* "wake me up" is Avicii's song (it was the artist "Wake Me"), "bad guy" is Billie Eilish's (it was "I couldn't
  tell"), "happy" is still the mood;
* "Bob Marley songs" / "play some Bob Marley" are Bob Marley & The Wailers, with no "no artist named" line, and the
  first line says the catalog holds only 2 of their songs before the closest others.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.anchors import find_anchor
from core.engine import Engine
from core.explain import own_labels
from core.genres import display_genre
from core.models import Caller, Recommendation
from core.table import FEATURE_INDEX, TrackTable

USER = Caller(user_id="u-follow-anchor", platform="test")


def genre_share(t: TrackTable, rec: Recommendation, genre: str) -> float:
    """Share of the list carrying the catalog genre label ``genre``."""
    def carries(track_id: str) -> bool:
        return any(t.label_names[lid] == ("genre", genre) for lid in t.labels[t.pos[track_id]])

    return sum(carries(i.track.track_id) for i in rec.tracks) / max(len(rec.tracks), 1)


def shown_as(t: TrackTable, rec: Recommendation, style: str) -> list[str]:
    """Titles of the list shown as ``style`` (the reply's genre column, core.genres.display_genre)."""
    return [i.track.title for i in rec.tracks if display_genre(t, t.pos[i.track.track_id]) == style]


def mean(t: TrackTable, positions: list[int], feature: str) -> float:
    return float(np.nanmean(t.features[positions, FEATURE_INDEX[feature]]))


def positions(t: TrackTable, rec: Recommendation) -> list[int]:
    return [t.pos[i.track.track_id] for i in rec.tracks]


async def test_a_refused_style_beside_a_named_one_keeps_the_named_one(engine: Engine) -> None:
    t = engine.loaded.table
    rec = await engine.app.discovery.recommend_text("latin music for a wedding but no reggaeton")
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    assert genre_share(t, rec, "latin") == 1.0, [(i.track.title, i.track.artist) for i in rec.tracks]
    assert not shown_as(t, rec, "reggaeton")
    # said after the list: Latin artists fill the places reggaeton leaves, not The Chainsmokers' "Closer", which one
    # Latin playlist holds (its label says latin; its artist's scene, core.explain.own_labels, does not)
    cid = "test:follow:latin-en"
    await engine.app.chat.chat(cid, USER, "latin music for a wedding")
    refined = (await engine.app.chat.chat(cid, USER, "no reggaeton")).recommendation
    assert refined is not None and len(refined.tracks) == 10 and not shown_as(t, refined, "reggaeton")
    latin = t.label_index[("genre", "latin")]
    foreign = [i.track.artist for i in refined.tracks if latin not in own_labels(t, t.pos[i.track.track_id])]
    assert not foreign, foreign
    cid = "test:follow:latin-es"
    await engine.app.chat.chat(cid, USER, "música latina para una boda")
    after = (await engine.app.chat.chat(cid, USER, "sin reguetón")).recommendation
    assert after is not None and len(after.tracks) == 10
    assert genre_share(t, after, "latin") >= 0.9 and not shown_as(t, after, "reggaeton"), after.summary


async def test_more_like_a_listed_track_keeps_the_refused_style_out(engine: Engine) -> None:
    t = engine.loaded.table
    for n in (1, 10):  # Anitta's and Sebastián Yatra's radios held Yandel, Ozuna
        cid = f"test:follow:more-like-{n}"
        await engine.app.chat.chat(cid, USER, "latin music for a wedding")
        refined = (await engine.app.chat.chat(cid, USER, "no reggaeton")).recommendation
        assert refined is not None and not shown_as(t, refined, "reggaeton")
        reply = await engine.app.chat.chat(cid, USER, f"more like #{n}")
        rec = reply.recommendation
        assert rec is not None and rec.kind == "similar" and len(rec.tracks) == 10
        assert not shown_as(t, rec, "reggaeton"), (n, shown_as(t, rec, "reggaeton"))
        assert "not reggaeton" in rec.summary  # said, not silent
        more = (await engine.app.chat.chat(cid, USER, "more")).recommendation  # the next page keeps it too
        assert more is not None and more.tracks and not shown_as(t, more, "reggaeton")


@pytest.mark.parametrize(("request_text", "up"), [
    ("like Adele but less sad", True),
    ("like Radiohead but happier", True),
    ("like Billie Eilish but less dark", True),
    ("like Daft Punk but darker", False),
])
async def test_a_mood_word_next_to_an_anchor_moves_the_mood_not_the_drive(engine: Engine, request_text: str,
                                                                         up: bool) -> None:
    t = engine.loaded.table
    anchor = find_anchor(request_text, t, engine.loaded.refs)
    assert anchor is not None and anchor.seeds
    rec = await engine.app.discovery.recommend_text(request_text)
    assert isinstance(rec, Recommendation) and len(rec.tracks) == 10
    got = positions(t, rec)
    valence, base = mean(t, got, "valence"), mean(t, anchor.seeds, "valence")
    assert (valence > base + 0.05) if up else (valence < base - 0.15), (valence, base)
    # the anchor's intensity stays: no louder dance-pop for "less sad", no ballads for "darker"
    energy, own = mean(t, got, "energy"), mean(t, anchor.seeds, "energy")
    assert abs(energy - own) <= 0.1, (request_text, energy, own)


async def test_less_sad_is_a_smaller_move_than_more_upbeat(engine: Engine) -> None:
    t = engine.loaded.table
    less_sad = await engine.app.discovery.recommend_text("like Adele but less sad")
    upbeat = await engine.app.discovery.recommend_text("like Adele but more upbeat")
    assert isinstance(less_sad, Recommendation) and isinstance(upbeat, Recommendation)
    assert mean(t, positions(t, less_sad), "energy") < mean(t, positions(t, upbeat), "energy") - 0.1
    assert less_sad.summary == "Like Adele (happier)"


@pytest.mark.parametrize(("said", "title", "artist"), [
    ("wake me up", "Wake Me Up", "Avicii"),
    ("bad guy", "bad guy", "Billie Eilish"),
    ("play Blinding Lights", "Blinding Lights", "The Weeknd"),
])
async def test_a_song_title_said_alone_is_that_song(engine: Engine, said: str, title: str, artist: str) -> None:
    reply = await engine.app.chat.chat("test:follow:title:" + "-".join(said.split()), USER, said)
    rec = reply.recommendation
    assert rec is not None and rec.anchor is not None and rec.anchor.kind == "track", reply.text
    assert rec.anchor.name == f"{title} - {artist}"
    assert "Wake Me →" not in reply.text and "couldn't tell" not in reply.text


async def test_a_mood_word_that_is_also_a_title_stays_the_mood(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("happy")
    assert isinstance(rec, Recommendation) and rec.anchor is None and rec.target.get("valence", 0) > 0.6


@pytest.mark.parametrize("said", ["Bob Marley songs", "play some Bob Marley", "bob marley"])
async def test_the_lead_artists_name_is_the_act(engine: Engine, said: str) -> None:
    reply = await engine.app.chat.chat("test:follow:lead:" + "-".join(said.split()), USER, said)
    rec = reply.recommendation
    assert rec is not None and rec.tracks, reply.text
    assert rec.tracks[0].track.artist == "Bob Marley & The Wailers", reply.text
    assert not any(n.kind == "missing_artist" for n in rec.coverage)
    assert "no artist named" not in reply.text.lower() and "couldn't tell" not in reply.text
    # the catalog holds 2 of his songs: the first line says so before the closest others
    assert reply.text.splitlines()[0].startswith("Only 2 tracks by Bob Marley & The Wailers in this catalog"), reply.text
