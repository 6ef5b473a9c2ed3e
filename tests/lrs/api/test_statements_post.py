"""POST /statements: single and batch, all-or-nothing, immutability, voiding (Communication §2.1.2)."""

from __future__ import annotations

import uuid

from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


async def test_post_single_statement_returns_its_id_and_fills_lrs_properties(xapi: XAPIClient) -> None:
    statement = make_statement()
    resp = await xapi.post_statements(statement)
    assert resp.status == 200
    assert await resp.json() == [statement["id"]]
    stored = await (await xapi.get_statements(statementId=statement["id"])).json()
    assert stored["stored"].endswith("Z")
    assert stored["timestamp"] == stored["stored"]
    assert stored["version"] == "1.0.0"
    assert stored["authority"]["objectType"] == "Agent"
    assert stored["actor"] == statement["actor"]


async def test_post_without_id_assigns_uuid(xapi: XAPIClient) -> None:
    resp = await xapi.post_statements(make_statement(with_id=False))
    [statement_id] = await resp.json()
    assert uuid.UUID(statement_id).version == 4


async def test_post_statement_in_2_0_gets_version_2_0_0(xapi2: XAPIClient) -> None:
    statement = make_statement()
    await xapi2.post_statements(statement)
    stored = await (await xapi2.get_statements(statementId=statement["id"])).json()
    assert stored["version"] == "2.0.0"


async def test_post_batch_returns_ids_in_order(xapi: XAPIClient) -> None:
    batch = [make_statement(), make_statement(with_id=False), make_statement()]
    resp = await xapi.post_statements(batch)
    ids = await resp.json()
    assert resp.status == 200
    assert ids[0] == batch[0]["id"] and ids[2] == batch[2]["id"] and len(ids) == 3


async def test_post_batch_with_one_invalid_statement_stores_nothing(xapi: XAPIClient) -> None:
    good = make_statement()
    bad = make_statement()
    bad["verb"] = {"id": "not an iri"}
    resp = await xapi.post_statements([good, bad])
    assert resp.status == 400
    body = await resp.json()
    assert body["error"]["field"].startswith("[1].verb")
    assert (await xapi.get_statements(statementId=good["id"])).status == 404


async def test_post_batch_with_conflicting_ids_is_rejected(xapi: XAPIClient) -> None:
    statement = make_statement()
    twin = make_statement()
    twin["id"] = statement["id"]
    resp = await xapi.post_statements([statement, twin])
    assert resp.status == 400
    assert (await xapi.get_statements(statementId=statement["id"])).status == 404


async def test_post_same_statement_twice_is_a_no_op(xapi: XAPIClient) -> None:
    statement = make_statement()
    first = await (await xapi.post_statements(statement)).json()
    again = await xapi.post_statements(statement)
    assert again.status == 200
    assert await again.json() == first
    result = await (await xapi.get_statements(verb=statement["verb"]["id"])).json()
    assert [s["id"] for s in result["statements"]] == [statement["id"]]


async def test_post_different_statement_with_existing_id_conflicts_and_stores_nothing(xapi: XAPIClient) -> None:
    statement = make_statement()
    await xapi.post_statements(statement)
    changed = dict(statement, verb={"id": "http://adlnet.gov/expapi/verbs/failed"})
    other = make_statement()
    resp = await xapi.post_statements([other, changed])
    assert resp.status == 409
    assert (await xapi.get_statements(statementId=other["id"])).status == 404
    stored = await (await xapi.get_statements(statementId=statement["id"])).json()
    assert stored["verb"]["id"] == statement["verb"]["id"]


async def test_voiding_hides_target_from_statement_id_but_not_voided_statement_id(xapi: XAPIClient) -> None:
    target = make_statement()
    await xapi.post_statements(target)
    voiding = make_statement(verb=VOIDED)
    voiding["object"] = {"objectType": "StatementRef", "id": target["id"]}
    assert (await xapi.post_statements(voiding)).status == 200
    assert (await xapi.get_statements(statementId=target["id"])).status == 404
    voided = await xapi.get_statements(voidedStatementId=target["id"])
    assert voided.status == 200
    assert (await voided.json())["id"] == target["id"]
    listed = await (await xapi.get_statements(agent='{"mbox": "mailto:learner@example.com"}')).json()
    ids = [s["id"] for s in listed["statements"]]
    assert target["id"] not in ids and voiding["id"] in ids


async def test_voiding_statement_arriving_before_its_target_voids_it(xapi: XAPIClient) -> None:
    target = make_statement()
    voiding = make_statement(verb=VOIDED)
    voiding["object"] = {"objectType": "StatementRef", "id": target["id"]}
    assert (await xapi.post_statements(voiding)).status == 200
    assert (await xapi.post_statements(target)).status == 200
    assert (await xapi.get_statements(statementId=target["id"])).status == 404
    assert (await xapi.get_statements(voidedStatementId=target["id"])).status == 200


async def test_a_voiding_statement_cannot_be_voided(xapi: XAPIClient) -> None:
    target = make_statement()
    voiding = make_statement(verb=VOIDED)
    voiding["object"] = {"objectType": "StatementRef", "id": target["id"]}
    second = make_statement(verb=VOIDED)
    second["object"] = {"objectType": "StatementRef", "id": voiding["id"]}
    await xapi.post_statements([target, voiding])
    assert (await xapi.post_statements(second)).status == 200
    assert (await xapi.get_statements(statementId=voiding["id"])).status == 200


async def test_post_rejects_parameters(xapi: XAPIClient) -> None:
    resp = await xapi.request("POST", "/xapi/statements", json=make_statement(),
                              params={"statementId": str(uuid.uuid4())})
    assert resp.status == 400


async def test_post_rejects_malformed_json_with_field(xapi: XAPIClient) -> None:
    resp = await xapi.request("POST", "/xapi/statements", data=b'{"actor": ',
                              headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "body"


async def test_post_rejects_wrong_content_type(xapi: XAPIClient) -> None:
    resp = await xapi.request("POST", "/xapi/statements", data=b"<xml/>", headers={"Content-Type": "text/xml"})
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "Content-Type"


async def test_post_rejects_empty_batch(xapi: XAPIClient) -> None:
    assert (await xapi.post_statements([])).status == 400
