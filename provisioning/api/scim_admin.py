"""Admin JSON API for SCIM tokens, on the shared /api/v1/ sub-application: list, issue (shown once), revoke.

Guarded by `require(request, Permission.SCIM_TOKENS_MANAGE)` (a session, and the CSRF header on
changes); the tenant comes from the session and nowhere else.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hub.errors import BadRequest
from hub.keys import DB
from hub.middleware import json_response
from hub.request_bodies import json_object
from provisioning.api.auth import require
from provisioning.ops import scim_tokens
from provisioning.roles import Permission


def setup_admin_routes(api: web.Application) -> None:
    api.router.add_get("/admin/scim-tokens", list_tokens)
    api.router.add_post("/admin/scim-tokens", create_token)
    api.router.add_delete("/admin/scim-tokens/{token_id}", revoke_token)


async def list_tokens(request: web.Request) -> web.Response:
    found = await require(request, Permission.SCIM_TOKENS_MANAGE)
    items = await request.config_dict[DB].read(lambda conn: scim_tokens.list_tokens(conn, found.tenant_id))
    return json_response({"items": items}, headers={"Cache-Control": "no-store"})


async def _body(request: web.Request) -> dict[str, Any]:
    body = await json_object(request)
    unknown = sorted(set(body) - {"label"})
    if unknown:
        raise BadRequest(f"unknown field {unknown[0]!r}", field=unknown[0])
    return body


async def create_token(request: web.Request) -> web.Response:
    found = await require(request, Permission.SCIM_TOKENS_MANAGE)
    body = await _body(request)
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise BadRequest("label is required: which identity provider uses the token", field="label")
    issued = await scim_tokens.issue_token(request.config_dict[DB], found.tenant_id, label=label,
                                           actor=found.actor)
    return json_response(issued.public(), status=201, headers={"Cache-Control": "no-store"})


async def revoke_token(request: web.Request) -> web.Response:
    found = await require(request, Permission.SCIM_TOKENS_MANAGE)
    token_id = request.match_info["token_id"]
    await request.config_dict[DB].transaction(lambda conn: scim_tokens.revoke_token(
        conn, found.tenant_id, token_id, actor=found.actor))
    return web.Response(status=204)
