"""One pysaml2 `Saml2Client` per tenant, built from that tenant's DB row, cached until the row changes.

Each client knows only its own tenant's IdP metadata (identity.md §5b, SP rules), so a response
issued by another tenant's IdP has no trusted key here and names the wrong audience. The cache key
carries a fingerprint of every setting that goes into the configuration, so a changed row (in this
process or another) builds a new client on its next use.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from provisioning.saml.mapping import NAMEID_EMAIL

ACCEPTED_TIME_DIFF = 60  # seconds of clock skew for NotBefore/NotOnOrAfter (identity.md §5b)
CACHE_SIZE = 256
METADATA_VALID_HOURS = 24 * 30  # validUntil of our metadata (SAML metadata §2.2.1)
METADATA_REFRESH_SECONDS = 24 * 3600
SIG_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


@dataclass(frozen=True)
class Endpoints:
    """The SP's URLs for one tenant under one public base URL; the entity id is the metadata URL."""

    base_url: str
    tenant_slug: str

    @property
    def entity_id(self) -> str:
        return self.metadata_url

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/saml/{self.tenant_slug}/metadata"

    @property
    def acs_url(self) -> str:
        return f"{self.base_url}/saml/{self.tenant_slug}/acs"

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/saml/{self.tenant_slug}/login"


@dataclass(frozen=True)
class ProviderConfig:
    """A tenant's SAML settings as stored (people_saml_provider), ready for the SP."""

    tenant_id: int
    tenant_slug: str
    enabled: bool
    idp_entity_id: str | None
    idp_metadata: str | None
    sp_certificate: str
    sp_private_key: str
    want_response_signed: bool
    allow_idp_initiated: bool
    attribute_map: dict[str, str] = field(default_factory=dict)
    role_map: dict[str, str] = field(default_factory=dict)
    default_role: str = "learner"

    @property
    def ready(self) -> bool:
        """Sign-in is possible: enabled with an IdP."""
        return self.enabled and bool(self.idp_metadata) and bool(self.idp_entity_id)

    def fingerprint(self) -> str:
        """Changes whenever anything that goes into the pysaml2 configuration changes."""
        digest = hashlib.sha256()
        for part in (self.idp_entity_id or "", self.idp_metadata or "", self.sp_certificate, self.sp_private_key,
                     str(self.want_response_signed), str(self.allow_idp_initiated)):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()


@dataclass(frozen=True)
class AcceptedResponse:
    """What a verified Response says; only produced after pysaml2 accepted it."""

    issuer: str
    in_response_to: str | None
    name_id: str
    name_id_format: str | None
    identity: dict[str, list[str]]
    session_index: str | None
    assertion_id: str
    not_on_or_after: int  # POSIX seconds; when the replay-cache entry may go


class SamlNotConfigured(Exception):
    """The tenant has no usable IdP (disabled, or no metadata)."""


class _NoIdentityCache:
    """pysaml2 keeps every signed-in subject in an in-memory cache by default; we keep sessions in the DB."""

    def set(self, *args: Any, **kwargs: Any) -> None:
        return None


