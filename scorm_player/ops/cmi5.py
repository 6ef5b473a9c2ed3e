"""Playing cmi5 courses: enrolment, launch (session, LMS.LaunchData, learner preferences, `launched`), the
single-use fetch URL, moveOn evaluation with `satisfied` for blocks and the course, `abandoned`, `waived`, and
the roll-up into scorm_registration.

Each command runs as one transaction over the cmi5 tables; the LMS's statements and documents then go
through the LRS's own ops with the LMS's authority. Statement ids are deterministic, so sending one again
stores nothing new. A learner sees and launches only their own registrations (others get 404).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from sqlalchemy import Connection, Row

from hub import audit, clock
from hub.db import Database
from hub.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from lrs.model.agents import agent_ifi
from lrs.ops import documents
from lrs.ops.credentials import Principal, hash_secret
from lrs.ops.statements import store_statements
from lrs.scopes import ALL, permissions
from provisioning.ops.people import get_person, tenant_home_page
from provisioning.ops.sessions import WebPrincipal
from scorm_player.cmi5 import store
from scorm_player.cmi5.course import CourseIndex, CourseIris, Node, au_satisfied, index_course
from scorm_player.cmi5.launch import (
    LaunchParameters,
    context_template,
    launch_actor,
    launch_data,
    launch_url,
    learner_preferences,
)
from scorm_player.cmi5.statements import (
    LmsContext,
    abandoned_statement,
    launched_statement,
    satisfied_statement,
    waived_statement,
)
from scorm_player.cmi5.vocabulary import LAUNCH_DATA_STATE_ID, LAUNCH_MODES, LEARNER_PREFERENCES_PROFILE_ID
from scorm_player.package.archive import STANDALONE_DESCRIPTOR
from scorm_player.package.cmi5 import MoveOn, parse_course_structure
from scorm_player.runtime.durations import format_iso8601_duration
from scorm_player.store import runtime as registrations

__all__ = ["CMI5_KEY_PREFIX", "CMI5_STANDARD", "CourseRegistration", "FetchAnswer", "LaunchOutcome",
           "abandon_session", "course_for", "enrol", "fetch", "launch", "lms_principal", "load_registration",
           "registration_status", "roll_up", "send_lms_statements", "waive"]

CMI5_STANDARD = "cmi5"
# Keys of session credentials: "cmi5-<session id>" (scorm_player.ops.cmi5_gate loads them).
CMI5_KEY_PREFIX = "cmi5-"
STATEMENT_VERSION = "1.0.3"
# A fetch URL not used within this long after the launch is expired (cmi5 8.2.3, error-code 2).
FETCH_TTL_SECONDS = 15 * 60
log = logging.getLogger(__name__)

# A session idle this long is abandoned by the scheduled sweep, or when the learner next launches in the registration.
SESSION_IDLE_SECONDS = 12 * 3600


# --- identities ---

def lms_principal(tenant_id: int, tenant_slug: str) -> Principal:
    """The LRS principal the LMS writes as (launched, satisfied, abandoned, waived; the launch documents)."""
    scopes = frozenset({ALL})
    return Principal(tenant_id=tenant_id, tenant_slug=tenant_slug, credential_id=0, key="cmi5-lms",
                     scopes=scopes, permissions=permissions(scopes),
                     authority={"objectType": "Agent", "name": "learnhub cmi5 LMS",
                                "account": {"homePage": f"https://learnhub.local/tenants/{tenant_slug}/clients",
                                            "name": "cmi5-lms"}})


def learner_name(row: Row[Any]) -> str:
    return row.display_name or f"{row.given_name} {row.family_name}".strip() or row.person_id


def registration_actor(tenant_slug: str, row: Row[Any]) -> dict[str, Any]:
    """cmi5 8.1.3.0-1, 9.2.0.0-3: the learner's account agent (one of Person.agents, so it maps back to them)."""
    return launch_actor(tenant_home_page(tenant_slug), row.person_id, learner_name(row))


def _iso(value: datetime) -> str:
    return clock.as_utc(value).isoformat().replace("+00:00", "Z")


# --- the course ---

