"""Who is signed in: the session cookie resolved once per request, CSRF checks, permission checks."""

from __future__ import annotations

import hmac

from aiohttp import web

from hub.errors import Forbidden, Unauthorized
from hub.keys import DB, SETTINGS
from provisioning.ops.sessions import WebPrincipal, read_session, touch_session
from provisioning.roles import Permission

SESSION_COOKIE = "learnhub_session"
CSRF_HEADER = "X-CSRF-Token"
_PRINCIPAL_KEY = web.RequestKey("web_principal", object)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def optional_principal(request: web.Request) -> WebPrincipal | None:
    """The signed-in person, or None; looked up once per request."""
    if _PRINCIPAL_KEY in request:
        cached = request[_PRINCIPAL_KEY]
        return cached if isinstance(cached, WebPrincipal) else None
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token and len(token) < 200:
        db = request.config_dict[DB]
        lookup = await db.read(lambda conn: read_session(conn, token))
        if lookup.expired or lookup.slide_idle:  # at most once a minute per session
            await db.transaction(lambda conn: touch_session(conn, token, lookup))
        found = lookup.principal
    request[_PRINCIPAL_KEY] = found
    return found


async def require_principal(request: web.Request) -> WebPrincipal:
    """The signed-in person; 401 without a live session, 403 on a state change without the CSRF token."""
    found = await optional_principal(request)
    if found is None:
        raise Unauthorized("sign in first", headers={"WWW-Authenticate": 'Cookie realm="learnhub"'})
    if request.method not in SAFE_METHODS:
        check_csrf(request, found)
    return found


def check_csrf(request: web.Request, found: WebPrincipal) -> None:
    """Synchronizer token: every state-changing request carries the session's token in a header.

    Cross-site pages cannot read the token, and cannot set a custom header without a CORS
    preflight that this origin never grants.
    """
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not hmac.compare_digest(sent, found.csrf_token):
        raise Forbidden("missing or wrong CSRF token; reload the page", field=CSRF_HEADER)


async def require(request: web.Request, *permissions: Permission) -> WebPrincipal:
    """The signed-in person, who must hold at least one of `permissions`."""
    found = await require_principal(request)
    if permissions and not any(found.can(p) for p in permissions):
        raise Forbidden("your role does not allow this")
    return found


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax", path="/",
                        secure=request.config_dict[SETTINGS].cookie_secure)


def clear_session_cookie(request: web.Request, response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/", secure=request.config_dict[SETTINGS].cookie_secure,
                        httponly=True, samesite="Lax")
