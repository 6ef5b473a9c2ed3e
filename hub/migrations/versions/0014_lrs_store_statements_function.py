"""PostgreSQL: lrs_store_statements, a statement write in one call

The write of a group of statements (lrs.ops.statements) took the tenant's advisory lock, reserved
the seqs, inserted the rows and committed in four round trips, each with a turn of the busy event
loop in between, while the lock was held. This function does it all in one statement, called
outside a transaction block, so its implicit transaction commits as it returns and the lock is held
for a single round trip. SQLite: nothing (its writes run in-process).

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Arguments: the tenant, the `stored` every statement's payload carries (µs since the epoch), the
# statement columns as arrays in batch order, then the agent, activity and definition rows, each
# naming its statement by 1-based position. Returns the seqs in batch order, or, when the tenant
# already has a statement stored at or after p_stored_us (stored must increase in stored order),
# NULL and that newest `stored`, having written nothing: the caller restamps and calls again.
# Statements inside PL/pgSQL each take a fresh snapshot under READ COMMITTED, so everything after
# the lock sees every earlier holder's commit (lrs.store.dialect.reserve_statement_seqs).
SIGNATURE = ("integer, bigint, text[], text[], text[], text[], text[], text[], text[], text[], "
             "integer[], text[], text[], integer[], text[], text[], integer[], text[], text[]")

FUNCTION = """
CREATE OR REPLACE FUNCTION lrs_store_statements(
    p_tenant integer, p_stored_us bigint,
    p_ids text[], p_verbs text[], p_object_types text[], p_object_keys text[], p_actors text[],
    p_registrations text[], p_voids text[], p_payloads text[],
    p_agent_at integer[], p_agent_ifis text[], p_agent_usages text[],
    p_activity_at integer[], p_activity_ids text[], p_activity_usages text[],
    p_definition_at integer[], p_definition_activities text[], p_definitions text[],
    OUT seqs bigint[], OUT latest_stored_us bigint)
LANGUAGE plpgsql AS $$
DECLARE
    targets text[] := array_remove(p_voids, NULL);
BEGIN
    PERFORM pg_advisory_xact_lock(74215, p_tenant);  -- lrs.store.dialect.STATEMENT_LOCK_NAMESPACE
    -- ORDER BY … LIMIT 1, not max(): for a tenant the statistics think small, the planner aggregated
    -- every one of its rows (10 ms at 15,000) instead of reading the newest off the index.
    SELECT stored_us INTO latest_stored_us FROM lrs_statement WHERE tenant_id = p_tenant
     ORDER BY stored_us DESC LIMIT 1;
    IF latest_stored_us >= p_stored_us THEN
        RETURN;
    END IF;
    SELECT array_agg(n ORDER BY n) INTO seqs
      FROM (SELECT nextval('lrs_statement_seq_seq'::regclass) AS n
              FROM generate_series(1, cardinality(p_ids))) AS drawn;
    -- A voiding statement may arrive before its target (Data 2.3.2); a voiding one is never voided.
    -- A LIMIT 1 probe of the voids index, not EXISTS: PostgreSQL may answer an EXISTS with a hashed
    -- subplan over all the tenant's rows, and chose one for a tenant the statistics thought small
    -- (20 ms per call at 15,000 statements, and growing).
    INSERT INTO lrs_statement (seq, tenant_id, statement_id, stored_us, verb_id, object_type, object_key,
                               actor_ifi, registration, voided, voids, payload, bucket)
    SELECT seqs[s.at], p_tenant, s.id, p_stored_us, s.verb, s.object_type, s.object_key, s.actor,
           s.registration,
           s.voids IS NULL AND COALESCE((SELECT TRUE FROM lrs_statement AS v
                                          WHERE v.tenant_id = p_tenant AND v.voids = s.id LIMIT 1), FALSE),
           s.voids, s.payload, 0
      FROM unnest(p_ids, p_verbs, p_object_types, p_object_keys, p_actors, p_registrations, p_voids,
                  p_payloads) WITH ORDINALITY
           AS s(id, verb, object_type, object_key, actor, registration, voids, payload, at);
    INSERT INTO lrs_statement_agent (tenant_id, bucket, ifi, seq, usage)
    SELECT p_tenant, 0, a.ifi, seqs[a.at], a.usage
      FROM unnest(p_agent_at, p_agent_ifis, p_agent_usages) AS a(at, ifi, usage);
    INSERT INTO lrs_statement_activity (tenant_id, bucket, activity_id, seq, usage)
    SELECT p_tenant, 0, a.activity_id, seqs[a.at], a.usage
      FROM unnest(p_activity_at, p_activity_ids, p_activity_usages) AS a(at, activity_id, usage);
    -- Definitions are merged in stored order, so one identical to the activity's newest adds nothing
    -- (lrs.store.statements.insert_statements): the caller leaves out those it knows of and keeps no two
    -- alike in a row; an activity's first here is compared with the newest stored (one index probe),
    -- which is what keeps the table small when several server processes write.
    INSERT INTO lrs_activity_definition (tenant_id, bucket, activity_id, seq, definition)
    SELECT p_tenant, 0, d.activity_id, seqs[d.at], d.definition
      FROM (SELECT *, row_number() OVER (PARTITION BY activity_id ORDER BY at) AS nth
              FROM unnest(p_definition_at, p_definition_activities, p_definitions)
                   AS given(at, activity_id, definition)) AS d
     WHERE d.nth > 1 OR d.definition IS DISTINCT FROM (
           SELECT newest.definition FROM lrs_activity_definition AS newest
            WHERE newest.tenant_id = p_tenant AND newest.bucket = 0 AND newest.activity_id = d.activity_id
            ORDER BY newest.seq DESC LIMIT 1);
    IF cardinality(targets) > 0 THEN
        UPDATE lrs_statement SET voided = TRUE
         WHERE tenant_id = p_tenant AND statement_id = ANY (targets) AND voids IS NULL;
    END IF;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS lrs_store_statements({SIGNATURE})")
