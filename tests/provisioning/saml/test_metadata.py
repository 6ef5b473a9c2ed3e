"""The SP metadata endpoint, and the IdP metadata checks behind the settings API and the CLI."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from sqlalchemy import select

from hub.tenants import Tenant
from provisioning.saml.keys import certificate_body
from provisioning.saml.metadata import MetadataRejected, parse_idp_metadata
from provisioning.store.tables import saml_provider
from tests.provisioning.saml.conftest import IdpMaterial, SamlFlow
from tests.provisioning.saml.idp import DIGEST_SHA256, IDP_ENTITY_ID, IDP_SSO_URL, NS, SIG_RSA_SHA256

POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


async def test_metadata_describes_the_tenants_sp_and_is_signed_with_sha256(saml: SamlFlow, tenant: Tenant,
                                                                          tmp_path: Path) -> None:
    response = await saml.http.get(f"/saml/{tenant.slug}/metadata")
    assert response.status == 200
    assert response.content_type == "application/samlmetadata+xml"
    text = await response.text()
    root = etree.fromstring(text.encode())
    assert root.get("entityID") == saml.entity_id(tenant)
    sp = root.find("md:SPSSODescriptor", NS)
    assert sp.get("AuthnRequestsSigned") == "true" and sp.get("WantAssertionsSigned") == "true"
    acs = sp.findall("md:AssertionConsumerService", NS)
    assert [(a.get("Binding"), a.get("Location")) for a in acs] == [(POST, saml.acs_url(tenant))]
    stored = await saml.database.read(lambda conn: conn.execute(
        select(saml_provider).where(saml_provider.c.tenant_id == tenant.id)).one())
    assert not stored.enabled  # made on first use, off until an admin configures an IdP
    certificates = {"".join(c.text.split()) for c in sp.iter(f"{{{NS['ds']}}}X509Certificate")}
    assert certificates == {certificate_body(stored.sp_certificate)}
    certificate = x509.load_pem_x509_certificate(stored.sp_certificate.encode())
    key = certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    assert certificate.issuer == certificate.subject  # self-signed
    signature = root.find("ds:Signature", NS)
    assert signature.find("ds:SignedInfo/ds:SignatureMethod", NS).get("Algorithm") == SIG_RSA_SHA256
    assert signature.find("ds:SignedInfo/ds:Reference/ds:DigestMethod", NS).get("Algorithm") == DIGEST_SHA256
    # The signature verifies with the tenant's certificate (xmlsec1, as an IdP would check it).
    (tmp_path / "md.xml").write_text(text)
    (tmp_path / "sp.crt").write_text(stored.sp_certificate)
    verified = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(tmp_path / "sp.crt"),
                               "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor",
                               str(tmp_path / "md.xml")], capture_output=True, text=True, check=False)
    assert verified.returncode == 0, verified.stderr
    again = await (await saml.http.get(f"/saml/{tenant.slug}/metadata")).text()
    assert certificate_body(stored.sp_certificate) in again  # the key pair is made once


async def test_metadata_follows_the_public_url_setting(saml: SamlFlow, tenant: Tenant) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from hub.app import create_app
    from tests.fixtures.http import settings_for

    url = "https://learn.example.test"
    # The database is shared with the fixtures; the settings' db_url is not used when one is passed.
    app = create_app(settings_for("sqlite://", public_url=url + "/"), database=saml.database)
    async with TestClient(TestServer(app)) as client:
        text = await (await client.get(f"/saml/{tenant.slug}/metadata")).text()
    root = etree.fromstring(text.encode())
    assert root.get("entityID") == f"{url}/saml/{tenant.slug}/metadata"
    assert f'Location="{url}/saml/{tenant.slug}/acs"' in text


async def test_metadata_of_an_unknown_tenant_is_404(saml: SamlFlow) -> None:
    response = await saml.http.get("/saml/no-such-tenant/metadata")
    assert response.status == 404
    assert "text/html" in response.headers["Content-Type"]


def test_idp_metadata_is_parsed_for_its_entity_id_and_sso_url(idp_material: IdpMaterial) -> None:
    parsed = parse_idp_metadata(idp_material.metadata)
    assert parsed.entity_id == IDP_ENTITY_ID
    assert parsed.sso_redirect_url == IDP_SSO_URL
    assert len(parsed.signing_certificates) == 1


def test_idp_metadata_inside_an_entities_descriptor_is_accepted(idp_material: IdpMaterial) -> None:
    body = idp_material.metadata.split("?>", 1)[-1]
    wrapped = f'<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">{body}</md:EntitiesDescriptor>'
    assert parse_idp_metadata(wrapped).entity_id == IDP_ENTITY_ID


XXE = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;"/>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
          '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&b;"/>')


@pytest.mark.parametrize(("text", "message"), [
    (XXE, "DTD"),
    (LAUGHS, "DTD"),
    ("<md:EntityDescriptor", "not well-formed"),
    ("", "empty"),
    ("<html/>", "not SAML 2.0 metadata"),
    ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>', "no identity provider"),
])
def test_bad_idp_metadata_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(MetadataRejected, match=message):
        parse_idp_metadata(text)


def test_idp_metadata_without_a_signing_certificate_is_refused(idp_material: IdpMaterial) -> None:
    root = etree.fromstring(idp_material.metadata.encode())
    for descriptor in root.iter(f"{{{NS['md']}}}KeyDescriptor"):
        descriptor.getparent().remove(descriptor)
    with pytest.raises(MetadataRejected, match="no signing certificate"):
        parse_idp_metadata(etree.tostring(root).decode())


def test_sp_metadata_is_not_idp_metadata() -> None:
    sp_only = ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp">'
               '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
               '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
               'Location="https://sp/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>')
    with pytest.raises(MetadataRejected, match="no identity provider"):
        parse_idp_metadata(sp_only)
