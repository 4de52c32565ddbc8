"""Fake Spotify / Deezer / iTunes HTTP servers on 127.0.0.1 (aiohttp), plus a small real-data catalog for tests.

Each fake serves the few endpoints :mod:`core.previews` calls, with the response shapes of the real APIs:

* Spotify: ``POST /api/token`` (accounts, client credentials) and ``GET /v1/tracks/{id}`` (``preview_url``,
  ``external_ids.isrc``);
* Deezer: ``GET /search?q=…`` (``{"data": [{"title", "artist": {"name"}, "preview"}]}``) and
  ``GET /track/isrc:{isrc}``; errors come as HTTP 200 with ``{"error": {"code": …}}`` like the real API;
* iTunes: ``GET /search?term=…`` (``{"resultCount", "results": [{"trackName", "artistName", "previewUrl"}]}``,
  served as ``text/javascript`` like the real one).

A :class:`Behaviour` switches a fake to ``ok`` | ``null`` (preview missing) | ``429`` (with ``Retry-After``) |
``timeout`` (answers after ``delay_s``) | ``malformed`` (broken JSON) | ``500`` | ``quota`` (Deezer error code 4) |
``403``, optionally for the first ``times`` requests only. Every request is logged in ``requests``.

Usage::

    async with FakeMusicApis() as apis:
        apis.deezer.add("Blinding Lights", "The Weeknd", "https://cdn.example/bl.mp3")
        service = PreviewService(db, config=apis.config(timeout_s=0.5))
"""

from __future__ import annotations

import asyncio
import csv
import gzip
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from core.catalog import SHIPPED_CATALOG
from core.previews import PreviewConfig


@dataclass
class Behaviour:
    """How a fake answers. ``times``: apply ``mode`` to the first N requests only (then behave normally)."""

    mode: str = "ok"
    retry_after: str | None = "1"
    times: int | None = None
    delay_s: float = 3.0

    def current(self, count: int) -> str:
        """The mode for the ``count``-th request (1-based)."""
        return self.mode if self.times is None or count <= self.times else "ok"


@dataclass
class Entry:
    """One track a fake knows."""

    title: str
    artist: str
    preview: str | None
    isrc: str | None = None
    track_id: str | None = None


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


class FakeApi:
    """Base: an aiohttp app on 127.0.0.1 with a random port, a request log and a :class:`Behaviour`."""

    name = "fake"

    def __init__(self) -> None:
        self.behaviour = Behaviour()
        self.entries: list[Entry] = []
        self.requests: list[web.Request] = []
        self.log: list[str] = []
        self.root = ""
        self._runner: web.AppRunner | None = None

    def add(
        self, title: str, artist: str, preview: str | None, isrc: str | None = None, track_id: str | None = None
    ) -> Entry:
        """Register a track this fake can find."""
        entry = Entry(title, artist, preview, isrc, track_id)
        self.entries.append(entry)
        return entry

    def routes(self, app: web.Application) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def start(self) -> FakeApi:
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.root = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def misbehave(self, request: web.Request, body_json: bool = True) -> web.StreamResponse | None:
        """Log the request; return the misbehaving response for the current mode, or None to answer normally."""
        self.requests.append(request)
        self.log.append(f"{request.method} {request.path_qs}")
        mode = self.behaviour.current(len(self.requests))
        if mode == "429":
            headers = {"Retry-After": self.behaviour.retry_after} if self.behaviour.retry_after is not None else {}
            return web.json_response(
                {"error": {"status": 429, "message": "API rate limit exceeded"}}, status=429, headers=headers
            )
        if mode == "timeout":
            await asyncio.sleep(self.behaviour.delay_s)
            return web.json_response({"late": True})
        if mode == "malformed":
            return web.Response(text='{"data": [ {"title": "x", ', content_type="application/json")
        if mode == "500":
            return web.Response(text="Internal Server Error", status=500)
        if mode == "403":
            return web.Response(text="Forbidden", status=403)
        return None

    @property
    def null(self) -> bool:
        """True when the current request should carry no preview."""
        return self.behaviour.current(len(self.requests)) == "null"

    def search(self, query: str) -> list[Entry]:
        """Entries whose artist (normalized) appears in the query."""
        q = _norm(query)
        return [e for e in self.entries if _norm(e.artist) in q][:10]


class FakeSpotify(FakeApi):
    """Spotify accounts + Web API. ``token_mode``: ok | 401 | malformed; ``tokens_issued`` counts grants."""

    name = "spotify"

    def __init__(self, client_id: str = "test-id", client_secret: str = "test-secret") -> None:
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.token_mode = "ok"
        self.tokens_issued = 0
        self.token_requests = 0

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/token", self.token)
        app.router.add_get("/v1/tracks/{track_id}", self.track)

    @property
    def api_base(self) -> str:
        return self.root + "/v1"

    async def token(self, request: web.Request) -> web.Response:
        import base64

        self.token_requests += 1
        form = await request.post()
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != expected or form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "invalid_client"}, status=400)
        if self.token_mode == "malformed":
            return web.Response(text="<html>oops", content_type="application/json")
        if self.token_mode == "401":
            return web.json_response({"error": "invalid_client"}, status=401)
        self.tokens_issued += 1
        return web.json_response(
            {"access_token": f"tok-{self.tokens_issued}", "token_type": "Bearer", "expires_in": 3600}
        )

    async def track(self, request: web.Request) -> web.StreamResponse:
        bad = await self.misbehave(request)
        if bad is not None:
            return bad
        if not request.headers.get("Authorization", "").startswith("Bearer tok-"):
            return web.json_response({"error": {"status": 401, "message": "No token provided"}}, status=401)
        tid = request.match_info["track_id"]
        entry = next((e for e in self.entries if e.track_id == tid), None)
        if entry is None:
            return web.json_response({"error": {"status": 404, "message": "Non existing id"}}, status=404)
        return web.json_response(
            {
                "id": tid,
                "name": entry.title,
                "artists": [{"name": entry.artist}],
                "preview_url": None if self.null else entry.preview,
                "external_ids": {"isrc": entry.isrc} if entry.isrc else {},
            }
        )


