"""PostgreSQL plans a tenant's lookups by statement id on the (tenant, statement id) index even for a tenant
that ANALYZE has not seen (migration 0015): such a tenant was estimated at one row, and its GET by id walked
all its statements through another tenant-leading index."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.dialects import postgresql

from hub.migrate import upgrade
from lrs.store.statements import _FIND_EXISTING, _GET_STATEMENT
from tests.fixtures.databases import fresh_postgres_database, in_transaction

pytestmark = pytest.mark.postgres


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    yield from fresh_postgres_database()


def _add_statements(conn: Connection, tenant_id: int, count: int) -> None:
    conn.execute(text(
        "INSERT INTO lrs_statement (tenant_id, statement_id, stored_us, verb_id, object_type, object_key, payload) "
        "SELECT :tenant, gen_random_uuid()::text, 1700000000000000 + i, 'http://example.com/verbs/did', 'Activity', "
        "'http://example.com/activities/' || (i % 50), '{}' FROM generate_series(1, :count) AS i"),
        {"tenant": tenant_id, "count": count})


def _indexes_used(conn: Connection, statement: Any, params: dict[str, Any]) -> set[str]:
    sql = statement.params(**params).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    found: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        if "Index Name" in node:
            found.add(node["Index Name"])
        for child in node.get("Plans", ()):
            walk(child)

    walk(conn.execute(text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar_one()[0]["Plan"])
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
