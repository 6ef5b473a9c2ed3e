"""Searching Users and Groups over HTTP: sorting, startIndex/count paging, POST .search, root search."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from tests.provisioning.scim.helpers import ENTERPRISE, USER, body, scim_for

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


async def test_sorting_and_paging(http: TestClient, database: Database, tenant: Tenant) -> None:
    scim = await scim_for(database, http, tenant)
    names = ["carol", "Alice", "bob", "dave", "Eve"]
    for i, name in enumerate(names):
        await scim.create_user(f"{name}@example.test", title=None if i % 2 else f"T{i}",
                               **{"schemas": [USER, ENTERPRISE], ENTERPRISE: {"employeeNumber": str(10 - i)}})
    page = await body(await scim.get("/Users", sortBy="userName", count="2", startIndex="2"))
    assert page["totalResults"] == 5 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [r["userName"] for r in page["Resources"]] == ["bob@example.test", "carol@example.test"]
    descending = await body(await scim.get("/Users", sortBy="userName", sortOrder="descending"))
    assert [r["userName"].split("@")[0] for r in descending["Resources"]] == ["Eve", "dave", "carol", "bob",
                                                                               "Alice"]
    # Missing values sort last ascending, first descending (RFC 7644 §3.4.2.3).
    titles = await body(await scim.get("/Users", sortBy="title"))
    assert [r.get("title") for r in titles["Resources"]] == ["T0", "T2", "T4", None, None]
    titles = await body(await scim.get("/Users", sortBy="title", sortOrder="descending"))
    assert [r.get("title") for r in titles["Resources"]][:2] == [None, None]
    numbers = await body(await scim.get("/Users", sortBy=f"{ENTERPRISE}:employeeNumber"))
    assert [r[ENTERPRISE]["employeeNumber"] for r in numbers["Resources"]] == ["10", "6", "7", "8", "9"]
    beyond = await body(await scim.get("/Users", startIndex="9"))
    assert beyond["totalResults"] == 5 and beyond.get("Resources", []) == []
    none = await body(await scim.get("/Users", count="0"))
    assert none["totalResults"] == 5 and none.get("Resources", []) == []
    # A sort on an attribute kept in JSON is evaluated in Python, with the same rules.
    by_email = await body(await scim.get("/Users", sortBy="emails", count="1"))
    assert by_email["Resources"][0]["userName"] == "Alice@example.test"


async def test_filters_on_columns_and_on_json(http: TestClient, database: Database, tenant: Tenant) -> None:
    scim = await scim_for(database, http, tenant)
    a = await scim.create_user("a@example.test", title="Welder", phoneNumbers=[{"value": "+1 555", "type": "work"}])
    b = await scim.create_user("b@example.test", title="welding lead", active=False)
    cases = {
        'title sw "weld"': {a["id"], b["id"]},
        'title eq "WELDER"': {a["id"]},
        'not (title eq "Welder")': {b["id"]},
        'title co "lead" or userName eq "a@example.test"': {a["id"], b["id"]},
        "active eq false": {b["id"]},
        'phoneNumbers[type eq "work"]': {a["id"]},
        'phoneNumbers.value co "555" and title pr': {a["id"]},
        f'meta.created ge "{a["meta"]["created"]}"': {a["id"], b["id"]},
        f'meta.lastModified lt "{a["meta"]["created"]}"': set(),
        "nickName pr": set(),
    }
    for filter_, expected in cases.items():
        found = await body(await scim.get("/Users", filter=filter_))
        assert {r["id"] for r in found.get("Resources", [])} == expected, filter_
        assert found["totalResults"] == len(expected)
    response = await scim.post("/Users/.search", {"schemas": [SEARCH], "filter": 'title sw "weld"',
                                                  "sortBy": "userName", "attributes": ["userName"]})
    found = await body(response)
    assert [set(r) - {"schemas", "id"} for r in found["Resources"]] == [{"userName"}, {"userName"}]


async def test_search_at_the_root(http: TestClient, database: Database, tenant: Tenant) -> None:
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user()
    group = await scim.create_group("Root", [user["id"]])
    found = await body(await scim.get("/"))
    assert {r["id"] for r in found["Resources"]} == {user["id"], group["id"]}
    found = await body(await scim.post("/.search", {"schemas": [SEARCH], "filter": 'displayName eq "root"'}))
    assert [r["id"] for r in found["Resources"]] == [group["id"]]
