"""Tables of the shared wiring: tenants, the audit log, installation secrets."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from hub.db import metadata

tenant = Table(
    "hub_tenant",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Append-only: rows are inserted, never updated or deleted (see hub.audit).
audit_log = Table(
    "hub_audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target_type", String(100), nullable=False),
    Column("target_id", String(200), nullable=False),
    Column("details", Text, nullable=False, server_default="{}"),
    Index("ix_hub_audit_log_tenant_at", "tenant_id", "at"),
)

installation_secret = Table(
    "hub_secret",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)
