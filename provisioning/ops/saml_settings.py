"""A tenant's SAML settings: read, create with a fresh SP key pair on first use, change (audited).

The SP key pair is made outside any transaction (RSA generation takes tens of milliseconds) and
inserted only when the tenant still has no row, so concurrent first uses keep one key pair.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from hub import audit, clock
from hub.db import Database
from hub.errors import BadRequest
from provisioning.saml.keys import generate_key_pair
from provisioning.saml.mapping import MappingRejected, check_attribute_map, check_role, check_role_map
from provisioning.saml.metadata import MetadataRejected, parse_idp_metadata
from provisioning.saml.sp import ProviderConfig
from provisioning.store.tables import saml_provider

# Fields an admin may set through the API or the CLI.
SETTABLE = ("enabled", "idp_metadata", "want_response_signed", "allow_idp_initiated", "attribute_map", "role_map",
            "default_role")


def _to_config(row: Any, tenant_slug: str) -> ProviderConfig:
    return ProviderConfig(
        tenant_id=int(row.tenant_id), tenant_slug=tenant_slug, enabled=bool(row.enabled),
        idp_entity_id=row.idp_entity_id, idp_metadata=row.idp_metadata, sp_certificate=row.sp_certificate,
        sp_private_key=row.sp_private_key, want_response_signed=bool(row.want_response_signed),
        allow_idp_initiated=bool(row.allow_idp_initiated),
        attribute_map=orjson.loads(row.attribute_map or "{}"), role_map=orjson.loads(row.role_map or "{}"),
        default_role=row.default_role)


def find_provider(conn: Connection, tenant_id: int, tenant_slug: str) -> ProviderConfig | None:
    row = conn.execute(select(saml_provider).where(saml_provider.c.tenant_id == tenant_id)).first()
    return _to_config(row, tenant_slug) if row else None


async def ensure_provider(db: Database, tenant_id: int, tenant_slug: str) -> ProviderConfig:
    """The tenant's settings, creating the row (disabled, with a new SP key pair) on first use."""
    found = await db.read(lambda conn: find_provider(conn, tenant_id, tenant_slug))
    if found is not None:
        return found
    pair = generate_key_pair(f"learnhub SAML SP {tenant_slug}")

    def create(conn: Connection) -> ProviderConfig:
        existing = find_provider(conn, tenant_id, tenant_slug)
        if existing is not None:  # another request created it meanwhile; keep its key pair
            return existing
        conn.execute(insert(saml_provider).values(
            tenant_id=tenant_id, enabled=False, sp_certificate=pair.certificate_pem,
            sp_private_key=pair.private_key_pem, want_response_signed=False, allow_idp_initiated=False,
            attribute_map="{}", role_map="{}", default_role="learner", updated_at=clock.now()))
        audit.record(conn, tenant_id, "system", "saml.keypair", "tenant", tenant_slug, {})
        created = find_provider(conn, tenant_id, tenant_slug)
        assert created is not None
        return created

    try:
        return await db.transaction(create)
    except IntegrityError:  # a concurrent insert won the unique tenant_id; read the winner
        again = await db.read(lambda conn: find_provider(conn, tenant_id, tenant_slug))
        assert again is not None
        return again


def _bool(data: dict[str, Any], name: str) -> bool:
    value = data[name]
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be true or false", field=name)
    return value


def clean_changes(data: dict[str, Any]) -> dict[str, Any]:
    """Validated column values for the keys present in `data` (API shape); raises BadRequest naming the field."""
    unknown = sorted(set(data) - set(SETTABLE))
    if unknown:
        raise BadRequest(f"unknown field {unknown[0]!r}", field=unknown[0])
    values: dict[str, Any] = {}
    try:
        for name in ("enabled", "want_response_signed", "allow_idp_initiated"):
            if name in data:
                values[name] = _bool(data, name)
        if "attribute_map" in data:
            values["attribute_map"] = orjson.dumps(check_attribute_map(data["attribute_map"] or {})).decode()
        if "role_map" in data:
            values["role_map"] = orjson.dumps(check_role_map(data["role_map"] or {})).decode()
        if "default_role" in data:
            values["default_role"] = check_role(data["default_role"], "default_role")
    except MappingRejected as exc:
        raise BadRequest(str(exc), field=exc.field) from None
    if "idp_metadata" in data:
        text = data["idp_metadata"]
        if text is None or (isinstance(text, str) and not text.strip()):
            values.update(idp_metadata=None, idp_entity_id=None)
        elif not isinstance(text, str):
            raise BadRequest("idp_metadata must be the metadata XML as a string", field="idp_metadata")
        else:
            try:
                parsed = parse_idp_metadata(text)
            except MetadataRejected as exc:
                raise BadRequest(str(exc), field="idp_metadata") from None
            values.update(idp_metadata=text.strip(), idp_entity_id=parsed.entity_id)
    return values


async def update_provider(db: Database, tenant_id: int, tenant_slug: str, data: dict[str, Any], *,
                          actor: str) -> ProviderConfig:
    """Apply the settings in `data` (validated first, outside the transaction: metadata parsing is not free)."""
    values = clean_changes(data)
    await ensure_provider(db, tenant_id, tenant_slug)

    def run(conn: Connection) -> ProviderConfig:
        before = find_provider(conn, tenant_id, tenant_slug)
        assert before is not None
        if values:
            conn.execute(update(saml_provider).where(saml_provider.c.tenant_id == tenant_id)
                         .values(updated_at=clock.now(), **values))
        after = find_provider(conn, tenant_id, tenant_slug)
        assert after is not None
        changed = sorted(name for name in SETTABLE if getattr(before, name) != getattr(after, name))
        audit.record(conn, tenant_id, actor, "saml.configure", "tenant", tenant_slug,
                     {"fields": changed, "idp_entity_id": after.idp_entity_id, "enabled": after.enabled})
        return after

    return await db.transaction(run)
