"""LRS index buckets of 4,096 seqs on SQLite (were 1,024)

A bucketed query seeks every bucket of its seq range (about 3 µs each): at 1,000,000 statements
1,024-seq buckets made a sparse agent, activity or registration query walk 977 of them, 3-6 ms;
4,096-seq buckets walk 245. A commit still writes only the newest bucket's pages of each index.
PostgreSQL keeps every entry in bucket 0: nothing changes there.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# table -> (key column, key type, value column, value type)
TABLES = {
    "lrs_statement_agent": ("ifi", sa.Text(), "usage", sa.String(length=10)),
    "lrs_statement_activity": ("activity_id", sa.Text(), "usage", sa.String(length=10)),
    "lrs_activity_definition": ("activity_id", sa.Text(), "definition", sa.Text()),
}


def upgrade() -> None:
    _rebucket(12)


def downgrade() -> None:
    _rebucket(10)


def _rebucket(bits: int) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"UPDATE lrs_statement SET bucket = seq >> {bits}")
    for name, (key, key_type, value, value_type) in TABLES.items():
        # Copied in key order into a fresh table rather than updated in place: the bucket leads the
        # primary key (the layout of a WITHOUT ROWID table), so every row moves.
        old = f"{name}_old"
        op.rename_table(name, old)
        op.create_table(name,
                        sa.Column("tenant_id", sa.Integer(), nullable=False),
                        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
                        sa.Column(key, key_type, nullable=False),
                        sa.Column("seq", Seq, autoincrement=False, nullable=False),
                        sa.Column(value, value_type, nullable=False),
                        sa.PrimaryKeyConstraint("tenant_id", "bucket", key, "seq", name=op.f(f"pk_{name}")),
                        sqlite_with_rowid=False)
        op.execute(f"INSERT INTO {name} SELECT tenant_id, seq >> {bits}, {key}, seq, {value} FROM {old} "
                   f"ORDER BY tenant_id, seq >> {bits}, {key}, seq")
        op.drop_table(old)