@lru_cache(maxsize=64)
def _parse_course(folder: str, descriptor: str, is_zip: bool) -> CourseIndex:
    data = (Path(folder) / descriptor).read_bytes()
    if not is_zip:
        # A standalone course structure: every AU at an absolute URL (cmi5 14.2.0.0-1), no files of its own.
        return index_course(parse_course_structure(data, file_name=descriptor, package_files=None))
    files = frozenset(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
                      for root, _, names in os.walk(folder) for name in names)
    return index_course(parse_course_structure(data, file_name=descriptor, package_files=files))


def course_for(content_root: Path, content_hash: str, report: str | dict[str, Any]) -> CourseIndex:
    """The package's course structure, parsed again from its kept cmi5.xml (cached per content hash)."""
    summary = orjson.loads(report) if isinstance(report, str) else report
    if summary.get("standard") != CMI5_STANDARD:
        raise BadRequest("not a cmi5 package", field="package_id")
    folder = (content_root / content_hash).resolve()
    is_zip = bool(summary.get("is_zip"))
    descriptor = (summary.get("descriptor_path") or "cmi5.xml") if is_zip else STANDALONE_DESCRIPTOR
    if not (folder / descriptor).is_file():
        # Imported before standalone structures were kept: importing the same file again keeps it.
        raise Conflict("this cmi5 course's structure is not on this server; import its cmi5.xml again",
                       field="package_id")
    return _parse_course(str(folder), descriptor, is_zip)


@dataclass
class CourseRegistration:
    """A cmi5 registration row with its course and the LMS's ids for it."""

    row: Row[Any]
    course: CourseIndex
    iris: CourseIris
    tenant_slug: str

    @property
    def actor(self) -> dict[str, Any]:
        return registration_actor(self.tenant_slug, self.row)

    def lms_context(self, session_id: str, timestamp: str | None = None) -> LmsContext:
        return LmsContext(self.actor, self.row.registration_id, session_id, timestamp or _iso(clock.now()))


def load_registration(conn: Connection, tenant_id: int, tenant_slug: str, registration_id: str, content_root: Path,
                  *, owner_pk: int | None = None) -> CourseRegistration:
    row = registrations.get_registration(conn, tenant_id, registration_id)
    # Another learner's registration is indistinguishable from a missing one.
    if row is None or (owner_pk is not None and row.person_pk != owner_pk):
        raise NotFound(f"no registration {registration_id}", field="registration_id")
    if row.standard != CMI5_STANDARD:
        raise NotFound(f"no cmi5 registration {registration_id}", field="registration_id")
    course = course_for(content_root, row.content_hash, row.package_report)
    return CourseRegistration(row, course, CourseIris(tenant_slug, row.package_id), tenant_slug)


# --- moveOn and roll-up (inside the caller's transaction) ---

@dataclass
class Pending:
    """LMS statements decided inside a transaction, to send once it commits, in this order."""

    statements: list[dict[str, Any]] = field(default_factory=list)


def _satisfied_statements(reg: CourseRegistration, nodes: list[Node], session_id: str) -> list[dict[str, Any]]:
    lms = reg.lms_context(session_id)
    return [satisfied_statement(lms, node_iri=reg.iris.node(node), node_key=node.key, node_title=node.title,
                                kind=node.kind, publisher_id=node.publisher_id) for node in nodes]


def prepare_registration(conn: Connection, reg: CourseRegistration, pending: Pending) -> None:
    """First touch of a registration: per-AU rows, NotApplicable AUs satisfied at once (9.6.1.1-3), and the
    blocks or course that alone satisfies, with a session id of their own (as CATAPULT does)."""
    statuses = store.list_au_statuses(conn, reg.row.id)
    if statuses:
        return
    now = clock.now()
    store.insert_au_statuses(conn, reg.row.tenant_id, reg.row.id, [
        {"au_index": index, "satisfied_at": now if au.move_on is MoveOn.NOT_APPLICABLE else None}
        for index, au in enumerate(reg.course.aus)])
    satisfied = [i for i, au in enumerate(reg.course.aus) if au.move_on is MoveOn.NOT_APPLICABLE]
    pending.statements += satisfy_nodes(conn, reg, satisfied, str(uuid.uuid4()))


