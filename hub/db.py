"""The database: transactions with a retry budget and timed reads, the same Core code on both dialects.

Store functions are plain synchronous SQLAlchemy Core over a `Connection`, and every transaction
or read runs as one unit:
  - PostgreSQL: on the asyncpg async engine through `AsyncConnection.run_sync` (no threads);
  - SQLite: in a dedicated writer thread (SQLite has one writer) or a reader pool, on pysqlite.
A whole SQLite transaction then costs one thread hand-off (~0.1 ms) instead of one per statement
(~0.4 ms each through aiosqlite and the async adapter), which is what makes the ingest targets
reachable on the embedded default.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hub.errors import QueryTimeout, ServiceUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# How many times a transaction is re-run after a serialization failure, deadlock or busy database.
RETRY_BUDGET = 5

SQLITE_PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000",
                  "cache_size=-262144", "temp_store=MEMORY", "mmap_size=1073741824",
                  # Checkpoint every ~80 MB of WAL instead of 4 MB: hot index pages are copied once, not 20 times.
                  "wal_autocheckpoint=20000")


def async_url(url: str) -> URL:
    """Map the user-facing URL (sqlite:///x.db, postgresql://…) to the async driver."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed.set(drivername="sqlite+aiosqlite")
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+asyncpg")
    return parsed


def sqlite_url(url: str) -> URL:
    return make_url(url).set(drivername="sqlite")


class Database:
    """The engine plus the rules every query follows: one writer on SQLite, retries, time-outs."""

    def __init__(self, url: str, *, pool_size: int = 10, query_timeout: float = 10.0) -> None:
        self.dialect = "sqlite" if make_url(url).drivername.startswith("sqlite") else "postgresql"
        self.query_timeout = query_timeout
        self.engine: AsyncEngine | None = None
        self.sync_engine: Engine | None = None
        if self.dialect == "postgresql":
            timeout_ms = str(int(query_timeout * 1000))
            self.engine = create_async_engine(
                async_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                connect_args={"server_settings": {"statement_timeout": timeout_ms,
                                                  "idle_in_transaction_session_timeout": "60000"}})
        else:
            self.sync_engine = create_engine(sqlite_url(url), pool_size=pool_size + 1, max_overflow=0,
                                             connect_args={"check_same_thread": False, "timeout": 30})
            _configure_sqlite(self.sync_engine)
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
            self._readers = ThreadPoolExecutor(pool_size, thread_name_prefix="sqlite-reader")

    async def dispose(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()
        if self.sync_engine is not None:
            self._writer.shutdown(wait=True)
            self._readers.shutdown(wait=True)
            self.sync_engine.dispose()

    async def read(self, fn: Callable[[Connection], T], *, timeout: float | None = None) -> T:
        """Run fn(conn) under the query time-out; a slow SQLite query is interrupted, not left running."""
        limit = timeout or self.query_timeout
        try:
            if self.engine is not None:
                async with self.engine.connect() as conn:
                    return await asyncio.wait_for(conn.run_sync(fn), limit)
            return await self._in_thread(self._readers, fn, limit, write=False)
        except asyncio.TimeoutError:
            raise QueryTimeout(f"query exceeded the {limit:g}s time limit; narrow the filters") from None
        except DBAPIError as exc:
            if _is_timeout(exc):
                raise QueryTimeout(f"query exceeded the {limit:g}s time limit; narrow the filters") from None
            raise

    async def transaction(self, fn: Callable[[Connection], T]) -> T:
        """Run fn(conn) in one transaction, re-running it on serialization failures or deadlocks."""
        attempt = 0
        while True:
            attempt += 1
            try:
                if self.engine is not None:
                    async with self.engine.connect() as conn:
                        async with conn.begin():
                            return await conn.run_sync(fn)
                return await self._in_thread(self._writer, fn, None, write=True)
            except DBAPIError as exc:
                if not _is_retryable(exc):
                    raise
                if attempt >= RETRY_BUDGET:
                    raise ServiceUnavailable("the database is busy; retry the request",
                                             headers={"Retry-After": "1"}) from exc
                log.warning("retrying transaction", extra={"attempt": attempt, "error": str(exc.orig)})
                await asyncio.sleep(0.01 * 2 ** attempt)

    async def _in_thread(self, pool: ThreadPoolExecutor, fn: Callable[[Connection], T], limit: float | None,
                         *, write: bool) -> T:
        assert self.sync_engine is not None
        running: dict[str, Any] = {}
        engine = self.sync_engine

        def run() -> T:
            with engine.connect() as conn:
                running["driver"] = conn.connection.driver_connection
                if write:
                    conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                    with conn.begin():
                        return fn(conn)
                try:
                    return fn(conn)
                finally:
                    conn.rollback()

        future = asyncio.get_running_loop().run_in_executor(pool, run)
        if limit is None:
            return await future
        done, _ = await asyncio.wait({future}, timeout=limit)
        if not done:
            driver = running.get("driver")
            if driver is not None:
                driver.interrupt()  # sqlite3.Connection.interrupt is thread-safe
            try:
                await future
            except Exception:
                pass
            raise asyncio.TimeoutError
        return future.result()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions are unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def _is_retryable(exc: DBAPIError) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in ("40001", "40P01"):
        return True
    text = str(orig).lower()
    return "database is locked" in text or "deadlock detected" in text or "could not serialize" in text


def _is_timeout(exc: DBAPIError) -> bool:
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    text = str(orig).lower()
    return code == "57014" or "interrupted" in text or "statement timeout" in text


def current_thread_name() -> str:
    return threading.current_thread().name
