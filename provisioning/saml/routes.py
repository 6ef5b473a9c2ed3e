"""The SP's browser endpoints per tenant: /saml/{tenant}/metadata, /login (HTTP-Redirect) and /acs (HTTP-POST).

The ACS is a cross-site POST from the IdP, so it carries no session CSRF token: it is protected by
the IdP's signature, the audience and destination checks, and the outstanding request id. Anything
pysaml2 refuses (its error types are inconsistent, identity.md §5b) becomes the same generic 403
page; the reason goes to the log and to the audit log as `saml.rejected`.
"""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import UTC, datetime
from typing import AsyncIterator

from aiohttp import web
from sqlalchemy import Connection

from hub.keys import DB, SETTINGS
from hub.tenants import Tenant, find_tenant
from hub.web import SECURITY_HEADERS
from provisioning.api.auth import set_session_cookie
from provisioning.ops.saml_settings import ensure_provider, find_provider
from provisioning.ops.saml_signin import (
    Refusal,
    complete_sign_in,
    outstanding_request,
    record_rejection,
    remember_request,
)
from provisioning.saml.mapping import map_identity, safe_relay_state
from provisioning.saml.sp import Endpoints, ProviderConfig, ServiceProviderCache, in_response_to

log = logging.getLogger("learnhub.saml")

SERVICE_PROVIDERS = web.AppKey("saml_service_providers", ServiceProviderCache)
MAX_SAML_RESPONSE_CHARS = 1_000_000
_NO_STORE = {"Cache-Control": "no-store"}


def setup_routes(app: web.Application) -> None:
    """Mount /saml/{tenant}/... on the main application, with the per-process SP client cache."""
    app.router.add_get("/saml/{tenant}/metadata", metadata)
    app.router.add_get("/saml/{tenant}/login", login)
    app.router.add_post("/saml/{tenant}/acs", acs)
    app.cleanup_ctx.append(_cache_ctx)


async def _cache_ctx(app: web.Application) -> AsyncIterator[None]:
    cache = ServiceProviderCache()
    app[SERVICE_PROVIDERS] = cache
    yield
    cache.close()


def public_base_url(request: web.Request) -> str:
    """Settings.public_url when set (behind a proxy), else the request's own scheme and host."""
    configured = request.config_dict[SETTINGS].public_url
    return configured.rstrip("/") if configured else f"{request.scheme}://{request.host}"


def endpoints_for(request: web.Request, tenant_slug: str) -> Endpoints:
    return Endpoints(base_url=public_base_url(request), tenant_slug=tenant_slug)


def _page(status: int, title: str, text: str) -> web.Response:
    body = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)} · learnhub</title></head><body><main><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p><p><a href=\"/login\">Back to sign-in</a></p></main></body></html>")
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8",
                        headers={**SECURITY_HEADERS, **_NO_STORE})


def _misconfigured() -> web.Response:
    return _page(503, "Single sign-on is not working",
                 "Single sign-on for this organisation is misconfigured. Ask your administrator.")


def _not_set_up() -> web.Response:
    return _page(404, "Single sign-on is not available",
                 "This organisation does not offer single sign-on. Sign in with your e-mail and password.")


async def _lookup(request: web.Request) -> tuple[Tenant, ProviderConfig | None] | None:
    slug = request.match_info["tenant"].lower()

    def run(conn: Connection) -> tuple[Tenant, ProviderConfig | None] | None:
        tenant = find_tenant(conn, slug)
        return None if tenant is None else (tenant, find_provider(conn, tenant.id, tenant.slug))

    return await request.config_dict[DB].read(run)


async def metadata(request: web.Request) -> web.StreamResponse:
    """The tenant's SP metadata (signed, SHA-256), for the admin to give to the IdP."""
    found = await _lookup(request)
    if found is None:
        return _page(404, "No such organisation", "There is no organisation at this address.")
    tenant, _ = found
    config = await ensure_provider(request.config_dict[DB], tenant.id, tenant.slug)
    try:
        provider = request.app[SERVICE_PROVIDERS].get(config, endpoints_for(request, tenant.slug))
        xml = await asyncio.to_thread(provider.metadata)  # xmlsec1 signs it: keep the loop free
    except Exception as exc:  # a stored configuration pysaml2 cannot use; the admin must fix it
        log.warning("saml metadata could not be built", extra={"tenant": tenant.slug, "error": repr(exc)})
        return _misconfigured()
    return web.Response(text=xml, content_type="application/samlmetadata+xml", charset="utf-8")


