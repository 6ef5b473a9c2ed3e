"""SCIM negative tests (identity.md §5c): authentication, tenant isolation, input bounds, read-only
attributes, ETags, bulk limits, audit entries and token storage."""

from __future__ import annotations

import uuid

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from hub import audit
from hub.app import create_app
from hub.db import Database
from hub.tenants import Tenant
from provisioning.ops.scim_tokens import digest_of, issue_token
from provisioning.store.tables import group_member, scim_token
from tests.fixtures.databases import Backend
from tests.fixtures.http import settings_for
from tests.provisioning.scim.helpers import GROUP, PATCH_OP, USER, Scim, body, scim_for

CHALLENGE = 'Bearer realm="SCIM"'


async def test_requests_without_a_valid_token_are_refused(http: TestClient, database: Database,
                                                          tenant: Tenant) -> None:
    # C1, C2, row 18: 401 with the challenge, in SCIM's error schema; unknown paths too (no probing).
    for token in (None, "", "lhscim_not-a-token", "x" * 500):
        for path in ("/Users", f"/Users/{uuid.uuid4()}", "/Groups", "/Schemas", "/ResourceTypes", "/Bulk",
                     f"/{uuid.uuid4()}"):
            response = await Scim(http, token).get(path)
            assert response.status == 401, (token, path)
            assert response.headers["WWW-Authenticate"] == CHALLENGE
            assert (await body(response))["status"] == "401"
    basic = await Scim(http, None).request("GET", "/Users", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status == 401
    # RFC 7643 §5: the service provider configuration is public.
    assert (await Scim(http, None).get("/ServiceProviderConfig")).status == 200


async def test_a_token_serves_its_own_tenant_only(http: TestClient, database: Database, tenant: Tenant,
                                                  other_tenant: Tenant) -> None:
    # C3-C6, C13, row 19.
    ours = await scim_for(database, http, tenant)
    theirs = await scim_for(database, http, other_tenant)
    user = await ours.create_user("shared.name@example.test", externalId="ext-1")
    group = await ours.create_group("Ours", [user["id"]])
    for path in (f"/Users/{user['id']}", f"/Groups/{group['id']}"):
        assert (await theirs.get(path)).status == 404
        assert (await theirs.patch(path, {"op": "replace", "path": "displayName", "value": "x"})).status == 404
        assert (await theirs.delete(path)).status == 404
    for filter_ in ('externalId eq "ext-1"', f'id eq "{user["id"]}"', 'userName co "shared"',
                    'emails co "shared.name"', f'groups.value eq "{group["id"]}"'):
        found = await body(await theirs.get("/Users", filter=filter_))
        assert found["totalResults"] == 0, filter_
    assert (await body(await theirs.get("/Groups")))["totalResults"] == 0
    # C13: uniqueness is per tenant.
    twin = await theirs.create_user("Shared.Name@example.test")
    assert twin["id"] != user["id"]
    # C3, C4: a tenant slug in the URL must be the token's own; another or an unknown one is a 401.
    prefixed = Scim(http, ours.token, f"/scim/v2/{tenant.slug}")
    assert (await prefixed.get(f"/Users/{user['id']}")).status == 200
    for slug in (other_tenant.slug, "no-such-tenant"):
        response = await Scim(http, ours.token, f"/scim/v2/{slug}").get("/Users")
        assert response.status == 401 and response.headers["WWW-Authenticate"] == CHALLENGE
    # The bulk endpoint cannot reach the other tenant either.
    response = await theirs.post("/Bulk", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                                           "Operations": [{"method": "DELETE", "path": f"/Users/{user['id']}"}]})
    assert (await body(response))["Operations"][0]["status"] == "404"
    assert (await ours.get(f"/Users/{user['id']}")).status == 200


async def test_group_members_from_another_tenant_are_refused(http: TestClient, database: Database, tenant: Tenant,
                                                            other_tenant: Tenant) -> None:
    # C18: never a cross-tenant link, by POST, PUT or PATCH; the same answer as for no one.
    ours = await scim_for(database, http, tenant)
    theirs = await scim_for(database, http, other_tenant)
    stranger = await theirs.create_user()
    response = await ours.post("/Groups", {"schemas": [GROUP], "displayName": "X",
                                           "members": [{"value": stranger["id"]}]})
    assert response.status == 400 and (await body(response))["scimType"] == "invalidValue"
    nobody = await ours.post("/Groups", {"schemas": [GROUP], "displayName": "X",
                                         "members": [{"value": str(uuid.uuid4())}]})
    assert nobody.status == 400
    assert (await body(nobody))["scimType"] == "invalidValue"
    group = await ours.create_group("Ours")
    response = await ours.patch(f"/Groups/{group['id']}", {"op": "add", "path": "members",
                                                            "value": [{"value": stranger["id"]}]})
    assert response.status == 400
    response = await ours.put(f"/Groups/{group['id']}", {"schemas": [GROUP], "displayName": "Ours",
                                                          "members": [{"value": stranger["id"]}]})
    assert response.status == 400
    rows = await database.read(lambda conn: conn.execute(select(group_member).where(
        group_member.c.tenant_id == tenant.id)).all())
    assert rows == []


