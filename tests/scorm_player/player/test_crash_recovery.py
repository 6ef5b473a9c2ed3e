"""After the browser dies in a SCORM 2004 course that was not suspended, launching again returns the learner to
the activity they were in (not the course's start); the SCO session that never terminated keeps its committed
data and the SCO starts a new session (RTE 4th Ed: no Terminate and no suspend → cmi.entry "ab-initio")."""

from __future__ import annotations

from hub.tenants import Tenant
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import MULTI_SCO_12, Importer, Launched, enrol_and_launch

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


async def test_what_a_crashed_session_committed_reaches_the_sequencer_as_if_it_had_terminated(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, FORCED_SEQUENTIAL)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    first = launched.delivery["activity_id"]
    committed = await launched.commit(launched.delivery["seq"] + 1, {"cmi.completion_status": "completed",
                                                                    "cmi.success_status": "passed",
                                                                    "cmi.location": "end"})
    assert committed.status == 200, await committed.text()
    assert next(e for e in launched.body["toc"] if e["id"] == first)["status"] != "passed"
    # Crash: no Terminate. The session counts as ended with cmi.exit "": its data is the activity's result ...
    again = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    assert again.status == 200, await again.text()
    body = await again.json()
    assert body["delivery"]["activity_id"] == first
    assert next(e for e in body["toc"] if e["id"] == first)["status"] == "passed"
    # ... so the forced-sequential course now lets the learner continue past it.
    assert body["request_valid"]["continue"] == "true"
    # ... and the SCO itself starts a new attempt.
    assert body["delivery"]["values"]["cmi.entry"] == "ab-initio" and "cmi.location" not in body["delivery"]["values"]


async def test_scorm_12_returns_to_the_last_sco_after_a_crash(tenant: Tenant, signed_in: SignedIn,
                                                              import_fixture: Importer) -> None:
    package = await import_fixture(tenant, MULTI_SCO_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    launchable = [entry["id"] for entry in launched.body["toc"] if entry["launchable"]]
    chosen = await launched.learner.request("POST", f"/api/v1/runtime/{launched.attempt_id}/nav",
                                            json={"request": "choice", "target": launchable[3]})
    view = Launched(launched.learner, launched.registration_id, await chosen.json())
    committed = await view.commit(view.delivery["seq"] + 1, {"cmi.core.lesson_status": "completed",
                                                            "cmi.core.lesson_location": "p2"})
    assert committed.status == 200, await committed.text()
    again = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    body = await again.json()
    assert body["attempt_id"] == launched.attempt_id and body["delivery"]["activity_id"] == launchable[3]
    values = body["delivery"]["values"]
    assert values["cmi.core.entry"] == "ab-initio" and "cmi.core.lesson_location" not in values
