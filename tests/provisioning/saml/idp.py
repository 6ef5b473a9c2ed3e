"""An in-process pysaml2 identity provider for the SAML tests (identity.md §4), plus XML tampering helpers.

Certificates are made with `cryptography` once per test session: the real IdP's, and an "evil" IdP's
with the same entity id and common name but another key. Each test builds a `TestIdP` that trusts
the SP metadata the running app serves, takes the AuthnRequest out of the app's redirect, and
writes a signed SAMLResponse to post back to the app's ACS.
"""

from __future__ import annotations

import base64
import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.s_utils import rndstr
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary

from provisioning.saml.keys import generate_key_pair

IDP_ENTITY_ID = "https://idp.example.test/saml/metadata"
OTHER_IDP_ENTITY_ID = "https://other-idp.example.test/saml/metadata"
IDP_SSO_URL = "https://idp.example.test/saml/sso"
SIG_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "ds": "http://www.w3.org/2000/09/xmldsig#", "md": "urn:oasis:names:tc:SAML:2.0:metadata"}


@dataclass(frozen=True)
class KeyFiles:
    key_file: str
    cert_file: str


@dataclass(frozen=True)
class Certificates:
    idp: KeyFiles
    evil: KeyFiles       # same entity id and CN as `idp`, another key (CVE-2021-21239 class)
    other: KeyFiles      # a second, legitimate IdP (another tenant's)


def make_certificates(folder: Path) -> Certificates:
    def pair(name: str, common_name: str) -> KeyFiles:
        made = generate_key_pair(common_name)
        key, cert = folder / f"{name}.key", folder / f"{name}.crt"
        key.write_text(made.private_key_pem)
        cert.write_text(made.certificate_pem)
        return KeyFiles(str(key), str(cert))

    return Certificates(idp=pair("idp", "idp.example.test"), evil=pair("evil", "idp.example.test"),
                        other=pair("other", "other-idp.example.test"))


def _config(keys: KeyFiles, entity_id: str, sp_metadata: Iterable[str], lifetime: dict[str, int]) -> IdPConfig:
    inline = [m for m in sp_metadata if m]
    config = IdPConfig()
    config.load({
        "entityid": entity_id,
        "xmlsec_binary": get_xmlsec_binary(),
        "key_file": keys.key_file,
        "cert_file": keys.cert_file,
        "metadata": {"inline": inline} if inline else {},
        "accepted_time_diff": 60,
        "allow_unknown_attributes": True,
        "service": {"idp": {
            "name": "Test IdP",
            "endpoints": {"single_sign_on_service": [(IDP_SSO_URL, BINDING_HTTP_REDIRECT),
                                                     (IDP_SSO_URL + "/post", BINDING_HTTP_POST)]},
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
            "want_authn_requests_signed": True,
            "policy": {"default": {"lifetime": lifetime, "attribute_restrictions": None,
                                   "name_form": NAME_FORMAT_URI}},
        }},
    })
    return config


def idp_metadata(keys: KeyFiles, entity_id: str = IDP_ENTITY_ID) -> str:
    """The IdP's metadata (built without peers: the IdP side needs no SP to describe itself)."""
    xml = create_metadata_string(None, config=_config(keys, entity_id, [], {"minutes": 15}), valid=1)
    return xml.decode() if isinstance(xml, bytes) else str(xml)


@dataclass(frozen=True)
class ParsedRequest:
    id: str
    acs_url: str
    issuer: str
    sig_alg: str
    relay_state: str | None


