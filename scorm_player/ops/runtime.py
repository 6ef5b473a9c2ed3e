"""Playing SCORM courses: enrolment, launch and resume, navigation, commits from the browser runtime, roll-up.

Each command runs as one transaction: the attempt and its activity states are read, the pure cores decide
(runtime.apply_commit for the data model, a Navigator for what to deliver, scorm_player.xapi for the
statements), and the result is written. The xAPI statements then go through the LRS's normal statement path
with the player's authority; their ids are deterministic, so a retried commit re-sends the same statements
and the LRS stores them once. Only the learner who owns an attempt may read or write it (others get 404).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

import orjson
from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from hub import audit, clock
from hub.db import Database
from hub.errors import BadRequest, Conflict, NotFound
from lrs.model.agents import agent_ifi
from lrs.ops import documents
from lrs.ops.credentials import Principal
from lrs.ops.statements import store_statements
from lrs.scopes import ALL, permissions
from provisioning.ops.people import get_person, tenant_home_page
from provisioning.ops.sessions import WebPrincipal
from scorm_player.ops.courses import Course, CourseActivity, load_course
from scorm_player.ops.navigators import NAV_REQUESTS, Navigator, SequencingNavigator, navigator_for
from scorm_player.runtime import RuntimeOptions, RuntimeState, apply_commit
from scorm_player.runtime.datatypes import cmi_real
from scorm_player.runtime.durations import format_session_duration, parse_session_duration
from scorm_player.runtime.launch import (
    LaunchData,
    SeededObjective,
    SharedDataBucket,
    is_resuming,
    launch_values,
    session_start_values,
    shared_data_access,
)
from scorm_player.runtime.rules import load_rules
from scorm_player.runtime.status import evaluated_completion_status, evaluated_success_status
from scorm_player.store import runtime as store
from scorm_player.xapi import statements as xapi

__all__ = ["CommitOutcome", "CommitRejected", "assign", "commit", "enrol", "launch", "my_registrations",
           "navigate", "player_principal", "registration_summary"]

REGISTRATION_NAMESPACE = uuid.UUID("9d2b51c4-7f0e-5a3b-8c6d-1e2f3a4b5c6d")
STATEMENT_VERSION = "1.0.3"
# Largest commit body the endpoint accepts, in elements (a SCO with hundreds of interactions stays far below).
MAX_COMMIT_ELEMENTS = 20_000


class CommitRejected(BadRequest):
    """A commit the data model refuses; nothing was stored. Carries the SCORM error code (spec §2.3/§2.4)."""

    status = 422
    code = "commit_rejected"

    def __init__(self, error_code: int, rejections: list[dict[str, Any]]) -> None:
        first = rejections[0]
        super().__init__(f"{first['element'] or 'commit'}: {first['message']}", field=first["element"] or None,
                         details={"errorCode": error_code, "rejections": rejections})
        self.error_code = error_code

    def body(self) -> dict[str, Any]:
        # The shared envelope plus scorm-again's {"result": false, "errorCode": n} for the browser runtime.
        return {"result": False, "errorCode": self.error_code, **super().body()}


@dataclass(frozen=True)
class CommitOutcome:
    """What the browser runtime hears back, and the side effects still to run outside the transaction."""

    seq: int
    already_applied: bool
    statements: list[dict[str, Any]] = field(default_factory=list)
    state_documents: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (activity IRI, id, doc)
    actor: dict[str, Any] = field(default_factory=dict)
    registration_id: str = ""
    status: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"result": True, "errorCode": 0, "seq": self.seq, "already_applied": self.already_applied,
                "status": self.status}


# --- identities ---

def player_principal(tenant_id: int, tenant_slug: str) -> Principal:
    """The LRS principal the player writes as: statements carry it as their authority (the hub's player)."""
    scopes = frozenset({ALL})
    return Principal(tenant_id=tenant_id, tenant_slug=tenant_slug, credential_id=0, key="scorm-player",
                     scopes=scopes, permissions=permissions(scopes),
                     authority={"objectType": "Agent", "name": "learnhub SCORM player",
                                "account": {"homePage": f"https://learnhub.local/tenants/{tenant_slug}/clients",
                                            "name": "scorm-player"}})


def learner_actor(tenant_slug: str, row: Row[Any]) -> dict[str, Any]:
    """The learner's agent, as provisioning.ops.people.Person.actor builds it (mbox first, else the account)."""
    name = row.display_name or f"{row.given_name} {row.family_name}".strip() or row.person_id
    if row.email:
        return {"objectType": "Agent", "mbox": f"mailto:{row.email}", "name": name}
    return {"objectType": "Agent", "account": {"homePage": tenant_home_page(tenant_slug), "name": row.person_id},
            "name": name}


def course_iri(tenant_slug: str, package_id: str) -> str:
    return f"https://learnhub.local/tenants/{tenant_slug}/scorm/{package_id}"


def sco_iri(tenant_slug: str, package_id: str, activity_id: str) -> str:
    from urllib.parse import quote
    return f"{course_iri(tenant_slug, package_id)}/sco/{quote(activity_id, safe='')}"


def registration_uuid(tenant_id: int, package_pk: int, person_pk: int) -> str:
    return str(uuid.uuid5(REGISTRATION_NAMESPACE, f"{tenant_id}:{package_pk}:{person_pk}:{uuid.uuid4()}"))


# --- registrations ---

def registration_summary(row: Row[Any]) -> dict[str, Any]:
    return {
        "id": row.registration_id, "package_id": row.package_id, "title": row.package_title,
        "standard": row.standard, "completion_status": row.completion_status,
        "success_status": row.success_status, "score_scaled": row.score_scaled,
        "total_time_seconds": row.total_time_seconds, "attempt_count": row.attempt_count,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "completed_at": row.completed_at.isoformat() if row.completed_at else None,
        "learner": {"id": row.person_id, "name": row.display_name or f"{row.given_name} {row.family_name}".strip(),
                    "email": row.email},
        "player_url": f"/player/{row.registration_id}",
    }


def _playable_package_pk(conn: Connection, tenant_id: int, package_id: str) -> int:
    from scorm_player.store.packages import get_package
    found = get_package(conn, tenant_id, package_id)
    pk = store.package_pk(conn, tenant_id, package_id)
    if found is None or pk is None:
        raise NotFound(f"no package {package_id}", field="package_id")
    if found["standard"] not in ("scorm_1.2", "scorm_2004"):
        raise BadRequest("only SCORM 1.2 and 2004 packages can be played here", field="package_id")
    return pk


def enrol_person(conn: Connection, tenant_id: int, package_id: str, person_pk: int, actor: str
                 ) -> tuple[Row[Any], bool]:
    """Enrol one person of the tenant in a SCORM course inside the caller's transaction; (registration, created)."""
    pk = _playable_package_pk(conn, tenant_id, package_id)
    existing = store.find_registration(conn, tenant_id, person_pk, pk)
    if existing is not None:
        return existing, False
    registration_id = registration_uuid(tenant_id, pk, person_pk)
    store.insert_registration(conn, tenant_id, registration_id, pk, person_pk)
    audit.record(conn, tenant_id, actor, "registration.create", "registration", registration_id,
                 {"package_id": package_id})
    row = store.get_registration(conn, tenant_id, registration_id)
    assert row is not None
    return row, True


async def enrol(db: Database, principal: WebPrincipal, package_id: str) -> tuple[dict[str, Any], bool]:
    """Self-enrolment from the catalogue; enrolling twice returns the existing registration."""
    row, created = await db.transaction(
        lambda conn: enrol_person(conn, principal.tenant_id, package_id, principal.person_pk, principal.actor))
    return registration_summary(row), created


async def assign(db: Database, principal: WebPrincipal, package_id: str, person_id: str) -> tuple[dict[str, Any], bool]:
    """An admin enrols a learner of the same tenant."""
    def run(conn: Connection) -> tuple[Row[Any], bool]:
        learner = get_person(conn, principal.tenant_id, person_id)
        return enrol_person(conn, principal.tenant_id, package_id, learner.pk, principal.actor)

    row, created = await db.transaction(run)
    return registration_summary(row), created


async def my_registrations(db: Database, principal: WebPrincipal) -> list[dict[str, Any]]:
    rows = await db.read(lambda conn: store.list_registrations(conn, principal.tenant_id,
                                                               person_pks=[principal.person_pk]))
    return [registration_summary(row) for row in rows]


# --- the attempt being played ---

@dataclass
class _Attempt:
    """An attempt row joined with its registration and package, and the course it plays."""

    row: Row[Any]
    course: Course
    navigator: Navigator
    tenant_slug: str
    nav_state: dict[str, Any]

    @property
    def version(self) -> str:
        return self.course.version


def _package_mapping(row: Row[Any]) -> dict[str, Any]:
    return {"pk": row.package_pk, "id": row.package_id, "title": row.package_title, "standard": row.standard,
            "edition": row.edition, "content_hash": row.content_hash, "report": orjson.loads(row.package_report)}


def _course(content_root: Path, row: Row[Any]) -> Course:
    return load_course(content_root, _package_mapping(row))


def _owned_attempt(conn: Connection, principal: WebPrincipal, attempt_id: str, content_root: Path) -> _Attempt:
    row = store.get_attempt(conn, principal.tenant_id, attempt_id)
    if row is None or row.person_pk != principal.person_pk:
        # Another learner's attempt does not exist as far as this learner can tell.
        raise NotFound(f"no attempt {attempt_id}", field="attempt_id")
    course = _course(content_root, row)
    return _Attempt(row=row, course=course, navigator=navigator_for(course), tenant_slug=principal.tenant_slug,
                    nav_state=orjson.loads(row.sequencing_state or "{}"))


def _format_number(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def _shared_scope(attempt: _Attempt) -> str:
    """adl.data buckets are the learner's across the system (scope ""), or with sharedDataGlobalToSystem="false"
    confined to the course: we read the CAM's "one experience of the content organization" as the registration,
    across its attempts."""
    return "" if attempt.course.shared_data_global_to_system else str(attempt.row.registration_id)


def _shared_buckets(conn: Connection | None, attempt: _Attempt, activity: CourseActivity
                    ) -> tuple[SharedDataBucket, ...]:
    """The SCO's adl.data buckets (adlcp:map) with their permissions and, given a connection, their stores."""
    maps = activity.item.shared_data_maps
    if not maps:
        return ()
    stores = (store.shared_data(conn, attempt.row.tenant_id, attempt.row.person_pk, _shared_scope(attempt),
                                [m.target_id for m in maps]) if conn is not None else {})
    return tuple(SharedDataBucket(id=m.target_id, store=stores.get(m.target_id), readable=m.read_shared_data,
                                  writable=m.write_shared_data) for m in maps)


def _launch_data(attempt: _Attempt, activity: CourseActivity, request_valid: Mapping[str, str],
                 shared: tuple[SharedDataBucket, ...] = ()) -> LaunchData:
    row = attempt.row
    item = activity.item
    full_name = row.display_name or f"{row.given_name} {row.family_name}".strip()
    if attempt.version == "1.2":
        # SCORM 1.2 RTE §3.4.2 cmi.core.student_name: "Last, First".
        name = f"{row.family_name}, {row.given_name}" if row.family_name and row.given_name else full_name
        return LaunchData(learner_id=row.person_id, learner_name=name[:255], launch_data=item.data_from_lms,
                          mastery_score=_format_number(item.mastery_score), max_time_allowed=item.max_time_allowed,
                          time_limit_action=item.time_limit_action)
    threshold = item.completion_threshold.cmi_completion_threshold if item.completion_threshold else None
    # Objectives with ids from the manifest are in cmi.objectives before the SCO runs (spec §2.7, ADL CTS OB-*).
    objectives = tuple(SeededObjective(id=objective.objective_id)
                       for objective in (item.sequencing.objectives if item.sequencing else ())
                       if objective.objective_id)
    return LaunchData(learner_id=row.person_id, learner_name=full_name[:250], launch_data=item.data_from_lms,
                      time_limit_action=item.time_limit_action, completion_threshold=_format_number(threshold),
                      scaled_passing_score=_format_number(item.scaled_passing_score), objectives=objectives,
                      shared_data=shared, navigation_validity=dict(request_valid))


def _statuses(conn: Connection, attempt_pk: int) -> dict[str, str]:
    return {state.activity_id: _display_status(state) for state in store.list_activity_states(conn, [attempt_pk])}


def _display_status(state: Row[Any]) -> str:
    if state.success_status in ("passed", "failed"):
        return str(state.success_status)
    return str(state.completion_status)


def _deliver(conn: Connection, attempt: _Attempt, activity_id: str, request_valid: Mapping[str, str]
             ) -> dict[str, Any]:
    """Open a session on the activity: resume after exit=suspend, else a new SCO attempt (spec §2.3, §2.4)."""
    course = attempt.course
    activity = course.activity(activity_id)
    attempt_pk = attempt.row.attempt_pk
    tenant_id = attempt.row.tenant_id
    state = store.get_activity_state(conn, attempt_pk, activity_id)
    delivery = {"activity_id": activity_id, "title": activity.title, "url": course.content_url(activity_id),
                "scorm_type": activity.scorm_type, "hide_lms_ui": sorted(activity.hide_lms_ui)}
    if not activity.is_sco:
        # An asset never calls the API; the LMS records it as completed when it is delivered (spec §4.2).
        if state is None:
            store.insert_activity_state(conn, tenant_id, attempt_pk, activity_id, completion_status="completed",
                                        session_count=1, attempt_number=1, terminated=True)
        else:
            store.update_activity_state(conn, state.id, completion_status="completed",
                                        session_count=state.session_count + 1)
        return {**delivery, "api": None, "values": {}, "seq": 0}
    rules = load_rules(course.version)  # type: ignore[arg-type]
    launch = _launch_data(attempt, activity, request_valid, _shared_buckets(conn, attempt, activity))
    if state is None:
        values = session_start_values(rules, launch, None)
        store.insert_activity_state(conn, tenant_id, attempt_pk, activity_id, cmi_values=_dump(values),
                                    session_count=1, attempt_number=1, session_started_at=clock.now())
        seq = 0
    elif not state.terminated and state.session_commits == 0:
        # The session was opened but nothing was committed yet (e.g. the page was reloaded): open it again
        # unchanged, so a resume stays a resume; only the launch-supplied values are refreshed.
        values = orjson.loads(state.cmi_values)
        values.update(launch_values(rules, launch))
        store.update_activity_state(conn, state.id, cmi_values=_dump(values),
                                    session_started_at=state.session_started_at or clock.now())
        seq = state.last_commit_seq
    else:
        previous = orjson.loads(state.cmi_values)
        resumed = is_resuming(rules, previous)
        values = session_start_values(rules, launch, previous)
        changes: dict[str, Any] = {"cmi_values": _dump(values), "terminated": False, "session_commits": 0,
                                   "session_count": state.session_count + 1, "session_started_at": clock.now(),
                                   # A session that never terminated counts up to its last commit.
                                   "measured_seconds": _measured(state, clock.as_utc(state.updated_at))}
        if not resumed:
            changes.update(attempt_number=state.attempt_number + 1, completion_status="not attempted",
                           success_status="unknown", score_scaled=None, score_raw=None)
        store.update_activity_state(conn, state.id, **changes)
        seq = state.last_commit_seq
    return {**delivery, "api": course.version, "values": values, "seq": seq,
            "shared_data_access": shared_data_access(launch)}


def _player_view(conn: Connection, attempt: _Attempt, nav_state: Mapping[str, Any]) -> dict[str, Any]:
    statuses = _statuses(conn, attempt.row.attempt_pk)
    return {"toc": attempt.navigator.toc(nav_state, statuses),
            "request_valid": attempt.navigator.request_valid(nav_state)}


def _apply_navigation(conn: Connection, attempt: _Attempt, outcome_state: dict[str, Any], delivered: str | None,
                      ended: bool, suspended: bool) -> dict[str, Any]:
    request_valid = attempt.navigator.request_valid(outcome_state)
    delivery = _deliver(conn, attempt, delivered, request_valid) if delivered is not None else None
    if delivery is not None and delivery["api"] is None:
        # An asset counts as completed at once; the sequencer hears it like a SCO report (SCORM 2004 SN §4.2.1).
        outcome_state = attempt.navigator.report(outcome_state, delivered or "",
                                                 {"cmi.completion_status": "completed",
                                                  "cmi.core.lesson_status": "completed"})
    changes: dict[str, Any] = {"sequencing_state": _dump(outcome_state), "current_activity": delivered,
                               "suspended": suspended}
    if ended and not suspended:
        changes["ended_at"] = clock.now()
    store.update_attempt(conn, attempt.row.attempt_pk, **changes)
    if delivery is not None and delivery["api"] is None:
        _update_rollup(conn, attempt, outcome_state)
    view = _player_view(conn, attempt, outcome_state)
    return {"attempt_id": attempt.row.attempt_id, "delivery": delivery, "ended": ended, "suspended": suspended,
            **view}


async def launch(db: Database, principal: WebPrincipal, registration_id: str, content_root: Path) -> dict[str, Any]:
    """Start or resume the learner's attempt on a registration and deliver the first activity."""

    def run(conn: Connection) -> dict[str, Any]:
        registration = store.get_registration(conn, principal.tenant_id, registration_id)
        if registration is None or registration.person_pk != principal.person_pk:
            raise NotFound(f"no registration {registration_id}", field="registration_id")
        course = _course(content_root, registration)
        latest = store.latest_attempt(conn, registration.id)
        if latest is None or latest.ended_at is not None:
            number = (latest.number if latest is not None else 0) + 1
            attempt_id = str(uuid.uuid4())
            store.insert_attempt(conn, principal.tenant_id, attempt_id, registration.id, number)
            store.update_registration(conn, registration.id, attempt_count=number)
        else:
            attempt_id = latest.attempt_id
        attempt = _owned_attempt(conn, principal, attempt_id, content_root)
        nav_state = _after_crashed_session(conn, attempt)
        outcome = attempt.navigator.start(nav_state or None)
        view = _apply_navigation(conn, attempt, outcome.state, outcome.delivered, outcome.ended, False)
        return {"registration_id": registration_id, "title": course.title, "version": course.version,
                "attempt_number": attempt.row.attempt_number, "resumed": bool(attempt.row.suspended),
                "exception": outcome.exception, **view}

    return await db.transaction(run)


def _after_crashed_session(conn: Connection, attempt: _Attempt) -> dict[str, Any]:
    """The sequencing state to relaunch from. When the last session of the current activity committed data but
    never terminated (the browser died: no Terminate, no navigation request, no suspend), it ended abnormally and
    counts as if cmi.exit were "": the sequencer hears what it committed, as at a Terminate, and the navigator
    then delivers the same activity again, where _deliver opens a new SCO attempt (cmi.entry "ab-initio", RTE
    4th Ed cmi.entry/cmi.exit) and adds the crashed session's wall-clock time up to its last commit."""
    row = attempt.row
    if row.suspended or not row.current_activity:
        return attempt.nav_state
    state = store.get_activity_state(conn, row.attempt_pk, row.current_activity)
    if state is None or state.terminated or state.session_commits == 0:
        return attempt.nav_state
    reported = attempt.navigator.report(attempt.nav_state, row.current_activity, orjson.loads(state.cmi_values))
    _update_rollup(conn, attempt, reported)
    return reported


async def navigate(db: Database, principal: WebPrincipal, attempt_id: str, request: str, target: str | None,
                   content_root: Path) -> dict[str, Any]:
    """A navigation request from the player or the SCO (adl.nav.request) → the next delivery or the end."""
    if request not in NAV_REQUESTS:
        raise BadRequest(f"unknown navigation request {request!r}; one of {', '.join(sorted(NAV_REQUESTS))}",
                         field="request")
    if request in ("choice", "jump") and not target:
        raise BadRequest(f"a {request} request needs a target", field="target")

    def run(conn: Connection) -> dict[str, Any]:
        attempt = _owned_attempt(conn, principal, attempt_id, content_root)
        if attempt.row.attempt_ended_at is not None:
            raise Conflict("this attempt has ended; launch the registration again", field="attempt_id")
        outcome = attempt.navigator.request(attempt.nav_state, request, target)
        if outcome.exception is not None:
            return {"attempt_id": attempt_id, "delivery": None, "ended": False, "suspended": False,
                    "exception": outcome.exception, **_player_view(conn, attempt, attempt.nav_state)}
        view = _apply_navigation(conn, attempt, outcome.state, outcome.delivered, outcome.ended, outcome.suspended)
        return {**view, "exception": None}

    return await db.transaction(run)


# --- commits ---

async def commit(db: Database, principal: WebPrincipal, attempt_id: str, activity_id: str, seq: int,
                 terminate: bool, values: Mapping[str, Any], content_root: Path,
                 options: RuntimeOptions | None = None) -> CommitOutcome:
    """Re-validate and store one commit of the browser runtime; idempotent on (attempt, activity, seq)."""
    if seq < 1:
        raise BadRequest("seq must be a positive integer", field="seq")
    if len(values) > MAX_COMMIT_ELEMENTS:
        raise BadRequest(f"a commit carries at most {MAX_COMMIT_ELEMENTS} elements", field="values")

    def run(conn: Connection) -> CommitOutcome:
        attempt = _owned_attempt(conn, principal, attempt_id, content_root)
        state = store.get_activity_state(conn, attempt.row.attempt_pk, activity_id)
        if state is None:
            raise NotFound(f"activity {activity_id!r} was never launched in this attempt", field="activity_id")
        actor = learner_actor(principal.tenant_slug, attempt.row)
        registration_id = attempt.row.registration_id
        if seq <= state.last_commit_seq:
            logged = store.find_commit(conn, attempt.row.attempt_pk, activity_id, seq)
            # Already applied: answer as before and hand back its statements, which are re-sent idempotently.
            return CommitOutcome(seq=seq, already_applied=True, actor=actor, registration_id=registration_id,
                                 statements=orjson.loads(logged.statements) if logged is not None else [],
                                 status=_activity_status(state))
        before = orjson.loads(state.cmi_values)
        buckets = _shared_buckets(None, attempt, attempt.course.activity(activity_id))
        runtime_state = RuntimeState(version=attempt.course.version, values=before,  # type: ignore[arg-type]
                                     last_commit_seq=state.last_commit_seq, terminated=state.terminated,
                                     shared_data_access=shared_data_access(LaunchData(learner_id="",
                                                                                      shared_data=buckets)))
        result = apply_commit(runtime_state, values, seq, terminate=terminate, options=options)
        if result.rejections:
            rejections = [{"element": r.element, "errorCode": r.error_code, "message": r.message}
                          for r in result.rejections]
            raise CommitRejected(result.rejections[0].error_code, rejections)
        after = dict(result.state.values)
        derived = _derived_columns(attempt.course.version, after)
        now = clock.now()
        measured: dict[str, Any] = {}
        if terminate:
            measured = {"measured_seconds": _measured(state, now), "session_started_at": None}
        if not derived["total_time_seconds"]:
            # The SCO reported no time at all: the report shows the time the server saw (delivery to the last
            # Terminate), while cmi total_time stays what the SCO reported (RTE: the LMS never invents it).
            derived["total_time_seconds"] = measured.get("measured_seconds", state.total_time_seconds)
        context = _statement_context(attempt, activity_id, state.attempt_number, actor,
                                     clock.us_to_iso(clock.now_us()))
        first_in_session = state.session_commits == 0
        statements = xapi.commit_statements(context, before, _with_measured_session_time(attempt.version, after,
                                                                                         state, now, terminate),
                                            seq=seq, first_in_session=first_in_session, terminated=terminate)
        written = _shared_writes(values, after)
        if written:
            # adl.data stores are the learner's, shared with other SCOs: stored with this commit, atomically.
            store.put_shared_data(conn, attempt.row.tenant_id, attempt.row.person_pk, _shared_scope(attempt), written)
        store.update_activity_state(conn, state.id, cmi_values=_dump(after), last_commit_seq=seq,
                                    terminated=terminate, session_commits=state.session_commits + 1, **derived,
                                    **measured)
        nav_state = attempt.nav_state
        if terminate:
            nav_state = attempt.navigator.report(nav_state, activity_id, after)
            store.update_attempt(conn, attempt.row.attempt_pk, sequencing_state=_dump(nav_state))
        if terminate or first_in_session or _changed(derived, state):
            # The registration roll-up only moves when an activity's status, score or time does.
            rollup_before, rollup_after = _update_rollup(conn, attempt, nav_state)
            statements += xapi.course_statements(context, rollup_before, rollup_after, seq=seq)
        store.insert_commit(conn, attempt.row.tenant_id, attempt.row.attempt_pk, activity_id, seq,
                            terminate=terminate, payload=_dump(dict(values)), statements=_dump(statements),
                            created_at=now)
        documents_to_write = _state_documents(attempt, context, state.attempt_number, after,
                                              first_in_session=first_in_session, terminated=terminate)
        return CommitOutcome(seq=seq, already_applied=False, statements=statements,
                             state_documents=documents_to_write, actor=actor, registration_id=registration_id,
                             status={**derived, "nav_request": after.get("adl.nav.request")})

    try:
        outcome = await db.transaction(run)
    except IntegrityError:
        # The same commit raced itself (a retry overtaking the original): the log decides, answer from it.
        outcome = await db.transaction(run)
    lrs = player_principal(principal.tenant_id, principal.tenant_slug)
    if outcome.statements:
        await store_statements(db, lrs, outcome.statements, STATEMENT_VERSION)
    for activity_iri, state_id, document in outcome.state_documents:
        address = documents.Address(kind=documents.STATE, activity_id=activity_iri,
                                    agent_ifi=agent_ifi(outcome.actor), registration=outcome.registration_id,
                                    document_id=state_id)
        await documents.put_document(db, lrs, address, documents.Content("application/json", orjson.dumps(document)),
                                     documents.Preconditions(), STATEMENT_VERSION)
    return outcome


def _statement_context(attempt: _Attempt, activity_id: str, sco_attempt: int, actor: dict[str, Any],
                       timestamp: str) -> xapi.StatementContext:
    row = attempt.row
    activity = attempt.course.activity(activity_id)
    return xapi.StatementContext(
        version=attempt.course.version, actor=actor, registration=row.registration_id,  # type: ignore[arg-type]
        attempt_id=row.attempt_id, activity_id=activity_id, sco_attempt=max(sco_attempt, 1),
        course_iri=course_iri(attempt.tenant_slug, row.package_id), course_title=attempt.course.title,
        sco_iri=sco_iri(attempt.tenant_slug, row.package_id, activity_id), sco_title=activity.title,
        timestamp=timestamp)


def _state_documents(attempt: _Attempt, context: xapi.StatementContext, sco_attempt: int, values: Mapping[str, str],
                     *, first_in_session: bool, terminated: bool) -> list[tuple[str, str, dict[str, Any]]]:
    found: list[tuple[str, str, dict[str, Any]]] = []
    if first_in_session:
        iris = [xapi.attempt_iri(context.sco_iri, context.attempt_id, number)
                for number in range(1, max(sco_attempt, 1) + 1)]
        found.append((context.sco_iri, xapi.ACTIVITY_STATE_ID, xapi.activity_state_document(iris)))
    if terminated:
        found.append((context.attempt_iri, xapi.ATTEMPT_STATE_ID,
                      xapi.attempt_state_document(attempt.course.version, values)))  # type: ignore[arg-type]
        if values.get("cmi.suspend_data"):
            found.append((context.attempt_iri, xapi.SUSPEND_DATA_STATE_ID,
                          {"suspend_data": values["cmi.suspend_data"]}))
    return found


def _derived_columns(version: str, values: Mapping[str, str]) -> dict[str, Any]:
    """The report columns of an activity state, from its CMI values."""
    if version == "1.2":
        status = values.get("cmi.core.lesson_status", "not attempted")
        completion = {"completed": "completed", "passed": "completed", "failed": "completed",
                      "incomplete": "incomplete", "browsed": "incomplete"}.get(status, "not attempted")
        success = status if status in ("passed", "failed") else "unknown"
        raw = cmi_real(values.get("cmi.core.score.raw"))
        low, high = cmi_real(values.get("cmi.core.score.min")), cmi_real(values.get("cmi.core.score.max"))
        bottom, top = low if low is not None else 0.0, high if high is not None else 100.0
        scaled = (raw - bottom) / (top - bottom) if raw is not None and top > bottom else None
        total = values.get("cmi.core.total_time")
    else:
        completion = evaluated_completion_status(values)
        success = evaluated_success_status(values)
        raw = cmi_real(values.get("cmi.score.raw"))
        scaled = cmi_real(values.get("cmi.score.scaled"))
        total = values.get("cmi.total_time")
    centiseconds = parse_session_duration(version, total or "") or 0
    return {"completion_status": completion, "success_status": success, "score_scaled": scaled, "score_raw": raw,
            "total_time_seconds": centiseconds / 100}


def _shared_writes(sent: Mapping[str, Any], after: Mapping[str, str]) -> dict[str, str]:
    """adl.data.n.store values this commit wrote, by bucket id (the commit was validated before this runs)."""
    written = {}
    for element in sent:
        parts = element.split(".")
        if len(parts) == 4 and parts[:2] == ["adl", "data"] and parts[3] == "store":
            bucket_id = after.get(f"adl.data.{parts[2]}.id")
            if bucket_id and element in after:
                written[bucket_id] = after[element]
    return written


def _with_measured_session_time(version: str, after: Mapping[str, str], state: Row[Any], now: datetime,
                                terminate: bool) -> Mapping[str, str]:
    """The values the statements are built from: when a terminating SCO never set session_time, the session's
    wall-clock duration (delivery to this Terminate) stands in for it, so the `terminated`/`suspended` statement
    still carries result.duration. Only the statements see it: the stored CMI values (and total_time) do not."""
    element = "cmi.core.session_time" if version == "1.2" else "cmi.session_time"
    if not terminate or after.get(element) or state.session_started_at is None:
        return after
    seconds = max(0.0, (now - clock.as_utc(state.session_started_at)).total_seconds())
    return {**after, element: format_session_duration(version, round(seconds * 100))}


def _measured(state: Row[Any], now: datetime) -> float:
    """The server-measured seconds of the activity's sessions, the open one counted up to `now`."""
    if state.session_started_at is None or state.terminated:
        return float(state.measured_seconds)
    return float(state.measured_seconds) + max(0.0, (now - clock.as_utc(state.session_started_at)).total_seconds())


def _changed(derived: Mapping[str, Any], state: Row[Any]) -> bool:
    return any(getattr(state, name) != value for name, value in derived.items())


def _activity_status(state: Row[Any]) -> dict[str, Any]:
    return {"completion_status": state.completion_status, "success_status": state.success_status,
            "score_scaled": state.score_scaled, "score_raw": state.score_raw,
            "total_time_seconds": state.total_time_seconds}


def _update_rollup(conn: Connection, attempt: _Attempt, nav_state: Mapping[str, Any]
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Roll the attempt's activities up into the registration (spec §2.8: 1.2 course done when all SCOs are)."""
    row = attempt.row
    registration = store.get_registration(conn, row.tenant_id, row.registration_id)
    assert registration is not None
    before = {"completion_status": registration.completion_status, "success_status": registration.success_status,
              "score_scaled": registration.score_scaled}
    states = {state.activity_id: state for state in store.list_activity_states(conn, [row.attempt_pk])}
    after = course_rollup(attempt.course, states, attempt.navigator, nav_state)
    if registration.completion_status == "completed":
        after["completion_status"] = "completed"  # a later attempt never takes a completion away
    if after["success_status"] == "unknown" and registration.success_status != "unknown":
        after["success_status"] = registration.success_status
    changes = dict(after)
    if after["completion_status"] == "completed" and registration.completed_at is None:
        changes["completed_at"] = clock.now()
    store.update_registration(conn, registration.id, **changes)
    return before, after


def course_rollup(course: Course, states: Mapping[str, Row[Any]], navigator: Navigator,
                  nav_state: Mapping[str, Any]) -> dict[str, Any]:
    """Completion, success, scaled score and total time of one attempt on the course."""
    tracked = course.launchable
    done = [identifier for identifier in tracked
            if identifier in states and states[identifier].completion_status == "completed"]
    started = any(identifier in states for identifier in tracked)
    completion = "completed" if tracked and len(done) == len(tracked) else "incomplete" if started else "not attempted"
    successes = [states[identifier].success_status for identifier in tracked if identifier in states]
    if "failed" in successes:
        success = "failed"
    elif completion == "completed" and "passed" in successes:
        success = "passed"
    else:
        success = "unknown"
    scores = [states[identifier].score_scaled for identifier in tracked
              if identifier in states and states[identifier].score_scaled is not None]
    score = sum(scores) / len(scores) if scores else None
    if isinstance(navigator, SequencingNavigator) and len(tracked) > 1:
        # SCORM 2004: the root activity's rollup decides when the sequencer knows it (SN §4.6).
        root = navigator.root_rollup(nav_state)
        if root.get("completed") is not None:
            completion = "completed" if root["completed"] else ("incomplete" if started else completion)
        if root.get("satisfied") is not None:
            success = "passed" if root["satisfied"] else "failed"
        if root.get("measure") is not None:
            score = root["measure"]
    total = sum(state.total_time_seconds for state in states.values())
    return {"completion_status": completion, "success_status": success, "score_scaled": score,
            "total_time_seconds": total}


def _dump(value: Any) -> str:
    return orjson.dumps(value).decode()