async def test_filter_injection_and_bounds(http: TestClient, database: Database, tenant: Tenant) -> None:
    # C7-C9: malformed filters are 400 invalidFilter; SQL payloads are just values; limits hold.
    scim = await scim_for(database, http, tenant)
    await scim.create_user("x@example.test", externalId="x")
    malformed = await scim.get("/Users", filter='userName eq "x" or (')
    assert malformed.status == 400 and (await body(malformed))["scimType"] == "invalidFilter"
    for payload in ("x' OR '1'='1", 'x" or "1"="1', "x'; DROP TABLE people_person; --", "%", "_", "\\",
                    "x%' OR 1=1 --"):
        for attribute in ("userName", "externalId", "emails.value", "title", "name.familyName"):
            for op in ("eq", "co", "sw", "ew"):
                escaped = payload.replace("\\", "\\\\").replace('"', '\\"')
                response = await scim.get("/Users", filter=f'{attribute} {op} "{escaped}"')
                assert response.status == 200, (attribute, op, payload, await response.text())
                found = await body(response)
                assert found["totalResults"] == 0, (attribute, op, payload, found)
    assert (await body(await scim.get("/Users")))["totalResults"] == 1  # the table is still there
    # LIKE wildcards in a value are literal characters.
    wild = await scim.create_user("dave_%@example.test")
    for filter_ in ('userName co "_%"', 'userName sw "dave_%"', 'emails.value co "e_%@"'):
        found = await body(await scim.get("/Users", filter=filter_))
        assert [r["id"] for r in found["Resources"]] == [wild["id"]], filter_
    too_long = await scim.get("/Users", filter='userName eq "' + "a" * 5000 + '"')
    assert too_long.status == 400 and (await body(too_long))["scimType"] == "invalidFilter"
    deep = "(" * 200 + 'userName eq "x"' + ")" * 200
    assert (await scim.get("/Users", filter=deep)).status in (200, 400)
    capped = await body(await scim.get("/Users", count="100000"))
    assert capped["itemsPerPage"] <= 1000 and capped["totalResults"] == 2


async def test_read_only_attributes_are_never_stored(http: TestClient, database: Database, tenant: Tenant) -> None:
    # C10, C11: id is refused; meta and groups are ignored.
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user()
    path = f"/Users/{user['id']}"
    response = await scim.patch(path, {"op": "replace", "path": "id", "value": "mine"})
    assert response.status == 400 and (await body(response))["scimType"] == "mutability"
    await scim.patch(path, {"op": "replace", "path": "meta.created", "value": "2000-01-01T00:00:00Z"})
    await scim.put(path, {"schemas": [USER], "userName": user["userName"], "active": True,
                          "groups": [{"value": str(uuid.uuid4())}],
                          "meta": {"created": "2000-01-01T00:00:00Z", "version": 'W/"999"'}})
    read = await body(await scim.get(path))
    assert read["id"] == user["id"] and read["meta"]["created"] == user["meta"]["created"]
    assert "groups" not in read and read["meta"]["version"] != 'W/"999"'
    # C12: an unknown op is a 400.
    response = await scim.request("PATCH", path, json={"schemas": [PATCH_OP],
                                                       "Operations": [{"op": "merge", "path": "title", "value": "x"}]})
    assert response.status == 400


async def test_stale_if_match_is_412(http: TestClient, database: Database, tenant: Tenant) -> None:
    # C16: ETags come from the row's version (RFC 7644 §3.14).
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user()
    path = f"/Users/{user['id']}"
    first = user["meta"]["version"]
    response = await scim.patch(path, {"op": "replace", "path": "title", "value": "A"}, headers={"If-Match": first})
    assert response.status == 200
    second = response.headers["ETag"]
    assert second != first
    stale = await scim.patch(path, {"op": "replace", "path": "title", "value": "B"}, headers={"If-Match": first})
    assert stale.status == 412
    assert (await scim.delete(path, headers={"If-Match": first})).status == 412
    assert (await scim.request("GET", path, headers={"If-None-Match": second})).status == 304
    assert (await body(await scim.get(path)))["title"] == "A"
    group = await scim.create_group()
    stale = await scim.put(f"/Groups/{group['id']}", {"schemas": [GROUP], "displayName": "Renamed"},
                           headers={"If-Match": 'W/"0"'})
    assert stale.status == 412
    assert (await scim.delete(path, headers={"If-Match": second})).status == 204


