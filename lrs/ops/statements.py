"""Statement commands (store, put) and queries (by id, filtered), one transaction each."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence, cast

import asyncpg
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from hub import clock
from hub.db import BROKEN_CONNECTION, Database
from hub.errors import BadRequest, Conflict, HubError, NotFound
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

log = logging.getLogger(__name__)

ATTACHMENT_CONTENT = dict[str, tuple[str, bytes]]  # sha2 -> (content type, bytes)


# Calls of the one-call write (_write_in_one_call) per group when other groups keep committing a later
# `stored` first; then the group falls back to a transaction.
RESTAMPS = 4


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
            # With other server processes writing too, what this one wrote last may not be the newest.
            found = db.caches["lrs.definitions"] = cls() if db.exclusive else _NoDefinitions()
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


class _NoDefinitions(LatestDefinitions):
    """Remembers nothing: every definition is written."""

    def lookup(self, tenant_id: int, activity_ids: Iterable[str]) -> dict[str, str]:
        return {}

    def remember(self, tenant_id: int, written: dict[str, tuple[int, str]]) -> None:
        pass


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
    batch = _Batch(principal, statements, prepared,
                   [p.entries.statement_id for p, raw in zip(prepared, statements, strict=True) if "id" in raw],
                   [(sha2, content_type, content) for sha2, (content_type, content) in attachments.items()])
    if batch.shares_transactions:
        stored_ids = await StatementWriter.of(db).submit(batch)
    else:
        stored_ids = await _write_alone(db, batch)
    for follow_up in batch.follow_ups:
        await follow_up(db)
    return stored_ids


@dataclass
class _Batch:
    """One request's statements, validated and completed by the LRS, waiting for their transaction."""

    principal: Principal
    raw: Sequence[dict[str, Any]]  # as the client sent them: equivalence compares these
    prepared: list[store.NewStatement]
    supplied_ids: list[str]
    parts: list[tuple[str, str, bytes]]
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def shares_transactions(self) -> bool:
        # A cmi5 session's gate writes the session's state inside the transaction, so its request could not
        # be left out of a shared one after its check; such requests (and ones with attachments) run alone.
        return self.principal.gate is None and not self.parts


