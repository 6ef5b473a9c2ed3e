"""The web UI's files: the app shell at /, the sign-in page at /login and /static/..., with security headers.

No build step: static/ holds plain ES modules and CSS served as they are. Files are revalidated
on every load (ETag / Last-Modified, `Cache-Control: no-cache`) because their names carry no
content hash; a 304 costs one round trip. Every response here carries a strict Content Security
Policy (no inline scripts or styles), so the UI must load its code from /static/.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from hub.errors import NotFound

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'; frame-ancestors 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Module scripts need a JavaScript type; the platform's mimetypes table is not relied on.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
    ".woff2": "font/woff2", ".txt": "text/plain; charset=utf-8", ".map": "application/json",
}


def setup_routes(app: web.Application, root: Path = STATIC_ROOT) -> None:
    """Add /, /login and /static/ to the main application."""
    app[STATIC_ROOT_KEY] = root
    app.router.add_get("/", shell)
    app.router.add_get("/login", login_page)
    app.router.add_get("/static/{path:.+}", static_file)


STATIC_ROOT_KEY = web.AppKey("static_root", Path)


def _file(request: web.Request, relative: str) -> web.FileResponse:
    root = request.app[STATIC_ROOT_KEY].resolve()
    target = (root / relative).resolve()
    parts = Path(relative).parts
    if (not target.is_relative_to(root) or any(part.startswith(".") for part in parts)
            or not target.is_file()):
        raise NotFound("no such file")
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = "no-cache"
    content_type = CONTENT_TYPES.get(target.suffix.lower())
    if content_type:
        headers["Content-Type"] = content_type
    return web.FileResponse(target, headers=headers)


async def shell(request: web.Request) -> web.StreamResponse:
    """The app shell; without a live session, the sign-in page (the #fragment survives the redirect)."""
    from provisioning.api.auth import optional_principal

    if await optional_principal(request) is None:
        raise web.HTTPFound("/login", headers=SECURITY_HEADERS)
    return _file(request, "index.html")


async def login_page(request: web.Request) -> web.StreamResponse:
    return _file(request, "login.html")


async def static_file(request: web.Request) -> web.StreamResponse:
    return _file(request, request.match_info["path"])
