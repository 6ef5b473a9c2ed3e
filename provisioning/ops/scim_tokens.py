"""SCIM bearer tokens per tenant: issue (shown once), list, revoke, and authenticate a bearer token.

Only the SHA-256 digest of a token is stored; authentication finds the row by digest and checks it
again with `hmac.compare_digest`. A tenant may hold several active tokens, so an identity provider's
token can be rotated without downtime (identity.md §5c C20).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from hub import audit, clock
from hub.db import Database
from hub.errors import BadRequest, NotFound
from hub.tables import tenant as tenant_table
from provisioning.store.tables import scim_token

# Tokens carry this prefix so that a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "lhscim_"
MAX_LABEL = 200
# last_used_at is a hint for the admin page, not an access log: write it at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A new token; `token` is the only copy of the secret and is never shown again."""

    token_id: str
    token: str
    label: str
    created_at: datetime

    def public(self) -> dict[str, Any]:
        return {"token_id": self.token_id, "token": self.token, "label": self.label,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class ScimClient:
    """Who is calling the SCIM endpoints: the tenant is decided here and nowhere else."""

    tenant_id: int
    tenant_slug: str
    token_id: str

    @property
    def actor(self) -> str:
        """The audit-log actor of every write made with this token."""
        return f"scim-token:{self.token_id}"


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_label(label: Any) -> str:
    if label is None:
        return ""
    if not isinstance(label, str):
        raise BadRequest("label must be a string", field="label")
    label = label.strip()
    if len(label) > MAX_LABEL:
        raise BadRequest(f"label must be at most {MAX_LABEL} characters", field="label")
    return label


def create_token(conn: Connection, tenant_id: int, *, label: Any = "", actor: str) -> IssuedToken:
    """Issue a token in the caller's transaction; only its digest is stored."""
    clean = _clean_label(label)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = str(uuid.uuid4())
    now = clock.now()
    conn.execute(scim_token.insert().values(tenant_id=tenant_id, token_id=token_id, digest=digest_of(token),
                                            label=clean, created_at=now, created_by=actor))
    audit.record(conn, tenant_id, actor, "scim_token.create", "scim_token", token_id, {"label": clean})
    return IssuedToken(token_id, token, clean, now)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return clock.as_utc(value).isoformat()


def list_tokens(conn: Connection, tenant_id: int) -> list[dict[str, Any]]:
    """The tenant's tokens, newest first, without any secret or digest."""
    rows = conn.execute(select(scim_token).where(scim_token.c.tenant_id == tenant_id)
                        .order_by(scim_token.c.id.desc()))
    return [{"token_id": r.token_id, "label": r.label, "created_at": _iso(r.created_at),
             "created_by": r.created_by, "last_used_at": _iso(r.last_used_at),
             "revoked_at": _iso(r.revoked_at), "revoked": r.revoked_at is not None} for r in rows]


def revoke_token(conn: Connection, tenant_id: int, token_id: str, *, actor: str) -> None:
    """Revoke an active token; the next request that carries it is refused (no cache to wait for)."""
    result = conn.execute(update(scim_token)
                          .where(scim_token.c.tenant_id == tenant_id, scim_token.c.token_id == token_id,
                                 scim_token.c.revoked_at.is_(None))
                          .values(revoked_at=clock.now()))
    if not result.rowcount:
        raise NotFound(f"no active SCIM token {token_id!r}", field="token_id")
    audit.record(conn, tenant_id, actor, "scim_token.revoke", "scim_token", token_id, {})


def find_client(conn: Connection, token: str) -> tuple[ScimClient, datetime | None] | None:
    """The caller a bearer token stands for, and when the token was last used; None when unknown or revoked."""
    if not token or len(token) > 200:
        return None
    digest = digest_of(token)
    row = conn.execute(select(scim_token.c.token_id, scim_token.c.tenant_id, scim_token.c.digest,
                              scim_token.c.last_used_at, tenant_table.c.slug)
                       .join(tenant_table, tenant_table.c.id == scim_token.c.tenant_id)
                       .where(scim_token.c.digest == digest, scim_token.c.revoked_at.is_(None))).first()
    # The index lookup already matched; compare again in constant time so that no code path
    # depends on a non-constant-time string comparison of secrets.
    if row is None or not hmac.compare_digest(row.digest, digest):
        return None
    last_used = row.last_used_at and clock.as_utc(row.last_used_at)
    return ScimClient(row.tenant_id, row.slug, row.token_id), last_used


def touch(conn: Connection, client: ScimClient) -> None:
    conn.execute(update(scim_token).where(scim_token.c.tenant_id == client.tenant_id,
                                          scim_token.c.token_id == client.token_id)
                 .values(last_used_at=clock.now()))


async def authenticate(db: Database, token: str) -> ScimClient | None:
    """Check a bearer token on every request (a revocation takes effect at once).

    A read; `last_used_at` is written only when the stored value is more than a minute old, so
    a provisioning burst does not turn every request into a write.
    """
    found = await db.read(lambda conn: find_client(conn, token))
    if found is None:
        return None
    client, last_used = found
    if last_used is None or clock.now() - last_used >= LAST_USED_RESOLUTION:
        await db.transaction(lambda conn: touch(conn, client))
    return client


async def issue_token(db: Database, tenant_id: int, *, label: Any = "", actor: str) -> IssuedToken:
    return await db.transaction(lambda conn: create_token(conn, tenant_id, label=label, actor=actor))
