"""Admin API for people: permissions per role, CSRF, tenant isolation, reporting lines, validation, audit."""

from __future__ import annotations

import pytest

from hub.db import Database
from hub.tenants import Tenant
from provisioning.ops.people import get_person
from tests.fixtures.people import SignedIn, WebClient, make_person

STRONG = "Another-Good-Pass-7"


async def audit_actions(web: WebClient, target: str) -> list[str]:
    response = await web.request("GET", "/api/v1/audit", params={"target": target})
    assert response.status == 200, await response.text()
    return [e["action"] for e in (await response.json())["items"]]


async def test_an_admin_lists_only_their_own_tenants_people(signed_in: SignedIn, database: Database,
                                                            tenant: Tenant, other_tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    mine = await make_person(database, tenant, given_name="Mine")
    theirs = await make_person(database, other_tenant, given_name="Theirs")
    body = await (await admin.request("GET", "/api/v1/people", params={"limit": "500"})).json()
    ids = {p["id"] for p in body["items"]}
    assert mine.person_id in ids and theirs.person_id not in ids
    assert body["total"] == len(ids) == 2
    response = await admin.request("GET", f"/api/v1/people/{theirs.person_id}")
    assert response.status == 404
    # Writing to another tenant's person is the same 404, and changes nothing.
    response = await admin.request("PATCH", f"/api/v1/people/{theirs.person_id}", json={"job_title": "Hacked"})
    assert response.status == 404
    for path in (f"/api/v1/people/{theirs.person_id}/deactivate", f"/api/v1/people/{theirs.person_id}/password"):
        response = await admin.request("POST", path, json={"password": STRONG})
        assert response.status == 404
    response = await admin.request("PUT", f"/api/v1/people/{theirs.person_id}/roles", json={"roles": ["org_admin"]})
    assert response.status == 404
    unchanged = await database.read(lambda conn: get_person(conn, other_tenant.id, theirs.person_id))
    assert unchanged.active and unchanged.job_title is None and unchanged.roles == ["learner"]


async def test_a_manager_sees_their_whole_reporting_line_and_nobody_else(
        http, signed_in: SignedIn, database: Database, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    manager = await signed_in(tenant, roles=["manager"])
    assert manager.person is not None
    foreman = await make_person(database, tenant, roles=["supervisor"], manager=manager.person, given_name="Foreman")
    worker = await make_person(database, tenant, manager=foreman, given_name="Worker")
    outsider = await make_person(database, tenant, given_name="Outsider")
    body = await (await manager.request("GET", "/api/v1/people")).json()
    assert {p["id"] for p in body["items"]} == {foreman.person_id, worker.person_id}
    assert body["total"] == 2
    assert (await manager.request("GET", f"/api/v1/people/{worker.person_id}")).status == 200
    # Someone outside the line answers exactly like someone who does not exist.
    hidden = await manager.request("GET", f"/api/v1/people/{outsider.person_id}")
    missing = await manager.request("GET", "/api/v1/people/00000000-0000-4000-8000-000000000000")
    assert hidden.status == missing.status == 404
    assert (await hidden.json())["error"]["code"] == (await missing.json())["error"]["code"]
    # A foreman sees only their crew; search cannot reach past the line.
    foreman_web = WebClient(http, person=foreman)
    assert (await foreman_web.sign_in(tenant.slug, foreman.email or "")).status == 200
    body = await (await foreman_web.request("GET", "/api/v1/people", params={"q": "outsider"})).json()
    assert body["items"] == []
    body = await (await foreman_web.request("GET", "/api/v1/people")).json()
    assert [p["id"] for p in body["items"]] == [worker.person_id]
    # Managers read; they do not write.
    response = await manager.request("PATCH", f"/api/v1/people/{worker.person_id}", json={"job_title": "x"})
    assert response.status == 403


async def test_an_admin_who_manages_people_sees_only_their_line_under_team_mine(
        signed_in: SignedIn, database: Database, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin", "manager"])
    assert admin.person is not None
    report = await make_person(database, tenant, manager=admin.person)
    await make_person(database, tenant)
    body = await (await admin.request("GET", "/api/v1/people", params={"team": "mine"})).json()
    assert [p["id"] for p in body["items"]] == [report.person_id]
    body = await (await admin.request("GET", "/api/v1/people")).json()
    assert body["total"] == 3


@pytest.mark.parametrize("path", ["/api/v1/people", "/api/v1/departments", "/api/v1/groups", "/api/v1/roles",
                                  "/api/v1/lrs-credentials", "/api/v1/audit", "/api/v1/audit/actions",
                                  "/api/v1/statements"])
async def test_a_learner_is_refused_every_admin_read_and_a_visitor_must_sign_in(
        signed_in: SignedIn, http, tenant: Tenant, path: str) -> None:  # type: ignore[no-untyped-def]
    learner = await signed_in(tenant, roles=["learner"])
    assert (await learner.request("GET", path)).status == 403
    assert (await http.get(path)).status == 401


async def test_a_learner_is_refused_every_admin_change(signed_in: SignedIn, database: Database,
                                                       tenant: Tenant) -> None:
    learner = await signed_in(tenant, roles=["learner"])
    other = await make_person(database, tenant)
    attempts = [("POST", "/api/v1/people", {"email": "x@example.test", "given_name": "X", "family_name": "Y"}),
                ("PATCH", f"/api/v1/people/{other.person_id}", {"job_title": "x"}),
                ("POST", f"/api/v1/people/{other.person_id}/deactivate", {}),
                ("PUT", f"/api/v1/people/{other.person_id}/roles", {"roles": ["org_admin"]}),
                ("POST", f"/api/v1/people/{other.person_id}/password", {"password": STRONG}),
                ("POST", "/api/v1/groups", {"name": "G"}),
                ("POST", "/api/v1/lrs-credentials", {"label": "x", "scopes": ["all"]})]
    for method, path, body in attempts:
        response = await learner.request(method, path, json=body)
        assert response.status == 403, (method, path)
    # The dashboard is for everyone, and shows a learner no organisation counts.
    body = await (await learner.request("GET", "/api/v1/dashboard")).json()
    assert "counts" not in body and "team" not in body


async def test_changes_without_the_csrf_token_are_refused_and_change_nothing(
        signed_in: SignedIn, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    response = await admin.request("POST", "/api/v1/people", csrf=False,
                                   json={"email": "csrf@example.test", "given_name": "C", "family_name": "S"})
    assert response.status == 403 and (await response.json())["error"]["field"] == "X-CSRF-Token"
    body = await (await admin.request("GET", "/api/v1/people", params={"q": "csrf@"})).json()
    assert body["total"] == 0


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"given_name": "No", "family_name": "Mail"}, 400, "email"),
    ({"email": "not-an-address", "given_name": "A", "family_name": "B"}, 400, "email"),
    ({"email": "weak@example.test", "given_name": "A", "family_name": "B", "password": "short"}, 400, "password"),
    ({"email": "role@example.test", "given_name": "A", "family_name": "B", "roles": ["wizard"]}, 400, "roles"),
    ({"email": "unknown@example.test", "given_name": "A", "family_name": "B", "shoe_size": 9}, 400, "shoe_size"),
    ({"email": "mgr@example.test", "given_name": "A", "family_name": "B",
      "manager_id": "00000000-0000-4000-8000-000000000000"}, 400, "manager_id"),
    ({"email": "long@example.test", "given_name": "A" * 201, "family_name": "B"}, 400, "given_name"),
])
async def test_bad_people_input_names_the_field_and_creates_nobody(
        signed_in: SignedIn, tenant: Tenant, body: dict, status: int, field: str) -> None:  # type: ignore[type-arg]
    admin = await signed_in(tenant, roles=["org_admin"])
    response = await admin.request("POST", "/api/v1/people", json=body)
    assert response.status == status
    error = (await response.json())["error"]
    assert error["field"] == field and error["status"] == status and error["message"]
    listed = await (await admin.request("GET", "/api/v1/people")).json()
    assert listed["total"] == 1  # only the admin


