"""The application layer: use-case services between the adapters (which receive them as one
:class:`~core.app.services.AppServices` bundle) and the inner parts (track table, KNN recommender, text understanding, storage).

Each service takes the narrow parts it needs — ports (:mod:`core.app.ports`), the live in-memory catalog
(:mod:`core.app.loaded`) and other services — never the engine:

* :mod:`core.app.tracks` — :class:`~core.app.tracks.TrackFinder`: track references;
* :mod:`core.app.discovery` — :class:`~core.app.discovery.Discovery`: search and recommendations;
* :mod:`core.app.catalog_admin` — :class:`~core.app.catalog_admin.CatalogAdmin`: add / edit / delete / import;
* :mod:`core.app.session` — :class:`~core.app.session.Sessions`: the list on screen, ``#N``, pages, turns, buttons;
* :mod:`core.app.personal` — :class:`~core.app.personal.Personal`: feedback, personalised lists, previews, playlists.

The composition root (:class:`core.engine.Engine`) builds the storage behind the ports and wires these once into
:class:`core.app.services.AppServices` (``engine.app``), which also carries the chat use case
(:class:`core.chat.ChatService`). Helpers outside this package (charts, paging, feedback, the change follower, the
agent's request helpers) take the narrow ports of :mod:`core.app.ports` (``TrackLookup``, ``RequestRunner``…).
"""
