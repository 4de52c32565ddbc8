"""Best-effort 30-second audio previews: Spotify Web API -> Deezer -> iTunes, cached in the catalog database.

Order (see ``../shared/PLATFORM-NOTES.md``, Spotify section):

1. Spotify Web API ``GET /tracks/{id}`` with a client-credentials token, only when ``SPOTIFY_CLIENT_ID`` /
   ``SPOTIFY_CLIENT_SECRET`` are set. ``preview_url`` is null for development-mode apps since 2024-11-27, but the
   response still carries the ISRC, which makes step 2 exact.
2. Deezer public API (no key): ``GET /track/isrc:{isrc}`` when an ISRC is known, else ``GET /search`` with
   ``artist:"…" track:"…"`` (then a plain query); field ``preview`` (30 s MP3).
3. iTunes Search API: ``GET /search?term=…&media=music&entity=song``; field ``previewUrl``.

Search hits must match the track: rapidfuzz ``token_set_ratio`` ≥ 85 on the base title (remaster/feat. suffixes
stripped) and ``partial_ratio`` ≥ 80 on an artist.

Failure policy — a lookup never raises and never stalls a reply:

* every request has ``PREVIEW_TIMEOUT_S`` (httpx timeout) and the whole lookup a budget (default 3 × that + the
  retry cap);
* HTTP 429: ``Retry-After`` (seconds or HTTP date) is honoured — waits up to ``max_retry_wait_s`` (2 s) then retries
  **once**; a longer ``Retry-After`` puts that provider on cooldown for that long (capped at 1 h) and the lookup
  moves on to the next provider. Deezer's in-body quota error (code 4) and iTunes' 403 throttling count the same;
* timeouts, connection errors, 5xx, malformed JSON or unexpected shapes skip to the next provider;
* results are cached in ``preview_cache`` (catalog DB): a found URL for ``PREVIEW_CACHE_TTL_S`` (but never past a
  signed URL's ``exp=`` timestamp, as on Deezer CDN links), "no preview anywhere" for min(TTL, 6 h); a lookup that
  failed for transient reasons is not cached.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import logging
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import computed_field
from rapidfuzz import fuzz

from core.catalog import base_title, normalize_text
from core.models import DeferredModel, Track, spotify_uri, spotify_url

if TYPE_CHECKING:
    import httpx

    from core.infra.store_db import Database

log = logging.getLogger(__name__)

Source = Literal["spotify", "deezer", "itunes"]
_EXP = re.compile(r"exp=(\d{9,11})")


@functools.cache
def _sql(dialect: str) -> SimpleNamespace:
    """The cache's statements for ``dialect``, built once with bound parameters (SQLAlchemy imported on first use)."""
    from sqlalchemy import bindparam, select

    from core.infra.store_db import dialect_insert
    from core.infra.tables import preview_cache

    c = preview_cache.c
    upsert = dialect_insert(dialect)(preview_cache)
    return SimpleNamespace(
        cached=select(c.url, c.source, c.expires_at).where(c.track_id == bindparam("p_track")),
        cached_many=select(c.track_id, c.url, c.source, c.expires_at).where(
            c.track_id.in_(bindparam("p_tracks", expanding=True))
        ),
        store=upsert.on_conflict_do_update(  # one upsert: atomic, no lock
            index_elements=["track_id"],
            set_={k: upsert.excluded[k] for k in ("url", "source", "fetched_at", "expires_at")},
        ),
    )


NEGATIVE_TTL_CAP_S = 6 * 3600.0
COOLDOWN_CAP_S = 3600.0


