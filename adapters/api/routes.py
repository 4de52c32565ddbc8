"""The ``/api/v1`` endpoints: thin handlers — parse (FastAPI + :mod:`adapters.api.schemas`) -> application service call ->
render (:func:`~adapters.api.schemas.song_out`). Permissions are checked by the catalog admin service (``require_admin``) on the
caller built by :func:`core.policy.api_caller`; counts come from :mod:`core.limits`; the per-client rate limit is
:class:`core.ratelimit.RateLimiter` (in the catalog database, shared by every worker and adapter).
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from adapters.api.errors import ApiError
from adapters.api.schemas import (
    TRACK_ID_PATTERN,
    AudioInfo,
    AudioUnavailable,
    Clarification,
    ErrorBody,
    RecommendRequest,
    RecommendResponse,
    SongCreate,
    SongOut,
    SongUpdate,
    TextRecommendRequest,
    recommended_song,
    song_out,
    track_fields,
)
from core import policy
from core.browse import MAX_SKIP, list_tracks, track_by_id, tracks_for
from core.app.services import AppServices
from core.errors import InvalidInput
from core.limits import DEFAULT_TRACKS, MAX_TRACKS
from core.models import Caller, Filters, NeedsClarification, Recommendation
from core.ratelimit import RatePolicy

#: Client key of the rate limit: ``api:<client address>``.
RATE_KEY = "api:{}"

bearer = HTTPBearer(auto_error=False, scheme_name="AdminKey", description="The server's API_ADMIN_KEY (writes only).")


def client_of(request: Request) -> str:
    """The client's address (uvicorn applies X-Forwarded-For only from trusted proxies, 127.0.0.1 by default)."""
    return request.client.host if request.client else "unknown"


def get_services(request: Request) -> AppServices:
    """The application services the app was built with."""
    return request.app.state.services


async def rate_limited(request: Request) -> None:
    """Count the request against the client's bucket (:data:`RATE_KEY`); 429 with ``Retry-After`` when empty."""
    rate_policy: RatePolicy = request.app.state.rate_policy
    verdict = await get_services(request).rate_limits.hit(RATE_KEY.format(client_of(request)), rate_policy)
    if not verdict.allowed:
        raise ApiError(429, "rate_limited", verdict.notice(), headers={"Retry-After": str(verdict.seconds)})


async def admin_caller(
    request: Request, creds: Annotated[Optional[HTTPAuthorizationCredentials], Security(bearer)] = None
) -> Caller:
    """The caller of a write: 403 when writes are disabled (no ``API_ADMIN_KEY``), 401 without a bearer token,
    403 with a wrong one. The engine checks the role again."""
    admin_key: str = request.app.state.admin_key
    if not admin_key:
        raise ApiError(403, "writes_disabled", "Writes are disabled on this server (API_ADMIN_KEY is not set); nothing was changed.")
    if creds is None or not creds.credentials:
        raise ApiError(
            401, "unauthorized", "Send the admin key as 'Authorization: Bearer <API_ADMIN_KEY>'; nothing was changed.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    caller = policy.api_caller(client_of(request), creds.credentials, admin_key)
    if not caller.is_admin:
        raise ApiError(403, "forbidden", "That is not the admin key; nothing was changed.")
    return caller


ServicesDep = Annotated[AppServices, Depends(get_services)]
AdminDep = Annotated[Caller, Depends(admin_caller)]
TrackIdPath = Annotated[str, Path(pattern=TRACK_ID_PATTERN, description="Spotify track id (22 letters/digits)")]

_ERR: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "Invalid request (the message names the field)"},
    429: {"model": ErrorBody, "description": "Too many requests from this client (see Retry-After)"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such track"}}
_WRITE: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No admin key sent"},
    403: {"model": ErrorBody, "description": "Wrong key, or writes disabled (API_ADMIN_KEY unset)"},
}

router = APIRouter(prefix="/api/v1", dependencies=[Depends(rate_limited)], responses=_ERR)


# ---------------------------------------------------------------------------------------------- songs
@router.post("/songs/", status_code=201, response_model=SongOut, tags=["songs"], responses=_WRITE)
async def create_song(body: SongCreate, services: ServicesDep, caller: AdminDep) -> dict[str, Any]:  # type: ignore[valid-type]
    """Add a track with all eleven audio features (admin key needed)."""
    return song_out(await services.admin.add_song(caller, track_fields(body, only_set=False)))


