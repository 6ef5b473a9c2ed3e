"""Reading the audit log for the admin UI: filter by action, actor, target and time; newest first, keyset paged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, func, or_, select

from hub.tables import audit_log
from lrs.store.tables import credential
from provisioning.store.tables import group, person

MAX_PAGE = 200


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_entries(conn: Connection, tenant_id: int, *, action: str | None = None, actor: str | None = None,
                   target_id: str | None = None, since: datetime | None = None, until: datetime | None = None,
                   before_id: int | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], int | None]:
    """One page of entries and the id to continue before (None on the last page).

    `action` matches exactly or as a prefix ("person." finds every person change); `actor` is a
    case-insensitive substring.
    """
    limit = min(max(limit, 1), MAX_PAGE)
    query = select(audit_log).where(audit_log.c.tenant_id == tenant_id)
    if action:
        query = query.where(or_(audit_log.c.action == action,
                                audit_log.c.action.like(_like_escape(action) + "%", escape="\\")))
    if actor:
        query = query.where(func.lower(audit_log.c.actor).like("%" + _like_escape(actor.lower()) + "%", escape="\\"))
    if target_id:
        query = query.where(audit_log.c.target_id == target_id)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    if until is not None:
        query = query.where(audit_log.c.at < until)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    rows = conn.execute(query.order_by(audit_log.c.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    entries = [{"id": r.id, "at": r.at.isoformat() if r.at else None, "actor": r.actor, "action": r.action,
                "target_type": r.target_type, "target_id": r.target_id, "details": orjson.loads(r.details)}
               for r in rows]
    _name_targets(conn, tenant_id, entries)
    return entries, (rows[-1].id if more and rows else None)


def _name_targets(conn: Connection, tenant_id: int, entries: list[dict[str, Any]]) -> None:
    """Add `target_name` (a person's or group's name, a credential's label) where the target still exists."""
    lookups = {"person": (person.c.person_id, person.c.display_name, person.c.tenant_id),
               "group": (group.c.group_id, group.c.display_name, group.c.tenant_id),
               "lrs_credential": (credential.c.key, credential.c.label, credential.c.tenant_id)}
    for target_type, (id_column, name_column, tenant_column) in lookups.items():
        wanted = {e["target_id"] for e in entries if e["target_type"] == target_type}
        if not wanted:
            continue
        names: dict[str, str] = {str(r[0]): str(r[1] or "") for r in conn.execute(
            select(id_column, name_column).where(tenant_column == tenant_id, id_column.in_(wanted)))}
        for entry in entries:
            if entry["target_type"] == target_type and names.get(entry["target_id"]):
                entry["target_name"] = names[entry["target_id"]]


def distinct_actions(conn: Connection, tenant_id: int) -> list[str]:
    """The actions that occur in this tenant's log (for the filter's suggestions)."""
    rows = conn.execute(select(audit_log.c.action).where(audit_log.c.tenant_id == tenant_id)
                        .group_by(audit_log.c.action).order_by(audit_log.c.action).limit(500))
    return [r[0] for r in rows]
