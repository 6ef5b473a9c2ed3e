"""An L&D admin assigns a course from the catalogue in real headless Chromium: one person found by search and a
whole group; the list shows them, and the assigned learner finds the course in My learning."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

from tests.browser.conftest import SCREENSHOTS, Person, fixture_zip
from tests.fixtures.web_server import DemoServer

pytestmark = pytest.mark.browser

ADMIN = "omar.albalushi@democorp.local"  # L&D admin: uploads and assigns courses
LEARNER = "ahmed.alzadjali@democorp.local"


@pytest.fixture
def admin(browser: Any, demo_server: DemoServer) -> Iterator[Person]:
    person = Person(browser, demo_server, ADMIN)
    yield person
    person.context.close()
    assert not person.errors, f"JavaScript errors: {person.errors}"


def test_an_admin_assigns_a_course_to_a_person_and_a_group(admin: Person, browser: Any,
                                                           demo_server: DemoServer) -> None:
    path = fixture_zip("scorm12", "golf_runtime_basic_scorm12.zip")
    package = admin.api("POST", "/api/v1/packages", multipart={
        "file": {"name": path.name, "mimeType": "application/zip", "buffer": path.read_bytes()}})
    people = admin.api("GET", "/api/v1/people?limit=100&active=true")["items"]
    learner = next(p for p in people if p["email"] == LEARNER)
    colleague = next(p for p in people if p["email"] not in (LEARNER, ADMIN))
    group = admin.api("POST", "/api/v1/groups", data={"name": f"Night shift {uuid.uuid4().hex[:6]}"})
    admin.api("POST", f"/api/v1/groups/{group['id']}/members", data={"people": [colleague["id"]]})
    already = {r["learner"]["id"] for r in admin.api("GET", f"/api/v1/packages/{package['id']}/assignments")[
        "registrations"]}
    assert learner["id"] not in already

    page = admin.page
    page.goto("/#/catalog")
    row = page.locator("table.data tbody tr", has_text=package["title"]).first
    row.locator("[data-action=assign]").click()
    page.wait_for_selector("#assign-form")
    page.fill("#assign-search", "ahmed")
    page.locator("#assign-results button").first.click()
    assert "Ahmed" in page.locator("#assign-chosen").inner_text()
    page.select_option("#assign-group", group["id"])
    page.click("#assign-submit")
    toast = page.locator(".toast", has_text="Assigned")
    toast.wait_for()
    assert "Assigned 2" in toast.inner_text()
    page.wait_for_selector(f"table.data tbody tr:has-text('{learner['name']}')")
    listed = page.locator("table.data tbody").inner_text()
    assert learner["name"] in listed and colleague["name"] in listed
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "assign-course.png"))

    assigned = Person(browser, demo_server, LEARNER)
    try:
        mine = assigned.api("GET", "/api/v1/registrations/mine")["registrations"]
        assert package["id"] in [r["package_id"] for r in mine]
        assigned.page.goto("/#/learning")
        assigned.page.wait_for_selector(f"text={package['title']}")
    finally:
        assigned.context.close()


def test_group_members_are_added_with_the_same_people_search(admin: Person) -> None:
    group = admin.api("POST", "/api/v1/groups", data={"name": f"Day shift {uuid.uuid4().hex[:6]}"})
    page = admin.page
    page.goto(f"/#/groups/{group['id']}")
    page.fill("#member-search", "ahmed")
    page.locator("#member-results button", has_text="+ Add").first.click()
    page.locator(".toast", has_text="added").wait_for()
    page.wait_for_selector("table.data tbody tr:has-text('Ahmed')")
    members = admin.api("GET", f"/api/v1/groups/{group['id']}")["people"]
    assert [m["email"] for m in members] == [LEARNER]
