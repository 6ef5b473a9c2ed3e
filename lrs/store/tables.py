"""LRS tables: statements as full JSON plus indexed columns and association tables, documents."""

from __future__ import annotations

from sqlalchemy import (
                        BigInteger,
                        Boolean,
                        Column,
                        DateTime,
                        ForeignKey,
                        Index,
                        Integer,
                        LargeBinary,
                        String,
                        Table,
                        Text,
                        UniqueConstraint,
                        literal_column,
                        text,
)
from sqlalchemy.sql.elements import ColumnElement

from hub.db import metadata

# Compared as a literal, not a bound parameter, so SQLite can use the partial index below.
STATEMENT_REF: ColumnElement[str] = literal_column("'StatementRef'")

# SQLite only aliases the rowid for INTEGER PRIMARY KEY, so the sequence column is an Integer there.
Seq = BigInteger().with_variant(Integer, "sqlite")

credential = Table(
    "lrs_credential",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("key", String(64), nullable=False, unique=True),
    # sha256 of a 256-bit random secret: brute force is hopeless, so no slow hash is needed per request.
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", String(500), nullable=False),
    Column("label", String(200), nullable=False, server_default=""),
    # The version this client speaks; it answers requests that omit X-Experience-API-Version.
    Column("xapi_version", String(8), nullable=False, server_default="2.0.0"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Index("ix_lrs_credential_tenant", "tenant_id"),
)

statement = Table(
    "lrs_statement",
    metadata,
    # The stored order: keyset pagination and `more` cursors run on it.
    Column("seq", Seq, primary_key=True, autoincrement=True),
    # PostgreSQL drops this foreign key (migration 0016): lrs_store_statements checks the tenant once per
    # call instead of once per row.
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("statement_id", String(36), nullable=False),
    Column("stored_us", BigInteger, nullable=False),
    Column("verb_id", Text, nullable=False),
    Column("object_type", String(16), nullable=False),
    Column("object_key", Text, nullable=True),
    Column("actor_ifi", Text, nullable=True),
    Column("registration", String(36), nullable=True),
    Column("voided", Boolean, nullable=False, server_default="0"),
    # For a voiding statement, the id of the statement it voids.
    Column("voids", String(36), nullable=True),
    Column("payload", Text, nullable=False),
    # The seq's index bucket (lrs.store.dialect.bucket_of), which leads the registration index.
    Column("bucket", Integer, nullable=False, server_default="0"),
    UniqueConstraint("tenant_id", "statement_id", name="uq_lrs_statement_tenant_statement"),
    Index("ix_lrs_statement_tenant_seq", "tenant_id", "seq"),
    Index("ix_lrs_statement_tenant_verb_seq", "tenant_id", "verb_id", "seq"),
    Index("ix_lrs_statement_tenant_bucket_registration_seq", "tenant_id", "bucket", "registration", "seq"),
    Index("ix_lrs_statement_tenant_stored", "tenant_id", "stored_us"),
    # Partial indexes: only voiding and StatementRef statements have entries, so ingest stays cheap.
    Index("ix_lrs_statement_tenant_voids", "tenant_id", "voids", sqlite_where=text("voids IS NOT NULL"),
          postgresql_where=text("voids IS NOT NULL")),
    # Statements targeting another through a StatementRef (Communication §2.1.3 filter rule).
    Index("ix_lrs_statement_tenant_ref", "tenant_id", "object_key",
          sqlite_where=text("object_type = 'StatementRef'"), postgresql_where=text("object_type = 'StatementRef'")),
)

# Index buckets. An index keyed on (tenant, agent, seq) takes each new statement's entry at a random
# place: once the index outgrows the cache of one commit, every entry dirties a page of its own, and
# at 1,000,000 statements SQLite wrote ~35 KB of WAL per 3 KB statement. Keyed on (tenant, bucket,
# agent, seq), where the bucket is a run of consecutive seqs, the new entries all fall into the
# newest bucket's few pages, whatever the store's size. A lookup by agent probes every bucket in
# order (one B-tree seek each, stopping at the page's limit); lrs.store.dialect.bucket_of decides
# the width (4,096 statements on SQLite; one bucket, 0, on PostgreSQL, whose WAL logs the row rather
# than the page).

# One row per (statement, agent): usage 'direct' when the agent is the actor or object (or a member
# of that group), 'related' otherwise (authority, instructor, team, context agents/groups, and the
# same inside a SubStatement). Clustered on the lookup key: on SQLite a WITHOUT ROWID table is its
# own index, so each row costs one B-tree insert. Statements are immutable and never deleted, so
# there is no foreign key to maintain.
statement_agent = Table(
    "lrs_statement_agent",
    metadata,
    Column("tenant_id", Integer, primary_key=True),
    Column("bucket", Integer, primary_key=True, autoincrement=False),
    Column("ifi", Text, primary_key=True),
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("usage", String(10), nullable=False),
    sqlite_with_rowid=False,
)

# One row per (statement, activity): usage 'direct' for the statement's own object, 'related' for
# context activities and a SubStatement's object.
statement_activity = Table(
    "lrs_statement_activity",
    metadata,
    Column("tenant_id", Integer, primary_key=True),
    Column("bucket", Integer, primary_key=True, autoincrement=False),
    Column("activity_id", Text, primary_key=True),
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("usage", String(10), nullable=False),
    sqlite_with_rowid=False,
)

# Activity definitions as they arrived, append-only; GET /activities merges them in order.
activity_definition = Table(
    "lrs_activity_definition",
    metadata,
    Column("tenant_id", Integer, primary_key=True),
    Column("bucket", Integer, primary_key=True, autoincrement=False),
    Column("activity_id", Text, primary_key=True),
    Column("seq", Seq, primary_key=True, autoincrement=False),
    Column("definition", Text, nullable=False),
    sqlite_with_rowid=False,
)

attachment = Table(
    "lrs_attachment",
    metadata,
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False, primary_key=True),
    Column("sha2", String(128), nullable=False, primary_key=True),
    Column("content_type", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

# State, Activity Profile and Agent Profile documents. Absent key parts are '' so the
# unique constraint works on both dialects (NULLs never collide).
document = Table(
    "lrs_document",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("tenant_id", Integer, ForeignKey("hub_tenant.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("activity_id", Text, nullable=False, server_default=""),
    Column("agent_ifi", Text, nullable=False, server_default=""),
    Column("registration", String(36), nullable=False, server_default=""),
    Column("document_id", Text, nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("etag", String(64), nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    UniqueConstraint("tenant_id", "kind", "activity_id", "agent_ifi", "registration", "document_id",
                     name="uq_lrs_document_key"),
    Index("ix_lrs_document_list", "tenant_id", "kind", "activity_id", "agent_ifi", "registration", "updated_us"),
)
