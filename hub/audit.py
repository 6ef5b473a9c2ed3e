"""The append-only audit log of administrative changes: who, what, when, tenant."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, insert, select

from hub import clock
from hub.tables import audit_log


def record(conn: Connection, tenant_id: int, actor: str, action: str, target_type: str,
                 target_id: str, details: dict[str, Any] | None = None) -> None:
    """Write one entry inside the caller's transaction, so the change and its record commit together."""
    conn.execute(insert(audit_log).values(
        tenant_id=tenant_id, at=clock.now(), actor=actor, action=action, target_type=target_type,
        target_id=str(target_id), details=orjson.dumps(details or {}).decode()))


def list_entries(conn: Connection, tenant_id: int, *, limit: int = 100, before_id: int | None = None
                       ) -> list[dict[str, Any]]:
    query = select(audit_log).where(audit_log.c.tenant_id == tenant_id)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    rows = conn.execute(query.order_by(audit_log.c.id.desc()).limit(min(limit, 1000)))
    return [
        {"id": r.id, "at": r.at.isoformat() if r.at else None, "actor": r.actor, "action": r.action,
         "target_type": r.target_type, "target_id": r.target_id, "details": orjson.loads(r.details)}
        for r in rows
    ]
