"""The two CATAPULT example courses (real zips from ../shared) driven by the stub AU: launch URLs under
/content/{package}/, the AU's own query kept, block and course `satisfied` across six AUs."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from scorm_player.ops.packages import import_package
from tests.fixtures.http import XAPIClient
from tests.fixtures.people import SignedIn
from tests.scorm_player.cmi5.conftest import enrol, launch, registration_statements, verbs
from tests.scorm_player.cmi5.stub_au import StubAU, path_of
from tests.scorm_player.helpers import SHARED_FIXTURES


def catapult_zip(name: str) -> Path:
    path = SHARED_FIXTURES / "cmi5" / name
    if not path.is_file():
        pytest.skip(f"CATAPULT fixture not found at {path.resolve()} (checkout of ../shared missing)")
    return path


async def test_pre_post_test_course_satisfies_each_block_then_the_course(
        tenant: Tenant, signed_in: SignedIn, database: Database, content_root: Path, lrs_reader: XAPIClient,
        http: TestClient) -> None:
    package = await import_package(database, tenant.id, catapult_zip("catapult_pre_post_test_framed.zip"),
                                   content_root=content_root, actor="test")
    learner = await signed_in(tenant)
    registration_id = await enrol(learner, package.id)
    status = await (await learner.request("GET", f"/api/v1/cmi5/registrations/{registration_id}")).json()
    blocks = status["course"]["children"]
    assert [b["type"] for b in blocks] == ["block", "block"]
    assert [au["move_on"] for au in blocks[0]["children"]] == ["Passed", "CompletedOrPassed", "Passed"]

    async def run(index: int, *, passed: bool) -> StubAU:
        au = await launch(learner, registration_id, str(index))
        await au.start()
        await au.send_ok(au.initialized())
        await au.send_ok(au.judged(True) if passed else au.completed())
        await au.send_ok(au.terminated())
        return au

    content = await run(1, passed=False)
    assert path_of(content.location).startswith(f"/content/{package.id}/index.html?pages=1&endpoint=")
    page = await http.get(path_of(content.location), headers={"Cookie": f"learnhub_session={learner.token}"})
    assert page.status == 200  # the player's content route serves the AU
    await run(0, passed=True)
    last = await run(2, passed=True)
    statements = await registration_statements(lrs_reader, registration_id)
    satisfied = [s for s in statements if s["verb"]["id"].endswith("/satisfied")]
    assert [s["context"]["contextActivities"]["grouping"][0]["id"].rsplit("/", 1)[-1] for s in satisfied] == ["block1"]
    assert satisfied[0]["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"] == \
        last.session_id
    for index in (3, 4, 5):
        await run(index, passed=index != 4)
    statements = await registration_statements(lrs_reader, registration_id)
    assert verbs(statements)[-3:] == ["satisfied", "satisfied", "terminated"]
    assert statements[-2]["object"]["definition"]["type"] == "https://w3id.org/xapi/cmi5/activitytype/course"
    status = await (await learner.request("GET", f"/api/v1/cmi5/registrations/{registration_id}")).json()
    assert status["completion_status"] == "completed" and status["course"]["satisfied"] is True
    mine = await (await learner.request("GET", "/api/v1/registrations/mine")).json()
    assert [r["completion_status"] for r in mine["registrations"] if r["id"] == registration_id] == ["completed"]
