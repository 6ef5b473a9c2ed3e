"""ETag concurrency (1.0.3 Communication §3.1, 2.0 §4.1.4), atomic writes and tenant isolation for documents."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from lrs.ops.credentials import create_credential
from tests.fixtures.http import XAPIClient

AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:learner@example.com"})
ACTIVITY = "http://www.example.com/activities/concurrency"
RESOURCES = {
    "state": ("/xapi/activities/state", {"activityId": ACTIVITY, "agent": AGENT, "stateId": "doc"}),
    "activity_profile": ("/xapi/activities/profile", {"activityId": ACTIVITY, "profileId": "doc"}),
    "agent_profile": ("/xapi/agents/profile", {"agent": AGENT, "profileId": "doc"}),
}
WRONG_TAG = '"1111111111111111111111111111111111111111"'


@pytest.fixture(params=["1.0.3", "2.0.0"])
def client(request: pytest.FixtureRequest, xapi: XAPIClient, xapi2: XAPIClient) -> XAPIClient:
    return xapi if request.param == "1.0.3" else xapi2


@pytest.fixture(params=list(RESOURCES))
def resource(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    return RESOURCES[request.param]


async def create(client: XAPIClient, path: str, params: dict[str, str], document: Any) -> str:
    """Create the document and return its quoted ETag."""
    resp = await client.request("PUT", path, params=params, json=document, headers={"If-None-Match": "*"})
    assert resp.status == 204
    resp = await client.request("GET", path, params=params)
    assert resp.status == 200
    return resp.headers["ETag"]


async def current(client: XAPIClient, path: str, params: dict[str, str]) -> Any:
    resp = await client.request("GET", path, params=params)
    return await resp.json() if resp.status == 200 else resp.status


async def test_etag_is_quoted_sha1_hex(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    etag = await create(client, path, params, {"a": 1})
    assert etag[0] == etag[41] == '"' and len(etag) == 42
    assert all(c in "0123456789abcdef" for c in etag[1:41])


async def test_put_if_match(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    etag = await create(client, path, params, {"v": 1})
    resp = await client.request("PUT", path, params=params, json={"v": 2}, headers={"If-Match": WRONG_TAG})
    assert resp.status == 412
    assert await current(client, path, params) == {"v": 1}
    # A weak tag never matches If-Match (RFC 9110 §13.1.1 strong comparison).
    resp = await client.request("PUT", path, params=params, json={"v": 2}, headers={"If-Match": f"W/{etag}"})
    assert resp.status == 412
    resp = await client.request("PUT", path, params=params, json={"v": 2}, headers={"If-Match": f"{WRONG_TAG}, {etag}"})
    assert resp.status == 204
    assert await current(client, path, params) == {"v": 2}
    # The old tag is stale now.
    resp = await client.request("PUT", path, params=params, json={"v": 3}, headers={"If-Match": etag})
    assert resp.status == 412
    resp = await client.request("PUT", path, params=params, json={"v": 3}, headers={"If-Match": "*"})
    assert resp.status == 204


async def test_put_if_none_match_star(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    await create(client, path, params, {"v": 1})
    resp = await client.request("PUT", path, params=params, json={"v": 2}, headers={"If-None-Match": "*"})
    assert resp.status == 412
    assert (await resp.json())["error"]["field"] == "If-None-Match"
    assert await current(client, path, params) == {"v": 1}


async def test_if_match_on_missing_document_fails(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    for method in ("PUT", "POST"):
        resp = await client.request(method, path, params=params, json={"v": 1}, headers={"If-Match": "*"})
        assert resp.status == 412
    resp = await client.request("DELETE", path, params=params, headers={"If-Match": WRONG_TAG})
    assert resp.status == 412
    assert await current(client, path, params) == 404


async def test_put_without_headers_over_existing(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    await create(client, path, params, {"v": 1})
    resp = await client.request("PUT", path, params=params, json={"v": 2})
    state_in_1_0_3 = path.endswith("/state") and client.version == "1.0.3"
    # 1.0.3 §3.1.s3 exempts the State Resource; 2.0 §4.1.4 and both profile resources answer 409.
    assert resp.status == (204 if state_in_1_0_3 else 409)
    assert await current(client, path, params) == ({"v": 2} if state_in_1_0_3 else {"v": 1})


async def test_post_if_match(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    etag = await create(client, path, params, {"name": "original", "keep": 1})
    resp = await client.request("POST", path, params=params, json={"name": "updated"}, headers={"If-Match": '"1234"'})
    assert resp.status == 412
    assert await current(client, path, params) == {"name": "original", "keep": 1}
    resp = await client.request("POST", path, params=params, json={"name": "updated"}, headers={"If-Match": etag})
    assert resp.status == 204
    assert await current(client, path, params) == {"name": "updated", "keep": 1}
    resp = await client.request("POST", path, params=params, json={"x": 1}, headers={"If-None-Match": "*"})
    assert resp.status == 412


async def test_delete_if_match(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    etag = await create(client, path, params, {"v": 1})
    resp = await client.request("DELETE", path, params=params, headers={"If-Match": '"1234"'})
    assert resp.status == 412
    assert await current(client, path, params) == {"v": 1}
    resp = await client.request("DELETE", path, params=params, headers={"If-None-Match": etag})
    assert resp.status == 412
    resp = await client.request("DELETE", path, params=params, headers={"If-Match": etag})
    assert resp.status == 204
    assert await current(client, path, params) == 404


async def test_conditional_get(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    etag = await create(client, path, params, {"v": 1})
    resp = await client.request("GET", path, params=params, headers={"If-None-Match": etag})
    assert resp.status == 304
    assert resp.headers["ETag"] == etag
    resp = await client.request("GET", path, params=params, headers={"If-None-Match": WRONG_TAG})
    assert resp.status == 200
    resp = await client.request("GET", path, params=params, headers={"If-Match": WRONG_TAG})
    assert resp.status == 412


async def test_malformed_if_match_is_400(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    resp = await client.request("PUT", path, params=params, json={"v": 1}, headers={"If-Match": '"ab"cd"'})
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "If-Match"


async def test_unquoted_etag_is_accepted(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    etag = await create(client, path, params, {"v": 1})
    resp = await client.request("PUT", path, params=params, json={"v": 2}, headers={"If-Match": etag.strip('"')})
    assert resp.status == 204


async def test_state_multiple_delete_rejects_preconditions(client: XAPIClient) -> None:
    path, params = RESOURCES["state"]
    await create(client, path, params, {"v": 1})
    context = {k: v for k, v in params.items() if k != "stateId"}
    resp = await client.request("DELETE", path, params=context, headers={"If-Match": "*"})
    assert resp.status == 400
    assert await current(client, path, params) == {"v": 1}


async def test_concurrent_creates_have_one_winner(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource

    async def attempt(n: int) -> int:
        resp = await client.request("PUT", path, params=params, json={"n": n}, headers={"If-None-Match": "*"})
        await resp.read()
        return resp.status

    statuses = await asyncio.gather(*(attempt(n) for n in range(12)))
    assert sorted(statuses) == [204] + [412] * 11
    winner = statuses.index(204)
    assert await current(client, path, params) == {"n": winner}


async def test_concurrent_posts_lose_no_update(client: XAPIClient, resource: tuple[str, dict[str, str]]) -> None:
    # The first POST creates the document, every other one merges into it: nothing is lost in a race.
    path, params = resource

    async def post(n: int) -> int:
        resp = await client.request("POST", path, params=params, json={f"k{n}": n})
        await resp.read()
        return resp.status

    statuses = await asyncio.gather(*(post(n) for n in range(12)))
    assert statuses == [204] * 12
    assert await current(client, path, params) == {f"k{n}": n for n in range(12)}


async def test_concurrent_conditional_updates_have_one_winner(client: XAPIClient,
                                                              resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    etag = await create(client, path, params, {"v": 0})

    async def update(n: int) -> int:
        resp = await client.request("PUT", path, params=params, json={"v": n}, headers={"If-Match": etag})
        await resp.read()
        return resp.status

    statuses = await asyncio.gather(*(update(n) for n in range(1, 11)))
    assert sorted(statuses) == [204] + [412] * 9


async def test_tenants_never_see_each_others_documents(http: Any, database: Any, other_tenant: Any,
                                                       client: XAPIClient,
                                                       resource: tuple[str, dict[str, str]]) -> None:
    path, params = resource
    issued = await create_credential(database, other_tenant.id)
    intruder = XAPIClient(http, issued.key, issued.secret, version=client.version)
    etag = await create(client, path, params, {"owner": "A"})
    listing = {k: v for k, v in params.items() if k not in ("stateId", "profileId")}

    assert (await intruder.request("GET", path, params=params)).status == 404
    assert (await intruder.request("HEAD", path, params=params)).status == 404
    resp = await intruder.request("GET", path, params=listing)
    assert resp.status == 200 and await resp.json() == []
    # Tenant A's ETag means nothing to tenant B.
    resp = await intruder.request("PUT", path, params=params, json={"owner": "B"}, headers={"If-Match": etag})
    assert resp.status == 412
    resp = await intruder.request("POST", path, params=params, json={"owner": "B"}, headers={"If-Match": etag})
    assert resp.status == 412
    resp = await intruder.request("DELETE", path, params=params, headers={"If-Match": etag})
    assert resp.status == 412
    assert (await intruder.request("DELETE", path, params=params)).status == 204
    if path.endswith("/state"):
        assert (await intruder.request("DELETE", path, params=listing)).status == 204
    assert await current(client, path, params) == {"owner": "A"}

    # B's own document at the same address is a separate one.
    resp = await intruder.request("PUT", path, params=params, json={"owner": "B"}, headers={"If-None-Match": "*"})
    assert resp.status == 204
    assert await current(intruder, path, params) == {"owner": "B"}
    assert await current(client, path, params) == {"owner": "A"}
    resp = await client.request("GET", path, params=listing)
    assert await resp.json() == ["doc"]


async def test_writes_are_atomic_when_a_precondition_fails_midway(client: XAPIClient) -> None:
    # A failed conditional write leaves neither content nor ETag nor Last-Modified changed.
    path, params = RESOURCES["activity_profile"]
    params = {**params, "profileId": str(uuid.uuid4())}
    etag = await create(client, path, params, {"v": 1})
    before = await client.request("GET", path, params=params)
    await client.request("POST", path, params=params, json={"v": 2}, headers={"If-Match": WRONG_TAG})
    after = await client.request("GET", path, params=params)
    assert after.headers["ETag"] == etag == before.headers["ETag"]
    assert after.headers["Last-Modified"] == before.headers["Last-Modified"]