def satisfy_nodes(conn: Connection, reg: CourseRegistration, satisfied_aus: list[int], session_id: str
                  ) -> list[dict[str, Any]]:
    """Record the blocks and course the satisfied AUs now complete; their `satisfied` statements (9.3.9)."""
    nodes = reg.course.newly_satisfied(satisfied_aus, store.list_node_keys(conn, reg.row.id))
    now = clock.now()
    for node in nodes:
        store.insert_node_status(conn, reg.row.tenant_id, reg.row.id, node.key, session_id, now)
    return _satisfied_statements(reg, nodes, session_id)


def evaluate_au(conn: Connection, reg: CourseRegistration, au_index: int, session_id: str) -> list[dict[str, Any]]:
    """After an AU's completed/passed or a waiver: mark it satisfied when moveOn is met, then its blocks."""
    status = store.get_au_status(conn, reg.row.id, au_index)
    if status is None or status.satisfied_at is not None:
        return []
    au = reg.course.aus[au_index]
    if not au_satisfied(au.move_on, completed=status.completed_at is not None,
                        passed=status.passed_at is not None, waived=status.waived_at is not None):
        return []
    store.update_au_status(conn, reg.row.id, au_index, satisfied_at=clock.now())
    satisfied = [i for i, s in store.list_au_statuses(conn, reg.row.id).items() if s.satisfied_at is not None]
    return satisfy_nodes(conn, reg, satisfied, session_id)


def roll_up(conn: Connection, reg: CourseRegistration) -> None:
    """scorm_registration's course-level results for a cmi5 registration (what reports and My learning read)."""
    statuses = store.list_au_statuses(conn, reg.row.id)
    course_done = "course" in store.list_node_keys(conn, reg.row.id)
    sessions, seconds = store.session_totals(conn, reg.row.id)
    scores = [s.score_scaled for s in statuses.values() if s.score_scaled is not None]
    if course_done:
        completion, success = "completed", "passed"
    else:
        touched = sessions > 0 or any(s.completed_at or s.passed_at or s.failed_at or s.waived_at
                                      for s in statuses.values())
        completion = "incomplete" if touched else "not attempted"
        failed = any(s.failed_at is not None and s.passed_at is None for s in statuses.values())
        success = "failed" if failed else "unknown"
    values: dict[str, Any] = {"completion_status": completion, "success_status": success,
                              "score_scaled": sum(scores) / len(scores) if scores else None,
                              "attempt_count": sessions, "total_time_seconds": seconds}
    if course_done and reg.row.completed_at is None:
        values["completed_at"] = clock.now()
    registrations.update_registration(conn, reg.row.id, **values)


async def send_lms_statements(db: Database, tenant_id: int, tenant_slug: str,
                              statements: list[dict[str, Any]]) -> None:
    if statements:
        await store_statements(db, lms_principal(tenant_id, tenant_slug), statements, STATEMENT_VERSION)


# --- enrolment and status ---

def enrol_person(conn: Connection, tenant_id: int, package_id: str, person_pk: int, actor: str,
                 content_root: Path | None = None) -> tuple[str, bool]:
    """Enrol one person in a cmi5 course inside the caller's transaction; (registration id, created)."""
    from scorm_player.ops.runtime import registration_uuid
    from scorm_player.store.packages import get_package

    found = get_package(conn, tenant_id, package_id)
    pk = registrations.package_pk(conn, tenant_id, package_id)
    if found is None or pk is None:
        raise NotFound(f"no package {package_id}", field="package_id")
    if found["standard"] != CMI5_STANDARD:
        raise BadRequest("not a cmi5 package", field="package_id")
    existing = registrations.find_registration(conn, tenant_id, person_pk, pk)
    if existing is not None:
        return existing.registration_id, False
    if content_root is not None:
        course_for(content_root, found["content_hash"], found["report"])  # launchable, or nothing is written
    registration_id = registration_uuid(tenant_id, pk, person_pk)
    registrations.insert_registration(conn, tenant_id, registration_id, pk, person_pk)
    audit.record(conn, tenant_id, actor, "registration.create", "registration", registration_id,
                 {"package_id": package_id})
    return registration_id, True


