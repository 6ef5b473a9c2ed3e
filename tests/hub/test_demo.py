"""`serve --demo` data: both tenants with their statements, idempotent, and kept apart."""

from __future__ import annotations

from sqlalchemy import func, select

from hub.db import Database
from hub.demo import DEMO_TENANTS, demo_statements, load_demo
from hub.tables import tenant
from lrs.store.tables import credential, statement


async def counts(database: Database) -> dict[str, int]:
    def run(conn):  # type: ignore[no-untyped-def]
        rows = conn.execute(select(tenant.c.slug, func.count(statement.c.seq))
                            .join(statement, statement.c.tenant_id == tenant.c.id)
                            .where(tenant.c.slug.in_([t.slug for t in DEMO_TENANTS])).group_by(tenant.c.slug))
        return dict(rows.all())
    return await database.read(run)


async def test_demo_loads_both_tenants_once_and_a_second_run_changes_nothing(database: Database) -> None:
    await load_demo(database)
    first = await counts(database)
    assert first == {t.slug: len(demo_statements(t)) for t in DEMO_TENANTS}
    assert first["democorp"] > 1000 and first["gulfenergy"] > 500
    await load_demo(database)
    assert await counts(database) == first
    keys = await database.read(lambda conn: conn.execute(
        select(func.count()).select_from(credential).where(credential.c.key.like("%-demo"))).scalar())
    assert keys == 2


def test_demo_statements_are_valid_and_deterministic() -> None:
    from lrs.model.validation import validate_statements

    for demo in DEMO_TENANTS:
        statements = demo_statements(demo)
        validate_statements(statements, "1.0.3")
        assert statements == demo_statements(demo)
        verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in statements}
        assert {"launched", "passed", "failed", "completed", "answered"} <= verbs


async def demo_people(database: Database) -> dict[str, dict[str, tuple]]:  # type: ignore[type-arg]
    """Per demo tenant: e-mail → (roles, department, job title, manager e-mail, version, has password)."""
    from hub.tenants import find_tenant
    from provisioning.ops.people import list_people

    def run(conn):  # type: ignore[no-untyped-def]
        found = {}
        for demo in DEMO_TENANTS:
            tenant_row = find_tenant(conn, demo.slug)
            people, _ = list_people(conn, tenant_row.id, limit=500)
            by_id = {p.person_id: p for p in people}
            found[demo.slug] = {p.email: (tuple(p.roles), p.department, p.job_title,
                                          by_id[p.manager_id].email if p.manager_id else None, p.version,
                                          p.has_password) for p in people}
        return found
    return await database.read(run)


async def audit_count(database: Database) -> int:
    from hub.tables import audit_log

    return await database.read(lambda conn: conn.execute(select(func.count()).select_from(audit_log)).scalar())


async def test_demo_people_have_one_login_per_role_reporting_lines_and_a_second_run_changes_nothing(
        database: Database) -> None:
    from hub.demo import DEMO_PASSWORD, demo_roles
    from provisioning.roles import Role

    await load_demo(database)
    first = await demo_people(database)
    before = await audit_count(database)
    for demo in DEMO_TENANTS:
        people = first[demo.slug]
        assert set(people) == {p.email for p in demo.people}
        assert {role for roles, *_ in people.values() for role in roles} == {r.value for r in Role}
        assert all(has_password for *_, has_password in people.values())
        for person in demo.people:
            roles, department, title, manager, _, _ = people[person.email]
            assert roles == tuple(demo_roles(person)) and department == person.department
            assert title == person.job_title
            manager_roles = people[manager][0] if manager else ()
            if person.role == "learner":
                assert "supervisor" in manager_roles or "manager" in manager_roles or "executive" in manager_roles
                if "supervisor" in manager_roles:
                    assert people[manager][1] == person.department
            elif person.role == "supervisor":
                assert "manager" in manager_roles or "executive" in manager_roles
            elif person.role == "manager" and "executive" not in roles:
                assert "executive" in manager_roles
    assert first["democorp"]["admin@democorp.local"][0] == ("org_admin", "platform_admin")
    assert "org_admin" in first["gulfenergy"]["admin@gulfenergy.local"][0]
    await load_demo(database)
    assert await demo_people(database) == first
    assert await audit_count(database) == before
    from provisioning.passwords import verify_password
    from provisioning.store.tables import person

    stored = await database.read(lambda conn: conn.execute(
        select(person.c.password_hash).where(person.c.email == "admin@democorp.local")).scalar())
    assert verify_password(stored, DEMO_PASSWORD)


def test_the_readme_lists_a_working_login_for_every_role_of_every_demo_tenant() -> None:
    import re
    from pathlib import Path

    from hub.demo import demo_roles
    from provisioning.roles import ROLE_LABELS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme.split("### Demo logins", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    rows = {line.split("|")[1].strip(): line.split("|")[2:4] for line in table.splitlines()[2:]}
    by_label = {label: role.value for role, label in ROLE_LABELS.items()}
    assert set(rows) == set(by_label)
    for label, cells in rows.items():
        for demo, cell in zip(DEMO_TENANTS, cells, strict=True):
            emails = re.findall(r"`([^`]+@[^`]+)`", cell)
            assert emails, (label, demo.slug)
            people = {p.email: p for p in demo.people}
            for email in emails:
                assert by_label[label] in demo_roles(people[email]), (label, email)
