"""Navigation requests (flow for SCORM 1.2, the sequencer for 2004), multi-SCO roll-up, reports and CSV export."""

from __future__ import annotations

import csv
import io

from hub.tenants import Tenant
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import GOLF_2004, MULTI_SCO_12, Importer, enrol_and_launch


async def _nav(launched, request: str, target: str | None = None) -> dict:  # noqa: ANN001
    response = await launched.learner.request("POST", f"/api/v1/runtime/{launched.attempt_id}/nav",
                                              json={"request": request, "target": target})
    assert response.status == 200, await response.text()
    return dict(await response.json())


async def test_multi_sco_12_flows_in_tree_order_and_the_course_completes_when_every_sco_is_done(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, MULTI_SCO_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    toc = launched.body["toc"]
    launchable = [entry["id"] for entry in toc if entry["launchable"]]
    assert len(launchable) == 18
    assert launched.delivery["activity_id"] == launchable[0]
    assert launched.body["request_valid"]["previous"] == "false"
    assert launched.body["request_valid"]["continue"] == "true"
    view = launched.body
    for position, activity in enumerate(launchable):
        assert view["delivery"]["activity_id"] == activity
        response = await launched.learner.request(
            "POST", f"/api/v1/runtime/{launched.attempt_id}/{activity}/commit",
            json={"seq": view["delivery"]["seq"] + 1, "terminate": True,
                  "values": {"cmi.core.lesson_status": "completed", "cmi.core.session_time": "0000:00:10.00"}})
        assert response.status == 200, await response.text()
        mine = (await (await launched.learner.request("GET", "/api/v1/registrations/mine")).json())["registrations"]
        expected = "completed" if position == len(launchable) - 1 else "incomplete"
        assert mine[0]["completion_status"] == expected
        view = await _nav(launched, "continue")
    assert view["ended"] is True and view["delivery"] is None
    assert mine[0]["total_time_seconds"] == 180


async def test_choice_previous_and_refused_requests(tenant: Tenant, signed_in: SignedIn,
                                                    import_fixture: Importer) -> None:
    package = await import_fixture(tenant, MULTI_SCO_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    launchable = [entry["id"] for entry in launched.body["toc"] if entry["launchable"]]
    chosen = await _nav(launched, "choice", launchable[5])
    assert chosen["delivery"]["activity_id"] == launchable[5]
    back = await _nav(launched, "previous")
    assert back["delivery"]["activity_id"] == launchable[4]
    refused = await _nav(launched, "choice", "no-such-item")
    assert refused["delivery"] is None and refused["exception"]
    bad = await launched.learner.request("POST", f"/api/v1/runtime/{launched.attempt_id}/nav",
                                         json={"request": "teleport"})
    assert bad.status == 400
    suspended = await _nav(launched, "suspendAll")
    assert suspended["suspended"] is True
    relaunched = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    assert (await relaunched.json())["delivery"]["activity_id"] == launchable[4]


async def test_scorm_2004_uses_the_sequencer_and_exposes_request_valid(tenant: Tenant, signed_in: SignedIn,
                                                                       import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_2004)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    assert launched.delivery["activity_id"] == "item_1"
    values = launched.delivery["values"]
    assert values["adl.nav.request_valid.continue"] in ("true", "false")
    assert "adl.nav.request_valid.choice.{target=item_1}" in values
    done = await launched.commit(1, {"cmi.completion_status": "completed", "cmi.exit": "normal",
                                     "adl.nav.request": "exitAll"}, terminate=True)
    assert done.status == 200
    assert (await done.json())["status"]["nav_request"] == "exitAll"
    ended = await _nav(launched, "exitAll")
    assert ended["ended"] is True
    again = await launched.learner.request("POST", f"/api/v1/runtime/{launched.attempt_id}/nav",
                                           json={"request": "continue"})
    assert again.status == 409  # the attempt is over; a new launch starts attempt 2
    relaunched = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    body = await relaunched.json()
    assert body["attempt_number"] == 2 and body["delivery"]["values"]["cmi.entry"] == "ab-initio"


async def test_reports_are_tenant_wide_for_analysts_and_team_only_for_managers(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_2004)
    manager = await signed_in(tenant, roles=["manager"])
    report_reader = await signed_in(tenant, roles=["ld_analyst"])
    in_team = await signed_in(tenant, manager=manager.person, given_name="Team", family_name="Member")
    outsider = await signed_in(tenant, given_name="=cmd", family_name="Outsider")
    for learner in (in_team, outsider):
        launched = await enrol_and_launch(learner, package.id)
        assert (await launched.commit(1, {"cmi.completion_status": "completed", "cmi.score.scaled": "0.9",
                                          "cmi.success_status": "passed"}, terminate=True)).status == 200

    everyone = await (await report_reader.request("GET", f"/api/v1/reports/courses/{package.id}")).json()
    assert len(everyone["registrations"]) == 2
    team = await (await manager.request("GET", f"/api/v1/reports/courses/{package.id}")).json()
    assert [r["learner"]["id"] for r in team["registrations"]] == [in_team.person.person_id]
    hidden = await manager.request("GET", f"/api/v1/reports/learners/{outsider.person.person_id}")
    assert hidden.status == 404
    learner_view = await (await manager.request("GET", f"/api/v1/reports/learners/{in_team.person.person_id}")).json()
    activity = learner_view["registrations"][0]["attempts"][0]["activities"][0]
    assert (activity["completion_status"], activity["success_status"], activity["score_scaled"]) == (
        "completed", "passed", 0.9)
    overview = await (await report_reader.request("GET", "/api/v1/reports/courses")).json()
    course = next(c for c in overview["courses"] if c["package_id"] == package.id)
    assert (course["registrations"], course["completed"], course["passed"]) == (2, 2, 2)
    learner_denied = await in_team.request("GET", f"/api/v1/reports/courses/{package.id}")
    assert learner_denied.status == 403

    exported = await report_reader.request("GET", f"/api/v1/reports/courses/{package.id}/export.csv")
    assert exported.status == 200 and exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(await exported.text())))
    assert rows[0][:3] == ["registration_id", "learner_id", "learner_name"]
    assert len(rows) == 3
    names = {row[2] for row in rows[1:]}
    assert "'=cmd Outsider" in names  # formula-looking cells are neutralised (CSV injection)


async def test_catalog_enrolment_is_idempotent_and_admins_can_assign(tenant: Tenant, signed_in: SignedIn,
                                                                     import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_2004)
    learner = await signed_in(tenant)
    catalog = await (await learner.request("GET", "/api/v1/catalog")).json()
    entry = next(p for p in catalog["packages"] if p["id"] == package.id)
    assert entry["registration"] is None
    first = await learner.request("POST", "/api/v1/registrations", json={"package_id": package.id})
    second = await learner.request("POST", "/api/v1/registrations", json={"package_id": package.id})
    assert (first.status, second.status) == (201, 200)
    assert (await first.json())["id"] == (await second.json())["id"]
    admin = await signed_in(tenant, roles=["ld_admin"])
    other = await signed_in(tenant)
    assigned = await admin.request("POST", "/api/v1/registrations",
                                   json={"package_id": package.id, "person_id": other.person.person_id})
    assert assigned.status == 201
    mine = await (await other.request("GET", "/api/v1/registrations/mine")).json()
    assert [r["package_id"] for r in mine["registrations"]] == [package.id]
    refused = await learner.request("POST", "/api/v1/registrations",
                                    json={"package_id": package.id, "person_id": other.person.person_id})
    assert refused.status == 403
