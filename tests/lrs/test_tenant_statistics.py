"""PostgreSQL plans that statistics ANALYZE collected before the latest statements cannot mislead.

- A tenant ANALYZE has not seen is looked up by statement id on the (tenant, statement id) index
  (migration 0015): such a tenant was estimated at one row, and its GET by id walked all its
  statements through another tenant-leading index.
- since/until walk their seq range: `stored_us > :since` past the end of ANALYZE's histogram was
  estimated at one row, and the query read every statement stored since and sorted them, per page.
- The LRS plans its statement queries as walks (no bitmap scans, hub.db.plan_walks): at 200,000
  statements analyzed, the tenant's default selectivity still made a since range look like a few rows.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql

from hub.db import Database, plan_walks
from hub.migrate import upgrade
from hub.tenants import create_tenant
from lrs.ops.credentials import Principal
from lrs.ops.statements import query_statements
from lrs.query.statements import Cursor, FilteredQuery, ResultOptions, StatementFilter, build_select
from lrs.store.statements import _FIND_EXISTING, _GET_STATEMENT
from tests.fixtures.databases import fresh_postgres_database, in_transaction

pytestmark = pytest.mark.postgres


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    yield from fresh_postgres_database()


DID, SAW = "http://example.com/verbs/did", "http://example.com/verbs/saw"


def _add_statements(conn: Connection, tenant_id: int, count: int, stored_from: int = 1_700_000_000_000_000) -> None:
    conn.execute(text(
        "INSERT INTO lrs_statement (tenant_id, statement_id, stored_us, verb_id, object_type, object_key, payload) "
        "SELECT :tenant, gen_random_uuid()::text, CAST(:stored_from AS bigint) + i, "
        "CASE WHEN i % 2 = 0 THEN :did ELSE :saw END, "
        "'Activity', 'http://example.com/activities/' || (i % 50), '{}' FROM generate_series(1, :count) AS i"),
        {"tenant": tenant_id, "count": count, "stored_from": stored_from, "did": DID, "saw": SAW})


def _indexes_used(conn: Connection, statement: Any, params: dict[str, Any], *, main_only: bool = False) -> set[str]:
    """The indexes of a statement's plan; main_only: not those of its subqueries (InitPlans, SubPlans)."""
    compiled = statement.params(**params).compile(dialect=postgresql.dialect(paramstyle="named"),
                                                  compile_kwargs={"render_postcompile": True})
    found: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        if main_only and node.get("Parent Relationship") in ("InitPlan", "SubPlan"):
            return
        if "Index Name" in node:
            found.add(node["Index Name"])
        if main_only and node["Node Type"] in ("Sort", "Incremental Sort", "Bitmap Heap Scan"):
            found.add(node["Node Type"])
        for child in node.get("Plans", ()):
            walk(child)

    walk(conn.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}"), compiled.params).scalar_one()[0]["Plan"])
    return found


def test_a_tenant_unseen_by_analyze_is_looked_up_by_its_statement_id_index(fresh_pg_url: str) -> None:
    upgrade(fresh_pg_url)

    def setup(conn: Connection) -> tuple[int, int]:
        old, new = (conn.execute(text("INSERT INTO hub_tenant (slug, name, created_at) VALUES (:slug, :slug, now()) "
                                      "RETURNING id"), {"slug": slug}).scalar_one() for slug in ("old", "new"))
        _add_statements(conn, old, 20_000)
        return old, new

    old, new = in_transaction(fresh_pg_url, setup)
    in_transaction(fresh_pg_url, lambda conn: conn.execute(text("ANALYZE lrs_statement")))

    def grow_new_tenant(conn: Connection) -> str:
        _add_statements(conn, new, 5_000)
        return conn.execute(text("SELECT statement_id FROM lrs_statement WHERE tenant_id = :t LIMIT 1"),
                            {"t": new}).scalar_one()

    some_id = in_transaction(fresh_pg_url, grow_new_tenant)
    def plans(conn: Connection) -> list[set[str]]:
        return [_indexes_used(conn, query, params) for tenant in (old, new) for query, params in (
            (_GET_STATEMENT, {"tenant_id": tenant, "statement_id": some_id}),
            (_FIND_EXISTING, {"tenant_id": tenant, "ids": [some_id, "another"]}))]

    assert in_transaction(fresh_pg_url, plans) == [{"uq_lrs_statement_tenant_statement"}] * 4


