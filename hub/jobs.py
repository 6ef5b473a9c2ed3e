"""The hub's job scheduler: APScheduler's AsyncIOScheduler on the server's event loop, started and stopped with
the app. Packages register interval jobs (the cmi5 sweep now, the connectors next); every run's time and
outcome is kept for /health/jobs. APScheduler, not a hand-written loop: misfire handling, coalescing and one
running instance per job come with it."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, AsyncIterator, Awaitable, Callable

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

JobFunction = Callable[[web.Application], Awaitable[Any]]


@dataclass
class JobRecord:
    job_id: str
    description: str
    every_seconds: float
    last_run: datetime | None = None
    last_outcome: str | None = None  # "ok: <result>" or "error: <message>"
    last_seconds: float | None = None


class Jobs:
    """Registered jobs and the scheduler that runs them; one per application."""

    def __init__(self) -> None:
        self.scheduler: AsyncIOScheduler | None = None
        self.records: dict[str, JobRecord] = {}
        self._functions: dict[str, JobFunction] = {}

    def add(self, job_id: str, function: JobFunction, *, every_seconds: float, description: str) -> None:
        """Register before start-up; runs every `every_seconds` while the app serves."""
        if job_id in self.records:
            raise ValueError(f"job {job_id!r} is registered twice")
        self.records[job_id] = JobRecord(job_id, description, every_seconds)
        self._functions[job_id] = function

    async def run(self, app: web.Application, job_id: str) -> Any:
        """Run one job now, recording its outcome (what the scheduler calls; tests call it directly too)."""
        record = self.records[job_id]
        started = time.perf_counter()
        record.last_run = datetime.now(UTC)
        try:
            result = await self._functions[job_id](app)
        except Exception as exc:  # a failing job is reported, and runs again at its next time
            record.last_outcome = f"error: {exc}"
            log.exception("job failed", extra={"job": job_id})
            return None
        except asyncio.CancelledError:
            # The server is stopping (the scheduler's tasks are cancelled with the loop): not a failure, and
            # nothing is left to tell (APScheduler would log the cancellation as the job raising).
            record.last_outcome = "cancelled: the server stopped"
            log.info("job cancelled", extra={"job": job_id})
            return None
        finally:
            record.last_seconds = round(time.perf_counter() - started, 3)
        record.last_outcome = f"ok: {result}"
        return result

    def start(self, app: web.Application) -> None:
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        for job_id, record in self.records.items():
            self.scheduler.add_job(self.run, "interval", args=(app, job_id), id=job_id,
                                   seconds=record.every_seconds, coalesce=True, max_instances=1)
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None

    def status(self) -> list[dict[str, Any]]:
        found = []
        for job_id, record in self.records.items():
            job = self.scheduler.get_job(job_id) if self.scheduler is not None else None
            next_run = getattr(job, "next_run_time", None) if job is not None else None
            found.append({"id": job_id, "description": record.description, "every_seconds": record.every_seconds,
                          "scheduled": job is not None,
                          "next_run": next_run.isoformat() if next_run else None,
                          "last_run": record.last_run.isoformat() if record.last_run else None,
                          "last_outcome": record.last_outcome, "last_seconds": record.last_seconds})
        return found


def jobs_ctx(enabled: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    """cleanup_ctx: start the scheduler with the app (when enabled), stop it on shutdown."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        from hub.keys import JOBS  # hub.keys imports this module

        if enabled:
            app[JOBS].start(app)
        yield
        app[JOBS].stop()

    return ctx
