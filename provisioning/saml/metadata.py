"""IdP metadata uploaded by a tenant admin: parsed safely, checked, and its entity id extracted.

The text comes from an administrator, but it may have been fetched from anywhere, so it is parsed
like hostile input: no DTD, no entities, no network (CVE-2016-10127/10149 class; identity.md §5a),
then loaded by pysaml2's own metadata store so that what we accept is what the SP will use.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

MAX_METADATA_CHARS = 1_000_000

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
BINDING_HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


class MetadataRejected(ValueError):
    """The metadata cannot be used; the message says why, for a 400 on the `idp_metadata` field."""


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    sso_redirect_url: str
    signing_certificates: tuple[str, ...]


def parse_idp_metadata(text: str) -> IdpMetadata:
    """Check `text` is the metadata of exactly one SAML 2.0 IdP we can use, and describe it."""
    if not isinstance(text, str) or not text.strip():
        raise MetadataRejected("the identity provider metadata is empty")
    if len(text) > MAX_METADATA_CHARS:
        raise MetadataRejected(f"the metadata is larger than {MAX_METADATA_CHARS} characters")
    root = _parse(text)
    entity = _idp_entity(root)
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise MetadataRejected("the EntityDescriptor has no entityID")
    idp = entity.find(f"{{{MD}}}IDPSSODescriptor")
    assert idp is not None  # _idp_entity only returns entities that have one
    if PROTOCOL not in (idp.get("protocolSupportEnumeration") or "").split():
        raise MetadataRejected("the IDPSSODescriptor does not support the SAML 2.0 protocol")
    redirect = [s.get("Location", "") for s in idp.findall(f"{{{MD}}}SingleSignOnService")
                if s.get("Binding") == BINDING_HTTP_REDIRECT and s.get("Location")]
    if not redirect:
        raise MetadataRejected("the identity provider offers no SingleSignOnService with the HTTP-Redirect binding")
    certificates = tuple(
        "".join((cert.text or "").split())
        for descriptor in idp.findall(f"{{{MD}}}KeyDescriptor") if descriptor.get("use") in (None, "signing")
        for cert in descriptor.iter(f"{{{DS}}}X509Certificate") if (cert.text or "").strip())
    if not certificates:
        # Assertions must be signed (want_assertions_signed), so a signing key is required.
        raise MetadataRejected("the identity provider metadata has no signing certificate (KeyDescriptor)")
    _load_with_pysaml2(text, entity_id)
    return IdpMetadata(entity_id=entity_id, sso_redirect_url=redirect[0], signing_certificates=certificates)


def _parse(text: str) -> Element:
    try:
        # forbid_dtd: metadata never needs one, and a DOCTYPE is where XXE and billion laughs live.
        return fromstring(text.encode(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise MetadataRejected("the metadata contains a DTD (<!DOCTYPE>); DTDs and entities are refused") from None
    except EntitiesForbidden:
        raise MetadataRejected("the metadata declares XML entities; entities are refused (XXE)") from None
    except ExternalReferenceForbidden:
        raise MetadataRejected("the metadata refers to external resources; refused (XXE)") from None
    except DefusedXmlException as exc:
        raise MetadataRejected(f"the metadata was refused: {exc}") from None
    except ParseError as exc:
        raise MetadataRejected(f"the metadata is not well-formed XML: {exc}") from None


def _idp_entity(root: Element) -> Element:
    if root.tag == f"{{{MD}}}EntityDescriptor":
        entities = [root]
    elif root.tag == f"{{{MD}}}EntitiesDescriptor":
        entities = list(root.iter(f"{{{MD}}}EntityDescriptor"))
    else:
        raise MetadataRejected("the document is not SAML 2.0 metadata (expected an md:EntityDescriptor)")
    idps = [e for e in entities if e.find(f"{{{MD}}}IDPSSODescriptor") is not None]
    if not idps:
        raise MetadataRejected("the metadata describes no identity provider (no IDPSSODescriptor)")
    if len(idps) > 1:
        raise MetadataRejected("the metadata describes several identity providers; upload the one to trust")
    return idps[0]


def _load_with_pysaml2(text: str, entity_id: str) -> None:
    """Load the text the way the SP will, so a document pysaml2 cannot use is refused at upload time.

    No strict XSD validation here: Entra's metadata carries WS-Federation RoleDescriptors whose
    xsi:types have no schema in pysaml2, and would be refused.
    """
    from saml2.attribute_converter import ac_factory
    from saml2.config import Config
    from saml2.mdstore import MetadataStore

    store = MetadataStore(ac_factory(), Config())
    try:
        store.load("inline", text)
    except Exception as exc:  # pysaml2 raises many types here; each means the metadata is unusable
        raise MetadataRejected(f"pysaml2 could not load the metadata: {type(exc).__name__}: {exc}") from None
    if not store.single_sign_on_service(entity_id, BINDING_HTTP_REDIRECT):
        raise MetadataRejected("pysaml2 found no HTTP-Redirect SingleSignOnService for this identity provider")