SEQ_WALKS = ({"ix_lrs_statement_tenant_seq"}, {"ix_lrs_statement_tenant_verb_seq"})
SINCE = 1_800_000_000_000_000


def _since_plan(url: str, query_filter: StatementFilter, *, analyzed: int, walks: bool) -> set[str]:
    """The main plan's indexes (and Sort or Bitmap Heap Scan nodes) for a query over `analyzed` statements
    that ANALYZE has seen and 20,000 stored after it, from SINCE on: past the end of its stored_us
    histogram. walks: planned as the LRS plans its statement queries (hub.db.plan_walks)."""
    upgrade(url)

    def setup(conn: Connection) -> int:
        tenant = conn.execute(text("INSERT INTO hub_tenant (slug, name, created_at) VALUES ('t', 't', now()) "
                                   "RETURNING id")).scalar_one()
        _add_statements(conn, tenant, analyzed)
        return tenant

    tenant = in_transaction(url, setup)
    in_transaction(url, lambda conn: conn.execute(text("ANALYZE lrs_statement")))
    in_transaction(url, lambda conn: _add_statements(conn, tenant, 20_000, SINCE))

    def plan(conn: Connection) -> set[str]:
        if walks:
            plan_walks(conn, True)
        bound = conn.execute(text("SELECT max(seq) FROM lrs_statement")).scalar_one()
        select, params = build_select(tenant, query_filter, 50, Cursor(None, bound))
        return _indexes_used(conn, select, params, main_only=True)

    return in_transaction(url, plan)


@pytest.mark.parametrize("query_filter, walks", [
    (StatementFilter(since_us=SINCE), SEQ_WALKS[:1]),
    (StatementFilter(since_us=SINCE, ascending=True), SEQ_WALKS[:1]),
    (StatementFilter(since_us=SINCE, until_us=SINCE + 15_000), SEQ_WALKS[:1]),
    # Half the statements have the verb: either index walks the range in order.
    (StatementFilter(verb=DID, since_us=SINCE), SEQ_WALKS),
], ids=["since", "since ascending", "since+until", "verb+since"])
def test_since_past_the_statistics_walks_the_seq_range(fresh_pg_url: str, query_filter: StatementFilter,
                                                       walks: tuple[set[str], ...]) -> None:
    """With the planner's defaults (bitmap scans allowed): the seq range alone leads to a walk at this size."""
    # Walked in the order asked for and stopped at the limit: no sort, no bitmap of the whole range.
    assert _since_plan(fresh_pg_url, query_filter, analyzed=20_000, walks=False) in walks


@pytest.mark.parametrize("query_filter", [
    StatementFilter(since_us=SINCE),
    StatementFilter(since_us=SINCE, ascending=True),
], ids=["since", "since ascending"])
def test_since_past_the_statistics_of_a_larger_store_walks_the_seq_range(fresh_pg_url: str,
                                                                         query_filter: StatementFilter) -> None:
    """At this size the tenant's default selectivity (0.5 %, migration 0015) makes the planner estimate the
    20,000 statements of the range at a few rows: with bitmap scans it read and sorted them all for every
    page. The LRS plans its queries as walks (hub.db.plan_walks)."""
    assert _since_plan(fresh_pg_url, query_filter, analyzed=200_000, walks=True) == {"ix_lrs_statement_tenant_seq"}


async def test_the_lrs_plans_its_statement_queries_as_walks(fresh_pg_url: str) -> None:
    """The statements resource's query runs on a session without bitmap scans (seen on the pool's one
    connection afterwards), which a read before it had left with the defaults."""
    upgrade(fresh_pg_url)
    database = Database(fresh_pg_url, pool_size=1)
    try:
        tenant = await create_tenant(database, "walks", "Walks")
        principal = Principal(tenant.id, tenant.slug, 0, "key", frozenset({"all"}), {"mbox": "mailto:a@example.com"})

        async def session_setting() -> str:
            assert database.read_engine is not None
            async with database.read_engine.connect() as conn:
                return str((await conn.execute(text("SHOW enable_bitmapscan"))).scalar_one())

        await database.read(lambda conn: conn.execute(text("SELECT 1")))
        assert await session_setting() == "on"
        await query_statements(database, principal, FilteredQuery(StatementFilter(since_us=0), ResultOptions(10)))
        assert await session_setting() == "off"
    finally:
        await database.dispose()
