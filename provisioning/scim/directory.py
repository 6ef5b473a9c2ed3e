"""SCIM Users and Groups of one tenant over the people tables: mapping, reads, searches and writes.

A `Directory` is bound to (tenant_id, connection, actor) and runs inside the caller's transaction;
every query carries `tenant_id`. Users map onto `people_person` through provisioning.ops.people
(so validation, uniqueness, session ending and audit entries are the hub's own); what has no column
(phone numbers, addresses, all e-mails with their types, ...) is kept in `scim_extra` and comes
back unchanged. Groups map onto `people_group` and `people_group_member`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, cast

import orjson
from scim2_models import (
    InvalidValueException,
    NotFoundException,
    PreconditionFailedException,
    Resource,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    TooManyException,
    UniquenessException,
)
from sqlalchemy import Connection, Select, delete, func, insert, select, update

from hub import audit, clock
from hub.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from provisioning.ops import people as people_ops
from provisioning.scim.filters import Column, SqlFilter, Translation, order_key
from provisioning.scim.service import ENTERPRISE, GROUP_SCHEMA, MAX_RESULTS, USER_SCHEMA, model_of
from provisioning.store.tables import department, group, group_member, person

# A search the SQL cannot answer exactly is finished in Python over at most this many candidates.
CANDIDATE_LIMIT = 5000
MAX_MEMBERS = 20_000

_manager = person.alias("manager")

_U = "urn:ietf:params:scim:schemas:core:2.0:user:"
_E = ENTERPRISE.lower() + ":"
_G = "urn:ietf:params:scim:schemas:core:2.0:group:"

# Private keys of scim_extra, never part of a resource: a User sent without `active` (the column
# cannot be NULL), and the `display` the client gave each group member.
ACTIVE_UNSET = "learnhub:activeUnset"
MEMBER_DISPLAYS = "learnhub:memberDisplays"

# Attributes with a column of their own (keys: lower-case attribute URNs, as AttributeBinding.urn).
USER_COLUMNS: dict[str, Column] = {
    _U + "id": Column(person.c.person_id),
    _U + "externalid": Column(person.c.external_id),
    _U + "username": Column(person.c.user_name),
    _U + "name.givenname": Column(person.c.given_name),
    _U + "name.familyname": Column(person.c.family_name),
    _U + "displayname": Column(person.c.display_name),
    _U + "title": Column(person.c.job_title),
    _U + "meta.created": Column(person.c.created_at, "datetime"),
    _U + "meta.lastmodified": Column(person.c.updated_at, "datetime"),
    _E + "employeenumber": Column(person.c.employee_number),
    _E + "department": Column(department.c.name),
    _E + "manager.value": Column(_manager.c.person_id),
}
GROUP_COLUMNS: dict[str, Column] = {
    _G + "id": Column(group.c.group_id),
    _G + "externalid": Column(group.c.external_id),
    _G + "displayname": Column(group.c.display_name),
    _G + "meta.created": Column(group.c.created_at, "datetime"),
    _G + "meta.lastmodified": Column(group.c.updated_at, "datetime"),
}


def version_tag(version: int) -> str:
    """meta.version and the ETag (RFC 7644 §3.14: weak, from the row's version counter)."""
    return f'W/"{version}"'


def _iso(value: datetime) -> str:
    return clock.as_utc(value).isoformat()


def _extra(text: str | None) -> dict[str, Any]:
    try:
        found = orjson.loads(text or "{}")
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def _primary_email(emails: Any) -> str | None:
    """RFC 7643 §4.1.2: the primary e-mail, else the first; None when it is not an address we can sign in with."""
    if not isinstance(emails, list) or not emails:
        return None
    chosen = next((e for e in emails if isinstance(e, dict) and e.get("primary") is True), emails[0])
    value = chosen.get("value") if isinstance(chosen, dict) else None
    if not isinstance(value, str) or not people_ops.EMAIL_PATTERN.match(value.strip()):
        return None
    return value.strip().lower()


def _wants(response_parameters: ResponseParameters[Any] | None, attribute: str) -> bool:
    """Whether a response keeps `attribute` (RFC 7644 §3.9), so that it need not be loaded otherwise."""
    if response_parameters is None:
        return True

    def name(path: Any) -> str:
        return str(path).rsplit(":", 1)[-1].lower()

    if response_parameters.attributes:
        return any(name(p).split(".")[0] == attribute for p in response_parameters.attributes)
    if response_parameters.excluded_attributes:
        return not any(name(p) == attribute for p in response_parameters.excluded_attributes)
    return True


def _translate_error(exc: Exception) -> Exception:
    """The hub's validation errors, in SCIM's error vocabulary (RFC 7644 §3.12)."""
    if isinstance(exc, Conflict):
        return UniquenessException(detail=exc.message)
    if isinstance(exc, PreconditionFailed):
        return PreconditionFailedException(detail=exc.message)
    if isinstance(exc, NotFound):
        return NotFoundException(detail=exc.message)
    if isinstance(exc, BadRequest):
        return InvalidValueException(detail=exc.message)
    return exc


@dataclass
class Directory:
    """The SCIM view of one tenant's people and groups, inside one transaction."""

    conn: Connection
    tenant_id: int
    actor: str = "scim"

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    # -- Users: reading ---------------------------------------------------

    def _user_select(self) -> Select[Any]:
        return (select(person, department.c.name.label("department_name"),
                       _manager.c.person_id.label("manager_public_id"),
                       _manager.c.display_name.label("manager_name"))
                .select_from(person.outerjoin(department, department.c.id == person.c.department_id)
                             .outerjoin(_manager, _manager.c.id == person.c.manager_id))
                .where(person.c.tenant_id == self.tenant_id))

    def _groups_of(self, pks: list[int]) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pks}
        if not pks:
            return found
        rows = self.conn.execute(
            select(group_member.c.person_id, group.c.group_id, group.c.display_name)
            .join(group, group.c.id == group_member.c.group_id)
            .where(group_member.c.tenant_id == self.tenant_id, group.c.tenant_id == self.tenant_id,
                   group_member.c.person_id.in_(pks))
            .order_by(group.c.display_name, group.c.id))
        for r in rows:
            found[r.person_id].append({"value": r.group_id, "display": r.display_name, "type": "direct"})
        return found

    def _user_resources(self, rows: list[Any], *, groups: bool = True) -> list[Resource[Any]]:
        memberships = self._groups_of([r.id for r in rows]) if groups else {}
        model = model_of("User")
        return [model.model_validate(self._user_document(r, memberships.get(r.id, []))) for r in rows]

    @staticmethod
    def _user_document(row: Any, groups: list[dict[str, Any]]) -> dict[str, Any]:
        doc = _extra(row.scim_extra)
        active_unset = bool(doc.pop(ACTIVE_UNSET, False))
        schemas = [USER_SCHEMA]
        doc["id"] = row.person_id
        if row.external_id:
            doc["externalId"] = row.external_id
        doc["userName"] = row.user_name
        name = dict(doc.get("name") or {})
        if row.given_name:
            name["givenName"] = row.given_name
        if row.family_name:
            name["familyName"] = row.family_name
        if name:
            doc["name"] = name
        if row.display_name:
            doc["displayName"] = row.display_name
        if row.job_title:
            doc["title"] = row.job_title
        # A removed `active` is shown as absent (RFC 7644 §3.5.2.2), but the column keeps its value:
        # removing the attribute never reactivates a deactivated person, who still cannot sign in.
        if not active_unset:
            doc["active"] = bool(row.active)
        if "emails" not in doc and row.email:  # a person created in the hub, not over SCIM
            doc["emails"] = [{"value": row.email, "type": "work", "primary": True}]
        enterprise = dict(doc.get(ENTERPRISE) or {})
        if row.employee_number:
            enterprise["employeeNumber"] = row.employee_number
        if row.department_name:
            enterprise["department"] = row.department_name
        if row.manager_public_id:
            manager: dict[str, Any] = {"value": row.manager_public_id, "$ref": f"Users/{row.manager_public_id}"}
            if row.manager_name:
                manager["displayName"] = row.manager_name
            enterprise["manager"] = manager
        if enterprise:
            doc[ENTERPRISE] = enterprise
            schemas.append(ENTERPRISE)
        else:
            doc.pop(ENTERPRISE, None)
        if groups:
            doc["groups"] = groups
        doc["schemas"] = schemas
        doc["meta"] = {"resourceType": "User", "created": _iso(row.created_at),
                       "lastModified": _iso(row.updated_at), "version": version_tag(row.version)}
        return doc

    def get_user(self, person_id: str, response_parameters: ResponseParameters[Any] | None = None
                 ) -> Resource[Any]:
        row = self.conn.execute(self._user_select().where(person.c.person_id == person_id)).first()
        if row is None:
            raise NotFoundException(detail=f"User {person_id!r} not found")
        return self._user_resources([row], groups=_wants(response_parameters, "groups"))[0]

    # -- Users: writing ---------------------------------------------------

    @staticmethod
    def _user_fields(resource: Resource[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Column values (people_ops field names) and the rest of the resource, from a validated User."""
        doc = resource.model_dump()
        # Read-only or never stored: id and meta are the server's, groups derive from Group
        # memberships (RFC 7643 §4.1.2), and a password is never kept in clear.
        for key in ("id", "meta", "schemas", "groups", "password"):
            doc.pop(key, None)
        data: dict[str, Any] = {
            "user_name": doc.pop("userName", None), "external_id": doc.pop("externalId", None),
            "display_name": doc.pop("displayName", None), "job_title": doc.pop("title", None),
        }
        active = doc.pop("active", None)
        if active is not None:
            data["active"] = bool(active)
        else:
            doc[ACTIVE_UNSET] = True
        name = dict(doc.pop("name", None) or {})
        data["given_name"] = name.pop("givenName", None)
        data["family_name"] = name.pop("familyName", None)
        if name:
            doc["name"] = name
        data["email"] = _primary_email(doc.get("emails"))
        enterprise = dict(doc.pop(ENTERPRISE, None) or {})
        data["employee_number"] = enterprise.pop("employeeNumber", None)
        data["department"] = enterprise.pop("department", None)
        manager = enterprise.pop("manager", None)
        data["manager_id"] = manager.get("value") if isinstance(manager, dict) else None
        if enterprise:
            doc[ENTERPRISE] = enterprise
        return data, doc

    def _lock(self, table: Any, id_column: Any, public_id: str | None, kind: str) -> Any:
        query = select(table.c.id, table.c.version).where(table.c.tenant_id == self.tenant_id,
                                                          id_column == public_id)
        row = self.conn.execute(query.with_for_update()).first()
        if row is None:
            raise NotFoundException(detail=f"{kind} {public_id!r} not found")
        return row

    @staticmethod
    def _check_version(row: Any, expected_version: str | None) -> None:
        # RFC 7644 §3.14: a write based on a stale representation is refused.
        if expected_version is not None and expected_version != version_tag(row.version):
            raise PreconditionFailedException(detail="the resource changed since it was read")

    def create_user(self, resource: Resource[Any]) -> Resource[Any]:
        data, extra = self._user_fields(resource)
        sent_display_name = bool(data.get("display_name"))
        values = {k: v for k, v in data.items() if v is not None}
        try:
            created = people_ops.create_person(self.conn, self.tenant_id, values, actor=self.actor,
                                               scim_extra=extra)
        except Exception as exc:
            raise _translate_error(exc) from exc
        if not sent_display_name and created.display_name:
            # create_person derives a display name for the UI; SCIM keeps what the client sent.
            self.conn.execute(update(person).where(person.c.tenant_id == self.tenant_id, person.c.id == created.pk)
                              .values(display_name=""))
        return self.get_user(created.person_id)

    def update_user(self, resource: Resource[Any], expected_version: str | None) -> Resource[Any]:
        public_id = cast(str, resource.id)
        row = self._lock(person, person.c.person_id, public_id, "User")
        self._check_version(row, expected_version)
        data, extra = self._user_fields(resource)
        # RFC 7644 §3.5.1 says a PUT clears what it omits; `active` is the exception: Okta's PUT
        # updates may leave it out and must not deactivate anyone (identity.md §3 row 21).
        current = people_ops.get_person(self.conn, self.tenant_id, public_id)
        now = {"user_name": current.user_name, "external_id": current.external_id,
               "display_name": current.display_name or None, "job_title": current.job_title,
               "active": current.active, "given_name": current.given_name or None,
               "family_name": current.family_name or None, "email": current.email,
               "employee_number": current.employee_number, "department": current.department,
               "manager_id": current.manager_id}
        changes = {k: v for k, v in data.items() if v != now.get(k)}
        if not changes and extra == current.scim_extra:
            return self.get_user(public_id)  # nothing changed: keep the version (and the ETag)
        try:
            people_ops.update_person(self.conn, self.tenant_id, public_id, changes, actor=self.actor,
                                     scim_extra=extra)
        except Exception as exc:
            raise _translate_error(exc) from exc
        return self.get_user(public_id)

    def delete_user(self, person_id: str, expected_version: str | None) -> None:
        row = self._lock(person, person.c.person_id, person_id, "User")
        self._check_version(row, expected_version)
        # The groups lose a member: their representation changes, so does their version.
        self.conn.execute(update(group).where(group.c.tenant_id == self.tenant_id, group.c.id.in_(
            select(group_member.c.group_id).where(group_member.c.tenant_id == self.tenant_id,
                                                  group_member.c.person_id == row.id)))
            .values(version=group.c.version + 1, updated_at=clock.now()))
        people_ops.delete_person(self.conn, self.tenant_id, person_id, actor=self.actor)

    # -- Groups -------------------------------------------------------------

    def _members_of(self, pks: list[int]) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in pks}
        if not pks:
            return found
        rows = self.conn.execute(
            select(group_member.c.group_id, person.c.person_id, person.c.display_name, person.c.user_name)
            .join(person, person.c.id == group_member.c.person_id)
            .where(group_member.c.tenant_id == self.tenant_id, person.c.tenant_id == self.tenant_id,
                   group_member.c.group_id.in_(pks))
            .order_by(person.c.id))
        for r in rows:
            found[r.group_id].append({"value": r.person_id, "type": "User", "$ref": f"Users/{r.person_id}"})
        return found

    def _group_resources(self, rows: list[Any], *, members: bool = True) -> list[Resource[Any]]:
        membership = self._members_of([r.id for r in rows]) if members else {}
        model = model_of("Group")
        resources = []
        for r in rows:
            doc = _extra(r.scim_extra)
            displays = doc.pop(MEMBER_DISPLAYS, {})
            doc.update(schemas=[GROUP_SCHEMA], id=r.group_id, displayName=r.display_name)
            if r.external_id:
                doc["externalId"] = r.external_id
            if membership.get(r.id):
                doc["members"] = [dict(m, display=displays[m["value"]]) if m["value"] in displays else m
                                  for m in membership[r.id]]
            doc["meta"] = {"resourceType": "Group", "created": _iso(r.created_at),
                           "lastModified": _iso(r.updated_at), "version": version_tag(r.version)}
            resources.append(model.model_validate(doc))
        return resources

    def get_group(self, group_id: str, response_parameters: ResponseParameters[Any] | None = None
                  ) -> Resource[Any]:
        row = self.conn.execute(select(group).where(group.c.tenant_id == self.tenant_id,
                                                    group.c.group_id == group_id)).first()
        if row is None:
            raise NotFoundException(detail=f"Group {group_id!r} not found")
        # Entra reads groups with excludedAttributes=members; a large group is then not loaded.
        return self._group_resources([row], members=_wants(response_parameters, "members"))[0]

    def _group_fields(self, resource: Resource[Any]) -> tuple[dict[str, Any], set[int], dict[str, Any]]:
        doc = resource.model_dump()
        for key in ("id", "meta", "schemas"):
            doc.pop(key, None)
        name = doc.pop("displayName", None)
        if not isinstance(name, str) or not name.strip():
            raise InvalidValueException(detail="a group needs a displayName")
        if len(name.strip()) > 300:
            raise InvalidValueException(detail="displayName must be at most 300 characters")
        external_id = doc.pop("externalId", None)
        if external_id is not None and len(external_id) > 500:
            raise InvalidValueException(detail="externalId must be at most 500 characters")
        members = doc.pop("members", None) or []
        if len(members) > MAX_MEMBERS:
            raise InvalidValueException(detail=f"at most {MAX_MEMBERS} members per group")
        wanted: set[str] = set()
        displays: dict[str, str] = {}
        for member in members:
            value = member.get("value")
            if member.get("type") not in (None, "User") or not isinstance(value, str):
                raise InvalidValueException(detail="group members must be Users of this organisation")
            wanted.add(value)
            if isinstance(member.get("display"), str):
                displays[value] = member["display"]
        if displays:
            doc[MEMBER_DISPLAYS] = displays
        found = {r.person_id: int(r.id) for r in self.conn.execute(
            select(person.c.person_id, person.c.id).where(person.c.tenant_id == self.tenant_id,
                                                          person.c.person_id.in_(sorted(wanted))))}
        missing = sorted(wanted - set(found))
        if missing:
            # The same answer for someone of another organisation and for no one (identity.md C18).
            raise InvalidValueException(detail=f"no User {missing[0]!r} in this organisation")
        return {"display_name": name.strip(), "external_id": external_id}, set(found.values()), doc

    def create_group(self, resource: Resource[Any]) -> Resource[Any]:
        values, member_pks, extra = self._group_fields(resource)
        now = clock.now()
        public_id = str(uuid.uuid4())
        pk = int(self.conn.execute(insert(group).values(
            tenant_id=self.tenant_id, group_id=public_id, scim_extra=orjson.dumps(extra).decode(), version=1,
            created_at=now, updated_at=now, **values)).inserted_primary_key[0])  # type: ignore[index]
        if member_pks:
            self.conn.execute(insert(group_member), [{"tenant_id": self.tenant_id, "group_id": pk, "person_id": p}
                                                     for p in sorted(member_pks)])
        audit.record(self.conn, self.tenant_id, self.actor, "group.create", "group", public_id,
                     {"name": values["display_name"], "members": len(member_pks)})
        return self.get_group(public_id)

    def update_group(self, resource: Resource[Any], expected_version: str | None) -> Resource[Any]:
        public_id = cast(str, resource.id)
        row = self._lock(group, group.c.group_id, public_id, "Group")
        self._check_version(row, expected_version)
        values, member_pks, extra = self._group_fields(resource)
        current = self.conn.execute(select(group).where(group.c.id == row.id)).one()
        present = {int(r[0]) for r in self.conn.execute(select(group_member.c.person_id).where(
            group_member.c.tenant_id == self.tenant_id, group_member.c.group_id == row.id))}
        added, removed = member_pks - present, present - member_pks
        extra_text = orjson.dumps(extra).decode()
        changed = {k: v for k, v in values.items() if getattr(current, k) != v}
        if extra != _extra(current.scim_extra):
            changed["scim_extra"] = extra_text
        if not changed and not added and not removed:
            return self.get_group(public_id)
        if removed:
            self.conn.execute(delete(group_member).where(group_member.c.tenant_id == self.tenant_id,
                                                         group_member.c.group_id == row.id,
                                                         group_member.c.person_id.in_(sorted(removed))))
        if added:
            self.conn.execute(insert(group_member), [{"tenant_id": self.tenant_id, "group_id": row.id, "person_id": p}
                                                     for p in sorted(added)])
        self.conn.execute(update(group).where(group.c.tenant_id == self.tenant_id, group.c.id == row.id)
                          .values(version=group.c.version + 1, updated_at=clock.now(), **changed))
        ids = self._public_ids(added | removed)
        audit.record(self.conn, self.tenant_id, self.actor, "group.update", "group", public_id,
                     {"fields": sorted(k for k in changed if k != "scim_extra"),
                      "members_added": sorted(ids[p] for p in added),
                      "members_removed": sorted(ids[p] for p in removed)})
        return self.get_group(public_id)

    def _public_ids(self, pks: set[int]) -> dict[int, str]:
        if not pks:
            return {}
        return {int(r.id): r.person_id for r in self.conn.execute(
            select(person.c.id, person.c.person_id).where(person.c.tenant_id == self.tenant_id,
                                                          person.c.id.in_(sorted(pks))))}

    def delete_group(self, group_id: str, expected_version: str | None) -> None:
        row = self._lock(group, group.c.group_id, group_id, "Group")
        self._check_version(row, expected_version)
        name = self.conn.execute(select(group.c.display_name).where(group.c.id == row.id)).scalar()
        self.conn.execute(delete(group_member).where(group_member.c.tenant_id == self.tenant_id,
                                                     group_member.c.group_id == row.id))
        self.conn.execute(delete(group).where(group.c.tenant_id == self.tenant_id, group.c.id == row.id))
        audit.record(self.conn, self.tenant_id, self.actor, "group.delete", "group", group_id, {"name": name})

    # -- Search -------------------------------------------------------------

    def search(self, kind: str, search_request: SearchRequest[Any]) -> tuple[int, list[Resource[Any]]]:
        """One page of `kind` ("User" or "Group") and the number of matches (RFC 7644 §3.4.2)."""
        if kind == "User":
            base = self._user_select()
            columns, pk, extra_text = USER_COLUMNS, person.c.id, person.c.scim_extra
            also_in = {_U + "emails": person.c.email}
            load: Callable[[list[Any]], list[Resource[Any]]] = self._user_resources
        else:
            base = select(group).where(group.c.tenant_id == self.tenant_id)
            columns, pk, extra_text, also_in = GROUP_COLUMNS, group.c.id, group.c.scim_extra, {}
            load = self._group_resources
        model = model_of(kind)
        scim_filter = search_request.filter
        translation = (SqlFilter(cast(ScimFilter[Any], scim_filter), columns, dialect=self.dialect,
                                 extra_text=extra_text, also_in=also_in).translate()
                       if scim_filter is not None else Translation(None, True))
        order: list[Any] | None = []
        if search_request.sort_by is not None:
            binding = search_request.sort_binding(model)
            column = columns.get(binding.urn.lower()) if binding is not None else None
            descending = search_request.sort_order == SearchRequest.SortOrder.descending
            order = (order_key(column, binding.case_exact, dialect=self.dialect, descending=descending)
                     if column is not None and binding is not None else None)
        query = base if translation.where is None else base.where(translation.where)
        start = search_request.start_index_0 or 0
        count = MAX_RESULTS if search_request.count is None else search_request.count
        if translation.exact and order is not None:
            total = int(self.conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())
            if count == 0 or start >= total:
                return total, []
            rows = self.conn.execute(query.order_by(*order, pk).offset(start).limit(count)).all()
            return total, load(list(rows))
        # Attributes kept in JSON (e-mails, phone numbers, ...) or a sort on them: the SQL keeps the
        # candidates, scim2-models' own evaluator decides, so the semantics are exactly the RFC's.
        rows = self.conn.execute(query.order_by(pk).limit(CANDIDATE_LIMIT + 1)).all()
        if len(rows) > CANDIDATE_LIMIT:
            raise TooManyException(detail="the filter matches too many resources to evaluate; narrow it "
                                          "with userName, externalId, displayName or another indexed attribute")
        found = load(list(rows))
        if scim_filter is not None:
            found = [r for r in found if scim_filter.match(r)]
        if search_request.sort_by is not None:
            found = search_request.sort(found)
        return len(found), found[start:start + count]
