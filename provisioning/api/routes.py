"""Sign-in, sign-out and "who am I" for the web UI, mounted on the main application under /auth/."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import Connection, select

from hub.errors import BadRequest, Forbidden, NotFound, Unauthorized
from hub.keys import DB
from hub.middleware import json_response
from hub.request_bodies import json_object
from hub.tables import tenant as tenant_table
from provisioning.api.auth import clear_session_cookie, require_principal, set_session_cookie
from provisioning.ops.sessions import AddressThrottle, close_session, sign_in
from provisioning.roles import ROLE_LABELS, Role
from provisioning.store.tables import saml_provider

THROTTLE = web.AppKey("signin_throttle", AddressThrottle)


def setup_routes(app: web.Application) -> None:
    app[THROTTLE] = AddressThrottle()
    app.router.add_post("/auth/login", login)
    app.router.add_post("/auth/logout", logout)
    app.router.add_get("/auth/me", me)
    app.router.add_get("/auth/organisations/{slug}", organisation)


def _same_origin(request: web.Request) -> None:
    """Login CSRF: a browser always sends Origin on a cross-site POST; refuse any other origin."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin.rstrip("/") != f"{request.scheme}://{request.host}":
        raise Forbidden("cross-site sign-in refused")


async def login(request: web.Request) -> web.Response:
    _same_origin(request)
    body = await json_object(request)
    fields = {}
    for name in ("organisation", "email", "password"):
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(f"{name} is required", field=name)
        fields[name] = value
    address = request.remote or "unknown"
    throttle = request.app[THROTTLE]
    throttle.check(address)
    try:
        token = await sign_in(request.config_dict[DB], fields["organisation"].strip().lower(), fields["email"],
                              fields["password"], ip=address, user_agent=request.headers.get("User-Agent"))
    except Unauthorized:
        throttle.failed(address)
        raise
    response = json_response({"signed_in": True})
    set_session_cookie(request, response, token)
    return response


async def logout(request: web.Request) -> web.Response:
    found = await require_principal(request)
    await request.config_dict[DB].transaction(lambda conn: close_session(conn, found.token_hash))
    response = web.Response(status=204)
    clear_session_cookie(request, response)
    return response


async def me(request: web.Request) -> web.Response:
    found = await require_principal(request)
    return json_response({
        "id": found.person_id, "name": found.name, "email": found.email,
        "tenant": {"slug": found.tenant_slug, "name": found.tenant_name},
        "roles": [{"role": r, "label": ROLE_LABELS[Role(r)]} for r in found.roles],
        "permissions": sorted(p.value for p in found.permissions),
        "csrf_token": found.csrf_token, "method": found.method,
    }, headers={"Cache-Control": "no-store"})


async def organisation(request: web.Request) -> web.Response:
    """What the sign-in page needs to know about an organisation: its name and whether SSO is on."""
    slug = request.match_info["slug"].lower()

    def run(conn: Connection) -> dict[str, Any] | None:
        row = conn.execute(select(tenant_table.c.id, tenant_table.c.name).where(tenant_table.c.slug == slug)).first()
        if row is None:
            return None
        sso = conn.execute(select(saml_provider.c.id).where(
            saml_provider.c.tenant_id == row.id, saml_provider.c.enabled.is_(True),
            saml_provider.c.idp_metadata.is_not(None))).first() is not None
        return {"slug": slug, "name": row.name, "sso": sso}

    found = await request.config_dict[DB].read(run)
    if found is None:
        raise NotFound(f"no organisation {slug!r}", field="organisation")
    return json_response(found)
