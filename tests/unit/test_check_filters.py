"""Explicit filters are checked where the application receives them (core.references.check_filters): "--year-min
2000 --year-max 1990" was answered "This catalog has nothing from 2000–1990" with 1960s tracks, "--tempo-min -5"
was accepted silently."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.engine import Engine
from core.errors import InvalidInput
from core.models import Filters
from core.references import check_filters


@pytest.mark.parametrize("filters, field", [
    (Filters(year_min=2000, year_max=1990), "year_min"),
    (Filters(tempo_min=140, tempo_max=100), "tempo_min"),
    (Filters(tempo_min=-5), "tempo_min"),
    (Filters(tempo_max=9999), "tempo_max"),
    (Filters(year_min=20), "year_min"),
])
def test_a_bad_range_is_a_clear_error(filters: Filters, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_filters(filters)
    assert err.value.field == field and field.split("_")[0] in str(err.value)


@given(st.one_of(st.none(), st.integers(1000, 2100)), st.one_of(st.none(), st.integers(1000, 2100)),
       st.one_of(st.none(), st.floats(0, 250)), st.one_of(st.none(), st.floats(0, 250)))
def test_ranges_in_order_and_in_bounds_pass_unchanged(y0: int | None, y1: int | None, t0: float | None,
                                                      t1: float | None) -> None:
    filters = Filters(year_min=y0, year_max=y1, tempo_min=t0, tempo_max=t1)
    backwards = (y0 is not None and y1 is not None and y0 > y1) or (t0 is not None and t1 is not None and t0 > t1)
    if backwards:
        with pytest.raises(InvalidInput):
            check_filters(filters)
    else:
        assert check_filters(filters) is filters


async def test_the_application_refuses_a_backwards_range_and_changes_nothing(engine: Engine) -> None:
    with pytest.raises(InvalidInput):
        await engine.app.discovery.recommend_text("rock", filters=Filters(year_min=2000, year_max=1990))
    with pytest.raises(InvalidInput):
        await engine.app.discovery.recommend_similar(["Creep"], filters=Filters(tempo_min=150, tempo_max=90))
