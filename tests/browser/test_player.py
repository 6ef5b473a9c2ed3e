"""The course player end to end in headless Chromium against a real `learnhub serve --demo`: the Rustici golf
SCORM 1.2 and 2004 packages imported, launched, clicked through, suspended, resumed and finished; then the stored
CMI data and the xAPI statements of the registration are checked."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from tests.browser.conftest import Person, fixture_zip, statements_of
from tests.fixtures.web_server import DemoServer

pytestmark = pytest.mark.browser

ADMIN = "omar.albalushi@democorp.local"  # L&D admin: may import packages and read reports
VERBS = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def people(browser: Any, demo_server: DemoServer) -> Iterator[dict[str, Person]]:
    admin = Person(browser, demo_server, ADMIN, accept_dialogs=True)
    learner = Person(browser, demo_server, "ahmed.alzadjali@democorp.local", accept_dialogs=True)
    yield {"admin": admin, "learner": learner}
    for person in (admin, learner):
        person.context.close()
    assert not learner.errors, f"JavaScript errors in the player: {learner.errors}"


def import_and_enrol(people: dict[str, Person], *parts: str) -> tuple[dict[str, Any], str]:
    path = fixture_zip(*parts)
    package = people["admin"].api("POST", "/api/v1/packages", multipart={
        "file": {"name": path.name, "mimeType": "application/zip", "buffer": path.read_bytes()}})
    registration = people["learner"].api("POST", "/api/v1/registrations", data={"package_id": package["id"]})
    return package, registration["id"]


def wait_for_sco(page: Any) -> None:
    page.wait_for_selector("body[data-state=playing]")
    page.wait_for_function("() => window.learnhubPlayer.session && window.learnhubPlayer.session.phase === 'running'")


def session_value(page: Any, element: str) -> Any:
    return page.evaluate(f"() => window.learnhubPlayer.session.values[{json.dumps(element)}]")


def click_next(page: Any, times: int) -> None:
    sco = page.frame_locator("#content")
    for _ in range(times):
        sco.locator("#butNext").click()


def learner_activity(people: dict[str, Person], registration: str) -> tuple[dict[str, Any], dict[str, Any]]:
    report = people["admin"].api("GET", f"/api/v1/reports/learners/{people['learner'].me['id']}")
    found = next(item for item in report["registrations"] if item["id"] == registration)
    return found, found["attempts"]


def test_golf_scorm_12_is_suspended_resumed_and_finished(people: dict[str, Person],
                                                         demo_server: DemoServer) -> None:
    package, registration = import_and_enrol(people, "scorm12", "golf_runtime_basic_scorm12.zip")
    page = people["learner"].page
    page.goto(f"/player/{registration}")
    wait_for_sco(page)
    assert page.locator("#course-title").inner_text() == package["title"]
    assert session_value(page, "cmi.core.entry") == "ab-initio"
    click_next(page, 3)
    # The player's "Save and exit": the SCO unloads (golf sets exit=suspend and calls LMSFinish), suspendAll.
    page.click("#nav-suspendAll")
    page.wait_for_selector("body[data-state=suspended]")

    page.goto(f"/player/{registration}")
    wait_for_sco(page)
    assert session_value(page, "cmi.core.entry") == "resume"
    assert session_value(page, "cmi.core.lesson_location") == "3"
    click_next(page, 12)  # pages 4..15: the last one is the assessment, which marks the SCO completed
    page.frame_locator("#content").frame_locator("#contentFrame").locator(
        "input[value='Submit Answers']").click()
    page.wait_for_function("() => window.learnhubPlayer.session.values['cmi.core.score.raw'] !== undefined")
    page.frame_locator("#content").locator("#butExit").click()
    page.wait_for_selector("body[data-state=ended]")

    summary, attempts = learner_activity(people, registration)
    assert summary["completion_status"] == "completed"
    assert summary["success_status"] == "failed"  # nothing answered: below the 70 pass mark
    activity = attempts[0]["activities"][0]
    assert activity["activity_id"] == "item_1"
    assert activity["sessions"] == 2
    assert activity["score_raw"] is not None and activity["score_raw"] < 70
    assert activity["success_status"] == "failed"
    assert activity["location"] == "15"
    assert activity["total_time_seconds"] > 0
    verbs = [s["verb"]["id"].removeprefix(VERBS) for s in statements_of(demo_server, registration)]
    assert verbs[:2] == ["initialized", "suspended"]
    assert verbs[2] == "resumed"
    assert {"completed", "scored", "failed", "terminated"} <= set(verbs[3:])
    assert verbs.index("terminated") > verbs.index("failed")


def test_golf_scorm_2004_is_suspended_resumed_and_completed(people: dict[str, Person],
                                                            demo_server: DemoServer) -> None:
    package, registration = import_and_enrol(people, "scorm2004", "golf_runtime_basic_2004_3rd.zip")
    page = people["learner"].page
    page.goto(f"/player/{registration}")
    wait_for_sco(page)
    assert session_value(page, "cmi.entry") == "ab-initio"
    assert session_value(page, "cmi.completion_status") == "incomplete"
    click_next(page, 2)
    page.click("#nav-suspendAll")
    page.wait_for_selector("body[data-state=suspended]")

    page.goto(f"/player/{registration}")
    wait_for_sco(page)
    assert session_value(page, "cmi.entry") == "resume"
    assert session_value(page, "cmi.location") == "2"
    click_next(page, 12)  # to page 14, the last of this version's 15 pages
    assert session_value(page, "cmi.completion_status") == "completed"
    # The SCO's own Exit: exit="" and adl.nav.request=exitAll, processed by the player after Terminate.
    page.frame_locator("#content").locator("#butExit").click()
    page.wait_for_selector("body[data-state=ended]")

    summary, attempts = learner_activity(people, registration)
    assert summary["completion_status"] == "completed"
    assert attempts[0]["ended_at"] is not None
    activity = attempts[0]["activities"][0]
    assert activity["completion_status"] == "completed"
    assert activity["location"] == "14"
    statements = statements_of(demo_server, registration)
    verbs = [s["verb"]["id"].removeprefix(VERBS) for s in statements]
    assert verbs[:3] == ["initialized", "suspended", "resumed"]
    assert "completed" in verbs and verbs[-1] == "completed"  # the course rolled up last
    assert all(s["context"]["registration"] == registration for s in statements)


def test_catalog_enrols_and_launches_and_my_learning_and_reports_show_the_course(
        browser: Any, demo_server: DemoServer) -> None:
    admin = Person(browser, demo_server, ADMIN, accept_dialogs=True)
    learner = Person(browser, demo_server, "aisha.allawati@democorp.local", accept_dialogs=True)
    try:
        path = fixture_zip("scorm2004", "golf_runtime_basic_2004_3rd.zip")
        package = admin.api("POST", "/api/v1/packages", multipart={
            "file": {"name": path.name, "mimeType": "application/zip", "buffer": path.read_bytes()}})
        page = learner.page
        page.goto("/#/catalog")
        row = page.locator(f"table.data tbody tr[data-key='{package['id']}']")
        row.locator("[data-action=enrol]").click()
        page.wait_for_url("**/player/**")
        wait_for_sco(page)
        page.click("#nav-suspendAll")
        page.wait_for_selector("body[data-state=suspended]")
        page.goto("/#/learning")
        mine = page.locator(f"table.data tbody tr:has-text('{package['title']}')")
        assert "In progress" in mine.inner_text()
        assert mine.locator("[data-action=open]").inner_text() == "Resume"

        admin.page.goto(f"/#/reports?course={package['id']}")
        admin.page.wait_for_selector("#export-csv")
        assert "Aisha" in admin.page.locator("table.data tbody").inner_text()
        assert not admin.errors and not learner.errors, admin.errors + learner.errors
    finally:
        admin.context.close()
        learner.context.close()
