"""Slash commands in chat: #N refers to the last list everywhere; likes and dislikes never guess their track."""

from __future__ import annotations

from core.engine import Engine


async def test_hash_n_works_for_song_and_similar(engine: Engine, user) -> None:
    listed = await engine.app.chat.chat("test:refs", user, "/recommend chill study music")
    second = listed.recommendation.tracks[1].track
    song = await engine.app.chat.chat("test:refs", user, "/song #2")
    assert song.track is not None and song.track.track_id == second.track_id
    similar = await engine.app.chat.chat("test:refs", user, "/similar #2")
    assert similar.recommendation is not None and similar.recommendation.tracks
    assert second.title in similar.recommendation.summary
    missing = await engine.app.chat.chat("test:refs", user, "/song #99")
    assert "no #99" in missing.text and missing.track is None


async def test_likes_and_dislikes_name_their_track_and_never_guess(engine: Engine, user) -> None:
    await engine.app.chat.chat("test:fb", user, "/recommend slow songs under 80 bpm")
    await engine.app.chat.chat("test:fb", user, "/dislike #2")
    disliked = await engine.app.personal.disliked_ids(user)
    bare = await engine.app.chat.chat("test:fb", user, "/like")
    assert "Which song?" in bare.text
    assert await engine.app.personal.disliked_ids(user) == disliked  # the dislike was not turned into a like
    guess = await engine.app.chat.chat("test:fb", user, "/dislike nothing-like-this")
    assert "No track found" in guess.text
    assert await engine.app.personal.disliked_ids(user) == disliked
