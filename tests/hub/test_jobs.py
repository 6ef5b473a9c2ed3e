"""The job scheduler: started with the app, jobs registered by packages, runs recorded and shown on /health/jobs."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hub.app import create_app
from hub.db import Database
from hub.keys import JOBS
from tests.fixtures.databases import Backend
from tests.fixtures.http import settings_for


async def test_a_started_server_schedules_the_cmi5_sweep_and_reports_it(http: TestClient) -> None:
    body = await (await http.get("/health/jobs")).json()
    assert body["scheduler"] == "running"
    [sweep] = [job for job in body["jobs"] if job["id"] == "cmi5.abandon_idle_sessions"]
    assert sweep["scheduled"] is True and sweep["every_seconds"] == 300
    assert datetime.fromisoformat(sweep["next_run"])  # a real time from APScheduler
    assert sweep["last_run"] is None


async def test_runs_and_failures_are_recorded_and_a_failing_job_turns_health_red(
        backend: Backend, database: Database) -> None:
    app = create_app(settings_for(backend.url), database=database)
    calls: list[str] = []

    async def fine(_app: web.Application) -> int:
        calls.append("fine")
        return 3

    async def broken(_app: web.Application) -> None:
        raise RuntimeError("the vendor API said no")

    app[JOBS].add("test.fine", fine, every_seconds=3600, description="works")
    app[JOBS].add("test.broken", broken, every_seconds=3600, description="fails")
    async with TestClient(TestServer(app)) as client:
        assert await app[JOBS].run(app, "test.fine") == 3
        body = await (await client.get("/health/jobs")).json()
        assert {job["id"]: job["last_outcome"] for job in body["jobs"]}["test.fine"] == "ok: 3"
        assert body["status"] == "ok"
        await app[JOBS].run(app, "test.broken")
        response = await client.get("/health/jobs")
        assert response.status == 503
        body = await response.json()
        assert body["status"] == "failing"
        assert {job["id"]: job["last_outcome"] for job in body["jobs"]}["test.broken"] == \
            "error: the vendor API said no"
    assert calls == ["fine"]
    assert app[JOBS].scheduler is None  # stopped with the app


async def test_the_scheduler_can_be_turned_off(backend: Backend, database: Database) -> None:
    app = create_app(settings_for(backend.url, scheduler=False), database=database)
    async with TestClient(TestServer(app)) as client:
        body = await (await client.get("/health/jobs")).json()
    assert body["scheduler"] == "off"
    assert all(job["scheduled"] is False for job in body["jobs"])


async def test_postgres_servers_keep_planner_statistics_fresh(backend: Backend, http: TestClient) -> None:
    body = await (await http.get("/health/jobs")).json()
    names = [job["id"] for job in body["jobs"]]
    # SQLite's planner runs without statistics by design (its plans are pinned by tests); PostgreSQL needs them.
    assert ("db.refresh_statistics" in names) == (backend.name == "postgresql")


async def test_a_job_cancelled_by_the_server_stopping_is_recorded_and_not_reported_as_failing() -> None:
    import asyncio

    from hub.jobs import Jobs

    started = asyncio.Event()

    async def long_job(_app: web.Application) -> None:
        started.set()
        await asyncio.sleep(3600)

    jobs = Jobs()
    jobs.add("long", long_job, every_seconds=60, description="a job still running at shutdown")
    task = asyncio.ensure_future(jobs.run(web.Application(), "long"))
    await started.wait()
    task.cancel()
    assert await task is None and not task.cancelled()
    assert jobs.records["long"].last_outcome == "cancelled: the server stopped"
