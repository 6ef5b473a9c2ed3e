"""The aiohttp glue of the SCIM server: `/scim/v2/...` → scim2-server's `AsyncScimHandler` → response.

The bearer token decides the tenant, as xAPI credentials do. `/scim/v2/{tenant-slug}/...` is
accepted too (the base URL the admin page shows); a slug that is not the token's tenant answers 401,
like a wrong token, so tenants cannot be probed. Every answer, errors included, is SCIM's
(`application/scim+json`, RFC 7644 §3.12 error schema), never the hub's JSON envelope.
"""

from __future__ import annotations

import json
import logging
import time
from http import HTTPStatus
from typing import Any

from aiohttp import web
from scim2_models import (
    InvalidFilterException,
    PayloadTooLargeException,
    SCIMException,
    UnauthorizedException,
)
from scim2_server.handler import AsyncScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import SCIM_MEDIA_TYPE, ScimResponse
from scim2_server.routing import Operation

from hub.errors import HubError
from hub.keys import DB, SETTINGS
from hub.tenants import SLUG_PATTERN
from provisioning.ops.scim_tokens import ScimClient, authenticate
from provisioning.scim.filters import MAX_FILTER_LENGTH
from provisioning.scim.service import BULK_MAX_PAYLOAD, service
from provisioning.scim.storage import TenantStorage

log = logging.getLogger("learnhub.scim")

PREFIX = "/scim/v2"
# The first path segments that are SCIM endpoints (RFC 7644 §3.2), not a tenant slug.
ENDPOINTS = frozenset({"users", "groups", "schemas", "resourcetypes", "serviceproviderconfig", "bulk", "me",
                       ".search"})
# Bodies other than bulk requests (which scim2-server bounds by maxPayloadSize) are bounded too.
MAX_BODY = BULK_MAX_PAYLOAD


class TokenRate:
    """A token bucket per SCIM token (identity.md §5c C19): a runaway or stolen token cannot flood
    the tenant's directory; an IdP's provisioning cycle fits comfortably in the burst."""

    def __init__(self, per_second: float, burst: float) -> None:
        self.per_second = per_second
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = time.monotonic()
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.per_second)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.per_second
        self._buckets[key] = (tokens - 1, now)
        return 0.0


RATE = web.AppKey("scim_rate", TokenRate)


def setup_routes(app: web.Application) -> None:
    """Mount the SCIM endpoints on the main application."""
    settings = app[SETTINGS]
    app[RATE] = TokenRate(settings.scim_requests_per_second, settings.scim_burst)
    app.router.add_route("*", PREFIX, handle)
    app.router.add_route("*", PREFIX + "/{tail:.*}", handle)


class _Refused(Exception):
    """A request answered before it reaches scim2-server."""

    def __init__(self, error: SCIMException) -> None:
        self.error = error


class _RateLimited(_Refused):
    def __init__(self, error: SCIMException, wait: float) -> None:
        super().__init__(error)
        self.retry_after = str(int(wait) + 1)


