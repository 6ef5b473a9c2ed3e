"""Groups of a tenant for the admin UI: list, create, rename, delete and members.

SCIM keeps its own Group resource code over the same tables; both write audit entries. Functions
take a `Connection` and run inside the caller's transaction. Every query carries `tenant_id`.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterable

from sqlalchemy import Connection, delete, func, insert, select, update

from hub import audit, clock
from hub.errors import BadRequest, Conflict, NotFound
from provisioning.store.tables import group, group_member, person

MAX_NAME = 300


def _clean_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("a group needs a name", field="name")
    name = value.strip()
    if len(name) > MAX_NAME:
        raise BadRequest(f"name must be at most {MAX_NAME} characters", field="name")
    return name


def _row(conn: Connection, tenant_id: int, group_id: str) -> Any:
    row = conn.execute(select(group).where(group.c.tenant_id == tenant_id, group.c.group_id == group_id)).first()
    if row is None:
        raise NotFound(f"no group {group_id!r}", field="id")
    return row


def _name_taken(conn: Connection, tenant_id: int, name: str, exclude_pk: int | None = None) -> None:
    query = select(group.c.id).where(group.c.tenant_id == tenant_id,
                                     func.lower(group.c.display_name) == name.lower())
    if exclude_pk is not None:
        query = query.where(group.c.id != exclude_pk)
    if conn.execute(query).first() is not None:
        raise Conflict("another group already has this name", field="name")


def _public(row: Any, members: int) -> dict[str, Any]:
    return {"id": row.group_id, "name": row.display_name, "external_id": row.external_id, "members": members,
            "version": row.version, "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat()}


def list_groups(conn: Connection, tenant_id: int, *, search: str | None = None) -> list[dict[str, Any]]:
    counts = (select(group_member.c.group_id, func.count().label("members"))
              .where(group_member.c.tenant_id == tenant_id).group_by(group_member.c.group_id).subquery())
    query = (select(group, func.coalesce(counts.c.members, 0).label("member_count"))
             .outerjoin(counts, counts.c.group_id == group.c.id).where(group.c.tenant_id == tenant_id))
    if search:
        query = query.where(func.lower(group.c.display_name).like(f"%{search.strip().lower()}%"))
    rows = conn.execute(query.order_by(group.c.display_name, group.c.id).limit(1000))
    return [_public(r, int(r.member_count)) for r in rows]


def get_group(conn: Connection, tenant_id: int, group_id: str) -> dict[str, Any]:
    """A group with its members (public ids and names)."""
    row = _row(conn, tenant_id, group_id)
    members = conn.execute(
        select(person.c.person_id, person.c.display_name, person.c.email, person.c.active)
        .join(group_member, group_member.c.person_id == person.c.id)
        .where(group_member.c.tenant_id == tenant_id, group_member.c.group_id == row.id,
               person.c.tenant_id == tenant_id)
        .order_by(person.c.display_name)).all()
    found = _public(row, len(members))
    found["people"] = [{"id": m.person_id, "name": m.display_name, "email": m.email, "active": bool(m.active)}
                       for m in members]
    return found


def create_group(conn: Connection, tenant_id: int, name: Any, *, actor: str) -> dict[str, Any]:
    clean = _clean_name(name)
    _name_taken(conn, tenant_id, clean)
    now = clock.now()
    public_id = str(uuid.uuid4())
    conn.execute(insert(group).values(tenant_id=tenant_id, group_id=public_id, display_name=clean, version=1,
                                      created_at=now, updated_at=now))
    audit.record(conn, tenant_id, actor, "group.create", "group", public_id, {"name": clean})
    return get_group(conn, tenant_id, public_id)


def rename_group(conn: Connection, tenant_id: int, group_id: str, name: Any, *, actor: str) -> dict[str, Any]:
    row = _row(conn, tenant_id, group_id)
    clean = _clean_name(name)
    if clean != row.display_name:
        _name_taken(conn, tenant_id, clean, row.id)
        conn.execute(update(group).where(group.c.tenant_id == tenant_id, group.c.id == row.id)
                     .values(display_name=clean, version=group.c.version + 1, updated_at=clock.now()))
        audit.record(conn, tenant_id, actor, "group.rename", "group", group_id,
                     {"from": row.display_name, "to": clean})
    return get_group(conn, tenant_id, group_id)


def delete_group(conn: Connection, tenant_id: int, group_id: str, *, actor: str) -> None:
    row = _row(conn, tenant_id, group_id)
    conn.execute(delete(group_member).where(group_member.c.tenant_id == tenant_id, group_member.c.group_id == row.id))
    conn.execute(delete(group).where(group.c.tenant_id == tenant_id, group.c.id == row.id))
    audit.record(conn, tenant_id, actor, "group.delete", "group", group_id, {"name": row.display_name})


def _person_pks(conn: Connection, tenant_id: int, person_ids: Iterable[Any]) -> dict[str, int]:
    wanted = []
    for value in person_ids:
        if not isinstance(value, str):
            raise BadRequest("people must be a list of person ids", field="people")
        wanted.append(value)
    if len(wanted) > 10_000:
        raise BadRequest("at most 10000 members per request", field="people")
    found = {r.person_id: int(r.id) for r in conn.execute(
        select(person.c.person_id, person.c.id).where(person.c.tenant_id == tenant_id,
                                                      person.c.person_id.in_(wanted)))}
    missing = [p for p in wanted if p not in found]
    if missing:
        # The same answer for a person of another tenant and for one who does not exist.
        raise BadRequest(f"no person {missing[0]!r}", field="people")
    return found


def add_members(conn: Connection, tenant_id: int, group_id: str, person_ids: Iterable[Any], *,
                actor: str) -> dict[str, Any]:
    row = _row(conn, tenant_id, group_id)
    pks = _person_pks(conn, tenant_id, person_ids)
    present = {int(r[0]) for r in conn.execute(select(group_member.c.person_id).where(
        group_member.c.tenant_id == tenant_id, group_member.c.group_id == row.id))}
    added = {pid: pk for pid, pk in pks.items() if pk not in present}
    if added:
        conn.execute(insert(group_member), [{"tenant_id": tenant_id, "group_id": row.id, "person_id": pk}
                                            for pk in added.values()])
        _touch(conn, tenant_id, row.id)
        audit.record(conn, tenant_id, actor, "group.members_add", "group", group_id, {"people": sorted(added)})
    return get_group(conn, tenant_id, group_id)


def remove_members(conn: Connection, tenant_id: int, group_id: str, person_ids: Iterable[Any], *,
                   actor: str) -> dict[str, Any]:
    row = _row(conn, tenant_id, group_id)
    pks = _person_pks(conn, tenant_id, person_ids)
    if pks:
        result = conn.execute(delete(group_member).where(
            group_member.c.tenant_id == tenant_id, group_member.c.group_id == row.id,
            group_member.c.person_id.in_(list(pks.values()))))
        if result.rowcount:
            _touch(conn, tenant_id, row.id)
            audit.record(conn, tenant_id, actor, "group.members_remove", "group", group_id,
                         {"people": sorted(pks)})
    return get_group(conn, tenant_id, group_id)


def groups_of(conn: Connection, tenant_id: int, person_pk: int) -> list[dict[str, str]]:
    rows = conn.execute(select(group.c.group_id, group.c.display_name)
                        .join(group_member, group_member.c.group_id == group.c.id)
                        .where(group_member.c.tenant_id == tenant_id, group_member.c.person_id == person_pk)
                        .order_by(group.c.display_name))
    return [{"id": r.group_id, "name": r.display_name} for r in rows]


def _touch(conn: Connection, tenant_id: int, pk: int) -> None:
    conn.execute(update(group).where(group.c.tenant_id == tenant_id, group.c.id == pk)
                 .values(version=group.c.version + 1, updated_at=clock.now()))
