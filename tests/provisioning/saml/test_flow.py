"""SP-initiated sign-in end to end over HTTP: login redirect, IdP response, ACS, session, JIT person."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from hub import clock
from hub.tenants import Tenant
from provisioning.ops.people import update_person
from provisioning.ops.saml_settings import update_provider
from provisioning.store.tables import saml_provider, saml_request, web_session
from tests.fixtures.people import make_person
from tests.provisioning.saml.conftest import SamlFlow, any_reason
from tests.provisioning.saml.idp import DIGEST_SHA256, IDP_SSO_URL, SIG_RSA_SHA256, signature_algorithms


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


async def test_acs_accepts_the_cross_site_post_without_a_csrf_token(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    request = await saml.start(tenant, idp)
    saml_response = idp.response(in_response_to=request.id, destination=request.acs_url, audience=request.issuer,
                                 email="grace@example.test")
    response = await saml.post(tenant, saml_response, headers={"Origin": "https://idp.example.test"})
    assert response.status == 303, await response.text()


async def test_second_sign_in_finds_the_same_person_and_replaces_roles(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    first = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "ada@example.test",
                                        attributes={"role": ["lms-admins"]})
    me_first = await saml.me(first)
    assert [r["role"] for r in me_first["roles"]] == ["ld_admin"]
    # Same NameID, a new e-mail and other roles: same person, e-mail follows, roles replaced.
    second = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "ada.new@example.test",
                                         name_id="ada@example.test", attributes={"role": ["crew-leads"]})
    me_second = await saml.me(second)
    assert me_second["id"] == me_first["id"]
    assert me_second["email"] == "ada.new@example.test"
    assert [r["role"] for r in me_second["roles"]] == ["supervisor"]
    third = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "ada.new@example.test",
                                        name_id="ada@example.test", attributes={"role": ["unmapped"]})
    assert [r["role"] for r in (await saml.me(third))["roles"]] == ["learner"]  # the default role
    creates = [e for e in await saml.audit_actions(tenant) if e["action"] == "person.create"]
    assert len(creates) == 1


async def test_default_role_applies_when_no_idp_role_is_mapped(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, default_role="ld_analyst")
    idp = saml.idp()
    response = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "lin@example.test",
                                           attributes={"role": []})
    assert [r["role"] for r in (await saml.me(response))["roles"]] == ["ld_analyst"]


async def test_existing_person_is_linked_by_email_not_duplicated(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    existing = await make_person(saml.database, tenant, email="scim.person@example.test", roles=["org_admin"])
    idp = saml.idp()
    response = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "SCIM.Person@example.test")
    me = await saml.me(response)
    assert me["id"] == existing.person_id
    assert [r["role"] for r in me["roles"]] == ["learner"]  # the IdP's roles replace the local ones


async def test_deactivated_person_is_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    first = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "leaver@example.test")
    person_id = (await saml.me(first))["id"]
    await saml.database.transaction(lambda conn: update_person(conn, tenant.id, person_id, {"active": False},
                                                               actor="scim"))
    again = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "leaver@example.test")
    assert again.status == 403 and "learnhub_session" not in again.cookies
    assert any_reason(await saml.rejections(tenant), "deactivated")


async def test_deactivated_person_without_saml_identity_is_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    await make_person(saml.database, tenant, email="gone@example.test", active=False)
    idp = saml.idp()
    response = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "gone@example.test")
    assert response.status == 403
    assert any_reason(await saml.rejections(tenant), "deactivated")


async def test_outstanding_request_is_used_once(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    request = await saml.start(tenant, idp)
    first = await saml.respond_and_post(tenant, idp, request, "one@example.test")
    assert first.status == 303
    second = await saml.respond_and_post(tenant, idp, request, "two@example.test")  # a fresh assertion, same id
    assert second.status == 403
    assert any_reason(await saml.rejections(tenant), "unsolicited")


async def test_expired_outstanding_request_is_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    request = await saml.start(tenant, idp)
    await saml.database.transaction(lambda conn: conn.execute(
        update(saml_request).where(saml_request.c.request_id == request.id)
        .values(expires_at=clock.now() - timedelta(seconds=1))))
    response = await saml.respond_and_post(tenant, idp, request, "late@example.test")
    assert response.status == 403


async def test_login_next_must_be_a_local_path(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp, next_path=hostile),
                                               "nav@example.test")
        assert response.status == 303
        assert response.headers["Location"] == "/", hostile


async def test_idp_initiated_sign_in_when_enabled_with_replay_cache_and_safe_relay_state(
        saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, allow_idp_initiated=True)
    idp = saml.idp()
    saml_response = idp.response(in_response_to=None, destination=saml.acs_url(tenant),
                                 audience=saml.entity_id(tenant), email="direct@example.test")
    first = await saml.post(tenant, saml_response, relay_state="https://evil.example/phish")
    assert first.status == 303 and first.headers["Location"] == "/"
    assert (await saml.me(first))["email"] == "direct@example.test"
    replay = await saml.post(tenant, saml_response, relay_state="/#/people")
    assert replay.status == 403
    assert any_reason(await saml.rejections(tenant), "replay")
    fresh = idp.response(in_response_to=None, destination=saml.acs_url(tenant), audience=saml.entity_id(tenant),
                         email="direct@example.test")
    second = await saml.post(tenant, fresh, relay_state="/#/people")
    assert second.status == 303 and second.headers["Location"] == "/#/people"


async def test_idp_initiated_on_still_refuses_a_response_to_an_unknown_request(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, allow_idp_initiated=True)
    idp = saml.idp()
    saml_response = idp.response(in_response_to="id-not-ours", destination=saml.acs_url(tenant),
                                 audience=saml.entity_id(tenant), email="direct@example.test")
    response = await saml.post(tenant, saml_response)
    assert response.status == 403
    assert any_reason(await saml.rejections(tenant), "not an outstanding request")


async def test_issuer_must_be_the_tenants_idp(saml: SamlFlow, tenant: Tenant, other_tenant: Tenant) -> None:
    await saml.configure(tenant)
    await saml.configure(other_tenant, metadata=saml.material.other_metadata)
    other_idp = saml.idp(other=True)  # tenant B's IdP, trusted by B only
    request = await saml.start(tenant, other_idp)
    response = await saml.respond_and_post(tenant, other_idp, request, "grace@example.test")
    assert response.status == 403 and "learnhub_session" not in response.cookies
    # The same IdP signs B's people in.
    ok = await saml.respond_and_post(other_tenant, other_idp, await saml.start(other_tenant, other_idp),
                                     "grace@example.test")
    assert ok.status == 303


async def test_same_name_id_in_two_tenants_is_two_people(saml: SamlFlow, tenant: Tenant, other_tenant: Tenant) -> None:
    await saml.configure(tenant)
    await saml.configure(other_tenant)
    idp = saml.idp()
    a = await saml.me(await saml.respond_and_post(tenant, idp, await saml.start(tenant, idp), "twin@example.test"))
    b = await saml.me(await saml.respond_and_post(other_tenant, idp, await saml.start(other_tenant, idp),
                                                  "twin@example.test"))
    assert a["id"] != b["id"]
    assert a["tenant"]["slug"] == tenant.slug and b["tenant"]["slug"] == other_tenant.slug


async def test_disabled_sso_refuses_login_and_acs(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    request = await saml.start(tenant, idp)
    await update_provider(saml.database, tenant.id, tenant.slug, {"enabled": False}, actor="test")
    login = await saml.http.get(f"/saml/{tenant.slug}/login", allow_redirects=False)
    assert login.status == 404
    response = await saml.respond_and_post(tenant, idp, request, "grace@example.test")
    assert response.status == 403
    organisation = await (await saml.http.get(f"/auth/organisations/{tenant.slug}")).json()
    assert organisation["sso"] is False


async def test_sso_flag_of_the_sign_in_page_follows_the_settings(saml: SamlFlow, tenant: Tenant) -> None:
    assert (await (await saml.http.get(f"/auth/organisations/{tenant.slug}")).json())["sso"] is False
    await saml.configure(tenant)
    assert (await (await saml.http.get(f"/auth/organisations/{tenant.slug}")).json())["sso"] is True


async def test_unknown_tenant_login_and_acs_answer_404(saml: SamlFlow) -> None:
    assert (await saml.http.get("/saml/no-such-tenant/login", allow_redirects=False)).status == 404
    assert (await saml.http.post("/saml/no-such-tenant/acs", data={"SAMLResponse": "x"})).status == 404


async def test_authn_request_signature_is_checked_by_the_idp(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    response = await saml.http.get(f"/saml/{tenant.slug}/login", allow_redirects=False)
    location = response.headers["Location"]
    assert location.startswith(IDP_SSO_URL + "?")
    query = parse_qs(urlsplit(location).query)
    assert set(query) >= {"SAMLRequest", "SigAlg", "Signature"}
    assert idp.parse_request(location).id  # the signature verifies with the SP's metadata certificate
    forged = location.replace("Signature=", "Signature=AAAA")
    with pytest.raises(Exception, match="not signed correctly"):
        idp.parse_request(forged)


async def test_a_stored_configuration_pysaml2_cannot_use_gives_a_page_not_a_crash(saml: SamlFlow,
                                                                                 tenant: Tenant) -> None:
    await saml.configure(tenant)
    await saml.database.transaction(lambda conn: conn.execute(
        update(saml_provider).where(saml_provider.c.tenant_id == tenant.id)
        .values(idp_metadata="<md:EntityDescriptor", sp_private_key="not a key")))
    login = await saml.http.get(f"/saml/{tenant.slug}/login", allow_redirects=False)
    assert login.status == 503 and "misconfigured" in await login.text()
    acs = await saml.post(tenant, "PHNhbWxwOlJlc3BvbnNlLz4=")
    assert acs.status == 403


async def test_concurrent_posts_of_one_response_open_one_session(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    request = await saml.start(tenant, idp)
    saml_response = idp.response(in_response_to=request.id, destination=request.acs_url, audience=request.issuer,
                                 email="race@example.test")
    responses = await asyncio.gather(*(saml.post(tenant, saml_response) for _ in range(3)))
    assert sorted(r.status for r in responses) == [303, 403, 403]
    sessions = await saml.database.read(lambda conn: conn.execute(
        select(web_session.c.method, web_session.c.saml_session_index)
        .where(web_session.c.tenant_id == tenant.id)).all())
    assert len(sessions) == 1 and sessions[0].method == "saml" and sessions[0].saml_session_index
