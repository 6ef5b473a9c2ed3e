"""The Agent Profile Resource (1.0.3 Communication §2.6, 2.0 §4.1.6.5) over HTTP, on both backends."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fixtures.http import XAPIClient

PATH = "/xapi/agents/profile"
AGENT = {"objectType": "Agent", "account": {"homePage": "http://www.example.com/agents", "name": "Rick James"}}
CREATE = {"If-None-Match": "*"}


def params(**overrides: Any) -> dict[str, str]:
    base: dict[str, Any] = {"agent": json.dumps(AGENT), "profileId": "preferences"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture(params=["1.0.3", "2.0.0"])
def client(request: pytest.FixtureRequest, xapi: XAPIClient, xapi2: XAPIClient) -> XAPIClient:
    return xapi if request.param == "1.0.3" else xapi2


async def error_field(resp: Any) -> str | None:
    return (await resp.json())["error"].get("field")


async def test_put_then_get(client: XAPIClient) -> None:
    document = {"language": "en-US", "theme": {"dark": True}}
    assert (await client.request("PUT", PATH, params=params(), json=document, headers=CREATE)).status == 204
    resp = await client.request("GET", PATH, params=params())
    assert resp.status == 200
    assert await resp.json() == document
    assert len(resp.headers["ETag"]) == 42 and "Last-Modified" in resp.headers


async def test_put_new_document_without_headers_is_400_in_1_0_3(xapi: XAPIClient) -> None:
    # XAPI-00273: "a PUT request without an ETag header returns an error code and message".
    resp = await xapi.request("PUT", PATH, params=params(), json={"a": 1})
    assert resp.status == 400
    assert (await resp.json())["error"]["message"]


async def test_put_new_document_without_headers_is_stored_in_2_0(xapi2: XAPIClient) -> None:
    assert (await xapi2.request("PUT", PATH, params=params(), json={"a": 1})).status == 204


async def test_put_over_existing_without_headers_is_409(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    assert (await client.request("PUT", PATH, params=params(), json={"b": 2})).status == 409
    assert await (await client.request("GET", PATH, params=params())).json() == {"a": 1}


async def test_post_merges(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"car": "Honda", "year": 2001})
    await client.request("POST", PATH, params=params(), json={"year": 2002, "type": "Civic"})
    resp = await client.request("GET", PATH, params=params())
    assert await resp.json() == {"car": "Honda", "year": 2002, "type": "Civic"}


@pytest.mark.parametrize("body,content_type", [(b"abcdefg", "not/json"), (b'{"a"', "application/json")])
async def test_post_that_cannot_merge_leaves_document(client: XAPIClient, body: bytes, content_type: str) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    resp = await client.request("POST", PATH, params=params(), data=body, headers={"Content-Type": content_type})
    assert resp.status == 400
    assert await (await client.request("GET", PATH, params=params())).json() == {"a": 1}


async def test_agent_identity_not_its_other_properties_keys_the_document(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    renamed = {**AGENT, "name": "Another Name"}
    assert (await client.request("GET", PATH, params=params(agent=json.dumps(renamed)))).status == 200
    other = {"objectType": "Agent", "account": {"homePage": "http://www.example.com/agents", "name": "Someone"}}
    assert (await client.request("GET", PATH, params=params(agent=json.dumps(other)))).status == 404


async def test_identified_group_can_hold_a_profile(client: XAPIClient) -> None:
    group = {"objectType": "Group", "mbox": "mailto:team@example.com", "member": [{"mbox": "mailto:a@example.com"}]}
    resp = await client.request("PUT", PATH, params=params(agent=json.dumps(group)), json={"a": 1}, headers=CREATE)
    assert resp.status == 204
    resp = await client.request("GET", PATH, params=params(agent=json.dumps(group)))
    assert await resp.json() == {"a": 1}


async def test_multiple_get_lists_ids_of_that_agent(client: XAPIClient) -> None:
    other = {"mbox": "mailto:other@example.com"}
    await client.request("POST", PATH, params=params(profileId="p1"), json={"a": 1})
    await client.request("POST", PATH, params=params(profileId="p-other", agent=json.dumps(other)), json={"a": 1})
    await asyncio.sleep(0.01)
    between = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.01)
    await client.request("POST", PATH, params=params(profileId="p2"), json={"a": 1})
    resp = await client.request("GET", PATH, params=params(profileId=None))
    assert sorted(await resp.json()) == ["p1", "p2"]
    resp = await client.request("GET", PATH, params=params(profileId=None, since=between))
    assert await resp.json() == ["p2"]


async def test_delete(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    assert (await client.request("DELETE", PATH, params=params())).status == 204
    assert (await client.request("GET", PATH, params=params())).status == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("overrides,field", [
    ({"agent": None}, "agent"),
    ({"agent": "true"}, "agent"),
    ({"agent": "not JSON"}, "agent"),
    ({"agent": json.dumps({"objectType": "Agent", "mbox": "not-an-email"})}, "agent"),
    ({"activityId": "http://www.example.com/a"}, "activityId"),
    ({"profileId": ""}, "profileId"),
])
async def test_invalid_or_unknown_parameters_are_400(client: XAPIClient, method: str, overrides: dict[str, Any],
                                                     field: str) -> None:
    kwargs: dict[str, Any] = {"json": {"a": 1}, "headers": CREATE} if method in ("PUT", "POST") else {}
    resp = await client.request(method, PATH, params=params(**overrides), **kwargs)
    assert resp.status == 400
    assert await error_field(resp) == field


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
async def test_profile_id_is_required_to_write_or_delete(client: XAPIClient, method: str) -> None:
    kwargs: dict[str, Any] = {"json": {"a": 1}, "headers": CREATE} if method != "DELETE" else {}
    resp = await client.request(method, PATH, params=params(profileId=None), **kwargs)
    assert resp.status == 400
    assert await error_field(resp) == "profileId"


async def test_invalid_since_is_400(client: XAPIClient) -> None:
    resp = await client.request("GET", PATH, params=params(profileId=None, since="yesterday"))
    assert resp.status == 400
    assert await error_field(resp) == "since"