def _bearer(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _client(request: web.Request, slug: str | None) -> ScimClient:
    token = _bearer(request)
    client = await authenticate(request.config_dict[DB], token) if token else None
    # RFC 7644 §2: 401 without valid credentials; a slug other than the token's tenant is the
    # same answer as an unknown token (identity.md §5c C3, C4).
    if client is None or (slug is not None and slug != client.tenant_slug):
        raise _Refused(UnauthorizedException(detail="a valid SCIM bearer token is required"))
    return client


def _split_tenant(tail: str) -> tuple[str | None, str]:
    """(tenant slug or None, SCIM path) from the part of the URL after /scim/v2/.

    `{slug}/...` is a tenant prefix when `slug` is no SCIM endpoint. Whether such a tenant exists
    is never looked up: any slug but the token's answers 401, so the answer tells nothing.
    """
    head, sep, rest = tail.partition("/")
    if sep and head.lower() not in ENDPOINTS and SLUG_PATTERN.match(head):
        return head, "/" + rest
    return None, "/" + tail


def _check_filter(scim_request: ScimRequest) -> None:
    """Bound the filter before anything parses it (identity.md §5c C9)."""
    filters = [scim_request.query.get("filter", "")]
    if scim_request.method.upper() == "POST" and scim_request.path.rstrip("/").endswith(".search"):
        try:
            body = json.loads(scim_request.body or b"{}")
        except ValueError:
            body = {}
        if isinstance(body, dict) and isinstance(body.get("filter"), str):
            filters.append(body["filter"])
    if any(len(f) > MAX_FILTER_LENGTH for f in filters):
        raise _Refused(InvalidFilterException(detail=f"the filter exceeds {MAX_FILTER_LENGTH} characters"))


def _needs_auth(scim_request: ScimRequest) -> bool:
    # RFC 7643 §5: the service provider configuration may be read anonymously. Anything else,
    # unknown paths included, needs a token first (no probing of what exists).
    try:
        return service().match(scim_request).operation is not Operation.service_provider_config
    except SCIMException:
        return True


async def _serve(request: web.Request) -> ScimResponse:
    tail = request.match_info.get("tail", "")
    slug, path = _split_tenant(tail)
    base_url = f"{request.scheme}://{request.host}{PREFIX}" + (f"/{slug}" if slug else "")
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _Refused(PayloadTooLargeException(detail="the request body is too large")) from None
    scim_request = ScimRequest(method=request.method, base_url=base_url, path=path.removesuffix(".scim"),
                               query=dict(request.query), headers=list(request.headers.items()), body=body)
    client = await _client(request, slug) if _needs_auth(scim_request) else None
    if client is not None:
        wait = request.config_dict[RATE].take(client.token_id)
        if wait:
            limited = SCIMException(detail="too many requests for this token; retry later")
            limited.status = 429
            raise _RateLimited(limited, wait)
    if len(body) > MAX_BODY and not path.rstrip("/").endswith("Bulk"):
        raise _Refused(PayloadTooLargeException(detail=f"the request body exceeds {MAX_BODY} bytes"))
    _check_filter(scim_request)
    scim_request.subject = client
    if client is None:  # the anonymous ServiceProviderConfig needs no storage
        handler = AsyncScimHandler(service(), TenantStorage(request.config_dict[DB], 0, actor="anonymous"))
    else:
        handler = AsyncScimHandler(service(), TenantStorage(request.config_dict[DB], client.tenant_id,
                                                            actor=client.actor))
    return await handler.handle(scim_request)


def _error(exception: Exception) -> ScimResponse:
    if isinstance(exception, HubError):  # the database was busy or a query ran too long
        scim_error = SCIMException(detail=exception.message)
        scim_error.status = exception.status
        response = service().error_response(scim_error)
        response.headers.update(exception.headers)
        return response
    return service().error_response(exception)


async def handle(request: web.Request) -> web.Response:
    try:
        response = await _serve(request)
    except _Refused as refused:
        response = service().error_response(refused.error)
        if isinstance(refused, _RateLimited):
            response.headers["Retry-After"] = refused.retry_after
    except SCIMException as exc:
        log.info("scim %s %s: %s %s", request.method, request.path, exc.status, exc)
        response = service().error_response(exc)
    except HubError as exc:
        response = _error(exc)
    except Exception as exc:
        log.exception("scim request failed", extra={"path": request.path, "method": request.method})
        response = _error(exc)
    return _to_aiohttp(response)


def _to_aiohttp(response: ScimResponse) -> web.Response:
    headers: dict[str, Any] = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    headers["Cache-Control"] = "no-store"  # tokens' answers hold personal data
    if response.body is None or response.status == HTTPStatus.NO_CONTENT:
        return web.Response(status=int(response.status), headers=headers)
    return web.Response(status=int(response.status), body=json.dumps(response.body).encode(),
                        headers={**headers, "Content-Type": SCIM_MEDIA_TYPE})