async def test_bulk_limits(http: TestClient, database: Database, tenant: Tenant) -> None:
    # C17: more than maxOperations, or a payload over 1 MiB, is a 413.
    scim = await scim_for(database, http, tenant)
    bulk = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
    operations = [{"method": "POST", "path": "/Users", "bulkId": str(i),
                   "data": {"schemas": [USER], "userName": f"b{i}@example.test"}} for i in range(1001)]
    assert (await scim.post("/Bulk", {"schemas": [bulk], "Operations": operations})).status == 413
    big = [{"method": "POST", "path": "/Users", "bulkId": "1",
            "data": {"schemas": [USER], "userName": "big@example.test", "nickName": "x" * 1_100_000}}]
    assert (await scim.post("/Bulk", {"schemas": [bulk], "Operations": big})).status == 413
    ok = await scim.post("/Bulk", {"schemas": [bulk], "Operations": operations[:2]})
    assert ok.status == 200 and [o["status"] for o in (await body(ok))["Operations"]] == ["201", "201"]


async def test_every_write_is_audited_with_the_token(http: TestClient, database: Database, tenant: Tenant) -> None:
    # C19: actor = scim-token:<token id>.
    issued = await issue_token(database, tenant.id, label="Entra", actor="test")
    scim = Scim(http, issued.token)
    user = await scim.create_user()
    await scim.patch(f"/Users/{user['id']}", {"op": "replace", "path": "active", "value": False})
    group = await scim.create_group("Audited", [user["id"]])
    await scim.patch(f"/Groups/{group['id']}", {"op": "remove", "path": "members"})
    await scim.delete(f"/Groups/{group['id']}")
    await scim.delete(f"/Users/{user['id']}")
    entries = await database.read(lambda conn: audit.list_entries(conn, tenant.id))
    mine = [(e["action"], e["target_id"]) for e in entries if e["actor"] == f"scim-token:{issued.token_id}"]
    assert list(reversed(mine)) == [
        ("person.create", user["id"]), ("person.deactivate", user["id"]), ("person.update", user["id"]),
        ("group.create", group["id"]), ("group.update", group["id"]), ("group.delete", group["id"]),
        ("person.delete", user["id"])]


async def test_tokens_are_stored_as_digests_and_rotate(http: TestClient, database: Database, tenant: Tenant) -> None:
    # C20: only SHA-256 digests are stored; two tokens work side by side; a revoked one stops at once.
    first = await issue_token(database, tenant.id, label="old", actor="test")
    second = await issue_token(database, tenant.id, label="new", actor="test")
    rows = await database.read(lambda conn: conn.execute(select(scim_token).where(
        scim_token.c.tenant_id == tenant.id)).all())
    assert {r.digest for r in rows} == {digest_of(first.token), digest_of(second.token)}
    assert all(first.token not in str(tuple(r)) and second.token not in str(tuple(r)) for r in rows)
    for issued in (first, second):
        assert (await Scim(http, issued.token).get("/Users")).status == 200
    from provisioning.ops.scim_tokens import revoke_token
    await database.transaction(lambda conn: revoke_token(conn, tenant.id, first.token_id, actor="test"))
    assert (await Scim(http, first.token).get("/Users")).status == 401
    assert (await Scim(http, second.token).get("/Users")).status == 200
    used = await database.read(lambda conn: conn.execute(select(scim_token.c.last_used_at).where(
        scim_token.c.token_id == second.token_id)).scalar())
    assert used is not None


async def test_a_token_over_its_rate_gets_429_with_retry_after_and_other_tokens_do_not(
        backend: Backend, database: Database, tenant: Tenant) -> None:
    # C19: a token bucket per token (here 3 at once, then 1 per second).
    app = create_app(settings_for(backend.url, scim_requests_per_second=1.0, scim_burst=3.0), database=database)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        flooding = await scim_for(database, client, tenant)
        other = await scim_for(database, client, tenant)
        statuses = [(await flooding.get("/Users")).status for _ in range(3)]
        assert statuses == [200, 200, 200]
        limited = await flooding.get("/Users")
        assert limited.status == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert (await body(limited))["status"] == "429"
        assert (await other.get("/Users")).status == 200
    finally:
        await client.close()
