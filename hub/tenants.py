"""Tenants: every business row carries a tenant_id; this module creates and finds them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from hub import audit, clock
from hub.db import Database
from hub.errors import BadRequest, Conflict, NotFound
from hub.tables import tenant as tenant_table

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class Tenant:
    id: int
    slug: str
    name: str


async def create_tenant(db: Database, slug: str, name: str, *, actor: str = "cli") -> Tenant:
    if not SLUG_PATTERN.match(slug):
        raise BadRequest("tenant slug must be 2-63 lowercase letters, digits or '-'", field="slug")
    if not name.strip():
        raise BadRequest("tenant name must not be empty", field="name")

    def run(conn: Connection) -> Tenant:
        if find_tenant(conn, slug) is not None:
            raise Conflict(f"tenant {slug!r} already exists", field="slug")
        result = conn.execute(insert(tenant_table).values(slug=slug, name=name.strip(), created_at=clock.now()))
        tenant_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        audit.record(conn, tenant_id, actor, "tenant.create", "tenant", slug, {"name": name})
        return Tenant(tenant_id, slug, name.strip())

    return await db.transaction(run)


async def ensure_tenant(db: Database, slug: str, name: str, *, actor: str = "demo") -> Tenant:
    """Create the tenant unless it exists (idempotent, for demo data)."""
    existing = await db.read(lambda conn: find_tenant(conn, slug))
    return existing or await create_tenant(db, slug, name, actor=actor)


def find_tenant(conn: Connection, slug: str) -> Tenant | None:
    row = (conn.execute(select(tenant_table).where(tenant_table.c.slug == slug))).first()
    return Tenant(row.id, row.slug, row.name) if row else None


async def get_tenant(db: Database, slug: str) -> Tenant:
    found = await db.read(lambda conn: find_tenant(conn, slug))
    if found is None:
        raise NotFound(f"no tenant {slug!r}", field="tenant")
    return found


async def list_tenants(db: Database) -> list[Tenant]:
    def run(conn: Connection) -> list[Tenant]:
        rows = conn.execute(select(tenant_table).order_by(tenant_table.c.slug))
        return [Tenant(r.id, r.slug, r.name) for r in rows]

    return await db.read(run)
