"""Admin API for groups: create, rename, members, delete; audited, tenant-scoped, validated."""

from __future__ import annotations

from hub.db import Database
from hub.tenants import Tenant
from tests.fixtures.people import SignedIn, make_person


async def test_groups_lifecycle_is_audited(signed_in: SignedIn, database: Database, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["ld_admin"])
    alice = await make_person(database, tenant, given_name="Alice")
    bob = await make_person(database, tenant, given_name="Bob")
    response = await admin.request("POST", "/api/v1/groups", json={"name": "Confined-space entrants"})
    assert response.status == 201, await response.text()
    group = await response.json()
    group_id = group["id"]
    assert group["members"] == 0 and group["people"] == []
    response = await admin.request("POST", f"/api/v1/groups/{group_id}/members",
                                   json={"people": [alice.person_id, bob.person_id]})
    assert response.status == 200 and (await response.json())["members"] == 2
    # Adding someone twice is harmless.
    response = await admin.request("POST", f"/api/v1/groups/{group_id}/members", json={"people": [alice.person_id]})
    assert (await response.json())["members"] == 2
    response = await admin.request("DELETE", f"/api/v1/groups/{group_id}/members/{bob.person_id}")
    assert [p["id"] for p in (await response.json())["people"]] == [alice.person_id]
    response = await admin.request("PATCH", f"/api/v1/groups/{group_id}", json={"name": "Entrants"})
    assert (await response.json())["name"] == "Entrants"
    listed = await (await admin.request("GET", "/api/v1/groups")).json()
    assert [(g["name"], g["members"]) for g in listed["items"]] == [("Entrants", 1)]
    person = await (await admin.request("GET", f"/api/v1/people/{alice.person_id}")).json()
    assert person["groups"] == [{"id": group_id, "name": "Entrants"}]
    assert (await admin.request("DELETE", f"/api/v1/groups/{group_id}")).status == 204
    assert (await admin.request("GET", f"/api/v1/groups/{group_id}")).status == 404
    audit = await (await admin.request("GET", "/api/v1/audit", params={"target": group_id})).json()
    assert [e["action"] for e in audit["items"]] == ["group.delete", "group.rename", "group.members_remove",
                                                     "group.members_add", "group.create"]


async def test_group_input_is_validated_and_names_are_unique(signed_in: SignedIn, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    for body in ({}, {"name": "  "}, {"name": 5}, {"name": "x" * 301}):
        response = await admin.request("POST", "/api/v1/groups", json=body)
        assert response.status == 400 and (await response.json())["error"]["field"] == "name"
    assert (await admin.request("POST", "/api/v1/groups", json={"name": "Night shift"})).status == 201
    response = await admin.request("POST", "/api/v1/groups", json={"name": "night SHIFT"})
    assert response.status == 409 and (await response.json())["error"]["field"] == "name"
    group_id = (await (await admin.request("GET", "/api/v1/groups")).json())["items"][0]["id"]
    for body in ({}, {"people": []}, {"people": [1]}, {"people": ["00000000-0000-4000-8000-000000000000"]}):
        response = await admin.request("POST", f"/api/v1/groups/{group_id}/members", json=body)
        assert response.status == 400 and (await response.json())["error"]["field"] == "people"


async def test_groups_never_cross_tenants(signed_in: SignedIn, database: Database, tenant: Tenant,
                                          other_tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    intruder = await signed_in(other_tenant, roles=["org_admin"])
    stranger = await make_person(database, other_tenant)
    group_id = (await (await admin.request("POST", "/api/v1/groups", json={"name": "Ours"})).json())["id"]
    # The other tenant's admin neither sees nor touches it.
    assert (await (await intruder.request("GET", "/api/v1/groups")).json())["items"] == []
    assert (await intruder.request("GET", f"/api/v1/groups/{group_id}")).status == 404
    assert (await intruder.request("PATCH", f"/api/v1/groups/{group_id}", json={"name": "Theirs"})).status == 404
    assert (await intruder.request("DELETE", f"/api/v1/groups/{group_id}")).status == 404
    # And a person of the other tenant cannot be made a member here.
    response = await admin.request("POST", f"/api/v1/groups/{group_id}/members", json={"people": [stranger.person_id]})
    assert response.status == 400 and (await response.json())["error"]["field"] == "people"
    assert (await (await admin.request("GET", f"/api/v1/groups/{group_id}")).json())["name"] == "Ours"


async def test_analysts_read_groups_but_only_group_writers_change_them(signed_in: SignedIn, tenant: Tenant) -> None:
    analyst = await signed_in(tenant, roles=["ld_analyst"])
    assert (await analyst.request("GET", "/api/v1/groups")).status == 200
    assert (await analyst.request("POST", "/api/v1/groups", json={"name": "G"})).status == 403
    manager = await signed_in(tenant, roles=["manager"])
    assert (await manager.request("GET", "/api/v1/groups")).status == 403
