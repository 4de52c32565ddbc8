"""Every error of the REST API as JSON (:class:`~adapters.api.schemas.ErrorBody`): the engine's errors, validation
errors, rate limits, and a last-resort handler that logs the traceback and answers a short apology.

Status codes: ``SongNotFound`` 404, ``InvalidInput`` / ``LimitReached`` / request validation 422,
``PermissionDenied`` 403, missing credentials 401, rate limit 429 (with ``Retry-After``), no preview service
reachable 503.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import InvalidInput, LimitReached, MusicBotError, PermissionDenied, SongNotFound

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answer raised by the adapter itself (auth, rate limit, upstream): status, code, message."""

    def __init__(self, status: int, error: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail, self.headers, self.extra = status, error, detail, headers, extra


def error_response(status: int, error: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A JSON error answer (``{"detail", "error", ...}``)."""
    return JSONResponse({"detail": detail, "error": error, **jsonable_encoder(extra)}, status_code=status, headers=headers)


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One sentence for pydantic / FastAPI validation errors: ``"limit: Input should be less than or equal to 50"``
    (up to three fields)."""
    parts = []
    for err in errors[:3]:
        msg = str(err.get("msg", "invalid value"))
        if err.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
        elif err.get("type") == "missing":
            parts.append(f"{_where(err.get('loc', ()))} is required")
        else:
            parts.append(f"{_where(err.get('loc', ()))}: {msg}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "Invalid request — " + "; ".join(parts) + more + "."


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.error, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        first = _where(errors[0]["loc"]) if errors else None
        return error_response(422, "invalid_request", validation_message(errors), field=first, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):  # not UTF-8 / not decodable
            return error_response(422, "invalid_request", "Invalid request — the body is not valid UTF-8 JSON.",
                                  field="body")
        codes = {404: "not_found", 405: "method_not_allowed"}
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "No such endpoint; see /docs for the API (base path /api/v1)."
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), detail, getattr(exc, "headers", None))

    @app.exception_handler(MusicBotError)
    async def _engine(_: Request, exc: MusicBotError) -> JSONResponse:
        if isinstance(exc, SongNotFound):
            return error_response(404, "song_not_found", str(exc), field="track_id", suggestions=exc.suggestions)
        if isinstance(exc, PermissionDenied):
            return error_response(403, "forbidden", str(exc))
        if isinstance(exc, InvalidInput):
            return error_response(422, "invalid_input", str(exc), field=exc.field)
        if isinstance(exc, LimitReached):
            return error_response(422, "limit_reached", str(exc))
        return error_response(400, "bad_request", str(exc))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - a bug if reached
        log.exception("API %s %s failed", request.method, request.url.path)
        return error_response(500, "internal_error", "Sorry, something went wrong on our side; it has been logged.")