async def test_a_duplicate_email_is_a_conflict_naming_the_field(signed_in: SignedIn, database: Database,
                                                                 tenant: Tenant, other_tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    existing = await make_person(database, tenant)
    response = await admin.request("POST", "/api/v1/people", json={"email": existing.email, "given_name": "A",
                                                                   "family_name": "B"})
    assert response.status == 409 and (await response.json())["error"]["field"] == "email"
    # The same address in another tenant is no conflict: tenants never see each other.
    elsewhere = await make_person(database, other_tenant)
    response = await admin.request("POST", "/api/v1/people", json={"email": elsewhere.email, "given_name": "A",
                                                                   "family_name": "B"})
    assert response.status == 201


async def test_every_people_change_is_audited_with_the_admin_as_actor(
        signed_in: SignedIn, http, database: Database, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    admin = await signed_in(tenant, roles=["org_admin"])
    assert admin.person is not None
    manager = await make_person(database, tenant, roles=["manager"])
    response = await admin.request("POST", "/api/v1/people", json={
        "email": "new.hire@example.test", "given_name": "New", "family_name": "Hire", "job_title": "Operator",
        "department": "Operations", "manager_id": manager.person_id, "roles": ["learner", "supervisor"],
        "password": STRONG})
    assert response.status == 201, await response.text()
    created = await response.json()
    assert created["department"] == "Operations" and created["manager_id"] == manager.person_id
    assert created["roles"] == ["learner", "supervisor"] and created["has_password"]
    person_id = created["id"]
    response = await admin.request("PATCH", f"/api/v1/people/{person_id}",
                                   json={"job_title": "Senior Operator", "version": created["version"]})
    assert response.status == 200 and (await response.json())["job_title"] == "Senior Operator"
    response = await admin.request("PUT", f"/api/v1/people/{person_id}/roles", json={"roles": ["ld_analyst"]})
    assert response.status == 200 and (await response.json())["roles"] == ["ld_analyst"]
    response = await admin.request("POST", f"/api/v1/people/{person_id}/password", json={"password": STRONG + "x"})
    assert response.status == 204
    assert (await admin.request("POST", f"/api/v1/people/{person_id}/deactivate")).status == 200
    response = await admin.request("POST", f"/api/v1/people/{person_id}/reactivate")
    assert response.status == 200 and (await response.json())["active"] is True
    actions = await audit_actions(admin, person_id)
    for action in ("person.create", "person.update", "person.roles", "person.password_reset", "person.deactivate"):
        assert action in actions
    entries = (await (await admin.request("GET", "/api/v1/audit", params={"target": person_id})).json())["items"]
    assert {e["actor"] for e in entries} == {f"person:{admin.person.email}"}
    # The new person signs in with the reset password.
    newcomer = WebClient(http)
    assert (await newcomer.sign_in(tenant.slug, "new.hire@example.test", STRONG + "x")).status == 200


async def test_a_stale_version_is_refused_and_changes_nothing(signed_in: SignedIn, database: Database,
                                                              tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    person = await make_person(database, tenant)
    first = await admin.request("PATCH", f"/api/v1/people/{person.person_id}",
                                json={"job_title": "One", "version": person.version})
    assert first.status == 200
    second = await admin.request("PATCH", f"/api/v1/people/{person.person_id}",
                                 json={"job_title": "Two", "version": person.version})
    assert second.status == 412 and (await second.json())["error"]["field"] == "version"
    assert (await (await admin.request("GET", f"/api/v1/people/{person.person_id}")).json())["job_title"] == "One"


async def test_role_and_account_guards(signed_in: SignedIn, database: Database, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"])
    assert admin.person is not None
    other = await make_person(database, tenant)
    # Only a platform admin makes a platform admin.
    response = await admin.request("PUT", f"/api/v1/people/{other.person_id}/roles", json={"roles": ["platform_admin"]})
    assert response.status == 403 and (await response.json())["error"]["field"] == "roles"
    # Nobody deactivates themselves or changes their own roles (no locking oneself out).
    me = admin.person.person_id
    assert (await admin.request("POST", f"/api/v1/people/{me}/deactivate")).status == 400
    assert (await admin.request("PUT", f"/api/v1/people/{me}/roles", json={"roles": ["learner"]})).status == 400
    # The password policy applies to resets.
    response = await admin.request("POST", f"/api/v1/people/{other.person_id}/password", json={"password": "abc"})
    assert response.status == 400 and (await response.json())["error"]["field"] == "password"
    platform = await signed_in(tenant, roles=["platform_admin"])
    response = await platform.request("PUT", f"/api/v1/people/{other.person_id}/roles",
                                      json={"roles": ["platform_admin"]})
    assert response.status == 200


async def test_an_ld_admin_reads_people_but_cannot_change_them_or_their_roles(
        signed_in: SignedIn, database: Database, tenant: Tenant) -> None:
    ld_admin = await signed_in(tenant, roles=["ld_admin"])
    other = await make_person(database, tenant)
    assert (await ld_admin.request("GET", f"/api/v1/people/{other.person_id}")).status == 200
    assert (await ld_admin.request("PATCH", f"/api/v1/people/{other.person_id}", json={"job_title": "x"})).status == 403
    response = await ld_admin.request("PUT", f"/api/v1/people/{other.person_id}/roles", json={"roles": ["ld_admin"]})
    assert response.status == 403


async def test_people_list_filters_sorts_and_pages(signed_in: SignedIn, database: Database, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["org_admin"], given_name="Zed", family_name="Admin")
    for index, name in enumerate(["Anna", "Bilal", "Chen", "Dana"]):
        await make_person(database, tenant, given_name=name, family_name="Worker",
                          department="Ops" if index % 2 == 0 else "HSE", roles=["learner"] if index else ["manager"])
    body = await (await admin.request("GET", "/api/v1/people", params={"department": "Ops"})).json()
    assert sorted(p["given_name"] for p in body["items"]) == ["Anna", "Chen"]
    body = await (await admin.request("GET", "/api/v1/people", params={"role": "manager"})).json()
    assert [p["given_name"] for p in body["items"]] == ["Anna"]
    body = await (await admin.request("GET", "/api/v1/people", params={"q": "bil"})).json()
    assert [p["given_name"] for p in body["items"]] == ["Bilal"]
    body = await (await admin.request("GET", "/api/v1/people", params={"sort": "name", "order": "desc",
                                                                        "limit": "2", "offset": "1"})).json()
    assert [p["given_name"] for p in body["items"]] == ["Dana", "Chen"] and body["total"] == 5
    for params, field in (({"sort": "salary"}, "sort"), ({"order": "up"}, "order"), ({"role": "king"}, "role"),
                          ({"limit": "x"}, "limit"), ({"active": "maybe"}, "active")):
        response = await admin.request("GET", "/api/v1/people", params=params)
        assert response.status == 400 and (await response.json())["error"]["field"] == field
    departments = await (await admin.request("GET", "/api/v1/departments")).json()
    assert {d["name"]: d["people"] for d in departments["items"]} == {"Ops": 2, "HSE": 2}


async def test_the_roles_endpoint_serialises_the_permission_map_and_documents_every_permission(
        signed_in: SignedIn, tenant: Tenant) -> None:
    from provisioning.roles import PERMISSIONS, Permission, Role

    admin = await signed_in(tenant, roles=["org_admin"])
    body = await (await admin.request("GET", "/api/v1/roles")).json()
    assert {r["role"]: set(r["permissions"]) for r in body["roles"]} == \
        {role.value: {p.value for p in PERMISSIONS[role]} for role in Role}
    described = {p["permission"]: p["description"] for p in body["permissions"]}
    assert set(described) == {p.value for p in Permission} and all(described.values())
