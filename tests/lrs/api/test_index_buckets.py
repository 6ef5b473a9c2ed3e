"""Index buckets (lrs/store/tables.py): filtered queries walk every bucket, in order, across pages.

On SQLite the agent, activity, definition and registration indexes lead with the seq's bucket. The
tests narrow the buckets to four seqs, so a few dozen statements span many of them and every filter,
both orders and `more` paging cross bucket boundaries; on PostgreSQL everything is bucket 0 and the
same answers are required.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import create_engine

from hub.db import metadata
from lrs.query.statements import Cursor, StatementFilter, build_select
from lrs.store import dialect
from lrs.store.dialect import bucket_of, bucket_span
from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
PASSED = "http://adlnet.gov/expapi/verbs/passed"
COURSE = "http://example.com/course"


@pytest.fixture
def narrow_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialect, "SQLITE_BUCKET_BITS", 2)


def test_buckets_of_seqs() -> None:
    assert bucket_of("sqlite", 0) == 0 and bucket_of("sqlite", 4095) == 0 and bucket_of("sqlite", 4096) == 1
    assert bucket_of("postgresql", 5_000_000) == 0
    assert json.loads(bucket_span(0, 9000)) == [0, 1, 2]
    assert json.loads(bucket_span(4096, 4096)) == [1]
    assert json.loads(bucket_span(9000, 4096)) == []


async def all_ids(xapi: XAPIClient, **params: str) -> list[str]:
    """Every statement a query returns, following `more` with three to a page."""
    ids: list[str] = []
    resp = await xapi.get_statements(limit="3", **params)
    while True:
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        ids += [s["id"] for s in body["statements"]]
        if not body["more"]:
            return ids
        resp = await xapi.get_statements(more=parse_qs(urlsplit(body["more"]).query)["more"][0])


async def test_filtered_queries_cross_buckets_in_stored_order(narrow_buckets: None, xapi: XAPIClient) -> None:
    registrations = [str(uuid.uuid4()) for _ in range(2)]
    posted: list[dict[str, Any]] = []
    for i in range(37):
        statement = make_statement(actor_email=f"p{i % 3}@example.com", verb=COMPLETED if i % 2 else PASSED,
                                   activity=f"http://example.com/a{i % 4}", registration=registrations[i % 5 == 0])
        statement["context"]["contextActivities"] = {"parent": [{"id": COURSE}]}
        if i % 7 == 3:  # also an instructor: a related agent
            statement["context"]["instructor"] = {"mbox": "mailto:p0@example.com"}
        posted.append(statement)
    for start in range(0, len(posted), 5):  # batches and singles, so buckets fill across requests
        resp = await xapi.post_statements(posted[start:start + 5] if start % 2 else posted[start])
        assert resp.status == 200, await resp.text()
        if not start % 2:
            for statement in posted[start + 1:start + 5]:
                assert (await xapi.post_statements(statement)).status == 200

    def expect(match: Callable[[dict[str, Any]], bool]) -> list[str]:
        return [s["id"] for s in reversed(posted) if match(s)]

    def actor(s: dict[str, Any]) -> str:
        return s["actor"]["mbox"]

    cases: list[tuple[dict[str, str], list[str]]] = [
        ({"agent": '{"mbox":"mailto:p0@example.com"}'}, expect(lambda s: actor(s) == "mailto:p0@example.com")),
        ({"agent": '{"mbox":"mailto:p0@example.com"}', "related_agents": "true"},
         expect(lambda s: actor(s) == "mailto:p0@example.com" or "instructor" in s["context"])),
        ({"activity": "http://example.com/a1"}, expect(lambda s: s["object"]["id"] == "http://example.com/a1")),
        ({"activity": COURSE, "related_activities": "true"}, expect(lambda s: True)),
        ({"activity": COURSE}, []),
        ({"registration": registrations[1]}, expect(lambda s: s["context"]["registration"] == registrations[1])),
        ({"registration": registrations[0], "verb": PASSED},
         expect(lambda s: s["context"]["registration"] == registrations[0] and s["verb"]["id"] == PASSED)),
        ({"agent": '{"mbox":"mailto:p1@example.com"}', "activity": "http://example.com/a2"},
         expect(lambda s: actor(s) == "mailto:p1@example.com" and s["object"]["id"] == "http://example.com/a2")),
        ({"agent": '{"mbox":"mailto:p2@example.com"}', "registration": registrations[0], "verb": COMPLETED},
         expect(lambda s: actor(s) == "mailto:p2@example.com" and s["context"]["registration"] == registrations[0]
                and s["verb"]["id"] == COMPLETED)),
    ]
    for params, expected in cases:
        assert expected or params == {"activity": COURSE}
        assert await all_ids(xapi, **params) == expected, params
        assert await all_ids(xapi, ascending="true", **params) == list(reversed(expected)), params


async def test_activity_definitions_merge_across_buckets(narrow_buckets: None, xapi: XAPIClient) -> None:
    activity = f"http://example.com/activities/{uuid.uuid4()}"
    languages = ["en", "fr", "de", "es", "it", "nl", "pt", "sv", "da", "fi", "nb", "pl", "cs"]
    for i, language in enumerate(languages):
        statement = make_statement(activity=activity)
        statement["object"]["definition"] = {"name": {"en-US": f"Name {i}"}, "description": {language: "x"}}
        assert (await xapi.post_statements(statement)).status == 200
    resp = await xapi.request("GET", "/xapi/activities", params={"activityId": activity})
    definition = (await resp.json())["definition"]
    assert definition["name"] == {"en-US": "Name 12"}
    assert definition["description"] == {language: "x" for language in languages}


def sqlite_plan(query_filter: StatementFilter, cursor: Cursor) -> list[str]:
    """The steps of SQLite's EXPLAIN QUERY PLAN for a filtered query, on an empty schema (no statistics)."""
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.connect() as conn:
        select, params = build_select(1, query_filter, 50, cursor)
        compiled = select.compile(conn)
        values = tuple(params.get(name, compiled.params.get(name)) for name in compiled.positiontup or ())
        return [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)]


