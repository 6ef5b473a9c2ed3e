"""Course assignment by admins: enrol many people and whole groups in one course, and list who is enrolled."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import Connection, select

from hub import audit
from hub.db import Database
from hub.errors import BadRequest, NotFound
from provisioning.ops.sessions import WebPrincipal
from provisioning.store.tables import group as person_group
from provisioning.store.tables import group_member, person
from scorm_player.ops import cmi5
from scorm_player.ops.runtime import enrol_person, registration_summary
from scorm_player.store import runtime as store
from scorm_player.store.packages import get_package

MAX_PEOPLE = 10_000


def _ids(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise BadRequest(f"{field} must be a list of ids", field=field)
    return list(dict.fromkeys(value))


def _people(conn: Connection, tenant_id: int, person_ids: Sequence[str], group_ids: Sequence[str]
            ) -> dict[str, int]:
    """person id -> pk for the people named and the current members of the groups named; all of this tenant."""
    found: dict[str, int] = {}
    if person_ids:
        rows = conn.execute(select(person.c.person_id, person.c.id, person.c.active).where(
            person.c.tenant_id == tenant_id, person.c.person_id.in_(list(person_ids)))).all()
        known = {row.person_id: row for row in rows}
        for person_id in person_ids:
            # Someone of another tenant is as unknown as someone who does not exist.
            if person_id not in known:
                raise BadRequest(f"no person {person_id!r}", field="person_ids")
            if not known[person_id].active:
                raise BadRequest(f"{person_id!r} is deactivated", field="person_ids")
            found[person_id] = int(known[person_id].id)
    if group_ids:
        groups = {row.group_id: int(row.id) for row in conn.execute(select(person_group.c.group_id, person_group.c.id)
                  .where(person_group.c.tenant_id == tenant_id, person_group.c.group_id.in_(list(group_ids))))}
        missing = [group_id for group_id in group_ids if group_id not in groups]
        if missing:
            raise BadRequest(f"no group {missing[0]!r}", field="group_ids")
        members = conn.execute(select(person.c.person_id, person.c.id)
                               .join(group_member, group_member.c.person_id == person.c.id)
                               .where(group_member.c.tenant_id == tenant_id, person.c.tenant_id == tenant_id,
                                      person.c.active.is_(True),
                                      group_member.c.group_id.in_(list(groups.values())))).all()
        for member in members:
            found[member.person_id] = int(member.id)
    if len(found) > MAX_PEOPLE:
        raise BadRequest(f"at most {MAX_PEOPLE} people per assignment", field="person_ids")
    return found


async def assign_many(db: Database, principal: WebPrincipal, package_id: str, body: dict[str, Any],
                      content_root: Path) -> dict[str, Any]:
    """Enrol the people and the groups' members in the course, all or nothing; already enrolled people are
    reported, not enrolled twice. One audit entry for the whole assignment."""
    person_ids = _ids(body.get("person_ids"), "person_ids")
    group_ids = _ids(body.get("group_ids"), "group_ids")
    if not person_ids and not group_ids:
        raise BadRequest("name at least one person or group", field="person_ids")

    def run(conn: Connection) -> dict[str, Any]:
        package = get_package(conn, principal.tenant_id, package_id)
        if package is None:
            raise NotFound(f"no package {package_id}", field="package_id")
        people = _people(conn, principal.tenant_id, person_ids, group_ids)
        assigned: list[str] = []
        already: list[str] = []
        for person_id, person_pk in sorted(people.items()):
            if package["standard"] == cmi5.CMI5_STANDARD:
                _, created = cmi5.enrol_person(conn, principal.tenant_id, package_id, person_pk, principal.actor,
                                         content_root)
            else:
                _, created = enrol_person(conn, principal.tenant_id, package_id, person_pk, principal.actor)
            (assigned if created else already).append(person_id)
        audit.record(conn, principal.tenant_id, principal.actor, "package.assign", "package", package_id,
                     {"person_ids": person_ids, "group_ids": group_ids, "assigned": len(assigned),
                      "already_enrolled": len(already)})
        return {"package_id": package_id, "assigned": assigned, "already_enrolled": already}

    return await db.transaction(run)


async def list_assignments(db: Database, principal: WebPrincipal, package_id: str) -> list[dict[str, Any]]:
    """Everyone enrolled in the course (self-enrolled or assigned), with their status."""
    def run(conn: Connection) -> list[dict[str, Any]]:
        pk = store.package_pk(conn, principal.tenant_id, package_id)
        if pk is None:
            raise NotFound(f"no package {package_id}", field="package_id")
        return [registration_summary(row) for row in store.list_registrations(conn, principal.tenant_id,
                                                                              package_pk=pk)]

    return await db.read(run)
