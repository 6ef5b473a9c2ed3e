"""The Activities Resource (Communication §2.5): definitions from statements, merged in arrival order."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select, text

from hub.db import Database
from lrs.ops import statements as ops
from lrs.store.tables import activity_definition
from tests.fixtures.databases import Backend
from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement


class Activity:
    """One activity of the test's own (the database is shared by the module's tests)."""

    def __init__(self) -> None:
        self.id = f"http://www.example.com/activities/{uuid.uuid4()}"

    def about(self, name: str, **definition: Any) -> dict[str, Any]:
        return make_statement(object={"objectType": "Activity", "id": self.id,
                                      "definition": {"name": {"en-US": name}, **definition}})

    async def get(self, client: XAPIClient) -> dict[str, Any]:
        resp = await client.request("GET", "/xapi/activities", params={"activityId": self.id})
        assert resp.status == 200
        return await resp.json()  # type: ignore[no-any-return]

    async def definition_rows(self, database: Database) -> int:
        activity_id = self.id
        return await database.read(lambda conn: conn.execute(
            select(func.count()).select_from(activity_definition).where(
                activity_definition.c.activity_id == activity_id)).scalar_one())


@pytest.fixture
def act() -> Activity:
    return Activity()


async def test_a_repeated_definition_is_stored_once_and_the_newest_wins(
        xapi: XAPIClient, database: Database, act: Activity) -> None:
    first = act.about("First", type="http://adlnet.gov/expapi/activities/module")
    second = act.about("Second", description={"en-US": "only in the second"})
    # A batch repeating the first definition, then another batch, then a batch going back to the first.
    assert (await xapi.post_statements([first, act.about("First", type="http://adlnet.gov/expapi/activities/module")]
                                       )).status == 200
    assert (await xapi.post_statements(act.about("First", type="http://adlnet.gov/expapi/activities/module"))
            ).status == 200
    assert await act.definition_rows(database) == 1
    assert (await xapi.post_statements(second)).status == 200
    merged = await act.get(xapi)
    assert merged["definition"]["name"] == {"en-US": "Second"}
    assert merged["definition"]["description"] == {"en-US": "only in the second"}
    assert (await xapi.post_statements(act.about("First", type="http://adlnet.gov/expapi/activities/module"))
            ).status == 200
    assert await act.definition_rows(database) == 3
    merged = await act.get(xapi)
    # The first definition came back last: its name wins, the second's description stays (language maps merge).
    assert merged["definition"] == {"name": {"en-US": "First"}, "description": {"en-US": "only in the second"},
                                    "type": "http://adlnet.gov/expapi/activities/module"}


async def test_with_several_workers_postgresql_still_stores_a_repeated_definition_once(
        xapi: XAPIClient, database: Database, act: Activity, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several server processes keep no cache of the newest definitions (another may have written a newer
    one): PostgreSQL's one-call write compares with the newest stored instead."""
    if backend.name != "postgresql":
        pytest.skip("SQLite skips repeated definitions only through the process's own cache")
    monkeypatch.setattr(ops.LatestDefinitions, "of", classmethod(lambda cls, db: ops._NoDefinitions()))
    first = act.about("First")
    assert (await xapi.post_statements([first, act.about("First")])).status == 200
    assert (await xapi.post_statements(act.about("First"))).status == 200
    assert await act.definition_rows(database) == 1
    # Going back to a definition written before the newest is a new row: the newest must win the merge.
    assert (await xapi.post_statements([act.about("Second"), act.about("First")])).status == 200
    assert (await xapi.post_statements(act.about("First"))).status == 200
    assert await act.definition_rows(database) == 3
    assert (await act.get(xapi))["definition"] == {"name": {"en-US": "First"}}


async def test_postgresql_compares_with_what_is_stored_only_the_definitions_the_cache_does_not_know(
        xapi: XAPIClient, database: Database, act: Activity, backend: Backend) -> None:
    """One server process knows the newest definition of each activity it wrote (migration 0017): the call
    does not look it up again. Shown by a newer definition written behind the cache's back: the call,
    trusting the cache, writes the same definition again (harmless: the merge ignores it), where a lookup
    would have skipped it."""
    if backend.name != "postgresql":
        pytest.skip("the comparison with the newest stored definition is PostgreSQL's one-call write")
    assert (await xapi.post_statements(act.about("First"))).status == 200
    second = act.about("Second")
    behind_the_cache = orjson.dumps(second["object"]["definition"]).decode()
    await database.transaction(lambda conn: conn.execute(
        text("INSERT INTO lrs_activity_definition (tenant_id, bucket, activity_id, seq, definition) "
             "SELECT tenant_id, bucket, activity_id, seq + 1, :definition FROM lrs_activity_definition "
             "WHERE activity_id = :activity"), {"definition": behind_the_cache, "activity": act.id}))
    assert (await xapi.post_statements(second)).status == 200
    assert await act.definition_rows(database) == 3
    # An activity the process has not written: compared with the newest stored, and skipped as identical.
    other = Activity()
    await database.transaction(lambda conn: conn.execute(
        text("INSERT INTO lrs_activity_definition (tenant_id, bucket, activity_id, seq, definition) "
             "SELECT tenant_id, bucket, :other, seq + 1, definition FROM lrs_activity_definition "
             "WHERE activity_id = :activity ORDER BY seq DESC LIMIT 1"), {"other": other.id, "activity": act.id}))
    assert (await xapi.post_statements(other.about("Second"))).status == 200
    assert await other.definition_rows(database) == 1


async def test_a_rejected_batch_leaves_no_remembered_definition(
        xapi: XAPIClient, database: Database, act: Activity) -> None:
    good = act.about("Kept")
    duplicate_id = make_statement()
    # The batch fails as a whole (the same id twice), so its definition was never stored ...
    assert (await xapi.post_statements([good, duplicate_id, duplicate_id])).status == 400
    assert await act.definition_rows(database) == 0
    # ... and the same definition arriving later is stored, not skipped as already known.
    assert (await xapi.post_statements(act.about("Kept"))).status == 200
    assert await act.definition_rows(database) == 1
    assert (await act.get(xapi))["definition"] == {"name": {"en-US": "Kept"}}


async def test_a_conflicting_batch_rolls_back_and_is_not_remembered(
        xapi: XAPIClient, database: Database, act: Activity) -> None:
    stored = make_statement()
    assert (await xapi.post_statements(stored)).status == 200
    changed = {**stored, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    # Rejected inside the transaction (409): the definition row is rolled back with it.
    assert (await xapi.post_statements([act.about("Rolled back"), changed])).status == 409
    assert await act.definition_rows(database) == 0
    assert (await xapi.post_statements(act.about("Rolled back"))).status == 200
    assert await act.definition_rows(database) == 1
