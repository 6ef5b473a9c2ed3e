"""The player page (/player/{registration}), the data-model rules for the browser runtime, and package content.

Content is served from the package's extracted folder on our own origin (the SCO must reach `window.API`
in the player frame, spec §2.2), only to signed-in people of the package's tenant. A resolved path must
stay inside the folder, so no request can read outside it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from aiohttp import web
from sqlalchemy import Connection

from hub.errors import NotFound
from hub.keys import DB, SETTINGS
from hub.web import SECURITY_HEADERS, STATIC_ROOT
from provisioning.api.auth import optional_principal, require_principal
from scorm_player.ops.cmi5 import CMI5_STANDARD
from scorm_player.runtime.rules import RULES_FILES, rules_path
from scorm_player.store.packages import get_package
from scorm_player.store.runtime import get_registration

PLAYER_PAGE = STATIC_ROOT / "player" / "player.html"
# Authored SCORM content relies on inline scripts, eval and inline styles; it stays confined to our origin
# and may be framed only by the player (frame-ancestors 'self').
CONTENT_SECURITY_POLICY = ("default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
# The platform's mimetypes table varies between hosts; what content needs most is pinned here.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".js": "text/javascript",
    ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json", ".xml": "application/xml",
    ".xsd": "application/xml", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon",
    ".mp3": "audio/mpeg", ".mp4": "video/mp4", ".webm": "video/webm", ".ogg": "audio/ogg", ".wav": "audio/wav",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8", ".vtt": "text/vtt", ".swf": "application/x-shockwave-flash",
}
_VERSIONS = {"scorm12": "1.2", "scorm2004": "2004"}


def setup_routes(app: web.Application) -> None:
    """Add /player/…, the runtime rules and /content/… to the main application."""
    app.router.add_get("/player/rules/{name}.json", rules_file)
    app.router.add_get("/player/{registration_id}", player_page)
    app.router.add_get("/content/{package_id}/{path:.+}", content_file)


async def player_page(request: web.Request) -> web.StreamResponse:
    """The player shell; player.js reads the registration from the URL and launches it through the API."""
    registration_id = request.match_info["registration_id"]
    principal = await optional_principal(request)
    if principal is None:
        raise web.HTTPFound(f"/login#/player/{registration_id}", headers=SECURITY_HEADERS)
    registration = await request.config_dict[DB].read(
        lambda conn: get_registration(conn, principal.tenant_id, registration_id))
    if (registration is not None and registration.person_pk == principal.person_pk
            and registration.standard == CMI5_STANDARD):
        # A cmi5 course has no SCO frame: its AUs are launched from the course page of the web UI.
        raise web.HTTPSeeOther(f"/#/learning/{registration_id}", headers=SECURITY_HEADERS)
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = "no-store"
    headers["Content-Type"] = "text/html; charset=utf-8"
    return web.FileResponse(PLAYER_PAGE, headers=headers)


async def rules_file(request: web.Request) -> web.StreamResponse:
    """rules_scorm12.json / rules_scorm2004.json: the same tables the server validates with."""
    version = _VERSIONS.get(request.match_info["name"])
    if version is None or version not in RULES_FILES:
        raise NotFound("no such rules table")
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = "no-cache"
    headers["Content-Type"] = "application/json"
    return web.FileResponse(rules_path(version), headers=headers)  # type: ignore[arg-type]


async def content_file(request: web.Request) -> web.StreamResponse:
    principal = await require_principal(request)
    package_id = request.match_info["package_id"]

    def find(conn: Connection) -> str | None:
        package = get_package(conn, principal.tenant_id, package_id)
        return package["content_hash"] if package is not None else None

    # Another tenant's package is indistinguishable from a missing one.
    content_hash = await request.config_dict[DB].read(find)
    if content_hash is None:
        raise NotFound("no such content")
    target = resolve_content_path(Path(request.config_dict[SETTINGS].content_root) / content_hash,
                                  request.match_info["path"])
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "same-origin",
        # Private: the content is only for signed-in people; the folder never changes (named by content hash).
        "Cache-Control": "private, max-age=3600",
        "Content-Type": content_type(target),
    }
    return web.FileResponse(target, headers=headers)


def resolve_content_path(folder: Path, relative: str) -> Path:
    """The file `relative` names inside `folder`; NotFound for anything outside it or not a file."""
    root = folder.resolve()
    decoded = unquote(relative)
    if "\x00" in decoded or "\\" in decoded:
        raise NotFound("no such content")
    target = (root / decoded).resolve()
    if not target.is_relative_to(root) or target == root or not target.is_file():
        raise NotFound("no such content")
    return target


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"
