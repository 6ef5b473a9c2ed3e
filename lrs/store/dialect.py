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
    """INSERT many rows given as tuples, each value already of the column's driver type.

    The hot path of statement ingest, below SQLAlchemy's per-row parameter processing (which would
    cost more than the database's own work). SQLite: the driver's executemany on the same connection
    and transaction. PostgreSQL: one INSERT … SELECT FROM unnest(arrays), one array per column, in a
    single Bind; asyncpg's executemany sends and encodes a Bind/Execute pair per row (measured: batch
    ingest 7,000 → 11,500 statements/s).
    """
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        casts = ", ".join(f"${i}::{table.c[name].type.compile(dialect=conn.dialect)}[]"
                          for i, name in enumerate(columns, start=1))
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({casts})",
                             tuple(list(column) for column in zip(*rows, strict=True)))
    else:
        placeholders = ", ".join("?" for _ in columns)
        sqlite_driver(conn).executemany(f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})", rows)


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
