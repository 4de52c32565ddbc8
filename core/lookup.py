"""Read-only catalog questions the adapters ask — labels, ids, autocomplete suggestions, genre names, catalog size.

Adapters call these instead of reaching into the track table or the catalog store (the layer rule checked by
``tests/unit/test_layers.py`` and import-linter): if the storage changes (SQLite today, PostgreSQL behind the same
ports), adapters do not. Build one per call site: ``CatalogLookup(services)`` (the
:class:`core.app.services.AppServices`) is a thin view, nothing is copied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from core.catalog import ImportReport, normalize_text
from core.models import Track
from core.references import ResolvedRef

#: Names adapters may use from the catalog module without depending on the storage (import-linter contract).
__all__ = ["CatalogLookup", "ImportReport", "normalize_text"]

if TYPE_CHECKING:
    from core.app.services import AppServices


class CatalogLookup:
    """Questions about the catalog as this process holds it now (the in-memory table follows every catalog change).

    Args:
        services: the application services (track references over the live table, the search port).
    """

    def __init__(self, services: AppServices) -> None:
        self._tracks = services.tracks
        self._search = services.discovery.search_port

    def size(self) -> int:
        """Number of live tracks in the catalog."""
        return len(self._tracks.table)

    def has(self, track_id: str) -> bool:
        """True when ``track_id`` is a live catalog track."""
        return track_id in self._tracks.table.pos

    def track(self, track_id: str) -> Track | None:
        """The track, or None when it is not (or no longer) in the catalog."""
        pos = self._tracks.table.pos.get(track_id)
        return self._tracks.table.track(pos) if pos is not None else None

    def label(self, track_id: str) -> str | None:
        """``"Title - Artist"``, or None for an id not in the catalog."""
        pos = self._tracks.table.pos.get(track_id)
        return self._tracks.label(pos) if pos is not None else None

    def title(self, track_id: str) -> str | None:
        """The track's title, or None for an id not in the catalog."""
        pos = self._tracks.table.pos.get(track_id)
        return self._tracks.table.titles[pos] if pos is not None else None

    def ids(self, found: Iterable[ResolvedRef]) -> list[str]:
        """Track ids of resolved references (:meth:`core.app.tracks.TrackFinder.resolve_ref`), duplicates dropped, in order."""
        table = self._tracks.table
        return list(dict.fromkeys(table.ids[f.pos] for f in found))

    async def suggest(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """Up to ``limit`` ``(track id, "Title - Artist")`` full-text matches for ``text`` (autocomplete), best first,
        one per label."""
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for tid in await self._search.search_ids(text, limit * 2):
            label = self.label(tid)
            if label is None or label in seen:
                continue
            seen.add(label)
            out.append((tid, label))
            if len(out) >= limit:
                break
        return out

    def genre_names(self, kinds: Sequence[str] = ("genre", "subgenre")) -> list[str]:
        """Sorted genre (and subgenre) labels carried by at least one live track."""
        table = self._tracks.table
        return sorted({name for kind in kinds for _, name in table.labels_of_kind(kind)})
