"""PostgreSQL: no planner statistics on lrs_statement.tenant_id

ANALYZE records which tenants it saw. A tenant created or grown since then is estimated at one row,
so every index leading with tenant_id looks as cheap as the one that fits, and the planner took
the smallest, best-correlated one: at 1,000,000 statements a GET by statement id (and the write's
check for ids already stored) of a tenant created after the last ANALYZE walked all of that
tenant's rows through (tenant_id, stored_us) instead of seeking (tenant_id, statement_id), 10-85 ms
at 15,000-57,000 of its statements, growing until ANALYZE's next run (10 % of the table changed).
Without statistics the planner takes the default selectivity for tenant_id = x (0.5 % of the rows),
and the other conditions choose the index. Changing the column to its own type drops the statistics
already collected (ANALYZE leaves them in place once the target is 0). SQLite: nothing.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE lrs_statement ALTER COLUMN tenant_id SET STATISTICS 0")
        op.execute("ALTER TABLE lrs_statement ALTER COLUMN tenant_id TYPE integer")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE lrs_statement ALTER COLUMN tenant_id SET STATISTICS -1")
