"""Course assignment by admins (POST/GET /api/v1/packages/{id}/assignments): people and whole groups in one
transaction, idempotent, audited, tenant-scoped, for course managers only."""

from __future__ import annotations

from sqlalchemy import func, select

from hub.db import Database
from hub.tenants import Tenant
from provisioning.ops.groups import add_members, create_group
from scorm_player.store.tables import scorm_registration
from tests.fixtures.people import SignedIn, make_person
from tests.scorm_player.player.conftest import GOLF_12, Importer


async def registrations(database: Database, tenant: Tenant) -> int:
    return await database.read(lambda conn: conn.execute(select(func.count()).select_from(scorm_registration).where(
        scorm_registration.c.tenant_id == tenant.id)).scalar_one())


async def test_people_and_a_group_are_assigned_once_and_listed(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer, database: Database) -> None:
    package = await import_fixture(tenant, GOLF_12)
    admin = await signed_in(tenant, roles=["ld_admin"])
    alice, bob, carol = [await make_person(database, tenant) for _ in range(3)]
    group = await database.transaction(lambda conn: create_group(conn, tenant.id, "Night shift", actor="test"))
    await database.transaction(lambda conn: add_members(conn, tenant.id, group["id"], [bob.person_id, carol.person_id],
                                                        actor="test"))
    path = f"/api/v1/packages/{package.id}/assignments"
    first = await admin.request("POST", path, json={"person_ids": [alice.person_id, bob.person_id],
                                                    "group_ids": [group["id"]]})
    assert first.status == 201, await first.text()
    body = await first.json()
    assert sorted(body["assigned"]) == sorted([alice.person_id, bob.person_id, carol.person_id])
    assert body["already_enrolled"] == []
    again = await admin.request("POST", path, json={"group_ids": [group["id"]]})
    assert again.status == 200
    assert sorted((await again.json())["already_enrolled"]) == sorted([bob.person_id, carol.person_id])
    assert await registrations(database, tenant) == 3

    listed = await (await admin.request("GET", path)).json()
    assert sorted(r["learner"]["id"] for r in listed["registrations"]) == sorted(
        [alice.person_id, bob.person_id, carol.person_id])
    assert {r["completion_status"] for r in listed["registrations"]} == {"not attempted"}
    audit = await (await admin.request("GET", "/api/v1/audit", params={"target": package.id})).json()
    assert [entry["action"] for entry in audit["items"]].count("package.assign") == 2


async def test_bad_input_other_tenants_and_learners_change_nothing(
        tenant: Tenant, other_tenant: Tenant, signed_in: SignedIn, import_fixture: Importer,
        database: Database) -> None:
    package = await import_fixture(tenant, GOLF_12)
    admin = await signed_in(tenant, roles=["ld_admin"])
    mine = await make_person(database, tenant)
    stranger = await make_person(database, other_tenant)
    path = f"/api/v1/packages/{package.id}/assignments"

    # One unknown (another tenant's) person fails the whole assignment: nobody is enrolled.
    mixed = await admin.request("POST", path, json={"person_ids": [mine.person_id, stranger.person_id]})
    assert mixed.status == 400
    assert (await mixed.json())["error"]["field"] == "person_ids"
    for body, field in (({}, "person_ids"), ({"person_ids": "x"}, "person_ids"), ({"group_ids": [1]}, "group_ids"),
                        ({"group_ids": ["no-such-group"]}, "group_ids")):
        response = await admin.request("POST", path, json=body)
        assert response.status == 400, body
        assert (await response.json())["error"]["field"] == field
    assert (await admin.request("POST", "/api/v1/packages/no-such-package/assignments",
                                json={"person_ids": [mine.person_id]})).status == 404
    learner = await signed_in(tenant)
    assert (await learner.request("POST", path, json={"person_ids": [mine.person_id]})).status == 403
    assert (await learner.request("GET", path)).status == 403
    # Another tenant's admin cannot see or assign this tenant's course.
    their_admin = await signed_in(other_tenant, roles=["ld_admin"])
    assert (await their_admin.request("GET", path)).status == 404
    assert (await their_admin.request("POST", path, json={"person_ids": [stranger.person_id]})).status == 404
    assert await registrations(database, tenant) == 0
