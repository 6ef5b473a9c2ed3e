"""cmi5 end to end in headless Chromium against a real `learnhub serve --demo`: both CATAPULT example courses
imported, launched through /cmi5/launch, clicked through to completion by their own cmi5.js, then the
registration's statements read back from the LRS."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, Iterator

import pytest

from tests.browser.conftest import Person, fixture_zip, statements_of
from tests.fixtures.web_server import DemoServer

pytestmark = pytest.mark.browser

ADMIN = "sarah.mitchell@democorp.local"  # L&D admin: imports packages
SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"
CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"


@pytest.fixture
def people(browser: Any, demo_server: DemoServer) -> Iterator[dict[str, Person]]:
    admin = Person(browser, demo_server, ADMIN, timeout_ms=20_000)
    learner = Person(browser, demo_server, "priya.nair@democorp.local", timeout_ms=20_000)
    yield {"admin": admin, "learner": learner}
    for person in (admin, learner):
        person.context.close()


def import_and_enrol(people: dict[str, Person], name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    path = fixture_zip("cmi5", name)
    package = people["admin"].api("POST", "/api/v1/packages", multipart={
        "file": {"name": path.name, "mimeType": "application/zip", "buffer": path.read_bytes()}})
    assert package["standard"] == "cmi5"
    registration = people["learner"].api("POST", "/api/v1/cmi5/registrations", data={"package_id": package["id"]})
    return package, registration


def cmi5_verbs(statements: list[dict[str, Any]]) -> list[str]:
    """The verbs of the "cmi5 defined" statements, in order (the courses also send experienced, answered and
    video statements, some with the initialized/completed verbs, none with the cmi5 category)."""
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements
            if {"id": CATEGORY_CMI5} in s["context"]["contextActivities"].get("category", [])]


def wait_for(page: Any, expression: str) -> None:
    """page.wait_for_function, failing with what the AU shows and what cmi5.js knows."""
    try:
        page.wait_for_function(expression)
    except Exception as error:
        state = page.evaluate("""() => ({url: location.href,
            error: (document.getElementById('error-content') || {}).innerHTML,
            cmi5: typeof course === 'undefined' || !course.trackingPlugin.cmi5 ? null : {
                initialized: course.trackingPlugin.cmi5._initialized, completed: course.trackingPlugin.cmi5._completed,
                passed: course.trackingPlugin.cmi5._passed, launchMode: course.trackingPlugin.launchMode}})""")
        raise AssertionError(f"waiting for {expression}: {state}") from error


def wait_until_started(page: Any) -> None:
    """cmi5.js has fetched, read its launch data and sent initialized; the course shows a page or asks to resume."""
    wait_for(page, "() => typeof course !== 'undefined' && course.trackingPlugin.cmi5 "
                   "&& course.trackingPlugin.cmi5._initialized")
    wait_for(page, "() => document.querySelector('#content').innerHTML.trim() !== ''"
                   " || document.querySelector('#bookmark-overlay.full-overlay-visible')")
    overlay = page.locator("#bookmark-overlay.full-overlay-visible")
    if overlay.count():
        overlay.locator(".restart-button").click()


def take_quiz_and_exit(page: Any, *, open_quiz: bool) -> None:
    """The CATAPULT course's quiz: its own 'select correct answers' helper, submit, then Exit the Course."""
    wait_until_started(page)
    if open_quiz:
        page.locator("#navmenuitems li", has_text="Quiz").click()
    page.get_by_role("button", name="(Select correct answers) ✓").click()
    page.get_by_role("button", name="Submit Answers").click()
    page.wait_for_selector("#score-passed.visible")
    page.locator("#score-panel .exit-button").click()
    page.wait_for_url("**/#/learning")  # the AU follows LMS.LaunchData's returnURL after terminated


def test_single_au_course_is_passed_and_completed_through_cmi5_js(people: dict[str, Person],
                                                                 demo_server: DemoServer) -> None:
    package, registration = import_and_enrol(people, "catapult_single_au_basic_responsive.zip")
    au = registration["course"]["children"][0]
    page = people["learner"].page
    page.goto(au["launch_url"])
    page.wait_for_url(re.compile(rf"/content/{package['id']}/index\.html\?"))
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))
    assert set(query) == {"endpoint", "fetch", "actor", "registration", "activityId"}
    assert query["registration"] == registration["id"]
    take_quiz_and_exit(page, open_quiz=True)

    statements = statements_of(demo_server, registration["id"])
    # moveOn is CompletedOrPassed: the course is satisfied as soon as passed arrives, before completed.
    assert cmi5_verbs(statements) == ["launched", "initialized", "passed", "satisfied", "completed", "terminated"]
    assert all(s["context"]["registration"] == registration["id"] for s in statements)
    passed = next(s for s in statements if s["verb"]["id"].endswith("/passed"))
    assert passed["result"]["score"]["scaled"] == 1
    course = next(s for s in statements if s["verb"]["id"] == SATISFIED)
    assert course["object"]["definition"]["type"] == "https://w3id.org/xapi/cmi5/activitytype/course"
    status = people["learner"].api("GET", f"/api/v1/cmi5/registrations/{registration['id']}")
    assert (status["completion_status"], status["success_status"]) == ("completed", "passed")
    assert status["course"]["children"][0]["satisfied"] is True


def test_pre_post_test_course_satisfies_both_blocks_and_the_course(people: dict[str, Person],
                                                                   demo_server: DemoServer) -> None:
    package, registration = import_and_enrol(people, "catapult_pre_post_test_framed.zip")
    page = people["learner"].page
    for block in registration["course"]["children"]:
        for au in block["children"]:
            page.goto(au["launch_url"])
            page.wait_for_url(f"**/content/{package['id']}/**")
            if au["move_on"] == "Passed":  # the pre- and post-tests: a quiz
                take_quiz_and_exit(page, open_quiz=False)
            else:  # the content AU passes and completes on launch; then the learner leaves with Exit
                wait_until_started(page)
                wait_for(page, "() => course.trackingPlugin.cmi5._completed")
                page.locator(".navexit .exit-button").click()
                page.wait_for_url("**/#/learning")

    statements = statements_of(demo_server, registration["id"])
    verbs = cmi5_verbs(statements)
    assert verbs.count("launched") == 6 and verbs.count("terminated") == 6
    assert "abandoned" not in verbs
    satisfied = [s for s in statements if s["verb"]["id"] == SATISFIED]
    assert [s["object"]["definition"]["type"].rsplit("/", 1)[-1] for s in satisfied] == ["block", "block", "course"]
    assert [s["context"]["contextActivities"]["grouping"][0]["id"].rsplit("/", 1)[-1] for s in satisfied] == [
        "block1", "block2", "geology-intro-preposttest"]
    status = people["learner"].api("GET", f"/api/v1/cmi5/registrations/{registration['id']}")
    assert status["completion_status"] == "completed"
    assert all(au["satisfied"] for block in status["course"]["children"] for au in block["children"])