async def enrol(db: Database, principal: WebPrincipal, package_id: str, content_root: Path,
                person_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """Enrol the signed-in learner (or, for an admin, `person_id`) in a cmi5 course; idempotent."""
    def run(conn: Connection) -> tuple[str, bool]:
        person_pk = principal.person_pk if person_id is None else get_person(conn, principal.tenant_id, person_id).pk
        return enrol_person(conn, principal.tenant_id, package_id, person_pk, principal.actor, content_root)

    registration_id, created = await db.transaction(run)
    status = await registration_status(db, principal, registration_id, content_root, any_owner=True)
    return status, created


def _au_json(reg: CourseRegistration, index: int, status: Row[Any] | None) -> dict[str, Any]:
    au = reg.course.aus[index]
    return {
        "type": "au", "index": index, "id": reg.iris.au(index), "publisher_id": au.id, "title": au.display_title,
        "move_on": str(au.move_on), "mastery_score": au.mastery_score, "launch_method": str(au.launch_method),
        "launch_url": f"/cmi5/launch/{reg.row.registration_id}/{index}",
        "completed": bool(status and status.completed_at), "passed": bool(status and status.passed_at),
        "failed": bool(status and status.failed_at and not status.passed_at),
        "waived": bool(status and status.waived_at), "satisfied": bool(status and status.satisfied_at),
        "score_scaled": status.score_scaled if status else None,
    }


def _structure_json(reg: CourseRegistration, statuses: dict[int, Row[Any]], satisfied: set[str]) -> dict[str, Any]:
    from scorm_player.package.cmi5 import AssignableUnit
    au_positions = {id(au): i for i, au in enumerate(reg.course.aus)}
    block_positions = {id(block): i for i, block in enumerate(reg.course.blocks)}
    nodes = {node.key: node for node in reg.course.nodes}

    def children(items: Any) -> list[dict[str, Any]]:
        found = []
        for item in items:
            if isinstance(item, AssignableUnit):
                index = au_positions[id(item)]
                found.append(_au_json(reg, index, statuses.get(index)))
                continue
            node = nodes[f"block-{block_positions[id(item)]}"]
            found.append({"type": "block", "id": reg.iris.node(node), "publisher_id": node.publisher_id,
                          "title": node.title, "satisfied": node.key in satisfied,
                          "children": children(item.children)})
        return found

    course = reg.course.nodes[-1]
    return {"type": "course", "id": reg.iris.course, "publisher_id": course.publisher_id, "title": course.title,
            "satisfied": "course" in satisfied, "children": children(reg.course.structure.children)}


async def registration_status(db: Database, principal: WebPrincipal, registration_id: str, content_root: Path,
                              *, any_owner: bool = False) -> dict[str, Any]:
    """The course tree with each AU's status and launch URL, and the registration's roll-up."""
    pending = Pending()

    def run(conn: Connection) -> dict[str, Any]:
        reg = load_registration(conn, principal.tenant_id, principal.tenant_slug, registration_id, content_root,
                            owner_pk=None if any_owner else principal.person_pk)
        prepare_registration(conn, reg, pending)
        if pending.statements:
            roll_up(conn, reg)
        row = registrations.get_registration(conn, principal.tenant_id, registration_id)
        assert row is not None
        statuses = store.list_au_statuses(conn, reg.row.id)
        return {"id": row.registration_id, "package_id": row.package_id, "title": row.package_title,
                "standard": row.standard, "completion_status": row.completion_status,
                "success_status": row.success_status, "score_scaled": row.score_scaled,
                "attempt_count": row.attempt_count, "total_time_seconds": row.total_time_seconds,
                "completed_at": row.completed_at.isoformat() if row.completed_at else None,
                "learner": {"id": row.person_id, "name": learner_name(row)},
                "course": _structure_json(reg, statuses, store.list_node_keys(conn, reg.row.id))}

    found = await db.transaction(run)
    await send_lms_statements(db, principal.tenant_id, principal.tenant_slug, pending.statements)
    return found


# --- launch ---

@dataclass(frozen=True)
class LaunchOutcome:
    url: str  # where to send the browser: the AU with the launch parameters
    session_id: str
    launch_mode: str


def _abandon(conn: Connection, reg: CourseRegistration, session: Row[Any], now: datetime) -> dict[str, Any]:
    """cmi5 9.3.6.0-1: end a session left without `terminated`; its duration runs to its last statement."""
    end = clock.as_utc(session.last_statement_at or session.launched_at)
    seconds = max((end - clock.as_utc(session.launched_at)).total_seconds(), 0.0)
    store.update_session(conn, session.id, abandoned_at=now, duration_seconds=seconds)
    au = reg.course.aus[session.au_index]
    return abandoned_statement(reg.lms_context(session.session_id, _iso(now)), au_iri=reg.iris.au(session.au_index),
                               au_title=au.display_title, publisher_au_id=au.id,
                               duration=format_iso8601_duration(round(seconds * 100)))


async def abandon_idle_sessions(db: Database, content_root: Path, *, idle_seconds: float = SESSION_IDLE_SECONDS,
                                now: datetime | None = None) -> int:
    """The scheduled sweep: abandon every session idle longer than `idle_seconds` (cmi5 9.3.6.0-1), so a learner
    who never comes back still gets `abandoned` and an ended session. Each registration in its own transaction,
    re-reading its open sessions there: a concurrent launch or terminate wins cleanly, never twice."""
    moment = now or clock.now()
    cutoff = moment - timedelta(seconds=idle_seconds)
    found = await db.read(lambda conn: store.idle_sessions(conn, cutoff))
    abandoned = 0
    for row in found:
        pending = Pending()

        def run(conn: Connection, row: Row[Any] = row, pending: Pending = pending) -> int:
            reg = load_registration(conn, row.tenant_id, row.tenant_slug, row.registration_id, content_root)
            count = 0
            for session in store.open_sessions(conn, row.tenant_id, reg.row.id):
                if clock.as_utc(session.last_statement_at or session.launched_at) < cutoff:
                    pending.statements.append(_abandon(conn, reg, session, moment))
                    count += 1
            return count

        try:
            abandoned += await db.transaction(run)
        except (NotFound, Conflict) as exc:  # the course is gone from this server: leave it, say so
            log.warning("cmi5 sweep skipped a registration", extra={"registration": row.registration_id,
                                                                     "error": str(exc)})
            continue
        await send_lms_statements(db, row.tenant_id, row.tenant_slug, pending.statements)
    return abandoned


def _default_mode(status: Row[Any] | None) -> str:
    # Review once the AU's own results (or a waiver) satisfied it; NotApplicable AUs stay Normal until then.
    if status is not None and status.satisfied_at is not None and (status.completed_at or status.passed_at
                                                                   or status.waived_at):
        return "Review"
    return "Normal"


def _content_url(base_url: str, package_id: str, content_base: str, au_url: str) -> str:
    if "://" in au_url.split("?", 1)[0]:
        return au_url
    return f"{base_url}/content/{package_id}/{content_base}{au_url}"


async def launch(db: Database, principal: WebPrincipal, registration_id: str, au_reference: str, *,
                 base_url: str, content_root: Path, mode: str | None = None,
                 idle_seconds: float = SESSION_IDLE_SECONDS) -> LaunchOutcome:
    """Create a session for the learner's own registration and prepare everything the AU reads (cmi5 §8, §10)."""
    if mode is not None and mode not in LAUNCH_MODES:
        raise BadRequest(f"mode must be one of {', '.join(LAUNCH_MODES)}", field="mode")
    pending = Pending()
    token = secrets.token_urlsafe(32)
    session_id = str(uuid.uuid4())

    def run(conn: Connection) -> tuple[CourseRegistration, int, str, dict[str, Any]]:
        reg = load_registration(conn, principal.tenant_id, principal.tenant_slug, registration_id, content_root,
                            owner_pk=principal.person_pk)
        au_index = reg.course.au_index(au_reference)
        if au_index is None:
            raise NotFound(f"no AU {au_reference} in this course", field="au_id")
        prepare_registration(conn, reg, pending)
        now = clock.now()
        for session in store.open_sessions(conn, principal.tenant_id, reg.row.id):
            idle = (now - clock.as_utc(session.last_statement_at or session.launched_at)).total_seconds()
            if session.au_index == au_index or idle > idle_seconds:
                pending.statements.append(_abandon(conn, reg, session, now))
        au = reg.course.aus[au_index]
        launch_mode = mode or _default_mode(store.get_au_status(conn, reg.row.id, au_index))
        template = context_template(au.id, session_id)
        store.insert_session(conn, principal.tenant_id, session_id=session_id, registration_pk=reg.row.id,
                             au_index=au_index, launch_mode=launch_mode, move_on=str(au.move_on),
                             mastery_score=au.mastery_score, context_template=orjson.dumps(template).decode(),
                             fetch_token_hash=hashlib.sha256(token.encode()).hexdigest(), launched_at=now)
        roll_up(conn, reg)
        return reg, au_index, launch_mode, template

    reg, au_index, launch_mode, template = await db.transaction(run)
    au = reg.course.aus[au_index]
    actor = reg.actor
    au_iri = reg.iris.au(au_index)
    au_url = _content_url(base_url, reg.row.package_id, orjson.loads(reg.row.package_report).get("content_base")
                          or "", au.url)
    lms = lms_principal(principal.tenant_id, principal.tenant_slug)
    # 10.1.0.0-1…-5: LMS.LaunchData under the LMS's AU id, the launch actor and the registration.
    state = documents.Address(documents.STATE, au_iri, agent_ifi(actor), reg.row.registration_id,
                              LAUNCH_DATA_STATE_ID)
    document = launch_data(au, template, launch_mode, f"{base_url}/#/learning")
    await documents.put_document(db, lms, state, documents.Content("application/json", orjson.dumps(document)),
                                 documents.Preconditions(), STATEMENT_VERSION)
    profile = documents.Address(documents.AGENT_PROFILE, "", agent_ifi(actor), None, LEARNER_PREFERENCES_PROFILE_ID)
    try:
        await documents.put_document(db, lms, profile, documents.Content(
            "application/json", orjson.dumps(learner_preferences())),
            documents.Preconditions(if_none_match=documents.EntityTags(any=True)), STATEMENT_VERSION)
    except PreconditionFailed:
        pass  # the learner's preferences exist already; they are theirs to keep (cmi5 §11)
    # No trailing slash: cmi5.js appends "/statements" to the endpoint itself.
    parameters = LaunchParameters(endpoint=f"{base_url}/xapi", fetch=f"{base_url}/cmi5/fetch/{quote(token)}",
                                  actor=actor, registration=reg.row.registration_id, activity_id=au_iri)
    launched = launched_statement(
        reg.lms_context(session_id), au_iri=au_iri, au_title=au.display_title, au_activity_type=au.activity_type,
        publisher_au_id=au.id, launch_mode=launch_mode, launch_url=au_url, move_on=str(au.move_on),
        launch_parameters=au.launch_parameters, mastery_score=au.mastery_score)
    # Satisfied (NotApplicable) and abandoned first, then launched: 9.3.1.0-1, before the AU runs.
    await send_lms_statements(db, principal.tenant_id, principal.tenant_slug, [*pending.statements, launched])
    return LaunchOutcome(launch_url(au_url, parameters), session_id, launch_mode)


# --- fetch ---

@dataclass(frozen=True)
class FetchAnswer:
    """The fetch URL's JSON body (always HTTP 200, cmi5 8.2.2.0-3)."""

    body: dict[str, str]


# cmi5 §8.2.3 error codes: 1 is confirmed by CATAPULT (spec.js); ⚠ 2 and 3 are not verified against the spec text.
ALREADY_IN_USE = {"error-code": "1", "error-text": "Already in Use"}
EXPIRED = {"error-code": "2", "error-text": "Expired"}
GENERAL_ERROR = {"error-code": "3", "error-text": "General Application Error"}


def credential_key(session_id: str) -> str:
    return f"{CMI5_KEY_PREFIX}{session_id}"


async def fetch(db: Database, token: str) -> FetchAnswer:
    """Hand out the session's credential once (8.2.3.0-1); it is created here, so none exists before."""
    secret = secrets.token_urlsafe(32)

    def run(conn: Connection) -> FetchAnswer:
        session = store.session_by_fetch_hash(conn, hashlib.sha256(token.encode()).hexdigest())
        if session is None:
            return FetchAnswer(GENERAL_ERROR)
        if session.fetched_at is not None:
            return FetchAnswer(ALREADY_IN_USE)
        age = (clock.now() - clock.as_utc(session.launched_at)).total_seconds()
        if session.abandoned_at is not None or session.terminated_at is not None or age > FETCH_TTL_SECONDS:
            return FetchAnswer(EXPIRED)
        if not store.mark_fetched(conn, session.id, hash_secret(secret), clock.now()):
            return FetchAnswer(ALREADY_IN_USE)
        basic = base64.b64encode(f"{credential_key(session.session_id)}:{secret}".encode()).decode()
        return FetchAnswer({"auth-token": basic})

    return await db.transaction(run)


# --- administration: waive and abandon ---

async def waive(db: Database, principal: WebPrincipal, registration_id: str, au_reference: str, reason: str,
                content_root: Path) -> dict[str, Any]:
    """cmi5 9.3.7: waive an AU once per registration, with a session id of its own; counts as satisfied."""
    pending = Pending()
    session_id = str(uuid.uuid4())

    def run(conn: Connection) -> None:
        reg = load_registration(conn, principal.tenant_id, principal.tenant_slug, registration_id, content_root)
        au_index = reg.course.au_index(au_reference)
        if au_index is None:
            raise NotFound(f"no AU {au_reference} in this course", field="au_id")
        prepare_registration(conn, reg, pending)
        status = store.get_au_status(conn, reg.row.id, au_index, for_update=True)
        assert status is not None
        if status.waived_at is not None:
            raise Conflict("the AU is already waived in this registration (cmi5 9.3.7.0-4)", field="au_id")
        if status.satisfied_at is not None:
            raise Conflict("the AU is already satisfied in this registration", field="au_id")
        now = clock.now()
        store.update_au_status(conn, reg.row.id, au_index, waived_at=now, waive_reason=reason)
        au = reg.course.aus[au_index]
        pending.statements.append(waived_statement(
            reg.lms_context(session_id, _iso(now)), au_iri=reg.iris.au(au_index), au_title=au.display_title,
            publisher_au_id=au.id, au_index=au_index, reason=reason))
        # 9.3.7.0-3: only satisfied statements may share the waiver's session id.
        pending.statements += evaluate_au(conn, reg, au_index, session_id)
        roll_up(conn, reg)
        audit.record(conn, principal.tenant_id, principal.actor, "cmi5.waive", "registration", registration_id,
                     {"au": au.id, "reason": reason})

    await db.transaction(run)
    await send_lms_statements(db, principal.tenant_id, principal.tenant_slug, pending.statements)
    return await registration_status(db, principal, registration_id, content_root, any_owner=True)


async def abandon_session(db: Database, principal: WebPrincipal, session_id: str, content_root: Path) -> None:
    """An administrator ends a live session (LTS 008): `abandoned`, and its credential stops working."""
    pending = Pending()

    def run(conn: Connection) -> None:
        session = store.load_session(conn, session_id, for_update=True)
        if session is None or session.tenant_id != principal.tenant_id:
            raise NotFound(f"no session {session_id}", field="session_id")
        if session.terminated_at is not None or session.abandoned_at is not None:
            raise Conflict("the session has already ended", field="session_id")
        reg = load_registration(conn, principal.tenant_id, principal.tenant_slug, session.registration_id, content_root)
        pending.statements.append(_abandon(conn, reg, session, clock.now()))
        roll_up(conn, reg)
        audit.record(conn, principal.tenant_id, principal.actor, "cmi5.abandon", "registration",
                     session.registration_id, {"session": session_id})

    await db.transaction(run)
    await send_lms_statements(db, principal.tenant_id, principal.tenant_slug, pending.statements)
