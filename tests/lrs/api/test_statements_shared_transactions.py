"""Concurrent POSTs of a tenant share transactions (lrs.ops.statements.StatementWriter), and each request
still stands or falls alone: all or nothing per request, 409s per request, nothing half-written."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import asyncpg
import pytest
from sqlalchemy.exc import OperationalError

from lrs.ops import statements as ops
from lrs.store import statements as store
from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement


def _count_transactions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statement count of each statement-writing transaction: each reserves its seqs once, in the
    transaction (lrs.store.dialect.reserve_statement_seqs) or in the one-call write (PostgreSQL)."""
    calls: list[int] = []
    reserve, in_one_call = ops.reserve_statement_seqs, store.store_in_one_call

    def reserving(conn: Any, tenant_id: int, count: int) -> Any:
        calls.append(count)
        return reserve(conn, tenant_id, count)

    async def storing(db: Any, tenant_id: int, statements: Any, *args: Any) -> Any:
        written = await in_one_call(db, tenant_id, statements, *args)
        calls.append(len(statements))
        return written

    monkeypatch.setattr(ops, "reserve_statement_seqs", reserving)
    monkeypatch.setattr(store, "store_in_one_call", storing)
    return calls


def _refuse_writes(monkeypatch: pytest.MonkeyPatch, refused: Callable[[int], bool]) -> list[int]:
    """Make the database refuse every statement write of n statements where refused(n), in a transaction (after
    its rows went in: the transaction must take them back) or in one call; returns the sizes refused."""
    attempts: list[int] = []
    insert, in_one_call = store.insert_statements, store.store_in_one_call

    def refuse_insert(conn: Any, tenant_id: int, statements: Any, *args: Any) -> Any:
        written = insert(conn, tenant_id, statements, *args)
        if refused(len(statements)):
            attempts.append(len(statements))
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return written

    async def refuse_in_one_call(db: Any, tenant_id: int, statements: Any, *args: Any) -> Any:
        if refused(len(statements)):
            attempts.append(len(statements))
            raise asyncpg.DiskFullError("could not extend file")
        return await in_one_call(db, tenant_id, statements, *args)

    monkeypatch.setattr(store, "insert_statements", refuse_insert)
    monkeypatch.setattr(store, "store_in_one_call", refuse_in_one_call)
    return attempts


async def test_concurrent_posts_share_transactions_and_each_gets_its_own_ids(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    transactions = _count_transactions(monkeypatch)
    batches = [[make_statement(), make_statement(with_id=False)] for _ in range(12)]
    responses = await asyncio.gather(*(xapi.post_statements(batch) for batch in batches))
    answers = [await resp.json() for resp in responses]
    assert [resp.status for resp in responses] == [200] * 12
    for batch, ids in zip(batches, answers, strict=True):
        assert len(ids) == 2 and ids[0] == batch[0]["id"]
    # Fewer transactions than requests: the ones that arrived while the first was written went in together.
    assert len(transactions) < 12 and sum(transactions) == 24
    for ids in answers:
        for statement_id in ids:
            assert (await xapi.get_statements(statementId=statement_id)).status == 200


async def test_a_conflicting_request_is_left_out_and_the_others_of_its_group_go_in(xapi: XAPIClient) -> None:
    taken = make_statement()
    assert (await xapi.post_statements(taken)).status == 200
    clash = {**taken, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    innocent_before = [make_statement() for _ in range(3)]
    guilty = [make_statement(), clash]  # all or nothing: its first statement must not be stored either
    innocent_after = [make_statement() for _ in range(3)]
    responses = await asyncio.gather(*(xapi.post_statements(batch)
                                       for batch in (*[[s] for s in innocent_before], guilty,
                                                     *[[s] for s in innocent_after])))
    statuses = [resp.status for resp in responses]
    assert statuses == [200, 200, 200, 409, 200, 200, 200]
    assert (await responses[3].json())["error"]["field"] == "id"
    assert (await xapi.get_statements(statementId=guilty[0]["id"])).status == 404
    for statement in innocent_before + innocent_after:
        assert (await xapi.get_statements(statementId=statement["id"])).status == 200
    stored = await (await xapi.get_statements(statementId=taken["id"])).json()
    assert stored["verb"]["id"] == taken["verb"]["id"]


async def test_requests_of_one_group_sending_the_same_id(xapi: XAPIClient) -> None:
    statement = make_statement()
    different = {**statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    first, same, other = await asyncio.gather(xapi.post_statements(statement), xapi.post_statements(statement),
                                              xapi.post_statements(different))
    # The first wins; an equivalent repeat is a no-op, a different one a 409 (Communication §2.1.2).
    assert (first.status, same.status, other.status) == (200, 200, 409)
    page = await (await xapi.get_statements(verb=statement["verb"]["id"], limit="0")).json()
    assert [s["id"] for s in page["statements"]].count(statement["id"]) == 1


async def test_when_the_database_refuses_the_shared_transaction_each_request_runs_alone(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    shared_attempts = _refuse_writes(monkeypatch, lambda count: count > 1)
    batches = [make_statement() for _ in range(8)]
    responses = await asyncio.gather(*(xapi.post_statements(s) for s in batches))
    assert shared_attempts, "no two requests shared a transaction"
    assert [resp.status for resp in responses] == [200] * 8
    for statement in batches:
        assert (await xapi.get_statements(statementId=statement["id"])).status == 200


async def test_a_request_failing_alone_in_the_database_is_an_error_and_stores_nothing(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = _refuse_writes(monkeypatch, lambda count: True)
    statement = make_statement()
    resp = await xapi.post_statements(statement)
    assert resp.status == 500 and refused == [1]
    monkeypatch.undo()
    assert (await xapi.get_statements(statementId=statement["id"])).status == 404
