"""The State Resource (1.0.3 Communication §2.3, 2.0 §4.1.6.2) over HTTP, on both backends."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from lrs.ops.credentials import create_credential
from tests.fixtures.http import XAPIClient

PATH = "/xapi/activities/state"
ACTIVITY = "http://www.example.com/activities/state-test"
AGENT = {"objectType": "Agent", "account": {"homePage": "http://www.example.com/agents", "name": "Rick James"}}


def params(**overrides: Any) -> dict[str, str]:
    base: dict[str, Any] = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "bookmark"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture(params=["1.0.3", "2.0.0"])
def client(request: pytest.FixtureRequest, xapi: XAPIClient, xapi2: XAPIClient) -> XAPIClient:
    return xapi if request.param == "1.0.3" else xapi2


async def error_field(resp: Any) -> str | None:
    body = await resp.json()
    return body["error"].get("field")


async def test_put_then_get_returns_document_with_etag_and_last_modified(client: XAPIClient) -> None:
    document = {"name": "Rick", "location": {"name": "Here"}}
    resp = await client.request("PUT", PATH, params=params(), json=document)
    assert resp.status == 204
    resp = await client.request("GET", PATH, params=params())
    assert resp.status == 200
    raw = await resp.read()
    assert json.loads(raw) == document
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["ETag"] == f'"{hashlib.sha1(raw).hexdigest()}"'
    assert resp.headers["Last-Modified"].endswith(" GMT")
    assert resp.headers["X-Experience-API-Version"].startswith(client.version[:3])


async def test_binary_document_is_kept_byte_exact(client: XAPIClient) -> None:
    content = bytes(range(256)) + b"\x00\xff\r\n"
    resp = await client.request("PUT", PATH, params=params(), data=content,
                                headers={"Content-Type": "application/octet-stream"})
    assert resp.status == 204
    resp = await client.request("GET", PATH, params=params())
    assert resp.status == 200
    assert await resp.read() == content
    assert resp.headers["Content-Type"] == "application/octet-stream"
    assert resp.headers["ETag"] == f'"{hashlib.sha1(content).hexdigest()}"'


async def test_content_type_parameters_are_returned_as_stored(client: XAPIClient) -> None:
    resp = await client.request("PUT", PATH, params=params(), data="héllo".encode(),
                                headers={"Content-Type": "text/plain; charset=utf-8"})
    assert resp.status == 204
    resp = await client.request("GET", PATH, params=params())
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert (await resp.read()).decode() == "héllo"


async def test_get_missing_document_is_404(client: XAPIClient) -> None:
    resp = await client.request("GET", PATH, params=params(stateId="nothing-here"))
    assert resp.status == 404


async def test_head_returns_headers_without_body(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    resp = await client.request("HEAD", PATH, params=params())
    assert resp.status == 200
    assert resp.headers["ETag"].startswith('"')
    assert "Last-Modified" in resp.headers
    assert await resp.read() == b""
    resp = await client.request("HEAD", PATH, params=params(stateId=None))
    assert resp.status == 200
    assert await resp.read() == b""


async def test_post_creates_then_merges_top_level_properties(client: XAPIClient) -> None:
    first = {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale", "keep": True}
    second = {"car": {"make": "Dodge"}, "driver": "Jeff", "new": [1, 2]}
    assert (await client.request("POST", PATH, params=params(), json=first)).status == 204
    assert (await client.request("POST", PATH, params=params(), json=second)).status == 204
    resp = await client.request("GET", PATH, params=params())
    # Communication §2.2.s7: only top-level properties merge; a nested object is replaced whole.
    assert await resp.json() == {"car": {"make": "Dodge"}, "driver": "Jeff", "keep": True, "new": [1, 2]}
    assert resp.headers["Content-Type"] == "application/json"


async def test_merge_keeps_large_integers_exact(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), data=b'{"big": 123456789012345678901234567890}',
                         headers={"Content-Type": "application/json"})
    await client.request("POST", PATH, params=params(), json={"other": 1.5})
    resp = await client.request("GET", PATH, params=params())
    assert json.loads(await resp.read()) == {"big": 123456789012345678901234567890, "other": 1.5}


@pytest.mark.parametrize("body,content_type", [
    (b"abcdefg", "not/json"),
    (b"abc", "application/x-www-form-urlencoded"),
    (b'{"a": 1}{', "application/json"),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"),
])
async def test_post_onto_json_document_needs_a_json_object(client: XAPIClient, body: bytes, content_type: str) -> None:
    document = {"name": "original"}
    await client.request("POST", PATH, params=params(), json=document)
    resp = await client.request("POST", PATH, params=params(), data=body, headers={"Content-Type": content_type})
    assert resp.status == 400
    resp = await client.request("GET", PATH, params=params())
    assert await resp.json() == document


async def test_post_json_onto_non_json_document_is_rejected(client: XAPIClient) -> None:
    original = b"/ asdf / undefined"
    await client.request("PUT", PATH, params=params(), data=original,
                         headers={"Content-Type": "application/octet-stream"})
    resp = await client.request("POST", PATH, params=params(), json={"a": 1})
    assert resp.status == 400
    assert await error_field(resp) == "Content-Type"
    resp = await client.request("GET", PATH, params=params())
    assert await resp.read() == original


async def test_post_onto_stored_json_that_is_not_an_object_is_rejected(client: XAPIClient) -> None:
    await client.request("PUT", PATH, params=params(), json=[1, 2, 3])
    resp = await client.request("POST", PATH, params=params(), json={"a": 1})
    assert resp.status == 400
    resp = await client.request("GET", PATH, params=params())
    assert await resp.json() == [1, 2, 3]


@pytest.mark.parametrize("method", ["PUT", "POST"])
async def test_invalid_json_is_rejected_when_labelled_json(client: XAPIClient, method: str) -> None:
    resp = await client.request(method, PATH, params=params(), data=b'{"a": ',
                                headers={"Content-Type": "application/json"})
    assert resp.status == 400
    assert await error_field(resp) == "body"
    assert (await client.request("GET", PATH, params=params())).status == 404


async def test_put_replaces_without_concurrency_headers_in_1_0_3(xapi: XAPIClient) -> None:
    # 1.0.3 Communication §3.1.s3: the State Resource permits PUT without concurrency headers.
    assert (await xapi.request("PUT", PATH, params=params(), json={"v": 1})).status == 204
    assert (await xapi.request("PUT", PATH, params=params(), json={"v": 2})).status == 204
    resp = await xapi.request("GET", PATH, params=params())
    assert await resp.json() == {"v": 2}


async def test_put_over_existing_without_headers_is_409_in_2_0(xapi2: XAPIClient) -> None:
    # 2.0 §4.1.4: the State Resource is under the same concurrency rules as the profiles.
    assert (await xapi2.request("PUT", PATH, params=params(), json={"v": 1})).status == 204
    resp = await xapi2.request("PUT", PATH, params=params(), json={"v": 2})
    assert resp.status == 409
    assert "If-Match" in (await resp.json())["error"]["message"]
    resp = await xapi2.request("GET", PATH, params=params())
    assert await resp.json() == {"v": 1}


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("missing", ["activityId", "agent"])
async def test_missing_required_parameter_is_400(client: XAPIClient, method: str, missing: str) -> None:
    kwargs: dict[str, Any] = {"json": {"a": 1}} if method in ("PUT", "POST") else {}
    resp = await client.request(method, PATH, params=params(**{missing: None}), **kwargs)
    assert resp.status == 400
    assert await error_field(resp) == missing


@pytest.mark.parametrize("method", ["PUT", "POST"])
async def test_state_id_is_required_to_write(client: XAPIClient, method: str) -> None:
    resp = await client.request(method, PATH, params=params(stateId=None), json={"a": 1})
    assert resp.status == 400
    assert await error_field(resp) == "stateId"


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE"])
@pytest.mark.parametrize("name,value", [
    ("agent", "not JSON"),
    ("agent", "true"),
    ("agent", json.dumps({"objectType": "Agent", "name": "no identifier"})),
    ("agent", json.dumps({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]})),
    ("registration", "true"),
    ("registration", "1234"),
    ("activityId", "true"),
    ("activityId", "undefined"),
    ("activityId", json.dumps({"key": "value"})),
    ("stateId", ""),
    ("extra", "1"),
])
async def test_invalid_parameter_is_400_naming_it(client: XAPIClient, method: str, name: str, value: str) -> None:
    kwargs: dict[str, Any] = {"json": {"a": 1}} if method in ("PUT", "POST") else {}
    resp = await client.request(method, PATH, params=params(**{name: value}), **kwargs)
    assert resp.status == 400
    assert await error_field(resp) == name


async def test_broken_agent_encoding_is_400(client: XAPIClient) -> None:
    # XAPI-00235: the agent's JSON is broken in the query string.
    agent = json.dumps(AGENT).replace(":", '"', 1)
    query = urlencode({"activityId": ACTIVITY, "stateId": "x", "agent": agent})
    resp = await client.request("POST", f"{PATH}?{query}", json={"a": 1})
    assert resp.status == 400


async def test_duplicate_parameter_is_400(client: XAPIClient) -> None:
    query = urlencode([("activityId", ACTIVITY), ("agent", json.dumps(AGENT)), ("stateId", "a"), ("stateId", "b")])
    resp = await client.request("GET", f"{PATH}?{query}")
    assert resp.status == 400
    assert await error_field(resp) == "stateId"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
async def test_since_is_only_for_get(client: XAPIClient, method: str) -> None:
    kwargs: dict[str, Any] = {"json": {"a": 1}} if method in ("PUT", "POST") else {}
    resp = await client.request(method, PATH, params=params(since="2020-01-01T00:00:00Z"), **kwargs)
    assert resp.status == 400
    assert await error_field(resp) == "since"


async def test_invalid_since_is_400(client: XAPIClient) -> None:
    for value in ("not a timestamp", "true"):
        resp = await client.request("GET", PATH, params=params(stateId=None, since=value))
        assert resp.status == 400
        assert await error_field(resp) == "since"


async def test_multiple_get_lists_ids_with_since_exclusive(client: XAPIClient) -> None:
    resp = await client.request("GET", PATH, params=params(stateId=None))
    assert resp.status == 200
    assert await resp.json() == []
    await client.request("POST", PATH, params=params(stateId="first"), json={"a": 1})
    await asyncio.sleep(0.01)
    between = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    await asyncio.sleep(0.01)
    await client.request("POST", PATH, params=params(stateId="second"), json={"a": 2})
    resp = await client.request("GET", PATH, params=params(stateId=None))
    assert resp.status == 200
    assert sorted(await resp.json()) == ["first", "second"]
    assert resp.headers["Content-Type"] == "application/json"
    assert "Last-Modified" in resp.headers and resp.headers["ETag"].startswith('"')
    resp = await client.request("GET", PATH, params=params(stateId=None, since=between))
    assert await resp.json() == ["second"]
    resp = await client.request("GET", PATH, params=params(stateId=None, since="2999-01-01T00:00:00Z"))
    assert await resp.json() == []
    assert "Last-Modified" not in resp.headers


async def test_since_beside_state_id_is_accepted_and_ignored(client: XAPIClient) -> None:
    await client.request("PUT", PATH, params=params(), json={"a": 1})
    resp = await client.request("GET", PATH, params=params(since="2999-01-01T00:00:00Z"))
    assert resp.status == 200


async def test_agent_is_matched_by_its_identifier(client: XAPIClient) -> None:
    agent = {"objectType": "Agent", "name": "Ann", "mbox": "mailto:ann@Example.COM"}
    await client.request("PUT", PATH, params=params(agent=json.dumps(agent)), json={"a": 1})
    same = {"mbox": "mailto:ann@example.com"}
    resp = await client.request("GET", PATH, params=params(agent=json.dumps(same)))
    assert resp.status == 200
    other = {"mbox": "mailto:bob@example.com"}
    assert (await client.request("GET", PATH, params=params(agent=json.dumps(other)))).status == 404


async def test_registration_scopes_single_and_multiple_operations(client: XAPIClient) -> None:
    reg_a, reg_b = str(uuid.uuid4()), str(uuid.uuid4())
    await client.request("PUT", PATH, params=params(stateId="s"), json={"where": "none"})
    await client.request("PUT", PATH, params=params(stateId="s", registration=reg_a), json={"where": "a"})
    await client.request("PUT", PATH, params=params(stateId="t", registration=reg_b), json={"where": "b"})
    resp = await client.request("GET", PATH, params=params(stateId="s", registration=reg_a.upper()))
    assert await resp.json() == {"where": "a"}
    resp = await client.request("GET", PATH, params=params(stateId="s"))
    assert await resp.json() == {"where": "none"}
    assert (await client.request("GET", PATH, params=params(stateId="t"))).status == 404

    resp = await client.request("GET", PATH, params=params(stateId=None, registration=reg_a))
    assert await resp.json() == ["s"]
    # Without a registration the context is Activity + Agent: every registration's ids, once each.
    resp = await client.request("GET", PATH, params=params(stateId=None))
    assert sorted(await resp.json()) == ["s", "t"]

    assert (await client.request("DELETE", PATH, params=params(stateId=None, registration=reg_a))).status == 204
    resp = await client.request("GET", PATH, params=params(stateId=None))
    assert sorted(await resp.json()) == ["s", "t"]
    assert (await client.request("GET", PATH, params=params(stateId="s", registration=reg_a))).status == 404

    assert (await client.request("DELETE", PATH, params=params(stateId=None))).status == 204
    resp = await client.request("GET", PATH, params=params(stateId=None))
    assert await resp.json() == []


async def test_multiple_delete_leaves_other_contexts(client: XAPIClient) -> None:
    other_activity = ACTIVITY + "/other"
    await client.request("PUT", PATH, params=params(stateId="mine"), json={"a": 1})
    await client.request("PUT", PATH, params=params(stateId="theirs", activityId=other_activity), json={"a": 2})
    assert (await client.request("DELETE", PATH, params=params(stateId=None))).status == 204
    assert (await client.request("GET", PATH, params=params(stateId="mine"))).status == 404
    assert (await client.request("GET", PATH, params=params(stateId="theirs", activityId=other_activity))).status == 200


async def test_delete_single_document(client: XAPIClient) -> None:
    await client.request("PUT", PATH, params=params(stateId="a"), json={"a": 1})
    await client.request("PUT", PATH, params=params(stateId="b"), json={"b": 1})
    assert (await client.request("DELETE", PATH, params=params(stateId="a"))).status == 204
    assert (await client.request("GET", PATH, params=params(stateId="a"))).status == 404
    assert (await client.request("GET", PATH, params=params(stateId="b"))).status == 200
    # Deleting what is not there is not an error.
    assert (await client.request("DELETE", PATH, params=params(stateId="a"))).status == 204


async def test_last_modified_moves_forward_on_update(client: XAPIClient) -> None:
    await client.request("POST", PATH, params=params(), json={"a": 1})
    first = (await client.request("GET", PATH, params=params())).headers["Last-Modified"]
    await asyncio.sleep(1.1)
    await client.request("POST", PATH, params=params(), json={"a": 2})
    second = (await client.request("GET", PATH, params=params())).headers["Last-Modified"]
    parse = lambda value: datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT")  # noqa: E731
    assert parse(second) > parse(first)


async def test_alternate_request_syntax_in_1_0_3(xapi: XAPIClient) -> None:
    form = {**params(), "content": json.dumps({"via": "form"}), "Content-Type": "application/json"}
    resp = await xapi.request("POST", f"{PATH}?method=PUT", data=urlencode(form),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 204
    resp = await xapi.request("POST", f"{PATH}?method=GET", data=urlencode(params()),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 200
    assert await resp.json() == {"via": "form"}
    resp = await xapi.request("POST", f"{PATH}?method=HEAD", data=urlencode(params()),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 200
    assert resp.headers["ETag"].startswith('"')
    assert await resp.read() == b""
    resp = await xapi.request("POST", f"{PATH}?method=DELETE", data=urlencode(params()),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 204
    assert (await xapi.request("GET", PATH, params=params())).status == 404


async def test_method_not_allowed(client: XAPIClient) -> None:
    resp = await client.request("PATCH", PATH, params=params(), json={"a": 1})
    assert resp.status == 405


async def test_scopes_are_enforced(http: Any, database: Any, tenant: Any) -> None:
    issued = await create_credential(database, tenant.id, scopes="statements/write")
    client = XAPIClient(http, issued.key, issued.secret)
    assert (await client.request("GET", PATH, params=params())).status == 403
    assert (await client.request("PUT", PATH, params=params(), json={"a": 1})).status == 403
    reader = await create_credential(database, tenant.id, scopes="all/read")
    client = XAPIClient(http, reader.key, reader.secret)
    assert (await client.request("GET", PATH, params=params())).status == 404
    assert (await client.request("DELETE", PATH, params=params())).status == 403


async def test_overlong_key_is_400_on_every_backend(client: XAPIClient) -> None:
    # PostgreSQL's unique index limits the key's size; the limit is the same on SQLite.
    assert (await client.request("PUT", PATH, params=params(stateId="s" * 2000), json={"a": 1})).status == 204
    resp = await client.request("PUT", PATH, params=params(stateId="s" * 3000), json={"a": 1})
    assert resp.status == 400
    assert await error_field(resp) == "stateId"


async def test_agent_with_lone_surrogate_is_400(client: XAPIClient) -> None:
    agent = '{"account": {"homePage": "http://www.example.com", "name": "\\ud800x"}}'
    resp = await client.request("PUT", PATH, params=params(agent=agent), json={"a": 1})
    assert resp.status == 400
    assert await error_field(resp) == "agent"
