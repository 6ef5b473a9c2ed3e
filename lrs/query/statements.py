"""GET /statements parameters: parsed and checked, turned into one keyset-paginated SELECT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Mapping

import orjson
from sqlalchemy import Select, bindparam, exists, false, func, select
from sqlalchemy.sql.elements import ColumnElement

from hub.errors import BadRequest
from lrs.model.agents import agent_ifi, parse_agent_param
from lrs.model.timestamps import parse_timestamp
from lrs.store.dialect import InBuckets, NoIndexOnPostgres, NotDriving, bucket_span
from lrs.store.statements import STORED_COLUMNS
from lrs.store.tables import STATEMENT_REF, statement, statement_activity, statement_agent

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
FORMATS = ("exact", "ids", "canonical")
SINGLE_PARAMS = {"statementId", "voidedStatementId"}
# Communication §2.1.3: with statementId/voidedStatementId only these may accompany it.
SINGLE_COMPANIONS = {"attachments", "format"}
FILTER_PARAMS = {"agent", "verb", "activity", "registration", "related_activities", "related_agents", "since",
                 "until", "limit", "format", "attachments", "ascending"}
KNOWN_PARAMS = SINGLE_PARAMS | FILTER_PARAMS | {"more"}


@dataclass(frozen=True)
class StatementFilter:
    """The filters of a statement query; `agent_ifi` etc. are already canonical."""

    agent_ifi: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since_us: int | None = None
    until_us: int | None = None
    ascending: bool = False
    mine_ifi: str | None = None


@dataclass(frozen=True)
class ResultOptions:
    limit: int
    format: str = "exact"
    attachments: bool = False


@dataclass(frozen=True)
class Cursor:
    """Keyset position: strictly after `after_seq` in the query's order, never beyond `bound_seq`."""

    after_seq: int | None
    bound_seq: int


@dataclass(frozen=True)
class SingleLookup:
    statement_id: str
    voided: bool
    options: ResultOptions


@dataclass(frozen=True)
class FilteredQuery:
    filter: StatementFilter
    options: ResultOptions
    cursor: Cursor | None = field(default=None)


