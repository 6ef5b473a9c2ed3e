"""After the browser dies in a SCORM 2004 course that was not suspended, launching again returns the learner to
the activity they were in (not the course's start); the SCO session that never terminated keeps its committed
data and the SCO starts a new session (RTE 4th Ed: no Terminate and no suspend → cmi.entry "ab-initio")."""

from __future__ import annotations

from hub.tenants import Tenant
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import Importer, Launched, enrol_and_launch

FORCED_SEQUENTIAL = ("scorm2004", "golf_seq_forced_sequential_2004_3rd.zip")


async def test_a_crashed_session_resumes_at_the_activity_the_learner_was_in(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, FORCED_SEQUENTIAL)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    assert launched.body["delivery"] is not None, launched.body
    first = launched.delivery["activity_id"]
    done = await launched.commit(launched.delivery["seq"] + 1, {"cmi.completion_status": "completed",
                                                                "cmi.success_status": "passed",
                                                                "cmi.exit": "normal"}, terminate=True)
    assert done.status == 200, await done.text()
    moved = await launched.learner.request("POST", f"/api/v1/runtime/{launched.attempt_id}/nav",
                                           json={"request": "continue"})
    assert moved.status == 200, await moved.text()
    view = Launched(launched.learner, launched.registration_id, await moved.json())
    assert view.body["delivery"] is not None, view.body.get("exception")
    later = view.delivery["activity_id"]
    assert later != first and view.delivery["api"] == "2004"
    committed = await view.commit(view.delivery["seq"] + 1, {"cmi.location": "page-3",
                                                            "cmi.completion_status": "incomplete"})
    assert committed.status == 200, await committed.text()
    # The browser dies here: no Terminate, no navigation request. The learner comes back later.
    again = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    assert again.status == 200, await again.text()
    body = await again.json()
    assert body["attempt_id"] == launched.attempt_id  # the same course attempt goes on
    assert body["delivery"]["activity_id"] == later
    values = body["delivery"]["values"]
    assert values["cmi.entry"] == "ab-initio" and values.get("cmi.location", "") == ""
    mine = (await (await launched.learner.request("GET", "/api/v1/registrations/mine")).json())["registrations"]
    assert mine[0]["completion_status"] == "incomplete"  # what the crashed session committed still counts
