"""Charts on Discord: ``/chart`` and the "📊 Chart" buttons attach a real PNG and show it inside the embed
(``attachment://chart.png``), within Discord's embed and attachment limits; a drawing failure leaves the data."""

from __future__ import annotations

import discord
import pytest
from discord_fakes import FakeInteraction, click, invoke

from adapters.discord.charts import CHART_FILENAME, MAX_ATTACHMENT_BYTES, ChartButton
from adapters.discord.render import embed_problems
from adapters.discord.views import DYNAMIC_ITEMS
from core import charts


@pytest.fixture(autouse=True)
def _patient_charts(monkeypatch) -> None:
    # the 2-core CI machine runs many suites at once: the first drawing (matplotlib import) may pass the product's
    # 8-second budget there; these tests check what is sent, not how fast (that is `musicbot bench`)
    monkeypatch.setattr(charts, "CHART_TIMEOUT_S", 120.0)


def chart_buttons(view) -> list[ChartButton]:
    return [c for c in view.children if isinstance(c, ChartButton)]


def attached_png(call) -> bytes:
    (file,) = call.kwargs["files"]
    assert isinstance(file, discord.File) and file.filename == CHART_FILENAME
    data = file.fp.read()
    file.fp.seek(0)
    return data


def assert_chart_embed(call, size: tuple[int, int]) -> discord.Embed:
    (embed,) = call.embeds
    assert embed.image.url == f"attachment://{CHART_FILENAME}"
    assert embed_problems([embed]) == []
    png = attached_png(call)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and charts.png_size(png) == size
    assert len(png) <= MAX_ATTACHMENT_BYTES and len(png) < charts.MAX_PNG_BYTES
    return embed


async def test_chart_command_pictures_the_channel_list_against_the_request(bot, interaction_factory):
    await invoke(bot, "MusicCog", "recommend", interaction_factory(), text="upbeat dance 128 bpm", count=5)
    inter = interaction_factory()
    await invoke(bot, "ChartCog", "chart", inter)
    assert inter.names == ["defer", "followup"]
    embed = assert_chart_embed(inter.last, charts.SET_CHART_PX)
    assert "upbeat dance 128 bpm" in embed.title and embed.description.count("\n") == 4  # the 5 tracks, numbered


async def test_chart_command_for_one_song_puts_the_picture_in_its_track_embed(bot, interaction_factory):
    track = bot.services.tracks.table.track(0)
    inter = interaction_factory()
    await invoke(bot, "ChartCog", "chart", inter, song=track.track_id)
    embed = assert_chart_embed(inter.last, charts.TRACK_CHART_PX)
    assert track.title[:50] in embed.title.replace("\\", "") and track.track_id in embed.url


async def test_chart_buttons_under_results_and_song_cards(bot, interaction_factory):
    inter = interaction_factory()
    await invoke(bot, "MusicCog", "recommend", inter, text="chill study music", count=5)
    (button,) = chart_buttons(inter.last.view)
    assert button.item.custom_id.startswith("mb:chart:k:") and len(button.item.custom_id) <= 100
    assert any(cls.__discord_ui_compiled_template__.fullmatch(button.item.custom_id) for cls in DYNAMIC_ITEMS)
    pressed = interaction_factory()
    await click(button, pressed)
    embed = assert_chart_embed(pressed.last, charts.SET_CHART_PX)
    assert "chill study music" in embed.title

    song = interaction_factory()
    track = bot.services.tracks.table.track(2)
    await invoke(bot, "MusicCog", "song", song, ref=track.track_id)
    (button,) = chart_buttons(song.last.view)
    assert button.item.custom_id == f"mb:chart:t:{track.track_id}"
    pressed = interaction_factory()
    await click(button, pressed)
    assert_chart_embed(pressed.last, charts.TRACK_CHART_PX)


async def test_a_drawing_failure_sends_the_track_embed_without_a_picture(bot, interaction_factory, monkeypatch):
    def broken(*args, **kwargs):  # the real drawing replaced by one that fails, as a font or backend error would
        raise RuntimeError("backend exploded")

    monkeypatch.setattr(charts, "track_chart", broken)
    track = bot.services.tracks.table.track(1)
    inter = interaction_factory()
    await invoke(bot, "ChartCog", "chart", inter, song=track.track_id)
    (embed,) = inter.last.embeds
    assert embed.image.url is None and not inter.last.kwargs.get("files")
    assert "Couldn't draw the chart" in (embed.description or "") and any(f.name == "Audio features" or "nergy" in f.value for f in embed.fields)


async def test_chart_before_any_list_says_what_to_do(bot, interaction_factory):
    inter: FakeInteraction = interaction_factory()
    await invoke(bot, "ChartCog", "chart", inter)
    assert "Nothing to chart yet" in (inter.last.content or "")
