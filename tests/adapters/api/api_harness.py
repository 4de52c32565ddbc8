"""Harness for the REST API tests: a real uvicorn server on 127.0.0.1 (its own thread and event loop) over a real engine on a
private copy of the seeded SQLite catalog. Tests talk to it with httpx (sync), schemathesis and a headless browser.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from adapters.api.app import build_app
from bot.settings import Settings
from core.engine import Engine
from core.previews import PreviewConfig

ADMIN_KEY = "test-admin-key-0123456789abcdef"


def api_settings(**overrides: Any) -> Settings:
    """Settings for a test server (no .env file; the environment still applies, as in production)."""
    values: dict[str, Any] = {"api_admin_key": ADMIN_KEY, "api_rate_burst": 10_000, "api_rate_refill_s": 0.01}
    values.update(overrides)
    return Settings(_env_file=None, **values)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ApiServer:
    """A uvicorn server for :func:`adapters.api.app.build_app` on a free loopback port, in a background thread.

    Args:
        db: the SQLite catalog file (already seeded).
        settings: the app's settings.
        setup: ``async setup(engine) -> object`` run on the server's loop before serving (start fakes, configure
            previews); its result is kept in :attr:`extra`.
        telegram: ``telegram(engine) -> TelegramWebhook`` to host a webhook too.
    """

    def __init__(
        self,
        db: Path,
        settings: Settings,
        setup: Callable[[Engine], Awaitable[Any]] | None = None,
        telegram: Callable[[Engine, Any], Any] | None = None,
    ) -> None:
        self.db, self.settings, self.setup, self.telegram = db, settings, setup, telegram
        self.engine: Engine | None = None
        self.extra: Any = None
        self.server: uvicorn.Server | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.error: BaseException | None = None
        self.webhook: Any = None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._run, name=f"api-server-{self.port}", daemon=True)

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._main())
        except BaseException as exc:  # noqa: BLE001 - reported by start()
            self.error = exc
        finally:
            self.loop.close()

    async def _main(self) -> None:
        self.engine = await Engine.open(self.db)
        # no test touches the internet: preview lookups go to a closed loopback port unless ``setup`` configures fakes
        dead = f"http://127.0.0.1:{closed_port()}"
        self.engine.app.personal.configure_previews(PreviewConfig(deezer_api_base_url=dead, itunes_api_base_url=dead, timeout_s=1.0))
        try:
            if self.setup is not None:
                self.extra = await self.setup(self.engine)
            if self.telegram is not None:
                self.webhook = self.telegram(self.engine, self)
            app = build_app(self.engine.app, self.settings, telegram=self.webhook)
            config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
            self.server = uvicorn.Server(config)
            await self.server.serve(sockets=[self.sock])
        finally:
            if self.extra is not None and hasattr(self.extra, "__aexit__"):
                await self.extra.__aexit__(None, None, None)
            await self.engine.close()

    def start(self, timeout: float = 60.0) -> ApiServer:
        """Start and wait until the server accepts requests.

        Raises:
            RuntimeError: the server did not come up (with the error it died of).
        """
        self._thread.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.error is not None or not self._thread.is_alive():
                raise RuntimeError(f"API server died: {self.error!r}")
            if self.server is not None and self.server.started:
                return self
            time.sleep(0.02)
        raise RuntimeError("API server did not start in time")

    def run(self, coro: Awaitable[Any], timeout: float = 30.0) -> Any:
        """Run a coroutine on the server's loop (e.g. to read the engine's state) and return its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def client(self, **kw: Any) -> httpx.Client:
        """An httpx client for this server (base URL set)."""
        return httpx.Client(base_url=self.url, timeout=30.0, **kw)

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread (engine closed)."""
        if self.server is not None:
            self.server.should_exit = True
        self._thread.join(timeout=30)


def copy_db(shipped_db: Path, target: Path) -> Path:
    """A private writable copy of the seeded catalog at ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shipped_db, target)
    return target
