"""A fake Spotify short-link service on 127.0.0.1 (aiohttp) and an httpx transport that sends every request there.

:class:`FakeShortLinks` answers ``GET /{code}`` from a table: a redirect (status + ``Location``), a page (200 + body)
or a slow answer (after ``delay_s``). Every request is logged with the host it was meant for, so tests can prove a
host was never contacted. :class:`LoopbackTransport` rewrites ``scheme://host:port`` of each request to the fake
server and keeps the path, query and the intended host (header ``X-Intended-Host``); the resolver's host rules run
unchanged before each request.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx
from aiohttp import web


@dataclass
class Answer:
    """How the fake answers one code."""

    status: int = 302
    location: str = ""
    body: str = ""
    delay_s: float = 0.0


@dataclass
class FakeShortLinks:
    """The fake server; use ``async with FakeShortLinks() as fake`` and fill ``fake.answers[(host, path)]``."""

    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        host = request.headers.get("X-Intended-Host", "")
        self.requests.append((host, request.path_qs))
        answer = self.answers.get((host, request.path))
        if answer is None:
            return web.Response(status=404, text="no such link")
        if answer.delay_s:
            await asyncio.sleep(answer.delay_s)
        if answer.location:
            return web.Response(status=answer.status, headers={"Location": answer.location})
        return web.Response(status=answer.status, text=answer.body, content_type="text/html")

    async def __aenter__(self) -> FakeShortLinks:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def transport(self) -> LoopbackTransport:
        """An httpx transport that delivers every request to this server."""
        return LoopbackTransport(self.port)

    def hosts(self) -> set[str]:
        """The hosts requests were meant for."""
        return {h for h, _ in self.requests}


class LoopbackTransport(httpx.AsyncBaseTransport):
    """Sends each request to ``http://127.0.0.1:port`` with the same path and query (test only)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        intended = request.url.host
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        request.headers["X-Intended-Host"] = intended
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
