"""People ops: uniqueness per tenant, reporting lines, roles, agent mapping and tenant isolation."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from hub import audit
from hub.db import Database
from hub.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from hub.tenants import Tenant
from provisioning.ops.people import (
    create_person,
    find_person_by_agent,
    get_person,
    list_people,
    reporting_line,
    set_roles,
    tenant_home_page,
    update_person,
)
from tests.fixtures.people import make_person


async def test_user_name_and_email_are_unique_per_tenant_case_insensitively(
        database: Database, tenant: Tenant, other_tenant: Tenant) -> None:
    first = await make_person(database, tenant, email="Dana.Ray@Example.test")
    assert first.email == "dana.ray@example.test"
    with pytest.raises(Conflict):
        await make_person(database, tenant, email="DANA.RAY@example.test")
    again = await make_person(database, other_tenant, email="dana.ray@example.test")
    assert again.tenant_id == other_tenant.id


async def test_invalid_values_name_the_field_and_store_nothing(database: Database, tenant: Tenant) -> None:
    for data, field in [({"email": "not-an-email"}, "email"), ({"email": "a@b.test", "active": "yes"}, "active"),
                        ({"email": "a@b.test", "shoe_size": 9}, "shoe_size"),
                        ({"email": "a@b.test", "manager_id": "no-such-id"}, "manager_id"),
                        ({"email": "a@b.test", "given_name": "x" * 201}, "given_name")]:
        with pytest.raises(BadRequest) as raised:
            await database.transaction(lambda conn, data=data: create_person(conn, tenant.id, data, actor="t"))
        assert raised.value.field == field
    people, total = await database.read(lambda conn: list_people(conn, tenant.id))
    assert total == 0 and people == []


async def test_reporting_line_follows_managers_down_and_refuses_cycles(database: Database, tenant: Tenant) -> None:
    head = await make_person(database, tenant, roles=["manager"])
    foreman = await make_person(database, tenant, roles=["supervisor"], manager=head)
    worker = await make_person(database, tenant, manager=foreman)
    outsider = await make_person(database, tenant)
    line = await database.read(lambda conn: reporting_line(conn, tenant.id, head.pk))
    assert line == {foreman.pk, worker.pk}
    assert outsider.pk not in line
    with pytest.raises(BadRequest):
        await database.transaction(lambda conn: update_person(conn, tenant.id, head.person_id,
                                                              {"manager_id": worker.person_id}, actor="t"))
    team, total = await database.read(lambda conn: list_people(conn, tenant.id, within=line))
    assert total == 2 and {p.person_id for p in team} == {foreman.person_id, worker.person_id}


async def test_stale_version_is_a_precondition_failure(database: Database, tenant: Tenant) -> None:
    found = await make_person(database, tenant)
    await database.transaction(lambda conn: update_person(conn, tenant.id, found.person_id,
                                                          {"job_title": "Operator"}, actor="t"))
    with pytest.raises(PreconditionFailed):
        await database.transaction(lambda conn: update_person(conn, tenant.id, found.person_id,
                                                              {"job_title": "Lead"}, actor="t",
                                                              expected_version=found.version))


async def test_roles_are_a_closed_set_and_changes_are_audited(database: Database, tenant: Tenant) -> None:
    found = await make_person(database, tenant)
    with pytest.raises(BadRequest):
        await database.transaction(lambda conn: set_roles(conn, tenant.id, found.person_id, ["wizard"], actor="t"))
    changed = await database.transaction(lambda conn: set_roles(conn, tenant.id, found.person_id,
                                                                ["manager", "learner"], actor="admin@x"))
    assert changed.roles == ["learner", "manager"]
    entries = await database.read(lambda conn: audit.list_entries(conn, tenant.id))
    assert any(e["action"] == "person.roles" and e["target_id"] == found.person_id
               and e["details"]["to"] == ["learner", "manager"] for e in entries)


async def test_statements_attach_to_people_by_mbox_account_employee_number_and_external_id(
        database: Database, tenant: Tenant) -> None:
    found = await make_person(database, tenant, email="lee@example.test", employee_number="E-1001",
                              external_id="entra-77")
    home = tenant_home_page(tenant.slug)
    agents = [{"mbox": "mailto:LEE@example.test".lower()}, {"account": {"homePage": home, "name": "E-1001"}},
              {"account": {"homePage": home, "name": "entra-77"}},
              {"account": {"homePage": home, "name": found.person_id}}]

    def match_all(conn: Connection) -> list[str | None]:
        return [(p.person_id if p else None) for p in
                (find_person_by_agent(conn, tenant.id, tenant.slug, agent) for agent in agents)]

    assert await database.read(match_all) == [found.person_id] * 4
    foreign = {"account": {"homePage": "https://elsewhere.example", "name": "E-1001"}}
    assert await database.read(lambda conn: find_person_by_agent(conn, tenant.id, tenant.slug, foreign)) is None
    assert found.actor(tenant.slug) == {"objectType": "Agent", "mbox": "mailto:lee@example.test",
                                        "name": "Test Person"}


async def test_another_tenant_cannot_read_or_change_a_person(database: Database, tenant: Tenant,
                                                             other_tenant: Tenant) -> None:
    found = await make_person(database, tenant)
    with pytest.raises(NotFound):
        await database.read(lambda conn: get_person(conn, other_tenant.id, found.person_id))
    with pytest.raises(NotFound):
        await database.transaction(lambda conn: update_person(conn, other_tenant.id, found.person_id,
                                                              {"active": False}, actor="t"))
    people, total = await database.read(lambda conn: list_people(conn, other_tenant.id, search="Test"))
    assert total == 0
    assert (await database.read(lambda conn: get_person(conn, tenant.id, found.person_id))).active
