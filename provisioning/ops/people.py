"""People of a tenant: create, read, update, deactivate, roles, reporting lines and xAPI agent mapping.

Functions take a `Connection` and run inside the caller's transaction, so SCIM, SAML JIT provisioning,
the admin API and the demo loader compose them with their own audit entries. Every query carries
`tenant_id`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterable

import orjson
from sqlalchemy import Connection, and_, bindparam, delete, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError

from hub import audit, clock
from hub.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from provisioning.roles import Role, parse_role
from provisioning.store.tables import department, job_role, person, role_assignment, web_session

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Columns an admin (or SCIM) may set; everything else is derived or internal.
EDITABLE = ("user_name", "email", "given_name", "family_name", "display_name", "employee_number", "external_id",
            "job_title", "department", "job_role", "location", "manager_id", "grade", "active")
_MAX_TEXT = {"user_name": 320, "email": 320, "given_name": 200, "family_name": 200, "display_name": 400,
             "employee_number": 100, "external_id": 500, "job_title": 200, "department": 200, "job_role": 200,
             "location": 200, "grade": 50}


def tenant_home_page(tenant_slug: str) -> str:
    """The homePage of the xAPI accounts the hub gives people of a tenant."""
    return f"https://learnhub.local/tenants/{tenant_slug}"


@dataclass
class Person:
    """A person as the API shows them (the public id, never the integer key)."""

    pk: int
    person_id: str
    tenant_id: int
    user_name: str
    email: str | None
    given_name: str
    family_name: str
    display_name: str
    employee_number: str | None
    external_id: str | None
    job_title: str | None
    department: str | None
    job_role: str | None
    location: str | None
    manager_pk: int | None
    manager_id: str | None
    manager_name: str | None
    grade: str | None
    active: bool
    has_password: bool
    locked_until: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    roles: list[str] = field(default_factory=list)
    scim_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.display_name or f"{self.given_name} {self.family_name}".strip() or self.user_name

    def agents(self, tenant_slug: str) -> list[dict[str, Any]]:
        """The xAPI agents that are this person: statements about any of them attach to them."""
        found: list[dict[str, Any]] = []
        if self.email:
            found.append({"objectType": "Agent", "mbox": f"mailto:{self.email}"})
        home = tenant_home_page(tenant_slug)
        found.append({"objectType": "Agent", "account": {"homePage": home, "name": self.person_id}})
        if self.employee_number:
            found.append({"objectType": "Agent", "account": {"homePage": home, "name": self.employee_number}})
        return found

    def actor(self, tenant_slug: str) -> dict[str, Any]:
        """The agent the hub writes statements as (by mbox when there is an e-mail)."""
        agent = dict(self.agents(tenant_slug)[0])
        agent["name"] = self.name
        return agent

    def public(self) -> dict[str, Any]:
        return {
            "id": self.person_id, "user_name": self.user_name, "email": self.email, "given_name": self.given_name,
            "family_name": self.family_name, "display_name": self.display_name, "name": self.name,
            "employee_number": self.employee_number, "external_id": self.external_id,
            "job_title": self.job_title, "department": self.department, "job_role": self.job_role,
            "location": self.location, "manager_id": self.manager_id, "manager_name": self.manager_name,
            "grade": self.grade, "active": self.active, "has_password": self.has_password,
            "locked": bool(self.locked_until and self.locked_until > clock.now()),
            "roles": self.roles, "version": self.version,
            "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
        }


def _manager() -> Any:
    return person.alias("manager")


@lru_cache(maxsize=1)
def _person_select() -> Any:
    """Built once: constructing the aliased join costs more than running it (it is on every request's
    session lookup)."""
    manager = _manager()
    return (
        select(person, department.c.name.label("department_name"), job_role.c.name.label("job_role_name"),
               manager.c.person_id.label("manager_public_id"), manager.c.display_name.label("manager_name"))
        .select_from(person.outerjoin(department, department.c.id == person.c.department_id)
                     .outerjoin(job_role, job_role.c.id == person.c.job_role_id)
                     .outerjoin(manager, manager.c.id == person.c.manager_id))
    )


def _to_person(row: Any, roles: list[str]) -> Person:
    return Person(
        pk=row.id, person_id=row.person_id, tenant_id=row.tenant_id, user_name=row.user_name, email=row.email,
        given_name=row.given_name, family_name=row.family_name, display_name=row.display_name,
        employee_number=row.employee_number, external_id=row.external_id, job_title=row.job_title,
        department=row.department_name, job_role=row.job_role_name, location=row.location,
        manager_pk=row.manager_id, manager_id=row.manager_public_id, manager_name=row.manager_name,
        grade=row.grade, active=bool(row.active), has_password=row.password_hash is not None,
        locked_until=row.locked_until and clock.as_utc(row.locked_until), version=row.version,
        created_at=clock.as_utc(row.created_at), updated_at=clock.as_utc(row.updated_at),
        roles=roles, scim_extra=orjson.loads(row.scim_extra or "{}"))


def _roles_by_person(conn: Connection, pks: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {pk: [] for pk in pks}
    if not pks:
        return found
    rows = conn.execute(select(role_assignment.c.person_id, role_assignment.c.role)
                        .where(role_assignment.c.person_id.in_(pks)).order_by(role_assignment.c.role))
    for row in rows:
        found[row.person_id].append(row.role)
    return found


def _people_from_rows(conn: Connection, rows: list[Any]) -> list[Person]:
    roles = _roles_by_person(conn, [row.id for row in rows])
    return [_to_person(row, roles[row.id]) for row in rows]


def get_person(conn: Connection, tenant_id: int, person_id: str) -> Person:
    row = conn.execute(_person_select().where(person.c.tenant_id == tenant_id,
                                              person.c.person_id == person_id)).first()
    if row is None:
        raise NotFound(f"no person {person_id!r}", field="id")
    return _people_from_rows(conn, [row])[0]


def get_person_by_pk(conn: Connection, tenant_id: int, pk: int) -> Person | None:
    row = conn.execute(_person_by_pk(), {"tenant_id": tenant_id, "pk": pk}).first()
    return _people_from_rows(conn, [row])[0] if row else None


@lru_cache(maxsize=1)
def _person_by_pk() -> Any:
    return _person_select().where(person.c.tenant_id == bindparam("tenant_id"), person.c.id == bindparam("pk"))


def find_person_by_email(conn: Connection, tenant_id: int, email: str) -> Person | None:
    row = conn.execute(_person_select().where(person.c.tenant_id == tenant_id,
                                              person.c.email == email.strip().lower())).first()
    return _people_from_rows(conn, [row])[0] if row else None


def find_person_by_agent(conn: Connection, tenant_id: int, tenant_slug: str, agent: dict[str, Any]) -> Person | None:
    """The person an xAPI agent is: by mbox, or by an account on the tenant's home page
    (named by public id, employee number or SCIM externalId)."""
    if isinstance(agent.get("mbox"), str) and agent["mbox"].startswith("mailto:"):
        return find_person_by_email(conn, tenant_id, agent["mbox"][len("mailto:"):])
    account = agent.get("account")
    if isinstance(account, dict) and account.get("homePage") == tenant_home_page(tenant_slug):
        name = str(account.get("name", ""))
        row = conn.execute(_person_select().where(
            person.c.tenant_id == tenant_id,
            or_(person.c.person_id == name, person.c.employee_number == name, person.c.external_id == name))
            .order_by(person.c.id)).first()
        return _people_from_rows(conn, [row])[0] if row else None
    return None


def _clean_text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string", field=name)
    value = value.strip()
    if len(value) > _MAX_TEXT.get(name, 500):
        raise BadRequest(f"{name} must be at most {_MAX_TEXT.get(name, 500)} characters", field=name)
    return value or None


def _clean_email(value: Any) -> str | None:
    email = _clean_text("email", value)
    if email is None:
        return None
    if not EMAIL_PATTERN.match(email):
        raise BadRequest(f"{email!r} is not an e-mail address", field="email")
    return email.lower()


def ensure_department(conn: Connection, tenant_id: int, name: str) -> int:
    found = conn.execute(select(department.c.id).where(department.c.tenant_id == tenant_id,
                                                       department.c.name == name)).scalar()
    if found is not None:
        return int(found)
    return int(conn.execute(insert(department).values(tenant_id=tenant_id, name=name)).inserted_primary_key[0])  # type: ignore[index]


def ensure_job_role(conn: Connection, tenant_id: int, name: str) -> int:
    found = conn.execute(select(job_role.c.id).where(job_role.c.tenant_id == tenant_id,
                                                     job_role.c.name == name)).scalar()
    if found is not None:
        return int(found)
    return int(conn.execute(insert(job_role).values(tenant_id=tenant_id, name=name)).inserted_primary_key[0])  # type: ignore[index]


def list_departments(conn: Connection, tenant_id: int) -> list[dict[str, Any]]:
    counts = (select(person.c.department_id, func.count().label("people"))
              .where(person.c.tenant_id == tenant_id).group_by(person.c.department_id).subquery())
    rows = conn.execute(select(department.c.name, department.c.code, func.coalesce(counts.c.people, 0))
                        .outerjoin(counts, counts.c.department_id == department.c.id)
                        .where(department.c.tenant_id == tenant_id).order_by(department.c.name))
    return [{"name": r[0], "code": r[1], "people": int(r[2])} for r in rows]


def _resolve_manager(conn: Connection, tenant_id: int, manager_id: Any) -> int | None:
    if manager_id in (None, ""):
        return None
    pk = conn.execute(select(person.c.id).where(person.c.tenant_id == tenant_id,
                                                person.c.person_id == str(manager_id))).scalar()
    if pk is None:
        raise BadRequest(f"no person {manager_id!r} to be the manager", field="manager_id")
    return int(pk)


def _row_values(conn: Connection, tenant_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Validated column values from API-shaped `data` (only the keys present)."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise BadRequest(f"unknown field {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "email":
            values["email"] = _clean_email(value)
        elif key == "user_name":
            user_name = _clean_text(key, value)
            if not user_name:
                raise BadRequest("user_name must not be empty", field="user_name")
            values["user_name"], values["user_name_key"] = user_name, user_name.casefold()
        elif key == "active":
            if not isinstance(value, bool):
                raise BadRequest("active must be true or false", field="active")
            values["active"] = value
        elif key == "department":
            name = _clean_text(key, value)
            values["department_id"] = ensure_department(conn, tenant_id, name) if name else None
        elif key == "job_role":
            name = _clean_text(key, value)
            values["job_role_id"] = ensure_job_role(conn, tenant_id, name) if name else None
        elif key == "manager_id":
            values["manager_id"] = _resolve_manager(conn, tenant_id, value)
        elif key in ("given_name", "family_name", "display_name"):
            values[key] = _clean_text(key, value) or ""
        else:
            values[key] = _clean_text(key, value)
    return values


def _uniqueness_conflict(conn: Connection, tenant_id: int, values: dict[str, Any], exclude_pk: int | None) -> None:
    checks = [("user_name", person.c.user_name_key, values.get("user_name_key")),
              ("email", person.c.email, values.get("email"))]
    for name, column, value in checks:
        if value is None:
            continue
        query = select(person.c.id).where(person.c.tenant_id == tenant_id, column == value)
        if exclude_pk is not None:
            query = query.where(person.c.id != exclude_pk)
        if conn.execute(query).first() is not None:
            raise Conflict(f"another person already has this {name.replace('_', ' ')}", field=name)


def create_person(conn: Connection, tenant_id: int, data: dict[str, Any], *, actor: str,
                  roles: Iterable[str] = (Role.LEARNER.value,), password_hash: str | None = None,
                  scim_extra: dict[str, Any] | None = None, person_id: str | None = None) -> Person:
    """Create a person; `user_name` defaults to the e-mail address."""
    data = dict(data)
    if not data.get("user_name"):
        if not data.get("email"):
            raise BadRequest("a person needs an e-mail address or a user name", field="email")
        data["user_name"] = data["email"]
    values = _row_values(conn, tenant_id, data)
    _uniqueness_conflict(conn, tenant_id, values, None)
    role_values = _clean_roles(roles)
    now = clock.now()
    public_id = person_id or str(uuid.uuid4())
    if not values.get("display_name"):
        values["display_name"] = f"{values.get('given_name', '')} {values.get('family_name', '')}".strip()
    try:
        pk = int(conn.execute(insert(person).values(
            tenant_id=tenant_id, person_id=public_id, password_hash=password_hash,
            scim_extra=orjson.dumps(scim_extra or {}).decode(), version=1, created_at=now, updated_at=now,
            **values)).inserted_primary_key[0])  # type: ignore[index]
    except IntegrityError as exc:  # a concurrent insert won the race for the same user name or e-mail
        raise Conflict("another person already has this user name or e-mail") from exc
    if role_values:
        conn.execute(insert(role_assignment), [{"tenant_id": tenant_id, "person_id": pk, "role": r}
                                               for r in role_values])
    audit.record(conn, tenant_id, actor, "person.create", "person", public_id,
                 {"user_name": values["user_name"], "roles": role_values})
    found = get_person_by_pk(conn, tenant_id, pk)
    assert found is not None
    return found


def update_person(conn: Connection, tenant_id: int, person_id: str, data: dict[str, Any], *, actor: str,
                  expected_version: int | None = None, scim_extra: dict[str, Any] | None = None) -> Person:
    """Apply `data` (only the keys present). Deactivating someone ends every session they have."""
    current = get_person(conn, tenant_id, person_id)
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed("the person was changed by someone else; reload and try again",
                                 field="version")
    values = _row_values(conn, tenant_id, data)
    if values.get("manager_id") is not None and _would_cycle(conn, tenant_id, current.pk, values["manager_id"]):
        raise BadRequest("a person cannot report to themselves or to someone who reports to them",
                         field="manager_id")
    _uniqueness_conflict(conn, tenant_id, values, current.pk)
    if scim_extra is not None:
        values["scim_extra"] = orjson.dumps(scim_extra).decode()
    if not values:
        return current
    values.update(version=person.c.version + 1, updated_at=clock.now())
    try:
        conn.execute(update(person).where(person.c.tenant_id == tenant_id, person.c.id == current.pk)
                     .values(**values))
    except IntegrityError as exc:
        raise Conflict("another person already has this user name or e-mail") from exc
    changed = {k: v for k, v in data.items() if k in EDITABLE}
    if changed.get("active") is False and current.active:
        end_sessions(conn, tenant_id, current.pk)
        audit.record(conn, tenant_id, actor, "person.deactivate", "person", person_id, {})
    audit.record(conn, tenant_id, actor, "person.update", "person", person_id,
                 {"fields": sorted(changed) + (["scim"] if scim_extra is not None else [])})
    found = get_person_by_pk(conn, tenant_id, current.pk)
    assert found is not None
    return found


def delete_person(conn: Connection, tenant_id: int, person_id: str, *, actor: str) -> None:
    """Remove a person (SCIM DELETE). Their statements stay in the LRS with the actor they carry."""
    from provisioning.store.tables import group_member, saml_identity

    current = get_person(conn, tenant_id, person_id)
    end_sessions(conn, tenant_id, current.pk)
    conn.execute(update(person).where(person.c.tenant_id == tenant_id, person.c.manager_id == current.pk)
                 .values(manager_id=None))
    for table in (role_assignment, group_member, saml_identity):
        conn.execute(delete(table).where(table.c.tenant_id == tenant_id, table.c.person_id == current.pk))
    conn.execute(delete(person).where(person.c.tenant_id == tenant_id, person.c.id == current.pk))
    audit.record(conn, tenant_id, actor, "person.delete", "person", person_id, {"user_name": current.user_name})


def _would_cycle(conn: Connection, tenant_id: int, pk: int, manager_pk: int) -> bool:
    return manager_pk == pk or manager_pk in reporting_line(conn, tenant_id, pk)


def _clean_roles(roles: Iterable[str]) -> list[str]:
    try:
        return sorted({parse_role(str(r)).value for r in roles})
    except ValueError as exc:
        raise BadRequest(str(exc), field="roles") from None


def set_roles(conn: Connection, tenant_id: int, person_id: str, roles: Iterable[str], *, actor: str) -> Person:
    current = get_person(conn, tenant_id, person_id)
    wanted = _clean_roles(roles)
    if wanted == current.roles:
        return current
    conn.execute(delete(role_assignment).where(role_assignment.c.tenant_id == tenant_id,
                                               role_assignment.c.person_id == current.pk))
    if wanted:
        conn.execute(insert(role_assignment), [{"tenant_id": tenant_id, "person_id": current.pk, "role": r}
                                               for r in wanted])
    # Sessions carry the permissions they were granted with; a role change takes effect at once.
    end_sessions(conn, tenant_id, current.pk)
    audit.record(conn, tenant_id, actor, "person.roles", "person", person_id,
                 {"from": current.roles, "to": wanted})
    found = get_person_by_pk(conn, tenant_id, current.pk)
    assert found is not None
    return found


def set_password_hash(conn: Connection, tenant_id: int, person_id: str, password_hash: str, *, actor: str) -> None:
    """Set a new password (admin reset); unlocks the account and ends the person's sessions."""
    current = get_person(conn, tenant_id, person_id)
    conn.execute(update(person).where(person.c.tenant_id == tenant_id, person.c.id == current.pk)
                 .values(password_hash=password_hash, failed_logins=0, locked_until=None,
                         version=person.c.version + 1, updated_at=clock.now()))
    end_sessions(conn, tenant_id, current.pk)
    audit.record(conn, tenant_id, actor, "person.password_reset", "person", person_id, {})


