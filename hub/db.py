"""The database: one async engine per process, transactions with a retry budget, timed reads.

SQLite (aiosqlite) is the embedded default and PostgreSQL (asyncpg) the production
database; the same SQLAlchemy Core code runs on both. Dialect-specific SQL lives
next to the store that needs it, chosen by `Database.dialect`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url, URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

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

# How many times a transaction is re-run after a serialization failure or deadlock.
RETRY_BUDGET = 5


def async_url(url: str) -> URL:
    """Map the user-facing URL (sqlite:///x.db, postgresql://…) to the async driver."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed.set(drivername="sqlite+aiosqlite")
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+asyncpg")
    return parsed


def sync_url(url: str) -> URL:
    """The synchronous driver URL, for Alembic migrations."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return parsed.set(drivername="sqlite")
    if parsed.drivername.startswith("postgres"):
        return parsed.set(drivername="postgresql+psycopg2")
    return parsed


class Database:
    """The engine plus the rules every query follows: a write lock on SQLite, retries, time-outs."""

    def __init__(self, url: str, *, pool_size: int = 10, query_timeout: float = 10.0) -> None:
        self.url = async_url(url)
        self.dialect = "sqlite" if self.url.drivername.startswith("sqlite") else "postgresql"
        self.query_timeout = query_timeout
        kwargs: dict[str, Any] = {}
        if self.dialect == "postgresql":
            timeout_ms = str(int(query_timeout * 1000))
            kwargs.update(
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                connect_args={"server_settings": {"statement_timeout": timeout_ms,
                                                  "idle_in_transaction_session_timeout": "60000"}},
            )
        else:
            kwargs.update(pool_size=pool_size, max_overflow=0, connect_args={"timeout": 30})
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        # SQLite has one writer at a time; queueing writers here avoids busy-waiting in the driver.
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads (autocommit-free, rolled back at the end)."""
        async with self.engine.connect() as conn:
            yield conn

    async def read(self, fn: Callable[[AsyncConnection], Awaitable[T]], *, timeout: float | None = None) -> T:
        """Run a read under the query time-out; a slow query is interrupted, not left running."""
        limit = timeout or self.query_timeout
        async with self.engine.connect() as conn:
            try:
                return await asyncio.wait_for(fn(conn), limit)
            except asyncio.TimeoutError:
                await self._interrupt(conn)
                raise QueryTimeout(f"query exceeded the {limit:g}s time limit; narrow the filters") from None
            except DBAPIError as exc:
                if _is_timeout(exc):
                    raise QueryTimeout(f"query exceeded the {limit:g}s time limit; narrow the filters") from None
                raise

    async def transaction(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run fn in one transaction, re-running it on serialization failures or deadlocks."""
        attempt = 0
        while True:
            attempt += 1
            try:
                if self._write_lock is not None:
                    async with self._write_lock:
                        return await self._run_transaction(fn)
                return await self._run_transaction(fn)
            except (OperationalError, DBAPIError) as exc:
                if not _is_retryable(exc) or attempt >= RETRY_BUDGET:
                    if _is_retryable(exc):
                        raise ServiceUnavailable("the database is busy; retry the request",
                                                 headers={"Retry-After": "1"}) from exc
                    raise
                log.warning("retrying transaction", extra={"attempt": attempt, "error": str(exc.orig)})
                await asyncio.sleep(0.01 * 2 ** attempt)

    async def _run_transaction(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        async with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                # Take the write lock up front so a read-then-write transaction cannot deadlock.
                conn = await conn.execution_options(sqlite_begin="IMMEDIATE")
            async with conn.begin():
                return await fn(conn)

    async def _interrupt(self, conn: AsyncConnection) -> None:
        try:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            if self.dialect == "sqlite":
                driver._conn.interrupt()  # sqlite3.Connection.interrupt is thread-safe
            # PostgreSQL enforces statement_timeout on the server.
        except Exception:  # pragma: no cover - best effort
            log.exception("could not interrupt a timed-out query")


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions are unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000",
                       "cache_size=-65536", "temp_store=MEMORY", "mmap_size=268435456"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
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


def monotonic_deadline(seconds: float) -> float:
    return time.monotonic() + seconds
