"""Chat replies that carry a single track keep the engine's words (e.g. an admin edit confirmation)."""

from __future__ import annotations

from adapters.discord.render import chat_message
from core.models import ChatReply, Track

TRACK = Track(
    track_id="A" * 22, title="Song", artists=["Band"], danceability=0.5, energy=0.5, key=1, loudness=-5.0, mode=1,
    speechiness=0.1, acousticness=0.1, instrumentalness=0.0, liveness=0.1, valence=0.5, tempo=120.0,
)  # fmt: skip


def test_track_reply_keeps_the_confirmation_text() -> None:
    out = chat_message(ChatReply(text="Updated: Song - Band (energy 0.5).", track=TRACK))
    assert out.content == "Updated: Song - Band (energy 0.5)." and len(out.embeds) == 1


def test_track_reply_that_only_names_the_track_adds_no_text() -> None:
    out = chat_message(ChatReply(text="Song - Band", track=TRACK))
    assert out.content is None and len(out.embeds) == 1
