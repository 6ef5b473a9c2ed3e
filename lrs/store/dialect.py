"""The SQL that differs between SQLite and PostgreSQL, in one module."""

from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Connection, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Insert

from hub.db import sqlite_driver

# Advisory-lock namespace for statement inserts (PostgreSQL two-int form: namespace, tenant).
STATEMENT_LOCK_NAMESPACE = 74_215


def bulk_insert(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT many rows given as tuples, handed to the driver's executemany as they are.

    The hot path of statement ingest: SQLAlchemy's per-row parameter processing would cost more
    than SQLite's own work, and every value here is already of the column's driver type.
    """
    if not rows:
        return
    if conn.dialect.paramstyle == "qmark":
        placeholders = ", ".join("?" for _ in columns)
    elif conn.dialect.paramstyle == "numeric_dollar":
        placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    else:
        placeholders = ", ".join("%s" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
    if conn.dialect.name == "sqlite":
        # Same connection and transaction, minus SQLAlchemy's per-call bookkeeping (~50 µs).
        sqlite_driver(conn).executemany(sql, rows)
    else:
        conn.exec_driver_sql(sql, rows)


def insert_ignoring_duplicates(conn: Connection, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING, for shared rows such as attachments."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def allocate_statement_seqs(conn: Connection, tenant_id: int, count: int) -> list[int]:
    """Reserve `count` stored-order numbers, increasing in commit order within the tenant.

    A `more` cursor must never skip a statement that commits later with a smaller number.
    SQLite holds its single write lock for the whole transaction (BEGIN IMMEDIATE), so max+1 is
    safe; PostgreSQL takes a per-tenant advisory lock, released at commit, before drawing from
    the sequence.
    """
    from lrs.store.tables import statement

    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :tenant)"),
                           {"ns": STATEMENT_LOCK_NAMESPACE, "tenant": tenant_id})
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence('lrs_statement', 'seq')) FROM generate_series(1, :n)"),
            {"n": count})
        return sorted(rows.scalars().all())
    # The rowid's maximum is read straight off the B-tree; the raw cursor skips SQLAlchemy's overhead.
    current = sqlite_driver(conn).execute(f"SELECT max(seq) FROM {statement.name}").fetchone()[0] or 0
    return list(range(current + 1, current + 1 + count))
