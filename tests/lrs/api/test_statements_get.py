"""GET /statements: every filter, formats, `more` paging and its stability (Communication §2.1.3)."""

from __future__ import annotations

import asyncio
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from hub import clock
from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"


async def ids_of(resp) -> list[str]:  # type: ignore[no-untyped-def]
    assert resp.status == 200, await resp.text()
    return [s["id"] for s in (await resp.json())["statements"]]


async def test_filters_by_agent_verb_activity_and_registration(xapi: XAPIClient) -> None:
    registration = str(uuid.uuid4())
    a = make_statement(actor_email="a@example.com", verb=COMPLETED, activity="http://example.com/x",
                       registration=registration)
    b = make_statement(actor_email="b@example.com", verb=PASSED, activity="http://example.com/x")
    c = make_statement(actor_email="a@example.com", verb=PASSED, activity="http://example.com/y")
    await xapi.post_statements([a, b, c])
    assert await ids_of(await xapi.get_statements(agent='{"mbox":"mailto:a@example.com"}')) == [c["id"], a["id"]]
    assert await ids_of(await xapi.get_statements(verb=PASSED)) == [c["id"], b["id"]]
    assert await ids_of(await xapi.get_statements(activity="http://example.com/x")) == [b["id"], a["id"]]
    assert await ids_of(await xapi.get_statements(registration=registration)) == [a["id"]]
    assert await ids_of(await xapi.get_statements(agent='{"mbox":"mailto:a@example.com"}', verb=PASSED)) == [c["id"]]
    assert await ids_of(await xapi.get_statements(agent='{"mbox":"mailto:b@example.com"}',
                                                  activity="http://example.com/y")) == []


async def test_related_agents_and_activities_widen_the_match(xapi: XAPIClient) -> None:
    statement = make_statement(actor_email="learner@example.com")
    statement["context"] = {
        "instructor": {"mbox": "mailto:teacher@example.com"},
        "contextActivities": {"parent": [{"id": "http://example.com/program"}]},
    }
    await xapi.post_statements(statement)
    teacher = '{"mbox":"mailto:teacher@example.com"}'
    assert await ids_of(await xapi.get_statements(agent=teacher)) == []
    assert await ids_of(await xapi.get_statements(agent=teacher, related_agents="true")) == [statement["id"]]
    assert await ids_of(await xapi.get_statements(activity="http://example.com/program")) == []
    assert await ids_of(await xapi.get_statements(activity="http://example.com/program",
                                                  related_activities="true")) == [statement["id"]]


async def test_group_member_matches_agent_filter(xapi: XAPIClient) -> None:
    statement = make_statement()
    statement["actor"] = {"objectType": "Group", "member": [{"mbox": "mailto:member@example.com"}]}
    await xapi.post_statements(statement)
    assert await ids_of(await xapi.get_statements(agent='{"mbox":"mailto:member@example.com"}')) == [statement["id"]]


async def test_since_until_and_ascending(xapi: XAPIClient) -> None:
    first = make_statement()
    await xapi.post_statements(first)
    stored_first = (await (await xapi.get_statements(statementId=first["id"])).json())["stored"]
    await asyncio.sleep(0.01)
    second = make_statement()
    await xapi.post_statements(second)
    assert await ids_of(await xapi.get_statements(since=stored_first)) == [second["id"]]
    assert await ids_of(await xapi.get_statements(until=stored_first)) == [first["id"]]
    assert await ids_of(await xapi.get_statements(ascending="true")) == [first["id"], second["id"]]


async def test_stored_never_goes_back_when_the_clock_does(xapi: XAPIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """`stored` increases in stored order even if the clock steps back an hour, so since/until (answered
    as ranges of the stored order) are right and a client polling with since=<last stored> misses nothing."""
    first = make_statement()
    await xapi.post_statements(first)
    stored_first = (await (await xapi.get_statements(statementId=first["id"])).json())["stored"]
    real_now_us = clock.now_us
    monkeypatch.setattr(clock, "now_us", lambda: real_now_us() - 3_600_000_000)
    second, third = make_statement(), make_statement()
    await xapi.post_statements(second)
    await xapi.post_statements([third])
    stored_second = (await (await xapi.get_statements(statementId=second["id"])).json())["stored"]
    stored_third = (await (await xapi.get_statements(statementId=third["id"])).json())["stored"]
    assert stored_first < stored_second < stored_third
    assert await ids_of(await xapi.get_statements(since=stored_first, ascending="true")) == [second["id"], third["id"]]
    assert await ids_of(await xapi.get_statements(since=stored_second)) == [third["id"]]
    assert await ids_of(await xapi.get_statements(until=stored_second)) == [second["id"], first["id"]]


async def test_since_and_until_over_many_batches(xapi: XAPIClient) -> None:
    """since/until are ranges of the stored order: each boundary statement falls on the right side."""
    posted = [make_statement() for _ in range(12)]
    for start in range(0, 12, 3):
        assert (await xapi.post_statements(posted[start:start + 3])).status == 200
        await asyncio.sleep(0.002)
    stored = [(await (await xapi.get_statements(statementId=s["id"])).json())["stored"] for s in posted]
    for i in (0, 2, 3, 7, 11):
        assert await ids_of(await xapi.get_statements(since=stored[i], ascending="true")) == [
            s["id"] for s, t in zip(posted, stored, strict=True) if t > stored[i]]
        assert await ids_of(await xapi.get_statements(until=stored[i], ascending="true")) == [
            s["id"] for s, t in zip(posted, stored, strict=True) if t <= stored[i]]
        assert await ids_of(await xapi.get_statements(since=stored[0], until=stored[i], ascending="true")) == [
            s["id"] for s, t in zip(posted, stored, strict=True) if stored[0] < t <= stored[i]]


async def test_more_pages_through_everything_once_even_while_inserting(xapi: XAPIClient) -> None:
    batch = [make_statement(verb=COMPLETED) for _ in range(25)]
    await xapi.post_statements(batch)
    seen: list[str] = []
    resp = await xapi.get_statements(verb=COMPLETED, limit="10")
    while True:
        body = await resp.json()
        seen += [s["id"] for s in body["statements"]]
        # New statements arriving mid-paging must neither duplicate nor shift what the pages return.
        await xapi.post_statements([make_statement(verb=COMPLETED) for _ in range(3)])
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements?more=")
        token = parse_qs(urlsplit(body["more"]).query)["more"][0]
        resp = await xapi.get_statements(more=token)
    assert seen == [s["id"] for s in reversed(batch)]


async def test_more_token_cannot_be_forged_or_combined(xapi: XAPIClient) -> None:
    await xapi.post_statements([make_statement() for _ in range(3)])
    body = await (await xapi.get_statements(limit="1")).json()
    token = parse_qs(urlsplit(body["more"]).query)["more"][0]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await xapi.get_statements(more=tampered)).status == 400
    assert (await xapi.get_statements(more=token, limit="5")).status == 400