class FakeDeezer(FakeApi):
    """Deezer public API: ``/search`` and ``/track/isrc:…``. Mode ``quota`` answers error code 4 in a 200."""

    name = "deezer"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/search", self.search_handler)
        app.router.add_get("/track/{ref}", self.track)

    async def _quota(self, request: web.Request) -> web.StreamResponse | None:
        bad = await self.misbehave(request)
        if bad is None and self.behaviour.current(len(self.requests)) == "quota":
            return web.json_response({"error": {"type": "Exception", "message": "Quota limit exceeded", "code": 4}})
        return bad

    def _item(self, e: Entry) -> dict[str, Any]:
        return {
            "id": abs(hash(e.title)) % 10**9,
            "title": e.title,
            "title_short": e.title,
            "artist": {"id": 1, "name": e.artist},
            "preview": "" if self.null or not e.preview else e.preview,
        }

    async def search_handler(self, request: web.Request) -> web.StreamResponse:
        bad = await self._quota(request)
        if bad is not None:
            return bad
        hits = self.search(request.query.get("q", ""))
        return web.json_response({"data": [self._item(e) for e in hits], "total": len(hits)})

    async def track(self, request: web.Request) -> web.StreamResponse:
        bad = await self._quota(request)
        if bad is not None:
            return bad
        ref = request.match_info["ref"]
        isrc = ref.split(":", 1)[1] if ref.startswith("isrc:") else None
        entry = next((e for e in self.entries if isrc and e.isrc == isrc), None)
        if entry is None:
            return web.json_response({"error": {"type": "DataException", "message": "no data", "code": 800}})
        return web.json_response(self._item(entry))


class FakeItunes(FakeApi):
    """iTunes Search API: ``/search`` served as ``text/javascript``."""

    name = "itunes"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/search", self.search_handler)

    async def search_handler(self, request: web.Request) -> web.StreamResponse:
        bad = await self.misbehave(request)
        if bad is not None:
            return bad
        results = []
        for e in self.search(request.query.get("term", "")):
            item: dict[str, Any] = {
                "wrapperType": "track",
                "kind": "song",
                "trackName": e.title,
                "artistName": e.artist,
            }
            if e.preview and not self.null:
                item["previewUrl"] = e.preview
            results.append(item)
        body = json.dumps({"resultCount": len(results), "results": results})
        return web.Response(text=body, content_type="text/javascript")


@dataclass
class FakeMusicApis:
    """All three fakes, started together: ``async with FakeMusicApis() as apis: apis.config(...)``."""

    spotify: FakeSpotify = field(default_factory=FakeSpotify)
    deezer: FakeDeezer = field(default_factory=FakeDeezer)
    itunes: FakeItunes = field(default_factory=FakeItunes)

    async def __aenter__(self) -> FakeMusicApis:
        for api in (self.spotify, self.deezer, self.itunes):
            await api.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for api in (self.spotify, self.deezer, self.itunes):
            await api.stop()

    def config(self, *, spotify: bool = True, **overrides: Any) -> PreviewConfig:
        """A :class:`PreviewConfig` pointing at the fakes (Spotify credentials only when ``spotify``)."""
        values: dict[str, Any] = {
            "spotify_client_id": self.spotify.client_id if spotify else None,
            "spotify_client_secret": self.spotify.client_secret if spotify else None,
            "spotify_api_base_url": self.spotify.api_base,
            "spotify_accounts_url": self.spotify.root,
            "deezer_api_base_url": self.deezer.root,
            "itunes_api_base_url": self.itunes.root,
            "timeout_s": 1.0,
            "max_retry_wait_s": 1.5,
        }
        values.update(overrides)
        return PreviewConfig(**values)

    @property
    def total_requests(self) -> int:
        """Requests the fakes answered (token grants excluded)."""
        return sum(len(a.requests) for a in (self.spotify, self.deezer, self.itunes))


# ---------------------------------------------------------------------------------------------------------- catalog
def write_small_catalog(path: Path, n_tracks: int = 400, seed: int = 6, include: tuple[str, ...] = ()) -> Path:
    """Write a CSV in the shipped layout with ``n_tracks`` real tracks sampled from the shipped catalog.

    Every row of a chosen track is kept (its playlist/genre labels), and tracks whose exact title is in ``include``
    are always chosen. Seeding it takes ~0.1 s instead of ~2.5 s for the full catalog.
    """
    with gzip.open(SHIPPED_CATALOG, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows: dict[str, list[dict[str, str]]] = {}
        for row in reader:
            rows.setdefault(row["track_id"], []).append(row)
    wanted = {tid for tid, rs in rows.items() if rs[0]["track_name"] in include}
    others = sorted(set(rows) - wanted)
    chosen = wanted | set(random.Random(seed).sample(others, max(0, n_tracks - len(wanted))))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        for tid in sorted(chosen):
            writer.writerows(rows[tid])
    return path