def end_sessions(conn: Connection, tenant_id: int, pk: int) -> int:
    result = conn.execute(delete(web_session).where(web_session.c.tenant_id == tenant_id,
                                                    web_session.c.person_id == pk))
    return int(result.rowcount or 0)


def reporting_line(conn: Connection, tenant_id: int, manager_pk: int) -> set[int]:
    """Everyone who reports to `manager_pk`, directly or through others (a recursive CTE)."""
    base = select(person.c.id).where(person.c.tenant_id == tenant_id, person.c.manager_id == manager_pk)
    line = base.cte("line", recursive=True)
    line = line.union(select(person.c.id).where(person.c.tenant_id == tenant_id,
                                                 person.c.manager_id == line.c.id))
    return {int(r[0]) for r in conn.execute(select(line.c.id))}


SORTABLE = {"name": person.c.display_name, "email": person.c.email, "department": department.c.name,
            "job_title": person.c.job_title, "created_at": person.c.created_at}


def list_people(conn: Connection, tenant_id: int, *, within: set[int] | None = None, search: str | None = None,
                department_name: str | None = None, role: str | None = None, active: bool | None = None,
                sort: str = "name", descending: bool = False, offset: int = 0, limit: int = 50
                ) -> tuple[list[Person], int]:
    """One page of people and the total that match; `within` restricts to a reporting line.

    People lists are small (thousands per tenant), so an exact count and OFFSET are fine here.
    """
    if sort not in SORTABLE:
        raise BadRequest(f"sort must be one of {', '.join(SORTABLE)}", field="sort")
    conditions: list[Any] = [person.c.tenant_id == tenant_id]
    if within is not None:
        conditions.append(person.c.id.in_(within) if within else literal(False))
    if search:
        pattern = f"%{search.strip().lower()}%"
        conditions.append(or_(func.lower(person.c.display_name).like(pattern), person.c.email.like(pattern),
                              func.lower(person.c.job_title).like(pattern),
                              func.lower(person.c.employee_number).like(pattern)))
    if department_name:
        conditions.append(department.c.name == department_name)
    if role:
        conditions.append(person.c.id.in_(select(role_assignment.c.person_id).where(
            role_assignment.c.tenant_id == tenant_id, role_assignment.c.role == role)))
    if active is not None:
        conditions.append(person.c.active == active)
    where = and_(*conditions)
    order = SORTABLE[sort].desc() if descending else SORTABLE[sort].asc()
    rows = conn.execute(_person_select().where(where).order_by(order, person.c.id)
                        .offset(max(offset, 0)).limit(min(max(limit, 1), 500))).all()
    total = conn.execute(select(func.count()).select_from(
        person.outerjoin(department, department.c.id == person.c.department_id)).where(where)).scalar_one()
    return _people_from_rows(conn, list(rows)), int(total)