class ServiceProvider:
    """A tenant's SP: its pysaml2 client, its metadata, the login request and response parsing."""

    def __init__(self, config: ProviderConfig, endpoints: Endpoints, key_dir: str) -> None:
        from saml2 import BINDING_HTTP_POST
        from saml2.client import Saml2Client
        from saml2.config import SPConfig
        from saml2.sigver import get_xmlsec_binary

        self.config = config
        self.endpoints = endpoints
        stem = os.path.join(key_dir, f"{config.tenant_id}-{config.fingerprint()[:20]}")
        self.key_file, self.cert_file = f"{stem}.key", f"{stem}.crt"
        _write_private(self.key_file, config.sp_private_key)
        _write_private(self.cert_file, config.sp_certificate)
        settings: dict[str, Any] = {
            "entityid": endpoints.entity_id,
            "xmlsec_binary": get_xmlsec_binary(),
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "metadata": {"inline": [config.idp_metadata]} if config.idp_metadata else {},
            "accepted_time_diff": ACCEPTED_TIME_DIFF,
            # Top-level, not under service.sp: without it a non-standard attribute such as `role` is
            # silently dropped (identity.md §4.3).
            "allow_unknown_attributes": True,
            # SHA-256 on everything we sign: AuthnRequests and metadata.
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "only_use_keys_in_metadata": True,
            "delete_tmpfiles": True,
            "service": {"sp": {
                "name": f"learnhub ({config.tenant_slug})",
                "endpoints": {"assertion_consumer_service": [(endpoints.acs_url, BINDING_HTTP_POST)]},
                "want_assertions_signed": True,
                "want_response_signed": config.want_response_signed,
                "allow_unsolicited": config.allow_idp_initiated,
                "authn_requests_signed": True,
                "name_id_format": [NAMEID_EMAIL],
                "name_id_format_allow_create": True,
            }},
        }
        sp_config = SPConfig()
        sp_config.load(settings)
        self.client = Saml2Client(config=sp_config, identity_cache=_NoIdentityCache())
        self._metadata: str | None = None
        self._metadata_made = 0.0
        self._lock = threading.Lock()

    def metadata(self) -> str:
        """The SP metadata, signed with the tenant's key (RSA-SHA256); rebuilt daily so validUntil moves on."""
        with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata_made > METADATA_REFRESH_SECONDS:
                from saml2.metadata import create_metadata_string

                xml = create_metadata_string(None, config=self.client.config, valid=METADATA_VALID_HOURS,
                                             sign=True, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
                self._metadata = xml.decode() if isinstance(xml, bytes) else str(xml)
                self._metadata_made = time.monotonic()
            return self._metadata

    def start_login(self, relay_state: str = "") -> tuple[str, str]:
        """A signed AuthnRequest for the HTTP-Redirect binding: (request id, the IdP URL to send the browser to)."""
        from saml2 import BINDING_HTTP_REDIRECT

        if not self.config.ready:
            raise SamlNotConfigured(f"single sign-on is not configured for {self.config.tenant_slug}")
        request_id, info = self.client.prepare_for_authenticate(
            entityid=self.config.idp_entity_id, relay_state=relay_state, binding=BINDING_HTTP_REDIRECT,
            sign=True, sigalg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
        location = dict(info["headers"])["Location"]
        return str(request_id), str(location)

    def accept(self, saml_response: str, outstanding: dict[str, str]) -> AcceptedResponse:
        """Verify a base64 SAMLResponse (HTTP-POST binding). Raises on anything pysaml2 refuses, and on
        a response it returns without an assertion."""
        from saml2 import BINDING_HTTP_POST

        if not self.config.ready:
            raise SamlNotConfigured(f"single sign-on is not configured for {self.config.tenant_slug}")
        response = self.client.parse_authn_request_response(saml_response, BINDING_HTTP_POST,
                                                            outstanding=outstanding)
        if response is None or response.assertion is None or response.name_id is None:
            raise ValueError("the response carries no usable assertion")
        assertion = response.assertion
        session_index = None
        if assertion.authn_statement:
            session_index = assertion.authn_statement[0].session_index
        return AcceptedResponse(
            issuer=str(response.issuer() or ""),
            in_response_to=response.in_response_to or None,
            name_id=str(response.name_id.text or "").strip(),
            name_id_format=response.name_id.format,
            identity={str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])]
                      for k, vs in (response.get_identity() or {}).items()},
            session_index=session_index,
            assertion_id=str(assertion.id),
            not_on_or_after=_latest_expiry(response),
        )


def _latest_expiry(response: Any) -> int:
    """The latest NotOnOrAfter of the assertion (Conditions or SubjectConfirmationData), plus the skew."""
    from saml2.time_util import str_to_time

    candidates = [int(response.not_on_or_after or 0)]
    assertion = response.assertion
    confirmations = assertion.subject.subject_confirmation if assertion.subject is not None else []
    for confirmation in confirmations or []:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            candidates.append(calendar.timegm(str_to_time(data.not_on_or_after)))
    latest = max(candidates)
    # No expiry given: keep the id for a day, longer than any sensible assertion lifetime.
    return (latest if latest > 0 else int(time.time()) + 86400) + ACCEPTED_TIME_DIFF


def _write_private(path: str, text: str) -> None:
    if os.path.exists(path):
        return
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def in_response_to(saml_response: str) -> str | None:
    """The InResponseTo of a base64 Response, read with a parser that refuses DTDs and entities.

    Only used to look up the outstanding request before pysaml2 verifies everything; raises on
    anything that is not a well-formed, DTD-free document.
    """
    from defusedxml.ElementTree import fromstring

    xml = base64.b64decode(saml_response, validate=False)
    # SAML messages have no use for a DTD; refusing it here also stops XXE and billion laughs early.
    root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    value = root.get("InResponseTo")
    return value.strip() if value else None


class ServiceProviderCache:
    """The SP clients of this process, keyed by (tenant, public base URL), least recently used dropped."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, str], ServiceProvider] = OrderedDict()
        self._lock = threading.Lock()
        self._key_dir = tempfile.mkdtemp(prefix="learnhub-saml-")
        os.chmod(self._key_dir, 0o700)

    def get(self, config: ProviderConfig, endpoints: Endpoints) -> ServiceProvider:
        key = (config.tenant_id, endpoints.base_url)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found.config == config and found.endpoints == endpoints:
                self._entries.move_to_end(key)
                return found
        built = ServiceProvider(config, endpoints, self._key_dir)
        with self._lock:
            self._entries[key] = built
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return built

    def forget(self, tenant_id: int) -> None:
        """Drop a tenant's clients now (its settings changed); the fingerprint would catch it anyway."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == tenant_id]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)

    def close(self) -> None:
        with self._lock:
            self._entries.clear()
        shutil.rmtree(self._key_dir, ignore_errors=True)
