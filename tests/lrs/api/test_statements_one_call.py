"""PostgreSQL writes a group of statements in one call (lrs.store.statements.store_in_one_call, migration
0014): what it does when `stored` would go back, how it falls back to a transaction, and how it checks
the tenant (migration 0016)."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from hub import clock
from hub.keys import DB
from lrs.ops import statements as ops
from lrs.store import statements as store
from tests.fixtures.databases import Backend
from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


@pytest.fixture(autouse=True)
def postgresql_only(backend: Backend) -> None:
    if backend.name != "postgresql":
        pytest.skip("the one-call statement write is PostgreSQL's; SQLite writes in-process")


class Calls:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_first: BaseException | None = None) -> None:
        self.one_call: list[int] = []  # statements per call of store_in_one_call
        self.transactions: list[int] = []  # statements per transaction that reserved seqs
        in_one_call, reserve = store.store_in_one_call, ops.reserve_statement_seqs
        failures = [fail_first] if fail_first else []

        async def calling(db: Any, tenant_id: int, statements: Any, *args: Any) -> Any:
            self.one_call.append(len(statements))
            if failures:
                raise failures.pop()
            return await in_one_call(db, tenant_id, statements, *args)

        def reserving(conn: Any, tenant_id: int, count: int) -> Any:
            self.transactions.append(count)
            return reserve(conn, tenant_id, count)

        monkeypatch.setattr(store, "store_in_one_call", calling)
        monkeypatch.setattr(ops, "reserve_statement_seqs", reserving)


async def stored_of(xapi: XAPIClient, statement_id: str) -> dict[str, Any]:
    resp = await xapi.get_statements(statementId=statement_id)
    assert resp.status == 200
    return await resp.json()  # type: ignore[no-any-return]


async def test_a_new_statement_goes_in_with_one_call(xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    batch = [make_statement(), make_statement(with_id=False)]
    resp = await xapi.post_statements(batch)
    assert resp.status == 200
    ids = await resp.json()
    assert (calls.one_call, calls.transactions) == ([2], [])
    first, second = [await stored_of(xapi, statement_id) for statement_id in ids]
    assert first["id"] == batch[0]["id"] and first["stored"] == second["stored"] == first["timestamp"]
    assert first["actor"] == batch[0]["actor"]
    # The association rows went in with it: filters find both.
    page = await (await xapi.get_statements(agent=json.dumps(batch[0]["actor"]), verb=batch[0]["verb"]["id"])).json()
    assert batch[0]["id"] in [s["id"] for s in page["statements"]]
    page = await (await xapi.get_statements(activity=batch[1]["object"]["id"])).json()
    assert ids[1] in [s["id"] for s in page["statements"]]


async def test_when_a_later_stored_is_already_stored_the_call_is_made_again_restamped(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_statement()
    assert (await xapi.post_statements(first)).status == 200
    real_now_us = clock.now_us
    monkeypatch.setattr(clock, "now_us", lambda: real_now_us() - 3_600_000_000)
    calls = Calls(monkeypatch)
    second = make_statement()
    assert (await xapi.post_statements(second)).status == 200
    # The first call wrote nothing and said so; the second, restamped, went in; no transaction was needed.
    assert (calls.one_call, calls.transactions) == ([1, 1], [])
    stored_first, stored_second = (await stored_of(xapi, first["id"]))["stored"], await stored_of(xapi, second["id"])
    assert stored_first < stored_second["stored"] == stored_second["timestamp"]
    page = await (await xapi.get_statements(verb=second["verb"]["id"], since=stored_first)).json()
    assert [s["id"] for s in page["statements"]] == [second["id"]]


async def test_a_statement_sent_again_falls_back_to_the_transaction_that_compares(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    statement = make_statement()
    assert (await xapi.post_statements(statement)).status == 200
    calls = Calls(monkeypatch)
    assert (await xapi.post_statements(statement)).status == 200  # equivalent: a no-op
    changed = {**statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    fresh = make_statement()
    resp = await xapi.post_statements([fresh, changed])
    assert resp.status == 409
    assert calls.one_call == [1, 2]
    assert len(calls.transactions) == 0  # the transaction found the ids stored before reserving anything
    assert (await xapi.get_statements(statementId=fresh["id"])).status == 404
    assert (await stored_of(xapi, statement["id"]))["verb"]["id"] == statement["verb"]["id"]


@pytest.mark.parametrize("error", [asyncpg.ConnectionDoesNotExistError("connection was closed"),
                                   asyncpg.SerializationError("could not serialize access"),
                                   asyncpg.DeadlockDetectedError("deadlock detected")],
                         ids=["dropped connection", "serialization failure", "deadlock"])
async def test_a_call_the_database_refused_for_a_passing_reason_is_run_as_a_transaction(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    calls = Calls(monkeypatch, fail_first=error)
    statement = make_statement()
    resp = await xapi.post_statements(statement)
    assert resp.status == 200 and await resp.json() == [statement["id"]]
    assert (calls.one_call, calls.transactions) == ([1], [1])
    assert (await stored_of(xapi, statement["id"]))["id"] == statement["id"]


async def test_any_other_refusal_is_an_error_and_stores_nothing(xapi: XAPIClient,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch, fail_first=asyncpg.DiskFullError("could not extend file"))
    statement = make_statement()
    assert (await xapi.post_statements(statement)).status == 500
    assert (calls.one_call, calls.transactions) == ([1], [])
    assert (await xapi.get_statements(statementId=statement["id"])).status == 404


async def test_voiding_in_one_call_before_and_after_the_target(xapi: XAPIClient,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    early_target, late_target = make_statement(), make_statement()
    assert (await xapi.post_statements(late_target)).status == 200
    voiding = [_voiding(early_target["id"]), _voiding(late_target["id"])]
    assert (await xapi.post_statements(voiding)).status == 200
    assert (await xapi.post_statements(early_target)).status == 200
    assert calls.transactions == [] and calls.one_call == [1, 2, 1]
    for target in (early_target, late_target):
        assert (await xapi.get_statements(statementId=target["id"])).status == 404
        assert (await xapi.get_statements(voidedStatementId=target["id"])).status == 200
    for void in voiding:  # a voiding statement is never voided itself
        assert (await xapi.get_statements(statementId=void["id"])).status == 200


def _voiding(target_id: str) -> dict[str, Any]:
    return {**make_statement(), "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": target_id}}


async def test_the_call_refuses_a_tenant_that_does_not_exist_and_writes_nothing(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """lrs_statement keeps no foreign key on PostgreSQL (its per-row check cost 14 % of the call): the
    function checks the tenant once instead."""
    db = xapi.client.server.app[DB]
    constraints = await db.fetch_row("SELECT count(*) FROM pg_constraint WHERE conrelid = 'lrs_statement'::regclass "
                                     "AND contype = 'f'")
    assert constraints is not None and constraints[0] == 0
    in_one_call, refusals = store.store_in_one_call, []

    async def for_no_tenant(db: Any, tenant_id: int, *args: Any) -> Any:
        try:
            return await in_one_call(db, 999_999, *args)
        except asyncpg.PostgresError as exc:
            refusals.append(exc)
            raise

    monkeypatch.setattr(store, "store_in_one_call", for_no_tenant)
    statement = make_statement()
    assert (await xapi.post_statements(statement)).status == 500
    assert [type(exc) for exc in refusals] == [asyncpg.ForeignKeyViolationError]
    assert "no tenant 999999" in str(refusals[0])
    found = await db.fetch_row("SELECT count(*) FROM lrs_statement WHERE tenant_id = 999999 OR statement_id = $1",
                               statement["id"])
    assert found is not None and found[0] == 0
