"""cmi5 courses on the learner's side of the player API: listed in the catalogue, enrolled and assigned through
POST /api/v1/registrations (the cmi5 ops set up the per-AU state), shown in "My learning" with a link to their
course page, kept to their owner and tenant, and reported (overview, course, learner, CSV) once played.

The CATAPULT single-AU course is played by the Python stub AU over HTTP, as its cmi5.js would."""

from __future__ import annotations

import csv
import io
from typing import Any

from hub.tenants import Tenant
from tests.fixtures.people import SignedIn, WebClient
from tests.scorm_player.cmi5.stub_au import StubAU
from tests.scorm_player.helpers import CMI5
from tests.scorm_player.player.conftest import Importer


async def _json(client: WebClient, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
    response = await client.request(method, path, **kwargs)
    assert response.status == status, await response.text()
    return await response.json()


async def _enrol(client: WebClient, package_id: str, status: int = 201, **extra: Any) -> dict[str, Any]:
    return dict(await _json(client, "POST", "/api/v1/registrations", status, json={"package_id": package_id, **extra}))


async def test_the_catalogue_lists_cmi5_courses_and_its_enrolment_sets_up_the_aus(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, CMI5)
    learner = await signed_in(tenant)
    catalog = await _json(learner, "GET", "/api/v1/catalog")
    entry = next(p for p in catalog["packages"] if p["id"] == package.id)
    assert (entry["standard"], entry["registration"]) == ("cmi5", None)

    first = await _enrol(learner, package.id)
    again = await _enrol(learner, package.id, status=200)
    assert first["id"] == again["id"]
    assert first["standard"] == "cmi5" and first["completion_status"] == "not attempted"
    assert first["player_url"] == f"/#/learning/{first['id']}"

    status = await _json(learner, "GET", f"/api/v1/cmi5/registrations/{first['id']}")
    (au,) = status["course"]["children"]
    assert au["type"] == "au" and au["launch_method"] == "AnyWindow"
    assert au["launch_url"] == f"/cmi5/launch/{first['id']}/0"
    assert not (au["satisfied"] or au["completed"] or au["passed"])

    mine = (await _json(learner, "GET", "/api/v1/registrations/mine"))["registrations"]
    assert [(r["id"], r["standard"], r["player_url"]) for r in mine] == [
        (first["id"], "cmi5", f"/#/learning/{first['id']}")]
    catalog = await _json(learner, "GET", "/api/v1/catalog")
    entry = next(p for p in catalog["packages"] if p["id"] == package.id)
    assert entry["registration"]["player_url"] == f"/#/learning/{first['id']}"
    # The SCORM player's launch does not take a cmi5 registration.
    refused = await learner.request("POST", f"/api/v1/registrations/{first['id']}/launch")
    assert refused.status in (400, 404, 409)


async def test_an_admin_assigns_a_cmi5_course_and_a_learner_cannot(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, CMI5)
    admin = await signed_in(tenant, roles=["ld_admin"])
    learner = await signed_in(tenant)
    colleague = await signed_in(tenant)
    assigned = await _enrol(admin, package.id, person_id=learner.person.person_id)
    assert assigned["learner"]["id"] == learner.person.person_id and assigned["standard"] == "cmi5"
    mine = (await _json(learner, "GET", "/api/v1/registrations/mine"))["registrations"]
    assert [r["id"] for r in mine] == [assigned["id"]]
    launched = await learner.request("GET", f"/cmi5/launch/{assigned['id']}/0", allow_redirects=False)
    assert launched.status == 302
    denied = await colleague.request("POST", "/api/v1/registrations",
                                     json={"package_id": package.id, "person_id": learner.person.person_id})
    assert denied.status == 403


async def test_a_cmi5_registration_is_its_owners_only_and_stays_in_its_tenant(
        tenant: Tenant, other_tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, CMI5)
    owner = await signed_in(tenant)
    registration = await _enrol(owner, package.id)
    colleague = await signed_in(tenant)
    stranger = await signed_in(other_tenant)
    stranger_admin = await signed_in(other_tenant, roles=["ld_admin"])

    for other in (colleague, stranger, stranger_admin):
        seen = await other.request("GET", f"/api/v1/cmi5/registrations/{registration['id']}")
        assert seen.status == 404
        launched = await other.request("GET", f"/cmi5/launch/{registration['id']}/0", allow_redirects=False)
        assert launched.status == 404
        assert (await _json(other, "GET", "/api/v1/registrations/mine"))["registrations"] == []
    catalog = await _json(stranger, "GET", "/api/v1/catalog")
    assert package.id not in {p["id"] for p in catalog["packages"]}
    missing = await stranger.request("POST", "/api/v1/registrations", json={"package_id": package.id})
    assert missing.status == 404
    assigned = await stranger_admin.request("POST", "/api/v1/registrations",
                                            json={"package_id": package.id, "person_id": owner.person.person_id})
    assert assigned.status == 404


async def test_a_played_cmi5_course_shows_in_my_learning_and_in_every_report(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, CMI5)
    learner = await signed_in(tenant, given_name="Cee", family_name="Mifive")
    registration = await _enrol(learner, package.id)
    response = await learner.request("GET", f"/cmi5/launch/{registration['id']}/0", allow_redirects=False)
    assert response.status == 302, await response.text()
    au = StubAU(learner.client, response.headers["Location"])
    await au.start()
    await au.send_ok(au.initialized())
    await au.send_ok(au.judged(True, 0.8))
    await au.send_ok(au.completed())
    await au.send_ok(au.terminated())

    (mine,) = (await _json(learner, "GET", "/api/v1/registrations/mine"))["registrations"]
    assert (mine["completion_status"], mine["success_status"], mine["score_scaled"]) == ("completed", "passed", 0.8)
    assert mine["attempt_count"] == 1 and mine["total_time_seconds"] > 0
    status = await _json(learner, "GET", f"/api/v1/cmi5/registrations/{registration['id']}")
    assert status["course"]["satisfied"] is True
    (node,) = status["course"]["children"]
    assert (node["satisfied"], node["completed"], node["passed"]) == (True, True, True)

    analyst = await signed_in(tenant, roles=["ld_analyst"])
    overview = (await _json(analyst, "GET", "/api/v1/reports/courses"))["courses"]
    course = next(c for c in overview if c["package_id"] == package.id)
    assert (course["standard"], course["registrations"], course["completed"], course["passed"]) == ("cmi5", 1, 1, 1)
    report = await _json(analyst, "GET", f"/api/v1/reports/courses/{package.id}")
    (row,) = report["registrations"]
    assert (row["sessions"], row["satisfied"], row["score_scaled"]) == (1, True, 0.8)

    learner_report = await _json(analyst, "GET", f"/api/v1/reports/learners/{learner.person.person_id}")
    (played,) = learner_report["registrations"]
    assert played["attempts"] == []
    (au_row,) = played["aus"]
    assert au_row["title"] == "Introduction to Geology - Responsive Style"
    assert (au_row["satisfied"], au_row["passed"], au_row["completed"], au_row["sessions"]) == (True, True, True, 1)
    (session,) = played["cmi5_sessions"]
    assert (session["ended"], session["launch_mode"]) == ("terminated", "Normal")

    for path in (f"/api/v1/reports/courses/{package.id}/export.csv",
                 f"/api/v1/reports/learners/{learner.person.person_id}/export.csv"):
        exported = await analyst.request("GET", path)
        assert exported.status == 200
        header, line = list(csv.reader(io.StringIO(await exported.text())))
        values = dict(zip(header, line, strict=True))
        assert (values["registration_id"], values["standard"], values["sessions"], values["satisfied"]) == (
            registration["id"], "cmi5", "1", "true")
        assert (values["completion_status"], values["success_status"], values["score_scaled"]) == (
            "completed", "passed", "0.8")
