"""Course and learner reports over SCORM and cmi5 registrations: tenant-wide (REPORTS_READ) or one's reporting
line.

A cmi5 registration is a scorm_registration row rolled up by the cmi5 ops (status, score, time, sessions as
attempts); its learner report carries each AU's results and the launch sessions instead of SCORM attempts.
A person outside the reader's scope answers exactly like one who does not exist (404), as in the admin API.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import orjson
from sqlalchemy import Connection, Row, select

from hub.db import Database
from hub.errors import Forbidden, NotFound
from provisioning.ops.people import get_person, reporting_line
from provisioning.ops.sessions import WebPrincipal
from provisioning.roles import Permission
from scorm_player.ops.cmi5 import CMI5_STANDARD, course_for
from scorm_player.ops.runtime import registration_summary
from scorm_player.store import packages as package_store
from scorm_player.store import runtime as store
from scorm_player.store.cmi5_tables import cmi5_au_status, cmi5_session

__all__ = ["COURSE_CSV_COLUMNS", "course_report", "csv_rows", "learner_report", "report_overview"]

COURSE_CSV_COLUMNS = ("registration_id", "learner_id", "learner_name", "email", "course", "completion_status",
                      "success_status", "score_scaled", "total_time_seconds", "attempts", "completed_at",
                      "standard", "sessions", "satisfied")
REPORTED_STANDARDS = ("scorm_1.2", "scorm_2004", CMI5_STANDARD)


def _summary(row: Row[Any]) -> dict[str, Any]:
    """registration_summary plus what a cmi5 registration adds: its sessions and whether the course is satisfied
    (the cmi5 roll-up sets completed_at exactly then). Both are None for SCORM."""
    summary = registration_summary(row)
    is_cmi5 = row.standard == CMI5_STANDARD
    summary["sessions"] = row.attempt_count if is_cmi5 else None
    summary["satisfied"] = (row.completed_at is not None) if is_cmi5 else None
    return summary


def _scope(conn: Connection, principal: WebPrincipal) -> set[int] | None:
    """None: the whole tenant; otherwise the person keys the reader may see (their reporting line)."""
    if principal.can(Permission.REPORTS_READ):
        return None
    if principal.can(Permission.TEAM_REPORTS_READ):
        return reporting_line(conn, principal.tenant_id, principal.person_pk)
    raise Forbidden("your role does not allow reports")


async def report_overview(db: Database, principal: WebPrincipal) -> list[dict[str, Any]]:
    """Every SCORM and cmi5 package of the tenant with its enrolment counts, over the reader's scope."""

    def run(conn: Connection) -> list[dict[str, Any]]:
        within = _scope(conn, principal)
        rows = store.list_registrations(conn, principal.tenant_id, person_pks=within)
        packages = [p for p in package_store.list_packages(conn, principal.tenant_id)
                    if p["standard"] in REPORTED_STANDARDS]
        overview = []
        for package in packages:
            mine = [row for row in rows if row.package_id == package["id"]]
            scores = [row.score_scaled for row in mine if row.score_scaled is not None]
            overview.append({
                "package_id": package["id"], "title": package["title"], "standard": package["standard"],
                "registrations": len(mine),
                "completed": sum(1 for row in mine if row.completion_status == "completed"),
                "passed": sum(1 for row in mine if row.success_status == "passed"),
                "failed": sum(1 for row in mine if row.success_status == "failed"),
                "average_score": sum(scores) / len(scores) if scores else None,
            })
        return overview

    return await db.read(run)


async def course_report(db: Database, principal: WebPrincipal, package_id: str) -> dict[str, Any]:
    def run(conn: Connection) -> dict[str, Any]:
        within = _scope(conn, principal)
        package = package_store.get_package(conn, principal.tenant_id, package_id)
        pk = store.package_pk(conn, principal.tenant_id, package_id)
        if package is None or pk is None:
            raise NotFound(f"no package {package_id}", field="package_id")
        rows = store.list_registrations(conn, principal.tenant_id, person_pks=within, package_pk=pk)
        return {"package": {"id": package["id"], "title": package["title"], "standard": package["standard"]},
                "registrations": [_summary(row) for row in rows]}

    return await db.read(run)


async def learner_report(db: Database, principal: WebPrincipal, person_id: str,
                         content_root: Path | None = None) -> dict[str, Any]:
    """A learner's registrations with every attempt, activity and interaction; for cmi5 every AU's results and
    the launch sessions (AU titles come from the course structure when `content_root` is given)."""

    def run(conn: Connection) -> dict[str, Any]:
        within = _scope(conn, principal)
        learner = get_person(conn, principal.tenant_id, person_id)
        if within is not None and learner.pk not in within:
            raise NotFound(f"no person {person_id}", field="person_id")
        rows = store.list_registrations(conn, principal.tenant_id, person_pks=[learner.pk])
        attempts = store.list_attempts(conn, principal.tenant_id, [row.id for row in rows])
        states = store.list_activity_states(conn, [attempt.id for attempt in attempts])
        cmi5_rows = [row for row in rows if row.standard == CMI5_STANDARD]
        au_rows, session_rows = _cmi5_details(conn, principal.tenant_id, [row.id for row in cmi5_rows])
        registrations = []
        for row in rows:
            summary = _summary(row)
            if row.standard == CMI5_STANDARD:
                summary["attempts"] = []
                titles = _au_titles(row, content_root)
                summary["aus"] = [_au(status, titles, session_rows) for status in au_rows
                                  if status.registration_pk == row.id]
                summary["cmi5_sessions"] = [_session(session, titles) for session in session_rows
                                            if session.registration_pk == row.id]
                registrations.append(summary)
                continue
            summary["attempts"] = [{
                "attempt_id": attempt.attempt_id, "number": attempt.number, "suspended": attempt.suspended,
                "started_at": attempt.started_at.isoformat(),
                "ended_at": attempt.ended_at.isoformat() if attempt.ended_at else None,
                "activities": [_activity(state) for state in states if state.attempt_pk == attempt.id],
            } for attempt in attempts if attempt.registration_pk == row.id]
            registrations.append(summary)
        return {"learner": {"id": learner.person_id, "name": learner.name, "email": learner.email},
                "registrations": registrations}

    return await db.read(run)


