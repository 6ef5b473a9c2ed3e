"""Admin API for LRS credentials and the audit log: scopes, revocation that takes effect at once, isolation."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from hub.keys import SIBLINGS
from hub.tenants import Tenant
from tests.fixtures.http import XAPIClient
from tests.fixtures.people import SignedIn
from tests.fixtures.statements import make_statement


async def test_a_created_credential_works_until_it_is_revoked(signed_in: SignedIn, http: TestClient,
                                                              tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["ld_admin"])
    response = await admin.request("POST", "/api/v1/lrs-credentials",
                                   json={"label": "SuccessFactors", "scopes": ["statements/write", "statements/read"],
                                         "xapi_version": "1.0.3"})
    assert response.status == 201, await response.text()
    issued = await response.json()
    assert issued["scopes"] == ["statements/read", "statements/write"] and issued["secret"]
    client = XAPIClient(http, issued["key"], issued["secret"])
    assert (await client.post_statements([make_statement()])).status == 200
    assert (await client.get_statements()).status == 200  # now cached by the authenticator
    listed = await (await admin.request("GET", "/api/v1/lrs-credentials")).json()
    mine = [c for c in listed["items"] if c["key"] == issued["key"]]
    assert mine and mine[0]["label"] == "SuccessFactors" and not mine[0]["revoked"]
    assert "secret" not in mine[0] and "secret_hash" not in mine[0]
    revocations = http.app[SIBLINGS].revocations()
    assert (await admin.request("DELETE", f"/api/v1/lrs-credentials/{issued['key']}")).status == 204
    # Refused at once, even though the key was cached a moment ago; other workers are told (hub.workers).
    assert (await client.get_statements()).status == 401
    assert http.app[SIBLINGS].revocations() == revocations + 1
    listed = await (await admin.request("GET", "/api/v1/lrs-credentials")).json()
    assert [c["revoked"] for c in listed["items"] if c["key"] == issued["key"]] == [True]
    assert (await admin.request("DELETE", f"/api/v1/lrs-credentials/{issued['key']}")).status == 404
    entries = (await (await admin.request("GET", "/api/v1/audit", params={"target": issued["key"]})).json())["items"]
    assert [e["action"] for e in entries] == ["lrs_credential.revoke", "lrs_credential.create"]
    assert {e["target_name"] for e in entries} == {"SuccessFactors"}


async def test_credential_input_is_validated(signed_in: SignedIn, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    cases = [({"scopes": ["all"]}, "label"), ({"label": "x", "scopes": ["everything"]}, "scopes"),
             ({"label": "x", "scopes": []}, "scopes"), ({"label": "x", "scopes": 7}, "scopes"),
             ({"label": "x", "scopes": ["all"], "xapi_version": "0.9"}, "xapi_version"),
             ({"label": "x", "scopes": ["all"], "secret": "mine"}, "secret")]
    for body, field in cases:
        response = await admin.request("POST", "/api/v1/lrs-credentials", json=body)
        assert response.status == 400, body
        assert (await response.json())["error"]["field"] == field
    assert (await (await admin.request("GET", "/api/v1/lrs-credentials")).json())["items"] == []


async def test_credentials_and_audit_never_cross_tenants(signed_in: SignedIn, tenant: Tenant,
                                                         other_tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    intruder = await signed_in(other_tenant, roles=["org_admin"])
    issued = await (await admin.request("POST", "/api/v1/lrs-credentials",
                                        json={"label": "Ours", "scopes": ["all"]})).json()
    assert (await (await intruder.request("GET", "/api/v1/lrs-credentials")).json())["items"] == []
    assert (await intruder.request("DELETE", f"/api/v1/lrs-credentials/{issued['key']}")).status == 404
    ours = await (await admin.request("GET", "/api/v1/lrs-credentials")).json()
    assert [c["revoked"] for c in ours["items"]] == [False]
    theirs = await (await intruder.request("GET", "/api/v1/audit", params={"limit": "200"})).json()
    assert issued["key"] not in {e["target_id"] for e in theirs["items"]}
    assert admin.person is not None and theirs["items"]
    assert all(admin.person.email not in e["actor"] for e in theirs["items"])
    response = await intruder.request("GET", "/api/v1/audit", params={"target": issued["key"]})
    assert (await response.json())["items"] == []


async def test_the_audit_log_filters_and_pages_newest_first(signed_in: SignedIn, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    for name in ("A", "B", "C"):
        assert (await admin.request("POST", "/api/v1/groups", json={"name": name})).status == 201
    first = await (await admin.request("GET", "/api/v1/audit", params={"action": "group.", "limit": "2"})).json()
    assert [e["details"]["name"] for e in first["items"]] == ["C", "B"] and first["next_before"]
    rest = await (await admin.request("GET", "/api/v1/audit", params={"action": "group.", "limit": "2",
                                                                       "before": str(first["next_before"])})).json()
    assert [e["details"]["name"] for e in rest["items"]] == ["A"] and rest["next_before"] is None
    exact = await (await admin.request("GET", "/api/v1/audit", params={"action": "signin"})).json()
    assert {e["action"] for e in exact["items"]} == {"signin"}
    by_actor = await (await admin.request("GET", "/api/v1/audit", params={"actor": "nobody-like-this"})).json()
    assert by_actor["items"] == []
    actions = await (await admin.request("GET", "/api/v1/audit/actions")).json()
    assert {"group.create", "signin"} <= set(actions["items"])
    for params, field in (({"before": "x"}, "before"), ({"since": "yesterday"}, "since")):
        response = await admin.request("GET", "/api/v1/audit", params=params)
        assert response.status == 400 and (await response.json())["error"]["field"] == field
    # Analysts and managers do not read the audit log.
    analyst = await signed_in(tenant, roles=["ld_analyst"])
    assert (await analyst.request("GET", "/api/v1/audit")).status == 403
