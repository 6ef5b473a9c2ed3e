"""Statement commands (store, put) and queries (by id, filtered), one transaction each."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable, Sequence, cast

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from hub import clock
from hub.db import Database
from hub.errors import BadRequest, Conflict, NotFound
from lrs.model.agents import agent_ifi
from lrs.model.equivalence import statements_equivalent
from lrs.model.shaping import fill_lrs_properties, index_entries, normalize_context_activities
from lrs.model.signatures import SIGNATURE_USAGE, verify_signature
from lrs.model.validation import validate_statements
from lrs.model.versions import is_v2
from lrs.ops.credentials import FollowUp, Principal
from lrs.query.statements import (
    Cursor,
    FilteredQuery,
    SingleLookup,
    build_select,
    build_targeting_select,
    has_match_filters,
)
from lrs.store import statements as store
from lrs.store.dialect import reserve_statement_seqs

ATTACHMENT_CONTENT = dict[str, tuple[str, bytes]]  # sha2 -> (content type, bytes)


class LatestDefinitions:
    """The newest activity definition stored per (tenant, activity), as this process last wrote it.

    Lets ingest skip definition rows identical to the newest stored one. Entries are added only
    after the transaction that wrote them committed, and the map is bounded (oldest half dropped).
    """

    LIMIT = 200_000

    def __init__(self) -> None:
        self._entries: dict[tuple[int, str], tuple[int, str]] = {}  # (tenant, activity) -> (seq, JSON)

    @classmethod
    def of(cls, db: Database) -> LatestDefinitions:
        found = db.caches.get("lrs.definitions")
        if found is None:
            found = db.caches["lrs.definitions"] = cls()
        return cast(LatestDefinitions, found)

    def lookup(self, tenant_id: int, activity_ids: Iterable[str]) -> dict[str, str]:
        entries = self._entries
        return {activity_id: entries[(tenant_id, activity_id)][1] for activity_id in activity_ids
                if (tenant_id, activity_id) in entries}

    def remember(self, tenant_id: int, written: dict[str, tuple[int, str]]) -> None:
        """Record definitions a committed transaction wrote; a later seq (a later commit) wins."""
        entries = self._entries
        if len(entries) + len(written) > self.LIMIT:
            for key in list(entries)[: self.LIMIT // 2]:
                del entries[key]
        for activity_id, (seq, encoded) in written.items():
            current = entries.get((tenant_id, activity_id))
            if current is None or current[0] < seq:
                entries[(tenant_id, activity_id)] = (seq, encoded)


@dataclass(frozen=True)
class StatementPage:
    statements: list[store.StoredStatement]
    next_cursor: Cursor | None
    consistent_through_us: int


async def store_statements(db: Database, principal: Principal, statements: Sequence[Any], version: str,
                           attachments: ATTACHMENT_CONTENT | None = None) -> list[str]:
    """Validate and store a batch, all or nothing; returns the ids in request order.

    A statement whose id is already stored is a no-op when equivalent, else the batch is a 409
    (Communication §2.1.2). Attachments arrive as raw parts keyed by sha2.
    """
    validate_statements(statements, version)
    attachments = attachments or {}
    ids = [s["id"].lower() for s in statements if "id" in s]
    if len(ids) != len(set(ids)):
        raise BadRequest("the batch uses the same statement id more than once", field="id")
    _check_attachments(statements, attachments)

    stored_us = clock.now_us()
    stored_iso = clock.us_to_iso(stored_us)
    default_version = "2.0.0" if is_v2(version) else "1.0.0"
    prepared = []
    for raw in statements:
        payload = fill_lrs_properties(raw, stored=stored_iso, authority=principal.authority, version=default_version)
        normalize_context_activities(payload)
        prepared.append(store.NewStatement(payload, index_entries(payload), stored_us))
    supplied_ids = [p.entries.statement_id for p, raw in zip(prepared, statements, strict=True) if "id" in raw]
    supplied = set(supplied_ids)
    parts = [(sha2, content_type, content) for sha2, (content_type, content) in attachments.items()]

    follow_ups: list[FollowUp] = []
    definitions = LatestDefinitions.of(db)
    written: dict[str, tuple[int, str]] = {}

    def run(conn: Connection) -> list[str]:
        existing = store.find_existing(conn, principal.tenant_id, supplied_ids)
        fresh = []
        fresh_raw = []
        for raw, new in zip(statements, prepared, strict=True):
            found = existing.get(new.entries.statement_id)
            if found is None:
                fresh.append(new)
                fresh_raw.append(raw)
            # Compare with what the client sent: properties the LRS fills in are not the client's.
            elif not statements_equivalent(found, raw):
                raise Conflict(f"statement {new.entries.statement_id} already exists with different content",
                               field="id")
        follow_ups.clear()
        if principal.gate is not None and fresh_raw:
            # A session-bound credential's rules (cmi5), in this transaction; a retried batch is not re-checked.
            follow_up = principal.gate.check_statements(conn, fresh_raw)
            if follow_up is not None:
                follow_ups.append(follow_up)
        if fresh:
            # A voiding statement may arrive before its target (Data §2.3.2).
            voided_early = store.find_voiding_targets(
                conn, principal.tenant_id,
                [n.entries.statement_id for n in fresh if n.entries.statement_id in supplied])
            known = definitions.lookup(principal.tenant_id, {a for n in fresh for a in n.entries.definitions})
            # Taken inside the tenant's write lock (held from here to COMMIT: as little as possible
            # follows) and after the newest stored, so `stored` increases with every batch in stored
            # order even if the clock steps back: a client polling with since=<last stored seen>
            # misses nothing, and on SQLite since/until are ranges of the stored order
            # (lrs/query/statements.py).
            seqs, latest_stored_us = reserve_statement_seqs(conn, principal.tenant_id, len(fresh))
            now_us = max(clock.now_us(), stored_us, latest_stored_us + 1)
            if now_us != stored_us:
                iso = clock.us_to_iso(now_us)
                fresh = [_restamp(new, now_us, iso) for new in fresh]
            written.clear()
            written.update(store.insert_statements(conn, principal.tenant_id, fresh, seqs, voided_early, known))
            store.void_statements(conn, principal.tenant_id,
                                        [n.entries.voids for n in fresh if n.entries.voids])
            store.insert_attachments(conn, principal.tenant_id, parts)
        return [new.entries.statement_id for new in prepared]

    try:
        stored_ids = await db.transaction(run)
    except IntegrityError:
        # A concurrent request stored one of these ids first; re-run to compare with it.
        stored_ids = await db.transaction(run)
    definitions.remember(principal.tenant_id, written)
    for follow_up in follow_ups:
        await follow_up(db)
    return stored_ids


def _restamp(new: store.NewStatement, stored_us: int, stored_iso: str) -> store.NewStatement:
    payload = dict(new.payload)
    if payload.get("timestamp") == payload.get("stored"):
        payload["timestamp"] = stored_iso
    payload["stored"] = stored_iso
    return replace(new, payload=payload, stored_us=stored_us)


def _check_attachments(statements: Sequence[dict[str, Any]], attachments: ATTACHMENT_CONTENT) -> None:
    """Every attachment without fileUrl needs its part; every part must be declared (Data §2.4.11)."""
    declared: set[str] = set()
    for index, raw in enumerate(statements):
        for position, item in enumerate(raw.get("attachments", ())):
            sha2 = item["sha2"]
            declared.add(sha2)
            path = f"[{index}].attachments[{position}]"
            if sha2 not in attachments:
                if "fileUrl" not in item:
                    raise BadRequest(f"attachment with sha2 {sha2} has no fileUrl and no matching part",
                                     field=path + ".sha2")
                if item["usageType"] == SIGNATURE_USAGE:
                    raise BadRequest("a signature attachment must be sent as a part", field=path)
                continue
            if item["usageType"] == SIGNATURE_USAGE:
                content_type, content = attachments[sha2]
                if item.get("contentType") != "application/octet-stream":
                    raise BadRequest("a signature attachment must have contentType application/octet-stream",
                                     field=path + ".contentType")
                verify_signature(raw, content, field=path)
    extra = set(attachments) - declared
    if extra:
        raise BadRequest(f"attachment part(s) not declared by any statement: {', '.join(sorted(extra))}",
                         field="attachments")


async def put_statement(db: Database, principal: Principal, statement_id: str, statement: Any, version: str,
                        attachments: ATTACHMENT_CONTENT | None = None) -> None:
    """PUT /statements?statementId=…: the parameter decides the id (Communication §2.1.1)."""
    if not isinstance(statement, dict):
        raise BadRequest("PUT /statements takes a single statement object", field="statement")
    if "id" in statement and str(statement["id"]).lower() != statement_id.lower():
        raise BadRequest("the statement id does not match the statementId parameter", field="id")
    await store_statements(db, principal, [{**statement, "id": statement_id}], version, attachments)


async def get_single(db: Database, principal: Principal, lookup: SingleLookup) -> store.StoredStatement:
    """A statement by id (voided ones only through voidedStatementId)."""
    found = await db.read(lambda conn: store.get_statement(conn, principal.tenant_id, lookup.statement_id))
    what = "voided statement" if lookup.voided else "statement"
    if found is None or found.voided != lookup.voided:
        field = "voidedStatementId" if lookup.voided else "statementId"
        raise NotFound(f"no {what} {lookup.statement_id}", field=field)
    if _restricted_to_own(principal) and not _is_own(principal, found.payload):
        raise NotFound(f"no {what} {lookup.statement_id}")
    return found


def _restricted_to_own(principal: Principal) -> bool:
    return not principal.can("statements:read")


def _is_own(principal: Principal, payload: dict[str, Any]) -> bool:
    return payload.get("authority") == principal.authority


async def query_statements(db: Database, principal: Principal, query: FilteredQuery) -> StatementPage:
    """One page of a filtered query. The first page fixes the upper bound so later pages stay stable."""
    query_filter = query.filter
    if _restricted_to_own(principal):
        query_filter = replace(query_filter, mine_ifi=agent_ifi(principal.authority))

    def run(conn: Connection) -> StatementPage:
        consistent_us = clock.now_us()
        latest = store.latest_seq(conn, principal.tenant_id)
        # A cursor another caller built (the admin statement browser's is plain text) may name seqs
        # beyond the store; nothing lies there, and the index buckets to walk end at the latest.
        cursor = Cursor(None, latest) if query.cursor is None else replace(
            query.cursor, bound_seq=min(query.cursor.bound_seq, latest))
        limit = query.options.limit
        rows = store.run_statement_query(conn, *build_select(principal.tenant_id, query_filter, limit, cursor))
        if has_match_filters(query_filter) and store.has_targeting_statements(conn, principal.tenant_id):
            targeting = store.run_statement_query(
                conn, *build_targeting_select(principal.tenant_id, query_filter, limit, cursor))
            rows = _merge_in_order(rows, targeting, query_filter.ascending)
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = Cursor(rows[-1].seq, cursor.bound_seq)
        return StatementPage(rows, next_cursor, consistent_us)

    return await db.read(run)


def _merge_in_order(first: list[store.StoredStatement], second: list[store.StoredStatement], ascending: bool
                    ) -> list[store.StoredStatement]:
    by_seq = {row.seq: row for row in first}
    by_seq.update((row.seq, row) for row in second)
    return [by_seq[seq] for seq in sorted(by_seq, reverse=not ascending)]


async def statement_attachments(db: Database, principal: Principal, payloads: Sequence[dict[str, Any]]
                                ) -> dict[str, tuple[str, bytes]]:
    sha2s = [a["sha2"] for p in payloads for a in p.get("attachments", ()) if "sha2" in a]
    return await db.read(lambda conn: store.load_attachments(conn, principal.tenant_id, sha2s))
