"""Product-wide maximums, stated once. Every path that takes a count uses these: the discovery pipeline (``Discovery._limit``),
``Filters.limit``, the text parser's counts ("50 songs"), the agent tools (``clamp_limit``), the CLI ``--limit``
options and the adapters' slash-command options. A count asked for in text above the maximum is capped and the reply
says so (:class:`core.models.CountCap`, rendered by each adapter)."""

from __future__ import annotations

#: Most tracks one request returns (one reply; "more" / "Next page" continues). 50 = Telegram's inline-result cap
#: and the catalog commands' historic ``--limit`` range (1–50); larger lists are read page by page.
MAX_TRACKS = 50
#: Tracks in a request when none is asked for.
DEFAULT_TRACKS = 10
