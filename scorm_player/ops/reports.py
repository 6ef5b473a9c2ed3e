"""Course and learner reports over SCORM registrations: tenant-wide (REPORTS_READ) or one's reporting line.

A person outside the reader's scope answers exactly like one who does not exist (404), as in the admin API.
"""

from __future__ import annotations

from typing import Any, Iterator

import orjson
from sqlalchemy import Connection

from hub.db import Database
from hub.errors import Forbidden, NotFound
from provisioning.ops.people import get_person, reporting_line
from provisioning.ops.sessions import WebPrincipal
from provisioning.roles import Permission
from scorm_player.ops.runtime import registration_summary
from scorm_player.store import packages as package_store
from scorm_player.store import runtime as store

__all__ = ["COURSE_CSV_COLUMNS", "course_report", "csv_rows", "learner_report", "report_overview"]

COURSE_CSV_COLUMNS = ("registration_id", "learner_id", "learner_name", "email", "course", "completion_status",
                      "success_status", "score_scaled", "total_time_seconds", "attempts", "completed_at")


def _scope(conn: Connection, principal: WebPrincipal) -> set[int] | None:
    """None: the whole tenant; otherwise the person keys the reader may see (their reporting line)."""
    if principal.can(Permission.REPORTS_READ):
        return None
    if principal.can(Permission.TEAM_REPORTS_READ):
        return reporting_line(conn, principal.tenant_id, principal.person_pk)
    raise Forbidden("your role does not allow reports")


async def report_overview(db: Database, principal: WebPrincipal) -> list[dict[str, Any]]:
    """Every SCORM package of the tenant with its enrolment counts, over the reader's scope."""

    def run(conn: Connection) -> list[dict[str, Any]]:
        within = _scope(conn, principal)
        rows = store.list_registrations(conn, principal.tenant_id, person_pks=within)
        packages = [p for p in package_store.list_packages(conn, principal.tenant_id)
                    if p["standard"] in ("scorm_1.2", "scorm_2004")]
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
                "registrations": [registration_summary(row) for row in rows]}

    return await db.read(run)


async def learner_report(db: Database, principal: WebPrincipal, person_id: str) -> dict[str, Any]:
    """A learner's registrations with every attempt, activity and interaction."""

    def run(conn: Connection) -> dict[str, Any]:
        within = _scope(conn, principal)
        learner = get_person(conn, principal.tenant_id, person_id)
        if within is not None and learner.pk not in within:
            raise NotFound(f"no person {person_id}", field="person_id")
        rows = store.list_registrations(conn, principal.tenant_id, person_pks=[learner.pk])
        attempts = store.list_attempts(conn, principal.tenant_id, [row.id for row in rows])
        states = store.list_activity_states(conn, [attempt.id for attempt in attempts])
        registrations = []
        for row in rows:
            summary = registration_summary(row)
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
               item["attempt_count"], item["completed_at"] or "")
