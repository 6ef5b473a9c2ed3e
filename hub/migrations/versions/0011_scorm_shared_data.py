"""SCORM 2004 4th Edition shared data buckets (adl.data) per learner

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorm_shared_data",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_pk", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=36), server_default="", nullable=False),
        sa.Column("bucket_id", sa.String(length=255), nullable=False),
        sa.Column("store", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["hub_tenant.id"]),
        sa.ForeignKeyConstraint(["person_pk"], ["people_person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "person_pk", "scope", "bucket_id"),
    )


def downgrade() -> None:
    op.drop_table("scorm_shared_data")
