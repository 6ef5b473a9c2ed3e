"""Fixtures for the SAML tests: session-wide certificates and IdP metadata, and a flow driver over HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from hub import audit
from hub.db import Database
from hub.tenants import Tenant
from provisioning.ops.saml_settings import update_provider
from tests.provisioning.saml.idp import (
    IDP_ENTITY_ID,
    OTHER_IDP_ENTITY_ID,
    Certificates,
    ParsedRequest,
    TestIdP,
    idp_metadata,
    make_certificates,
)

ROLE_MAP = {"lms-admins": "ld_admin", "crew-leads": "supervisor"}


@dataclass(frozen=True)
class IdpMaterial:
    certificates: Certificates
    metadata: str          # the real IdP
    other_metadata: str    # another tenant's IdP (another entity id and key)


@pytest.fixture(scope="session")
def idp_material(tmp_path_factory: pytest.TempPathFactory) -> IdpMaterial:
    """Certificates and metadata made once per session: key generation is the slow part."""
    certificates = make_certificates(Path(tmp_path_factory.mktemp("saml-certs")))
    return IdpMaterial(certificates, idp_metadata(certificates.idp),
                       idp_metadata(certificates.other, OTHER_IDP_ENTITY_ID))


@dataclass
class SamlFlow:
    """Drives the real app over HTTP as a browser and an IdP would."""

    http: TestClient
    database: Database
    material: IdpMaterial
    sp_metadata: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return str(self.http.make_url("")).rstrip("/")

    def acs_url(self, tenant: Tenant) -> str:
        return f"{self.base_url}/saml/{tenant.slug}/acs"

    def entity_id(self, tenant: Tenant) -> str:
        return f"{self.base_url}/saml/{tenant.slug}/metadata"

    async def configure(self, tenant: Tenant, *, metadata: str | None = None, **settings: Any) -> None:
        values: dict[str, Any] = {"enabled": True, "idp_metadata": metadata or self.material.metadata,
                                  "want_response_signed": True, "role_map": ROLE_MAP}
        values.update(settings)
        await update_provider(self.database, tenant.id, tenant.slug, values, actor="test")
        response = await self.http.get(f"/saml/{tenant.slug}/metadata")
        assert response.status == 200, await response.text()
        self.sp_metadata[tenant.slug] = await response.text()

    def idp(self, *, evil: bool = False, other: bool = False, lifetime: dict[str, int] | None = None) -> TestIdP:
        """An IdP that trusts every SP configured so far."""
        certs = self.material.certificates
        keys = certs.evil if evil else certs.other if other else certs.idp
        return TestIdP(keys, self.sp_metadata.values(), entity_id=OTHER_IDP_ENTITY_ID if other else IDP_ENTITY_ID,
                       lifetime=lifetime)

    async def start(self, tenant: Tenant, idp: TestIdP, next_path: str | None = None) -> ParsedRequest:
        params = {"next": next_path} if next_path is not None else None
        response = await self.http.get(f"/saml/{tenant.slug}/login", params=params, allow_redirects=False)
        assert response.status == 303, await response.text()
        return idp.parse_request(response.headers["Location"])

    async def post(self, tenant: Tenant, saml_response: str, *, relay_state: str | None = None,
                   headers: dict[str, str] | None = None) -> ClientResponse:
        form = {"SAMLResponse": saml_response}
        if relay_state is not None:
            form["RelayState"] = relay_state
        return await self.http.post(f"/saml/{tenant.slug}/acs", data=form, allow_redirects=False, headers=headers)

    async def respond_and_post(self, tenant: Tenant, idp: TestIdP, request: ParsedRequest, email: str,
                               **kwargs: Any) -> ClientResponse:
        saml_response = idp.response(in_response_to=request.id, destination=request.acs_url,
                                     audience=request.issuer, email=email, **kwargs)
        return await self.post(tenant, saml_response)

    async def me(self, response: ClientResponse) -> dict[str, Any]:
        token = response.cookies["learnhub_session"].value
        answer = await self.http.get("/auth/me", headers={"Cookie": f"learnhub_session={token}"})
        assert answer.status == 200, await answer.text()
        return await answer.json()  # type: ignore[no-any-return]

    async def audit_actions(self, tenant: Tenant) -> list[dict[str, Any]]:
        return await self.database.read(lambda conn: audit.list_entries(conn, tenant.id, limit=200))

    async def rejections(self, tenant: Tenant) -> list[str]:
        return [e["details"]["reason"] for e in await self.audit_actions(tenant) if e["action"] == "saml.rejected"]


@pytest.fixture
def saml(http: TestClient, database: Database, idp_material: IdpMaterial) -> SamlFlow:
    return SamlFlow(http, database, idp_material)


def rejected_page(status: int, text: str) -> bool:
    """The generic failure page: 403, HTML, no detail about why."""
    return status == 403 and "Sign-in failed" in text and "Signature" not in text


def any_reason(reasons: Iterable[str], *needles: str) -> bool:
    return any(all(n.lower() in r.lower() for n in needles) for r in reasons)
