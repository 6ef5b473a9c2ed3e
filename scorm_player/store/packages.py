"""SQL for imported packages: synchronous Core over a Connection, always scoped by tenant."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, insert, select

from hub import clock
from scorm_player.store.tables import scorm_package


def _row_to_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.package_id, "title": row.title, "standard": row.standard, "edition": row.edition,
        "content_hash": row.content_hash, "source_name": row.source_name, "item_count": row.item_count,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "report": orjson.loads(row.report),
    }


def find_by_hash(conn: Connection, tenant_id: int, content_hash: str) -> dict[str, Any] | None:
    row = conn.execute(select(scorm_package).where(scorm_package.c.tenant_id == tenant_id,
                                                   scorm_package.c.content_hash == content_hash)).first()
    return _row_to_dict(row) if row is not None else None


def insert_package(conn: Connection, tenant_id: int, *, package_id: str, title: str, standard: str,
                   edition: str | None, content_hash: str, source_name: str, item_count: int,
                   report: dict[str, Any]) -> None:
    conn.execute(insert(scorm_package).values(
        tenant_id=tenant_id, package_id=package_id, title=title[:500], standard=standard, edition=edition,
        content_hash=content_hash, source_name=source_name[:500], item_count=item_count,
        report=orjson.dumps(report).decode(), created_at=clock.now()))


def get_package(conn: Connection, tenant_id: int, package_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(scorm_package).where(scorm_package.c.tenant_id == tenant_id,
                                                   scorm_package.c.package_id == package_id)).first()
    return _row_to_dict(row) if row is not None else None


def list_packages(conn: Connection, tenant_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(scorm_package).where(scorm_package.c.tenant_id == tenant_id)
                        .order_by(scorm_package.c.id))
    return [_row_to_dict(row) for row in rows]
