"""A SCIM client over the aiohttp test client, and factories for SCIM tokens and users."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from provisioning.ops.scim_tokens import issue_token

SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


class Scim:
    """Requests to /scim/v2 with a bearer token (or none), bodies as application/scim+json."""

    def __init__(self, client: TestClient, token: str | None, prefix: str = "/scim/v2") -> None:
        self.client = client
        self.token = token
        self.prefix = prefix

    async def request(self, method: str, path: str, *, json: Any = None, headers: dict[str, str] | None = None,
                      params: dict[str, str] | None = None, content_type: str = SCIM) -> ClientResponse:
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        data = None
        if json is not None:
            data = orjson.dumps(json)
            sent.setdefault("Content-Type", content_type)
        return await self.client.request(method, self.prefix + path, data=data, headers=sent, params=params)

    async def get(self, path: str, **params: str) -> ClientResponse:
        return await self.request("GET", path, params=params or None)

    async def post(self, path: str, body: Any, **kwargs: Any) -> ClientResponse:
        return await self.request("POST", path, json=body, **kwargs)

    async def patch(self, path: str, *operations: dict[str, Any], **kwargs: Any) -> ClientResponse:
        return await self.request("PATCH", path, json={"schemas": [PATCH_OP], "Operations": list(operations)},
                                  **kwargs)

    async def put(self, path: str, body: Any, **kwargs: Any) -> ClientResponse:
        return await self.request("PUT", path, json=body, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> ClientResponse:
        return await self.request("DELETE", path, **kwargs)

    async def create_user(self, user_name: str | None = None, **fields: Any) -> dict[str, Any]:
        """POST a complete user (as IdPs send them) and return the created resource."""
        name = user_name or f"u-{uuid.uuid4().hex[:10]}@example.test"
        body: dict[str, Any] = {"schemas": [USER], "userName": name, "name": {"givenName": "Barbara",
                                "familyName": "Jensen"}, "emails": [{"value": name, "type": "work", "primary": True}],
                                "active": True}
        body.update(fields)
        response = await self.post("/Users", body)
        assert response.status == 201, await response.text()
        return dict(await response.json())

    async def create_user_response(self, user_name: str | None = None, **fields: Any) -> ClientResponse:
        name = user_name or f"u-{uuid.uuid4().hex[:10]}@example.test"
        return await self.post("/Users", {"schemas": [USER], "userName": name, **fields})

    async def create_group(self, display_name: str | None = None, members: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
        body = {"schemas": [GROUP], "displayName": display_name or f"g-{uuid.uuid4().hex[:8]}",
                "members": [{"value": m} for m in members]}
        response = await self.post("/Groups", body)
        assert response.status == 201, await response.text()
        return dict(await response.json())


async def scim_for(database: Database, http: TestClient, tenant: Tenant, label: str = "IdP") -> Scim:
    issued = await issue_token(database, tenant.id, label=label, actor="test")
    return Scim(http, issued.token)


async def body(response: ClientResponse) -> dict[str, Any]:
    assert response.content_type == SCIM, (response.status, response.content_type, await response.text())
    return dict(orjson.loads(await response.read()))
