"""One suite per port of :mod:`core.app.ports`, run against the real store (SQLite, built by the engine — the
composition root) and against its in-memory fake (:mod:`tests.fakes.app_ports`): the fakes the service tests use
behave like the real thing (implicit's ``RecommenderBaseTestMixin`` idea)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.app import ports
from core.conversation import ConversationState
from core.engine import Engine
from core.ratelimit import RatePolicy
from tests.fakes.app_ports import (
    FakeCatalog,
    FakeConversations,
    FakePreviews,
    FakeRateLimits,
    MemoryButtonStore,
    MemoryLeases,
    MemoryPlaylistStore,
)


@pytest.fixture(params=["sqlite", "fake"])
async def stores(request: pytest.FixtureRequest, db_copy: Path) -> AsyncIterator[dict[str, object]]:
    """The port implementations: the engine's real ones on a SQLite copy of the shipped catalog, or the fakes."""
    if request.param == "fake":
        yield {"conversations": FakeConversations(), "leases": MemoryLeases(), "buttons": MemoryButtonStore(),
               "rates": FakeRateLimits()}
        return
    engine = await Engine.open(db_copy)
    try:
        yield {"conversations": await engine.app.sessions.conversation_store(), "leases": await engine._open_leases(),  # noqa: SLF001
               "buttons": await engine.app.sessions.button_store(), "rates": engine.app.rate_limits, "catalog": engine.catalog}
    finally:
        await engine.close()


def mismatches(impl: object, port: type) -> list[str]:
    """Methods of ``port`` that ``impl`` lacks, or has with other parameter names / kinds (``**kwargs`` in the
    implementation accepts any keyword-only parameters)."""
    out = []
    for name, member in vars(port).items():
        if name.startswith("_") or not callable(member):
            continue
        got = getattr(impl, name, None)
        if got is None:
            out.append(f"{name}: missing")
            continue
        want = [(p.name, p.kind) for p in inspect.signature(member).parameters.values()][1:]  # without self
        have = [(p.name, p.kind) for p in inspect.signature(got).parameters.values()]
        if any(k == inspect.Parameter.VAR_KEYWORD for _, k in have):
            want = [w for w in want if w[1] != inspect.Parameter.KEYWORD_ONLY]
            have = [h for h in have if h[1] != inspect.Parameter.VAR_KEYWORD]
        if want != have:
            out.append(f"{name}: {have} != {want}")
    for base in port.__mro__[1:]:
        if base.__module__ == ports.__name__:
            out += mismatches(impl, base)
    return out


async def test_every_implementation_satisfies_its_port(stores: dict[str, object]) -> None:
    assert mismatches(stores["conversations"], ports.Conversations) == []
    assert mismatches(stores["leases"], ports.Leases) == []
    assert mismatches(stores["buttons"], ports.ButtonState) == []
    assert mismatches(stores["rates"], ports.RateLimits) == []
    if "catalog" in stores:
        assert mismatches(stores["catalog"], ports.CatalogRepository) == []


async def test_the_other_real_services_and_fakes_satisfy_their_ports(engine: Engine) -> None:
    assert mismatches(FakeCatalog(), ports.CatalogRepository) == []
    assert mismatches(FakePreviews(), ports.PreviewCache) == []
    assert mismatches(engine.app.previews, ports.PreviewCache) == []
    assert mismatches(engine.app.feedback, ports.Feedback) == []
    assert mismatches(MemoryPlaylistStore(), ports.PlaylistStore) == []
    assert mismatches(object(), ports.Leases) == ["try_acquire: missing", "release: missing"]  # the check can fail


async def test_conversation_state_round_trips_and_resets(stores: dict[str, object]) -> None:
    conv: ports.Conversations = stores["conversations"]  # type: ignore[assignment]
    assert (await conv.load_state("test:1")).last_page == []
    state = ConversationState()
    state.show_page(["a" * 22, "b" * 22], ["r1", "r2"])
    await conv.save_state("test:1", state)
    state.show_page(["c" * 22], ["r3"])  # changing the object after saving changes nothing stored
    again = await conv.load_state("test:1")
    assert again.last_page == ["a" * 22, "b" * 22] and again.page_ref(2) == "b" * 22
    assert (await conv.load_state("test:2")).last_page == []  # conversations are separate
    for i in range(5):
        await conv.append_turn("test:1", f'["turn {i}"]', keep=3)
    assert await conv.count_turns("test:1") == 3
    assert await conv.load_turns("test:1", 2) == ['["turn 3"]', '["turn 4"]']
    await conv.reset("test:1")
    assert (await conv.load_state("test:1")).last_page == [] and await conv.count_turns("test:1") == 0


async def test_a_lease_has_one_owner_at_a_time(stores: dict[str, object]) -> None:
    leases: ports.Leases = stores["leases"]  # type: ignore[assignment]
    assert await leases.try_acquire("conv:1", "worker-a")
    assert not await leases.try_acquire("conv:1", "worker-b")
    await leases.release("conv:1", "worker-b")  # not b's lease: still a's
    assert not await leases.try_acquire("conv:1", "worker-b")
    await leases.release("conv:1", "worker-a")
    assert await leases.try_acquire("conv:1", "worker-b")


async def test_button_state_round_trip(stores: dict[str, object]) -> None:
    buttons: ports.ButtonState = stores["buttons"]  # type: ignore[assignment]
    key = await buttons.put("telegram", {"kind": "search", "query": "daft punk", "shown": ["a"]}, 60.0)
    assert await buttons.get(key) == {"kind": "search", "query": "daft punk", "shown": ["a"]}
    assert await buttons.replace(key, {"kind": "search", "query": "x"})
    assert (await buttons.get(key))["query"] == "x"  # type: ignore[index]
    assert await buttons.get("no-such-key") is None
    assert not await buttons.replace("no-such-key", {"a": 1})
    assert await buttons.put("telegram", {}, 60.0) != key  # every put gets a new key


async def test_rate_limits_refuse_after_the_burst_and_notify_once(stores: dict[str, object]) -> None:
    rates: ports.RateLimits = stores["rates"]  # type: ignore[assignment]
    policy = RatePolicy("contract", burst=2, refill_s=3600.0)  # no refill within a test
    verdicts = [await rates.hit("telegram:42", policy) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, False, False]
    assert [v.notify for v in verdicts[2:]] == [True, False]
    assert (await rates.hit("telegram:43", policy)).allowed  # per user
    await rates.reset("telegram:42", policy)
    assert (await rates.hit("telegram:42", policy)).allowed
