"""Authentication and xAPI scopes (Communication §4; scopes per xAPI 1.0.3 §4.2 with umbrella expansion)."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient, TestServer

from hub.app import create_app
from hub.db import Database
from hub.tenants import Tenant
from lrs.ops.credentials import Authenticator, create_credential, revoke_credential
from tests.fixtures.databases import Backend
from tests.fixtures.http import XAPIClient, basic_auth, settings_for
from tests.fixtures.statements import make_statement

STATE = {"activityId": "http://example.com/a", "agent": json.dumps({"mbox": "mailto:a@example.com"}),
         "stateId": "s"}


async def client_with(http: TestClient, database: Database, tenant: Tenant, scopes: str) -> XAPIClient:
    issued = await create_credential(database, tenant.id, scopes=scopes)
    return XAPIClient(http, issued.key, issued.secret)


async def test_missing_and_wrong_credentials_get_401_with_challenge(http: TestClient, xapi: XAPIClient) -> None:
    resp = await http.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"].startswith("Basic")
    resp = await http.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3",
                                                       "Authorization": basic_auth("nobody", "nothing")})
    assert resp.status == 401


async def test_about_needs_no_credentials(http: TestClient) -> None:
    resp = await http.get("/xapi/about")
    assert resp.status == 200
    assert set((await resp.json())["version"]) == {"1.0.3", "2.0.0"}


async def test_write_only_scope_cannot_read(http: TestClient, database: Database, tenant: Tenant) -> None:
    writer = await client_with(http, database, tenant, "statements/write")
    assert (await writer.post_statements(make_statement())).status == 200
    assert (await writer.get_statements()).status == 403
    assert (await writer.request("GET", "/xapi/activities/state", params=STATE)).status == 403


async def test_read_only_scope_cannot_write(http: TestClient, database: Database, tenant: Tenant) -> None:
    reader = await client_with(http, database, tenant, "all/read")
    assert (await reader.post_statements(make_statement())).status == 403
    assert (await reader.get_statements()).status == 200
    assert (await reader.request("PUT", "/xapi/activities/state", params=STATE, json={"a": 1})).status == 403


async def test_read_mine_sees_only_statements_it_wrote(http: TestClient, database: Database, tenant: Tenant) -> None:
    mine = await client_with(http, database, tenant, "statements/write statements/read/mine")
    other = await client_with(http, database, tenant, "all")
    own, foreign = make_statement(), make_statement()
    await mine.post_statements(own)
    await other.post_statements(foreign)
    listed = await (await mine.get_statements()).json()
    assert [s["id"] for s in listed["statements"]] == [own["id"]]
    assert (await mine.get_statements(statementId=foreign["id"])).status == 404
    assert (await other.get_statements(statementId=own["id"])).status == 200


async def test_read_mine_filters_by_agent_activity_and_verb_within_its_own(http: TestClient, database: Database,
                                                                         tenant: Tenant) -> None:
    """read/mine narrows every filtered query, including those driven by the agent index (a cmi5 AU
    session asking for its learner's statements)."""
    mine = await client_with(http, database, tenant, "statements/write statements/read/mine")
    other = await client_with(http, database, tenant, "all")
    own = make_statement(actor_email="learner@example.com", activity="http://example.com/course")
    foreign = make_statement(actor_email="learner@example.com", activity="http://example.com/course")
    assert (await mine.post_statements(own)).status == 200
    assert (await other.post_statements(foreign)).status == 200
    for params in ({"agent": '{"mbox":"mailto:learner@example.com"}'},
                   {"agent": '{"mbox":"mailto:learner@example.com"}', "related_agents": "true"},
                   {"activity": "http://example.com/course"}, {"verb": own["verb"]["id"]}):
        resp = await mine.get_statements(**params)
        assert resp.status == 200, (params, await resp.text())
        assert [s["id"] for s in (await resp.json())["statements"]] == [own["id"]], params
        listed = await (await other.get_statements(**params)).json()
        assert {s["id"] for s in listed["statements"]} >= {own["id"], foreign["id"]}, params


async def test_state_scope_allows_state_but_not_statements(http: TestClient, database: Database,
                                                           tenant: Tenant) -> None:
    state_only = await client_with(http, database, tenant, "state")
    assert (await state_only.request("PUT", "/xapi/activities/state", params=STATE, json={"a": 1})).status == 204
    assert (await state_only.get_statements()).status == 403


async def test_revoked_credential_is_refused_once_the_cache_expires(backend: Backend, database: Database,
                                                                    tenant: Tenant) -> None:
    app = create_app(settings_for(backend.url, auth_cache_seconds=0), database=database)
    async with TestClient(TestServer(app)) as http:
        issued = await create_credential(database, tenant.id, scopes="all")
        client = XAPIClient(http, issued.key, issued.secret)
        assert (await client.get_statements()).status == 200
        await revoke_credential(database, tenant.id, issued.key, actor="test")
        assert (await client.get_statements()).status == 401


async def test_authenticator_caches_until_a_revocation_is_announced(database: Database, tenant: Tenant) -> None:
    """Announced by hub.workers.Siblings.revoked, in this worker or another."""
    issued = await create_credential(database, tenant.id, scopes="all")
    revocations = [0]
    authenticator = Authenticator(database, ttl=3600, revocations=lambda: revocations[0])
    assert await authenticator.authenticate(issued.key, issued.secret) is not None
    assert await authenticator.authenticate(issued.key, "wrong") is None
    await revoke_credential(database, tenant.id, issued.key, actor="test")
    assert await authenticator.authenticate(issued.key, issued.secret) is not None  # still cached
    revocations[0] += 1
    assert await authenticator.authenticate(issued.key, issued.secret) is None
