"""The JSON error envelope is the same for every error and every endpoint."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from hub.errors import BadRequest, Conflict, HubError, NotFound, PayloadTooLarge, PreconditionFailed
from tests.fixtures.http import XAPIClient

ENVELOPE_KEYS = {"status", "code", "message"}


@pytest.mark.parametrize("error,status,code", [
    (BadRequest("bad", field="actor.mbox"), 400, "bad_request"),
    (NotFound("gone"), 404, "not_found"),
    (Conflict("clash", field="id"), 409, "conflict"),
    (PreconditionFailed("etag"), 412, "precondition_failed"),
    (PayloadTooLarge("big"), 413, "payload_too_large"),
])
def test_each_error_carries_its_status_and_code(error: HubError, status: int, code: str) -> None:
    body = error.body()["error"]
    assert body["status"] == status and body["code"] == code and body["message"]
    assert ("field" in body) == (error.field is not None)


async def assert_envelope(resp, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status == status
    assert resp.headers["Content-Type"].startswith("application/json")
    body = await resp.json()
    assert set(body) == {"error"}
    assert ENVELOPE_KEYS <= set(body["error"]) <= ENVELOPE_KEYS | {"field", "details"}
    assert body["error"]["status"] == status
    return body["error"]


async def test_envelope_on_every_xapi_resource(xapi: XAPIClient) -> None:
    for path in ("/xapi/statements?colour=red", "/xapi/activities/state", "/xapi/activities/profile",
                 "/xapi/agents/profile", "/xapi/activities", "/xapi/agents"):
        await assert_envelope(await xapi.request("GET", path), 400)


async def test_envelope_on_unauthenticated_and_unknown_routes(http: TestClient) -> None:
    error = await assert_envelope(await http.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"}),
                                  401)
    assert error["code"] == "unauthorized"
    await assert_envelope(await http.get("/no/such/page"), 404)
    await assert_envelope(await http.post("/health"), 405)
