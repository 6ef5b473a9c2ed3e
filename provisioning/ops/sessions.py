"""Web sessions and local sign-in: server-side sessions, throttling and lockout.

The cookie holds a random 256-bit token; the table holds its SHA-256, so a leaked table opens no
session. A session has an absolute and an idle lifetime and carries its own CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from hub import audit, clock
from hub.db import Database
from hub.errors import TooManyRequests, Unauthorized
from hub.tables import tenant as tenant_table
from provisioning.ops.people import Person, find_person_by_email
from provisioning.passwords import verify_password_async
from provisioning.roles import Permission, permissions_for
from provisioning.store.tables import person, role_assignment, web_session

SESSION_LIFETIME = timedelta(hours=12)
IDLE_LIFETIME = timedelta(hours=2)
# Locking: after MAX_FAILURES wrong passwords in a row the account is locked for LOCKOUT.
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
# Throttling per client address, whatever the account: at most this many failed attempts per window.
ATTEMPTS_PER_ADDRESS = 20
ADDRESS_WINDOW_SECONDS = 300.0

GENERIC_FAILURE = "the organisation, e-mail or password is not right"


@dataclass(frozen=True)
class WebPrincipal:
    """A signed-in person: the tenant is decided here, from the session, and nowhere else."""

    tenant_id: int
    tenant_slug: str
    tenant_name: str
    person_pk: int
    person_id: str
    name: str
    email: str | None
    roles: tuple[str, ...]
    permissions: frozenset[Permission]
    csrf_token: str
    token_hash: str
    method: str

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return f"person:{self.email or self.person_id}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(conn: Connection, tenant_id: int, person_pk: int, *, method: str, ip: str | None,
                 user_agent: str | None, saml_session_index: str | None = None) -> str:
    """Create a session and return its cookie token (shown once, stored only hashed)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    conn.execute(insert(web_session).values(
        token_hash=hash_token(token), tenant_id=tenant_id, person_id=person_pk,
        csrf_token=secrets.token_urlsafe(32), method=method, saml_session_index=saml_session_index,
        created_at=now, expires_at=now + SESSION_LIFETIME, idle_expires_at=now + IDLE_LIFETIME,
        ip=(ip or "")[:64] or None, user_agent=(user_agent or "")[:300] or None))
    return token


@dataclass(frozen=True)
class SessionLookup:
    """What reading a session found: the principal, and whether the row needs a write."""

    principal: WebPrincipal | None
    expired: bool = False      # delete the row
    slide_idle: bool = False   # push the idle expiry forward


@lru_cache(maxsize=1)
def _session_query() -> Any:
    """Session, tenant and person in one prebuilt query (every signed-in request runs it)."""
    return (select(web_session.c.tenant_id, web_session.c.person_id, web_session.c.csrf_token,
                   web_session.c.method, web_session.c.expires_at, web_session.c.idle_expires_at,
                   tenant_table.c.slug, tenant_table.c.name.label("tenant_name"),
                   person.c.person_id.label("public_id"), person.c.email, person.c.display_name,
                   person.c.given_name, person.c.family_name, person.c.user_name, person.c.active)
            .join(tenant_table, tenant_table.c.id == web_session.c.tenant_id)
            .join(person, (person.c.id == web_session.c.person_id) & (person.c.tenant_id == web_session.c.tenant_id))
            .where(web_session.c.token_hash == bindparam("token_hash")))


@lru_cache(maxsize=1)
def _roles_query() -> Any:
    return (select(role_assignment.c.role).where(role_assignment.c.person_id == bindparam("person_pk"))
            .order_by(role_assignment.c.role))


def read_session(conn: Connection, token: str) -> SessionLookup:
    """Resolve a session token without writing: every signed-in request does this, so it must not
    wait for a commit. The rare writes (expiry, the idle slide) are reported for `touch_session`."""
    token_hash = hash_token(token)
    row = conn.execute(_session_query(), {"token_hash": token_hash}).first()
    if row is None:
        return SessionLookup(None)
    now = clock.now()
    if clock.as_utc(row.expires_at) <= now or clock.as_utc(row.idle_expires_at) <= now or not row.active:
        return SessionLookup(None, expired=True)
    roles = tuple(r[0] for r in conn.execute(_roles_query(), {"person_pk": row.person_id}).all())
    name = row.display_name or f"{row.given_name} {row.family_name}".strip() or row.user_name
    principal = WebPrincipal(
        tenant_id=row.tenant_id, tenant_slug=row.slug, tenant_name=row.tenant_name, person_pk=row.person_id,
        person_id=row.public_id, name=name, email=row.email, roles=roles, permissions=permissions_for(roles),
        csrf_token=row.csrf_token, token_hash=token_hash, method=row.method)
    # Slide the idle expiry at most once a minute, so reads do not write on every request.
    slide = clock.as_utc(row.idle_expires_at) - now < IDLE_LIFETIME - timedelta(minutes=1)
    return SessionLookup(principal, slide_idle=slide)


