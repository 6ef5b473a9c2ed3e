"""GET/PUT /api/v1/admin/saml: permissions, CSRF, validation naming the field, audit, tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest

from hub.tenants import Tenant
from tests.fixtures.people import SignedIn
from tests.provisioning.saml.conftest import SamlFlow
from tests.provisioning.saml.idp import IDP_ENTITY_ID, OTHER_IDP_ENTITY_ID

PATH = "/api/v1/admin/saml"


def ui_body(metadata: str | None, **changes: Any) -> dict[str, Any]:
    """What the SSO page sends: every field."""
    body = {"enabled": True, "idp_metadata": metadata, "want_response_signed": False, "allow_idp_initiated": False,
            "attribute_map": {}, "role_map": {"LMS-Admins": "ld_admin"}, "default_role": "learner"}
    body.update(changes)
    return body


async def test_only_saml_managers_may_read_or_change(saml: SamlFlow, tenant: Tenant, signed_in: SignedIn) -> None:
    assert (await saml.http.get(PATH)).status == 401
    for role in ("learner", "ld_admin", "manager"):
        client = await signed_in(tenant, roles=[role])
        assert (await client.request("GET", PATH)).status == 403, role
        assert (await client.request("PUT", PATH, json=ui_body(None))).status == 403, role
    admin = await signed_in(tenant, roles=["org_admin"])
    assert (await admin.request("GET", PATH)).status == 200


async def test_get_shows_the_sp_endpoints_before_anything_is_configured(saml: SamlFlow, tenant: Tenant,
                                                                       signed_in: SignedIn) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    body = await (await admin.request("GET", PATH)).json()
    assert body["sp_entity_id"] == saml.entity_id(tenant) == body["metadata_url"]
    assert body["acs_url"] == saml.acs_url(tenant)
    assert body["enabled"] is False and body["configured"] is False and body["idp_entity_id"] is None
    assert body["default_role"] == "learner" and body["role_map"] == {} and body["attribute_map"] == {}


async def test_put_without_the_csrf_token_is_refused(saml: SamlFlow, tenant: Tenant, signed_in: SignedIn) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    response = await admin.request("PUT", PATH, json=ui_body(saml.material.metadata), csrf=False)
    assert response.status == 403
    assert (await response.json())["error"]["field"] == "X-CSRF-Token"
    assert (await (await admin.request("GET", PATH)).json())["idp_entity_id"] is None


async def test_put_saves_the_settings_extracts_the_idp_and_is_audited(saml: SamlFlow, tenant: Tenant,
                                                                     signed_in: SignedIn) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    response = await admin.request("PUT", PATH, json=ui_body(
        saml.material.metadata, want_response_signed=True, attribute_map={"roles": "groups"},
        role_map={"LMS-Admins": "ld_admin", "Crew": "supervisor"}, default_role="ld_analyst"))
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["idp_entity_id"] == IDP_ENTITY_ID and body["configured"] is True
    assert body["want_response_signed"] is True and body["attribute_map"] == {"roles": "groups"}
    assert body["role_map"] == {"LMS-Admins": "ld_admin", "Crew": "supervisor"}
    assert body["default_role"] == "ld_analyst"
    assert (await (await admin.request("GET", PATH)).json()) == body
    entries = [e for e in await saml.audit_actions(tenant) if e["action"] == "saml.configure"]
    assert entries and entries[0]["actor"] == f"person:{admin.person.email}"  # type: ignore[union-attr]
    assert entries[0]["details"]["idp_entity_id"] == IDP_ENTITY_ID and "idp_metadata" in entries[0]["details"]["fields"]
    assert (await (await saml.http.get(f"/auth/organisations/{tenant.slug}")).json())["sso"] is True


async def test_put_as_the_sso_page_sends_it_without_metadata(saml: SamlFlow, tenant: Tenant,
                                                            signed_in: SignedIn) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    response = await admin.request("PUT", PATH, json=ui_body(None))
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["role_map"] == {"LMS-Admins": "ld_admin"} and body["configured"] is False


BAD_METADATA = [
    ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><m>&xxe;</m>', "DTD"),
    ('<!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><m>&b;</m>', "DTD"),
    ("this is not xml", "not well-formed"),
    ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>', "no identity provider"),
    (42, "string"),
]


@pytest.mark.parametrize(("metadata", "message"), BAD_METADATA)
async def test_bad_metadata_is_a_400_naming_the_problem(saml: SamlFlow, tenant: Tenant, signed_in: SignedIn,
                                                        metadata: Any, message: str) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    response = await admin.request("PUT", PATH, json=ui_body(metadata))
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["field"] == "idp_metadata" and message in error["message"]
    assert (await (await admin.request("GET", PATH)).json())["idp_metadata"] is None


@pytest.mark.parametrize(("changes", "field"), [
    ({"role_map": {"LMS-Admins": "superuser"}}, "role_map"),
    ({"role_map": ["ld_admin"]}, "role_map"),
    ({"default_role": "root"}, "default_role"),
    ({"attribute_map": {"password": "pw"}}, "attribute_map"),
    ({"enabled": "yes"}, "enabled"),
    ({"sp_private_key": "x"}, "sp_private_key"),
])
async def test_invalid_settings_are_a_400_naming_the_field(saml: SamlFlow, tenant: Tenant, signed_in: SignedIn,
                                                           changes: dict[str, Any], field: str) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    response = await admin.request("PUT", PATH, json=ui_body(None, **changes))
    assert response.status == 400, await response.text()
    assert (await response.json())["error"]["field"] == field


async def test_one_tenants_admin_cannot_read_or_change_anothers_settings(
        saml: SamlFlow, tenant: Tenant, other_tenant: Tenant, signed_in: SignedIn) -> None:
    admin_a = await signed_in(tenant, roles=["org_admin"])
    admin_b = await signed_in(other_tenant, roles=["org_admin"])
    assert (await admin_a.request("PUT", PATH, json=ui_body(saml.material.metadata))).status == 200
    seen_by_b = await (await admin_b.request("GET", PATH)).json()
    assert seen_by_b["idp_entity_id"] is None and other_tenant.slug in seen_by_b["sp_entity_id"]
    assert (await admin_b.request("PUT", PATH, json=ui_body(saml.material.other_metadata,
                                                            role_map={}))).status == 200
    seen_by_a = await (await admin_a.request("GET", PATH)).json()
    assert seen_by_a["idp_entity_id"] == IDP_ENTITY_ID and seen_by_a["role_map"] == {"LMS-Admins": "ld_admin"}
    assert (await (await admin_b.request("GET", PATH)).json())["idp_entity_id"] == OTHER_IDP_ENTITY_ID
    b_actions = [e["action"] for e in await saml.audit_actions(other_tenant)]
    assert b_actions.count("saml.configure") == 1


async def test_changing_the_idp_takes_effect_at_once(saml: SamlFlow, tenant: Tenant, signed_in: SignedIn) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    assert (await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "a@example.test")).status == 303
    admin = await signed_in(tenant, roles=["org_admin"])
    changed = await admin.request("PUT", PATH, json=ui_body(saml.material.other_metadata))
    assert changed.status == 200
    # The cached client of the old IdP is gone: its responses are refused, the new IdP's accepted.
    old = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "a@example.test")
    assert old.status == 403
    new_idp = saml.idp(other=True)
    new = await saml.respond_and_post(tenant, new_idp, await saml.start(tenant, new_idp), "a@example.test")
    assert new.status == 303, await new.text()
