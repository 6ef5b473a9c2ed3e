"""The SQL that differs between SQLite and PostgreSQL, in one module."""

from __future__ import annotations

from typing import Any, Sequence

import orjson
from sqlalchemy import Boolean, Connection, Table, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Insert
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from hub.db import sqlite_driver

# Advisory-lock namespace for statement inserts (PostgreSQL two-int form: namespace, tenant).
STATEMENT_LOCK_NAMESPACE = 74_215

# Index buckets (lrs/store/tables.py): 4,096 consecutive seqs per bucket on SQLite, where a page
# written is a page logged; PostgreSQL keeps every entry in bucket 0 (its WAL logs rows, and its
# planner cannot walk an IN list in index order before version 17), so there the bucketed keys are
# the plain (tenant, key, seq) ones. A sparse key's query seeks every bucket (~3 µs each): 1,024-seq
# buckets (migration 0012) cost 3-6 ms at 1,000,000 statements, so 0013 widened them to these.
SQLITE_BUCKET_BITS = 12


def bucket_of(dialect: str, seq: int) -> int:
    return seq >> SQLITE_BUCKET_BITS if dialect == "sqlite" else 0


def bucket_span(low_seq: int, high_seq: int) -> str:
    """The buckets that hold seqs low_seq..high_seq on SQLite, as the JSON array InBuckets binds."""
    return orjson.dumps(list(range(max(low_seq, 0) >> SQLITE_BUCKET_BITS,
                                   (max(high_seq, 0) >> SQLITE_BUCKET_BITS) + 1))).decode()


class InBuckets(ColumnElement[bool]):
    """`column` is one of the buckets bound as `param` (a JSON array from bucket_span).

    SQLite: `column IN (SELECT value FROM json_each(:param))`; with the bucket leading an index and
    ORDER BY bucket, seq, the planner seeks each bucket in order and stops at the LIMIT (measured:
    0.5 ms for an agent with 100 statements over 977 buckets). PostgreSQL: `column = 0`.
    """

    inherit_cache = True
    type = Boolean()
    # A predicate in its own right: without this SQLAlchemy writes `… IN (…) = 1` on SQLite, which
    # the planner cannot use to seek the index (measured: 78-174 ms instead of ~1 ms at 200k).
    _is_implicitly_boolean = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("param", InternalTraversal.dp_string)]

    def __init__(self, column: ColumnElement[Any], param: str = "buckets") -> None:
        self.column = column
        self.param = param


@compiles(InBuckets, "sqlite")
def _in_buckets_sqlite(element: InBuckets, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(bindparam(element.param), **kw)}))"


