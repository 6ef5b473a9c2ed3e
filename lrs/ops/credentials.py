"""LRS client credentials: create, list, revoke, and authenticate HTTP Basic requests."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, Protocol, Sequence

from sqlalchemy import Connection, select, update

from hub import audit, clock
from hub.db import Database
from hub.errors import BadRequest, Conflict, NotFound, Unauthorized
from hub.tables import tenant as tenant_table
from lrs.model.versions import SUPPORTED
from lrs.scopes import ALL, parse_scopes, permissions
from lrs.store.tables import credential

if TYPE_CHECKING:
    from lrs.ops.documents import Address

# How long an authenticated key is trusted from memory before the database is asked again;
# a revocation in this process clears it at once, other workers see it within this window.
CACHE_SECONDS = 30.0

# Work a gate asks to run once the statements it checked are committed (e.g. the LMS's own statements).
FollowUp = Callable[[Database], Awaitable[None]]


class RequestGate(Protocol):
    """Rules a session-bound credential adds to its scopes (the cmi5 statement gate is one).

    Raise a HubError to refuse the request; the statement check runs inside the storing transaction,
    with the statements not stored before, so what it records commits or rolls back with them.
    """

    def check_statements(self, conn: Connection, statements: Sequence[dict[str, Any]]) -> FollowUp | None: ...

    async def check_document(self, db: Database, method: str, address: Address) -> None: ...


class CredentialKind(Protocol):
    """Short-lived credentials another package mints (cmi5 sessions), recognised by their key's prefix."""

    def load(self, conn: Connection, key: str) -> tuple[str, Principal] | None:
        """(sha256 of the secret, the principal) for a live credential with this key, else None."""
        ...


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant is decided here and nowhere else."""

    tenant_id: int
    tenant_slug: str
    credential_id: int
    key: str
    scopes: frozenset[str]
    authority: dict[str, Any]
    permissions: frozenset[str] = field(default=frozenset())
    xapi_version: str = "2.0.0"
    gate: RequestGate | None = field(default=None, compare=False)

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class IssuedCredential:
    id: int
    key: str
    secret: str
    scopes: frozenset[str]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def authority_for(tenant_slug: str, key: str, label: str) -> dict[str, Any]:
    return {"objectType": "Agent", "name": label or key,
            "account": {"homePage": f"https://learnhub.local/tenants/{tenant_slug}/clients", "name": key}}


async def create_credential(db: Database, tenant_id: int, *, scopes: str = ALL, label: str = "",
                            actor: str = "cli", key: str | None = None, secret: str | None = None,
                            xapi_version: str = "2.0.0") -> IssuedCredential:
    """Issue a key and secret; `key`/`secret` are only given for the documented demo credentials."""
    scope_set = parse_scopes(scopes)
    if xapi_version not in SUPPORTED:
        raise BadRequest(f"xapi_version must be one of {', '.join(SUPPORTED)}", field="xapi_version")
    key = key or secrets.token_hex(12)
    secret = secret or secrets.token_urlsafe(32)

    def run(conn: Connection) -> IssuedCredential:
        if (conn.execute(select(credential.c.id).where(credential.c.key == key))).first():
            raise Conflict(f"credential key {key!r} already exists", field="key")
        result = conn.execute(credential.insert().values(
            tenant_id=tenant_id, key=key, secret_hash=hash_secret(secret), scopes=" ".join(sorted(scope_set)),
            label=label, xapi_version=xapi_version, created_at=clock.now()))
        credential_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        audit.record(conn, tenant_id, actor, "lrs_credential.create", "lrs_credential", key,
                           {"scopes": sorted(scope_set), "label": label})
        return IssuedCredential(credential_id, key, secret, scope_set)

    return await db.transaction(run)


async def revoke_credential(db: Database, tenant_id: int, key: str, *, actor: str) -> None:
    def run(conn: Connection) -> None:
        result = conn.execute(update(credential)
                                    .where(credential.c.tenant_id == tenant_id, credential.c.key == key,
                                           credential.c.revoked_at.is_(None))
                                    .values(revoked_at=clock.now()))
        if result.rowcount == 0:
            raise NotFound(f"no active credential {key!r}", field="key")
        audit.record(conn, tenant_id, actor, "lrs_credential.revoke", "lrs_credential", key)

    await db.transaction(run)


async def list_credentials(db: Database, tenant_id: int) -> list[dict[str, Any]]:
    def run(conn: Connection) -> list[dict[str, Any]]:
        rows = conn.execute(select(credential).where(credential.c.tenant_id == tenant_id)
                                  .order_by(credential.c.id))
        return [{"key": r.key, "scopes": r.scopes.split(), "label": r.label, "xapi_version": r.xapi_version,
                 "created_at": r.created_at.isoformat(), "revoked": r.revoked_at is not None} for r in rows]

    return await db.read(run)


class Authenticator:
    """Checks key/secret pairs with an in-memory cache: one sha256 and a dict lookup when warm."""

    def __init__(self, db: Database, ttl: float = CACHE_SECONDS, kinds: Mapping[str, CredentialKind] | None = None,
                 revocations: Callable[[], int] | None = None) -> None:
        self.db = db
        self.ttl = ttl
        self.kinds = dict(kinds or {})  # key prefix -> the kind that loads such keys
        self._cache: dict[str, tuple[str, Principal, float]] = {}
        # How many revocations the server's workers have made (hub.workers.Siblings.revocations): when it
        # moves, a key was revoked (in this process or another), and the whole cache goes.
        self._revocations = revocations
        self._revocations_seen = revocations() if revocations is not None else 0

    def _loader(self, key: str) -> Callable[[Connection, str], tuple[str, Principal] | None]:
        for prefix, kind in self.kinds.items():
            if key.startswith(prefix):
                return kind.load
        return _load

    async def authenticate(self, key: str, secret: str) -> Principal | None:
        digest = hash_secret(secret)
        if self._revocations is not None:
            revocations = self._revocations()
            if revocations != self._revocations_seen:
                self._revocations_seen = revocations
                self._cache.clear()
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is None or now - cached[2] > self.ttl:
            load = self._loader(key)
            loaded = await self.db.read(lambda conn: load(conn, key))
            if loaded is None:
                self._cache.pop(key, None)
                return None
            cached = (loaded[0], loaded[1], now)
            self._cache[key] = cached
        if not hmac.compare_digest(cached[0], digest):
            return None
        return cached[1]

    async def authenticate_header(self, header: str | None, realm: str) -> Principal:
        """The principal for an HTTP Basic Authorization header; 401 with a challenge otherwise."""
        challenge = {"WWW-Authenticate": f'Basic realm="{realm}"'}
        key, secret = basic_credentials(header, challenge)
        principal = await self.authenticate(key, secret)
        if principal is None:
            raise Unauthorized("invalid key or secret", headers=challenge)
        return principal


def basic_credentials(header: str | None, challenge: dict[str, str]) -> tuple[str, str]:
    """Key and secret from an HTTP Basic Authorization header; 401 when absent or malformed."""
    if not header:
        raise Unauthorized("authentication required (HTTP Basic with a key and secret)", headers=challenge)
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise Unauthorized("only HTTP Basic authentication is supported", headers=challenge)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed Basic credentials", headers=challenge) from None
    key, sep, secret = decoded.partition(":")
    if not sep:
        raise Unauthorized("malformed Basic credentials", headers=challenge)
    return key, secret


def _load(conn: Connection, key: str) -> tuple[str, Principal] | None:
    row = (conn.execute(
        select(credential, tenant_table.c.slug)
        .join(tenant_table, tenant_table.c.id == credential.c.tenant_id)
        .where(credential.c.key == key, credential.c.revoked_at.is_(None)))).first()
    if row is None:
        return None
    scopes = frozenset(row.scopes.split())
    principal = Principal(row.tenant_id, row.slug, row.id, row.key, scopes,
                          authority_for(row.slug, row.key, row.label), permissions(scopes), row.xapi_version)
    return row.secret_hash, principal
