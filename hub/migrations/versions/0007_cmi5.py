"""cmi5: launch sessions, per-AU results and block/course satisfaction per registration

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cmi5_session",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("registration_pk", sa.Integer(), nullable=False),
        sa.Column("au_index", sa.Integer(), nullable=False),
        sa.Column("launch_mode", sa.String(length=10), nullable=False),
        sa.Column("move_on", sa.String(length=20), nullable=False),
        sa.Column("mastery_score", sa.Float(), nullable=True),
        sa.Column("context_template", sa.Text(), nullable=False),
        sa.Column("fetch_token_hash", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credential_hash", sa.String(length=64), nullable=True),
        sa.Column("learner_preferences_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("launched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("initialized_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("passed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("terminated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_statement_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["registration_pk"], ["scorm_registration.id"],
                                name=op.f("fk_cmi5_session_registration_pk_scorm_registration")),
        sa.ForeignKeyConstraint(["tenant_id"], ["hub_tenant.id"], name=op.f("fk_cmi5_session_tenant_id_hub_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_session")),
        sa.UniqueConstraint("session_id", name=op.f("uq_cmi5_session_session_id")),
        sa.UniqueConstraint("fetch_token_hash", name=op.f("uq_cmi5_session_fetch_token_hash")),
    )
    op.create_index("ix_cmi5_session_registration", "cmi5_session", ["tenant_id", "registration_pk", "au_index"])
    op.create_table(
        "cmi5_au_status",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("registration_pk", sa.Integer(), nullable=False),
        sa.Column("au_index", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("passed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score_scaled", sa.Float(), nullable=True),
        sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waive_reason", sa.String(length=100), nullable=True),
        sa.Column("satisfied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["registration_pk"], ["scorm_registration.id"],
                                name=op.f("fk_cmi5_au_status_registration_pk_scorm_registration")),
        sa.ForeignKeyConstraint(["tenant_id"], ["hub_tenant.id"],
                                name=op.f("fk_cmi5_au_status_tenant_id_hub_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_au_status")),
        sa.UniqueConstraint("registration_pk", "au_index", name=op.f("uq_cmi5_au_status_registration_pk_au_index")),
    )
    op.create_table(
        "cmi5_node_status",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("registration_pk", sa.Integer(), nullable=False),
        sa.Column("node_key", sa.String(length=20), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("satisfied_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_pk"], ["scorm_registration.id"],
                                name=op.f("fk_cmi5_node_status_registration_pk_scorm_registration")),
        sa.ForeignKeyConstraint(["tenant_id"], ["hub_tenant.id"],
                                name=op.f("fk_cmi5_node_status_tenant_id_hub_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cmi5_node_status")),
        sa.UniqueConstraint("registration_pk", "node_key", name=op.f("uq_cmi5_node_status_registration_pk_node_key")),
    )


def downgrade() -> None:
    op.drop_table("cmi5_node_status")
    op.drop_table("cmi5_au_status")
    op.drop_index("ix_cmi5_session_registration", table_name="cmi5_session")
    op.drop_table("cmi5_session")
