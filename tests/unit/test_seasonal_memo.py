"""``core.anchors.seasonal_positions`` is computed once per table version and never answers for another table."""

from __future__ import annotations

import gc
import json

from core.anchors import seasonal_positions
from core.table import TrackTable

F = (0.6, 0.7, 1, -5.0, 1, 0.05, 0.2, 0.0, 0.1, 0.7, 118.0)


def table(titles: list[str]) -> TrackTable:
    rows = [
        (f"t{i:021d}", title, json.dumps([f"Artist {i}"]), "", "2018", 2018, 50, 200_000, *F)
        for i, title in enumerate(titles)
    ]
    return TrackTable.from_rows(rows, [])


def test_each_table_gets_its_own_holiday_songs() -> None:
    first = table(["Jingle Bell Rock", "Summer Nights", "Blue Monday"])
    assert seasonal_positions(first) == frozenset({0})
    assert seasonal_positions(first) is seasonal_positions(first)  # memoised for an unchanged table
    del first
    gc.collect()
    # same size and version, other content, possibly at the freed address: its own answer, not the first table's
    for _ in range(20):
        other = table(["Blue Monday", "Summer Nights", "Last Christmas"])
        assert seasonal_positions(other) == frozenset({2})
        del other
        gc.collect()
