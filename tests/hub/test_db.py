"""Database rules: isolated concurrent transactions (group commit on SQLite), query time-outs, retries."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, bindparam, event, select, text
from sqlalchemy.exc import OperationalError

from hub.db import RETRY_BUDGET, Database
from hub.errors import Conflict, QueryTimeout, ServiceUnavailable
from hub.migrate import upgrade
from hub.tables import installation_secret


async def test_concurrent_transactions_commit_or_fail_independently(database: Database) -> None:
    prefix = uuid.uuid4().hex[:8]

    def write(index: int):  # type: ignore[no-untyped-def]
        def run(conn: Connection) -> int:
            conn.execute(installation_secret.insert().values(name=f"{prefix}-{index}", value="v"))
            if index % 3 == 0:
                raise Conflict(f"transaction {index} refuses")
            return index
        return run

    results = await asyncio.gather(*(database.transaction(write(i)) for i in range(30)), return_exceptions=True)
    for index, result in enumerate(results):
        if index % 3 == 0:
            assert isinstance(result, Conflict) and str(index) in result.message
        else:
            assert result == index
    stored = await database.read(lambda conn: conn.execute(
        select(installation_secret.c.name).where(installation_secret.c.name.like(f"{prefix}-%"))).scalars().all())
    assert sorted(int(name.split("-")[1]) for name in stored) == [i for i in range(30) if i % 3]


async def test_a_failed_transaction_leaves_nothing_behind(database: Database) -> None:
    name = uuid.uuid4().hex

    def run(conn: Connection) -> None:
        conn.execute(installation_secret.insert().values(name=name, value="half"))
        raise RuntimeError("boom after the first write")

    with pytest.raises(RuntimeError):
        await database.transaction(run)
    found = await database.read(lambda conn: conn.execute(
        select(installation_secret).where(installation_secret.c.name == name)).first())
    assert found is None


async def test_slow_read_is_stopped_at_the_time_limit(database: Database) -> None:
    endless = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
               "SELECT count(*) FROM n")
    with pytest.raises(QueryTimeout):
        await database.read(lambda conn: conn.execute(text(endless)).scalar(), timeout=0.3)
    assert await database.read(lambda conn: conn.execute(text("SELECT 1")).scalar()) == 1


async def test_busy_database_is_retried_then_reported_as_503(database: Database) -> None:
    attempts = 0

    def run(conn: Connection) -> None:
        nonlocal attempts
        attempts += 1
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    with pytest.raises(ServiceUnavailable):
        await database.transaction(run)
    assert attempts == RETRY_BUDGET


async def test_a_read_that_meets_a_locked_database_is_run_again(database: Database) -> None:
    import sqlite3

    calls = []

    def flaky(conn: Connection) -> int:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))
        return int(conn.execute(text("SELECT 7")).scalar_one())

    assert await database.read(flaky) == 7
    assert len(calls) == 3

    def always_locked(conn: Connection) -> int:
        raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))

    with pytest.raises(OperationalError):
        await database.read(always_locked)


@pytest.mark.postgres
async def test_a_postgres_read_survives_the_server_dropping_its_connections(postgres_url: str) -> None:
    """Reads run without a ping before use: a pooled connection the server closed is replaced, not an error."""
    database = Database(postgres_url, pool_size=2)
    try:
        pid = await database.read(lambda conn: conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        # A PostgreSQL restart or an idle-connection reaper does this to every pooled connection.
        await database.transaction(lambda conn: conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}))
        after = await database.read(lambda conn: conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        assert after != pid
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_a_postgres_read_holds_no_transaction_open(postgres_url: str) -> None:
    """Reads run in autocommit: no BEGIN/ROLLBACK round trips around them."""
    database = Database(postgres_url, pool_size=2)
    try:
        def second_statement_starts_its_own_transaction(conn: Connection) -> bool:
            # In a transaction block both statements share the block's transaction id.
            first = conn.execute(text("SELECT txid_current()")).scalar_one()
            return bool(conn.execute(text("SELECT txid_current()")).scalar_one() != first)

        assert await database.read(second_statement_starts_its_own_transaction) is True
        assert await database.transaction(second_statement_starts_its_own_transaction) is False
    finally:
        await database.dispose()


def _pid_and_bitmapscan(conn: Connection) -> tuple[int, str]:
    """Which server session a read ran on, and its enable_bitmapscan."""
    return (conn.execute(text("SELECT pg_backend_pid()")).scalar_one(),
            conn.execute(text("SHOW enable_bitmapscan")).scalar_one())


@pytest.mark.postgres
async def test_walking_reads_are_planned_without_bitmap_scans_and_the_others_with_the_defaults(
        postgres_url: str) -> None:
    """The setting is the session's: it is set where a read needs it and reset where the next one does not,
    on the same pooled connection (one here), and a connection that already has it is not asked again."""
    database = Database(postgres_url, pool_size=1)
    try:
        assert database.read_engine is not None
        sent: list[str] = []
        event.listen(database.read_engine.sync_engine, "before_cursor_execute",
                     lambda _conn, _cursor, statement, *_rest: sent.append(statement))
        seen = [await database.read(_pid_and_bitmapscan, walks=walks) for walks in (True, True, False, False, True)]
        assert [value for _, value in seen] == ["off", "off", "on", "on", "off"]
        assert len({pid for pid, _ in seen}) == 1
        assert [sql for sql in sent if not sql.startswith(("SELECT", "SHOW"))] == [
            "SET enable_bitmapscan = off", "RESET enable_bitmapscan", "SET enable_bitmapscan = off"]
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_a_read_stopped_after_the_server_took_the_setting_leaves_it_to_be_sent_again(postgres_url: str) -> None:
    """The server has taken SET but the read fails before it returns: the next read that wants the
    defaults must still reset them."""
    database = Database(postgres_url, pool_size=1)
    try:
        assert database.read_engine is not None
        failures = ["SET enable_bitmapscan = off"]

        def fail_after(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            if statement in failures:
                failures.remove(statement)
                raise RuntimeError("stopped after the server took it")

        event.listen(database.read_engine.sync_engine, "after_cursor_execute", fail_after)

        pid, _ = await database.read(_pid_and_bitmapscan)
        with pytest.raises(RuntimeError):
            await database.read(_pid_and_bitmapscan, walks=True)
        assert await database.read(_pid_and_bitmapscan) == (pid, "on")
        assert await database.read(_pid_and_bitmapscan, walks=True) == (pid, "off")
    finally:
        await database.dispose()


async def test_tables_changed_since_their_last_analyze_are_analyzed(database: Database) -> None:
    """Planner statistics where autovacuum is off (PostgreSQL); nothing to do on SQLite."""
    if database.dialect == "sqlite":
        assert await database.refresh_statistics(min_changes=0, fraction=0.0) == []
        return
    prefix = uuid.uuid4().hex[:8]
    await database.transaction(lambda conn: conn.execute(installation_secret.insert(), [
        {"name": f"{prefix}-{i}", "value": "v"} for i in range(50)]))
    # A backend reports its changes to the statistics views within about a second.
    analyzed: list[str] = []
    for _ in range(40):
        analyzed = await database.refresh_statistics(min_changes=0, fraction=0.0)
        if installation_secret.name in analyzed:
            break
        await asyncio.sleep(0.1)
    assert installation_secret.name in analyzed

    def last_analyzed(conn: Connection) -> tuple[object, int]:
        row = conn.execute(text("SELECT last_analyze, n_mod_since_analyze FROM pg_stat_user_tables "
                                "WHERE relname = :name"), {"name": installation_secret.name}).one()
        return row.last_analyze, row.n_mod_since_analyze

    when, changed = await database.read(last_analyzed)
    assert when is not None and changed < 50
    # Below the threshold nothing is analyzed again.
    assert installation_secret.name not in await database.refresh_statistics(min_changes=10_000_000)


async def test_read_row_gives_the_first_row_of_a_core_select_in_column_order(database: Database) -> None:
    name = uuid.uuid4().hex
    await database.transaction(lambda conn: conn.execute(installation_secret.insert().values(name=name, value="v1")))
    query = select(installation_secret.c.value, installation_secret.c.name).where(
        installation_secret.c.name == bindparam("name"))
    assert tuple(await database.read_row(query, {"name": name}) or ()) == ("v1", name)
    assert await database.read_row(query, {"name": "absent-" + name}) is None


@pytest.mark.postgres
async def test_read_row_survives_the_server_dropping_its_connections(postgres_url: str) -> None:
    database = Database(postgres_url, pool_size=2)
    query = select(text("pg_backend_pid()"))
    try:
        pid = (await database.read_row(query, {}) or [None])[0]
        await database.transaction(lambda conn: conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}))
        after = (await database.read_row(query, {}) or [None])[0]
        assert after is not None and after != pid
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_read_row_replaces_a_connection_that_breaks_under_it(postgres_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic twin of the test above (there, whether the client has already seen the server close
    the connection before it reuses it is a race)."""
    import asyncpg

    original = asyncpg.Connection.fetchrow
    calls: list[int] = []

    async def breaks_once(self: asyncpg.Connection, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "fetchrow", breaks_once)
    database = Database(postgres_url, pool_size=2)
    try:
        assert tuple(await database.read_row(select(text("41 + 1")), {}) or ()) == (42,)
        assert len(calls) == 2
    finally:
        await database.dispose()