class TestIdP:
    """A pysaml2 IdP that trusts the given SP metadata documents."""

    __test__ = False

    def __init__(self, keys: KeyFiles, sp_metadata: Iterable[str], *, entity_id: str = IDP_ENTITY_ID,
                 lifetime: dict[str, int] | None = None) -> None:
        self.entity_id = entity_id
        self.server = Server(config=_config(keys, entity_id, sp_metadata, lifetime or {"minutes": 15}))

    def parse_request(self, location: str) -> ParsedRequest:
        """Read the AuthnRequest from the SP's redirect; verifies its HTTP-Redirect signature."""
        query = parse_qs(urlsplit(location).query)
        relay = query.get("RelayState", [None])[0]
        parsed = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT,
                                                 relay_state=relay, sigalg=query["SigAlg"][0],
                                                 signature=query["Signature"][0])
        message = parsed.message
        return ParsedRequest(id=message.id, acs_url=message.assertion_consumer_service_url,
                             issuer=message.issuer.text, sig_alg=query["SigAlg"][0], relay_state=relay)

    def response(self, *, in_response_to: str | None, destination: str, audience: str, email: str,
                 attributes: dict[str, list[str]] | None = None, name_id: str | None = None,
                 sign_response: bool = True, sign_assertion: bool = True) -> str:
        """A base64 SAMLResponse signed with RSA-SHA256/SHA-256 (pysaml2 defaults to SHA-1 otherwise)."""
        identity = {"mail": [email], "givenName": ["Grace"], "sn": ["Hopper"], "role": ["learner-group"]}
        identity.update(attributes or {})
        response = self.server.create_authn_response(
            identity, in_response_to, destination, audience,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=name_id or email),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                   "authn_auth": self.entity_id},
            sign_response=sign_response, sign_assertion=sign_assertion,
            sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        return base64.b64encode(str(response).encode()).decode()


def decode(saml_response: str) -> bytes:
    return base64.b64decode(saml_response)


def encode(xml: bytes | str) -> str:
    return base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()


def tree(saml_response: str) -> Any:
    return etree.fromstring(decode(saml_response), etree.XMLParser(resolve_entities=False, no_network=True))


def to_response(root: Any) -> str:
    return encode(etree.tostring(root))


def signature_algorithms(saml_response: str) -> list[tuple[str, str, str]]:
    """(parent element, SignatureMethod, DigestMethod) for every signature in the response."""
    found = []
    for signature in tree(saml_response).iter(f"{{{NS['ds']}}}Signature"):
        method = signature.find("ds:SignedInfo/ds:SignatureMethod", NS).get("Algorithm")
        digest = signature.find("ds:SignedInfo/ds:Reference/ds:DigestMethod", NS).get("Algorithm")
        found.append((etree.QName(signature.getparent()).localname, method, digest))
    return found


def replace_text(saml_response: str, old: str, new: str) -> str:
    xml = decode(saml_response).decode()
    assert old in xml, f"{old!r} not in the response"
    return encode(xml.replace(old, new))


def strip_signatures(saml_response: str) -> str:
    root = tree(saml_response)
    for signature in list(root.iter(f"{{{NS['ds']}}}Signature")):
        signature.getparent().remove(signature)
    return to_response(root)


def xsw_evil_assertion_first(saml_response: str, evil_email: str) -> str:
    """S12: an unsigned evil copy of the assertion placed before the signed one."""
    root = tree(saml_response)
    signed = root.find("saml:Assertion", NS)
    evil = _evil_copy(signed, evil_email, new_id=True)
    signed.addprevious(evil)
    return to_response(root)


def xsw_wrap_original(saml_response: str, evil_email: str) -> str:
    """S13: an evil assertion with the same ID, which wraps the signed original inside it."""
    root = tree(saml_response)
    signed = root.find("saml:Assertion", NS)
    evil = _evil_copy(signed, evil_email, new_id=False)
    root.replace(signed, evil)
    evil.append(signed)
    return to_response(root)


def xsw_original_in_extensions(saml_response: str, evil_email: str) -> str:
    """S14: the signed assertion moved into samlp:Extensions, an evil same-ID assertion in its place."""
    root = tree(saml_response)
    signed = root.find("saml:Assertion", NS)
    evil = _evil_copy(signed, evil_email, new_id=False)
    root.replace(signed, evil)
    extensions = etree.Element(f"{{{NS['samlp']}}}Extensions")
    extensions.append(signed)
    status = root.find("samlp:Status", NS)
    (status if status is not None else evil).addprevious(extensions)
    return to_response(root)


def _evil_copy(signed: Any, evil_email: str, *, new_id: bool) -> Any:
    evil = copy.deepcopy(signed)
    for signature in evil.findall("ds:Signature", NS):
        evil.remove(signature)
    if new_id:
        evil.set("ID", "_" + rndstr(32))
    for element in evil.iter(f"{{{NS['saml']}}}NameID", f"{{{NS['saml']}}}AttributeValue"):
        if element.text and "@" in element.text:
            element.text = evil_email
    return evil


def with_doctype(saml_response: str, doctype: str) -> str:
    xml = decode(saml_response).decode()
    xml = re.sub(r"^<\?xml[^>]*\?>", "", xml).lstrip()
    return encode(f'<?xml version="1.0"?>\n{doctype}\n{xml}')
