"""SQL for registrations, attempts, per-activity run-time state and the commit log; every query carries tenant_id."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from hub import clock
from provisioning.store.tables import person
from scorm_player.store.tables import (
    scorm_activity_state,
    scorm_attempt,
    scorm_commit,
    scorm_package,
    scorm_registration,
    scorm_shared_data,
)

# Registration rows come with their package and learner, which every caller shows or checks.
_REGISTRATION_COLUMNS = (
    scorm_registration,
    scorm_package.c.package_id, scorm_package.c.title.label("package_title"), scorm_package.c.standard,
    scorm_package.c.content_hash, scorm_package.c.report.label("package_report"),
    scorm_package.c.edition, scorm_package.c.created_at.label("package_created_at"),
    person.c.person_id, person.c.display_name, person.c.given_name, person.c.family_name, person.c.email,
    person.c.employee_number,
)


def _registrations() -> Any:
    return (select(*_REGISTRATION_COLUMNS)
            .select_from(scorm_registration
                         .join(scorm_package, scorm_package.c.id == scorm_registration.c.package_pk)
                         .join(person, person.c.id == scorm_registration.c.person_pk)))


def insert_registration(conn: Connection, tenant_id: int, registration_id: str, package_pk: int,
                        person_pk: int) -> None:
    now = clock.now()
    conn.execute(insert(scorm_registration).values(
        tenant_id=tenant_id, registration_id=registration_id, package_pk=package_pk, person_pk=person_pk,
        created_at=now, updated_at=now))


def find_registration(conn: Connection, tenant_id: int, person_pk: int, package_pk: int) -> Row[Any] | None:
    return conn.execute(_registrations().where(
        scorm_registration.c.tenant_id == tenant_id, scorm_registration.c.person_pk == person_pk,
        scorm_registration.c.package_pk == package_pk).order_by(scorm_registration.c.id.desc()).limit(1)).first()


def get_registration(conn: Connection, tenant_id: int, registration_id: str) -> Row[Any] | None:
    return conn.execute(_registrations().where(scorm_registration.c.tenant_id == tenant_id,
                                               scorm_registration.c.registration_id == registration_id)).first()


def list_registrations(conn: Connection, tenant_id: int, *, person_pks: Iterable[int] | None = None,
                       package_pk: int | None = None, limit: int = 5000) -> list[Row[Any]]:
    query = _registrations().where(scorm_registration.c.tenant_id == tenant_id)
    if person_pks is not None:
        query = query.where(scorm_registration.c.person_pk.in_(list(person_pks)))
    if package_pk is not None:
        query = query.where(scorm_registration.c.package_pk == package_pk)
    return list(conn.execute(query.order_by(scorm_registration.c.id).limit(limit)).all())


def update_registration(conn: Connection, registration_pk: int, **values: Any) -> None:
    conn.execute(update(scorm_registration).where(scorm_registration.c.id == registration_pk)
                 .values(updated_at=clock.now(), **values))


def package_pk(conn: Connection, tenant_id: int, package_id: str) -> int | None:
    found = conn.execute(select(scorm_package.c.id).where(scorm_package.c.tenant_id == tenant_id,
                                                          scorm_package.c.package_id == package_id)).scalar()
    return int(found) if found is not None else None


def latest_attempt(conn: Connection, registration_pk: int) -> Row[Any] | None:
    return conn.execute(select(scorm_attempt).where(scorm_attempt.c.registration_pk == registration_pk)
                        .order_by(scorm_attempt.c.number.desc()).limit(1)).first()


def list_attempts(conn: Connection, tenant_id: int, registration_pks: list[int]) -> list[Row[Any]]:
    if not registration_pks:
        return []
    return list(conn.execute(select(scorm_attempt).where(scorm_attempt.c.tenant_id == tenant_id,
                                                         scorm_attempt.c.registration_pk.in_(registration_pks))
                             .order_by(scorm_attempt.c.registration_pk, scorm_attempt.c.number)).all())


def insert_attempt(conn: Connection, tenant_id: int, attempt_id: str, registration_pk: int, number: int) -> int:
    result = conn.execute(insert(scorm_attempt).values(
        tenant_id=tenant_id, attempt_id=attempt_id, registration_pk=registration_pk, number=number,
        started_at=clock.now()))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _attempt_query() -> Any:
    return (_registrations()
            .add_columns(scorm_attempt.c.id.label("attempt_pk"), scorm_attempt.c.attempt_id,
                         scorm_attempt.c.number.label("attempt_number"), scorm_attempt.c.suspended,
                         scorm_attempt.c.current_activity, scorm_attempt.c.sequencing_state,
                         scorm_attempt.c.ended_at.label("attempt_ended_at"))
            .join_from(scorm_registration, scorm_attempt, scorm_attempt.c.registration_pk == scorm_registration.c.id)
            .where(scorm_attempt.c.tenant_id == bindparam("b_tenant"),
                   scorm_attempt.c.attempt_id == bindparam("b_attempt")))


# The commit path runs these on every request: built once, so SQLAlchemy does not rebuild and re-key them.
_ATTEMPT_BY_ID = _attempt_query()
_STATE_BY_ACTIVITY = select(scorm_activity_state).where(scorm_activity_state.c.attempt_pk == bindparam("b_attempt"),
                                                        scorm_activity_state.c.activity_id == bindparam("b_activity"))
_UPDATE_STATE = update(scorm_activity_state).where(scorm_activity_state.c.id == bindparam("b_state"))
_INSERT_COMMIT = insert(scorm_commit)


def get_attempt(conn: Connection, tenant_id: int, attempt_id: str) -> Row[Any] | None:
    """The attempt with its registration columns (owner, package) in one row."""
    return conn.execute(_ATTEMPT_BY_ID, {"b_tenant": tenant_id, "b_attempt": attempt_id}).first()


def update_attempt(conn: Connection, attempt_pk: int, **values: Any) -> None:
    conn.execute(update(scorm_attempt).where(scorm_attempt.c.id == attempt_pk).values(**values))


def get_activity_state(conn: Connection, attempt_pk: int, activity_id: str) -> Row[Any] | None:
    return conn.execute(_STATE_BY_ACTIVITY, {"b_attempt": attempt_pk, "b_activity": activity_id}).first()


def list_activity_states(conn: Connection, attempt_pks: list[int]) -> list[Row[Any]]:
    if not attempt_pks:
        return []
    return list(conn.execute(select(scorm_activity_state).where(scorm_activity_state.c.attempt_pk.in_(attempt_pks))
                             .order_by(scorm_activity_state.c.attempt_pk, scorm_activity_state.c.id)).all())


def insert_activity_state(conn: Connection, tenant_id: int, attempt_pk: int, activity_id: str, **values: Any) -> None:
    conn.execute(insert(scorm_activity_state).values(tenant_id=tenant_id, attempt_pk=attempt_pk,
                                                     activity_id=activity_id, updated_at=clock.now(), **values))


def update_activity_state(conn: Connection, state_pk: int, **values: Any) -> None:
    conn.execute(_UPDATE_STATE, {"b_state": state_pk, "updated_at": clock.now(), **values})


def find_commit(conn: Connection, attempt_pk: int, activity_id: str, seq: int) -> Row[Any] | None:
    return conn.execute(select(scorm_commit).where(scorm_commit.c.attempt_pk == attempt_pk,
                                                   scorm_commit.c.activity_id == activity_id,
                                                   scorm_commit.c.seq == seq)).first()


def insert_commit(conn: Connection, tenant_id: int, attempt_pk: int, activity_id: str, seq: int, *,
                  terminate: bool, payload: str, statements: str, created_at: datetime) -> None:
    conn.execute(_INSERT_COMMIT, {"tenant_id": tenant_id, "attempt_pk": attempt_pk, "activity_id": activity_id,
                                  "seq": seq, "terminate": terminate, "payload": payload, "statements": statements,
                                  "created_at": created_at})


def count_commits(conn: Connection, attempt_pk: int) -> int:
    return int(conn.execute(select(func.count()).select_from(scorm_commit)
                            .where(scorm_commit.c.attempt_pk == attempt_pk)).scalar_one())


def shared_data(conn: Connection, tenant_id: int, person_pk: int, scope: str, bucket_ids: Iterable[str]
                ) -> dict[str, str]:
    """The learner's adl.data stores among `bucket_ids` that were ever written, bucket id -> store."""
    wanted = list(bucket_ids)
    if not wanted:
        return {}
    rows = conn.execute(select(scorm_shared_data.c.bucket_id, scorm_shared_data.c.store).where(
        scorm_shared_data.c.tenant_id == tenant_id, scorm_shared_data.c.person_pk == person_pk,
        scorm_shared_data.c.scope == scope, scorm_shared_data.c.bucket_id.in_(wanted)))
    return {row.bucket_id: row.store for row in rows}


def put_shared_data(conn: Connection, tenant_id: int, person_pk: int, scope: str, stores: dict[str, str]) -> None:
    """Write adl.data stores (insert or replace), in the caller's transaction."""
    existing = shared_data(conn, tenant_id, person_pk, scope, stores)
    now = clock.now()
    for bucket_id, store in stores.items():
        where = (scorm_shared_data.c.tenant_id == tenant_id, scorm_shared_data.c.person_pk == person_pk,
                 scorm_shared_data.c.scope == scope, scorm_shared_data.c.bucket_id == bucket_id)
        if bucket_id in existing:
            conn.execute(update(scorm_shared_data).where(*where).values(store=store, updated_at=now))
        else:
            conn.execute(insert(scorm_shared_data).values(tenant_id=tenant_id, person_pk=person_pk, scope=scope,
                                                          bucket_id=bucket_id, store=store, updated_at=now))
