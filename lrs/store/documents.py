"""Document storage: the State, Activity Profile and Agent Profile rows of one tenant."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, delete, func, select, update

from lrs.store.dialect import insert_ignoring_duplicates
from lrs.store.tables import document

STATE = "state"
ACTIVITY_PROFILE = "activity_profile"
AGENT_PROFILE = "agent_profile"
# PostgreSQL btree entries hold at most ~2.7 kB (a third of a page): activity id, agent IFI and
# document id together stay below this, leaving room for the other key columns.
MAX_KEY_BYTES = 2400


@dataclass(frozen=True)
class DocumentKey:
    """One document: its unique key. Absent parts (agent of an activity profile, …) are ''."""

    tenant_id: int
    kind: str
    activity_id: str
    agent_ifi: str
    registration: str
    document_id: str


@dataclass(frozen=True)
class DocumentScope:
    """The documents of one context; registration None means any registration (or none)."""

    tenant_id: int
    kind: str
    activity_id: str
    agent_ifi: str
    registration: str | None


@dataclass(frozen=True)
class StoredDocument:
    document_id: str
    content_type: str
    content: bytes
    etag: str
    updated_us: int


def _key_clause(key: DocumentKey) -> ColumnElement[bool]:
    return and_(document.c.tenant_id == key.tenant_id, document.c.kind == key.kind,
                document.c.activity_id == key.activity_id, document.c.agent_ifi == key.agent_ifi,
                document.c.registration == key.registration, document.c.document_id == key.document_id)


def _scope_clause(scope: DocumentScope) -> ColumnElement[bool]:
    clause = and_(document.c.tenant_id == scope.tenant_id, document.c.kind == scope.kind,
                  document.c.activity_id == scope.activity_id, document.c.agent_ifi == scope.agent_ifi)
    if scope.registration is not None:
        clause = and_(clause, document.c.registration == scope.registration)
    return clause


def find_document(conn: Connection, key: DocumentKey, *, for_update: bool = False
                        ) -> StoredDocument | None:
    """The document at `key`; with `for_update`, its row stays locked until the transaction ends."""
    query = select(document.c.document_id, document.c.content_type, document.c.content, document.c.etag,
                   document.c.updated_us).where(_key_clause(key))
    if for_update:
        query = query.with_for_update()  # PostgreSQL row lock; SQLite already holds the write lock
    row = (conn.execute(query)).first()
    if row is None:
        return None
    return StoredDocument(row.document_id, row.content_type, bytes(row.content), row.etag, row.updated_us)


def insert_document(conn: Connection, key: DocumentKey, content_type: str, content: bytes,
                          etag: str, updated_us: int) -> bool:
    """Insert a new document; False when a concurrent transaction created the same key first."""
    statement = insert_ignoring_duplicates(conn, document).values(
        tenant_id=key.tenant_id, kind=key.kind, activity_id=key.activity_id, agent_ifi=key.agent_ifi,
        registration=key.registration, document_id=key.document_id, content_type=content_type,
        content=content, etag=etag, updated_us=updated_us).returning(document.c.id)
    return (conn.execute(statement)).first() is not None


def replace_document(conn: Connection, key: DocumentKey, content_type: str, content: bytes,
                           etag: str, updated_us: int) -> None:
    conn.execute(update(document).where(_key_clause(key)).values(
        content_type=content_type, content=content, etag=etag, updated_us=updated_us))


def delete_document(conn: Connection, key: DocumentKey) -> bool:
    result = conn.execute(delete(document).where(_key_clause(key)))
    return result.rowcount > 0


def delete_documents(conn: Connection, scope: DocumentScope) -> int:
    result = conn.execute(delete(document).where(_scope_clause(scope)))
    return result.rowcount


def list_document_ids(conn: Connection, scope: DocumentScope, since_us: int | None
                            ) -> tuple[list[str], int | None]:
    """Distinct ids in the scope updated after `since_us` (exclusive), and the latest update among them."""
    clause = _scope_clause(scope)
    if since_us is not None:
        clause = and_(clause, document.c.updated_us > since_us)
    rows = conn.execute(
        select(document.c.document_id, func.max(document.c.updated_us).label("updated_us"))
        .where(clause).group_by(document.c.document_id).order_by(document.c.document_id))
    ids: list[str] = []
    latest: int | None = None
    for row in rows:
        ids.append(row.document_id)
        latest = row.updated_us if latest is None else max(latest, row.updated_us)
    return ids, latest
