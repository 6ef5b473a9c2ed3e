"""Protocol rules: version header, CORS, alternate request syntax, body limits, error envelope."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient, TestServer

from hub.app import create_app
from hub.db import Database
from tests.fixtures.databases import Backend
from tests.fixtures.http import XAPIClient, settings_for
from tests.fixtures.statements import make_statement


async def test_missing_version_header_is_400_answered_in_the_clients_version(xapi: XAPIClient) -> None:
    resp = await xapi.client.get("/xapi/statements", headers={"Authorization": xapi.auth})
    assert resp.status == 400
    assert (await resp.json())["error"]["field"] == "X-Experience-API-Version"
    assert resp.headers["X-Experience-API-Version"] == "2.0.0"


async def test_unsupported_version_is_rejected(xapi: XAPIClient) -> None:
    for version in ("0.9", "1.1.0", "3.0.0", "abc"):
        resp = await xapi.request("GET", "/xapi/statements", headers={"X-Experience-API-Version": version})
        assert resp.status == 400, version


async def test_responses_carry_the_negotiated_version(xapi: XAPIClient, xapi2: XAPIClient) -> None:
    assert (await xapi.get_statements()).headers["X-Experience-API-Version"] == "1.0.3"
    assert (await xapi2.get_statements()).headers["X-Experience-API-Version"] == "2.0.0"
    resp = await xapi.request("GET", "/xapi/statements", headers={"X-Experience-API-Version": "1.0.1"})
    assert resp.headers["X-Experience-API-Version"] == "1.0.3"


async def test_every_answer_must_be_revalidated_by_browsers(xapi: XAPIClient) -> None:
    """A GET with Last-Modified and no Cache-Control may be reused by heuristic freshness: a cmi5 AU's
    learner-preferences GET then never reached the LRS, whose gate refused the AU's `initialized`."""
    agent = json.dumps({"mbox": "mailto:learner@example.com"})
    put = await xapi.request("PUT", "/xapi/agents/profile", params={"agent": agent, "profileId": "prefs"},
                             json={"languagePreference": "en-US"}, headers={"If-None-Match": "*"})
    assert put.status == 204
    statement = make_statement()
    assert (await xapi.post_statements(statement)).status == 200
    responses = [await xapi.request("GET", "/xapi/agents/profile", params={"agent": agent, "profileId": "prefs"}),
                 await xapi.get_statements(statementId=statement["id"]), await xapi.get_statements(),
                 await xapi.request("GET", "/xapi/about"), put]
    for resp in responses:
        assert resp.headers["Cache-Control"] == "no-cache", resp.url
    assert "Last-Modified" in responses[0].headers or "ETag" in responses[0].headers


async def test_cors_preflight_without_credentials(http: TestClient) -> None:
    resp = await http.options("/xapi/statements", headers={"Origin": "http://content.example.com",
                                                           "Access-Control-Request-Method": "POST"})
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Experience-API-Version" in resp.headers["Access-Control-Allow-Headers"]


async def test_alternate_syntax_get_and_put_in_1_0_3(xapi: XAPIClient) -> None:
    statement = make_statement()
    form = {"Authorization": xapi.auth, "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json",
            "statementId": statement["id"], "content": json.dumps(statement)}
    resp = await xapi.client.post("/xapi/statements?method=PUT", data=urlencode(form),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 204, await resp.text()
    form = {"Authorization": xapi.auth, "X-Experience-API-Version": "1.0.3", "statementId": statement["id"]}
    resp = await xapi.client.post("/xapi/statements?method=GET", data=urlencode(form),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 200
    assert (await resp.json())["id"] == statement["id"]


async def test_alternate_syntax_is_rejected_in_2_0(xapi2: XAPIClient) -> None:
    form = {"Authorization": xapi2.auth, "X-Experience-API-Version": "2.0.0"}
    resp = await xapi2.client.post("/xapi/statements?method=GET", data=urlencode(form),
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 400


async def test_alternate_syntax_with_extra_query_parameter_is_rejected(xapi: XAPIClient) -> None:
    form = {"Authorization": xapi.auth, "X-Experience-API-Version": "1.0.3"}
    resp = await xapi.client.post(f"/xapi/statements?method=GET&statementId={uuid.uuid4()}", data=urlencode(form),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 400


async def test_oversize_body_is_413_and_stores_nothing(backend: Backend, database: Database,
                                                      lrs_credential) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(backend.url, max_body_bytes=4096), database=database)
    async with TestClient(TestServer(app)) as http:
        client = XAPIClient(http, lrs_credential.key, lrs_credential.secret)
        statement = make_statement(result={"response": "x" * 10_000})
        resp = await client.post_statements(statement)
        assert resp.status == 413
        assert (await resp.json())["error"]["code"] == "payload_too_large"
        assert (await client.get_statements(statementId=statement["id"])).status == 404


async def test_unknown_route_and_method_use_the_error_envelope(xapi: XAPIClient) -> None:
    resp = await xapi.request("GET", "/xapi/nothing-here")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"
    resp = await xapi.request("DELETE", "/xapi/statements")
    assert resp.status == 405
    assert "Allow" in resp.headers