@router.get("/songs/", response_model=list[SongOut], tags=["songs"])
async def read_songs(
    services: ServicesDep,
    response: Response,
    skip: Annotated[int, Query(ge=0, le=MAX_SKIP, description="tracks to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_TRACKS, description=f"tracks to return, 1–{MAX_TRACKS}")] = DEFAULT_TRACKS,
    search: Annotated[Optional[str], Query(max_length=200, description="words of a title, artist or album")] = None,
) -> list[dict[str, Any]]:
    """Page through the catalog, or through the best matches of ``search`` (at most 50). The header
    ``X-Total-Count`` holds the size of the whole listing."""
    page = await list_tracks(services.discovery, skip=skip, limit=limit, search=search)
    response.headers["X-Total-Count"] = str(page.total)
    return [song_out(t) for t in page.tracks]


@router.get("/songs/{track_id}", response_model=SongOut, tags=["songs"], responses=_NOT_FOUND)
async def read_song(track_id: TrackIdPath, services: ServicesDep) -> dict[str, Any]:
    """One track with its audio features."""
    return song_out(track_by_id(services.tracks, track_id))


@router.put("/songs/{track_id}", response_model=SongOut, tags=["songs"], responses={**_WRITE, **_NOT_FOUND})
async def update_song(track_id: TrackIdPath, body: SongUpdate, services: ServicesDep, caller: AdminDep) -> dict[str, Any]:  # type: ignore[valid-type]
    """Change the fields sent (others keep their value; admin key needed). The track id cannot change."""
    changes = track_fields(body, only_set=True)
    if not changes:
        raise InvalidInput('Nothing to change: send at least one field, e.g. {"energy": 0.8}.')
    return song_out(await services.admin.edit_song(caller, track_id, changes))


@router.delete("/songs/{track_id}", response_model=SongOut, tags=["songs"], responses={**_WRITE, **_NOT_FOUND})
async def delete_song(track_id: TrackIdPath, services: ServicesDep, caller: AdminDep) -> dict[str, Any]:
    """Delete a track (admin key needed); answers the deleted track."""
    return song_out(await services.admin.delete_song(caller, track_id))


# ---------------------------------------------------------------------------------------------- recommendations
def recommendation_body(result: Recommendation | NeedsClarification) -> dict[str, Any]:
    """A :class:`RecommendResponse` dict; ``message`` holds what must be said first (coverage, notes)."""
    if isinstance(result, NeedsClarification):
        return {
            "message": result.question, "summary": "", "query": "", "tracks": [], "target": {}, "coverage": [],
            "notes": [], "clarification": Clarification(question=result.question, suggestions=result.suggestions),
        }
    from core.coverage import coverage_text

    first = [coverage_text(result.coverage), *result.notes]
    if result.capped is not None:
        first.append(result.capped.note("ask again with a larger skip"))
    return {
        "message": " ".join(x for x in first if x),
        "summary": result.summary,
        "query": result.query,
        "tracks": [recommended_song(item, result.lang) for item in result.tracks],
        "target": result.target,
        "coverage": result.coverage,
        "notes": result.notes,
        "clarification": None,
    }


@router.post("/recommend/", response_model=RecommendResponse, tags=["recommend"], responses=_NOT_FOUND)
async def recommend_similar(body: RecommendRequest, services: ServicesDep) -> dict[str, Any]:
    """Tracks like the given songs (KNN over audio features, artists and labels), with score and reason."""
    return recommendation_body(await services.discovery.recommend_similar(body.song_ids, filters=Filters(limit=body.limit)))


@router.post("/recommend/text", response_model=RecommendResponse, tags=["recommend"])
async def recommend_text(body: TextRecommendRequest, services: ServicesDep) -> dict[str, Any]:
    """Tracks for a free-text request ("upbeat 80s synth pop for running"), understood offline."""
    return recommendation_body(await services.discovery.recommend_text(body.text_input, limit=body.limit))


# ---------------------------------------------------------------------------------------------- charts
_PNG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "A PNG chart"},
    503: {"model": ErrorBody, "description": "The chart could not be drawn now (busy or too slow); try again"},
}


