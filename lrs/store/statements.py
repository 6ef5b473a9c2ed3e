"""Statement storage: inserts into the statement and association tables, lookups by id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import orjson
from sqlalchemy import Connection, Select, bindparam, func, select, update

from hub.db import Database
from lrs.model.shaping import IndexEntries
from lrs.store.dialect import (
    InBuckets,
    bucket_of,
    bucket_span,
    bulk_insert,
    insert_ignoring_duplicates,
)
from lrs.store.tables import (
    STATEMENT_REF,
    activity_definition,
    attachment,
    statement,
    statement_activity,
    statement_agent,
)

STATEMENT_COLUMNS = ("seq", "tenant_id", "statement_id", "stored_us", "verb_id", "object_type", "object_key",
                     "actor_ifi", "registration", "voided", "voids", "payload", "bucket")


# Hot statements are built once: SQLAlchemy then memoizes their cache keys, which otherwise cost
# more per request than the SQLite lookup itself.
STORED_COLUMNS = (statement.c.seq, statement.c.statement_id, statement.c.stored_us, statement.c.voided,
                  statement.c.payload)
_GET_STATEMENT = select(*STORED_COLUMNS).where(statement.c.tenant_id == bindparam("tenant_id"),
                                               statement.c.statement_id == bindparam("statement_id"))
_FIND_EXISTING = select(statement.c.statement_id, statement.c.payload).where(
    statement.c.tenant_id == bindparam("tenant_id"), statement.c.statement_id.in_(bindparam("ids", expanding=True)))
_FIND_VOIDING = select(statement.c.voids).where(
    statement.c.tenant_id == bindparam("tenant_id"), statement.c.voids.in_(bindparam("ids", expanding=True)))
# The range on object_key steers SQLite to the small partial index instead of a tenant scan.
_HAS_TARGETING = select(statement.c.object_key).where(
    statement.c.tenant_id == bindparam("tenant_id"), statement.c.object_type == STATEMENT_REF,
    statement.c.object_key > "").limit(1)
_DEFINITIONS = select(activity_definition.c.definition).where(
    activity_definition.c.tenant_id == bindparam("tenant_id"), InBuckets(activity_definition.c.bucket),
    activity_definition.c.activity_id == bindparam("activity_id")).order_by(
    activity_definition.c.bucket.desc(), activity_definition.c.seq.desc()).limit(bindparam("limit"))
_LATEST_SEQ = select(statement.c.seq).where(statement.c.tenant_id == bindparam("tenant_id")).order_by(
    statement.c.seq.desc()).limit(1)


@dataclass(frozen=True)
class NewStatement:
    """A validated, LRS-completed statement ready to insert."""

    payload: dict[str, Any]
    entries: IndexEntries
    stored_us: int


class StoredStatement(NamedTuple):
    """A stored statement as read, in STORED_COLUMNS order (a tuple: a query page builds 51 of these,
    and reading each row's columns by name cost 5 µs a row, a tenth of a filtered query's CPU)."""

    seq: int
    statement_id: str
    stored_us: int
    voided: bool
    payload_json: str

    @property
    def payload(self) -> dict[str, Any]:
        return orjson.loads(self.payload_json)


def find_existing(conn: Connection, tenant_id: int, statement_ids: Sequence[str]
                        ) -> dict[str, dict[str, Any]]:
    """Stored statements among `statement_ids`, id -> statement."""
    if not statement_ids:
        return {}
    rows = conn.execute(_FIND_EXISTING, {"tenant_id": tenant_id, "ids": list(statement_ids)})
    return {r.statement_id: orjson.loads(r.payload) for r in rows}


def find_voiding_targets(conn: Connection, tenant_id: int, statement_ids: Sequence[str]) -> set[str]:
    """Which of `statement_ids` an already stored voiding statement targets (it arrived first)."""
    if not statement_ids:
        return set()
    rows = conn.execute(_FIND_VOIDING, {"tenant_id": tenant_id, "ids": list(statement_ids)})
    return {r.voids for r in rows}


def insert_statements(conn: Connection, tenant_id: int, statements: Sequence[NewStatement], seqs: Sequence[int],
                      voided_on_arrival: set[str], latest_definitions: Mapping[str, str] | None = None
                      ) -> dict[str, tuple[int, str]]:
    """Insert statements with their association rows; one executemany per table.

    An activity definition identical to the newest one stored for that activity (`latest_definitions`,
    activity id -> JSON, as far as the caller knows) adds no row: merging in arrival order gives the same
    result without it, and a row per statement would be a random-key index write every time (most
    statements repeat their activity's definition). Returns the newest definition written per activity
    with its seq.
    """
    rows = _Rows(conn.dialect.name, tenant_id, statements, seqs, voided_on_arrival, latest_definitions or {})
    bulk_insert(conn, [
        (statement, STATEMENT_COLUMNS, rows.statements),
        (statement_agent, ("tenant_id", "bucket", "ifi", "seq", "usage"), rows.agents),
        (statement_activity, ("tenant_id", "bucket", "activity_id", "seq", "usage"), rows.activities),
        (activity_definition, ("tenant_id", "bucket", "activity_id", "seq", "definition"), rows.definitions)])
    return rows.written


class _Rows:
    """The rows statements add to the statement, association and definition tables, as tuples in
    the tables' column orders (see insert_statements for the definitions left out)."""

    def __init__(self, dialect: str, tenant_id: int, statements: Sequence[NewStatement], seqs: Iterable[int],
                 voided_on_arrival: set[str], known: Mapping[str, str]) -> None:
        self.statements: list[tuple[Any, ...]] = []
        self.agents: list[tuple[Any, ...]] = []
        self.activities: list[tuple[Any, ...]] = []
        self.definitions: list[tuple[Any, ...]] = []
        self.written: dict[str, tuple[int, str]] = {}
        written = self.written
        for seq, new in zip(seqs, statements, strict=True):
            e = new.entries
            bucket = bucket_of(dialect, seq)
            voided = e.statement_id in voided_on_arrival and e.voids is None
            self.statements.append((seq, tenant_id, e.statement_id, new.stored_us, e.verb_id, e.object_type,
                                    e.object_key, e.actor_ifi, e.registration, voided, e.voids,
                                    orjson.dumps(new.payload).decode(), bucket))
            self.agents.extend((tenant_id, bucket, ifi, seq, "direct" if direct else "related")
                               for ifi, direct in e.agents.items())
            self.activities.extend((tenant_id, bucket, activity_id, seq, "direct" if direct else "related")
                                   for activity_id, direct in e.activities.items())
            for activity_id, definition in e.definitions.items():
                encoded = orjson.dumps(definition).decode()
                newest = written[activity_id][1] if activity_id in written else known.get(activity_id)
                if newest != encoded:
                    self.definitions.append((tenant_id, bucket, activity_id, seq, encoded))
                    written[activity_id] = (seq, encoded)


# PostgreSQL (migrations 0014, 0016, 0017): the whole write in one call. Outside a transaction block
# its implicit transaction commits as it returns.
_STORE_IN_ONE_CALL = ("SELECT seqs, latest_stored_us FROM lrs_store_statements("
                      + ", ".join(f"${i}" for i in range(1, 21)) + ")")
# The call's arguments, taken from _Rows' tuples: the statement columns it takes, in its order, and of
# each association or definition row (tenant, bucket, key, seq, value) the position, key and value.
_CALL_STATEMENT_COLUMNS = tuple(STATEMENT_COLUMNS.index(name) for name in (
    "statement_id", "verb_id", "object_type", "object_key", "actor_ifi", "registration", "voids", "payload"))
_CALL_ROW_COLUMNS = (3, 2, 4)


class Restamp(Exception):
    """The tenant already has a statement stored at or after the `stored` given: nothing was written."""

    def __init__(self, latest_stored_us: int) -> None:
        super().__init__(f"a statement is already stored at {latest_stored_us}")
        self.latest_stored_us = latest_stored_us


async def store_in_one_call(db: Database, tenant_id: int, statements: Sequence[NewStatement], stored_us: int,
                            latest_definitions: Mapping[str, str]) -> dict[str, tuple[int, str]]:
    """PostgreSQL: insert_statements plus the seq reservation, voiding and COMMIT as one statement, one
    round trip holding the tenant's write lock (Database.fetch_row). Every statement's payload must carry
    `stored_us`. A definition is compared with the newest stored (an index probe) only for an activity
    missing from `latest_definitions`. A voiding statement that arrived before its target voids it,
    and one in `statements` voids its stored target. Raises Restamp, having written nothing, when
    `stored` would not increase; a statement id already stored raises asyncpg's UniqueViolationError,
    with nothing written.
    """
    # Positions instead of seqs (the function draws those): 1-based, as PostgreSQL arrays are.
    rows = _Rows("postgresql", tenant_id, statements, range(1, len(statements) + 1), set(), latest_definitions)
    statement_columns = list(zip(*rows.statements, strict=True))
    arguments = [list(statement_columns[i]) for i in _CALL_STATEMENT_COLUMNS]
    for table_rows in (rows.agents, rows.activities, rows.definitions):
        columns = list(zip(*table_rows, strict=True)) or [()] * 5
        arguments += [list(columns[i]) for i in _CALL_ROW_COLUMNS]
    # Compared with the newest stored only where the caller did not know it: where it did, it has.
    arguments.append([row[2] not in latest_definitions for row in rows.definitions])
    found = await db.fetch_row(_STORE_IN_ONE_CALL, tenant_id, stored_us, *arguments)
    assert found is not None
    seqs, latest_stored_us = found
    if seqs is None:
        raise Restamp(latest_stored_us)
    return {activity_id: (seqs[at - 1], encoded) for activity_id, (at, encoded) in rows.written.items()}


def void_statements(conn: Connection, tenant_id: int, target_ids: Iterable[str]) -> None:
    """Mark targets voided; a voiding statement itself is never voided (Data §2.3.2)."""
    targets = list(target_ids)
    if targets:
        conn.execute(update(statement).where(
            statement.c.tenant_id == tenant_id, statement.c.statement_id.in_(targets),
            statement.c.voids.is_(None)).values(voided=True))


def insert_attachments(conn: Connection, tenant_id: int, parts: Iterable[tuple[str, str, bytes]]) -> None:
    """Attachment content by sha2; content shared by several statements is stored once."""
    rows = [{"tenant_id": tenant_id, "sha2": sha2, "content_type": content_type, "content": content}
            for sha2, content_type, content in parts]
    if rows:
        conn.execute(insert_ignoring_duplicates(conn, attachment), rows)


def load_attachments(conn: Connection, tenant_id: int, sha2s: Iterable[str]
                           ) -> dict[str, tuple[str, bytes]]:
    wanted = sorted(set(sha2s))
    if not wanted:
        return {}
    rows = conn.execute(select(attachment.c.sha2, attachment.c.content_type, attachment.c.content).where(
        attachment.c.tenant_id == tenant_id, attachment.c.sha2.in_(wanted)))
    return {r.sha2: (r.content_type, bytes(r.content)) for r in rows}


async def get_statement(db: Database, tenant_id: int, statement_id: str) -> StoredStatement | None:
    """A statement by id, as a single-row read (Database.read_row: straight to asyncpg on PostgreSQL)."""
    row = await db.read_row(_GET_STATEMENT, {"tenant_id": tenant_id, "statement_id": statement_id})
    return StoredStatement._make(row) if row is not None else None


def run_statement_query(conn: Connection, query: Select[Any], params: dict[str, Any]) -> list[StoredStatement]:
    # fetchall in one call: iterating the result fetches row by row through SQLAlchemy's layers,
    # measured at 2.5x the cost of the whole query for a 50-row page.
    rows = conn.execute(query, params).all()
    make = StoredStatement._make
    return [make(row) for row in rows]


def has_targeting_statements(conn: Connection, tenant_id: int) -> bool:
    """Whether any statement of the tenant has a StatementRef object (voiding ones included)."""
    return conn.execute(_HAS_TARGETING, {"tenant_id": tenant_id}).first() is not None


def latest_seq(conn: Connection, tenant_id: int) -> int:
    return conn.execute(_LATEST_SEQ, {"tenant_id": tenant_id}).scalar() or 0


def latest_seq_of_all(conn: Connection) -> int:
    """The newest seq of any tenant (the last bucket in use)."""
    return conn.execute(select(func.max(statement.c.seq))).scalar() or 0


def activity_definitions(conn: Connection, tenant_id: int, activity_id: str, limit: int = 1000
                               ) -> list[dict[str, Any]]:
    """The most recent `limit` definitions of an activity, oldest first."""
    rows = conn.execute(_DEFINITIONS, {"tenant_id": tenant_id, "activity_id": activity_id, "limit": limit,
                                       "buckets": bucket_span(0, latest_seq_of_all(conn))})
    return [orjson.loads(r.definition) for r in reversed(rows.all())]
