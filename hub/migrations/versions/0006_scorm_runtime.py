"""scorm run-time data: activity state per attempt and activity, the commit log

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorm_activity_state",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("attempt_pk", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=200), nullable=False),
        sa.Column("cmi_values", sa.Text(), server_default="{}", nullable=False),
        sa.Column("last_commit_seq", sa.Integer(), server_default="0", nullable=False),
        sa.Column("terminated", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("session_commits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("session_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("attempt_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("completion_status", sa.String(length=20), server_default="not attempted", nullable=False),
        sa.Column("success_status", sa.String(length=20), server_default="unknown", nullable=False),
        sa.Column("score_scaled", sa.Float(), nullable=True),
        sa.Column("score_raw", sa.Float(), nullable=True),
        sa.Column("total_time_seconds", sa.Float(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_pk"], ["scorm_attempt.id"],
                                name=op.f("fk_scorm_activity_state_attempt_pk_scorm_attempt")),
        sa.ForeignKeyConstraint(["tenant_id"], ["hub_tenant.id"],
                                name=op.f("fk_scorm_activity_state_tenant_id_hub_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorm_activity_state")),
        sa.UniqueConstraint("attempt_pk", "activity_id", name=op.f("uq_scorm_activity_state_attempt_pk_activity_id")),
    )
    op.create_table(
        "scorm_commit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("attempt_pk", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("terminate", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("statements", sa.Text(), server_default="[]", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_pk"], ["scorm_attempt.id"],
                                name=op.f("fk_scorm_commit_attempt_pk_scorm_attempt")),
        sa.ForeignKeyConstraint(["tenant_id"], ["hub_tenant.id"], name=op.f("fk_scorm_commit_tenant_id_hub_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorm_commit")),
        sa.UniqueConstraint("attempt_pk", "activity_id", "seq",
                            name=op.f("uq_scorm_commit_attempt_pk_activity_id_seq")),
    )


def downgrade() -> None:
    op.drop_table("scorm_commit")
    op.drop_table("scorm_activity_state")
