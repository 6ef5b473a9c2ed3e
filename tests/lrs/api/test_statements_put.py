"""PUT /statements?statementId=… (Communication §2.1.1)."""

from __future__ import annotations

import uuid

from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement


async def test_put_stores_statement_under_parameter_id(xapi: XAPIClient) -> None:
    statement_id = str(uuid.uuid4())
    resp = await xapi.request("PUT", "/xapi/statements", json=make_statement(with_id=False),
                              params={"statementId": statement_id})
    assert resp.status == 204
    stored = await (await xapi.get_statements(statementId=statement_id)).json()
    assert stored["id"] == statement_id


async def test_put_without_statement_id_is_rejected(xapi: XAPIClient) -> None:
    resp = await xapi.request("PUT", "/xapi/statements", json=make_statement())
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "statementId"


async def test_put_with_mismatched_ids_is_rejected_and_stores_nothing(xapi: XAPIClient) -> None:
    statement = make_statement()
    other_id = str(uuid.uuid4())
    resp = await xapi.request("PUT", "/xapi/statements", json=statement, params={"statementId": other_id})
    assert resp.status == 400
    assert (await xapi.get_statements(statementId=other_id)).status == 404
    assert (await xapi.get_statements(statementId=statement["id"])).status == 404


async def test_put_same_statement_again_is_no_op_and_different_one_conflicts(xapi: XAPIClient) -> None:
    statement = make_statement()
    params = {"statementId": statement["id"]}
    assert (await xapi.request("PUT", "/xapi/statements", json=statement, params=params)).status == 204
    assert (await xapi.request("PUT", "/xapi/statements", json=statement, params=params)).status == 204
    changed = dict(statement, object={"id": "http://example.com/other"})
    assert (await xapi.request("PUT", "/xapi/statements", json=changed, params=params)).status == 409


async def test_put_with_invalid_statement_id_is_rejected(xapi: XAPIClient) -> None:
    resp = await xapi.request("PUT", "/xapi/statements", json=make_statement(with_id=False),
                              params={"statementId": "not-a-uuid"})
    assert resp.status == 400
