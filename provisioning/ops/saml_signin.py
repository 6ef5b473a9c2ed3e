"""SAML sign-in state and JIT provisioning: outstanding requests, the assertion replay cache, the upsert.

Rules (identity.md §5b, SP rules): an AuthnRequest id is kept server-side with a TTL and deleted on
first use (what makes a replayed Response fail); consumed assertion ids are kept until their
NotOnOrAfter; a person is found by (tenant, IdP entity id, NameID), and the e-mail is a mutable
attribute. A refusal is returned, not raised, so the consumed request and the audit entry commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select

from hub import audit, clock
from hub.errors import HubError
from provisioning.ops.people import (
    Person,
    create_person,
    find_person_by_email,
    get_person_by_pk,
    set_roles,
    update_person,
)
from provisioning.ops.sessions import open_session
from provisioning.saml.mapping import JitRecord
from provisioning.store.tables import saml_assertion, saml_identity, saml_request

REQUEST_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in was refused (for the log and the audit entry; the browser sees a generic page)."""

    reason: str


@dataclass(frozen=True)
class SignedIn:
    token: str
    person: Person
    created: bool


def remember_request(conn: Connection, tenant_id: int, request_id: str, relay_state: str | None, *,
                     lifetime: timedelta = REQUEST_LIFETIME) -> None:
    """Store an outstanding AuthnRequest id; expired ones of the tenant are swept at the same time."""
    now = clock.now()
    conn.execute(delete(saml_request).where(saml_request.c.tenant_id == tenant_id,
                                            saml_request.c.expires_at < now))
    conn.execute(insert(saml_request).values(request_id=request_id, tenant_id=tenant_id,
                                             relay_state=relay_state, expires_at=now + lifetime))


def outstanding_request(conn: Connection, tenant_id: int, request_id: str) -> str | None:
    """The stored RelayState ("" when none) of a live outstanding request, or None when unknown or expired."""
    row = conn.execute(select(saml_request.c.relay_state, saml_request.c.expires_at).where(
        saml_request.c.tenant_id == tenant_id, saml_request.c.request_id == request_id)).first()
    if row is None or clock.as_utc(row.expires_at) <= clock.now():
        return None
    return row.relay_state or ""


def consume_request(conn: Connection, tenant_id: int, request_id: str) -> bool:
    """Delete the outstanding request; True only for the one caller that deleted it (used once)."""
    result = conn.execute(delete(saml_request).where(saml_request.c.tenant_id == tenant_id,
                                                     saml_request.c.request_id == request_id,
                                                     saml_request.c.expires_at > clock.now()))
    return (result.rowcount or 0) == 1


def remember_assertion(conn: Connection, tenant_id: int, assertion_id: str, expires_at: datetime) -> bool:
    """Record a consumed assertion id; False when it was seen before (a replay)."""
    now = clock.now()
    conn.execute(delete(saml_assertion).where(saml_assertion.c.tenant_id == tenant_id,
                                              saml_assertion.c.expires_at < now))
    seen = conn.execute(select(saml_assertion.c.assertion_id).where(
        saml_assertion.c.tenant_id == tenant_id, saml_assertion.c.assertion_id == assertion_id)).first()
    if seen is not None:
        return False
    # A concurrent replay that passes the check fails on the primary key and its transaction rolls back.
    conn.execute(insert(saml_assertion).values(tenant_id=tenant_id, assertion_id=assertion_id,
                                               expires_at=max(expires_at, now)))
    return True


def _find_by_identity(conn: Connection, tenant_id: int, record: JitRecord) -> Person | None:
    pk = conn.execute(select(saml_identity.c.person_id).where(
        saml_identity.c.tenant_id == tenant_id, saml_identity.c.idp_entity_id == record.idp_entity_id,
        saml_identity.c.name_id == record.name_id)).scalar()
    return None if pk is None else get_person_by_pk(conn, tenant_id, int(pk))


def upsert_person(conn: Connection, tenant_id: int, record: JitRecord) -> tuple[Person, bool] | Refusal:
    """The person this identity is: found by its NameID, else linked by e-mail (a SCIM-provisioned
    person signing in for the first time), else created. Names, e-mail and roles follow the IdP."""
    actor = f"saml:{record.idp_entity_id}"
    created = False
    found = _find_by_identity(conn, tenant_id, record)
    linked = found is None
    if found is None and record.email:
        found = find_person_by_email(conn, tenant_id, record.email)
    if found is not None and not found.active:
        # Deactivated (e.g. by SCIM): the IdP does not get to switch them back on (identity.md §5c C14).
        return Refusal(f"person {found.person_id} is deactivated")
    try:
        if found is None:
            data = {"email": record.email, "given_name": record.given_name, "family_name": record.family_name,
                    "display_name": record.display_name}
            if not record.email:
                data["user_name"] = record.name_id
            found = create_person(conn, tenant_id, data, actor=actor, roles=record.roles)
            created = True
        else:
            changes: dict[str, object] = {}
            if record.email and record.email != found.email:
                changes["email"] = record.email
            for name in ("given_name", "family_name", "display_name"):
                value = getattr(record, name)
                if value and value != getattr(found, name):
                    changes[name] = value
            if changes:
                found = update_person(conn, tenant_id, found.person_id, changes, actor=actor)
            # The IdP's roles replace the person's roles on every sign-in.
            found = set_roles(conn, tenant_id, found.person_id, record.roles, actor=actor)
    except HubError as exc:  # e.g. the new e-mail belongs to someone else
        return Refusal(f"the person could not be provisioned: {exc.message}")
    if linked:
        conn.execute(insert(saml_identity).values(
            tenant_id=tenant_id, idp_entity_id=record.idp_entity_id, name_id=record.name_id,
            name_id_format=record.name_id_format, person_id=found.pk))
    return found, created


def complete_sign_in(conn: Connection, tenant_id: int, record: JitRecord, *,
                     request_id: str | None, assertion_id: str, assertion_expires: datetime,
                     ip: str | None, user_agent: str | None) -> SignedIn | Refusal:
    """Consume the request, check the replay cache, upsert the person and open a session (one transaction)."""
    if request_id is not None and not consume_request(conn, tenant_id, request_id):
        return Refusal(f"the AuthnRequest {request_id} was already used or has expired")
    if not remember_assertion(conn, tenant_id, assertion_id, assertion_expires):
        return Refusal(f"assertion {assertion_id} was already used (replay)")
    outcome = upsert_person(conn, tenant_id, record)
    if isinstance(outcome, Refusal):
        return outcome
    found, created = outcome
    token = open_session(conn, tenant_id, found.pk, method="saml", ip=ip, user_agent=user_agent,
                         saml_session_index=(record.session_index or "")[:200] or None)
    audit.record(conn, tenant_id, f"person:{found.email or found.person_id}", "saml.signin", "person",
                 found.person_id, {"idp_entity_id": record.idp_entity_id, "name_id": record.name_id,
                                   "created": created, "roles": list(found.roles),
                                   "idp_initiated": request_id is None})
    return SignedIn(token=token, person=found, created=created)


def record_rejection(conn: Connection, tenant_id: int, tenant_slug: str, reason: str, *,
                     idp_entity_id: str | None) -> None:
    audit.record(conn, tenant_id, f"saml:{idp_entity_id or 'unknown'}", "saml.rejected", "tenant", tenant_slug,
                 {"reason": reason[:500]})

