"""Follow-ups that shift the previous request, on a real small SQLite catalog through the built-in model (issue 10,
the grader's follow-up report): the list after the follow-up satisfies the new constraint and keeps the rest of the
previous request.

* mood comparatives ("a bit more hopeful", "un poco más esperanzadoras", "hoffnungsvoller") move the mood, never
  "I couldn't tell";
* an energy or mood move opens a tempo window the request stated on the side it contradicts, a tempo move shifts it;
* "more X" is heard: the list moves by about one step (core.moves.STEP) whatever the language;
* "newer" / "older" after a decade replace the window (the 80s -> the 90s), the first line states it once, and every
  listed track is inside it;
* a mood move keeps the scene of the list on screen (core.coherence.scene_labels), not a genre salad.
"""

from __future__ import annotations


import pytest

from core.engine import Engine
from core.models import ChatReply
from core.moves import STEP
from tests.security.agent_fixtures import *  # noqa: F403  (fixtures)
from tests.security.agent_fixtures import USER
from tests.replies import feature_mean

pytestmark = pytest.mark.usefixtures("no_model_requests")


def years(reply: ChatReply) -> list[int]:
    assert reply.recommendation is not None and reply.recommendation.tracks, reply.text
    return [int(i.track.original_year or i.track.year or 0) for i in reply.recommendation.tracks]


@pytest.mark.parametrize(("first", "follow"), [
    ("sad songs for a rainy night", "a bit more hopeful"),
    ("sad songs for a rainy night", "more hopeful"),
    ("canciones tristes para llorar", "un poco más esperanzadoras"),
    ("traurige Lieder", "hoffnungsvoller"),
    ("chansons tristes", "un peu plus optimiste"),
])
async def test_a_mood_comparative_moves_the_mood_of_the_previous_request(agent_engine: Engine, first: str,
                                                                        follow: str) -> None:
    cid = "test:shift:mood:" + "-".join(f"{first} {follow}".split())
    start = await agent_engine.app.chat.chat(cid, USER, first)
    after = await agent_engine.app.chat.chat(cid, USER, follow)
    assert after.recommendation is not None and after.recommendation.tracks, after.text
    assert "couldn't tell" not in after.text
    assert feature_mean(after, "valence") > feature_mean(start, "valence") + STEP / 2, (feature_mean(start, "valence"), feature_mean(after, "valence"))
    # the rest of the request stays: still subdued, not a party list
    assert feature_mean(after, "energy") < 0.75


async def test_less_upbeat_opens_a_stated_tempo_window_and_slower_shifts_it(agent_engine: Engine) -> None:
    cid = "test:shift:run"
    start = await agent_engine.app.chat.chat(cid, USER, "upbeat music for a morning run around 160 BPM")
    assert all(150 <= float(i.track.tempo) <= 170 for i in start.recommendation.tracks)  # type: ignore[union-attr]
    less = await agent_engine.app.chat.chat(cid, USER, "less upbeat")
    rec = less.recommendation
    assert rec is not None and rec.tracks, less.text
    lo, hi = rec.filters.tempo_min, rec.filters.tempo_max
    assert lo is not None and lo < 150 and hi == 170  # opened by one tempo step below, the top kept
    assert all(lo <= float(i.track.tempo) <= hi for i in rec.tracks)
    assert feature_mean(less, "valence") < feature_mean(start, "valence") - STEP / 2
    assert "150–170" not in rec.summary  # the stale window is not announced
    assert f"{lo:.0f}–{hi:.0f} BPM" in rec.summary
    slower = await agent_engine.app.chat.chat(cid, USER, "slower")
    rec2 = slower.recommendation
    assert rec2 is not None and rec2.tracks, slower.text
    assert rec2.filters.tempo_max is not None and rec2.filters.tempo_max < feature_mean(less, "tempo")
    assert max(float(i.track.tempo) for i in rec2.tracks) <= rec2.filters.tempo_max
    assert feature_mean(slower, "tempo") < feature_mean(less, "tempo") - 5


@pytest.mark.parametrize(("first", "follow"), [
    ("música tranquila para estudiar", "más movida"),
    ("calm music for studying", "more energetic"),
    ("musique calme pour étudier", "plus énergique"),
    ("ruhige Musik zum Lernen", "energischer"),
])
async def test_more_energy_is_heard_the_same_in_every_language(agent_engine: Engine, first: str, follow: str) -> None:
    cid = "test:shift:energy:" + "-".join(follow.split())
    start = await agent_engine.app.chat.chat(cid, USER, first)
    after = await agent_engine.app.chat.chat(cid, USER, follow)
    assert after.recommendation is not None and start.recommendation is not None, after.text
    # the target moves one full step from what the list on screen sounded like (never less than the request's target)
    assert after.recommendation.target["energy"] >= round(feature_mean(start, "energy") + STEP, 3) - 1e-6
    assert feature_mean(after, "energy") >= feature_mean(start, "energy") + 0.75 * STEP, (feature_mean(start, "energy"), feature_mean(after, "energy"))
    # loudness follows energy instead of holding the list down
    assert after.recommendation.target.get("loudness", 0) > start.recommendation.target.get("loudness", -60)


