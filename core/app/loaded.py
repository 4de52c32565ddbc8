"""The catalog as this process holds it in memory: track table, KNN recommender, references, text understanding.

:class:`LoadedCatalog` is the one mutable holder every application service reads the live table from (a bulk import
or a change made by another process replaces or updates it in place, see :mod:`core.infra.changes`), so services
never keep a stale :class:`~core.table.TrackTable` and never need the whole :class:`core.engine.Engine`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.coverage import CatalogCoverage
from core.models import Track
from core.recommender import Recommender
from core.references import TrackReferences
from core.table import TrackTable


class LoadedCatalog:
    """The in-memory side of the catalog (moved from ``Engine``: ``_reload_table``, ``_apply_upsert``, ``_apply_delete``,
    ``_text_changed``, ``text``, ``coverage``).

    Attributes:
        table: the live :class:`~core.table.TrackTable` (replaced by :meth:`reload`).
        recommender: the :class:`~core.recommender.Recommender` (KNN index) over ``table``.
        refs: :class:`~core.references.TrackReferences` over ``table``.
        cache_dir: the start-up cache folder (:mod:`core.startup_cache`), None = not cached.
        table_source: how the table was loaded: "cache", "built" or "built-uncached".
    """

    def __init__(self, table: TrackTable, recommender: Recommender) -> None:
        self.table = table
        self.recommender = recommender
        self.refs = TrackReferences(table)
        self.text_model: Any = None  # core.text.TextUnderstanding once fitted (see text)
        self.coverage_model: Any = None  # core.coverage.CatalogCoverage once built (see coverage)
        self.cache_dir: Path | None = None
        self.table_source = "built-uncached"

    @property
    def text(self) -> Any:
        """The local text understanding (:class:`core.text.TextUnderstanding`), fitted on first use."""
        if self.text_model is None:
            from core.startup_cache import fit_text
            from core.text import TextUnderstanding

            self.text_model = fit_text(TextUnderstanding(), self.table)  # from the start-up cache when it matches
        return self.text_model

    @property
    def coverage(self) -> CatalogCoverage:
        """What the loaded catalog holds (:class:`core.coverage.CatalogCoverage`), rebuilt when the table changes."""
        self.coverage_model = CatalogCoverage.for_table(self.table, self.coverage_model)
        return self.coverage_model

    async def reload(self, catalog: Any) -> None:
        """Rebuild the table, KNN index, text understanding and references from ``catalog`` (after a bulk load)."""
        from core.startup_cache import load_table

        self.table, self.table_source = await load_table(catalog, self.cache_dir)  # cached for the next start
        self.recommender = Recommender(self.table, self.recommender.params)
        self.text_model = None
        self.refs = TrackReferences(self.table)

    def apply_upsert(self, track: Track, refit: bool = True) -> Track:
        """Put a track as stored in the catalog into the in-memory table and KNN index (incrementally); also used
        for changes made by other processes (:mod:`core.infra.changes`). Returns the track as the table holds it."""
        old = self.table.pos.get(track.track_id)
        pos = self.table.upsert(track)
        if old is not None:
            self.recommender.on_delete(old)
        self.recommender.on_upsert(pos)
        if refit:
            self.text_changed()
        return self.table.track(pos)

    def apply_delete(self, track_id: str, refit: bool = True) -> bool:
        """Drop a track from the in-memory table and KNN index; False when it was not there."""
        pos = self.table.pos.get(track_id)
        if pos is None:
            return False
        self.table.delete(track_id)
        self.recommender.on_delete(pos)
        if refit:
            self.text_changed()
        return True

    def text_changed(self) -> None:
        """Refresh the fitted text understanding after a table change (no-op before it is first used)."""
        if self.text_model is not None:
            self.text_model.update(self.table)


class LiveParts:
    """The live parts of a :class:`LoadedCatalog` as attributes of a service that holds it in ``self.loaded``: read
    on every call, so a reload or another worker's change (:mod:`core.infra.changes`) is seen at once. The one copy
    of these accessors for every ``core.app`` service."""

    loaded: LoadedCatalog

    @property
    def table(self) -> TrackTable:
        """The live track table."""
        return self.loaded.table

    @property
    def recommender(self) -> Recommender:
        """The live KNN recommender."""
        return self.loaded.recommender

    @property
    def refs(self) -> TrackReferences:
        """The live track references."""
        return self.loaded.refs
