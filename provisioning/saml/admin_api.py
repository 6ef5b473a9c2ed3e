"""The SAML settings of the signed-in admin's tenant: GET and PUT /api/v1/admin/saml (Permission.SAML_MANAGE).

The tenant comes from the session (require()), never from the URL or the body, so an admin of one
tenant cannot read or change another's settings. PUT checks the CSRF header (require() does).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hub.keys import DB
from hub.middleware import json_response
from hub.request_bodies import json_object
from provisioning.api.auth import require
from provisioning.ops.saml_settings import find_provider, update_provider
from provisioning.roles import Permission
from provisioning.saml.routes import SERVICE_PROVIDERS, endpoints_for
from provisioning.saml.sp import ProviderConfig


def setup_admin_routes(api: web.Application) -> None:
    """Add /admin/saml to the shared /api/v1/ sub-application."""
    api.router.add_get("/admin/saml", get_settings)
    api.router.add_put("/admin/saml", put_settings)


def _settings_body(request: web.Request, tenant_slug: str, config: ProviderConfig | None) -> dict[str, Any]:
    endpoints = endpoints_for(request, tenant_slug)
    body: dict[str, Any] = {
        "sp_entity_id": endpoints.entity_id, "metadata_url": endpoints.metadata_url, "acs_url": endpoints.acs_url,
        "login_url": endpoints.login_url,
        "enabled": False, "configured": False, "idp_entity_id": None, "idp_metadata": None,
        "want_response_signed": False, "allow_idp_initiated": False, "attribute_map": {}, "role_map": {},
        "default_role": "learner", "sp_certificate": None,
    }
    if config is not None:
        body.update(enabled=config.enabled, configured=config.ready, idp_entity_id=config.idp_entity_id,
                    idp_metadata=config.idp_metadata, want_response_signed=config.want_response_signed,
                    allow_idp_initiated=config.allow_idp_initiated, attribute_map=config.attribute_map,
                    role_map=config.role_map, default_role=config.default_role,
                    sp_certificate=config.sp_certificate)
    return body


async def get_settings(request: web.Request) -> web.Response:
    who = await require(request, Permission.SAML_MANAGE)
    config = await request.config_dict[DB].read(lambda conn: find_provider(conn, who.tenant_id, who.tenant_slug))
    return json_response(_settings_body(request, who.tenant_slug, config), headers={"Cache-Control": "no-store"})


async def put_settings(request: web.Request) -> web.Response:
    who = await require(request, Permission.SAML_MANAGE)
    body = await json_object(request)
    config = await update_provider(request.config_dict[DB], who.tenant_id, who.tenant_slug, body, actor=who.actor)
    cache = request.config_dict.get(SERVICE_PROVIDERS)
    if cache is not None:
        cache.forget(who.tenant_id)
    return json_response(_settings_body(request, who.tenant_slug, config), headers={"Cache-Control": "no-store"})