def _cmi5_details(conn: Connection, tenant_id: int, registration_pks: list[int]
                  ) -> tuple[list[Row[Any]], list[Row[Any]]]:
    """The per-AU results and the launch sessions of these cmi5 registrations."""
    if not registration_pks:
        return [], []
    aus = list(conn.execute(select(cmi5_au_status).where(
        cmi5_au_status.c.tenant_id == tenant_id, cmi5_au_status.c.registration_pk.in_(registration_pks))
        .order_by(cmi5_au_status.c.registration_pk, cmi5_au_status.c.au_index)).all())
    sessions = list(conn.execute(select(cmi5_session).where(
        cmi5_session.c.tenant_id == tenant_id, cmi5_session.c.registration_pk.in_(registration_pks))
        .order_by(cmi5_session.c.id)).all())
    return aus, sessions


def _au_titles(row: Row[Any], content_root: Path | None) -> list[str]:
    if content_root is None:
        return []
    try:
        course = course_for(content_root, row.content_hash, row.package_report)
    except Exception:  # noqa: BLE001 - a report still answers when the package content is gone
        return []
    return [au.display_title for au in course.aus]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _au(status: Row[Any], titles: list[str], sessions: list[Row[Any]]) -> dict[str, Any]:
    mine = [s for s in sessions if s.registration_pk == status.registration_pk and s.au_index == status.au_index]
    return {"index": status.au_index,
            "title": titles[status.au_index] if status.au_index < len(titles) else f"AU {status.au_index + 1}",
            "satisfied": status.satisfied_at is not None, "completed": status.completed_at is not None,
            "passed": status.passed_at is not None,
            "failed": status.failed_at is not None and status.passed_at is None,
            "waived": status.waived_at is not None, "waive_reason": status.waive_reason,
            "score_scaled": status.score_scaled, "sessions": len(mine),
            "total_time_seconds": sum(s.duration_seconds or 0.0 for s in mine),
            "satisfied_at": _when(status.satisfied_at)}


def _session(session: Row[Any], titles: list[str]) -> dict[str, Any]:
    ended = "terminated" if session.terminated_at else "abandoned" if session.abandoned_at else "open"
    return {"session_id": session.session_id, "au_index": session.au_index,
            "au_title": titles[session.au_index] if session.au_index < len(titles) else f"AU {session.au_index + 1}",
            "launch_mode": session.launch_mode, "launched_at": _when(session.launched_at),
            "ended": ended, "ended_at": _when(session.terminated_at or session.abandoned_at),
            "duration_seconds": session.duration_seconds}


def _activity(state: Any) -> dict[str, Any]:
    values = orjson.loads(state.cmi_values)
    return {"activity_id": state.activity_id, "completion_status": state.completion_status,
            "success_status": state.success_status, "score_scaled": state.score_scaled,
            "score_raw": state.score_raw, "total_time_seconds": state.total_time_seconds,
            "sessions": state.session_count,
            "location": values.get("cmi.core.lesson_location", values.get("cmi.location")),
            "interactions": interactions(values)}


def interactions(values: dict[str, str]) -> list[dict[str, Any]]:
    """cmi.interactions.n.* as records (1.2 student_response and 2004 learner_response both as `response`)."""
    found = []
    index = 0
    while f"cmi.interactions.{index}.id" in values:
        prefix = f"cmi.interactions.{index}."
        found.append({
            "id": values[prefix + "id"], "type": values.get(prefix + "type"),
            "response": values.get(prefix + "learner_response", values.get(prefix + "student_response")),
            "result": values.get(prefix + "result"), "latency": values.get(prefix + "latency"),
            "description": values.get(prefix + "description"),
        })
        index += 1
    return found


def csv_rows(registrations: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    """One CSV row per registration, in COURSE_CSV_COLUMNS order."""
    for item in registrations:
        yield (item["id"], item["learner"]["id"], item["learner"]["name"], item["learner"]["email"] or "",
               item["title"], item["completion_status"], item["success_status"],
               "" if item["score_scaled"] is None else item["score_scaled"], item["total_time_seconds"],
               item["attempt_count"], item["completed_at"] or "", item["standard"],
               "" if item.get("sessions") is None else item["sessions"],
               "" if item.get("satisfied") is None else str(item["satisfied"]).lower())