async def test_a_slow_read_row_is_stopped_at_the_time_limit(database: Database) -> None:
    endless = select(text("count(*)")).select_from(text(
        "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) SELECT i FROM n) AS n"
    ))
    with pytest.raises(QueryTimeout):
        await database.read_row(endless, {}, timeout=0.3)


@pytest.mark.parametrize("writer_open", [True, False], ids=["at-begin", "at-connect"])
async def test_a_sqlite_write_waits_out_another_process_holding_the_write_lock(tmp_path: Path,
                                                                               writer_open: bool) -> None:
    """Another program (an admin command, a backup, a second server) holding SQLite's write lock
    longer than busy_timeout makes BEGIN IMMEDIATE (or the writer connection's PRAGMAs, when it opens)
    fail with SQLITE_BUSY: retried like any busy database, never a 500, and no caller left waiting."""
    import sqlite3

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    upgrade(url)
    db = Database(url)
    other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    try:
        if writer_open:
            await db.transaction(lambda conn: conn.execute(text("SELECT 1")).scalar())
        other.execute("BEGIN IMMEDIATE")
        other.execute("CREATE TABLE held (x INTEGER)")

        def write(conn: Connection) -> int:
            return int(conn.execute(text("SELECT count(*) FROM held")).scalar() or 0) + 1

        pending = asyncio.ensure_future(db.transaction(write))
        await asyncio.sleep(0.3)
        assert not pending.done()
        other.execute("COMMIT")
        assert await asyncio.wait_for(pending, 10) == 1
    finally:
        other.close()
        await db.dispose()