class StatementWriter:
    """Statement-level group commit: a tenant's POSTs that arrive while its previous group is being
    written share the next transaction.

    The tenant's writes are serialized anyway (the stored order is taken under its write lock,
    lrs.store.dialect.reserve_statement_seqs), and on PostgreSQL that lock was held across every insert
    round trip and the COMMIT's fsync of each request. A shared transaction takes the lock, the seqs
    and each table's insert once for the whole group (measured on PostgreSQL, 8 concurrent clients:
    single-statement POSTs 285-299/s with p99 55-58 ms alone, 561-692/s with p99 17-20 ms shared;
    batch ingest and SQLite unchanged within the noise). Each request stays all or nothing: one whose
    statements conflict (409) is left out and the others go in; if the shared transaction fails in
    the database, every request is run again alone.
    """

    # Statements per shared transaction; a group never splits a request.
    GROUP_LIMIT = 2_000
    # Transactions of one tenant in flight at once: while one holds the write lock, the next reads
    # (ids already stored, voiding statements) and builds its rows on a connection of its own.
    # Measured on PostgreSQL (batch ingest / single POSTs per second): 1 in flight 2,645-3,170 /
    # 614-623, 2: 3,977-4,238 / 561-692, 4: 3,294-3,978 / 358-409.
    IN_FLIGHT = 2

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: dict[int, list[tuple[_Batch, asyncio.Future[list[str]]]]] = {}
        self._in_flight: dict[int, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks

    @classmethod
    def of(cls, db: Database) -> StatementWriter:
        found = db.caches.get("lrs.statement_writer")
        if found is None:
            found = db.caches["lrs.statement_writer"] = cls(db)
        return cast(StatementWriter, found)

    async def submit(self, batch: _Batch) -> list[str]:
        tenant_id = batch.principal.tenant_id
        future: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(tenant_id, []).append((batch, future))
        self._start(tenant_id)
        return await future

    def _start(self, tenant_id: int) -> None:
        """Start transactions for what is queued, up to IN_FLIGHT at once."""
        queue = self._pending.get(tenant_id)
        while queue and self._in_flight.get(tenant_id, 0) < self.IN_FLIGHT:
            size = taken = 0
            for batch, _ in queue:
                if taken and size + len(batch.prepared) > self.GROUP_LIMIT:
                    break
                size += len(batch.prepared)
                taken += 1
            group = queue[:taken]
            del queue[:taken]
            self._in_flight[tenant_id] = self._in_flight.get(tenant_id, 0) + 1
            task = asyncio.get_running_loop().create_task(self._write(group))
            self._tasks.add(task)
            task.add_done_callback(functools.partial(self._finished, tenant_id, group))
        if not queue:
            self._pending.pop(tenant_id, None)

    def _finished(self, tenant_id: int, group: list[tuple[_Batch, asyncio.Future[list[str]]]],
                  task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        # Left unsettled only when the task was cancelled (shutdown) or failed outside _write's handling.
        failure = None if task.cancelled() else task.exception()
        for _, future in group:
            if not future.done():
                if failure is None:
                    future.cancel()
                else:
                    future.set_exception(failure)
        self._in_flight[tenant_id] -= 1
        if not self._in_flight[tenant_id]:
            del self._in_flight[tenant_id]
        self._start(tenant_id)

    async def _write(self, group: list[tuple[_Batch, asyncio.Future[list[str]]]]) -> None:
        batches = [batch for batch, _ in group]
        try:
            outcomes: list[list[str] | Exception] = list(await _write_together(self.db, batches))
        except Exception as exc:
            if len(group) == 1:
                outcomes = [exc]
            else:
                # The database refused the shared transaction: each request runs alone and gets its own answer.
                outcomes = []
                for batch in batches:
                    try:
                        outcomes.append(await _write_alone(self.db, batch))
                    except Exception as alone_exc:
                        outcomes.append(alone_exc)
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if future.done():  # the request was cancelled (its client went away); its statements stand
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


async def _write_alone(db: Database, batch: _Batch) -> list[str]:
    # Alone, a refused request raises out of _write_together instead of becoming an outcome.
    return cast(list[str], (await _write_together(db, [batch]))[0])


async def _write_together(db: Database, batches: list[_Batch]) -> list[list[str] | Exception]:
    """One transaction for requests of one tenant; per request its ids or the error that left it out.

    With one request an error propagates (and rolls everything back), as it always did; with several,
    a request refused by the LRS's own rules (409) is left out before anything is written. On
    PostgreSQL the write is tried in one call first (_write_in_one_call).
    """
    if db.dialect == "postgresql" and all(batch.shares_transactions for batch in batches):
        stored = await _write_in_one_call(db, batches)
        if stored is not None:
            return stored
    tenant_id = batches[0].principal.tenant_id
    definitions = LatestDefinitions.of(db)
    written: dict[str, tuple[int, str]] = {}
    alone = len(batches) == 1

    def run(conn: Connection) -> list[list[str] | Exception]:
        existing = store.find_existing(conn, tenant_id, [i for b in batches for i in b.supplied_ids])
        outcomes: list[list[str] | Exception] = []
        fresh: list[store.NewStatement] = []
        fresh_supplied: list[str] = []
        for batch in batches:
            batch.follow_ups.clear()
            try:
                mine = _fresh_statements(batch, existing)
            except HubError as exc:
                if alone:
                    raise
                outcomes.append(exc)
                continue
            if batch.principal.gate is not None and mine:
                # A session-bound credential's rules (cmi5), in this transaction; a retried batch is not re-checked.
                follow_up = batch.principal.gate.check_statements(conn, [raw for raw, _ in mine])
                if follow_up is not None:
                    batch.follow_ups.append(follow_up)
            supplied = set(batch.supplied_ids)
            for raw, new in mine:
                fresh.append(new)
                if new.entries.statement_id in supplied:
                    fresh_supplied.append(new.entries.statement_id)
                    # A later request of the group sending the same id compares with this one.
                    existing[new.entries.statement_id] = raw
            outcomes.append([new.entries.statement_id for new in batch.prepared])
        if fresh:
            # A voiding statement may arrive before its target (Data §2.3.2).
            voided_early = store.find_voiding_targets(conn, tenant_id, fresh_supplied)
            known = definitions.lookup(tenant_id, {a for n in fresh for a in n.entries.definitions})
            # Taken inside the tenant's write lock (held from here to COMMIT: as little as possible
            # follows) and after the newest stored, so `stored` increases with every batch in stored
            # order even if the clock steps back: a client polling with since=<last stored seen>
            # misses nothing, and on SQLite since/until are ranges of the stored order
            # (lrs/query/statements.py).
            seqs, latest_stored_us = reserve_statement_seqs(conn, tenant_id, len(fresh))
            now_us = max(clock.now_us(), max(new.stored_us for new in fresh), latest_stored_us + 1)
            iso = clock.us_to_iso(now_us)
            fresh = [_restamp(new, now_us, iso) for new in fresh]
            written.clear()
            written.update(store.insert_statements(conn, tenant_id, fresh, seqs, voided_early, known))
            store.void_statements(conn, tenant_id, [n.entries.voids for n in fresh if n.entries.voids])
            for batch, outcome in zip(batches, outcomes, strict=True):
                if not isinstance(outcome, Exception):
                    store.insert_attachments(conn, tenant_id, batch.parts)
        return outcomes

    try:
        outcomes = await db.transaction(run)
    except IntegrityError:
        # A concurrent request stored one of these ids first; re-run to compare with it.
        outcomes = await db.transaction(run)
    definitions.remember(tenant_id, written)
    return outcomes


async def _write_in_one_call(db: Database, batches: list[_Batch]) -> list[list[str] | Exception] | None:
    """PostgreSQL, for requests without a cmi5 session's gate or attachments: the group's write as one
    call (lrs.store.statements.store_in_one_call), which holds the tenant's write lock for one round
    trip instead of four (lock, seqs, insert, COMMIT) with the loop's turns between them.

    Optimistic: it does not look for ids already stored first. None, with nothing written, when one
    was (a client sending a statement again) or the database refused the call for a reason a new
    transaction may not meet (serialization failure, deadlock, a connection it had dropped): the
    caller then runs the transaction that compares with what is stored and answers each request.
    """
    tenant_id = batches[0].principal.tenant_id
    definitions = LatestDefinitions.of(db)
    fresh = [new for batch in batches for new in batch.prepared]
    known = definitions.lookup(tenant_id, {a for n in fresh for a in n.entries.definitions})
    stored_us = max(clock.now_us(), max(new.stored_us for new in fresh))
    for _ in range(RESTAMPS):
        iso = clock.us_to_iso(stored_us)
        try:
            written = await store.store_in_one_call(db, tenant_id, [_restamp(new, stored_us, iso) for new in fresh],
                                                    stored_us, known)
        except store.Restamp as newer:
            # Another group committed a later `stored` first: `stored` must increase in stored order.
            stored_us = max(clock.now_us(), newer.latest_stored_us + 1)
            continue
        except asyncpg.UniqueViolationError:
            return None
        except (asyncpg.SerializationError, asyncpg.DeadlockDetectedError, *BROKEN_CONNECTION) as exc:
            log.warning("statement write falls back to a transaction", extra={"error": str(exc)})
            return None
        definitions.remember(tenant_id, written)
        return [[new.entries.statement_id for new in batch.prepared] for batch in batches]
    return None


def _fresh_statements(batch: _Batch, existing: dict[str, dict[str, Any]]
                      ) -> list[tuple[dict[str, Any], store.NewStatement]]:
    """The batch's statements not stored yet; a 409 if one is stored with different content."""
    fresh = []
    for raw, new in zip(batch.raw, batch.prepared, strict=True):
        found = existing.get(new.entries.statement_id)
        if found is None:
            fresh.append((raw, new))
        # Compare with what the client sent: properties the LRS fills in are not the client's.
        elif not statements_equivalent(found, raw):
            raise Conflict(f"statement {new.entries.statement_id} already exists with different content", field="id")
    return fresh


def _restamp(new: store.NewStatement, stored_us: int, stored_iso: str) -> store.NewStatement:
    if new.stored_us == stored_us:
        return new
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
    found = await store.get_statement(db, principal.tenant_id, lookup.statement_id)
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

    return await db.read(run, walks=True)


def _merge_in_order(first: list[store.StoredStatement], second: list[store.StoredStatement], ascending: bool
                    ) -> list[store.StoredStatement]:
    by_seq = {row.seq: row for row in first}
    by_seq.update((row.seq, row) for row in second)
    return [by_seq[seq] for seq in sorted(by_seq, reverse=not ascending)]


async def statement_attachments(db: Database, principal: Principal, payloads: Sequence[dict[str, Any]]
                                ) -> dict[str, tuple[str, bytes]]:
    sha2s = [a["sha2"] for p in payloads for a in p.get("attachments", ()) if "sha2" in a]
    return await db.read(lambda conn: store.load_attachments(conn, principal.tenant_id, sha2s))
