"""core.charts: real PNG output (signature, IHDR dimensions, size, pixels via Pillow), every input shape people and
the API send, failures that degrade instead of breaking a reply, and matplotlib imported only when drawing."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from core import charts
from core.models import Filters, Recommendation, RecommendedTrack, Track

FEATURES = dict(
    danceability=0.51, energy=0.8, key=1, loudness=-4.1, mode=1, speechiness=0.06, acousticness=0.001,
    instrumentalness=0.0, liveness=0.09, valence=0.34, tempo=171.0,
)


def track(i: int = 0, **over) -> Track:
    return Track(**{**FEATURES, "track_id": f"T{i:021d}", "title": f"Song {i}", "artists": ["Artist"], **over})


def check_png(png: bytes, size: tuple[int, int]) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert charts.png_size(png) == size
    assert 10_000 < len(png) < charts.MAX_PNG_BYTES
    img = Image.open(io.BytesIO(png))
    img.load()
    assert img.size == size and img.format == "PNG"
    return img.convert("RGB")


def test_track_chart_is_a_png_of_the_documented_size_with_an_opaque_background() -> None:
    img = check_png(charts.track_chart(track()), charts.TRACK_CHART_PX)
    assert img.getpixel((3, 3)) == (0x15, 0x17, 0x1F)  # the dark card (charts.BG), same on light and dark themes
    assert len(img.getcolors(maxcolors=1 << 20) or []) > 50  # text, bars and anti-aliasing, not a blank image


def test_different_audio_features_draw_different_bars() -> None:
    low = charts.track_chart(track(energy=0.05))
    high = charts.track_chart(track(energy=0.95))
    a, b = (Image.open(io.BytesIO(p)).convert("RGB") for p in (low, high))
    # the energy bar (second row) spans most of the track width only for the high-energy song
    row_y = int(charts.TRACK_CHART_PX[1] * (1 - (0.335 + 0.455 * (5.4 / 7.2))))
    x = int(charts.TRACK_CHART_PX[0] * (0.30 + 0.52 * 0.6))
    assert a.getpixel((x, row_y)) != b.getpixel((x, row_y))


def test_api_row_dicts_and_partial_features_are_drawn() -> None:
    row = {"track_id": "x", "track_name": "Row Song", "track_artist": "Row Artist", "danceability": "0.7",
           "energy": 0.9, "tempo": 128, "loudness": None, "track_album_release_date": "2012-01-01"}
    check_png(charts.track_chart(row), charts.TRACK_CHART_PX)
    check_png(charts.track_chart(track(valence=None, tempo=None, loudness=None)), charts.TRACK_CHART_PX)


def test_a_track_without_audio_features_raises_chart_error() -> None:
    bare = Track(track_id="N" * 22, title="No Features", artists=["A"])
    with pytest.raises(charts.ChartError, match="no audio features"):
        charts.track_chart(bare)
    with pytest.raises(charts.ChartError):
        charts.recommendation_chart(Recommendation(tracks=[RecommendedTrack(track=bare, score=1, reason="")]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(min_size=1, max_size=400),
    artist=st.text(max_size=300),
    energy=st.floats(0, 1),
    tempo=st.floats(0, 250),
    loudness=st.floats(-60, 5),
)
def test_any_title_or_value_draws_the_same_size(title: str, artist: str, energy: float, tempo: float, loudness: float) -> None:
    # "$uicideboy$"-style dollars are not TeX, control characters and scripts without a font do not break it
    t = {"title": title, "artist": artist, **FEATURES, "energy": energy, "tempo": tempo, "loudness": loudness}
    assert charts.png_size(charts.track_chart(t)) == charts.TRACK_CHART_PX


def test_dollar_signs_are_drawn_literally() -> None:
    check_png(charts.track_chart(track(title="$uicideboy$ $$ \\frac{1}{2}", artists=["$uicideboy$"])), charts.TRACK_CHART_PX)


def rec_of(n: int, **kw) -> Recommendation:
    tracks = [RecommendedTrack(track=track(i, energy=0.5 + (i % 20) / 40, tempo=120 + i), score=0.9, reason="") for i in range(n)]
    return Recommendation(tracks=tracks, **kw)


def test_recommendation_chart_with_target_ranges_and_tempo_filter() -> None:
    rec = rec_of(10, query="upbeat 128 bpm", target={"energy": 0.8, "tempo": 128.0, "valence": 0.75},
                 ranges={"energy": [0.75, 0.85], "valence": [None, 0.9]}, filters=Filters(tempo_min=122, tempo_max=134))
    check_png(charts.recommendation_chart(rec), charts.SET_CHART_PX)


def test_recommendation_chart_of_a_similar_request_uses_the_reference_songs() -> None:
    rec = rec_of(5, kind="similar", query="Song 99")
    with_refs = charts.recommendation_chart(rec, [track(99, tempo=90.0)])
    without = charts.recommendation_chart(rec)
    check_png(with_refs, charts.SET_CHART_PX)
    assert with_refs != without  # the reference song's diamonds are drawn


def test_fifty_tracks_and_tracks_without_features_in_one_set() -> None:
    rec = rec_of(50, query="x" * 500)
    rec.tracks.append(RecommendedTrack(track=Track(track_id="B" * 22, title="Bare", artists=["A"]), score=0.1, reason=""))
    check_png(charts.recommendation_chart(rec), charts.SET_CHART_PX)


def test_draw_returns_none_instead_of_raising() -> None:
    def broken(*args):
        raise RuntimeError("backend exploded")

    def slow(*args):
        import time

        time.sleep(0.5)
        return b""

    assert asyncio.run(charts.draw(broken, track())) is None
    assert asyncio.run(charts.draw(charts.track_chart, {"title": "no features"})) is None
    assert asyncio.run(charts.draw(slow, track(), timeout_s=0.01)) is None
    png = asyncio.run(charts.draw(charts.track_chart, track()))
    assert png is not None and charts.png_size(png) == charts.TRACK_CHART_PX


def test_png_size_rejects_other_data() -> None:
    with pytest.raises(ValueError):
        charts.png_size(b"GIF89a" + b"\0" * 30)


def test_importing_core_charts_does_not_import_matplotlib() -> None:
    code = "import sys, core.charts, core.chart_replies; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_a_burst_of_drawings_beyond_the_queue_is_refused_at_once() -> None:
    import threading

    release = threading.Event()

    def blocked(*args):  # a drawing that holds the chart thread until released
        release.wait(5)
        return charts.track_chart(track())

    async def burst() -> list[bytes | None]:
        tasks = [asyncio.ensure_future(charts.draw(blocked, timeout_s=30)) for _ in range(charts.MAX_PENDING + 3)]
        await asyncio.sleep(0.05)
        release.set()
        return await asyncio.gather(*tasks)

    results = asyncio.run(burst())
    assert sum(r is None for r in results) == 3  # refused, not queued
    assert all(r is not None and charts.png_size(r) == charts.TRACK_CHART_PX for r in results[: charts.MAX_PENDING])
    assert charts._pending == 0
