"""A SCO that never reports session_time: reports show the time the server measured (delivery to Terminate), while
the CMI total_time stays what the SCO reported (the LMS never invents it)."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from scorm_player.runtime.durations import parse_iso8601_duration
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import GOLF_12, GOLF_2004, Importer, enrol_and_launch
from tests.scorm_player.player.test_statements import VERBS, _statements


async def mine(launched) -> dict:  # type: ignore[no-untyped-def, type-arg]
    found = (await (await launched.learner.request("GET", "/api/v1/registrations/mine")).json())["registrations"]
    return dict(found[0])


async def test_time_is_measured_when_the_sco_reports_none(tenant: Tenant, signed_in: SignedIn,
                                                          import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    seq = launched.delivery["seq"]
    assert (await launched.commit(seq + 1, {"cmi.core.lesson_location": "p1"})).status == 200
    await asyncio.sleep(0.4)
    done = await launched.commit(seq + 2, {"cmi.core.lesson_status": "completed"}, terminate=True)
    assert done.status == 200, await done.text()
    first = (await mine(launched))["total_time_seconds"]
    assert 0.4 <= first < 30

    relaunched = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    body = await relaunched.json()
    # The SCO's own figure stays untouched: nothing, or zero.
    assert body["delivery"]["values"].get("cmi.core.total_time") in (None, "0000:00:00", "0000:00:00.00")
    await asyncio.sleep(0.2)
    attempt = body["attempt_id"]
    activity = body["delivery"]["activity_id"]
    again = await launched.learner.request("POST", f"/api/v1/runtime/{attempt}/{activity}/commit", json={
        "seq": body["delivery"]["seq"] + 1, "terminate": True, "values": {"cmi.core.lesson_status": "completed"}})
    assert again.status == 200, await again.text()
    # The second attempt's own session: about 0.2 s, not the first attempt's time again.
    assert 0.2 <= (await mine(launched))["total_time_seconds"] < 30


async def test_time_the_sco_reports_wins(tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    done = await launched.commit(launched.delivery["seq"] + 1, {"cmi.core.lesson_status": "completed",
                                                                "cmi.core.session_time": "0001:00:00"},
                                 terminate=True)
    assert done.status == 200, await done.text()
    assert (await mine(launched))["total_time_seconds"] == 3600


async def test_the_terminated_statement_carries_the_measured_duration_when_the_sco_reports_none(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer, http: TestClient, database: Database) -> None:
    package = await import_fixture(tenant, GOLF_2004)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    seq = launched.delivery["seq"]
    await asyncio.sleep(0.3)
    done = await launched.commit(seq + 1, {"cmi.completion_status": "completed"}, terminate=True)
    assert done.status == 200, await done.text()
    relaunched = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    body = await relaunched.json()
    # The SCO never set cmi.session_time: its CMI total_time stays zero (the LMS does not invent it) ...
    assert parse_iso8601_duration(body["delivery"]["values"].get("cmi.total_time", "PT0S")) == 0
    # ... but the second session's own figure is what its terminated statement reports.
    again = await launched.learner.request(
        "POST", f"/api/v1/runtime/{body['attempt_id']}/{body['delivery']['activity_id']}/commit",
        json={"seq": body["delivery"]["seq"] + 1, "terminate": True,
              "values": {"cmi.completion_status": "completed", "cmi.session_time": "PT42S"}})
    assert again.status == 200, await again.text()

    statements = await _statements(http, database, tenant, launched.registration_id)
    terminated = [s for s in statements if s["verb"]["id"] == VERBS + "terminated"]
    assert len(terminated) == 2
    measured = parse_iso8601_duration(terminated[0]["result"]["duration"])
    assert measured is not None and 30 <= measured < 3000  # centiseconds: the 0.3 s the server saw, not zero
    assert parse_iso8601_duration(terminated[1]["result"]["duration"]) == 4200  # a SCO reporting its time wins
