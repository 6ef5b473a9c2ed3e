"""cmi5 routes: the launch redirect and the fetch URL on the main application, the registration, waive and
abandon API on /api/v1/, and the session credential kind handed to the LRS."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from hub.errors import BadRequest
from hub.keys import DB, JOBS, SETTINGS
from hub.middleware import json_response
from hub.request_bodies import json_object
from lrs.api.keys import CREDENTIAL_KINDS
from lrs.ops.credentials import CredentialKind
from provisioning.api.auth import require
from provisioning.roles import Permission
from scorm_player.cmi5.vocabulary import WAIVE_REASONS
from scorm_player.ops import cmi5 as ops
from scorm_player.ops.cmi5_gate import CMI5_KEY_PREFIX, Cmi5Credentials

P = Permission
# The fetch URL is called by the AU's script, which may be served from another origin (an absolute AU URL).
FETCH_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST, OPTIONS",
              "Access-Control-Allow-Headers": "Content-Type", "Cache-Control": "no-store"}


def setup_routes(app: web.Application, api: web.Application) -> None:
    """Add /cmi5/… to the main application and /cmi5/… to /api/v1/; register the session credential kind."""
    settings = app[SETTINGS]
    kinds: dict[str, CredentialKind] = app.get(CREDENTIAL_KINDS) or {}
    app[CREDENTIAL_KINDS] = {**kinds, CMI5_KEY_PREFIX: Cmi5Credentials(Path(settings.content_root))}
    app.router.add_get("/cmi5/launch/{registration_id}/{au_id}", launch)
    app.router.add_post("/cmi5/fetch/{token}", fetch)
    app.router.add_route("OPTIONS", "/cmi5/fetch/{token}", fetch_preflight)
    api.router.add_post("/cmi5/registrations", create_registration)
    api.router.add_get("/cmi5/registrations/{registration_id}", registration)
    api.router.add_post("/cmi5/registrations/{registration_id}/aus/{au_id}/waive", waive)
    api.router.add_post("/cmi5/sessions/{session_id}/abandon", abandon)


def register_jobs(app: web.Application) -> None:
    """The cmi5 sweep: sessions left open past the idle time-out are abandoned even if the learner never returns."""
    settings = app[SETTINGS]

    async def sweep(app: web.Application) -> int:
        return await ops.abandon_idle_sessions(app[DB], Path(settings.content_root),
                                               idle_seconds=settings.cmi5_session_idle_seconds)

    app[JOBS].add("cmi5.abandon_idle_sessions", sweep, every_seconds=settings.cmi5_sweep_seconds,
                  description="abandon cmi5 sessions idle longer than LEARNHUB_CMI5_SESSION_IDLE_SECONDS")


def _content_root(request: web.Request) -> Path:
    return Path(request.config_dict[SETTINGS].content_root)


def _base_url(request: web.Request) -> str:
    configured = request.config_dict[SETTINGS].public_url
    return configured.rstrip("/") if configured else f"{request.scheme}://{request.host}"


async def launch(request: web.Request) -> web.StreamResponse:
    """GET /cmi5/launch/{registration}/{au}: a new session for the signed-in owner, then off to the AU."""
    principal = await require(request, P.LEARN)
    outcome = await ops.launch(request.config_dict[DB], principal, request.match_info["registration_id"],
                               request.match_info["au_id"], base_url=_base_url(request),
                               content_root=_content_root(request), mode=request.query.get("mode"),
                               idle_seconds=request.config_dict[SETTINGS].cmi5_session_idle_seconds)
    raise web.HTTPFound(outcome.url, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


async def fetch(request: web.Request) -> web.Response:
    """POST /cmi5/fetch/{token}: the auth token once, then cmi5's error JSON; always 200 (8.2.2.0-3)."""
    answer = await ops.fetch(request.config_dict[DB], request.match_info["token"])
    return json_response(answer.body, headers=FETCH_CORS)


async def fetch_preflight(request: web.Request) -> web.Response:
    return web.Response(status=204, headers=FETCH_CORS)


async def create_registration(request: web.Request) -> web.Response:
    """{"package_id"} enrols the signed-in learner; with "person_id" an admin (PACKAGES_MANAGE) enrols someone."""
    body = await json_object(request, any_content_type=True)
    package_id = body.get("package_id")
    if not isinstance(package_id, str) or not package_id:
        raise BadRequest("package_id is required", field="package_id")
    person_id = body.get("person_id")
    if person_id is not None and not isinstance(person_id, str):
        raise BadRequest("person_id must be a string", field="person_id")
    principal = await require(request, P.PACKAGES_MANAGE if person_id is not None else P.LEARN)
    found, created = await ops.enrol(request.config_dict[DB], principal, package_id, _content_root(request),
                                     person_id)
    return json_response(found, status=201 if created else 200)


async def registration(request: web.Request) -> web.Response:
    """The course structure with per-AU status and launch URLs: the learner's own, or any for an admin."""
    principal = await require(request, P.LEARN, P.PACKAGES_MANAGE)
    found = await ops.registration_status(request.config_dict[DB], principal, request.match_info["registration_id"],
                                          _content_root(request), any_owner=principal.can(P.PACKAGES_MANAGE))
    return json_response(found)


async def waive(request: web.Request) -> web.Response:
    """{"reason"}: an admin waives an AU for a registration (cmi5 9.3.7)."""
    principal = await require(request, P.PACKAGES_MANAGE)
    body = await json_object(request, any_content_type=True)
    reason = body.get("reason", "Administrative")
    if reason not in WAIVE_REASONS:
        raise BadRequest(f"reason must be one of {', '.join(WAIVE_REASONS)}", field="reason")
    found = await ops.waive(request.config_dict[DB], principal, request.match_info["registration_id"],
                            request.match_info["au_id"], reason, _content_root(request))
    return json_response(found)


async def abandon(request: web.Request) -> web.Response:
    """An admin abandons a live session (cmi5 9.3.6; CATAPULT LTS 008)."""
    principal = await require(request, P.PACKAGES_MANAGE)
    await ops.abandon_session(request.config_dict[DB], principal, request.match_info["session_id"],
                              _content_root(request))
    return web.Response(status=204)
