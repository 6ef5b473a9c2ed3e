"""PostgreSQL: lrs_store_statements compares a definition with the newest stored only where asked

The call compared each activity's first definition with the newest stored one (an index probe per
activity: 1.2 ms of a 12.9 ms, 100-statement call at 1,000,000 statements, auto_explain), though with
one server process the caller's cache (lrs.ops.statements.LatestDefinitions) already knows the newest
for every activity it has written and leaves out those identical to it. A new argument says, per
definition, whether to compare: where the caller knew the newest, it has compared already. Several
processes keep no cache and ask for every comparison, as before. A definition is never left out that
was not identical to the newest: at worst (two groups in flight, the first committing the same
definition) one identical row more is written, which merging in stored order ignores.

It replaces the 19-argument function of migrations 0014 and 0016.

Revision ID: 0017
Revises: 0016
"""

import runpy
from pathlib import Path

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_0016 = runpy.run_path(str(Path(__file__).with_name("0016_lrs_statement_tenant_check_once.py")))
_0014 = runpy.run_path(str(Path(__file__).with_name("0014_lrs_store_statements_function.py")))

# Arguments as in migration 0014, and last, whether to compare each definition with the newest stored.
SIGNATURE = _0014["SIGNATURE"] + ", boolean[]"

# 0016's function with the new argument and its use.
CHANGES = [
    ("    p_definition_at integer[], p_definition_activities text[], p_definitions text[],\n",
     "    p_definition_at integer[], p_definition_activities text[], p_definitions text[],\n"
     "    p_definition_compare boolean[],\n"),
    ("""    -- alike in a row; an activity's first here is compared with the newest stored (one index probe),
    -- which is what keeps the table small when several server processes write.
""", """    -- alike in a row. An activity's first here is compared with the newest stored (one index probe)
    -- where the caller asks (p_definition_compare): where it knew the newest, it has compared already.
    -- The probe is what keeps the table small when several server processes write.
"""),
    ("""              FROM unnest(p_definition_at, p_definition_activities, p_definitions)
                   AS given(at, activity_id, definition)) AS d
     WHERE d.nth > 1 OR d.definition IS DISTINCT FROM (""",
     """              FROM unnest(p_definition_at, p_definition_activities, p_definitions, p_definition_compare)
                   AS given(at, activity_id, definition, compare)) AS d
     WHERE d.nth > 1 OR NOT d.compare OR d.definition IS DISTINCT FROM ("""),
]
FUNCTION = _0016["FUNCTION"]
for old, new in CHANGES:
    assert old in FUNCTION, old
    FUNCTION = FUNCTION.replace(old, new)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION lrs_store_statements({_0014['SIGNATURE']})")
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION lrs_store_statements({SIGNATURE})")
        op.execute(_0016["FUNCTION"])
