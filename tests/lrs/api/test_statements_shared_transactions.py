"""Concurrent POSTs of a tenant share transactions (lrs.ops.statements.StatementWriter), and each request
still stands or falls alone: all or nothing per request, 409s per request, nothing half-written."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from lrs.ops import statements as ops
from lrs.store import statements as store
from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement


def _count_calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Wrap module.name; the returned list gets the statement count of each call."""
    original = getattr(module, name)
    calls: list[int] = []

    def counting(conn: Any, tenant_id: int, count: int) -> Any:
        calls.append(count)
        return original(conn, tenant_id, count)

    monkeypatch.setattr(module, name, counting)
    return calls


async def test_concurrent_posts_share_transactions_and_each_gets_its_own_ids(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    reservations = _count_calls(monkeypatch, ops, "reserve_statement_seqs")
    batches = [[make_statement(), make_statement(with_id=False)] for _ in range(12)]
    responses = await asyncio.gather(*(xapi.post_statements(batch) for batch in batches))
    answers = [await resp.json() for resp in responses]
    assert [resp.status for resp in responses] == [200] * 12
    for batch, ids in zip(batches, answers, strict=True):
        assert len(ids) == 2 and ids[0] == batch[0]["id"]
    # Fewer transactions than requests: the ones that arrived while the first was written went in together.
    assert len(reservations) < 12 and sum(reservations) == 24
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
    original = store.insert_statements
    shared_attempts: list[int] = []

    def refuse_shared(conn: Any, tenant_id: int, statements: Any, *args: Any) -> Any:
        if len(statements) > 1:
            shared_attempts.append(len(statements))
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return original(conn, tenant_id, statements, *args)

    monkeypatch.setattr(store, "insert_statements", refuse_shared)
    batches = [make_statement() for _ in range(8)]
    responses = await asyncio.gather(*(xapi.post_statements(s) for s in batches))
    assert shared_attempts, "no two requests shared a transaction"
    assert [resp.status for resp in responses] == [200] * 8
    for statement in batches:
        assert (await xapi.get_statements(statementId=statement["id"])).status == 200


async def test_a_request_failing_alone_in_the_database_is_an_error_and_stores_nothing(
        xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store, "insert_attachments", refuse)
    statement = make_statement()
    resp = await xapi.post_statements(statement)
    assert resp.status == 500
    monkeypatch.undo()
    assert (await xapi.get_statements(statementId=statement["id"])).status == 404
