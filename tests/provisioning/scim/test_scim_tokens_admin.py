"""The SCIM-token admin API (permissions, CSRF, shown once, revocation at once, isolation) and the CLI contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from tests.fixtures.databases import Backend
from tests.fixtures.people import SignedIn
from tests.provisioning.scim.helpers import Scim

API = "/api/v1/admin/scim-tokens"


async def test_an_issued_token_works_until_it_is_revoked(signed_in: SignedIn, http: TestClient,
                                                         tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    response = await admin.request("POST", API, json={"label": "Entra ID production"})
    assert response.status == 201, await response.text()
    issued = await response.json()
    assert set(issued) == {"token_id", "token", "label", "created_at"} and issued["label"] == "Entra ID production"
    scim = Scim(http, issued["token"])
    assert (await scim.get("/Users")).status == 200
    listed = (await (await admin.request("GET", API)).json())["items"]
    assert [t["token_id"] for t in listed] == [issued["token_id"]]
    assert listed[0]["last_used_at"] and not listed[0]["revoked"]
    assert issued["token"] not in json.dumps(listed)  # shown once, never listed
    assert (await admin.request("DELETE", f"{API}/{issued['token_id']}")).status == 204
    assert (await scim.get("/Users")).status == 401  # at once
    listed = (await (await admin.request("GET", API)).json())["items"]
    assert listed[0]["revoked"] and listed[0]["revoked_at"]
    assert (await admin.request("DELETE", f"{API}/{issued['token_id']}")).status == 404
    entries = (await (await admin.request("GET", "/api/v1/audit", params={"target": issued["token_id"]})).json())
    assert [e["action"] for e in entries["items"]] == ["scim_token.revoke", "scim_token.create"]


async def test_only_token_managers_with_csrf_may_use_it(signed_in: SignedIn, http: TestClient,
                                                        tenant: Tenant) -> None:
    assert (await http.get(API)).status == 401
    for role in ("learner", "ld_admin", "manager", "executive"):
        other = await signed_in(tenant, roles=[role])
        assert (await other.request("GET", API)).status == 403, role
        assert (await other.request("POST", API, json={"label": "x"})).status == 403, role
    admin = await signed_in(tenant, roles=["org_admin"])
    assert (await admin.request("POST", API, json={"label": "x"}, csrf=False)).status == 403
    for payload, field in (({}, "label"), ({"label": "  "}, "label"), ({"label": 7}, "label"),
                           ({"label": "x", "token": "mine"}, "token"), ({"label": "x" * 201}, "label")):
        response = await admin.request("POST", API, json=payload)
        assert response.status == 400 and (await response.json())["error"]["field"] == field, payload
    assert (await (await admin.request("GET", API)).json())["items"] == []


async def test_tokens_never_cross_tenants(signed_in: SignedIn, tenant: Tenant, other_tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    intruder = await signed_in(other_tenant, roles=["org_admin"])
    issued = await (await admin.request("POST", API, json={"label": "Okta"})).json()
    assert (await (await intruder.request("GET", API)).json())["items"] == []
    assert (await intruder.request("DELETE", f"{API}/{issued['token_id']}")).status == 404
    assert [t["revoked"] for t in (await (await admin.request("GET", API)).json())["items"]] == [False]


async def test_cli_prints_exactly_the_token_as_json(backend: Backend, database: Database, tenant: Tenant,
                                                    http: TestClient) -> None:
    env = dict(os.environ, LEARNHUB_LOG_LEVEL="WARNING")
    command = [sys.executable, "-m", "hub.cli", "scim-token", "create", "--tenant", tenant.slug, "--label", "CLI",
               "--db", backend.url]
    done = subprocess.run([*command, "--json"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert list(printed) == ["token"] and done.stdout.strip() == json.dumps({"token": printed["token"]})
    assert (await Scim(http, printed["token"]).get("/Users")).status == 200
    human = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert human.returncode == 0 and "shown once" in human.stdout
    missing = subprocess.run([*command[:6], "no-such-tenant", "--db", backend.url], capture_output=True, text=True,
                             env=env, timeout=120, check=False)
    assert missing.returncode == 2 and "no tenant" in missing.stderr