async def test_newer_after_a_decade_is_the_next_decade_stated_once(agent_engine: Engine) -> None:
    cid = "test:shift:era"
    start = await agent_engine.app.chat.chat(cid, USER, "rock de los 80")
    assert all(1980 <= y <= 1989 for y in years(start)), years(start)
    newer = await agent_engine.app.chat.chat(cid, USER, "más recientes")
    rec = newer.recommendation
    assert rec is not None and rec.tracks, newer.text
    assert (rec.filters.year_min, rec.filters.year_max) == (1990, 1999)
    assert all(1990 <= y <= 1999 for y in years(newer)), years(newer)
    first = newer.text.split("\n")[0] + " " + rec.summary
    assert rec.summary.count("1990–1999") == 1, rec.summary
    assert "1980" not in rec.summary and "1989" not in rec.summary and "desde" not in first, first
    older = await agent_engine.app.chat.chat(cid, USER, "older")
    rec2 = older.recommendation
    assert rec2 is not None and rec2.tracks, older.text
    assert (rec2.filters.year_min, rec2.filters.year_max) == (1980, 1989)
    assert all(1980 <= y <= 1989 for y in years(older)), years(older)
    assert "1990–1999" not in rec2.summary


async def test_newer_after_recent_songs_never_asks_past_the_catalog(agent_engine: Engine) -> None:
    cid = "test:shift:newest"
    await agent_engine.app.chat.chat(cid, USER, "party songs")
    newer = await agent_engine.app.chat.chat(cid, USER, "plus récent")
    rec = newer.recommendation
    assert rec is not None and rec.tracks, newer.text
    newest = max(int(y) for y in agent_engine.loaded.table.year[: agent_engine.loaded.table.n])
    assert rec.filters.year_min is not None and rec.filters.year_min <= newest
    assert all(y >= rec.filters.year_min for y in years(newer))


@pytest.mark.parametrize(("first", "follow"), [("sad songs for a rainy night", "a bit more hopeful"),
                                               ("party songs", "darker")])
async def test_a_mood_move_keeps_the_scene_of_the_list_on_screen(agent_engine: Engine, first: str, follow: str) -> None:
    from core.coherence import SCENE_SHARE, scene_labels
    from core.explain import own_labels

    t = agent_engine.loaded.table
    cid = "test:shift:scene:" + "-".join(follow.split())
    start = await agent_engine.app.chat.chat(cid, USER, first)
    scene = scene_labels(t, [t.pos[i.track.track_id] for i in start.recommendation.tracks])  # type: ignore[union-attr]
    assert scene, "the first list has a scene on the small catalog (the precondition of this test)"
    after = await agent_engine.app.chat.chat(cid, USER, follow)
    assert after.recommendation is not None and after.recommendation.tracks, after.text
    inside = [i for i in after.recommendation.tracks
              if {"{}:{}".format(*t.label_names[lid]) for lid in own_labels(t, t.pos[i.track.track_id])} & set(scene)]
    assert len(inside) >= SCENE_SHARE * len(after.recommendation.tracks), (scene, len(inside))


@pytest.mark.parametrize(("first", "follow", "style"), [
    ("upbeat party songs", "no reggaeton", "reggaeton"),
    ("fiesta latina para bailar", "sin reggaeton", "reggaeton"),
    ("energetic workout music", "without rap please", "rap"),
])
async def test_no_style_after_a_request_keeps_the_request_without_the_style(agent_engine: Engine, first: str,
                                                                             follow: str, style: str) -> None:
    # "no reggaeton" after "upbeat party songs" started a new request ("not reggaeton": The Weeknd, "matches your
    # request"); now it is the same request without that style
    cid = "test:shift:nostyle:" + "-".join(f"{first} {follow}".split())
    start = await agent_engine.app.chat.chat(cid, USER, first)
    after = await agent_engine.app.chat.chat(cid, USER, follow)
    rec = after.recommendation
    assert rec is not None and rec.tracks, after.text
    assert all(style not in (*i.track.genres, *i.track.subgenres) for i in rec.tracks), [
        (i.track.title, i.track.genres, i.track.subgenres) for i in rec.tracks]
    assert start.recommendation is not None
    kept = [c for c in start.recommendation.summary.split("; ") if "→" in c][:1]  # the request's own first cue
    assert kept and kept[0].split(" → ")[0] in rec.summary, (kept, rec.summary)
    assert feature_mean(after, "energy") > 0.6  # still the party / workout it was
