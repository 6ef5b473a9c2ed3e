"""SP-initiated sign-in end to end over HTTP: login redirect, IdP response, ACS, session, JIT person."""

from __future__ import annotations

from hub.tenants import Tenant
from tests.provisioning.saml.conftest import SamlFlow
from tests.provisioning.saml.idp import DIGEST_SHA256, SIG_RSA_SHA256, signature_algorithms


async def test_s1_s2_signed_response_signs_in_a_new_person_with_mapped_roles(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    request = await saml.start(tenant, idp, next_path="/#/people")
    assert request.sig_alg == SIG_RSA_SHA256  # our AuthnRequest is signed with RSA-SHA256
    assert request.acs_url == saml.acs_url(tenant) and request.issuer == saml.entity_id(tenant)
    saml_response = idp.response(in_response_to=request.id, destination=request.acs_url, audience=request.issuer,
                                 email="Grace.Hopper@Example.TEST", attributes={"role": ["lms-admins", "other"]})
    assert signature_algorithms(saml_response) == [("Response", SIG_RSA_SHA256, DIGEST_SHA256),
                                                   ("Assertion", SIG_RSA_SHA256, DIGEST_SHA256)]
    response = await saml.post(tenant, saml_response)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/#/people"
    me = await saml.me(response)
    assert me["email"] == "grace.hopper@example.test"
    assert me["name"] == "Grace Hopper"
    assert [r["role"] for r in me["roles"]] == ["ld_admin"]
    assert me["tenant"]["slug"] == tenant.slug and me["method"] == "saml"
    actions = [e["action"] for e in await saml.audit_actions(tenant)]
    assert "saml.signin" in actions and "person.create" in actions
