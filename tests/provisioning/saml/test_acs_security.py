"""The SAML negative tests S3–S21 of identity.md §5b, each against the real ACS over HTTP.

Every refusal must be the generic 403 page, must open no session, and must leave a `saml.rejected`
audit entry whose reason shows the response was refused for the reason under test.
"""

from __future__ import annotations

from aiohttp import ClientResponse

from hub.tenants import Tenant
from tests.fixtures.people import make_person
from tests.provisioning.saml import idp as idp_tools
from tests.provisioning.saml.conftest import SamlFlow, any_reason, rejected_page


async def assert_refused(saml: SamlFlow, tenant: Tenant, response: ClientResponse, *needles: str) -> None:
    text = await response.text()
    assert rejected_page(response.status, text), (response.status, text)
    assert "learnhub_session" not in response.cookies
    reasons = await saml.rejections(tenant)
    assert any_reason(reasons, *needles), reasons


async def signed_response(saml: SamlFlow, tenant: Tenant, email: str = "grace@example.test", **kwargs: object) -> str:
    idp = saml.idp()
    request = await saml.start(tenant, idp)
    return idp.response(in_response_to=request.id, destination=request.acs_url, audience=request.issuer,
                        email=email, **kwargs)  # type: ignore[arg-type]


async def test_s3_replayed_response_is_refused_after_its_request_was_used(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    saml_response = await signed_response(saml, tenant)
    first = await saml.post(tenant, saml_response)
    assert first.status == 303
    again = await saml.post(tenant, saml_response)
    await assert_refused(saml, tenant, again, "unsolicited")


async def test_s4_unsolicited_response_is_refused_when_idp_initiated_is_off(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp()
    saml_response = idp.response(in_response_to=None, destination=saml.acs_url(tenant),
                                 audience=saml.entity_id(tenant), email="grace@example.test")
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "unsolicited")


async def test_s5_tampered_attribute_value_breaks_the_signature(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    saml_response = await signed_response(saml, tenant, attributes={"role": ["crew-members"]})
    tampered = idp_tools.replace_text(saml_response, "crew-members", "lms-admins")
    await assert_refused(saml, tenant, await saml.post(tenant, tampered), "signature")


async def test_s6_tampered_name_id_breaks_the_signature(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    saml_response = await signed_response(saml, tenant, name_id="grace@example.test", email="g@example.test")
    tampered = idp_tools.replace_text(saml_response, ">grace@example.test<", ">admin@example.test<")
    await assert_refused(saml, tenant, await saml.post(tenant, tampered), "signature")


async def test_s7_unsigned_response_and_assertion_are_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    saml_response = await signed_response(saml, tenant, sign_response=False, sign_assertion=False)
    assert idp_tools.signature_algorithms(saml_response) == []
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "signature missing")


async def test_s8_signed_response_with_unsigned_assertion_is_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    saml_response = await signed_response(saml, tenant, sign_response=True, sign_assertion=False)
    assert [s[0] for s in idp_tools.signature_algorithms(saml_response)] == ["Response"]
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "signature missing for assertion")


async def test_s9_stripped_signatures_are_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, want_response_signed=False)
    stripped = idp_tools.strip_signatures(await signed_response(saml, tenant))
    assert idp_tools.signature_algorithms(stripped) == []
    await assert_refused(saml, tenant, await saml.post(tenant, stripped), "signature missing")


async def test_s10_key_from_keyinfo_is_not_trusted(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    evil = saml.idp(evil=True)  # same entity id and CN, its own key, its certificate in KeyInfo
    request = await saml.start(tenant, evil)
    saml_response = evil.response(in_response_to=request.id, destination=request.acs_url, audience=request.issuer,
                                  email="grace@example.test")
    assert b"X509Certificate" in idp_tools.decode(saml_response)
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "signature")


async def test_s11_assertion_only_signature_is_accepted_when_the_response_need_not_be_signed(
        saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, want_response_signed=False)
    saml_response = await signed_response(saml, tenant, sign_response=False, sign_assertion=True)
    assert [s[0] for s in idp_tools.signature_algorithms(saml_response)] == ["Assertion"]
    response = await saml.post(tenant, saml_response)
    assert response.status == 303, await response.text()
    assert (await saml.me(response))["email"] == "grace@example.test"


async def test_s11b_assertion_only_signature_is_refused_when_the_tenant_wants_a_signed_response(
        saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, want_response_signed=True)
    saml_response = await signed_response(saml, tenant, sign_response=False, sign_assertion=True)
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "signature missing for response")


async def _assert_xsw_refused(saml: SamlFlow, tenant: Tenant, wrapped: str, *needles: str) -> None:
    await assert_refused(saml, tenant, await saml.post(tenant, wrapped), *needles)
    # Nobody was provisioned from the evil assertion.
    assert not any(e["action"] == "person.create" for e in await saml.audit_actions(tenant))


async def test_s12_xsw_unsigned_evil_assertion_before_the_signed_one(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, want_response_signed=False)
    saml_response = await signed_response(saml, tenant, sign_response=False)
    wrapped = idp_tools.xsw_evil_assertion_first(saml_response, "attacker@evil.test")
    await _assert_xsw_refused(saml, tenant, wrapped, "number of assertions")


