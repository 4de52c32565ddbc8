"""A nationality named in a request is honoured on the shipped catalog: "deutscher Hip-Hop aus den 2010ern" gives
German rap (the catalog's "Gangster Rap Deutsch" playlist), not US rap under a "deutscher → german" line."""

from __future__ import annotations

from core.engine import Engine
from core.models import Recommendation


async def test_german_hip_hop_is_german(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("deutscher Hip-Hop aus den 2010ern")
    assert isinstance(rec, Recommendation)
    german = [t for t in rec.tracks if "Gangster Rap Deutsch" in t.track.playlists]
    assert len(german) >= 8, [t.track.artists for t in rec.tracks]
    assert all(2010 <= t.track.year <= 2019 for t in rec.tracks)


async def test_a_language_the_catalog_lacks_is_said_and_not_claimed(engine: Engine) -> None:
    rec = await engine.app.discovery.recommend_text("rap français")
    assert isinstance(rec, Recommendation)
    assert any(n.kind == "no_data" for n in rec.coverage)
    assert "french" not in rec.summary


async def test_a_sub_style_named_only_by_mixed_playlists_is_missing(engine: Engine) -> None:
    # "deep house" appears only inside playlist names that list many styles: a name is not a style label
    rec = await engine.app.discovery.recommend_text("deep house")
    assert isinstance(rec, Recommendation)
    note = rec.coverage[0]
    assert (note.kind, note.requested) == ("missing", "deep house")
    assert note.family == "" or note.family == "house"
    assert "Tropical House" not in rec.summary  # a playlist name is not shown as what the style means


async def test_a_sad_rainy_night_is_sad_songs_not_study_beats(engine: Engine) -> None:
    for text in ("quelque chose de triste pour une nuit de pluie", "etwas Trauriges für eine regnerische Nacht",
                 "algo triste para el desamor"):
        rec = await engine.app.discovery.recommend_text(text)
        assert isinstance(rec, Recommendation)
        assert sum(t.track.instrumentalness > 0.5 for t in rec.tracks) <= 1, text
        assert sum(t.track.valence for t in rec.tracks) / len(rec.tracks) <= 0.35, text


async def test_after_less_upbeat_the_summary_is_the_current_request(engine: Engine) -> None:
    from core.models import Caller, Role

    user = Caller(user_id="u-followup", platform="test", role=Role.USER)
    first = await engine.app.chat.chat("console:followup", user, "upbeat hip hop")
    assert first.recommendation is not None and "upbeat →" in first.recommendation.summary
    less = await engine.app.chat.chat("console:followup", user, "less upbeat")
    rec = less.recommendation
    assert rec is not None and rec.tracks
    assert "upbeat →" not in rec.summary and "high energy" not in rec.summary
    assert "hip hop" in rec.summary  # the style of the request still stands
