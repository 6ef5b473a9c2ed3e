"""Migrations 0012 and 0013: existing association rows and statements get their index bucket (1,024
seqs, then 4,096 on SQLite; 0 on PostgreSQL), and back."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Connection, inspect, text

from hub.migrate import upgrade
from tests.fixtures.databases import fresh_postgres_database, in_transaction


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    yield from fresh_postgres_database()


def test_rows_move_into_their_buckets_and_back(fresh_url: str) -> None:
    from alembic import command

    from hub.migrate import alembic_config

    upgrade(fresh_url, "0011")

    def fill(conn: Connection) -> bool:
        conn.execute(text("INSERT INTO hub_tenant (id, slug, name, created_at) "
                          "VALUES (1, 't', 'T', CURRENT_TIMESTAMP)"))
        for seq in (5, 2000, 5000):
            conn.execute(text(
                "INSERT INTO lrs_statement (seq, tenant_id, statement_id, stored_us, verb_id, object_type, object_key, "
                "actor_ifi, registration, voided, voids, payload) VALUES (:seq, 1, :id, 1, 'v', 'Activity', 'a', "
                "'mbox:mailto:x@example.com', 'r', false, NULL, '{}')"), {"seq": seq, "id": f"id-{seq}"})
            conn.execute(text("INSERT INTO lrs_statement_agent VALUES (1, 'mbox:mailto:x@example.com', :seq, "
                              "'direct')"), {"seq": seq})
            conn.execute(text("INSERT INTO lrs_statement_activity VALUES (1, 'a', :seq, 'direct')"), {"seq": seq})
            conn.execute(text("INSERT INTO lrs_activity_definition VALUES (1, 'a', :seq, '{}')"), {"seq": seq})
        return conn.dialect.name == "sqlite"

    sqlite = in_transaction(fresh_url, fill)

    def upgraded(conn: Connection) -> dict[str, Any]:
        found: dict[str, Any] = {table: conn.execute(text(f"SELECT seq, bucket FROM {table} ORDER BY seq")).all()
                                 for table in ("lrs_statement", "lrs_statement_agent", "lrs_statement_activity",
                                               "lrs_activity_definition")}
        found["key"] = inspect(conn).get_pk_constraint("lrs_statement_agent")["constrained_columns"]
        return found

    narrow = [(5, 0), (2000, 1), (5000, 4)] if sqlite else [(5, 0), (2000, 0), (5000, 0)]
    wide = [(5, 0), (2000, 0), (5000, 1)] if sqlite else narrow
    for revision, expected in (("0012", narrow), ("heads", wide)):
        upgrade(fresh_url, revision)
        found = in_transaction(fresh_url, upgraded)
        assert found.pop("key") == ["tenant_id", "bucket", "ifi", "seq"]
        assert found == dict.fromkeys(found, expected), revision

    command.downgrade(alembic_config(fresh_url), "0012")
    found = in_transaction(fresh_url, upgraded)
    assert found.pop("key") == ["tenant_id", "bucket", "ifi", "seq"]
    assert found == dict.fromkeys(found, narrow)

    command.downgrade(alembic_config(fresh_url), "0011")

    def downgraded(conn: Connection) -> tuple[Any, set[str]]:
        return (conn.execute(text("SELECT seq, usage FROM lrs_statement_agent ORDER BY seq")).all(),
                {c["name"] for c in inspect(conn).get_columns("lrs_statement")})

    rows, columns = in_transaction(fresh_url, downgraded)
    assert rows == [(5, "direct"), (2000, "direct"), (5000, "direct")]
    assert "bucket" not in columns
