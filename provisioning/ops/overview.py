"""Counts for the dashboard: people, departments, groups, LRS clients, recent audit activity, one's team."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from hub import clock
from hub.tables import audit_log
from lrs.store.tables import credential
from provisioning.ops.people import reporting_line
from provisioning.store.tables import department, group, person


def tenant_counts(conn: Connection, tenant_id: int) -> dict[str, Any]:
    """Tenant-wide figures (small tables; exact counts are cheap here)."""
    def count(query: Any) -> int:
        return int(conn.execute(query).scalar_one())

    week_ago = clock.now() - timedelta(days=7)
    return {
        "people": count(select(func.count()).select_from(person).where(person.c.tenant_id == tenant_id)),
        "active_people": count(select(func.count()).select_from(person).where(
            person.c.tenant_id == tenant_id, person.c.active.is_(True))),
        "departments": count(select(func.count()).select_from(department).where(department.c.tenant_id == tenant_id)),
        "groups": count(select(func.count()).select_from(group).where(group.c.tenant_id == tenant_id)),
        "lrs_credentials": count(select(func.count()).select_from(credential).where(
            credential.c.tenant_id == tenant_id, credential.c.revoked_at.is_(None))),
        "audit_last_7_days": count(select(func.count()).select_from(audit_log).where(
            audit_log.c.tenant_id == tenant_id, audit_log.c.at >= week_ago)),
    }


def team_counts(conn: Connection, tenant_id: int, person_pk: int) -> dict[str, int]:
    line = reporting_line(conn, tenant_id, person_pk)
    direct = int(conn.execute(select(func.count()).select_from(person).where(
        person.c.tenant_id == tenant_id, person.c.manager_id == person_pk)).scalar_one())
    return {"team": len(line), "direct_reports": direct}


def direct_report_pks(conn: Connection, tenant_id: int, person_pk: int) -> set[int]:
    return {int(r[0]) for r in conn.execute(select(person.c.id).where(person.c.tenant_id == tenant_id,
                                                                      person.c.manager_id == person_pk))}
