"""People and organisation per tenant, role assignments, web sessions, SCIM tokens and SAML settings."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

import hub.tables  # noqa: F401  (hub_tenant, which tenant_id references)
from hub.db import metadata

department = Table(
    "people_department",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("code", String(50), nullable=True),
    UniqueConstraint("tenant_id", "name"),
)

job_role = Table(
    "people_job_role",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("name", String(200), nullable=False),
    UniqueConstraint("tenant_id", "name"),
)

person = Table(
    "people_person",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    # Public id (UUID): the SCIM id, the id in URLs; never the integer key.
    Column("person_id", String(36), nullable=False, unique=True),
    # SCIM userName; `user_name_key` is its case-folded form, unique per tenant (RFC 7643 §4.1.1 caseExact=false).
    Column("user_name", String(320), nullable=False),
    Column("user_name_key", String(320), nullable=False),
    Column("email", String(320), nullable=True),  # lower-cased; the local sign-in name and the xAPI mbox
    Column("given_name", String(200), nullable=False, server_default=""),
    Column("family_name", String(200), nullable=False, server_default=""),
    Column("display_name", String(400), nullable=False, server_default=""),
    Column("employee_number", String(100), nullable=True),
    Column("external_id", String(500), nullable=True),
    Column("job_title", String(200), nullable=True),
    Column("department_id", Integer, ForeignKey("people_department.id"), nullable=True),
    Column("job_role_id", Integer, ForeignKey("people_job_role.id"), nullable=True),
    Column("location", String(200), nullable=True),
    Column("manager_id", Integer, ForeignKey("people_person.id"), nullable=True),
    Column("grade", String(50), nullable=True),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("password_hash", String(200), nullable=True),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    # The rest of the SCIM resource (phone numbers, addresses, extra emails...) as JSON.
    Column("scim_extra", Text, nullable=False, server_default="{}"),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("tenant_id", "user_name_key"),
    UniqueConstraint("tenant_id", "email"),
    Index("ix_people_person_tenant_external_id", "tenant_id", "external_id"),
    Index("ix_people_person_tenant_employee_number", "tenant_id", "employee_number"),
    Index("ix_people_person_tenant_manager", "tenant_id", "manager_id"),
    Index("ix_people_person_tenant_department", "tenant_id", "department_id"),
)

role_assignment = Table(
    "people_role_assignment",
    metadata,
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("person_id", Integer, ForeignKey("people_person.id"), primary_key=True),
    Column("role", String(40), primary_key=True),
)

group = Table(
    "people_group",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("group_id", String(36), nullable=False, unique=True),  # public id (SCIM id)
    Column("display_name", String(300), nullable=False),
    Column("external_id", String(500), nullable=True),
    Column("scim_extra", Text, nullable=False, server_default="{}"),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_people_group_tenant_name", "tenant_id", "display_name"),
)

group_member = Table(
    "people_group_member",
    metadata,
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("group_id", Integer, ForeignKey("people_group.id"), primary_key=True),
    Column("person_id", Integer, ForeignKey("people_person.id"), primary_key=True),
    Index("ix_people_group_member_person", "person_id"),
)

# Server-side web sessions; the cookie holds a random token, the table only its SHA-256.
web_session = Table(
    "people_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("person_id", Integer, ForeignKey("people_person.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("method", String(20), nullable=False),  # "password" or "saml"
    Column("saml_session_index", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("idle_expires_at", DateTime(timezone=True), nullable=False),
    Column("ip", String(64), nullable=True),
    Column("user_agent", String(300), nullable=True),
    Index("ix_people_session_person", "tenant_id", "person_id"),
)

# SCIM bearer tokens: only the SHA-256 digest is stored; two or more may be active for rotation.
scim_token = Table(
    "people_scim_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("token_id", String(36), nullable=False, unique=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("label", String(200), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# One SAML identity provider per tenant, with the tenant's SP key pair and the attribute/role mapping.
saml_provider = Table(
    "people_saml_provider",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False, server_default="1"),
    Column("idp_entity_id", String(500), nullable=True),
    Column("idp_metadata", Text, nullable=True),
    Column("sp_certificate", Text, nullable=False),
    Column("sp_private_key", Text, nullable=False),
    Column("want_response_signed", Boolean, nullable=False, server_default="0"),
    Column("allow_idp_initiated", Boolean, nullable=False, server_default="0"),
    # JSON: {"email": attr, "given_name": attr, "family_name": attr, "display_name": attr, "roles": attr}
    Column("attribute_map", Text, nullable=False, server_default="{}"),
    # JSON: {"IdP role value": "learnhub role", ...}; people with no mapped role get `default_role`.
    Column("role_map", Text, nullable=False, server_default="{}"),
    Column("default_role", String(40), nullable=False, server_default="learner"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Who a SAML NameID is: JIT provisioning upserts by (tenant, IdP entity id, NameID); e-mail is mutable.
saml_identity = Table(
    "people_saml_identity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("idp_entity_id", String(500), nullable=False),
    Column("name_id", String(500), nullable=False),
    Column("name_id_format", String(200), nullable=True),
    Column("person_id", Integer, ForeignKey("people_person.id"), nullable=False),
    UniqueConstraint("tenant_id", "idp_entity_id", "name_id"),
)

# Outstanding AuthnRequest ids, deleted on first use (what makes a replayed Response fail).
saml_request = Table(
    "people_saml_request",
    metadata,
    Column("request_id", String(100), primary_key=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("relay_state", String(1000), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Assertion ids already consumed (replay cache), kept until the assertion's NotOnOrAfter.
saml_assertion = Table(
    "people_saml_assertion",
    metadata,
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), primary_key=True),
    Column("assertion_id", String(200), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
