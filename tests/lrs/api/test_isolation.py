"""Tenant isolation: what tenant A writes, tenant B can never read, change or delete, on every route."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from lrs.ops.credentials import create_credential
from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement

AGENT = {"mbox": "mailto:shared-person@example.com"}
ACTIVITY = "http://example.com/activities/shared"
REGISTRATION = str(uuid.uuid4())


@pytest.fixture
async def tenant_b(http: TestClient, database: Database, other_tenant: Tenant) -> XAPIClient:
    issued = await create_credential(database, other_tenant.id, scopes="all")
    return XAPIClient(http, issued.key, issued.secret)


@pytest.fixture
async def a_wrote(xapi: XAPIClient) -> dict[str, str]:
    """Tenant A stores a statement and one document of each kind, all with ids B might guess."""
    statement = make_statement(actor_email="shared-person@example.com", activity=ACTIVITY,
                               registration=REGISTRATION)
    statement["object"]["definition"] = {"name": {"en-US": "Tenant A's secret course"}}
    assert (await xapi.post_statements(statement)).status == 200
    voiding = make_statement(verb="http://adlnet.gov/expapi/verbs/voided")
    voided = make_statement(actor_email="shared-person@example.com")
    voiding["object"] = {"objectType": "StatementRef", "id": voided["id"]}
    assert (await xapi.post_statements([voided, voiding])).status == 200
    agent = json.dumps(AGENT)
    for path, params in (("/xapi/activities/state", {"activityId": ACTIVITY, "agent": agent, "stateId": "s1"}),
                         ("/xapi/activities/profile", {"activityId": ACTIVITY, "profileId": "p1"}),
                         ("/xapi/agents/profile", {"agent": agent, "profileId": "p1"})):
        assert (await xapi.request("PUT", path, params=params, json={"owner": "A"},
                                   headers={"If-None-Match": "*"})).status == 204
    return {"statement": statement["id"], "voided": voided["id"]}


async def test_statement_queries_of_b_never_see_a(a_wrote: dict[str, str], tenant_b: XAPIClient) -> None:
    assert (await tenant_b.get_statements(statementId=a_wrote["statement"])).status == 404
    assert (await tenant_b.get_statements(voidedStatementId=a_wrote["voided"])).status == 404
    for params in ({}, {"agent": json.dumps(AGENT)}, {"activity": ACTIVITY}, {"registration": REGISTRATION},
                   {"verb": "http://adlnet.gov/expapi/verbs/completed"},
                   {"agent": json.dumps(AGENT), "related_agents": "true"},
                   {"activity": ACTIVITY, "related_activities": "true"}, {"limit": "0", "ascending": "true"}):
        body = await (await tenant_b.get_statements(**params)).json()
        assert body["statements"] == [], params


async def test_b_cannot_overwrite_or_void_a_statement(xapi: XAPIClient, a_wrote: dict[str, str],
                                                       tenant_b: XAPIClient) -> None:
    # The same id in B is B's own statement; A's stays untouched.
    copy = make_statement(actor_email="intruder@example.com")
    copy["id"] = a_wrote["statement"]
    assert (await tenant_b.post_statements(copy)).status == 200
    voiding = make_statement(verb="http://adlnet.gov/expapi/verbs/voided")
    voiding["object"] = {"objectType": "StatementRef", "id": a_wrote["statement"]}
    assert (await tenant_b.post_statements(voiding)).status == 200
    mine = await (await xapi.get_statements(statementId=a_wrote["statement"])).json()
    assert mine["actor"]["mbox"] == "mailto:shared-person@example.com"


async def test_b_cannot_use_a_more_token(xapi: XAPIClient, a_wrote: dict[str, str], tenant_b: XAPIClient) -> None:
    body = await (await xapi.get_statements(limit="1")).json()
    token = parse_qs(urlsplit(body["more"]).query)["more"][0]
    assert (await tenant_b.get_statements(more=token)).status == 400


async def test_b_sees_no_activity_definition_of_a(a_wrote: dict[str, str], tenant_b: XAPIClient) -> None:
    body = await (await tenant_b.request("GET", "/xapi/activities", params={"activityId": ACTIVITY})).json()
    assert body == {"objectType": "Activity", "id": ACTIVITY}


@pytest.mark.parametrize("path,params", [
    ("/xapi/activities/state", {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "s1"}),
    ("/xapi/activities/profile", {"activityId": ACTIVITY, "profileId": "p1"}),
    ("/xapi/agents/profile", {"agent": json.dumps(AGENT), "profileId": "p1"}),
])
async def test_documents_of_a_are_invisible_and_untouchable_for_b(
        xapi: XAPIClient, a_wrote: dict[str, str], tenant_b: XAPIClient, path: str, params: dict[str, str]) -> None:
    assert (await tenant_b.request("GET", path, params=params)).status == 404
    listing = {k: v for k, v in params.items() if k not in ("stateId", "profileId")}
    assert await (await tenant_b.request("GET", path, params=listing)).json() == []
    assert (await tenant_b.request("DELETE", path, params=params)).status == 204
    assert (await tenant_b.request("PUT", path, params=params, json={"owner": "B"},
                                   headers={"If-None-Match": "*"})).status == 204
    resp = await xapi.request("GET", path, params=params)
    assert resp.status == 200 and await resp.json() == {"owner": "A"}
