"""What the similar-tracks path keeps between requests gives what building it afresh gives: the track models of
:meth:`core.table.TrackTable.track`, the reasons of :func:`core.reason_format.to_reason` and the holiday flag of
:func:`core.anchors.is_seasonal` — and none of them outlives a change of the table."""

from __future__ import annotations

import pydantic
import pytest

from core.anchors import is_seasonal
from core.models import Reason, Track
from core.reason_format import Fact, to_reason
from core.table import TrackTable

FEATURES = dict(danceability=0.5, energy=0.6, key=5, loudness=-6.0, mode=1, speechiness=0.05, acousticness=0.2,
                instrumentalness=0.0, liveness=0.1, valence=0.4, tempo=120.0)


def _track(tid: str, title: str, artist: str, year: int, **kw: object) -> Track:
    return Track(track_id=tid.ljust(22, "x"), title=title, artists=[artist], year=year, album=kw.pop("album", ""),
                 genres=["pop"], subgenres=["dance pop"], **{**FEATURES, **kw})


@pytest.fixture
def table() -> TrackTable:
    t = TrackTable(capacity=16)
    t.upsert(_track("a", "Sunny Day", "Ann", 1999))
    t.upsert(_track("b", "Sunny Day", "Ann", 2011, album="Sunny Again"))
    t.upsert(_track("c", "Night Drive", "Bob", 2005, energy=0.9))
    return t


def test_a_kept_track_equals_a_fresh_one_and_is_frozen(table: TrackTable) -> None:
    for p in range(table.n):
        kept = table.track(p)
        assert table.track(p) is kept  # built once per version
        assert kept == table._build_track(p)
        with pytest.raises(pydantic.ValidationError):
            kept.title = "changed"  # shared between replies: nobody may change it


def test_a_table_change_rebuilds_the_tracks(table: TrackTable) -> None:
    before = table.track(1)
    assert before.original_year == 1999 and before.year_is_album_date  # a 2011 version of a 1999 song
    table.delete(table.ids[0])  # the 1999 original goes: the remaster's year is its own now
    after = table.track(1)
    assert after is not before
    assert after.original_year == 2011 and not after.year_is_album_date
    p = table.upsert(_track("c", "Night Drive", "Bob", 2005, energy=0.2))
    assert table.track(p).energy == pytest.approx(0.2)


def test_the_memo_keeps_at_most_track_memo_tracks(table: TrackTable, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TrackTable, "TRACK_MEMO", 2)
    for p in range(table.n):
        table.track(p)
    assert len(table._tracks) == 2 and 0 not in table._tracks  # the oldest went first
    assert table.track(0) == table._build_track(0)


@pytest.mark.parametrize("fact", [
    Fact("feature", "tempo", 121.37, 118.0), Fact("era", "", 1999, 2001), Fact("artist", "", None, None, "Ann"),
    Fact("label", "subgenre", None, None, "dance pop"), Fact("album_date", "", 2011, None), Fact("sound"),
])
def test_a_kept_reason_equals_a_validated_one(fact: Fact) -> None:
    fresh = Reason(**fact._asdict())
    assert to_reason(fact) == fresh
    assert to_reason(fact) is to_reason(Fact(*fact))  # one model per distinct fact
    with pytest.raises(pydantic.ValidationError):
        to_reason(fact).label = "x"


def test_a_bad_fact_is_still_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        to_reason(Fact("no such kind"))


def test_the_holiday_flag_follows_the_table(table: TrackTable) -> None:
    p = table.pos["c".ljust(22, "x")]
    assert not is_seasonal(table, p)
    p = table.upsert(_track("c", "Night Drive", "Bob", 2005, album="A Very Merry Christmas"))
    assert is_seasonal(table, p)
    table.upsert(_track("d", "Jingle Bell Rock", "Dan", 1957))
    assert is_seasonal(table, table.pos["d".ljust(22, "x")]) and not is_seasonal(table, table.pos["a".ljust(22, "x")])
