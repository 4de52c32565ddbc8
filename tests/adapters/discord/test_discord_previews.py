"""/preview and the preview links in lists, against the fake Spotify / Deezer / iTunes servers on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from discord_fakes import invoke

from adapters.discord.hooks import Hooks
from adapters.discord.render import embed_problems
from core.models import Caller
from tests.fakes.music_apis import FakeMusicApis

DEEZER_CDN = "https://cdnt-preview.dzcdn.net/api/1/1/{}.mp3?hdnea=exp=1999999999~acl=/api/1/1/{}.mp3*~hmac=ab12"


@pytest.fixture
async def apis() -> AsyncIterator[FakeMusicApis]:
    async with FakeMusicApis() as fakes:
        yield fakes


def buttons(view) -> dict[str, str | None]:
    return {getattr(c, "label", None): getattr(c, "url", None) for c in view.children}


async def test_preview_found_on_deezer(bot, interaction_factory, small_engine, apis):
    track = small_engine.loaded.table.track(3)
    url = DEEZER_CDN.format(track.track_id, track.track_id)
    apis.deezer.add(track.title, track.artists[0], url)
    small_engine.app.personal.configure_previews(apis.config(spotify=False))
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "preview", inter, ref=track.track_id)
    assert inter.names == ["defer", "followup"] and not inter.last.ephemeral
    content = inter.last.content
    assert f"30-second preview (via Deezer): <{url}>" in content and track.spotify_url in content
    assert buttons(inter.last.view)["30-second preview"] == url
    assert buttons(inter.last.view)["Spotify player"] == f"https://open.spotify.com/embed/track/{track.track_id}"
    assert apis.itunes.requests == []  # Deezer answered: iTunes never asked


async def test_preview_found_on_spotify_first(bot, interaction_factory, small_engine, apis):
    track = small_engine.loaded.table.track(4)
    apis.spotify.add(track.title, track.artists[0], "https://p.scdn.co/mp3-preview/abc", track_id=track.track_id)
    small_engine.app.personal.configure_previews(apis.config())
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "preview", inter, ref=track.title)
    assert "(via Spotify): <https://p.scdn.co/mp3-preview/abc>" in inter.last.content
    assert apis.deezer.requests == [] and apis.itunes.requests == []


@pytest.mark.parametrize("mode", ["null", "429", "malformed", "500"])
async def test_no_preview_is_a_friendly_answer_with_the_spotify_link(
    bot, interaction_factory, small_engine, apis, mode
):
    track = small_engine.loaded.table.track(6)
    for fake in (apis.deezer, apis.itunes):
        fake.add(track.title, track.artists[0], f"https://cdn.example.test/{track.track_id}.mp3")
        fake.behaviour.mode = mode
        fake.behaviour.retry_after = "120"  # longer than the retry cap: the provider is skipped, never waited for
    small_engine.app.personal.configure_previews(apis.config(spotify=False))
    inter = interaction_factory()
    started = time.monotonic()
    await invoke(bot, "MusicCog", "preview", inter, ref=track.track_id)
    assert time.monotonic() - started < 3
    assert inter.names == ["defer", "followup"] and not inter.last.ephemeral
    content = inter.last.content
    assert "No 30-second preview is available for this track — listen on Spotify instead:" in content
    assert content.rstrip().endswith(track.spotify_url)  # Discord unfurls it into Spotify's player
    assert "30-second preview" not in buttons(inter.last.view)
    assert apis.deezer.requests  # it really asked


async def test_slow_preview_services_are_cut_off(bot, interaction_factory, small_engine, apis):
    track = small_engine.loaded.table.track(6)
    for fake in (apis.deezer, apis.itunes):
        fake.add(track.title, track.artists[0], "https://cdn.example.test/late.mp3")
        fake.behaviour.mode, fake.behaviour.delay_s = "timeout", 5.0
    small_engine.app.personal.configure_previews(apis.config(spotify=False, timeout_s=10.0))
    bot.hooks = Hooks(preview_timeout_s=0.5)
    inter = interaction_factory()
    started = time.monotonic()
    await invoke(bot, "MusicCog", "preview", inter, ref=track.track_id)
    assert time.monotonic() - started < 2.5
    assert "No 30-second preview" in inter.last.content and not inter.last.ephemeral


async def test_unknown_song_is_refused_before_any_lookup(bot, interaction_factory, small_engine, apis):
    small_engine.app.personal.configure_previews(apis.config())
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "preview", inter, ref="Qwzx Vbnmk Plokij")
    assert inter.names == ["send_message"] and inter.last.ephemeral
    assert apis.total_requests == 0


async def test_lists_carry_preview_links_where_available(bot, interaction_factory, small_engine, apis):
    me = Caller(user_id="501", platform="discord")
    expected = (await small_engine.app.personal.recommend_text_for(me, "party", limit=5)).tracks
    with_preview = [it.track for it in expected[:3]]
    for t in with_preview:
        apis.deezer.add(t.title, t.artists[0], DEEZER_CDN.format(t.track_id, t.track_id))
    small_engine.app.personal.configure_previews(apis.config(spotify=False))
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", inter, text="party", count=5)
    (embed,) = inter.last.embeds
    assert embed_problems([embed]) == []
    for t in with_preview:
        assert f"[▶ 30 s]({DEEZER_CDN.format(t.track_id, t.track_id)})" in embed.description
    assert embed.description.count("[▶ 30 s](") == 3


async def test_slow_previews_never_hold_up_a_list(bot, interaction_factory, small_engine, apis):
    for fake in (apis.deezer, apis.itunes):
        fake.behaviour.mode, fake.behaviour.delay_s = "timeout", 5.0
    small_engine.app.personal.configure_previews(apis.config(spotify=False, timeout_s=10.0))
    bot.hooks = Hooks(embed_preview_budget_s=0.3)
    inter = interaction_factory()
    started = time.monotonic()
    await invoke(bot, "MusicCog", "recommend", inter, text="party", count=5)
    assert time.monotonic() - started < 2.0
    assert inter.names == ["defer", "followup"] and "[▶ 30 s](" not in inter.last.embeds[0].description


async def test_a_custom_preview_source_hook_is_used_and_its_failures_ignored(bot, interaction_factory, small_engine):
    me = Caller(user_id="501", platform="discord")
    expected = [it.track.track_id for it in (await small_engine.app.personal.recommend_text_for(me, "party", limit=10)).tracks]
    flaky = expected[0]

    class Previews:
        async def preview_url(self, track):
            if track.track_id == flaky:
                raise OSError("flaky")
            return f"https://cdn.example.test/{track.track_id}.mp3"

    bot.hooks = Hooks(previews=Previews())
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", inter, text="party", count=10)
    description = inter.last.embeds[0].description
    assert description.count("[▶ 30 s](https://cdn.example.test/") == 9
    assert f"https://cdn.example.test/{flaky}.mp3" not in description
