"""The Activity Profile Resource (1.0.3 Communication §2.7, 2.0 §4.1.6.6) over HTTP, on both backends."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fixtures.http import XAPIClient

PATH = "/xapi/activities/profile"
ACTIVITY = "http://www.example.com/activities/profile-test"
CREATE = {"If-None-Match": "*"}


def params(**overrides: Any) -> dict[str, str]:
    base: dict[str, Any] = {"activityId": ACTIVITY, "profileId": "settings"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture(params=["1.0.3", "2.0.0"])
def client(request: pytest.FixtureRequest, xapi: XAPIClient, xapi2: XAPIClient) -> XAPIClient:
    return xapi if request.param == "1.0.3" else xapi2


async def error_field(resp: Any) -> str | None:
    return (await resp.json())["error"].get("field")


async def test_put_with_if_none_match_then_get(client: XAPIClient) -> None:
    document = {"name": "profile", "nested": {"a": [1, 2]}}
    assert (await client.request("PUT", PATH, params=params(), json=document, headers=CREATE)).status == 204
    resp = await client.request("GET", PATH, params=params())
    assert resp.status == 200
    raw = await resp.read()
    assert json.loads(raw) == document
    assert resp.headers["ETag"] == f'"{hashlib.sha1(raw).hexdigest()}"'
    assert "Last-Modified" in resp.headers


async def test_put_new_document_without_headers_is_400_in_1_0_3(xapi: XAPIClient) -> None:
    # 1.0.3 Communication §3.1.s3.b1 (XAPI-00287): a profile PUT must carry If-Match or If-None-Match.
    resp = await xapi.request("PUT", PATH, params=params(), json={"a": 1})
    assert resp.status == 400
    assert (await xapi.request("GET", PATH, params=params())).status == 404


async def test_put_new_document_without_headers_is_stored_in_2_0(xapi2: XAPIClient) -> None:
    # 2.0 §4.1.4 only forbids an unconditional PUT over an existing document.
    assert (await xapi2.request("PUT", PATH, params=params(), json={"a": 1})).status == 204
    assert (await xapi2.request("GET", PATH, params=params())).status == 200


async def test_put_over_existing_without_headers_is_409(client: XAPIClient) -> None:
    document = {"original": True}
    await client.request("POST", PATH, params=params(), json=document)
    resp = await client.request("PUT", PATH, params=params(), json={"replacement": True})
    assert resp.status == 409
    error = (await resp.json())["error"]
    assert "If-Match" in error["message"] and error["details"]["etag"].startswith('"')
    resp = await client.request("GET", PATH, params=params())
    assert await resp.json() == document


async def test_post_creates_and_merges(client: XAPIClient) -> None:
    assert (await client.request("POST", PATH, params=params(), json={"car": "Honda"})).status == 204
    assert (await client.request("POST", PATH, params=params(), json={"type": "Civic"})).status == 204
    resp = await client.request("GET", PATH, params=params())
    assert await resp.json() == {"car": "Honda", "type": "Civic"}


async def test_post_non_json_onto_json_is_400(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    resp = await client.request("POST", PATH, params=params(), data=b"abc",
                                headers={"Content-Type": "application/octet-stream"})
    assert resp.status == 400
    assert await (await client.request("GET", PATH, params=params())).json() == {"a": 1}


async def test_post_json_onto_binary_is_400(client: XAPIClient) -> None:
    await client.request("PUT", PATH, params=params(), data=b"/ asdf / undefined",
                         headers={"Content-Type": "application/octet-stream", **CREATE})
    resp = await client.request("POST", PATH, params=params(), json={"a": 1})
    assert resp.status == 400
    assert await (await client.request("GET", PATH, params=params())).read() == b"/ asdf / undefined"


async def test_post_invalid_json_is_400_even_for_a_new_document(client: XAPIClient) -> None:
    # XAPI-00314.
    resp = await client.request("POST", PATH, params=params(), data=b'{"a": 1}[',
                                headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert (await client.request("GET", PATH, params=params())).status == 404


async def test_delete(client: XAPIClient) -> None:
    # Deleting a document that is not there succeeds (XAPI-00285).
    assert (await client.request("DELETE", PATH, params=params())).status == 204
    await client.request("POST", PATH, params=params(), json={"a": 1})
    assert (await client.request("DELETE", PATH, params=params())).status == 204
    assert (await client.request("GET", PATH, params=params())).status == 404


async def test_multiple_get_lists_profile_ids_with_since(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(profileId="one"), json={"a": 1})
    await client.request("POST", PATH, params=params(profileId="other", activityId=ACTIVITY + "/2"), json={"a": 1})
    await asyncio.sleep(0.01)
    between = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.01)
    await client.request("POST", PATH, params=params(profileId="two"), json={"a": 2})
    resp = await client.request("GET", PATH, params=params(profileId=None))
    assert resp.status == 200
    assert sorted(await resp.json()) == ["one", "two"]
    resp = await client.request("GET", PATH, params=params(profileId=None, since=between))
    assert await resp.json() == ["two"]


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
async def test_profile_id_is_required_to_write_or_delete(client: XAPIClient, method: str) -> None:
    kwargs: dict[str, Any] = {"json": {"a": 1}, "headers": CREATE} if method != "DELETE" else {}
    resp = await client.request(method, PATH, params=params(profileId=None), **kwargs)
    assert resp.status == 400
    assert await error_field(resp) == "profileId"


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("overrides,field", [
    ({"activityId": None}, "activityId"),
    ({"activityId": "1"}, "activityId"),
    ({"activityId": "true"}, "activityId"),
    ({"activityId": '{"key": "value"}'}, "activityId"),
    ({"agent": json.dumps({"mbox": "mailto:a@example.com"})}, "agent"),
    ({"registration": "6b6e0e1c-7a35-4f48-9f0e-1a2b3c4d5e6f"}, "registration"),
    ({"stateId": "x"}, "stateId"),
])
async def test_invalid_or_unknown_parameters_are_400(client: XAPIClient, method: str, overrides: dict[str, Any],
                                                     field: str) -> None:
    kwargs: dict[str, Any] = {"json": {"a": 1}, "headers": CREATE} if method in ("PUT", "POST") else {}
    resp = await client.request(method, PATH, params=params(**overrides), **kwargs)
    assert resp.status == 400
    assert await error_field(resp) == field


async def test_invalid_since_is_400(client: XAPIClient) -> None:
    resp = await client.request("GET", PATH, params=params(profileId=None, since="true"))
    assert resp.status == 400
    assert await error_field(resp) == "since"


async def test_head(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    resp = await client.request("HEAD", PATH, params=params())
    assert resp.status == 200
    assert resp.headers["ETag"].startswith('"')
    assert await resp.read() == b""


async def test_activity_ids_are_compared_exactly(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    resp = await client.request("GET", PATH, params=params(activityId=ACTIVITY.upper().replace("HTTP", "http")))
    assert resp.status == 404