async def test_limit_zero_means_server_maximum(xapi: XAPIClient) -> None:
    await xapi.post_statements([make_statement() for _ in range(5)])
    assert len(await ids_of(await xapi.get_statements(limit="0"))) == 5


async def test_format_ids_and_canonical(xapi: XAPIClient) -> None:
    statement = make_statement()
    statement["verb"]["display"] = {"en-US": "completed", "fr-FR": "terminé"}
    await xapi.post_statements(statement)
    ids = await (await xapi.get_statements(statementId=statement["id"], format="ids")).json()
    assert ids["object"] == {"id": statement["object"]["id"]}
    assert ids["actor"] == {"objectType": "Agent", "mbox": statement["actor"]["mbox"]}
    resp = await xapi.request("GET", "/xapi/statements", params={"statementId": statement["id"], "format": "canonical"},
                              headers={"Accept-Language": "fr-FR, en;q=0.5"})
    canonical = await resp.json()
    assert canonical["verb"]["display"] == {"fr-FR": "terminé"}


async def test_single_get_has_last_modified_and_consistent_through(xapi: XAPIClient) -> None:
    statement = make_statement()
    await xapi.post_statements(statement)
    resp = await xapi.get_statements(statementId=statement["id"])
    assert resp.headers["Last-Modified"].endswith("GMT")
    assert resp.headers["X-Experience-API-Consistent-Through"].endswith("Z")


async def test_error_responses_carry_consistent_through(xapi: XAPIClient) -> None:
    resp = await xapi.get_statements(statementId=str(uuid.uuid4()), agent='{"mbox":"mailto:a@b.c"}')
    assert resp.status == 400
    assert "X-Experience-API-Consistent-Through" in resp.headers


async def test_head_returns_headers_without_body(xapi: XAPIClient) -> None:
    statement = make_statement()
    await xapi.post_statements(statement)
    resp = await xapi.request("HEAD", "/xapi/statements", params={"statementId": statement["id"]})
    assert resp.status == 200
    assert await resp.read() == b""


async def test_unknown_and_malformed_parameters_are_rejected_naming_the_field(xapi: XAPIClient) -> None:
    for params, field in (({"colour": "red"}, "colour"), ({"limit": "-1"}, "limit"),
                          ({"agent": "{not json"}, "agent"), ({"since": "yesterday"}, "since"),
                          ({"registration": "abc"}, "registration"), ({"format": "full"}, "format"),
                          ({"ascending": "yes"}, "ascending")):
        resp = await xapi.get_statements(**params)
        assert resp.status == 400, params
        assert (await resp.json())["error"]["field"] == field


async def test_statement_ref_targeting_matching_statement_is_returned(xapi: XAPIClient) -> None:
    verb = f"http://example.com/verbs/{uuid.uuid4()}"
    target = make_statement(verb=verb)
    referrer = make_statement(verb="http://example.com/verbs/commented")
    referrer["object"] = {"objectType": "StatementRef", "id": target["id"]}
    await xapi.post_statements([target, referrer])
    assert await ids_of(await xapi.get_statements(verb=verb)) == [referrer["id"], target["id"]]


async def test_get_with_attachments_true_returns_multipart(xapi: XAPIClient) -> None:
    statement = make_statement()
    await xapi.post_statements(statement)
    resp = await xapi.get_statements(statementId=statement["id"], attachments="true")
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    assert json.loads((await resp.read()).split(b"\r\n\r\n", 1)[1].split(b"\r\n--", 1)[0])["id"] == statement["id"]
