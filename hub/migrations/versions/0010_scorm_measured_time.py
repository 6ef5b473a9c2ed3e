"""SCORM activity states: the time the server measured, for SCOs that never report session_time

Revision ID: 0010
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scorm_activity_state") as batch:
        batch.add_column(sa.Column("session_started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("measured_seconds", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("scorm_activity_state") as batch:
        batch.drop_column("measured_seconds")
        batch.drop_column("session_started_at")