def parse_bool(name: str, value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    if value.lower() == "true":
        return True
    if value.lower() == "false":
        return False
    raise BadRequest(f"parameter {name!r} must be 'true' or 'false'", field=name)


def parse_params(params: Mapping[str, str], version: str, *, default_limit: int, max_limit: int
                 ) -> SingleLookup | FilteredQuery:
    """Check and parse GET /statements parameters (everything but `more`)."""
    unknown = set(params) - KNOWN_PARAMS
    if unknown:
        raise BadRequest(f"unknown parameter(s): {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    fmt = params.get("format", "exact")
    if fmt not in FORMATS:
        raise BadRequest(f"format must be one of {', '.join(FORMATS)}", field="format")
    attachments = parse_bool("attachments", params.get("attachments"))
    limit = _parse_limit(params.get("limit"), default_limit, max_limit)
    options = ResultOptions(limit=limit, format=fmt, attachments=attachments)

    singles = SINGLE_PARAMS & set(params)
    if singles:
        if len(singles) > 1:
            raise BadRequest("statementId and voidedStatementId cannot be used together", field="statementId")
        name = singles.pop()
        extra = set(params) - {name} - SINGLE_COMPANIONS
        if extra:
            raise BadRequest(f"{name} cannot be combined with {', '.join(sorted(extra))}", field=sorted(extra)[0])
        value = params[name]
        if not UUID_PATTERN.match(value):
            raise BadRequest(f"{name} must be a UUID", field=name)
        return SingleLookup(value.lower(), name == "voidedStatementId", options)

    agent = params.get("agent")
    registration = params.get("registration")
    if registration is not None and not UUID_PATTERN.match(registration):
        raise BadRequest("registration must be a UUID", field="registration")
    for name in ("verb", "activity"):
        iri = params.get(name)
        if iri is not None and not _looks_like_iri(iri):
            raise BadRequest(f"{name} must be an IRI", field=name)
    since = params.get("since")
    until = params.get("until")
    query_filter = StatementFilter(
        agent_ifi=agent_ifi(parse_agent_param(agent, version)) if agent is not None else None,
        verb=params.get("verb"),
        activity=params.get("activity"),
        registration=registration.lower() if registration else None,
        related_activities=parse_bool("related_activities", params.get("related_activities")),
        related_agents=parse_bool("related_agents", params.get("related_agents")),
        since_us=_timestamp_us(since, version, "since") if since is not None else None,
        until_us=_timestamp_us(until, version, "until") if until is not None else None,
        ascending=parse_bool("ascending", params.get("ascending")),
    )
    return FilteredQuery(query_filter, options)


def _parse_limit(value: str | None, default_limit: int, max_limit: int) -> int:
    if value is None:
        return default_limit
    if not value.isdigit():
        raise BadRequest("limit must be a non-negative integer", field="limit")
    limit = int(value)
    # Communication §2.1.3: 0 means the server's maximum.
    return max_limit if limit == 0 else min(limit, max_limit)


def _timestamp_us(value: str, version: str, name: str) -> int:
    parsed = parse_timestamp(value, version, name)
    return int(parsed.timestamp()) * 1_000_000 + parsed.microsecond


def _looks_like_iri(value: str) -> bool:
    return ":" in value and not any(c.isspace() for c in value)


def build_select(tenant_id: int, query_filter: StatementFilter, limit: int, cursor: Cursor
                 ) -> tuple[Select[Any], dict[str, Any]]:
    """One SELECT driven by the most selective index; keyset on the stored order, never OFFSET.

    Returns the statement and its parameters. Statements are cached per filter shape, so
    SQLAlchemy compiles each shape once and only the values change between requests.
    """
    shape = _shape(query_filter, cursor)
    return _select_for_shape(shape), _params(tenant_id, query_filter, limit, cursor)


def build_targeting_select(tenant_id: int, query_filter: StatementFilter, limit: int, cursor: Cursor
                           ) -> tuple[Select[Any], dict[str, Any]]:
    """Statements that match because the statement they target (recursively) matches.

    Communication §2.1.3, Filter Conditions for StatementRefs: for agent, verb, activity and
    registration, a statement whose object is a StatementRef meets the condition when its target
    does (voided targets included); since/until/limit and the cursor apply to the targeting one.
    """
    shape = _shape(query_filter, cursor)
    return _targeting_select_for_shape(shape), _params(tenant_id, query_filter, limit, cursor)


def has_match_filters(query_filter: StatementFilter) -> bool:
    """Whether the query has filters other than time and order, to which the StatementRef rule applies."""
    return any(v is not None for v in (query_filter.agent_ifi, query_filter.verb, query_filter.activity,
                                       query_filter.registration))


@dataclass(frozen=True)
class _Shape:
    agent: bool
    related_agents: bool
    activity: bool
    related_activities: bool
    verb: bool
    registration: bool
    since: bool
    until: bool
    mine: bool
    ascending: bool
    after: bool


def _shape(f: StatementFilter, cursor: Cursor) -> _Shape:
    return _Shape(f.agent_ifi is not None, f.related_agents, f.activity is not None, f.related_activities,
                  f.verb is not None, f.registration is not None, f.since_us is not None, f.until_us is not None,
                  f.mine_ifi is not None, f.ascending, cursor.after_seq is not None)


def _params(tenant_id: int, f: StatementFilter, limit: int, cursor: Cursor) -> dict[str, Any]:
    return {"tenant_id": tenant_id, "agent_ifi": f.agent_ifi, "activity": f.activity, "verb": f.verb,
            "registration": f.registration, "since_us": f.since_us, "until_us": f.until_us,
            "mine_ifi": f.mine_ifi, "bound_seq": cursor.bound_seq, "after_seq": cursor.after_seq,
            "row_limit": limit + 1, "buckets": _bucket_range(f, cursor)}


def _bucket_range(f: StatementFilter, cursor: Cursor) -> str:
    """The buckets a bucket-driven query walks: those of the seqs the cursor still allows."""
    low, high = 0, cursor.bound_seq
    if cursor.after_seq is not None:
        if f.ascending:
            low = cursor.after_seq
        else:
            high = min(high, cursor.after_seq)
    return bucket_span(low, high)


@lru_cache(maxsize=512)
def _select_for_shape(shape: _Shape) -> Select[Any]:
    """Driven by the agent, activity or registration index when the query names one.

    Those indexes lead with the index bucket (lrs/store/tables.py): the query walks the buckets of
    its seq range in order, ORDER BY (bucket, seq), and stops at the limit.
    """
    tenant: Any = bindparam("tenant_id")
    conditions: list[ColumnElement[bool]] = [statement.c.voided == false()]
    driver: Any
    if shape.agent:
        driver = statement_agent
        query = select(*STORED_COLUMNS).select_from(driver.join(statement, statement.c.seq == driver.c.seq))
        conditions += [driver.c.tenant_id == tenant, InBuckets(driver.c.bucket), driver.c.ifi == bindparam("agent_ifi")]
        if not shape.related_agents:
            conditions.append(driver.c.usage == "direct")
        if shape.activity:
            conditions.append(_activity_exists(shape, statement))
    elif shape.activity:
        driver = statement_activity
        query = select(*STORED_COLUMNS).select_from(driver.join(statement, statement.c.seq == driver.c.seq))
        conditions += [driver.c.tenant_id == tenant, InBuckets(driver.c.bucket),
                       driver.c.activity_id == bindparam("activity")]
        if not shape.related_activities:
            conditions.append(driver.c.usage == "direct")
    else:
        driver = statement
        query = select(*STORED_COLUMNS)
        conditions.append(statement.c.tenant_id == tenant)
        if shape.registration:
            conditions.append(InBuckets(statement.c.bucket))
    # Walking the registration index, the other conditions of lrs_statement must not drive (NotDriving).
    by_registration = shape.registration and driver is statement

    def filtering(column: Any) -> Any:
        return NotDriving(column) if by_registration else column

    if shape.verb:
        conditions.append(filtering(statement.c.verb_id) == bindparam("verb"))
    if shape.registration:
        conditions.append(statement.c.registration == bindparam("registration"))
    conditions += _common_conditions(shape, filtering(driver.c.seq), filtering(statement.c.stored_us))
    bucketed = shape.agent or shape.activity or shape.registration
    order = (driver.c.bucket, driver.c.seq) if bucketed else (driver.c.seq,)
    return (query.where(*conditions)
            .order_by(*(column.asc() if shape.ascending else column.desc() for column in order))
            .limit(bindparam("row_limit")))


@lru_cache(maxsize=128)
def _targeting_select_for_shape(shape: _Shape) -> Select[Any]:
    tenant: Any = bindparam("tenant_id")
    target = statement.alias("target")
    base_conditions: list[ColumnElement[bool]] = [target.c.tenant_id == tenant]
    if shape.agent:
        base_conditions.append(_agent_exists(shape, target))
    if shape.activity:
        base_conditions.append(_activity_exists(shape, target))
    if shape.verb:
        base_conditions.append(target.c.verb_id == bindparam("verb"))
    if shape.registration:
        base_conditions.append(target.c.registration == bindparam("registration"))
    referrer = statement.alias("referrer")
    targeted_ids = select(referrer.c.object_key).where(referrer.c.tenant_id == tenant,
                                                       referrer.c.object_type == STATEMENT_REF,
                                                       referrer.c.object_key > "")
    matched = (select(target.c.statement_id.label("statement_id"))
               .where(*base_conditions, target.c.statement_id.in_(targeted_ids))
               .cte("matched", recursive=True))
    chained = statement.alias("chained")
    matched = matched.union(select(chained.c.statement_id).where(
        chained.c.tenant_id == tenant, chained.c.object_type == STATEMENT_REF,
        chained.c.object_key == matched.c.statement_id))
    order = statement.c.seq
    conditions: list[ColumnElement[bool]] = [
        statement.c.tenant_id == tenant, statement.c.object_type == STATEMENT_REF,
        statement.c.voided == false(), statement.c.object_key.in_(select(matched.c.statement_id))]
    conditions += _common_conditions(shape, order)
    return (select(*STORED_COLUMNS).where(*conditions)
            .order_by(order.asc() if shape.ascending else order.desc())
            .limit(bindparam("row_limit")))


def _common_conditions(shape: _Shape, order: Any, stored: Any = statement.c.stored_us) -> list[ColumnElement[bool]]:
    """Time, authority ('read/mine') and keyset conditions, applied to the statement returned."""
    conditions: list[ColumnElement[bool]] = [order <= bindparam("bound_seq")]
    stored = NoIndexOnPostgres(stored)
    if shape.since:
        conditions += [stored > bindparam("since_us"), order > _last_seq_stored_by("since_us")]
    if shape.until:
        conditions += [stored <= bindparam("until_us"), order <= _last_seq_stored_by("until_us")]
    if shape.mine:
        # Its own alias: a query driven by the agent index already has statement_agent in its FROM,
        # which the subquery would correlate to, leaving it no FROM of its own.
        authority = statement_agent.alias("mine")
        conditions.append(exists().where(authority.c.tenant_id == bindparam("tenant_id"),
                                         authority.c.bucket == statement.c.bucket,
                                         authority.c.seq == statement.c.seq,
                                         authority.c.ifi == bindparam("mine_ifi")))
    if shape.after:
        after: Any = bindparam("after_seq")
        conditions.append(order > after if shape.ascending else order < after)
    return conditions


def _last_seq_stored_by(param: str) -> ColumnElement[int]:
    """The last seq stored at or before a time: one seek of the (tenant, stored) index.

    `stored` increases in stored order (lrs/ops/statements.py), so since/until are seq ranges and
    a query walks only its own stretch of the seq index: since=<a minute ago> over 1,000,000
    statements reads the last minute, not the whole store to find it empty. The stored_us conditions
    stay beside it (redundant on ordered rows), hidden from PostgreSQL's planner (NoIndexOnPostgres).
    Rows stored before `stored` was kept in order may be inverted by the milliseconds a clock step
    allowed; at such a boundary the seq range can leave one of them out.
    """
    stored_at = statement.alias("stored_at")
    return func.coalesce(
        select(stored_at.c.seq).where(stored_at.c.tenant_id == bindparam("tenant_id"),
                                      stored_at.c.stored_us <= bindparam(param))
        .order_by(stored_at.c.stored_us.desc(), stored_at.c.seq.desc()).limit(1).scalar_subquery(), 0)


def _activity_exists(shape: _Shape, target: Any) -> ColumnElement[bool]:
    conditions = [statement_activity.c.tenant_id == bindparam("tenant_id"),
                  statement_activity.c.bucket == target.c.bucket, statement_activity.c.seq == target.c.seq,
                  statement_activity.c.activity_id == bindparam("activity")]
    if not shape.related_activities:
        conditions.append(statement_activity.c.usage == "direct")
    return exists().where(*conditions)


def _agent_exists(shape: _Shape, target: Any) -> ColumnElement[bool]:
    conditions = [statement_agent.c.tenant_id == bindparam("tenant_id"), statement_agent.c.bucket == target.c.bucket,
                  statement_agent.c.seq == target.c.seq, statement_agent.c.ifi == bindparam("agent_ifi")]
    if not shape.related_agents:
        conditions.append(statement_agent.c.usage == "direct")
    return exists().where(*conditions)


# --- `more` tokens: the whole query state, signed so a client cannot forge another tenant's cursor ---

def encode_more(secret: bytes, tenant_id: int, query: FilteredQuery, cursor: Cursor) -> str:
    state = {"t": tenant_id, "f": asdict(query.filter), "o": asdict(query.options),
             "c": [cursor.after_seq, cursor.bound_seq]}
    body = base64.urlsafe_b64encode(orjson.dumps(state)).rstrip(b"=")
    signature = base64.urlsafe_b64encode(hmac.new(secret, body, hashlib.sha256).digest()[:16]).rstrip(b"=")
    return (body + b"." + signature).decode()


def decode_more(secret: bytes, tenant_id: int, token: str) -> FilteredQuery:
    try:
        body, signature = token.encode().split(b".", 1)
        expected = base64.urlsafe_b64encode(hmac.new(secret, body, hashlib.sha256).digest()[:16]).rstrip(b"=")
        if not hmac.compare_digest(signature, expected):
            raise ValueError("bad signature")
        state = orjson.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))
        if state["t"] != tenant_id:
            raise ValueError("other tenant")
        return FilteredQuery(StatementFilter(**state["f"]), ResultOptions(**state["o"]),
                             Cursor(state["c"][0], state["c"][1]))
    except (ValueError, KeyError, TypeError):
        raise BadRequest("the 'more' token is invalid or was issued to another client", field="more") from None
