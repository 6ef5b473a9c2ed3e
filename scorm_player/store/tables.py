"""Imported SCORM/cmi5 packages (one row per tenant and content hash), registrations, attempts and run-time data."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

import hub.tables  # noqa: F401  (hub_tenant, which tenant_id references)
import provisioning.store.tables  # noqa: F401  (people_person, which registrations reference)
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

# A learner's enrolment in a package (learner × course); its UUID is the xAPI `registration` of every
# statement the player or the course writes for it. A renewal is a new registration.
scorm_registration = Table(
    "scorm_registration",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("registration_id", String(36), nullable=False, unique=True),
    Column("package_pk", Integer, ForeignKey("scorm_package.id"), nullable=False),
    Column("person_pk", Integer, ForeignKey("people_person.id"), nullable=False),
    # Course-level results, rolled up from the attempts (what reports and compliance read first).
    Column("completion_status", String(20), nullable=False, server_default="not attempted"),
    Column("success_status", String(20), nullable=False, server_default="unknown"),
    Column("score_scaled", Float, nullable=True),
    Column("total_time_seconds", Float, nullable=False, server_default="0"),
    Column("attempt_count", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Index("ix_scorm_registration_person", "tenant_id", "person_pk", "package_pk"),
    Index("ix_scorm_registration_package", "tenant_id", "package_pk"),
)

# One attempt on a registration: the sequencing state of the whole activity tree lives here.
scorm_attempt = Table(
    "scorm_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("attempt_id", String(36), nullable=False, unique=True),
    Column("registration_pk", Integer, ForeignKey("scorm_registration.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("suspended", Boolean, nullable=False, server_default="0"),
    Column("current_activity", String(200), nullable=True),
    Column("sequencing_state", Text, nullable=False, server_default="{}"),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("registration_pk", "number"),
)

# The run-time data of one activity (SCO or asset) within an attempt: the flat CMI map the browser runtime
# and apply_commit share, plus the columns reports read without decoding it.
scorm_activity_state = Table(
    "scorm_activity_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("attempt_pk", Integer, ForeignKey("scorm_attempt.id"), nullable=False),
    Column("activity_id", String(200), nullable=False),
    Column("cmi_values", Text, nullable=False, server_default="{}"),
    Column("last_commit_seq", Integer, nullable=False, server_default="0"),
    # The current session ended (its Terminate/LMSFinish commit was applied); the next launch opens a new one.
    Column("terminated", Boolean, nullable=False, server_default="0"),
    # Commits applied in the current session: the first one carries the initialized/resumed statement.
    Column("session_commits", Integer, nullable=False, server_default="0"),
    Column("session_count", Integer, nullable=False, server_default="0"),
    # The SCO's own attempt within the course attempt: a new one starts at every ab-initio launch (xAPI attempt IRI).
    Column("attempt_number", Integer, nullable=False, server_default="0"),
    Column("completion_status", String(20), nullable=False, server_default="not attempted"),
    Column("success_status", String(20), nullable=False, server_default="unknown"),
    Column("score_scaled", Float, nullable=True),
    Column("score_raw", Float, nullable=True),
    Column("total_time_seconds", Float, nullable=False, server_default="0"),
    # Wall-clock time the server saw: the open session's start, and the closed sessions' sum (delivery to the
    # last commit). Reported as the activity's time when the SCO itself never reported any session_time.
    Column("session_started_at", DateTime(timezone=True), nullable=True),
    Column("measured_seconds", Float, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("attempt_pk", "activity_id"),
)

# Append-only log of applied commits; (attempt, activity, seq) is unique, so a retried commit is recognised
# and answered from here (with the statements it produced, re-sent idempotently by their deterministic ids).
scorm_commit = Table(
    "scorm_commit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("attempt_pk", Integer, ForeignKey("scorm_attempt.id"), nullable=False),
    Column("activity_id", String(200), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("terminate", Boolean, nullable=False),
    Column("payload", Text, nullable=False),
    Column("statements", Text, nullable=False, server_default="[]"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("attempt_pk", "activity_id", "seq"),
)

# SCORM 2004 4th Ed shared data (adl.data): one bucket per learner and adlcp:map targetID, global to the system
# (scope "") or, with sharedDataGlobalToSystem="false", to one registration (scope = the registration id).
scorm_shared_data = Table(
    "scorm_shared_data",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("person_pk", Integer, ForeignKey("people_person.id"), nullable=False),
    Column("scope", String(36), nullable=False, server_default=""),
    Column("bucket_id", String(255), nullable=False),
    Column("store", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "person_pk", "scope", "bucket_id"),
)
