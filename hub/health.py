"""Health and metrics: /health, /health/db, /health/jobs, /metrics (Prometheus text format)."""

from __future__ import annotations

import os
import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from hub import __version__
from hub.keys import DB, JOBS, SETTINGS, SIBLINGS
from hub.middleware import json_response

STARTED = time.time()


async def health(request: web.Request) -> web.Response:
    siblings = request.config_dict[SIBLINGS]
    return json_response({"status": "ok", "version": __version__, "uptime_seconds": round(time.time() - STARTED),
                          "worker": {"index": siblings.index, "of": siblings.count, "pid": os.getpid()}})


async def health_db(request: web.Request) -> web.Response:
    db = request.app[DB]
    started = time.perf_counter()
    try:
        await db.read(lambda conn: conn.execute(text("SELECT 1")), timeout=5)
    except Exception as exc:
        return json_response({"status": "error", "dialect": db.dialect, "error": str(exc)}, status=503)
    return json_response({"status": "ok", "dialect": db.dialect,
                          "latency_ms": round((time.perf_counter() - started) * 1000, 2)})


async def health_jobs(request: web.Request) -> web.Response:
    """The scheduler's jobs: when each runs next, when it last ran and how that went."""
    jobs = request.config_dict[JOBS]
    found = jobs.status()
    siblings = request.config_dict[SIBLINGS]
    failing = [job["id"] for job in found if (job["last_outcome"] or "").startswith("error")]
    if jobs.scheduler is not None:
        scheduler = "running"
    elif request.config_dict[SETTINGS].scheduler and not siblings.runs_jobs:
        # Another worker runs the jobs; this one's records are empty (hub.workers).
        scheduler = "in worker 0"
    else:
        scheduler = "off"
    return json_response({"status": "failing" if failing else "ok", "scheduler": scheduler,
                          "worker": siblings.index, "jobs": found},
                         status=503 if failing else 200)


async def metrics(_request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/health", health)
    app.router.add_get("/health/db", health_db)
    app.router.add_get("/health/jobs", health_jobs)
    app.router.add_get("/metrics", metrics)