async def test_s13_xsw_same_id_evil_assertion_wrapping_the_original(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, want_response_signed=False)
    saml_response = await signed_response(saml, tenant, sign_response=False)
    wrapped = idp_tools.xsw_wrap_original(saml_response, "attacker@evil.test")
    await _assert_xsw_refused(saml, tenant, wrapped, "signature missing for assertion")


async def test_s14_xsw_signed_assertion_moved_into_extensions(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant, want_response_signed=False)
    saml_response = await signed_response(saml, tenant, sign_response=False)
    wrapped = idp_tools.xsw_original_in_extensions(saml_response, "attacker@evil.test")
    await _assert_xsw_refused(saml, tenant, wrapped, "signature missing for assertion")


async def test_s15_response_for_another_tenants_sp_is_refused(saml: SamlFlow, tenant: Tenant,
                                                               other_tenant: Tenant) -> None:
    # Both tenants trust the same IdP: only the audience tells the responses apart.
    await saml.configure(tenant)
    await saml.configure(other_tenant)
    idp = saml.idp()
    request = await saml.start(tenant, idp)
    saml_response = idp.response(in_response_to=request.id, destination=request.acs_url,
                                 audience=saml.entity_id(other_tenant), email="grace@example.test")
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "audience")


async def test_s15b_other_tenants_solicited_response_posted_to_this_acs_is_refused(
        saml: SamlFlow, tenant: Tenant, other_tenant: Tenant) -> None:
    await saml.configure(tenant)
    await saml.configure(other_tenant)
    idp = saml.idp()
    request = await saml.start(other_tenant, idp)
    saml_response = idp.response(in_response_to=request.id, destination=request.acs_url, audience=request.issuer,
                                 email="grace@example.test")
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "unsolicited")
    # ...and it still works where it belongs: the refusal did not consume the other tenant's request.
    assert (await saml.post(other_tenant, saml_response)).status == 303


async def test_s16_wrong_destination_is_refused(saml: SamlFlow, tenant: Tenant, other_tenant: Tenant) -> None:
    await saml.configure(tenant)
    await saml.configure(other_tenant)
    idp = saml.idp()
    request = await saml.start(tenant, idp)
    saml_response = idp.response(in_response_to=request.id, destination=saml.acs_url(other_tenant),
                                 audience=request.issuer, email="grace@example.test")
    # pysaml2 drops an assertion whose SubjectConfirmation Recipient is not our ACS (identity.md §5b S16).
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "no usable assertion")


async def test_s17_expired_assertion_is_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    idp = saml.idp(lifetime={"minutes": -10})  # NotOnOrAfter ten minutes ago, validly signed
    request = await saml.start(tenant, idp)
    saml_response = idp.response(in_response_to=request.id, destination=request.acs_url, audience=request.issuer,
                                 email="grace@example.test")
    assert idp_tools.signature_algorithms(saml_response)
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "condition")


async def test_s18_xxe_entity_is_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    saml_response = await signed_response(saml, tenant)
    doctype = '<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xxe = idp_tools.with_doctype(idp_tools.replace_text(saml_response, ">Hopper<", ">&xxe;<"), doctype)
    response = await saml.post(tenant, xxe)
    await assert_refused(saml, tenant, response, "dtd")
    assert "root:" not in await response.text()


async def test_s19_billion_laughs_is_refused(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    saml_response = await signed_response(saml, tenant)
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE samlp:Response [<!ENTITY lol0 "lol">{lol}]>'
    bomb = idp_tools.with_doctype(idp_tools.replace_text(saml_response, ">Hopper<", ">&lol9;<"), doctype)
    await assert_refused(saml, tenant, await saml.post(tenant, bomb), "dtd")


async def test_s20_doctype_without_entities_is_refused_too(saml: SamlFlow, tenant: Tenant) -> None:
    # Stricter than pysaml2 (which accepts it, identity.md §5b S20): SAML messages have no use for a DTD.
    await saml.configure(tenant)
    saml_response = idp_tools.with_doctype(await signed_response(saml, tenant), "<!DOCTYPE samlp:Response>")
    await assert_refused(saml, tenant, await saml.post(tenant, saml_response), "dtd")


async def test_s21_comment_injection_yields_the_whole_name_not_the_victim(saml: SamlFlow, tenant: Tenant) -> None:
    await saml.configure(tenant)
    victim = await make_person(saml.database, tenant, email="victim@acme.example")
    saml_response = await signed_response(saml, tenant, email="victim@acme.example.evil.test")
    injected = idp_tools.replace_text(saml_response, "victim@acme.example.evil.test",
                                      "victim@acme.example<!---->.evil.test")
    assert b"<!---->" in idp_tools.decode(injected)
    response = await saml.post(tenant, injected)
    assert response.status == 303, await response.text()  # c14n drops comments: the signature still holds
    me = await saml.me(response)
    assert me["email"] == "victim@acme.example.evil.test"
    assert me["id"] != victim.person_id
