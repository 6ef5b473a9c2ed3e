"""xAPI-wide request handling: CORS, the version header, the alternate syntax and authentication."""

from __future__ import annotations

from aiohttp import web

from hub import clock
from hub.errors import BadRequest, HubError
from hub.middleware import Handler, error_response, from_http_exception
from lrs.api import request as xrequest
from lrs.api.keys import AUTHENTICATOR
from lrs.model.versions import V1, V2, negotiate

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "HEAD, GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, "
                                    "X-Experience-API-Version, Accept-Language",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Cache-Control, Content-Type, Content-Length, "
                                     "WWW-Authenticate, X-Experience-API-Version, X-Experience-API-Consistent-Through",
    "Access-Control-Max-Age": "86400",
}

PUBLIC_PATHS = ("/xapi/about",)


@web.middleware
async def xapi_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    version = V2
    if request.method == "OPTIONS":
        return web.Response(status=200, headers=CORS_HEADERS)
    try:
        xreq = await xrequest.build(request)
        request[xrequest.XAPI_KEY] = xreq
        public = request.path.rstrip("/") in PUBLIC_PATHS
        if not public:
            xreq.principal = await request.config_dict[AUTHENTICATOR].authenticate_header(
                xreq.headers.get("Authorization"), realm="xAPI")
            # Until the header is read, answer in the version this client is registered for.
            version = xreq.principal.xapi_version
        header = xreq.headers.get("X-Experience-API-Version")
        if public and not header:
            version = V2
        else:
            version = negotiate(header)
        xreq.version = version
        if xreq.alternate and xreq.v2:
            raise BadRequest("the alternate request syntax is not supported in xAPI 2.0", field="method")
        response = await handler(request)
    except HubError as exc:
        response = error_response(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = error_response(from_http_exception(exc))
    response.headers["X-Experience-API-Version"] = V2 if version == V2 else V1
    # Every answer is live data: a browser must ask again rather than reuse one by heuristic freshness
    # (a GET with Last-Modified and no Cache-Control may be served from its cache). A cmi5 AU's
    # learner-preferences GET answered from the cache never reached the LRS, whose gate then refused
    # the AU's `initialized` (cmi5 11.0.0.0-3).
    response.headers.setdefault("Cache-Control", "no-cache")
    if request.path.rstrip("/").endswith("/statements") and request.method in ("GET", "HEAD"):
        # Communication §2.1.3: every GET /statements response carries it, errors included.
        response.headers.setdefault("X-Experience-API-Consistent-Through", clock.us_to_iso(clock.now_us()))
    response.headers.update(CORS_HEADERS)
    return response
