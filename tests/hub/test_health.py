"""Health and metrics endpoints."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from tests.fixtures.http import XAPIClient


async def test_health_and_db_health(http: TestClient, backend) -> None:  # type: ignore[no-untyped-def]
    assert (await (await http.get("/health")).json())["status"] == "ok"
    db = await (await http.get("/health/db")).json()
    assert db["status"] == "ok" and db["dialect"] == backend.name
    assert (await (await http.get("/health/jobs")).json())["status"] == "ok"


async def test_metrics_count_requests_by_route(http: TestClient, xapi: XAPIClient) -> None:
    await xapi.get_statements()
    text = await (await http.get("/metrics")).text()
    assert "learnhub_http_requests_total" in text
    assert 'route="/xapi/statements"' in text
