"""A spinner for work that turns out slow: nothing for quick answers, a rich status line once work has taken
longer than :data:`DELAY_S` (so a 20 ms reply never flickers, and a 2 s first start shows it is alive).

Only on a terminal: piped output and ``--json`` never see it. It is transient (erased when the work ends) and lives
on the console it is given (the CLI passes its stderr console, so stdout stays clean for pipes).
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable
from typing import Any, TypeVar

from rich.console import Console

T = TypeVar("T")

#: Work shorter than this shows no spinner (seconds; "~0.3 s" in the product issue).
DELAY_S = 0.3


class DelayedSpinner:
    """``async with DelayedSpinner(console, "Thinking…"):`` (or ``with``) — shows a spinner after ``delay`` seconds until the
    block ends; :meth:`stop` hides it early (e.g. before a progress bar takes the screen: rich allows one live
    display at a time).

    Args:
        console: where to draw; nothing is drawn unless ``console.is_terminal``.
        text: the status text.
        delay: seconds before the spinner appears.
        enabled: False = never show (e.g. ``--json``).
    """

    def __init__(self, console: Console, text: str = "Working…", delay: float = DELAY_S, enabled: bool = True) -> None:
        self.enabled = enabled
        self.console = console
        self.text = text
        self.delay = delay
        self._status: Any = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def _show(self) -> None:
        with self._lock:
            if self._stopped or self._status is not None:
                return
            try:
                status = self.console.status(self.text, spinner="dots")
                status.start()
                self._status = status
            except Exception:  # another live display is active: no spinner, never an error
                self._status = None

    def start(self) -> None:
        """Arm the timer. A thread timer, not the event loop's: the spinner also appears while the loop is busy
        (CPU-bound work, a first import); rich animates it from its own thread."""
        if self.enabled and self.console.is_terminal and not self._stopped:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> None:
        """Hide the spinner (or cancel it before it appeared); idempotent."""
        with self._lock:
            self._stopped = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._status is not None:
                self._status.stop()
                self._status = None

    @property
    def shown(self) -> bool:
        """True while the spinner is on screen."""
        return self._status is not None

    async def __aenter__(self) -> DelayedSpinner:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    def __enter__(self) -> DelayedSpinner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def with_spinner(console: Console, work: Awaitable[T], text: str = "Working…", delay: float = DELAY_S) -> T:
    """Await ``work`` with a :class:`DelayedSpinner` (a spinner only if it takes longer than ``delay`` seconds)."""
    async with DelayedSpinner(console, text, delay):
        return await work
