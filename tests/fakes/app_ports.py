"""In-memory fakes of the application-layer ports (:mod:`core.app.ports`) for unit tests of the services: fakes,
not mocks (cosmicpython's ``FakeRepository``) — each keeps real state and follows the port's contract, which
``tests/unit/test_app_ports.py`` checks against the real SQLite stores with one shared suite.

Leases, button state and playlists already have in-memory fakes next to their real stores
(:class:`core.leases.MemoryLeases`, :class:`core.buttons.MemoryButtonStore`,
:class:`core.playlists.store.MemoryPlaylistStore`); they are re-exported here so a test finds every fake in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.buttons import MemoryButtonStore
from core.catalog import ImportReport, normalize_text
from core.conversation import ConversationState
from core.errors import InvalidInput
from core.leases import MemoryLeases
from core.models import Track
from core.playlists.store import MemoryPlaylistStore
from core.previews import TrackPreview
from core.ratelimit import COMMANDS, RatePolicy, Verdict

__all__ = [
    "FakeCatalog",
    "FakeConversations",
    "FakePreviews",
    "FakeRateLimits",
    "MemoryButtonStore",
    "MemoryLeases",
    "MemoryPlaylistStore",
]


class FakeCatalog:
    """:class:`~core.app.ports.CatalogRepository` in a dict. ``search_ids`` matches every word of the query inside
    title + artists + album (normalized); ``updates`` records each field-level write, so a test can check that an
    edit wrote only the fields it changed."""

    def __init__(self, tracks: Iterable[Track] = ()) -> None:
        self.tracks: dict[str, Track] = {t.track_id: t for t in tracks}
        self.updates: list[tuple[str, dict[str, Any]]] = []
        self.version = 0

    async def search_ids(self, query: str, limit: int = 10) -> list[str]:
        words = normalize_text(query).split()
        out = []
        for t in self.tracks.values():
            hay = normalize_text(" ".join([t.title, *t.artists, t.album]))
            if words and all(w in hay.split() for w in words):
                out.append(t.track_id)
        return out[:limit]

    async def get(self, track_id: str) -> Track | None:
        return self.tracks.get(track_id)

    async def upsert_track(self, track: Track, *, only_new: bool = False) -> bool:
        if only_new and track.track_id in self.tracks:
            return False
        self.tracks[track.track_id] = track
        self.version += 1
        return True

    async def update_fields(self, track_id: str, fields: dict[str, Any]) -> Track | None:
        current = self.tracks.get(track_id)
        if current is None:
            return None
        self.updates.append((track_id, dict(fields)))
        self.tracks[track_id] = current.model_copy(update=fields)
        self.version += 1
        return self.tracks[track_id]

    async def delete_track(self, track_id: str) -> bool:
        self.version += 1
        return self.tracks.pop(track_id, None) is not None

    async def import_file(self, path: Path, **_: Any) -> ImportReport:
        raise InvalidInput("The in-memory catalog does not read files; use a real Catalog for imports.", "path")

    async def change_version(self) -> int:
        return self.version


class FakeConversations:
    """:class:`~core.app.ports.Conversations` in dicts; states are copied in and out, as a database would."""

    def __init__(self) -> None:
        self.states: dict[str, str] = {}
        self.turns: dict[str, list[str]] = {}

    async def load_state(self, conversation_id: str) -> ConversationState:
        raw = self.states.get(conversation_id)
        return ConversationState.model_validate_json(raw) if raw else ConversationState()

    async def save_state(self, conversation_id: str, state: ConversationState) -> None:
        self.states[conversation_id] = state.model_dump_json()

    async def load_turns(self, conversation_id: str, max_turns: int) -> list[str]:
        return self.turns.get(conversation_id, [])[-max_turns:] if max_turns > 0 else []

    async def append_turn(self, conversation_id: str, messages_json: str | bytes, keep: int) -> None:
        text = messages_json.decode() if isinstance(messages_json, bytes) else messages_json
        self.turns[conversation_id] = [*self.turns.get(conversation_id, []), text][-keep:]

    async def count_turns(self, conversation_id: str) -> int:
        return len(self.turns.get(conversation_id, []))

    async def reset(self, conversation_id: str) -> None:
        self.states.pop(conversation_id, None)
        self.turns.pop(conversation_id, None)


class FakeRateLimits:
    """:class:`~core.app.ports.RateLimits`: ``policy.burst`` actions per user and policy, then refused (the first
    refusal notifies, later ones are silent); no refill — time is not part of a unit test."""

    def __init__(self) -> None:
        self.used: dict[tuple[str, str], int] = {}

    async def hit(self, user: str, policy: RatePolicy = COMMANDS) -> Verdict:
        key = (user, policy.name)
        self.used[key] = self.used.get(key, 0) + 1
        if self.used[key] <= policy.burst:
            return Verdict(True)
        return Verdict(False, notify=self.used[key] == policy.burst + 1, retry_after_s=policy.refill_s)

    async def reset(self, user: str, policy: RatePolicy = COMMANDS) -> None:
        self.used.pop((user, policy.name), None)


class FakePreviews:
    """:class:`~core.app.ports.PreviewCache` over a fixed ``track id -> preview URL`` map (None = no preview)."""

    def __init__(self, urls: dict[str, str | None] | None = None) -> None:
        self.urls = dict(urls or {})
        self.asked: list[str] = []

    async def find(self, track: Track) -> TrackPreview | None:
        self.asked.append(track.track_id)
        url = self.urls.get(track.track_id)
        return TrackPreview(track=track, preview_url=url, source="deezer") if url else None

    async def many(self, tracks: Iterable[Track], budget_s: float = 3.0, concurrency: int = 4) -> dict[str, str | None]:
        return {t.track_id: self.urls.get(t.track_id) for t in tracks}