@compiles(InBuckets)
def _in_buckets_default(element: InBuckets, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = 0"


class _HiddenFromPlanner(ColumnElement[Any]):
    """A column as it is, in SQL one dialect's planner cannot take an index from (subclasses say which).

    Its conditions still filter rows; they no longer choose the index that drives the query.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(_HiddenFromPlanner)
def _hidden_from_planner_default(element: _HiddenFromPlanner, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


class NoIndexOnPostgres(_HiddenFromPlanner):
    """A column PostgreSQL's planner must not choose an index for: `(column + 0)` there, as is on SQLite.

    For `stored` in since/until queries (lrs/query/statements.py), which walk the seq range those
    times map to. Left visible, `stored_us > :since` drove PostgreSQL's plan through (tenant,
    stored): ANALYZE's histogram of stored_us ends where the table ended when it last ran, so a
    since over the statements stored since then was estimated at one row, and the query read all of
    them and sorted them for each page: 700-1,200 ms a page over the 150,000 statements of the last
    30 s of a bulk load (filtered queries 435/s, p99 862 ms), 34 ms over 20,000 of a new tenant's,
    against 0.2 ms walking (tenant, seq). As an expression it has no index and no statistics; the
    seq range beside it (bounds from subqueries, which the planner cannot misjudge from a stale
    histogram) leads to (tenant, seq) or to the filter's own index, both in the order asked for.
    Before a table's first ANALYZE, and at 200,000 statements analyzed with 20,000 past them (the
    tenant has no statistics, migration 0015), the planner expected a few rows of the range and read
    it whole with a bitmap scan and sorted it (62 ms for 50,000 statements never analyzed); the LRS
    plans its statement queries without bitmap scans (hub.db.plan_walks), which leaves it the walk.
    """

    inherit_cache = True


@compiles(NoIndexOnPostgres, "postgresql")
def _no_index_on_postgres_postgresql(element: NoIndexOnPostgres, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.column, **kw)} + 0)"


class NotDriving(_HiddenFromPlanner):
    """A column whose conditions filter rows but must not choose the index that drives the query.

    SQLite: `+column` (the unary plus keeps the value and hides the column from the planner).
    Without statistics SQLite's planner took `seq < :after` on (tenant, seq), or `verb = :verb` on
    (tenant, verb, seq), over the registration index it was meant to walk, and sorted: a `more`
    page of a registration query read 600,000 rows (565 ms at 1,000,000 statements, 1.4 ms
    walking the registration's buckets). PostgreSQL: the column as it is (its planner has statistics).
    """

    inherit_cache = True


@compiles(NotDriving, "sqlite")
def _not_driving_sqlite(element: NotDriving, compiler: SQLCompiler, **kw: Any) -> str:
    return f"+{compiler.process(element.column, **kw)}"


def bulk_insert(conn: Connection, inserts: Sequence[tuple[Table, Sequence[str], list[tuple[Any, ...]]]]) -> None:
    """INSERT many rows into one or more tables, given as (table, column names, rows as tuples), each
    value already of the column's driver type.

    The hot path of statement ingest, below SQLAlchemy's per-row parameter processing (which would
    cost more than the database's own work). SQLite: the driver's executemany per table, on the same
    connection and transaction. PostgreSQL: every table's INSERT … SELECT FROM unnest(arrays), one
    array per column, in one statement (data-modifying WITH clauses), so one Bind and one round trip
    for all the tables: ingest holds the tenant's write lock across these round trips. (asyncpg's
    executemany sends and encodes a Bind/Execute pair per row; unnest took batch ingest from 7,000
    to 11,500 statements/s.)
    """
    inserts = [(table, columns, rows) for table, columns, rows in inserts if rows]
    if not inserts:
        return
    if conn.dialect.name == "postgresql":
        clauses: list[str] = []
        arrays: list[list[Any]] = []
        for table, columns, rows in inserts:
            casts = ", ".join(f"${len(arrays) + i}::{table.c[name].type.compile(dialect=conn.dialect)}[]"
                              for i, name in enumerate(columns, start=1))
            clauses.append(f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({casts})")
            arrays.extend(list(column) for column in zip(*rows, strict=True))
        # PostgreSQL runs every data-modifying WITH clause to completion, read or not.
        *first, last = clauses
        sql = (f"WITH {', '.join(f'w{i} AS ({clause})' for i, clause in enumerate(first))} {last}"
               if first else last)
        conn.exec_driver_sql(sql, tuple(arrays))
        return
    for table, columns, rows in inserts:
        placeholders = ", ".join("?" for _ in columns)
        sqlite_driver(conn).executemany(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})", rows)


def insert_ignoring_duplicates(conn: Connection, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING, for shared rows such as attachments."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def reserve_statement_seqs(conn: Connection, tenant_id: int, count: int) -> tuple[list[int], int]:
    """Reserve `count` stored-order numbers, increasing in commit order within the tenant, and read
    the tenant's newest `stored` (the floor of the next one).

    A `more` cursor must never skip a statement that commits later with a smaller number, and
    `stored` must increase in stored order. SQLite holds its single write lock for the whole
    transaction (BEGIN IMMEDIATE), so max+1 is safe; PostgreSQL takes a per-tenant advisory lock,
    released at commit, then draws from the sequence and reads the newest stored in one statement
    (whose snapshot, taken after the lock, sees every earlier holder's commit): each round trip
    made while holding the lock serializes the tenant's writers.
    """
    from lrs.store.tables import statement

    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :tenant)"),
                     {"ns": STATEMENT_LOCK_NAMESPACE, "tenant": tenant_id})
        # The newest stored by ORDER BY … LIMIT 1, not max(): see migration 0014.
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence('lrs_statement', 'seq')), "
                 "(SELECT stored_us FROM lrs_statement WHERE tenant_id = :tenant ORDER BY stored_us DESC LIMIT 1) "
                 "FROM generate_series(1, :n)"), {"n": count, "tenant": tenant_id}).all()
        return sorted(row[0] for row in rows), rows[0][1] or 0
    # The rowid's maximum is read straight off the B-tree; the raw cursor skips SQLAlchemy's overhead.
    driver = sqlite_driver(conn)
    current = driver.execute(f"SELECT max(seq) FROM {statement.name}").fetchone()[0] or 0
    latest_stored = driver.execute(f"SELECT max(stored_us) FROM {statement.name} WHERE tenant_id = ?",
                                   (tenant_id,)).fetchone()[0] or 0
    return list(range(current + 1, current + 1 + count)), latest_stored