@dataclass(slots=True)
class PreviewConfig:
    """Where and how to look previews up. Base URLs are settings so tests point them at 127.0.0.1."""

    spotify_client_id: str | None = None
    spotify_client_secret: str | None = None
    spotify_api_base_url: str = "https://api.spotify.com/v1"
    spotify_accounts_url: str = "https://accounts.spotify.com"
    deezer_api_base_url: str = "https://api.deezer.com"
    itunes_api_base_url: str = "https://itunes.apple.com"
    cache_ttl_s: float = 86_400.0
    timeout_s: float = 4.0
    max_retry_wait_s: float = 2.0
    budget_s: float | None = None
    itunes_country: str = "US"

    @property
    def spotify_enabled(self) -> bool:
        """True when both client credentials are set."""
        return bool(self.spotify_client_id and self.spotify_client_secret)

    @property
    def lookup_budget_s(self) -> float:
        """Wall-clock cap of one lookup (all providers), seconds."""
        return self.budget_s if self.budget_s is not None else 3 * self.timeout_s + self.max_retry_wait_s

    @classmethod
    def from_settings(cls, settings: Any) -> PreviewConfig:
        """Build from any object with the ``bot.settings.Settings`` field names (duck-typed: core imports no bot)."""

        def get(name: str, default: Any = None) -> Any:
            value = getattr(settings, name, default)
            if hasattr(value, "get_secret_value"):
                value = value.get_secret_value()
            return default if value is None or value == "" else value

        base = cls()
        return cls(
            spotify_client_id=get("spotify_client_id"),
            spotify_client_secret=get("spotify_client_secret"),
            spotify_api_base_url=get("spotify_api_base_url", base.spotify_api_base_url),
            spotify_accounts_url=get("spotify_accounts_url", base.spotify_accounts_url),
            deezer_api_base_url=get("deezer_api_base_url", base.deezer_api_base_url),
            itunes_api_base_url=get("itunes_api_base_url", base.itunes_api_base_url),
            cache_ttl_s=float(get("preview_cache_ttl_s", base.cache_ttl_s)),
            timeout_s=float(get("preview_timeout_s", base.timeout_s)),
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PreviewConfig:
        """Build from environment variables (same names as the settings, upper case). ``.env`` is not read here."""
        env = os.environ if environ is None else environ

        class _Env:
            def __getattr__(self, name: str) -> Any:
                return env.get(name.upper())

        return cls.from_settings(_Env())


class TrackPreview(DeferredModel):
    """A track with its best-effort preview. Links are always built from the Spotify id."""

    track: Track
    preview_url: str | None = None
    source: Source | None = None
    cached: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spotify_url(self) -> str:
        """``https://open.spotify.com/track/ID``."""
        return spotify_url(self.track.track_id)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def spotify_uri(self) -> str:
        """``spotify:track:ID``."""
        return spotify_uri(self.track.track_id)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def embed_url(self) -> str:
        """``https://open.spotify.com/embed/track/ID`` (Spotify's embeddable player)."""
        return f"https://open.spotify.com/embed/track/{self.track.track_id}"


@dataclass(slots=True)
class _Batch:
    """Cache rows collected by one :meth:`PreviewService.many` call, written together when its budget ends."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False


class _Skip(Exception):
    """A provider could not answer (rate limit, timeout, bad response): try the next one, don't cache."""


def parse_retry_after(value: str | None, default: float = 2.0) -> float:
    """``Retry-After`` as seconds ≥ 0: delta-seconds or an HTTP date (RFC 9110 §10.2.3); ``default`` if absent/bad."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def matches(track: Track, title: str, artist: str) -> float:
    """0–100 match score of a search hit against ``track`` (0 when title < 85 or artist < 80)."""
    t = fuzz.token_set_ratio(base_title(track.title), base_title(title or ""))
    a = max((fuzz.partial_ratio(normalize_text(x), normalize_text(artist or "")) for x in track.artists), default=0)
    return (t + a) / 2 if t >= 85 and a >= 80 else 0.0


class PreviewService:
    """Preview lookups with a cache in the catalog database (SQLite or PostgreSQL); build through
    ``engine.app.previews``.

    Args:
        db: the shared :class:`core.infra.store_db.Database` holding ``preview_cache`` (``engine.database``).
        config: URLs, credentials, timeouts.
    """

    def __init__(self, db: Database, config: PreviewConfig | None = None) -> None:
        self._db = db
        self.config = config or PreviewConfig()
        self._token: tuple[str, float] | None = None
        self._token_lock = asyncio.Lock()
        self._cooldown: dict[str, float] = {}
        self._inflight: dict[str, asyncio.Task[TrackPreview | None]] = {}
        self.stats: dict[str, int] = {"requests": 0, "cache_hits": 0, "skips": 0}

    async def setup(self) -> None:
        """Nothing to do: the cache table comes from the migrations (kept for callers)."""

    # ------------------------------------------------------------------ public API (never raises)
    async def find(self, track: Track) -> TrackPreview | None:
        """The track's preview (cached or looked up), or None when none was found or every provider failed.

        Never raises (except cancellation); concurrent lookups of one track share a single request chain.
        """
        try:
            found = await self._shared_lookup(track, None, check_cache=True)
            return found if found is not None and found.preview_url else None
        except asyncio.CancelledError:
            raise
        except Exception:  # a preview must never fail a reply
            log.warning("preview lookup failed for %s", track.track_id, exc_info=True)
            return None

    async def find_outcome(self, track: Track) -> tuple[TrackPreview | None, bool]:
        """``(preview, answered)``: :meth:`find`, plus whether the providers gave an answer. ``(None, True)``: no
        preview exists anywhere (a cached definitive "none"); ``(None, False)``: the lookup *failed* — offline,
        timeouts, 5xx, rate limits, bad responses — so a caller can say "try again later" instead of "no preview".
        Never raises (except cancellation)."""
        found = await self.find(track)
        if found is not None:
            return found, True
        try:
            return None, (await self._cached(track)) is not None
        except Exception:  # the cache itself failed: no answer either
            log.warning("preview cache read failed for %s", track.track_id, exc_info=True)
            return None, False

    async def preview_url(self, track: Track) -> str | None:
        """Just the preview URL (or None). Never raises."""
        found = await self.find(track)
        return found.preview_url if found else None

    async def many(self, tracks: Iterable[Track], budget_s: float = 3.0, concurrency: int = 4) -> dict[str, str | None]:
        """Preview URLs for a reply's tracks within ``budget_s`` seconds total; late or failed ones map to None.

        The cache is read with **one** statement for the whole list (``WHERE track_id IN (…)``), and the misses
        looked up within the budget are written back with **one** batched upsert; a list whose previews are all
        cached costs a single round trip. Lookups still running at the deadline keep going in the background and
        fill the cache (one upsert each) for next time. Never raises (except cancellation).
        """
        tracks = list({t.track_id: t for t in tracks}.values())
        out: dict[str, str | None] = {t.track_id: None for t in tracks}
        if not tracks:
            return out
        try:
            hits = await self._cached_many(tracks)
        except Exception:  # the cache failed: look everything up (each lookup may still fail on its own)
            log.warning("preview cache read failed", exc_info=True)
            hits = {}
        for track_id, hit in hits.items():
            out[track_id] = hit.preview_url
        misses = [t for t in tracks if t.track_id not in hits]
        if not misses:
            return out
        sem = asyncio.Semaphore(concurrency)
        batch = _Batch()

        async def one(track: Track) -> None:
            async with sem:
                found = await self._shared_lookup(track, batch)
            out[track.track_id] = found.preview_url if found else None

        tasks = [asyncio.ensure_future(one(t)) for t in misses]
        try:
            _, pending = await asyncio.wait(tasks, timeout=budget_s)
            for task in pending:
                task.cancel()  # stops waiting; the shielded lookup itself runs on and fills the cache
        finally:
            batch.closed = True  # lookups finishing from now on write their own row
            if batch.rows:
                try:
                    await self._db.execute(_sql(self._db.dialect).store, batch.rows)
                except Exception:  # a cache write must never fail a reply
                    log.warning("preview cache write failed", exc_info=True)
        return out

    async def _shared_lookup(
        self, track: Track, batch: _Batch | None, check_cache: bool = False
    ) -> TrackPreview | None:
        """The provider lookup of ``track``, shared by concurrent callers (one request chain per track); its cache
        row goes into ``batch`` while that is open, else it is written at once. With ``check_cache`` the cache is
        read inside the shared task, so a caller arriving just after a lookup finished reads the row it wrote
        instead of starting a second request chain (a cached "no preview" comes back with ``preview_url`` None)."""
        task = self._inflight.get(track.track_id)
        if task is None:
            task = asyncio.ensure_future(
                self._cached_or_lookup(track, batch) if check_cache else self._lookup(track, batch)
            )
            self._inflight[track.track_id] = task
            task.add_done_callback(lambda _t, k=track.track_id: self._inflight.pop(k, None))
        return await asyncio.shield(task)

    async def _cached_or_lookup(self, track: Track, batch: _Batch | None) -> TrackPreview | None:
        hit = await self._cached(track)
        return hit if hit is not None else await self._lookup(track, batch)

    # ------------------------------------------------------------------ cache
    async def _cached_many(self, tracks: list[Track]) -> dict[str, TrackPreview]:
        """Live cache rows of ``tracks`` in one statement: track id -> preview (``preview_url`` None for a cached
        "no preview anywhere"); missing or expired ids are absent."""
        stmt = _sql(self._db.dialect).cached_many
        rows = (await self._db.execute(stmt, {"p_tracks": [t.track_id for t in tracks]})).all()
        by_id = {t.track_id: t for t in tracks}
        now = time.time()
        out: dict[str, TrackPreview] = {}
        for track_id, url, source, expires_at in rows:
            if expires_at > now and track_id in by_id:
                out[track_id] = TrackPreview(track=by_id[track_id], preview_url=url, source=source, cached=True)
        self.stats["cache_hits"] += len(out)
        return out

    async def _cached(self, track: Track) -> TrackPreview | None:
        row = (await self._db.execute(_sql(self._db.dialect).cached, {"p_track": track.track_id})).first()
        if row is None or row[2] <= time.time():
            return None
        self.stats["cache_hits"] += 1
        return TrackPreview(track=track, preview_url=row[0], source=row[1], cached=True)

    async def _store(self, track_id: str, url: str | None, source: str | None, batch: _Batch | None = None) -> None:
        """Cache the outcome of a lookup: into ``batch`` while it is open (written by :meth:`many` in one
        statement), else one upsert now."""
        now = time.time()
        ttl = self.config.cache_ttl_s if url else min(self.config.cache_ttl_s, NEGATIVE_TTL_CAP_S)
        expires = now + ttl
        m = _EXP.search(url or "")
        if m:  # signed CDN links stop working at exp=: don't serve them after that
            expires = min(expires, float(m.group(1)) - 60)
        row = {"track_id": track_id, "url": url, "source": source, "fetched_at": now, "expires_at": expires}
        if batch is not None and not batch.closed:
            batch.rows.append(row)
            return
        await self._db.execute(_sql(self._db.dialect).store, row)

    # ------------------------------------------------------------------ lookup chain
    def _client(self) -> httpx.AsyncClient:
        import httpx  # only when a preview is looked up: every command builds a PreviewConfig

        return httpx.AsyncClient(
            timeout=httpx.Timeout(self.config.timeout_s),
            follow_redirects=True,
            headers={"User-Agent": "musicbot/0.1 (+preview lookup)", "Accept": "application/json"},
        )

    async def _lookup(self, track: Track, batch: _Batch | None = None) -> TrackPreview | None:
        try:
            async with asyncio.timeout(self.config.lookup_budget_s):
                async with self._client() as client:
                    return await self._chain(track, client, batch)
        except TimeoutError:
            log.info("preview lookup for %s ran out of time", track.track_id)
        except Exception:
            log.warning("preview lookup failed for %s", track.track_id, exc_info=True)
        return None

    async def _chain(self, track: Track, client: httpx.AsyncClient, batch: _Batch | None = None) -> TrackPreview | None:
        definitive = True
        isrc: str | None = None
        providers: list[Source] = (["spotify"] if self.config.spotify_enabled else []) + ["deezer", "itunes"]
        for source in providers:
            if self._cooling(source):
                definitive = False
                continue
            try:
                if source == "spotify":
                    url, isrc = await self._spotify(client, track)
                elif source == "deezer":
                    url = await self._deezer(client, track, isrc)
                else:
                    url = await self._itunes(client, track)
            except Exception as exc:  # _Skip, httpx errors, malformed JSON, unexpected shapes
                self.stats["skips"] += 1
                log.info("preview via %s skipped for %s: %s", source, track.track_id, type(exc).__name__)
                definitive = False
                continue
            if url:
                await self._store(track.track_id, url, source, batch)
                return TrackPreview(track=track, preview_url=url, source=source)
        if definitive:
            await self._store(track.track_id, None, None, batch)
        return None

    def _cooling(self, source: str) -> bool:
        return self._cooldown.get(source, 0.0) > time.monotonic()

    def _cool(self, source: str, seconds: float) -> None:
        self._cooldown[source] = time.monotonic() + min(max(seconds, 0.0), COOLDOWN_CAP_S)

    async def _request(
        self, client: httpx.AsyncClient, source: str, method: str, url: str, **kw: Any
    ) -> httpx.Response:
        """One request; on 429 wait ``Retry-After`` (≤ cap) and retry once, else cool the provider down and skip."""
        for attempt in (0, 1):
            self.stats["requests"] += 1
            resp = await client.request(method, url, **kw)
            if resp.status_code != 429:
                return resp
            wait = parse_retry_after(resp.headers.get("Retry-After"))
            self._cool(source, wait)
            if attempt == 1 or wait > self.config.max_retry_wait_s:
                raise _Skip(f"{source} rate-limited (Retry-After {wait:.0f}s)")
            await asyncio.sleep(wait)
        raise _Skip(source)  # pragma: no cover - loop always returns or raises

    @staticmethod
    def _json(resp: httpx.Response) -> Any:
        if resp.status_code >= 400:
            raise _Skip(f"HTTP {resp.status_code}")
        return json.loads(resp.text)  # iTunes answers text/javascript; ValueError on malformed bodies

    # ------------------------------------------------------------------ providers
    async def _spotify_token(self, client: httpx.AsyncClient) -> str:
        async with self._token_lock:
            if self._token and self._token[1] > time.monotonic():
                return self._token[0]
            cfg = self.config
            resp = await self._request(
                client,
                "spotify",
                "POST",
                cfg.spotify_accounts_url.rstrip("/") + "/api/token",
                data={"grant_type": "client_credentials"},
                auth=(cfg.spotify_client_id or "", cfg.spotify_client_secret or ""),
            )
            data = self._json(resp)
            token = str(data["access_token"])
            self._token = (token, time.monotonic() + max(60.0, float(data.get("expires_in", 3600))) - 60)
            return token

    async def _spotify(self, client: httpx.AsyncClient, track: Track) -> tuple[str | None, str | None]:
        token = await self._spotify_token(client)
        url = f"{self.config.spotify_api_base_url.rstrip('/')}/tracks/{track.track_id}"
        resp = await self._request(client, "spotify", "GET", url, headers={"Authorization": f"Bearer {token}"})
        if resp.status_code == 401:
            self._token = None  # expired or revoked: the next lookup fetches a new one (no loop here)
        if resp.status_code == 404:
            return None, None  # not on Spotify (any more): a definite "no preview here"
        data = self._json(resp)
        isrc = (data.get("external_ids") or {}).get("isrc")
        return (data.get("preview_url") or None), (str(isrc) if isrc else None)

    def _deezer_data(self, data: Any) -> Any:
        if isinstance(data, dict) and "error" in data:
            err = data["error"] or {}
            if err.get("code") == 4:  # "Quota limit exceeded": 50 requests / 5 s per client
                self._cool("deezer", 5.0)
                raise _Skip("deezer quota")
            return None
        return data

    async def _deezer(self, client: httpx.AsyncClient, track: Track, isrc: str | None) -> str | None:
        base = self.config.deezer_api_base_url.rstrip("/")
        if isrc:
            data = self._deezer_data(
                self._json(await self._request(client, "deezer", "GET", f"{base}/track/isrc:{isrc}"))
            )
            if isinstance(data, dict) and data.get("preview"):
                return str(data["preview"])
        title = base_title(track.title)
        artist = (track.artists[0] if track.artists else "").replace('"', " ")
        for q in (f'artist:"{artist}" track:"{title}"', f"{artist} {title}"):
            data = self._deezer_data(
                self._json(await self._request(client, "deezer", "GET", f"{base}/search", params={"q": q, "limit": 10}))
            )
            hits = (data or {}).get("data") or []
            best = max(
                (h for h in hits if isinstance(h, dict) and h.get("preview")),
                key=lambda h: matches(track, h.get("title", ""), (h.get("artist") or {}).get("name", "")),
                default=None,
            )
            if best and matches(track, best.get("title", ""), (best.get("artist") or {}).get("name", "")):
                return str(best["preview"])
            if hits:
                return None  # results came back but none matches: a looser query would only match worse
        return None

    async def _itunes(self, client: httpx.AsyncClient, track: Track) -> str | None:
        base = self.config.itunes_api_base_url.rstrip("/")
        term = f"{track.artists[0] if track.artists else ''} {base_title(track.title)}".strip()
        params = {"term": term, "media": "music", "entity": "song", "limit": 10, "country": self.config.itunes_country}
        resp = await self._request(client, "itunes", "GET", f"{base}/search", params=params)
        if resp.status_code == 403:  # iTunes throttles with 403 (about 20 calls / minute)
            self._cool("itunes", 60.0)
            raise _Skip("itunes throttled")
        hits = self._json(resp).get("results") or []
        best = max(
            (h for h in hits if isinstance(h, dict) and h.get("previewUrl")),
            key=lambda h: matches(track, h.get("trackName", ""), h.get("artistName", "")),
            default=None,
        )
        if best and matches(track, best.get("trackName", ""), best.get("artistName", "")):
            return str(best["previewUrl"])
        return None