async def login(request: web.Request) -> web.StreamResponse:
    """SP-initiated sign-in: a signed AuthnRequest over HTTP-Redirect; `next` (a local path) is kept server-side."""
    found = await _lookup(request)
    if found is None or found[1] is None or not found[1].ready:
        return _not_set_up()
    tenant, config = found
    assert config is not None
    next_path = safe_relay_state(request.query.get("next")) or "/"
    try:
        provider = request.app[SERVICE_PROVIDERS].get(config, endpoints_for(request, tenant.slug))
        request_id, location = provider.start_login()
    except Exception as exc:  # a stored configuration pysaml2 cannot use; the admin must fix it
        log.warning("saml login could not start", extra={"tenant": tenant.slug, "error": repr(exc)})
        return _misconfigured()
    await request.config_dict[DB].transaction(lambda conn: remember_request(conn, tenant.id, request_id, next_path))
    return web.Response(status=303, headers={"Location": location, **_NO_STORE})


async def _reject(request: web.Request, tenant: Tenant, reason: str, idp_entity_id: str | None) -> web.Response:
    log.warning("saml sign-in rejected", extra={"tenant": tenant.slug, "reason": reason})
    await request.config_dict[DB].transaction(
        lambda conn: record_rejection(conn, tenant.id, tenant.slug, reason, idp_entity_id=idp_entity_id))
    return _page(403, "Sign-in failed",
                 "Single sign-on could not sign you in. Start again from the sign-in page; if it keeps "
                 "happening, ask your administrator.")


async def acs(request: web.Request) -> web.StreamResponse:
    """The assertion consumer service (HTTP-POST binding)."""
    found = await _lookup(request)
    if found is None:
        return _page(404, "No such organisation", "There is no organisation at this address.")
    tenant, config = found
    if config is None or not config.ready:
        return await _reject(request, tenant, "single sign-on is not configured or is disabled", None)
    idp = config.idp_entity_id
    form = await request.post()
    saml_response = form.get("SAMLResponse")
    if not isinstance(saml_response, str) or not saml_response.strip():
        return await _reject(request, tenant, "no SAMLResponse in the form", idp)
    if len(saml_response) > MAX_SAML_RESPONSE_CHARS:
        return await _reject(request, tenant, "SAMLResponse too large", idp)
    try:
        request_id = in_response_to(saml_response)
    except Exception as exc:  # not base64, not XML, or a DTD/entities (XXE, billion laughs)
        return await _reject(request, tenant, f"unreadable response: {type(exc).__name__}: {exc}", idp)

    db = request.config_dict[DB]
    outstanding: dict[str, str] = {}
    if request_id:
        stored = await db.read(lambda conn: outstanding_request(conn, tenant.id, request_id))
        if stored is not None:
            outstanding[request_id] = stored
        elif config.allow_idp_initiated:
            # SAML profiles §4.1.4.5: a response to a request we did not make (or one already used) is
            # not an unsolicited response; pysaml2 would take it as one when unsolicited is allowed.
            return await _reject(request, tenant, f"InResponseTo {request_id} is not an outstanding request", idp)
    try:
        provider = request.app[SERVICE_PROVIDERS].get(config, endpoints_for(request, tenant.slug))
        accepted = await asyncio.to_thread(provider.accept, saml_response, outstanding)
    except Exception as exc:  # any pysaml2 failure is a failed sign-in (identity.md §5b)
        return await _reject(request, tenant, f"{type(exc).__name__}: {exc}", idp)
    if accepted.issuer != idp:
        return await _reject(request, tenant, f"issuer {accepted.issuer!r} is not the tenant's IdP", idp)
    solicited = accepted.in_response_to is not None and accepted.in_response_to in outstanding
    if not solicited and not config.allow_idp_initiated:
        return await _reject(request, tenant, "unsolicited response", idp)
    if not accepted.name_id:
        return await _reject(request, tenant, "the assertion has no NameID", idp)
    if solicited:
        relay = safe_relay_state(outstanding[str(accepted.in_response_to)])
    else:
        raw = form.get("RelayState")
        relay = safe_relay_state(raw if isinstance(raw, str) else None)
    record = map_identity(idp_entity_id=accepted.issuer, name_id=accepted.name_id,
                          name_id_format=accepted.name_id_format, identity=accepted.identity,
                          attribute_map=config.attribute_map, role_map=config.role_map,
                          default_role=config.default_role, session_index=accepted.session_index)
    expires = datetime.fromtimestamp(accepted.not_on_or_after, UTC)
    address = request.remote
    agent = request.headers.get("User-Agent")
    try:
        outcome = await db.transaction(lambda conn: complete_sign_in(
            conn, tenant.id, record, request_id=accepted.in_response_to if solicited else None,
            assertion_id=accepted.assertion_id, assertion_expires=expires, ip=address, user_agent=agent))
    except Exception as exc:  # e.g. a concurrent replay losing the race on the replay cache's key
        return await _reject(request, tenant, f"sign-in could not be recorded: {type(exc).__name__}: {exc}", idp)
    if isinstance(outcome, Refusal):
        return await _reject(request, tenant, outcome.reason, idp)
    response = web.Response(status=303, headers={"Location": relay or "/", **_NO_STORE})
    set_session_cookie(request, response, outcome.token)
    return response
