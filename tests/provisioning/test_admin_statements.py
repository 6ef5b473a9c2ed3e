"""The statement browser API: a person's statements under all their agents, filters, cursor paging, isolation."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from lrs.ops.credentials import create_credential
from provisioning.ops.people import tenant_home_page
from tests.fixtures.http import XAPIClient
from tests.fixtures.people import SignedIn, make_person
from tests.fixtures.statements import make_statement

PASSED = "http://adlnet.gov/expapi/verbs/passed"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


async def post(http: TestClient, database: Database, tenant: Tenant, statements: list[dict]) -> None:  # type: ignore[type-arg]
    issued = await create_credential(database, tenant.id, scopes="all", label="test")
    response = await XAPIClient(http, issued.key, issued.secret).post_statements(statements)
    assert response.status == 200, await response.text()


async def test_a_person_is_found_under_every_agent_they_are(signed_in: SignedIn, http: TestClient,
                                                            database: Database, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["ld_admin"])
    learner = await make_person(database, tenant, employee_number="E-77")
    by_mbox = make_statement(actor_email=learner.email or "", verb=PASSED)
    by_account = make_statement(verb=COMPLETED)
    by_account["actor"] = {"objectType": "Agent", "account": {"homePage": tenant_home_page(tenant.slug),
                                                              "name": learner.person_id}}
    by_number = make_statement(verb=COMPLETED)
    by_number["actor"] = {"objectType": "Agent", "account": {"homePage": tenant_home_page(tenant.slug),
                                                             "name": "E-77"}}
    someone_else = make_statement(actor_email="someone@example.test")
    await post(http, database, tenant, [by_mbox, by_account, by_number, someone_else])
    body = await (await admin.request("GET", "/api/v1/statements", params={"agent": learner.person_id})).json()
    assert [s["id"] for s in body["statements"]] == [by_number["id"], by_account["id"], by_mbox["id"]]
    assert body["person"]["id"] == learner.person_id and body["next_cursor"] is None
    body = await (await admin.request("GET", "/api/v1/statements",
                                      params={"agent": learner.person_id, "verb": PASSED})).json()
    assert [s["id"] for s in body["statements"]] == [by_mbox["id"]]
    body = await (await admin.request("GET", "/api/v1/statements", params={"agent": "someone@example.test"})).json()
    assert [s["id"] for s in body["statements"]] == [someone_else["id"]] and body["person"] is None
    body = await (await admin.request("GET", "/api/v1/statements",
                                      params={"activity": "http://example.com/activities/course-1"})).json()
    assert len(body["statements"]) == 4
    body = await (await admin.request("GET", "/api/v1/statements", params={"since": "2999-01-01"})).json()
    assert body["statements"] == []
    # The raw statement is the stored one, with what the LRS added.
    body = await (await admin.request("GET", "/api/v1/statements", params={"agent": learner.email})).json()
    assert body["person"]["id"] == learner.person_id  # an e-mail of a person means the person
    raw = body["statements"][-1]
    assert raw["id"] == by_mbox["id"] and raw["verb"] == by_mbox["verb"]
    assert {"stored", "authority", "timestamp"} <= set(raw)


async def test_cursor_pages_are_disjoint_and_cover_everything(signed_in: SignedIn, http: TestClient,
                                                               database: Database, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["ld_analyst"])
    learner = await make_person(database, tenant)
    mine = [make_statement(actor_email=learner.email or "", activity=f"http://example.com/a/{i}") for i in range(5)]
    as_account = []
    for i in range(4):
        statement = make_statement(activity=f"http://example.com/b/{i}")
        statement["actor"] = {"objectType": "Agent", "account": {"homePage": tenant_home_page(tenant.slug),
                                                                 "name": learner.person_id}}
        as_account.append(statement)
    await post(http, database, tenant, mine + as_account)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"agent": learner.person_id, "limit": "2"}
        if cursor:
            params["cursor"] = cursor
        body = await (await admin.request("GET", "/api/v1/statements", params=params)).json()
        seen += [s["id"] for s in body["statements"]]
        assert all("stored" in s and "authority" in s for s in body["statements"])
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 5
    assert seen == [s["id"] for s in reversed(mine + as_account)]


async def test_the_statement_browser_never_shows_another_tenants_statements(
        signed_in: SignedIn, http: TestClient, database: Database, tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = await make_person(database, other_tenant)
    statement = make_statement(actor_email=theirs.email or "")
    await post(http, database, other_tenant, [statement])
    admin = await signed_in(tenant, roles=["org_admin"])
    body = await (await admin.request("GET", "/api/v1/statements")).json()
    assert statement["id"] not in {s["id"] for s in body["statements"]}
    assert (await admin.request("GET", "/api/v1/statements", params={"agent": theirs.person_id})).status == 404
    body = await (await admin.request("GET", "/api/v1/statements", params={"agent": theirs.email})).json()
    assert body["statements"] == [] and body["person"] is None
    # A cursor names positions, not tenants: replaying one from another tenant shows nothing foreign.
    body = await (await admin.request("GET", "/api/v1/statements", params={"cursor": f"{2**62}-{2**62}"})).json()
    assert statement["id"] not in {s["id"] for s in body["statements"]}


async def test_statement_browser_input_is_validated_and_needs_the_permission(
        signed_in: SignedIn, tenant: Tenant) -> None:
    admin = await signed_in(tenant, roles=["ld_admin"])
    cases = [({"verb": "completed"}, "verb"), ({"activity": "not an iri"}, "activity"),
             ({"since": "13/01/2026"}, "since"), ({"until": "2026-02-30"}, "until"), ({"cursor": "abc"}, "cursor"),
             ({"agent": "just a name"}, "agent"), ({"agent": "{\"mbox\": 5}"}, "agent"), ({"limit": "-1"}, "limit"),
             ({"format": "exact"}, "format")]
    for params, field in cases:
        response = await admin.request("GET", "/api/v1/statements", params=params)
        assert response.status == 400, params
        assert (await response.json())["error"]["field"] == field, params
    for roles in (["manager"], ["finance"], ["executive"], ["learner"]):
        web = await signed_in(tenant, roles=roles)
        assert (await web.request("GET", "/api/v1/statements")).status == 403
