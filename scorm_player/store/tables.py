"""Imported SCORM/cmi5 packages, one row per tenant and content hash."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint

import hub.tables  # noqa: F401  (hub_tenant, which tenant_id references)
from hub.db import metadata

scorm_package = Table(
    "scorm_package",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    # UUIDv5 of (tenant, content hash): importing the same bytes again finds the same package.
    Column("package_id", String(36), nullable=False, unique=True),
    Column("title", String(500), nullable=False),
    Column("standard", String(20), nullable=False),
    Column("edition", String(10), nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("source_name", String(500), nullable=False),
    Column("item_count", Integer, nullable=False),
    # JSON summary: organization tree (titles, identifiers, launch URLs, scorm types) and warnings.
    Column("report", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "content_hash"),
)
