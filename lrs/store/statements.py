"""Statement storage: inserts into the statement and association tables, lookups by id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import orjson
from sqlalchemy import Select, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from lrs.model.shaping import IndexEntries
from lrs.store.dialect import allocate_statement_seqs, insert_ignoring_duplicates
from lrs.store.tables import activity_definition, attachment, statement, statement_activity, statement_agent


@dataclass(frozen=True)
class NewStatement:
    """A validated, LRS-completed statement ready to insert."""

    payload: dict[str, Any]
    entries: IndexEntries
    stored_us: int


@dataclass(frozen=True)
class StoredStatement:
    seq: int
    statement_id: str
    stored_us: int
    voided: bool
    payload_json: str

    @property
    def payload(self) -> dict[str, Any]:
        return orjson.loads(self.payload_json)


async def find_existing(conn: AsyncConnection, tenant_id: int, statement_ids: Sequence[str]
                        ) -> dict[str, dict[str, Any]]:
    """Stored statements among `statement_ids`, id -> statement."""
    if not statement_ids:
        return {}
    rows = await conn.execute(select(statement.c.statement_id, statement.c.payload).where(
        statement.c.tenant_id == tenant_id, statement.c.statement_id.in_(statement_ids)))
    return {r.statement_id: orjson.loads(r.payload) for r in rows}


async def find_voiding_targets(conn: AsyncConnection, tenant_id: int, statement_ids: Sequence[str]) -> set[str]:
    """Which of `statement_ids` an already stored voiding statement targets (it arrived first)."""
    if not statement_ids:
        return set()
    rows = await conn.execute(select(statement.c.voids).where(
        statement.c.tenant_id == tenant_id, statement.c.voids.in_(statement_ids)))
    return {r.voids for r in rows}


async def insert_statements(conn: AsyncConnection, tenant_id: int, statements: Sequence[NewStatement],
                            voided_on_arrival: set[str]) -> None:
    """Insert statements with their association rows; one executemany per table."""
    seqs = await allocate_statement_seqs(conn, tenant_id, len(statements))
    statement_rows: list[dict[str, Any]] = []
    agent_rows: list[dict[str, Any]] = []
    activity_rows: list[dict[str, Any]] = []
    definition_rows: list[dict[str, Any]] = []
    for seq, new in zip(seqs, statements):
        e = new.entries
        statement_rows.append({
            "seq": seq, "tenant_id": tenant_id, "statement_id": e.statement_id, "stored_us": new.stored_us,
            "verb_id": e.verb_id, "object_type": e.object_type, "object_key": e.object_key,
            "actor_ifi": e.actor_ifi, "registration": e.registration,
            "voided": e.statement_id in voided_on_arrival and e.voids is None, "voids": e.voids,
            "payload": orjson.dumps(new.payload).decode()})
        agent_rows.extend({"tenant_id": tenant_id, "seq": seq, "ifi": ifi, "usage": "direct" if direct else "related"}
                          for ifi, direct in e.agents.items())
        activity_rows.extend({"tenant_id": tenant_id, "seq": seq, "activity_id": activity_id,
                              "usage": "direct" if direct else "related"}
                             for activity_id, direct in e.activities.items())
        definition_rows.extend({"tenant_id": tenant_id, "activity_id": activity_id, "seq": seq,
                                "definition": orjson.dumps(definition).decode()}
                               for activity_id, definition in e.definitions)
    await conn.execute(statement.insert(), statement_rows)
    for table, rows in ((statement_agent, agent_rows), (statement_activity, activity_rows),
                        (activity_definition, definition_rows)):
        if rows:
            await conn.execute(table.insert(), rows)


async def void_statements(conn: AsyncConnection, tenant_id: int, target_ids: Iterable[str]) -> None:
    """Mark targets voided; a voiding statement itself is never voided (Data §2.3.2)."""
    targets = list(target_ids)
    if targets:
        await conn.execute(update(statement).where(
            statement.c.tenant_id == tenant_id, statement.c.statement_id.in_(targets),
            statement.c.voids.is_(None)).values(voided=True))


async def insert_attachments(conn: AsyncConnection, tenant_id: int, parts: Iterable[tuple[str, str, bytes]]) -> None:
    """Attachment content by sha2; content shared by several statements is stored once."""
    rows = [{"tenant_id": tenant_id, "sha2": sha2, "content_type": content_type, "content": content}
            for sha2, content_type, content in parts]
    if rows:
        await conn.execute(insert_ignoring_duplicates(conn, attachment), rows)


async def load_attachments(conn: AsyncConnection, tenant_id: int, sha2s: Iterable[str]
                           ) -> dict[str, tuple[str, bytes]]:
    wanted = sorted(set(sha2s))
    if not wanted:
        return {}
    rows = await conn.execute(select(attachment.c.sha2, attachment.c.content_type, attachment.c.content).where(
        attachment.c.tenant_id == tenant_id, attachment.c.sha2.in_(wanted)))
    return {r.sha2: (r.content_type, bytes(r.content)) for r in rows}


async def get_statement(conn: AsyncConnection, tenant_id: int, statement_id: str) -> StoredStatement | None:
    row = (await conn.execute(select(statement.c.seq, statement.c.statement_id, statement.c.stored_us,
                                     statement.c.voided, statement.c.payload).where(
        statement.c.tenant_id == tenant_id, statement.c.statement_id == statement_id))).first()
    return StoredStatement(row.seq, row.statement_id, row.stored_us, row.voided, row.payload) if row else None


async def run_statement_query(conn: AsyncConnection, query: Select[Any]) -> list[StoredStatement]:
    rows = await conn.execute(query)
    return [StoredStatement(r.seq, r.statement_id, r.stored_us, r.voided, r.payload) for r in rows]


async def has_targeting_statements(conn: AsyncConnection, tenant_id: int) -> bool:
    """Whether any statement of the tenant has a StatementRef object (voiding ones included)."""
    row = (await conn.execute(select(statement.c.seq).where(
        statement.c.tenant_id == tenant_id, statement.c.object_type == "StatementRef").limit(1))).first()
    return row is not None


async def latest_seq(conn: AsyncConnection, tenant_id: int) -> int:
    value = (await conn.execute(select(statement.c.seq).where(statement.c.tenant_id == tenant_id)
                                .order_by(statement.c.seq.desc()).limit(1))).scalar()
    return value or 0


async def activity_definitions(conn: AsyncConnection, tenant_id: int, activity_id: str, limit: int = 1000
                               ) -> list[dict[str, Any]]:
    """The most recent `limit` definitions of an activity, oldest first."""
    rows = await conn.execute(select(activity_definition.c.definition).where(
        and_(activity_definition.c.tenant_id == tenant_id, activity_definition.c.activity_id == activity_id))
        .order_by(activity_definition.c.seq.desc()).limit(limit))
    return [orjson.loads(r.definition) for r in reversed(rows.all())]
