"""The database: transactions with a retry budget and timed reads, the same Core code on both dialects.

Store functions are plain synchronous SQLAlchemy Core over a `Connection`, and every transaction
or read runs as one unit:
  - PostgreSQL: on the asyncpg async engine through `AsyncConnection.run_sync` (no threads);
    reads on a pool of their own in autocommit, without BEGIN, ROLLBACK or a ping before use;
  - SQLite (pysqlite): on the event loop itself. An index lookup takes ~20 µs, so handing work to a
    thread costs more than the work: sqlite3 releases and re-takes the GIL at every step, and
    measured through aiosqlite each statement cost ~0.4 ms, through a writer thread ~0.2 ms of
    GIL waits. Writes requested while the previous group commits share one commit (group commit);
    only the COMMIT itself, which waits for fsync, runs in a thread, so the loop parses and
    validates the next requests meanwhile. Reads use their own connection (WAL readers never wait
    for the writer) under a progress-handler time limit; the WAL checkpoint runs in a background
    thread.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
import threading
import time
from typing import Any, Callable, Sequence, TypeVar, cast

import asyncpg
from sqlalchemy import Connection, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.sql.expression import Select

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
RETRY_BUDGET = 8
# At most this many queued write transactions share one SQLite commit (see Database._drain_writes).
GROUP_COMMIT_LIMIT = 64

SQLITE_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON",
                  # Never block the event loop for long on another process's lock: fail fast, retry async.
                  "busy_timeout=50",
                  "cache_size=-524288", "temp_store=MEMORY", "mmap_size=8589934592",
                  # A background thread backfills the WAL every 20 ms (Database._checkpoint_loop); the
                  # committing connection still checkpoints at 40 MB, which finds the frames already
                  # copied and lets the WAL restart instead of growing without bound under steady writes.
                  # Measured at 1,000,000 statements, single-statement POST p99: 74-77 ms with a 0.5 s
                  # interval (the commit copied up to 40 MB of frames), 31 ms at 50 ms, 15-17 ms at 20 ms.
                  "wal_autocheckpoint=10000")
CHECKPOINT_INTERVAL_SECONDS = 0.02
# Database.refresh_statistics: the tables to ANALYZE (PostgreSQL's autovacuum defaults are 50 and 0.1).
ANALYZE_MIN_CHANGES = 500
ANALYZE_FRACTION = 0.1


def async_url(url: str) -> URL:
    """Map the user-facing URL (sqlite:///x.db, postgresql://…) to the async driver."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed.set(drivername="sqlite+aiosqlite")
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+asyncpg")
    return parsed


def dialect_of(url: str) -> str:
    """"sqlite" or "postgresql", for a user-facing database URL."""
    return "sqlite" if make_url(url).drivername.startswith("sqlite") else "postgresql"


def sqlite_url(url: str) -> URL:
    return make_url(url).set(drivername="sqlite")


def in_memory(url: str) -> bool:
    """Whether the URL names an in-memory SQLite database (one process's own, never shared)."""
    return dialect_of(url) == "sqlite" and sqlite_url(url).database in (None, "", ":memory:")


class Database:
    """The engine plus the rules every query follows: one writer on SQLite, retries, time-outs."""

    def __init__(self, url: str, *, pool_size: int = 10, query_timeout: float = 10.0,
                 sqlite_synchronous: str = "FULL", exclusive: bool = True) -> None:
        """`exclusive`: this process is the only server process on the database. Otherwise (several
        workers, hub.workers) SQLite writers take turns through a lock file, and `caches` holds
        nothing that another process's writes could make stale."""
        self.dialect = dialect_of(url)
        self.query_timeout = query_timeout
        self.exclusive = exclusive
        self._writer_lock: _TurnLock | None = None
        self.engine: AsyncEngine | None = None
        self.read_engine: AsyncEngine | None = None
        # Process-local caches of what this database holds, by owner (e.g. "lrs.definitions").
        self.caches: dict[str, Any] = {}
        self.sync_engine: Engine | None = None
        if self.dialect == "postgresql":
            timeout_ms = str(int(query_timeout * 1000))
            connect_args = {"server_settings": {
                "statement_timeout": timeout_ms,
                "idle_in_transaction_session_timeout": "60000",
                # asyncpg keeps prepared statements per connection; a generic plan chosen while
                # the tables were small (sequential scans) made ingest slower with every row.
                "plan_cache_mode": "force_custom_plan"}}
            # Writes check a pooled connection before use (a ping): a transaction is not re-run after
            # an error that might have come after its COMMIT.
            self.engine = create_async_engine(async_url(url), pool_size=pool_size, max_overflow=pool_size,
                                              pool_pre_ping=True, connect_args=connect_args)
            # Reads have a pool of their own, in autocommit and without the ping: under READ COMMITTED
            # every statement takes its own snapshot anyway, so BEGIN, ROLLBACK and the ping were three
            # of the four round trips of a GET by id. A read that meets a connection the server dropped
            # is simply run again on a fresh one (Database.read).
            self.read_engine = create_async_engine(async_url(url), pool_size=pool_size, max_overflow=pool_size,
                                                   isolation_level="AUTOCOMMIT", connect_args=connect_args)
            # read_row's pool: asyncpg straight, opened at first use (see read_row).
            self._row_pool_args: dict[str, Any] = {
                "dsn": make_url(url).set(drivername="postgresql").render_as_string(hide_password=False),
                "min_size": 0, "max_size": pool_size, "reset": _keep_session, **connect_args}
            self._row_pool: asyncpg.Pool | None = None
            self._row_pool_lock = asyncio.Lock()
            self._compiled: dict[Any, tuple[str, list[str]]] = {}
        else:
            self.sync_engine = create_engine(sqlite_url(url), pool_size=pool_size + 1, max_overflow=0,
                                             connect_args={"check_same_thread": False, "timeout": 30})
            if sqlite_synchronous.upper() not in ("FULL", "NORMAL", "EXTRA"):
                raise ValueError(f"sqlite_synchronous must be FULL, NORMAL or EXTRA, not {sqlite_synchronous!r}")
            _configure_sqlite(self.sync_engine, sqlite_synchronous.upper())
            if not exclusive:
                if in_memory(url):
                    raise ValueError("several processes cannot share an in-memory SQLite database")
                self._writer_lock = _TurnLock(cast(str, sqlite_url(url).database))
            self._pending: list[tuple[Callable[[Connection], Any], asyncio.Future[Any]]] = []
            self._writer: asyncio.Task[None] | None = None
            # All SQLite work runs on the loop, one unit at a time: one connection writes and one
            # reads, each keeping a warm page cache (a pool spread work over several cold caches).
            self._write_connection: Connection | None = None
            self._read_connection: Connection | None = None
            self._checkpointer: threading.Thread | None = None
            self._stopping = threading.Event()
            # Set by each commit of the writer; the checkpoint thread only wakes SQLite when it is set.
            self._committed = threading.Event()

    async def dispose(self) -> None:
        for engine in (self.engine, self.read_engine):
            if engine is not None:
                await engine.dispose()
        if self.engine is not None and self._row_pool is not None:
            await self._row_pool.close()
            self._row_pool = None
        if self.sync_engine is not None:
            if self._writer is not None:
                await asyncio.gather(self._writer, return_exceptions=True)
            for conn in (self._write_connection, self._read_connection):
                if conn is not None:
                    conn.close()
            self._write_connection = self._read_connection = None
            self._stopping.set()
            if self._checkpointer is not None:
                self._checkpointer.join(timeout=5)
            self._checkpoint("TRUNCATE")
            self.sync_engine.dispose()
            if self._writer_lock is not None:
                self._writer_lock.close()
                self._writer_lock = None

    async def read_row(self, statement: Select[Any], params: dict[str, Any], *, timeout: float | None = None
                       ) -> Sequence[Any] | None:
        """The first row of one Core SELECT, as a sequence in its column order: for the hottest single-row
        reads (a GET by statement id), whose values need no type processing.

        SQLite: as read(). PostgreSQL: the statement, compiled once, runs on asyncpg directly, on a
        small pool of its own. Through the async engine such a read cost 400-460 µs of CPU (pool
        checkout, connection wrappers, greenlet, result); straight, 100 µs (measured in-process).
        A connection the server dropped is replaced and the read run again, as in read().
        """
        if self.engine is None:
            return await self.read(lambda conn: conn.execute(statement, params).first(), timeout=timeout)
        compiled = self._compiled.get(statement)
        if compiled is None:
            sql = statement.compile(dialect=self.engine.dialect)
            compiled = self._compiled[statement] = (str(sql), list(sql.positiontup or ()))
        sql_text, names = compiled
        arguments = [params[name] for name in names]
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self.fetch_row(sql_text, *arguments, timeout=timeout)
            except BROKEN_CONNECTION as exc:
                if attempt >= RETRY_BUDGET:
                    raise
                log.warning("retrying read", extra={"attempt": attempt, "error": str(exc)})
                await asyncio.sleep(0.005 * 2 ** attempt)

    async def fetch_row(self, sql: str, *arguments: Any, timeout: float | None = None) -> asyncpg.Record | None:
        """PostgreSQL: one SQL statement on asyncpg directly (read_row's pool), outside a transaction
        block, so a statement that writes commits as it returns; its first row.

        Over the time limit it is cancelled and QueryTimeout raised. Any other error is asyncpg's, and a
        connection the server dropped is replaced; whether to run the statement again is the caller's call.
        """
        assert self.engine is not None, "fetch_row is for PostgreSQL"
        limit = timeout or self.query_timeout
        pool = self._row_pool or await self._open_row_pool()
        try:
            async with asyncio.timeout(limit), pool.acquire() as conn:
                try:
                    return cast(asyncpg.Record | None, await conn.fetchrow(sql, *arguments))
                except BROKEN_CONNECTION:
                    conn.terminate()  # the pool opens a fresh one in its place
                    raise
        except (TimeoutError, asyncpg.QueryCanceledError):
            raise _timed_out(limit) from None

    async def _open_row_pool(self) -> asyncpg.Pool:
        async with self._row_pool_lock:
            if self._row_pool is None:
                self._row_pool = await asyncpg.create_pool(**self._row_pool_args)
            return self._row_pool

    async def refresh_statistics(self, *, min_changes: int = ANALYZE_MIN_CHANGES,
                                 fraction: float = ANALYZE_FRACTION) -> list[str]:
        """PostgreSQL: ANALYZE the tables changed by more than min_changes + fraction of their rows since
        their last ANALYZE (autovacuum's own rule); returns their names. SQLite: nothing.

        Where autovacuum runs it has usually done this already and the check finds nothing; where it is off
        (as on the machine the benchmarks ran on) the planner otherwise never gets statistics: a `since`
        query over 20,000 statements estimated its range at 141 rows, read it all with a bitmap scan
        and sorted it (33 ms); after ANALYZE it walks the stored order (3 ms, both over HTTP).
        """
        if self.read_engine is None:
            return []
        async with self.read_engine.connect() as conn:
            rows = await conn.execute(text(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND n_mod_since_analyze > :min_changes + :fraction * n_live_tup ORDER BY relname"),
                {"min_changes": min_changes, "fraction": fraction})
            stale = [row.relname for row in rows]
            for name in stale:
                await conn.execute(text(f'ANALYZE "{name}"'))
        return stale

    async def read(self, fn: Callable[[Connection], T], *, timeout: float | None = None, walks: bool = False) -> T:
        """Run fn(conn) under the query time-out; a query over the limit is stopped, not left running.

        walks: fn's queries walk an index in its order and stop at a limit (the LRS's statement
        queries); on PostgreSQL they are planned without bitmap scans (plan_walks).
        PostgreSQL reads run concurrently on the pool, with statement_timeout on the server.
        SQLite reads run right here on the event loop: sqlite3 releases and re-takes the GIL at
        every row, so reader threads thrash against the loop (measured: 1.4 ms queries became
        30 ms at 8 concurrent requests). The time limit is enforced inside SQLite by a progress
        handler that aborts the statement once the deadline has passed.
        """
        limit = timeout or self.query_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                if self.read_engine is not None:
                    async with self.read_engine.connect() as conn:
                        # Cancels this task in place (wait_for wrapped each read in a task of its own: 13 µs).
                        async with asyncio.timeout(limit):
                            return await conn.run_sync(_planned(fn, walks))
                return self._read_inline(fn, limit)
            except TimeoutError:
                raise _timed_out(limit) from None
            except DBAPIError as exc:
                if _is_timeout(exc):
                    raise _timed_out(limit) from None
                # A SQLite reader can meet SQLITE_BUSY while the WAL is being reset after a checkpoint: the
                # read is simply run again (never looping while the event loop waits).
                if not (_is_retryable(exc) or exc.connection_invalidated) or attempt >= RETRY_BUDGET:
                    raise
                log.warning("retrying read", extra={"attempt": attempt, "error": str(exc.orig)})
                await asyncio.sleep(0.005 * 2 ** attempt)

    def _reader(self) -> Connection:
        assert self.sync_engine is not None
        if self._read_connection is None or self._read_connection.closed:
            self._read_connection = self.sync_engine.connect()
        return self._read_connection

    def _writer_connection(self) -> Connection:
        assert self.sync_engine is not None
        if self._write_connection is None or self._write_connection.closed:
            self._write_connection = self.sync_engine.connect()
        return self._write_connection

    def _read_inline(self, fn: Callable[[Connection], T], limit: float) -> T:
        deadline = time.monotonic() + limit
        conn = self._reader()
        driver = sqlite_driver(conn)
        # Called every ~10k SQLite VM instructions; a true result interrupts the statement.
        driver.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        try:
            return fn(conn)
        finally:
            driver.set_progress_handler(None, 0)
            conn.rollback()

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
                return await self._group_commit(fn)
            except DBAPIError as exc:
                if not _is_retryable(exc):
                    raise
                if attempt >= RETRY_BUDGET:
                    raise ServiceUnavailable("the database is busy; retry the request",
                                             headers={"Retry-After": "1"}) from exc
                log.warning("retrying transaction", extra={"attempt": attempt, "error": str(exc.orig)})
                await asyncio.sleep(0.01 * 2 ** attempt)

    def _group_commit(self, fn: Callable[[Connection], T]) -> asyncio.Future[T]:
        """Queue a write; writes queued while the previous group commits share the next commit.

        Each runs inside its own SAVEPOINT: one that raises is rolled back alone and only its
        caller sees the error. Callers learn their outcome only after the COMMIT (fsynced with
        the default synchronous=FULL), so an acknowledged write is a durable one; one fsync
        serves the whole group.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._pending.append((fn, future))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._drain_writes())
        if self._checkpointer is None:
            self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="sqlite-checkpoint",
                                                  daemon=True)
            self._checkpointer.start()
        return future

    async def _drain_writes(self) -> None:
        """The single writer: run queued groups until none is left."""
        while self._pending:
            group = self._pending[:GROUP_COMMIT_LIMIT]
            del self._pending[:GROUP_COMMIT_LIMIT]
            try:
                outcomes = await self._run_group([fn for fn, _ in group])
            except Exception as exc:
                # E.g. the writer's connection could not be opened (another program held the database
                # locked through its PRAGMAs): every caller gets the error, none is left waiting.
                outcomes = [(False, exc)] * len(group)
            for (_, future), outcome in zip(group, outcomes, strict=True):
                _settle(future, outcome)

    def _checkpoint_loop(self) -> None:
        """Copy the WAL back into the database file off the event loop (PASSIVE never blocks writers)."""
        while not self._stopping.wait(CHECKPOINT_INTERVAL_SECONDS):
            if self._committed.is_set():
                self._committed.clear()
                self._checkpoint("PASSIVE")

    def _checkpoint(self, mode: str) -> None:
        assert self.sync_engine is not None
        try:
            with self.sync_engine.connect() as conn:
                sqlite_driver(conn).execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
        except Exception:  # pragma: no cover - a busy checkpoint is simply retried next time
            log.debug("checkpoint skipped", exc_info=True)

    async def _run_group(self, fns: list[Callable[[Connection], Any]]) -> list[tuple[bool, Any]]:
        if self._writer_lock is None:
            return await self._run_group_locked(fns)
        # Several workers: SQLite's own write lock would make the others wait inside BEGIN IMMEDIATE,
        # blocking their event loops (busy_timeout) and waking them by polling.
        await self._writer_lock.acquire()
        try:
            return await self._run_group_locked(fns)
        finally:
            self._writer_lock.release()

    async def _run_group_locked(self, fns: list[Callable[[Connection], Any]]) -> list[tuple[bool, Any]]:
        outcomes: list[tuple[bool, Any]] = []
        conn = self._writer_connection()
        # Take the write lock at BEGIN, so a read-then-write transaction cannot deadlock.
        conn.info["sqlite_begin"] = "IMMEDIATE"
        try:
            transaction = conn.begin()
        except Exception as exc:
            return [(False, exc)] * len(fns)
        finally:
            conn.info.pop("sqlite_begin", None)
        try:
            if len(fns) == 1:
                try:
                    outcomes.append((True, fns[0](conn)))
                except Exception as exc:
                    outcomes.append((False, exc))
            else:
                driver = sqlite_driver(conn)
                for fn in fns:
                    driver.execute("SAVEPOINT group_member")
                    try:
                        result = fn(conn)
                    except Exception as exc:
                        driver.execute("ROLLBACK TO group_member")
                        driver.execute("RELEASE group_member")
                        outcomes.append((False, exc))
                    else:
                        driver.execute("RELEASE group_member")
                        outcomes.append((True, result))
            if any(ok for ok, _ in outcomes):
                # The fsync: off the loop (sqlite3 releases the GIL while it waits for the disk).
                await asyncio.to_thread(transaction.commit)
                self._committed.set()
            else:
                transaction.rollback()
        except BaseException as exc:
            # Nothing committed: a failed transaction keeps its own error, every other one gets this.
            if transaction.is_active:
                transaction.rollback()
            if not isinstance(exc, Exception):
                raise
            outcomes = [outcome if not outcome[0] else (False, exc) for outcome in outcomes]
            outcomes += [(False, exc)] * (len(fns) - len(outcomes))
        return outcomes


class _TurnLock:
    """SQLite writers of several processes (hub.workers) taking turns, next to the database file.

    `<db>-writer.lock` is held (flock) by the process writing; `<db>-writer.queue` is held shared by
    every process waiting for it, in a thread so no event loop blocks, and woken as soon as it is
    released. flock wakes every waiter on release and the first to ask wins, so a process committing
    group after group would take the lock straight back before the waiter woke: a writer that finds
    someone queued queues behind it instead (measured with two workers: single-statement POSTs at
    p99 55-69 ms without this, as one process's requests waited out the other's run of groups).
    The kernel releases both locks of a process that dies.
    """

    def __init__(self, path: str) -> None:
        self._lock = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self._queue = os.open(f"{path}-writer.queue", os.O_RDWR | os.O_CREAT, 0o600)

    async def acquire(self) -> None:
        if not self._someone_queued():
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
        waiting = asyncio.ensure_future(asyncio.to_thread(self._wait))
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            waiting.add_done_callback(lambda _: self.release())  # the thread still takes it: hand it back
            raise

    def release(self) -> None:
        fcntl.flock(self._lock, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._lock)
        os.close(self._queue)

    def _someone_queued(self) -> bool:
        try:
            fcntl.flock(self._queue, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._queue, fcntl.LOCK_UN)
        return False

    def _wait(self) -> None:
        fcntl.flock(self._queue, fcntl.LOCK_SH)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        finally:
            fcntl.flock(self._queue, fcntl.LOCK_UN)


def plan_walks(conn: Connection, walks: bool) -> None:
    """PostgreSQL: plan this session's next queries as walks of an index in its order (bitmap scans off),
    or with the defaults. A round trip where the setting changes, none where the connection has it.

    A walk stops at its limit, so its cost is the rows it reads until then; a bitmap scan reads every
    row in range and sorts them. The planner takes the bitmap where it estimates the range at a few
    rows, and lrs_statement.tenant_id has no statistics (migration 0015): at 200,000 statements
    analyzed and 20,000 stored since, it estimated a tenant's `since` range at a few rows and read and
    sorted all 20,000 for each page.
    """
    info = conn.connection.info
    if info.get("walks", False) is not walks:  # a new session has the defaults
        # Unknown (None: sent again next time) until the change has come back: a read stopped
        # between the server taking it and this line must not leave the mode recorded wrong.
        info["walks"] = None
        conn.exec_driver_sql("SET enable_bitmapscan = off" if walks else "RESET enable_bitmapscan")
        info["walks"] = walks


def _planned(fn: Callable[[Connection], T], walks: bool) -> Callable[[Connection], T]:
    def run(conn: Connection) -> T:
        plan_walks(conn, walks)
        return fn(conn)
    return run


def _timed_out(limit: float) -> QueryTimeout:
    return QueryTimeout(f"query exceeded the {limit:g}s time limit; narrow the filters")


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """read_row's pool returns connections as they are: its single SELECTs in autocommit change no
    session state, and asyncpg's default reset (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL) is a
    round trip per read."""


# What asyncpg raises on a connection the server closed (terminated, restarted, reaped while idle).
BROKEN_CONNECTION = (asyncpg.PostgresConnectionError, asyncpg.AdminShutdownError, asyncpg.InternalClientError,
                      asyncpg.InterfaceError, ConnectionError)


def sqlite_driver(conn: Connection) -> sqlite3.Connection:
    """The pysqlite connection under a SQLAlchemy Connection, for the few raw calls the hot path makes."""
    return cast(sqlite3.Connection, conn.connection.driver_connection)


def _settle(future: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if future.cancelled():
        return
    ok, value = outcome
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit transactions are unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (*SQLITE_PRAGMAS, f"synchronous={synchronous}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        begin = f"BEGIN {conn.info.get('sqlite_begin', '')}".strip()
        try:
            sqlite_driver(conn).execute(begin)  # the raw cursor: exec_driver_sql costs ~30 µs per transaction
        except sqlite3.Error as exc:
            # Wrapped as SQLAlchemy wraps every other driver error (SQLAlchemy does not here, in its begin
            # event), so a busy database at BEGIN is a DBAPIError that transaction() retries.
            raise DBAPIError.instance(begin, None, exc, sqlite3.Error) from exc


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