@pytest.mark.parametrize("query_filter", [
    StatementFilter(agent_ifi="mbox:mailto:p@example.com"),
    StatementFilter(agent_ifi="mbox:mailto:p@example.com", verb=COMPLETED),
    StatementFilter(activity=COURSE),
    StatementFilter(activity=COURSE, related_activities=True),
    StatementFilter(registration=str(uuid.UUID(int=1))),
    StatementFilter(registration=str(uuid.UUID(int=1)), verb=COMPLETED),
    StatementFilter(registration=str(uuid.UUID(int=1)), since_us=1, until_us=2),
    StatementFilter(registration=str(uuid.UUID(int=1)), verb=COMPLETED, ascending=True),
], ids=["agent", "agent+verb", "activity", "related_activities", "registration", "registration+verb",
        "registration+since+until", "registration+verb ascending"])
@pytest.mark.parametrize("cursor", [Cursor(None, 5000), Cursor(3000, 5000)], ids=["first page", "more"])
def test_sqlite_seeks_each_bucket_of_the_index(query_filter: StatementFilter, cursor: Cursor) -> None:
    """The bucket list is a predicate SQLite's planner can seek by (written `bucket IN (…)`, never
    `bucket IN (…) = 1`, which made every bucketed query scan: 78-174 ms at 200k instead of ~1 ms), and
    no other condition takes the query off the index it walks (a registration `more` page went by the
    (tenant, seq) index and sorted: 565 ms at 1,000,000 statements instead of 1.1 ms)."""
    plan = " | ".join(sqlite_plan(query_filter, cursor))
    assert "bucket=?" in plan, plan
    assert "USE TEMP B-TREE" not in plan, plan  # walked in (bucket, seq) order: no sort before the limit


@pytest.mark.parametrize("query_filter, seq_range", [
    (StatementFilter(since_us=1), "seq>? AND seq<?"),
    (StatementFilter(until_us=1), "seq<?"),
    (StatementFilter(verb=COMPLETED, since_us=1), "seq>? AND seq<?"),
], ids=["since", "until", "verb+since"])
def test_sqlite_answers_since_and_until_as_a_seq_range(query_filter: StatementFilter, seq_range: str) -> None:
    """since/until become a range of the seq index (stored increases in stored order), found by one seek of
    the stored index: since=<a minute ago> reads the last minute, not the whole store (173 ms at 200k before)."""
    plan = sqlite_plan(query_filter, Cursor(None, 5000))
    assert any(step.startswith("SEARCH lrs_statement USING INDEX") and seq_range in step for step in plan), plan
    assert any("COVERING INDEX ix_lrs_statement_tenant_stored" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