def touch_session(conn: Connection, token: str, lookup: SessionLookup) -> None:
    token_hash = hash_token(token)
    if lookup.expired:
        conn.execute(delete(web_session).where(web_session.c.token_hash == token_hash))
    elif lookup.slide_idle:
        conn.execute(update(web_session).where(web_session.c.token_hash == token_hash)
                     .values(idle_expires_at=clock.now() + IDLE_LIFETIME))


def close_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(web_session).where(web_session.c.token_hash == token_hash))


class AddressThrottle:
    """Failed sign-ins per client address in a sliding window (per process; lockout is in the DB).

    Only failures count: people behind one NAT address who sign in correctly never lock each
    other out, while password spraying from one address is stopped.
    """

    def __init__(self, limit: int = ATTEMPTS_PER_ADDRESS, window: float = ADDRESS_WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str) -> deque[float]:
        now = time.monotonic()
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def check(self, address: str) -> None:
        failures = self._recent(address)
        if len(failures) >= self.limit:
            retry = int(failures[0] + self.window - time.monotonic()) + 1
            raise TooManyRequests("too many failed sign-ins from this address; wait and try again",
                                  headers={"Retry-After": str(retry)})

    def failed(self, address: str) -> None:
        self._recent(address).append(time.monotonic())
        if len(self._failures) > 100_000:  # bound memory under a spray of addresses
            self._failures.clear()


async def sign_in(db: Database, tenant_slug: str, email: str, password: str, *, ip: str | None,
                  user_agent: str | None) -> str:
    """Check a local password and open a session; returns the cookie token.

    Every failure looks the same to the caller (no account enumeration); the real reason goes to
    the audit log. The Argon2 check runs off the event loop, outside any transaction.
    """
    def lookup(conn: Connection) -> tuple[int, Person | None, str | None]:
        tenant_id = conn.execute(select(tenant_table.c.id).where(tenant_table.c.slug == tenant_slug)).scalar()
        if tenant_id is None:
            return 0, None, None
        found = find_person_by_email(conn, int(tenant_id), email)
        password_hash = None if found is None else conn.execute(
            select(person.c.password_hash).where(person.c.id == found.pk)).scalar()
        return int(tenant_id), found, password_hash

    tenant_id, found, password_hash = await db.read(lookup)
    correct = await verify_password_async(password_hash, password)
    now = clock.now()

    def record(conn: Connection) -> str | Unauthorized:
        # A failure is returned, not raised: its counter and audit entry must commit.
        if found is None:
            return Unauthorized(GENERIC_FAILURE)
        row = conn.execute(select(person.c.failed_logins, person.c.locked_until, person.c.active)
                           .where(person.c.id == found.pk)).one()
        locked = row.locked_until is not None and clock.as_utc(row.locked_until) > now
        if locked:
            audit.record(conn, tenant_id, f"person:{found.email}", "signin.locked", "person", found.person_id, {})
            return Unauthorized("this account is locked after repeated failed sign-ins; "
                                "try again later or ask an administrator to reset the password")
        if not correct:
            failures = int(row.failed_logins) + 1
            values: dict[str, object] = {"failed_logins": failures}
            if failures >= MAX_FAILURES:
                values.update(locked_until=now + LOCKOUT, failed_logins=0)
            conn.execute(update(person).where(person.c.id == found.pk).values(**values))
            audit.record(conn, tenant_id, f"person:{found.email}", "signin.failed", "person", found.person_id,
                         {"locked": failures >= MAX_FAILURES})
            return Unauthorized(GENERIC_FAILURE)
        if not row.active:
            audit.record(conn, tenant_id, f"person:{found.email}", "signin.refused_inactive", "person",
                         found.person_id, {})
            return Unauthorized(GENERIC_FAILURE)
        if row.failed_logins:
            conn.execute(update(person).where(person.c.id == found.pk).values(failed_logins=0))
        audit.record(conn, tenant_id, f"person:{found.email}", "signin", "person", found.person_id,
                     {"method": "password"})
        return open_session(conn, tenant_id, found.pk, method="password", ip=ip, user_agent=user_agent)

    outcome = await db.transaction(record)
    if isinstance(outcome, Unauthorized):
        raise outcome
    return outcome
