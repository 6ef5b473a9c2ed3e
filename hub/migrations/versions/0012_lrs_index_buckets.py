"""LRS association tables and the registration index keyed by index bucket

The agent, activity and definition rows become (tenant, bucket, key, seq) and the registration
index (tenant, bucket, registration, seq), so a statement's entries land in the newest bucket's
pages instead of random ones (lrs/store/tables.py). The bucket of a seq is seq >> 10 on SQLite
and 0 on PostgreSQL (lrs.store.dialect.bucket_of): existing rows are given theirs here.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SQLITE_BUCKET_BITS = 10  # lrs.store.dialect.SQLITE_BUCKET_BITS when this revision was written

# table -> (key column, key type, value column, value type)
TABLES = {
    "lrs_statement_agent": ("ifi", sa.Text(), "usage", sa.String(length=10)),
    "lrs_statement_activity": ("activity_id", sa.Text(), "usage", sa.String(length=10)),
    "lrs_activity_definition": ("activity_id", sa.Text(), "definition", sa.Text()),
}


def _bucket_sql() -> str:
    return f"seq >> {SQLITE_BUCKET_BITS}" if op.get_bind().dialect.name == "sqlite" else "0"


def upgrade() -> None:
    bucket = _bucket_sql()
    op.add_column("lrs_statement", sa.Column("bucket", sa.Integer(), server_default="0", nullable=False))
    op.execute(f"UPDATE lrs_statement SET bucket = {bucket}")
    op.drop_index("ix_lrs_statement_tenant_registration_seq", table_name="lrs_statement")
    op.create_index("ix_lrs_statement_tenant_bucket_registration_seq", "lrs_statement",
                    ["tenant_id", "bucket", "registration", "seq"], unique=False)
    for name, (key, key_type, value, value_type) in TABLES.items():
        _rebuild(name, key, key_type, value, value_type, ["tenant_id", "bucket", key, "seq"], bucket)


def downgrade() -> None:
    for name, (key, key_type, value, value_type) in TABLES.items():
        _rebuild(name, key, key_type, value, value_type, ["tenant_id", key, "seq"], None)
    op.drop_index("ix_lrs_statement_tenant_bucket_registration_seq", table_name="lrs_statement")
    op.create_index("ix_lrs_statement_tenant_registration_seq", "lrs_statement",
                    ["tenant_id", "registration", "seq"], unique=False)
    with op.batch_alter_table("lrs_statement") as batch_op:
        batch_op.drop_column("bucket")


def _rebuild(name: str, key: str, key_type: sa.types.TypeEngine, value: str, value_type: sa.types.TypeEngine,
             primary_key: list[str], bucket: str | None) -> None:
    """Copy the table into one with the new primary key (a WITHOUT ROWID table's key is its layout)."""
    old = f"{name}_old"
    op.rename_table(name, old)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_{name} TO pk_{old}")
    columns = [sa.Column("tenant_id", sa.Integer(), nullable=False)]
    if bucket is not None:
        columns.append(sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False))
    columns += [sa.Column(key, key_type, nullable=False),
                sa.Column("seq", Seq, autoincrement=False, nullable=False),
                sa.Column(value, value_type, nullable=False)]
    op.create_table(name, *columns, sa.PrimaryKeyConstraint(*primary_key, name=op.f(f"pk_{name}")),
                    sqlite_with_rowid=False)
    selected = ["tenant_id", *([bucket] if bucket is not None else []), key, "seq", value]
    op.execute(f"INSERT INTO {name} SELECT {', '.join(selected)} FROM {old}")
    op.drop_table(old)
