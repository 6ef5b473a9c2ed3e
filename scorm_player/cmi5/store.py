"""SQL for the cmi5 tables (the one module here that touches the database); callers pass tenant-checked keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from hub.tables import tenant
from provisioning.store.tables import person
from scorm_player.store.cmi5_tables import cmi5_au_status, cmi5_node_status, cmi5_session
from scorm_player.store.tables import scorm_package, scorm_registration

__all__ = ["get_au_status", "insert_au_statuses", "insert_node_status", "insert_session", "list_au_statuses",
           "list_node_keys", "load_session", "mark_fetched", "open_sessions", "session_by_fetch_hash",
           "session_totals", "update_au_status", "update_session", "idle_sessions"]


def insert_session(conn: Connection, tenant_id: int, **values: Any) -> int:
    result = conn.execute(insert(cmi5_session).values(tenant_id=tenant_id, **values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def load_session(conn: Connection, session_id: str, *, for_update: bool = False) -> Row[Any] | None:
    """A session with what its credential needs: tenant slug, registration id, package, learner."""
    query = (select(cmi5_session, tenant.c.slug.label("tenant_slug"),
                    scorm_registration.c.registration_id, scorm_registration.c.person_pk,
                    scorm_package.c.package_id, scorm_package.c.content_hash,
                    scorm_package.c.report.label("package_report"),
                    person.c.person_id, person.c.display_name, person.c.given_name, person.c.family_name)
             .select_from(cmi5_session
                          .join(tenant, tenant.c.id == cmi5_session.c.tenant_id)
                          .join(scorm_registration, scorm_registration.c.id == cmi5_session.c.registration_pk)
                          .join(scorm_package, scorm_package.c.id == scorm_registration.c.package_pk)
                          .join(person, person.c.id == scorm_registration.c.person_pk))
             .where(cmi5_session.c.session_id == session_id))
    if for_update:
        query = query.with_for_update(of=cmi5_session)
    return conn.execute(query).first()


def session_by_fetch_hash(conn: Connection, token_hash: str) -> Row[Any] | None:
    return conn.execute(select(cmi5_session).where(cmi5_session.c.fetch_token_hash == token_hash)).first()


def mark_fetched(conn: Connection, session_pk: int, credential_hash: str, now: datetime) -> bool:
    """Use the fetch URL up; False when another request used it first (8.2.3.0-1)."""
    result = conn.execute(update(cmi5_session)
                          .where(cmi5_session.c.id == session_pk, cmi5_session.c.fetched_at.is_(None))
                          .values(fetched_at=now, credential_hash=credential_hash))
    return result.rowcount == 1


def update_session(conn: Connection, session_pk: int, **values: Any) -> None:
    conn.execute(update(cmi5_session).where(cmi5_session.c.id == session_pk).values(**values))


def open_sessions(conn: Connection, tenant_id: int, registration_pk: int) -> list[Row[Any]]:
    """Sessions of the registration neither terminated nor abandoned, oldest first."""
    return list(conn.execute(select(cmi5_session).where(
        cmi5_session.c.tenant_id == tenant_id, cmi5_session.c.registration_pk == registration_pk,
        cmi5_session.c.terminated_at.is_(None), cmi5_session.c.abandoned_at.is_(None))
        .order_by(cmi5_session.c.id).with_for_update()).all())


def session_totals(conn: Connection, registration_pk: int) -> tuple[int, float]:
    """How many sessions the registration had and their summed durations, in seconds."""
    row = conn.execute(select(func.count(), func.coalesce(func.sum(cmi5_session.c.duration_seconds), 0.0))
                       .where(cmi5_session.c.registration_pk == registration_pk)).one()
    return int(row[0]), float(row[1])


def list_au_statuses(conn: Connection, registration_pk: int) -> dict[int, Row[Any]]:
    rows = conn.execute(select(cmi5_au_status).where(cmi5_au_status.c.registration_pk == registration_pk))
    return {row.au_index: row for row in rows}


def get_au_status(conn: Connection, registration_pk: int, au_index: int, *, for_update: bool = False
                  ) -> Row[Any] | None:
    query = select(cmi5_au_status).where(cmi5_au_status.c.registration_pk == registration_pk,
                                         cmi5_au_status.c.au_index == au_index)
    return conn.execute(query.with_for_update() if for_update else query).first()


def insert_au_statuses(conn: Connection, tenant_id: int, registration_pk: int,
                       rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(cmi5_au_status),
                     [{"tenant_id": tenant_id, "registration_pk": registration_pk, **row} for row in rows])


def update_au_status(conn: Connection, registration_pk: int, au_index: int, **values: Any) -> None:
    conn.execute(update(cmi5_au_status).where(cmi5_au_status.c.registration_pk == registration_pk,
                                              cmi5_au_status.c.au_index == au_index).values(**values))


def list_node_keys(conn: Connection, registration_pk: int) -> set[str]:
    return set(conn.execute(select(cmi5_node_status.c.node_key)
                            .where(cmi5_node_status.c.registration_pk == registration_pk)).scalars())


def insert_node_status(conn: Connection, tenant_id: int, registration_pk: int, node_key: str, session_id: str,
                       now: datetime) -> None:
    conn.execute(insert(cmi5_node_status).values(tenant_id=tenant_id, registration_pk=registration_pk,
                                                 node_key=node_key, session_id=session_id, satisfied_at=now))


def idle_sessions(conn: Connection, idle_since: datetime, limit: int = 1000) -> list[Row[Any]]:
    """Open sessions (neither terminated nor abandoned) with nothing since `idle_since`, every tenant:
    (tenant_id, tenant_slug, registration_id), for the scheduled abandon sweep."""
    last = func.coalesce(cmi5_session.c.last_statement_at, cmi5_session.c.launched_at)
    return list(conn.execute(
        select(cmi5_session.c.tenant_id, tenant.c.slug.label("tenant_slug"), scorm_registration.c.registration_id)
        .select_from(cmi5_session.join(tenant, tenant.c.id == cmi5_session.c.tenant_id)
                     .join(scorm_registration, scorm_registration.c.id == cmi5_session.c.registration_pk))
        .where(cmi5_session.c.terminated_at.is_(None), cmi5_session.c.abandoned_at.is_(None), last < idle_since)
        .distinct().limit(limit)).all())
