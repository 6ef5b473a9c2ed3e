"""Course assignment by admins: POST/GET /api/v1/packages/{package_id}/assignments."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from hub.keys import DB, SETTINGS
from hub.middleware import json_response
from hub.request_bodies import json_object
from provisioning.api.auth import require
from provisioning.roles import Permission as P
from scorm_player.api.runtime import with_links
from scorm_player.ops import assignments as ops


def setup_routes(api: web.Application) -> None:
    api.router.add_post("/packages/{package_id}/assignments", assign)
    api.router.add_get("/packages/{package_id}/assignments", list_assignments)


async def assign(request: web.Request) -> web.Response:
    """{"person_ids": [...], "group_ids": [...]}: enrol them all (the groups' current active members)."""
    principal = await require(request, P.PACKAGES_MANAGE)
    body = await json_object(request)
    found = await ops.assign_many(request.config_dict[DB], principal, request.match_info["package_id"], body,
                                  Path(request.config_dict[SETTINGS].content_root))
    return json_response(found, status=201 if found["assigned"] else 200)


async def list_assignments(request: web.Request) -> web.Response:
    principal = await require(request, P.PACKAGES_MANAGE)
    found = await ops.list_assignments(request.config_dict[DB], principal, request.match_info["package_id"])
    return json_response({"registrations": [with_links(item) for item in found]})
