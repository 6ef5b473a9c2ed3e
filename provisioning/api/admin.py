"""The admin JSON API behind the web UI, on the shared /api/v1/ sub-application.

Every handler resolves the signed-in person once with `require()` (which also checks the CSRF
header on state changes); the tenant comes from that session and nowhere else. Managers and
supervisors (PEOPLE_READ_TEAM) see their reporting line only, and a person outside it answers
exactly like one who does not exist. Every change is audited by the ops it calls.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import Connection

from hub.errors import BadRequest, Conflict, Forbidden, NotFound
from hub.keys import DB, SIBLINGS
from hub.middleware import json_response
from hub.request_bodies import json_object
from lrs.ops.credentials import create_credential, list_credentials, revoke_credential
from lrs.scopes import SCOPES
from provisioning.api.auth import require
from provisioning.ops import groups as group_ops
from provisioning.ops import people as people_ops
from provisioning.ops.audit_entries import distinct_actions, search_entries
from provisioning.ops.overview import direct_report_pks, team_counts, tenant_counts
from provisioning.ops.sessions import WebPrincipal
from provisioning.ops.statement_browser import BrowserQuery, browse
from provisioning.passwords import hash_password_async, policy_violation
from provisioning.roles import PERMISSIONS, ROLE_LABELS, Permission, Role

P = Permission

# What each permission means, for the roles page; a test fails when one is missing.
PERMISSION_DESCRIPTIONS: dict[Permission, str] = {
    P.PEOPLE_READ_ALL: "See every person of the organisation",
    P.PEOPLE_READ_TEAM: "See the people in one's reporting line",
    P.PEOPLE_WRITE: "Create, edit and deactivate people; reset passwords",
    P.GROUPS_WRITE: "Create, rename and delete groups; change members",
    P.ROLES_ASSIGN: "Give and take away roles",
    P.LRS_CREDENTIALS_MANAGE: "Issue and revoke LRS client credentials",
    P.SCIM_TOKENS_MANAGE: "Issue and revoke SCIM provisioning tokens",
    P.SAML_MANAGE: "Configure single sign-on (SAML)",
    P.AUDIT_READ: "Read the audit log",
    P.STATEMENTS_READ: "Browse every xAPI statement of the organisation",
    P.PACKAGES_MANAGE: "Import SCORM and cmi5 packages",
    P.REPORTS_READ: "Read course and learner reports for the organisation",
    P.TEAM_REPORTS_READ: "Read reports over one's reporting line",
    P.COSTS_APPROVE: "Approve training cost lines",
    P.ROI_READ: "Read ROI figures",
    P.LEARN: "Launch courses and see one's own record",
    P.TENANTS_MANAGE: "Create organisations and run the platform",
}

_PEOPLE_READERS = (P.PEOPLE_READ_ALL, P.PEOPLE_READ_TEAM)
_PERSON_FIELDS = set(people_ops.EDITABLE)


def setup_routes(api: web.Application, parent: web.Application) -> None:
    """Add the admin routes to the shared /api/v1/ sub-application."""
    router = api.router
    router.add_get("/dashboard", dashboard)
    router.add_get("/people", list_people)
    router.add_post("/people", create_person)
    router.add_get("/people/{person_id}", get_person)
    router.add_patch("/people/{person_id}", update_person)
    router.add_post("/people/{person_id}/deactivate", deactivate_person)
    router.add_post("/people/{person_id}/reactivate", reactivate_person)
    router.add_put("/people/{person_id}/roles", set_roles)
    router.add_post("/people/{person_id}/password", reset_password)
    router.add_get("/departments", list_departments)
    router.add_get("/roles", list_roles)
    router.add_get("/groups", list_groups)
    router.add_post("/groups", create_group)
    router.add_get("/groups/{group_id}", get_group)
    router.add_patch("/groups/{group_id}", rename_group)
    router.add_delete("/groups/{group_id}", delete_group)
    router.add_post("/groups/{group_id}/members", add_members)
    router.add_delete("/groups/{group_id}/members/{person_id}", remove_member)
    router.add_get("/lrs-credentials", list_lrs_credentials)
    router.add_post("/lrs-credentials", create_lrs_credential)
    router.add_delete("/lrs-credentials/{key}", revoke_lrs_credential)
    router.add_get("/audit", list_audit)
    router.add_get("/audit/actions", list_audit_actions)
    router.add_get("/statements", browse_statements)



# --- request helpers -------------------------------------------------------------------------


def _int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise BadRequest(f"{name} must be a whole number", field=name)
    return min(max(int(raw), low), high)


def _bool(request: web.Request, name: str) -> bool | None:
    raw = request.query.get(name, "")
    if raw == "":
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise BadRequest(f"{name} must be true or false", field=name)


def _date(request: web.Request, name: str, *, end_of_day: bool = False) -> datetime | None:
    raw = request.query.get(name, "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a date (YYYY-MM-DD) or an ISO 8601 time", field=name) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if end_of_day and len(raw) == 10:
        value += timedelta(days=1)
    return value


def _no_store(body: object, status: int = 200) -> web.Response:
    return json_response(body, status=status, headers={"Cache-Control": "no-store"})


def _db(request: web.Request) -> Any:
    return request.config_dict[DB]


# --- people ----------------------------------------------------------------------------------


def _visible(conn: Connection, who: WebPrincipal, *, team_only: bool = False) -> set[int] | None:
    """The people `who` may see: None for everyone of the tenant, else their reporting line."""
    if who.can(P.PEOPLE_READ_ALL) and not team_only:
        return None
    return people_ops.reporting_line(conn, who.tenant_id, who.person_pk)


def _visible_person(conn: Connection, who: WebPrincipal, person_id: str) -> people_ops.Person:
    """A person `who` may see; outside their view it is the same 404 as a person who does not exist."""
    found = people_ops.get_person(conn, who.tenant_id, person_id)
    scope = _visible(conn, who)
    if scope is not None and found.pk not in scope and found.pk != who.person_pk:
        raise NotFound(f"no person {person_id!r}", field="id")
    return found


async def dashboard(request: web.Request) -> web.Response:
    who = await require(request)

    def run(conn: Connection) -> dict[str, Any]:
        body: dict[str, Any] = {"tenant": {"slug": who.tenant_slug, "name": who.tenant_name}}
        if who.can(P.PEOPLE_READ_ALL):
            body["counts"] = tenant_counts(conn, who.tenant_id)
            if not who.can(P.LRS_CREDENTIALS_MANAGE):
                body["counts"].pop("lrs_credentials")
            if not who.can(P.AUDIT_READ):
                body["counts"].pop("audit_last_7_days")
        if who.can(P.PEOPLE_READ_TEAM) or who.can(P.PEOPLE_READ_ALL):
            body["team"] = team_counts(conn, who.tenant_id, who.person_pk)
        return body

    return _no_store(await _db(request).read(run))


async def list_people(request: web.Request) -> web.Response:
    who = await require(request, *_PEOPLE_READERS)
    team_only = request.query.get("team") == "mine"
    order = request.query.get("order", "asc")
    if order not in ("asc", "desc"):
        raise BadRequest("order must be asc or desc", field="order")
    role = request.query.get("role") or None
    if role is not None and role not in {r.value for r in Role}:
        raise BadRequest(f"unknown role {role!r}", field="role")
    offset = _int(request, "offset", 0, 0, 1_000_000)
    limit = _int(request, "limit", 25, 1, 500)
    active = _bool(request, "active")

    def run(conn: Connection) -> dict[str, Any]:
        found, total = people_ops.list_people(
            conn, who.tenant_id, within=_visible(conn, who, team_only=team_only),
            search=request.query.get("q") or None, department_name=request.query.get("department") or None,
            role=role, active=active, sort=request.query.get("sort", "name"), descending=order == "desc",
            offset=offset, limit=limit)
        return {"items": [p.public() for p in found], "total": total, "offset": offset, "limit": limit}

    return _no_store(await _db(request).read(run))


async def get_person(request: web.Request) -> web.Response:
    who = await require(request, *_PEOPLE_READERS)
    person_id = request.match_info["person_id"]

    def run(conn: Connection) -> dict[str, Any]:
        found = _visible_person(conn, who, person_id)
        body = found.public()
        body["groups"] = group_ops.groups_of(conn, who.tenant_id, found.pk)
        reports, _ = people_ops.list_people(conn, who.tenant_id, within=_direct_reports(conn, who, found.pk),
                                            limit=500)
        body["reports"] = [{"id": r.person_id, "name": r.name, "job_title": r.job_title, "active": r.active}
                           for r in reports]
        body["agents"] = found.agents(who.tenant_slug)
        return body

    return _no_store(await _db(request).read(run))


def _direct_reports(conn: Connection, who: WebPrincipal, pk: int) -> set[int]:
    direct = direct_report_pks(conn, who.tenant_id, pk)
    scope = _visible(conn, who)
    return direct if scope is None else direct & scope


def _person_fields(body: dict[str, Any], *, allowed_extra: set[str]) -> dict[str, Any]:
    unknown = set(body) - _PERSON_FIELDS - allowed_extra
    if unknown:
        name = sorted(unknown)[0]
        raise BadRequest(f"unknown field {name!r}", field=name)
    return {k: v for k, v in body.items() if k in _PERSON_FIELDS}


def _roles_from(body: dict[str, Any]) -> list[str]:
    roles = body.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise BadRequest("roles must be a list of role names", field="roles")
    known = {r.value for r in Role}
    for role in roles:
        if role not in known:
            raise BadRequest(f"unknown role {role!r}; roles are {', '.join(sorted(known))}", field="roles")
    return roles


def _check_role_grant(who: WebPrincipal, before: list[str], after: list[str]) -> None:
    # Only a platform admin may make or unmake another platform admin.
    if (Role.PLATFORM_ADMIN.value in before) != (Role.PLATFORM_ADMIN.value in after) and \
            not who.can(P.TENANTS_MANAGE):
        raise Forbidden("only a platform admin can give or take away the platform admin role", field="roles")


async def _password_hash(body: dict[str, Any]) -> str | None:
    password = body.get("password")
    if password is None or password == "":
        return None
    if not isinstance(password, str):
        raise BadRequest("password must be a string", field="password")
    problem = policy_violation(password)
    if problem:
        raise BadRequest(problem, field="password")
    return await hash_password_async(password)


async def create_person(request: web.Request) -> web.Response:
    who = await require(request, P.PEOPLE_WRITE)
    body = await json_object(request)
    data = _person_fields(body, allowed_extra={"roles", "password"})
    if not isinstance(data.get("email"), str) or not data["email"].strip():
        raise BadRequest("e-mail is required", field="email")
    roles = [Role.LEARNER.value]
    if "roles" in body:
        roles = _roles_from(body)
        if roles != [Role.LEARNER.value] and not who.can(P.ROLES_ASSIGN):
            raise Forbidden("your role does not allow giving roles", field="roles")
        _check_role_grant(who, [], roles)
    password_hash = await _password_hash(body)

    def run(conn: Connection) -> dict[str, Any]:
        try:
            return people_ops.create_person(conn, who.tenant_id, data, actor=who.actor, roles=roles,
                                            password_hash=password_hash).public()
        except Conflict as exc:
            # The user name defaults to the e-mail address; the form only shows the e-mail.
            if exc.field == "user_name" and "user_name" not in data:
                raise Conflict("another person already has this e-mail address", field="email") from None
            raise

    created = await _db(request).transaction(run)
    return _no_store(created, status=201)


async def update_person(request: web.Request) -> web.Response:
    who = await require(request, P.PEOPLE_WRITE)
    person_id = request.match_info["person_id"]
    body = await json_object(request)
    data = _person_fields(body, allowed_extra={"version"})
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise BadRequest("version must be a whole number", field="version")
    if data.get("active") is False and person_id == who.person_id:
        raise BadRequest("you cannot deactivate yourself", field="active")

    def run(conn: Connection) -> dict[str, Any]:
        return people_ops.update_person(conn, who.tenant_id, person_id, data, actor=who.actor,
                                        expected_version=version).public()

    return _no_store(await _db(request).transaction(run))


async def _set_active(request: web.Request, active: bool) -> web.Response:
    who = await require(request, P.PEOPLE_WRITE)
    person_id = request.match_info["person_id"]
    if not active and person_id == who.person_id:
        raise BadRequest("you cannot deactivate yourself", field="active")

    def run(conn: Connection) -> dict[str, Any]:
        found = people_ops.update_person(conn, who.tenant_id, person_id, {"active": active}, actor=who.actor)
        return found.public()

    return _no_store(await _db(request).transaction(run))


async def deactivate_person(request: web.Request) -> web.Response:
    return await _set_active(request, False)


async def reactivate_person(request: web.Request) -> web.Response:
    return await _set_active(request, True)


async def set_roles(request: web.Request) -> web.Response:
    who = await require(request, P.ROLES_ASSIGN)
    person_id = request.match_info["person_id"]
    body = await json_object(request)
    roles = _roles_from(body)
    if person_id == who.person_id:
        raise BadRequest("you cannot change your own roles; ask another administrator", field="roles")

    def run(conn: Connection) -> dict[str, Any]:
        current = people_ops.get_person(conn, who.tenant_id, person_id)
        _check_role_grant(who, current.roles, roles)
        return people_ops.set_roles(conn, who.tenant_id, person_id, roles, actor=who.actor).public()

    return _no_store(await _db(request).transaction(run))


async def reset_password(request: web.Request) -> web.Response:
    who = await require(request, P.PEOPLE_WRITE)
    person_id = request.match_info["person_id"]
    body = await json_object(request)
    if person_id == who.person_id:
        raise BadRequest("reset your own password by signing out and asking another administrator",
                         field="password")
    if not body.get("password"):
        raise BadRequest("a new password is required", field="password")
    password_hash = await _password_hash(body)
    assert password_hash is not None

    def run(conn: Connection) -> None:
        people_ops.set_password_hash(conn, who.tenant_id, person_id, password_hash, actor=who.actor)

    await _db(request).transaction(run)
    return web.Response(status=204)


async def list_departments(request: web.Request) -> web.Response:
    who = await require(request, P.PEOPLE_READ_ALL, P.PEOPLE_WRITE, P.GROUPS_WRITE)
    found = await _db(request).read(lambda conn: people_ops.list_departments(conn, who.tenant_id))
    return _no_store({"items": found})


async def list_roles(request: web.Request) -> web.Response:
    """The permission map of provisioning/roles.py, serialised for the read-only roles page."""
    await require(request, P.ROLES_ASSIGN, P.PEOPLE_READ_ALL)
    return json_response({
        "roles": [{"role": role.value, "label": ROLE_LABELS[role],
                   "permissions": sorted(p.value for p in PERMISSIONS[role])} for role in Role],
        "permissions": [{"permission": p.value, "description": PERMISSION_DESCRIPTIONS[p]} for p in Permission],
    })


# --- groups ----------------------------------------------------------------------------------


async def list_groups(request: web.Request) -> web.Response:
    who = await require(request, P.PEOPLE_READ_ALL, P.GROUPS_WRITE)
    search = request.query.get("q") or None
    found = await _db(request).read(lambda conn: group_ops.list_groups(conn, who.tenant_id, search=search))
    return _no_store({"items": found})


async def create_group(request: web.Request) -> web.Response:
    who = await require(request, P.GROUPS_WRITE)
    body = await json_object(request)
    created = await _db(request).transaction(
        lambda conn: group_ops.create_group(conn, who.tenant_id, body.get("name"), actor=who.actor))
    return _no_store(created, status=201)


async def get_group(request: web.Request) -> web.Response:
    who = await require(request, P.PEOPLE_READ_ALL, P.GROUPS_WRITE)
    group_id = request.match_info["group_id"]
    return _no_store(await _db(request).read(lambda conn: group_ops.get_group(conn, who.tenant_id, group_id)))


async def rename_group(request: web.Request) -> web.Response:
    who = await require(request, P.GROUPS_WRITE)
    group_id = request.match_info["group_id"]
    body = await json_object(request)
    return _no_store(await _db(request).transaction(
        lambda conn: group_ops.rename_group(conn, who.tenant_id, group_id, body.get("name"), actor=who.actor)))


async def delete_group(request: web.Request) -> web.Response:
    who = await require(request, P.GROUPS_WRITE)
    group_id = request.match_info["group_id"]
    await _db(request).transaction(lambda conn: group_ops.delete_group(conn, who.tenant_id, group_id,
                                                                       actor=who.actor))
    return web.Response(status=204)


async def add_members(request: web.Request) -> web.Response:
    who = await require(request, P.GROUPS_WRITE)
    group_id = request.match_info["group_id"]
    body = await json_object(request)
    people = body.get("people")
    if not isinstance(people, list) or not people:
        raise BadRequest("people must be a non-empty list of person ids", field="people")
    return _no_store(await _db(request).transaction(
        lambda conn: group_ops.add_members(conn, who.tenant_id, group_id, people, actor=who.actor)))


async def remove_member(request: web.Request) -> web.Response:
    who = await require(request, P.GROUPS_WRITE)
    group_id, person_id = request.match_info["group_id"], request.match_info["person_id"]
    return _no_store(await _db(request).transaction(
        lambda conn: group_ops.remove_members(conn, who.tenant_id, group_id, [person_id], actor=who.actor)))


# --- LRS credentials -------------------------------------------------------------------------


async def list_lrs_credentials(request: web.Request) -> web.Response:
    who = await require(request, P.LRS_CREDENTIALS_MANAGE)
    found = await list_credentials(_db(request), who.tenant_id)
    return _no_store({"items": found, "scopes": sorted(SCOPES)})


async def create_lrs_credential(request: web.Request) -> web.Response:
    who = await require(request, P.LRS_CREDENTIALS_MANAGE)
    body = await json_object(request)
    unknown = set(body) - {"label", "scopes", "xapi_version"}
    if unknown:
        raise BadRequest(f"unknown field {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    label = body.get("label", "")
    if not isinstance(label, str) or not label.strip():
        raise BadRequest("give the credential a label, e.g. the client's name", field="label")
    if len(label) > 200:
        raise BadRequest("label must be at most 200 characters", field="label")
    scopes = body.get("scopes")
    if isinstance(scopes, list) and all(isinstance(s, str) for s in scopes):
        scopes = " ".join(scopes)
    if not isinstance(scopes, str):
        raise BadRequest("scopes must be a list of xAPI scopes", field="scopes")
    version = body.get("xapi_version", "2.0.0")
    if not isinstance(version, str):
        raise BadRequest("xapi_version must be a string", field="xapi_version")
    issued = await create_credential(_db(request), who.tenant_id, scopes=scopes, label=label.strip(),
                                     actor=who.actor, xapi_version=version)
    return _no_store({"key": issued.key, "secret": issued.secret, "scopes": sorted(issued.scopes),
                      "label": label.strip(), "xapi_version": version}, status=201)


async def revoke_lrs_credential(request: web.Request) -> web.Response:
    who = await require(request, P.LRS_CREDENTIALS_MANAGE)
    key = request.match_info["key"]
    await revoke_credential(_db(request), who.tenant_id, key, actor=who.actor)
    # Every authenticator of every worker drops its cache at its next request: the key stops working at once.
    request.config_dict[SIBLINGS].revoked()
    return web.Response(status=204)


# --- audit log and statements ----------------------------------------------------------------


async def list_audit(request: web.Request) -> web.Response:
    who = await require(request, P.AUDIT_READ)
    before = request.query.get("before")
    if before is not None and not before.isdigit():
        raise BadRequest("before must be an entry id", field="before")
    limit = _int(request, "limit", 50, 1, 200)
    since, until = _date(request, "since"), _date(request, "until", end_of_day=True)

    def run(conn: Connection) -> dict[str, Any]:
        entries, next_before = search_entries(
            conn, who.tenant_id, action=request.query.get("action") or None,
            actor=request.query.get("actor") or None, target_id=request.query.get("target") or None,
            since=since, until=until, before_id=int(before) if before else None, limit=limit)
        return {"items": entries, "next_before": next_before}

    return _no_store(await _db(request).read(run))


async def list_audit_actions(request: web.Request) -> web.Response:
    who = await require(request, P.AUDIT_READ)
    return _no_store({"items": await _db(request).read(lambda conn: distinct_actions(conn, who.tenant_id))})


async def browse_statements(request: web.Request) -> web.Response:
    who = await require(request, P.STATEMENTS_READ)
    known = {"agent", "verb", "activity", "since", "until", "cursor", "limit"}
    unknown = set(request.query) - known
    if unknown:
        raise BadRequest(f"unknown parameter {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
    query = BrowserQuery(agent=request.query.get("agent"), verb=request.query.get("verb"),
                         activity=request.query.get("activity"), since=request.query.get("since"),
                         until=request.query.get("until"), cursor=request.query.get("cursor"),
                         limit=_int(request, "limit", 25, 1, 200))
    page = await browse(_db(request), who, query)
    return _no_store({"statements": page.statements, "next_cursor": page.next_cursor, "person": page.person})
