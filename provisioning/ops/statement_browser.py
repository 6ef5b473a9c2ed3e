"""The statement browser behind the admin UI: a signed-in person reads their tenant's statements.

It goes through the LRS's own query (`lrs.ops.statements.query_statements`) with a read-only
principal for the person's tenant, so tenant scoping and voiding rules are the LRS's. A person of
the tenant is many xAPI agents (mbox, account by id, account by employee number); each is queried
on the same keyset bound and the pages are merged by stored order, which keeps paging exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from hub.db import Database
from hub.errors import BadRequest
from lrs.model.agents import agent_ifi, parse_agent_param
from lrs.model.timestamps import parse_timestamp
from lrs.ops.credentials import Principal
from lrs.ops.statements import query_statements
from lrs.query.statements import Cursor, FilteredQuery, ResultOptions, StatementFilter
from lrs.scopes import ALL_READ, permissions
from lrs.store.statements import latest_seq
from provisioning.ops.people import Person, find_person_by_email, get_person
from provisioning.ops.sessions import WebPrincipal

PAGE_DEFAULT = 25
PAGE_MAX = 200
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")


@dataclass(frozen=True)
class BrowserQuery:
    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    since: str | None = None
    until: str | None = None
    cursor: str | None = None
    limit: int = PAGE_DEFAULT


@dataclass(frozen=True)
class BrowserPage:
    statements: list[dict[str, Any]]
    next_cursor: str | None
    person: dict[str, Any] | None


def reader_principal(person: WebPrincipal) -> Principal:
    """A read-only LRS principal for the signed-in person's tenant (never another's)."""
    key = f"web:{person.person_id}"
    authority = {"objectType": "Agent", "name": person.name,
                 "account": {"homePage": f"https://learnhub.local/tenants/{person.tenant_slug}/people",
                             "name": person.person_id}}
    scopes = frozenset({ALL_READ})
    return Principal(person.tenant_id, person.tenant_slug, 0, key, scopes, authority, permissions(scopes))


def _iri(name: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if ":" not in value or any(c.isspace() for c in value):
        raise BadRequest(f"{name} must be an IRI such as http://adlnet.gov/expapi/verbs/completed", field=name)
    return value


def _time_us(name: str, value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if _DATE.match(value):
        try:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise BadRequest(f"{name} is not a date (YYYY-MM-DD)", field=name) from None
        if name == "until":  # a date means the whole day
            day += timedelta(days=1)
        parsed = day
    else:
        parsed = parse_timestamp(value, "2.0.0", name)
    return int(parsed.timestamp()) * 1_000_000 + parsed.microsecond


def _parse_cursor(value: str | None) -> Cursor | None:
    if not value:
        return None
    match = _CURSOR.match(value)
    if match is None:
        raise BadRequest("cursor is not one this browser issued", field="cursor")
    return Cursor(int(match.group(1)), int(match.group(2)))


def _resolve_agents(conn: Connection, tenant_id: int, tenant_slug: str, value: str
                    ) -> tuple[list[str], Person | None]:
    """The IFIs the `agent` filter stands for: a person id, an e-mail address or an xAPI Agent as JSON."""
    value = value.strip()
    found: Person | None = None
    if _UUID.match(value):
        found = get_person(conn, tenant_id, value.lower())  # 404 when not of this tenant
    elif value.startswith("{"):
        try:
            return [agent_ifi(parse_agent_param(value, "2.0.0"))], None
        except ValueError:
            raise BadRequest("agent is not a valid xAPI Agent", field="agent") from None
    elif "@" in value:
        email = value.removeprefix("mailto:")
        found = find_person_by_email(conn, tenant_id, email)
        if found is None:
            return [agent_ifi({"mbox": f"mailto:{email}"})], None
    else:
        raise BadRequest("agent must be a person, an e-mail address or an xAPI Agent (JSON)", field="agent")
    return [agent_ifi(a) for a in found.agents(tenant_slug)], found


async def browse(db: Database, person: WebPrincipal, query: BrowserQuery) -> BrowserPage:
    limit = min(max(query.limit, 1), PAGE_MAX)
    verb = _iri("verb", query.verb)
    activity = _iri("activity", query.activity)
    since_us = _time_us("since", query.since)
    until_us = _time_us("until", query.until)
    cursor = _parse_cursor(query.cursor)
    principal = reader_principal(person)

    def prepare(conn: Connection) -> tuple[list[str | None], Person | None, Cursor]:
        ifis: list[str | None] = [None]
        found = None
        if query.agent and query.agent.strip():
            resolved, found = _resolve_agents(conn, person.tenant_id, person.tenant_slug, query.agent)
            ifis = list(dict.fromkeys(resolved))
        return ifis, found, cursor or Cursor(None, latest_seq(conn, person.tenant_id))

    ifis, found, position = await db.read(prepare)
    options = ResultOptions(limit=limit)
    rows: dict[int, Any] = {}
    more = False
    for ifi in ifis:
        statement_filter = StatementFilter(agent_ifi=ifi, verb=verb, activity=activity, since_us=since_us,
                                           until_us=until_us)
        page = await query_statements(db, principal, FilteredQuery(statement_filter, options, position))
        more = more or page.next_cursor is not None
        rows.update((row.seq, row) for row in page.statements)
    ordered = [rows[seq] for seq in sorted(rows, reverse=True)]
    if len(ordered) > limit:
        more = True
        ordered = ordered[:limit]
    next_cursor = f"{ordered[-1].seq}-{position.bound_seq}" if more and ordered else None
    about = None if found is None else {"id": found.person_id, "name": found.name, "email": found.email}
    return BrowserPage([row.payload for row in ordered], next_cursor, about)
