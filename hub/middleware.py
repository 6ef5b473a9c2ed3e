"""The one place where errors become responses, plus request logging and metrics."""

from __future__ import annotations

import logging
import time
from typing import Awaitable, Callable

import orjson
from aiohttp import web
from prometheus_client import Counter, Histogram

from hub.errors import BadRequest, HubError, MethodNotAllowed, NotFound, PayloadTooLarge, UnsupportedMediaType

log = logging.getLogger("learnhub.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

REQUESTS = Counter("learnhub_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("learnhub_http_request_seconds", "HTTP request latency", ["method", "route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10))


def json_response(body: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json", headers=headers)


def error_response(error: HubError) -> web.Response:
    """Render any HubError with the shared envelope (pinned by tests/hub/test_errors.py)."""
    return json_response(error.body(), status=error.status, headers=error.headers)


def from_http_exception(exc: web.HTTPException) -> HubError:
    """Translate aiohttp's own exceptions (router 404/405, body too large) into the hierarchy."""
    if isinstance(exc, web.HTTPRequestEntityTooLarge):
        return PayloadTooLarge("request body exceeds the configured limit")
    if isinstance(exc, web.HTTPNotFound):
        return NotFound("no such resource")
    if isinstance(exc, web.HTTPMethodNotAllowed):
        return MethodNotAllowed(f"method not allowed; allowed: {', '.join(sorted(exc.allowed_methods))}",
                                headers={"Allow": ", ".join(sorted(exc.allowed_methods))})
    if isinstance(exc, web.HTTPUnsupportedMediaType):
        return UnsupportedMediaType(exc.text or "unsupported media type")
    error = HubError(exc.reason or "error")
    error.status = exc.status
    error.code = (exc.reason or "error").lower().replace(" ", "_")
    return error


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except HubError as exc:
        status = exc.status
        return error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            status = exc.status
            raise
        error = from_http_exception(exc)
        status = error.status
        return error_response(error)
    except ValueError as exc:
        # Malformed input that slipped past validation (e.g. undecodable text) is the client's error.
        if "decode" in str(exc).lower():
            status = 400
            return error_response(BadRequest(f"request could not be decoded: {exc}"))
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return error_response(HubError("internal server error"))
    except Exception:
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return error_response(HubError("internal server error"))
    finally:
        elapsed = time.perf_counter() - started
        REQUESTS.labels(request.method, route, str(status)).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        if status >= 500:
            log.warning("request failed", extra={"method": request.method, "path": request.path,
                                                 "status": status, "ms": round(elapsed * 1000, 2)})
