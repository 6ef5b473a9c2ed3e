"""Document commands and queries: concurrency preconditions, JSON merging, one transaction each."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Callable

from sqlalchemy import Connection

from hub import clock
from hub.db import Database
from hub.errors import BadRequest, Conflict, PreconditionFailed, ServiceUnavailable
from lrs.model.versions import is_v2
from lrs.ops.credentials import Principal
from lrs.store import documents as store
from lrs.store.documents import (
    ACTIVITY_PROFILE,
    AGENT_PROFILE,
    MAX_KEY_BYTES,
    STATE,
    DocumentKey,
    DocumentScope,
    StoredDocument,
)

__all__ = ["ACTIVITY_PROFILE", "AGENT_PROFILE", "MAX_KEY_BYTES", "STATE", "Address", "Content", "DocumentList",
           "EntityTags", "Preconditions", "StoredDocument", "delete_document", "delete_documents", "etag_for",
           "get_document", "list_documents", "post_document", "put_document", "validate_content"]

JSON_MEDIA_TYPE = "application/json"
# RFC 9110 §8.3: content without a Content-Type may be treated as application/octet-stream.
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A write that lost a race to create the same document is re-run this many times.
_CREATE_ATTEMPTS = 3


@dataclass(frozen=True)
class Address:
    """What a request addresses, tenant aside (the tenant is always the principal's).

    registration is None when the request gave none; document_id is None for the
    multiple-document forms (GET of ids, state DELETE of a whole context).
    """

    kind: str
    activity_id: str = ""
    agent_ifi: str = ""
    registration: str | None = None
    document_id: str | None = None


@dataclass(frozen=True)
class Content:
    """A document as received: its Content-Type header value and its bytes."""

    content_type: str
    body: bytes

    @property
    def media_type(self) -> str:
        return media_type(self.content_type)

    @property
    def is_json(self) -> bool:
        return self.media_type == JSON_MEDIA_TYPE


@dataclass(frozen=True)
class EntityTags:
    """An If-Match / If-None-Match value: "*" or a list of (opaque tag, weak) pairs (RFC 9110 §8.8.3)."""

    any: bool = False
    tags: tuple[tuple[str, bool], ...] = ()

    def strong_match(self, etag: str) -> bool:
        return any(not weak and opaque == etag for opaque, weak in self.tags)

    def weak_match(self, etag: str) -> bool:
        return any(opaque == etag for opaque, _ in self.tags)


@dataclass(frozen=True)
class Preconditions:
    if_match: EntityTags | None = None
    if_none_match: EntityTags | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


@dataclass(frozen=True)
class DocumentList:
    ids: list[str]
    last_modified_us: int | None


class _LostCreateRace(Exception):
    """Another transaction created the document between our read and our insert."""


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def etag_for(content: bytes) -> str:
    """SHA-1 hex of the content (xAPI 1.0.3 Communication §3.1.s4.b2; 2.0 names no algorithm)."""
    return hashlib.sha1(content).hexdigest()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(body: bytes) -> Any:
    """Strict RFC 8259 JSON (no NaN/Infinity); integers of any size survive a merge."""
    return json.loads(body, parse_constant=_reject_constant)


def validate_content(content: Content) -> None:
    """A document sent as application/json must be JSON (Communication §2.2.s8.b1, XAPI-00235, XAPI-00314)."""
    if not content.is_json:
        return
    try:
        parse_json(content.body)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"the document has Content-Type application/json but is not valid JSON: {exc}",
                         field="body") from None


def _json_object(body: bytes, which: str) -> dict[str, Any]:
    try:
        value = parse_json(body)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise BadRequest(f"cannot merge: the {which} document is not a JSON object (Communication §2.2.s8.b1)",
                         field="body")
    return value


def _key(principal: Principal, address: Address) -> DocumentKey:
    assert address.document_id is not None
    return DocumentKey(principal.tenant_id, address.kind, address.activity_id, address.agent_ifi,
                       address.registration or "", address.document_id)


def _scope(principal: Principal, address: Address) -> DocumentScope:
    return DocumentScope(principal.tenant_id, address.kind, address.activity_id, address.agent_ifi,
                         address.registration)


def check_write_preconditions(pre: Preconditions, current: StoredDocument | None) -> None:
    """If-Match, then If-None-Match, as RFC 9110 §13.2.2 orders them; 412 when one fails (Communication §3.1)."""
    if pre.if_match is not None:
        if current is None:
            raise PreconditionFailed("If-Match failed: the document does not exist", field="If-Match")
        if not pre.if_match.any and not pre.if_match.strong_match(current.etag):
            raise PreconditionFailed(f'If-Match failed: the document\'s current ETag is "{current.etag}"; '
                                     "fetch it again before changing it", field="If-Match")
    if pre.if_none_match is not None and current is not None:
        if pre.if_none_match.any:
            raise PreconditionFailed("If-None-Match: * failed: the document already exists", field="If-None-Match")
        if pre.if_none_match.weak_match(current.etag):
            raise PreconditionFailed("If-None-Match failed: the document matches a listed ETag",
                                     field="If-None-Match")


def _check_put_without_preconditions(kind: str, version: str, current: StoredDocument | None) -> None:
    """A PUT with neither If-Match nor If-None-Match.

    1.0.3 §3.1.s3: the State Resource permits it; Activity and Agent Profile clients MUST send one
    of the headers, so the LRS answers 409 when the document exists (§3.1.s4.b13) and 400 otherwise
    (XAPI-00273, XAPI-00287). 2.0 §4.1.4 drops the State exemption: 409 for an existing document of
    any kind, and a new document is simply stored.
    """
    if current is not None and (is_v2(version) or kind != STATE):
        raise Conflict("the document already exists and the PUT carried neither If-Match nor If-None-Match: "
                       "GET the document to check its current state, then PUT again with If-Match set to its "
                       f'current ETag ("{current.etag}") to replace it', field="If-Match",
                       details={"etag": f'"{current.etag}"'})
    if current is None and not is_v2(version) and kind != STATE:
        raise BadRequest("a PUT to this resource must carry an If-Match or If-None-Match header "
                         "(use If-None-Match: * to create a document)", field="If-Match")


async def _write(db: Database, fn: Callable[[Connection], None]) -> None:
    """Run a document write, re-running it when it lost a race to create the same document."""
    for _ in range(_CREATE_ATTEMPTS):
        try:
            return await db.transaction(fn)
        except _LostCreateRace:
            continue
    raise ServiceUnavailable("the document is being written concurrently; retry the request",
                             headers={"Retry-After": "1"})


def _store(conn: Connection, key: DocumentKey, current: StoredDocument | None, content_type: str,
                 body: bytes) -> None:
    now_us = clock.now_us()
    if current is None:
        if not store.insert_document(conn, key, content_type, body, etag_for(body), now_us):
            raise _LostCreateRace()
        return
    # Last-Modified never goes backwards, even if clocks of two workers disagree.
    store.replace_document(conn, key, content_type, body, etag_for(body), max(now_us, current.updated_us + 1))


async def put_document(db: Database, principal: Principal, address: Address, content: Content,
                       pre: Preconditions, version: str) -> None:
    """Store or replace one document (Communication §2.2–2.7 PUT) under the concurrency rules."""
    key = _key(principal, address)

    def run(conn: Connection) -> None:
        current = store.find_document(conn, key, for_update=True)
        check_write_preconditions(pre, current)
        if not pre.given:
            _check_put_without_preconditions(key.kind, version, current)
        _store(conn, key, current, content.content_type, content.body)

    await _write(db, run)


async def post_document(db: Database, principal: Principal, address: Address, content: Content,
                        pre: Preconditions) -> None:
    """Store a new document, or merge top-level JSON properties into the existing one (Communication §2.2.s7)."""
    key = _key(principal, address)

    def run(conn: Connection) -> None:
        current = store.find_document(conn, key, for_update=True)
        check_write_preconditions(pre, current)
        if current is None:
            _store(conn, key, None, content.content_type, content.body)
            return
        # Communication §2.2.s8.b1: both documents must be application/json JSON objects.
        if media_type(current.content_type) != JSON_MEDIA_TYPE:
            raise BadRequest(f"cannot merge: the stored document is {current.content_type!r}, not application/json; "
                             "PUT to replace it", field="Content-Type")
        if not content.is_json:
            raise BadRequest(f"cannot merge: the posted document is {content.content_type!r}, not application/json; "
                             "PUT to replace the stored JSON document", field="Content-Type")
        merged = _json_object(current.content, "stored")
        merged.update(_json_object(content.body, "posted"))
        body = json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        _store(conn, key, current, JSON_MEDIA_TYPE, body)

    await _write(db, run)


async def delete_document(db: Database, principal: Principal, address: Address, pre: Preconditions) -> None:
    """Delete one document; deleting an absent one succeeds unless a precondition says otherwise."""
    key = _key(principal, address)

    def run(conn: Connection) -> None:
        current = store.find_document(conn, key, for_update=True)
        check_write_preconditions(pre, current)
        if current is not None:
            store.delete_document(conn, key)

    await _write(db, run)


async def delete_documents(db: Database, principal: Principal, address: Address) -> None:
    """Delete every state document of the context, of one registration if given (Communication §2.3.s5)."""
    scope = _scope(principal, address)

    def run(conn: Connection) -> None:
        store.delete_documents(conn, scope)

    await db.transaction(run)


async def get_document(db: Database, principal: Principal, address: Address) -> StoredDocument | None:
    key = _key(principal, address)
    return await db.read(lambda conn: store.find_document(conn, key))


async def list_documents(db: Database, principal: Principal, address: Address, since: datetime | None
                         ) -> DocumentList:
    """Ids in the context, stored or updated after `since` (exclusive) when given (Communication §2.3.s4)."""
    scope = _scope(principal, address)
    since_us = None if since is None else (since - _EPOCH) // timedelta(microseconds=1)
    ids, latest = await db.read(lambda conn: store.list_document_ids(conn, scope, since_us))
    return DocumentList(ids, latest)