async def png_response(fn: Any, *args: Any) -> Response:
    """Draw with :func:`core.charts.draw` (own thread, deadline, never raises) and answer the PNG, or a 503."""
    from core import charts

    png = await charts.draw(fn, *args)
    if png is None:
        raise ApiError(503, "chart_unavailable", "The chart could not be drawn right now; try again in a moment.",
                       headers={"Retry-After": "5"})
    return Response(content=png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get(
    "/songs/{track_id}/chart.png", response_class=Response, tags=["charts"], responses={**_NOT_FOUND, **_PNG},
)
async def song_chart(track_id: TrackIdPath, services: ServicesDep) -> Response:
    """A PNG of the track's audio features: bars for the 0–1 features, tempo (BPM) and loudness (dB) on their own
    scales (:func:`core.charts.track_chart`). 422 when the track has no audio features."""
    from core import charts

    track = track_by_id(services.tracks, track_id)
    if not any(getattr(track, f) is not None for f in charts.ALL_FEATURES):
        raise InvalidInput(f"“{track.title}” has no audio features to chart.", "track_id")
    return await png_response(charts.track_chart, track)


async def _recommendation_png(result: Recommendation | NeedsClarification, refs: list[Any]) -> Response:
    from core import charts

    if isinstance(result, NeedsClarification):
        raise InvalidInput(result.question, "text_input")
    if not any(getattr(i.track, f) is not None for i in result.tracks for f in charts.ALL_FEATURES):
        raise InvalidInput("None of these tracks has audio features to chart.")
    return await png_response(charts.recommendation_chart, result, refs)


@router.post("/recommend/chart.png", response_class=Response, tags=["charts"], responses={**_NOT_FOUND, **_PNG})
async def recommend_similar_chart(body: RecommendRequest, services: ServicesDep) -> Response:
    """The same request as ``POST /recommend/``, answered as a PNG: every track's audio features against the
    songs asked for (:func:`core.charts.recommendation_chart`)."""
    rec = await services.discovery.recommend_similar(body.song_ids, filters=Filters(limit=body.limit))
    refs = tracks_for(services.tracks, body.song_ids)
    return await _recommendation_png(rec, refs)


@router.post("/recommend/text/chart.png", response_class=Response, tags=["charts"], responses=_PNG)
async def recommend_text_chart(body: TextRecommendRequest, services: ServicesDep) -> Response:
    """The same request as ``POST /recommend/text``, answered as a PNG: every track's audio features against the
    target the text asked for (amber), with any range stated in numbers."""
    return await _recommendation_png(await services.discovery.recommend_text(body.text_input, limit=body.limit), [])


# ---------------------------------------------------------------------------------------------- audio
def audio_info(track: Any, preview: Any) -> dict[str, Any]:
    """An :class:`AudioInfo` dict for a track and its :class:`core.previews.TrackPreview` (or None)."""
    tid = track.track_id
    return {
        "track_id": tid,
        "name": track.title,
        "artists": track.artists,
        "album": track.album,
        "duration_ms": track.duration_ms,
        "popularity": track.popularity,
        "preview_url": preview.preview_url if preview else None,
        "preview_source": preview.source if preview else None,
        "external_url": track.spotify_url,
        "spotify_uri": track.spotify_uri,
        "embed_url": f"https://open.spotify.com/embed/track/{tid}",
    }


@router.get(
    "/music/audio/{track_id}", response_model=AudioInfo, tags=["music"],
    responses={**_NOT_FOUND, 503: {"model": AudioUnavailable, "description": "No preview service reachable"}},
)
async def music_audio(track_id: TrackIdPath, services: ServicesDep) -> Any:
    """Where to listen: a 30 s preview (Spotify, Deezer, iTunes — best effort, cached) and the Spotify links.
    ``preview_url`` is null when no service has one; 503 when none could be reached (offline, upstream failure)."""
    track = track_by_id(services.tracks, track_id)
    found, answered = await services.previews.find_outcome(track)
    info = audio_info(track, found)
    if found is None and not answered:
        body = AudioUnavailable(
            detail="No audio preview service could be reached (offline or upstream failure); try again later. "
            "The Spotify links in 'audio' still work.",
            error="upstream_unavailable",
            audio=AudioInfo(**info),
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=503, headers={"Retry-After": "60"})
    return info

