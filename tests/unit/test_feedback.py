"""Likes / dislikes: verdict transitions, dislikes never recommended again (every personalized path), likes shaping
later recommendations, neutrality without feedback, persistence. Runs on the shipped catalog (conftest ``engine``)."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio

from core.engine import Engine
from core.errors import InvalidInput, SongNotFound
from core.feedback import TASTE_REASON_MIN
from core.models import Caller, Filters, TextQuery

# one engine for the module (opening the shipped catalog and fitting text understanding takes ~2 s);
# every test acts as its own users, so feedback never leaks between tests
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def engine(shipped_db: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Engine]:
    path = tmp_path_factory.mktemp("feedback") / "feedback.db"
    shutil.copy(shipped_db, path)
    eng = await Engine.open(path)
    try:
        yield eng
    finally:
        await eng.close()


def _uid(request: pytest.FixtureRequest, name: str) -> str:
    return f"{name}-{re.sub(r'[^A-Za-z0-9]+', '-', request.node.name)}"


@pytest.fixture
def ANN(request: pytest.FixtureRequest) -> Caller:  # noqa: N802 - reads like a person in the tests
    return Caller(user_id=_uid(request, "ann"), platform="telegram")


@pytest.fixture
def BEN(request: pytest.FixtureRequest) -> Caller:  # noqa: N802
    return Caller(user_id=_uid(request, "ben"), platform="telegram")


async def test_verdict_transitions_and_messages(engine: Engine, ANN: Caller) -> None:
    r = await engine.app.personal.like(ANN, "Blinding Lights - The Weeknd")
    assert (r.value, r.previous) == ("like", "none") and r.message.startswith('Liked "Blinding Lights - The Weeknd"')
    r = await engine.app.personal.like(ANN, "Blinding Lights - The Weeknd")
    assert (r.value, r.previous) == ("like", "like") and "already like" in r.message
    r = await engine.app.personal.dislike(ANN, r.track.spotify_url)
    assert (r.value, r.previous) == ("dislike", "like") and "won't suggest it to you again" in r.message
    assert await engine.app.personal.disliked_ids(ANN) == {r.track.track_id}
    assert await engine.app.feedback.liked_ids(ANN) == []
    r = await engine.app.feedback.clear(ANN, r.track.track_id)
    assert (r.value, r.previous) == ("none", "dislike")
    assert await engine.app.personal.disliked_ids(ANN) == set()
    with pytest.raises(SongNotFound):
        await engine.app.personal.like(ANN, "zzqx no such song at all qq")
    with pytest.raises(InvalidInput):
        await engine.app.feedback.record(ANN, "Blinding Lights", "love")  # type: ignore[arg-type]


async def test_feedback_is_per_user_and_platform(engine: Engine, ANN: Caller, BEN: Caller) -> None:
    await engine.app.personal.dislike(ANN, "Blinding Lights")
    assert await engine.app.personal.disliked_ids(Caller(user_id=ANN.user_id, platform="discord")) == set()
    assert await engine.app.personal.disliked_ids(f"telegram:{ANN.user_id}") == await engine.app.personal.disliked_ids(ANN)
    assert await engine.app.personal.disliked_ids(BEN) == set()


@pytest.mark.parametrize(
    "request_kind,request_value",
    [
        ("text", "chill acoustic evening"),
        ("text", "upbeat dance pop for a party"),
        ("similar", "Blinding Lights - The Weeknd"),
    ],
)
async def test_disliked_tracks_never_come_back(
    engine: Engine, request_kind: str, request_value: str, ANN: Caller, BEN: Caller
) -> None:
    async def ask(who: Caller) -> list[str]:
        if request_kind == "text":
            rec = await engine.app.personal.recommend_text_for(who, request_value, limit=10)
        else:
            rec = await engine.app.personal.recommend_similar_for(who, [request_value], Filters(limit=10))
        return [r.track.track_id for r in rec.tracks]

    t = engine.loaded.table
    disliked: set[str] = set()
    for _ in range(3):  # three rounds: dislike everything shown, ask again
        shown = await ask(ANN)
        assert len(shown) == 10
        assert not set(shown) & disliked
        assert not {t.norm_keys[t.pos[i]] for i in shown} & {t.norm_keys[t.pos[i]] for i in disliked}  # nor a remaster
        for tid in shown:
            await engine.app.personal.dislike(ANN, tid)
        disliked |= set(shown)
    first = await ask(BEN)
    assert set(first) & disliked  # someone else still gets them


async def test_dislike_covers_duplicates_of_the_track(engine: Engine, ANN: Caller) -> None:
    t = engine.loaded.table
    key_of: dict[str, list[int]] = {}
    for p in t.alive_positions():
        key_of.setdefault(t.norm_keys[int(p)], []).append(int(p))
    dupes = next(v for v in key_of.values() if len(v) >= 2)
    await engine.app.personal.dislike(ANN, t.ids[dupes[0]])
    excluded = await engine.app.feedback.exclusions(ANN)
    assert set(dupes) <= excluded


async def test_conversation_exclusions_pass_through(engine: Engine, ANN: Caller) -> None:
    first = await engine.app.personal.recommend_text_for(ANN, "happy summer songs", limit=10)
    shown = [r.track.track_id for r in first.tracks]
    second = await engine.app.personal.recommend_text_for(ANN, "happy summer songs", exclude_ids=shown, limit=10)
    assert not {r.track.track_id for r in second.tracks} & set(shown)


async def test_without_feedback_results_match_the_plain_engine(engine: Engine, ANN: Caller) -> None:
    plain = await engine.app.discovery.recommend_text("melancholic indie rock", limit=10)
    personal = await engine.app.personal.recommend_text_for(ANN, "melancholic indie rock", limit=10)
    assert [r.track.track_id for r in personal.tracks] == [r.track.track_id for r in plain.tracks]
    sim_plain = await engine.app.discovery.recommend_similar(["Say So - Doja Cat"])
    sim_personal = await engine.app.personal.recommend_similar_for(None, ["Say So - Doja Cat"])
    assert [r.track.track_id for r in sim_personal.tracks] == [r.track.track_id for r in sim_plain.tracks]


def _top_by_label(engine: Engine, kind: str, label: str, n: int) -> list[str]:
    t = engine.loaded.table
    lid = t.label_index[(kind, label)]
    out, keys = [], set()
    for p in sorted(t.label_tracks[lid], key=lambda p: -int(t.popularity[p])):
        if t.norm_keys[p] not in keys:
            keys.add(t.norm_keys[p])
            out.append(t.ids[p])
        if len(out) == n:
            break
    return out


async def test_likes_shape_later_recommendations(engine: Engine, ANN: Caller, BEN: Caller) -> None:
    t = engine.loaded.table
    liked = _top_by_label(engine, "subgenre", "neo soul", 8)
    for tid in liked:
        await engine.app.personal.like(ANN, tid)
    taste = await engine.app.feedback.taste_scores(ANN)
    assert taste is not None and taste.shape == (t.n,)
    assert all(taste[t.pos[i]] == 0 for i in liked)  # liked tracks are not pushed back (discovery, not replays)

    query = TextQuery(
        text="medium energy, medium mood", target={"energy": 0.6, "valence": 0.6}, weights={"energy": 1, "valence": 1}
    )
    plain = await engine.app.personal.recommend_query_for(BEN, query, limit=10)
    personal = await engine.app.personal.recommend_query_for(ANN, query, limit=10)
    p_ids = [t.pos[r.track.track_id] for r in plain.tracks]
    a_ids = [t.pos[r.track.track_id] for r in personal.tracks]
    assert p_ids != a_ids
    mean_plain, mean_personal = float(np.mean(taste[p_ids])), float(np.mean(taste[a_ids]))
    assert mean_personal > mean_plain + 0.05
    soul = {t.label_index[("subgenre", "neo soul")], t.label_index[("genre", "r&b")]}
    soul_plain = sum(bool(t.labels[p] & soul) for p in p_ids)
    soul_personal = sum(bool(t.labels[p] & soul) for p in a_ids)
    assert soul_personal > soul_plain
    assert any("close to tracks you liked" in r.reason for r in personal.tracks)
    assert all(taste[t.pos[r.track.track_id]] >= TASTE_REASON_MIN for r in personal.tracks if "you liked" in r.reason)
    # the request still rules: filters are never overridden by taste
    filtered = await engine.app.personal.recommend_query_for(
        ANN, query.model_copy(update={"filters": Filters(year_min=2015)}), limit=10
    )
    assert all((r.track.year or 0) >= 2015 for r in filtered.tracks)
    print(
        f"\nmean taste of top-10: plain {mean_plain:.3f} -> personalized {mean_personal:.3f}; "
        f"r&b/neo soul tracks {soul_plain} -> {soul_personal} of 10"
    )


async def test_taste_follows_new_likes(engine: Engine, ANN: Caller, BEN: Caller) -> None:
    await engine.app.personal.like(ANN, _top_by_label(engine, "subgenre", "neo soul", 1)[0])
    before = (await engine.app.feedback.taste_scores(ANN)).copy()
    await engine.app.personal.like(ANN, _top_by_label(engine, "subgenre", "hard rock", 1)[0])
    after = await engine.app.feedback.taste_scores(ANN)
    assert not np.allclose(before, after)
    assert await engine.app.feedback.taste_scores(BEN) is None


async def test_profile_summarizes_likes(engine: Engine, ANN: Caller) -> None:
    for tid in _top_by_label(engine, "subgenre", "neo soul", 4):
        await engine.app.personal.like(ANN, tid)
    await engine.app.personal.dislike(ANN, "Blinding Lights")
    prof = await engine.app.feedback.profile(ANN)
    assert (prof.user, prof.likes, prof.dislikes) == (f"telegram:{ANN.user_id}", 4, 1)
    assert prof.top_artists and set(prof.features) >= {"energy", "valence", "tempo"}
    assert 0 <= prof.features["energy"] <= 1


async def test_feedback_persists(db_copy: Path, ANN: Caller) -> None:
    eng = await Engine.open(db_copy)
    await eng.app.personal.dislike(ANN, "Blinding Lights - The Weeknd")
    tid = eng.loaded.table.ids[eng.app.tracks.resolve("Blinding Lights - The Weeknd")]
    await eng.close()
    eng = await Engine.open(db_copy)
    try:
        assert await eng.app.personal.disliked_ids(ANN) == {tid}
    finally:
        await eng.close()
