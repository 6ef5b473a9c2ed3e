"""cmi5 run-time tables: launch sessions (with their fetch token and session credential), per-AU results and
block/course satisfaction per registration. A cmi5 registration is a scorm_registration row."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

import scorm_player.store.tables  # noqa: F401  (scorm_registration, which sessions reference)
from hub.db import metadata

# One AU launch (cmi5 §8): its id is the sessionid extension of every statement in it. A non-null
# timestamp is the flag: fetched_at marks the single-use fetch URL as used (8.2.3.0-1), terminated_at and
# abandoned_at end the session and its credential (8.1.2.0-2).
cmi5_session = Table(
    "cmi5_session",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("session_id", String(36), nullable=False, unique=True),
    Column("registration_pk", Integer, ForeignKey("scorm_registration.id"), nullable=False),
    Column("au_index", Integer, nullable=False),
    Column("launch_mode", String(10), nullable=False),
    Column("move_on", String(20), nullable=False),
    Column("mastery_score", Float, nullable=True),
    # The LMS.LaunchData contextTemplate, JSON: the gate checks every statement against it (10.2.1.0-6).
    Column("context_template", Text, nullable=False),
    Column("fetch_token_hash", String(64), nullable=False, unique=True),
    Column("fetched_at", DateTime(timezone=True), nullable=True),
    # sha256 of the secret handed out by the fetch URL; the key is "cmi5-<session_id>".
    Column("credential_hash", String(64), nullable=True),
    Column("learner_preferences_read_at", DateTime(timezone=True), nullable=True),
    Column("launched_at", DateTime(timezone=True), nullable=False),
    Column("initialized_at", DateTime(timezone=True), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("passed_at", DateTime(timezone=True), nullable=True),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    Column("terminated_at", DateTime(timezone=True), nullable=True),
    Column("abandoned_at", DateTime(timezone=True), nullable=True),
    # When the AU last stored a statement: an abandoned session's duration ends here (9.5.4.2-2).
    Column("last_statement_at", DateTime(timezone=True), nullable=True),
    Column("duration_seconds", Float, nullable=True),
    Index("ix_cmi5_session_registration", "tenant_id", "registration_pk", "au_index"),
)

# An AU's results within a registration, across its sessions; satisfied_at once moveOn is met (or waived).
cmi5_au_status = Table(
    "cmi5_au_status",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("registration_pk", Integer, ForeignKey("scorm_registration.id"), nullable=False),
    Column("au_index", Integer, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("passed_at", DateTime(timezone=True), nullable=True),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    Column("score_scaled", Float, nullable=True),
    Column("waived_at", DateTime(timezone=True), nullable=True),
    Column("waive_reason", String(100), nullable=True),
    Column("satisfied_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("registration_pk", "au_index"),
)

# A block or the course of a registration that the LMS declared satisfied (cmi5 9.3.9), with the session
# whose statement triggered it; one row each, so the `satisfied` statement is sent once.
cmi5_node_status = Table(
    "cmi5_node_status",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("registration_pk", Integer, ForeignKey("scorm_registration.id"), nullable=False),
    Column("node_key", String(20), nullable=False),
    Column("session_id", String(36), nullable=False),
    Column("satisfied_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("registration_pk", "node_key"),
)
