"""PostgreSQL: a statement write checks its tenant once, not once per row

lrs_statement.tenant_id's foreign key ran its trigger for every row inserted (a SELECT … FOR KEY
SHARE of the tenant's row each time): 1.9 ms of a 100-statement lrs_store_statements call that took
13.9 ms (median of 40, replayed from a 1,000,000-statement store), and the call is what the tenant's
write lock serializes. The constraint goes; lrs_store_statements checks the tenant once, taking the
same FOR KEY SHARE lock on its row, and refuses an unknown tenant with the foreign-key error as
before. Other writes name the tenant of an authenticated credential, whose own foreign key stays;
tenants are never deleted. SQLite keeps the constraint (its check is one B-tree probe in-process).

Revision ID: 0016
Revises: 0015
"""

import runpy
from pathlib import Path

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_lrs_statement_tenant_id_hub_tenant"
_0014 = runpy.run_path(str(Path(__file__).with_name("0014_lrs_store_statements_function.py")))
LOCK = "    PERFORM pg_advisory_xact_lock(74215, p_tenant);  -- lrs.store.dialect.STATEMENT_LOCK_NAMESPACE\n"
TENANT_CHECK = """    PERFORM FROM hub_tenant WHERE id = p_tenant FOR KEY SHARE;  -- the foreign key's check, once
    IF NOT FOUND THEN
        RAISE foreign_key_violation USING MESSAGE = format('no tenant %s for lrs_statement', p_tenant);
    END IF;
"""
assert LOCK in _0014["FUNCTION"]
FUNCTION = _0014["FUNCTION"].replace(LOCK, LOCK + TENANT_CHECK)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.drop_constraint(FOREIGN_KEY, "lrs_statement", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(FOREIGN_KEY, "lrs_statement", "hub_tenant", ["tenant_id"], ["id"])
        op.execute(_0014["FUNCTION"])
