"""A cmi5 course through the learner's web UI in headless Chromium against a real `learnhub serve --demo`: an L&D
admin uploads CATAPULT's single-AU course in the catalogue, a learner enrols there, opens it from My learning,
launches its AU from the course page, passes its quiz (driven as tests/browser/test_cmi5.py does), comes back
to My learning by the AU's returnURL and sees the course passed and its AU satisfied."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Person, fixture_zip
from tests.browser.test_cmi5 import take_quiz_and_exit
from tests.fixtures.web_server import DemoServer

pytestmark = pytest.mark.browser

ADMIN = "omar.albalushi@democorp.local"  # L&D admin: uploads packages
LEARNER = "emily.clarke@democorp.local"  # no other browser test enrols her
COURSE = "catapult_single_au_basic_responsive.zip"


def test_a_learner_enrols_launches_and_finishes_a_cmi5_course_from_my_learning(
        browser: Any, demo_server: DemoServer) -> None:
    path = fixture_zip("cmi5", COURSE)
    admin = Person(browser, demo_server, ADMIN, timeout_ms=20_000)
    learner = Person(browser, demo_server, LEARNER, timeout_ms=20_000)
    try:
        # The admin uploads the zip through the catalogue's form.
        catalog = admin.page
        catalog.goto("/#/catalog")
        catalog.set_input_files("#package-file", str(path))
        with catalog.expect_response(lambda r: r.url.endswith("/api/v1/packages") and r.request.method == "POST"
                                     ) as uploaded:
            catalog.click("#upload-package")
        assert uploaded.value.ok, uploaded.value.text()
        package = uploaded.value.json()
        assert package["standard"] == "cmi5"
        admin_row = catalog.locator(f"table.data tbody tr[data-key='{package['id']}']")
        admin_row.wait_for()
        assert "cmi5" in admin_row.inner_text()

        # The learner enrols from the catalogue and lands on the course page.
        page = learner.page
        page.goto("/#/catalog")
        row = page.locator(f"table.data tbody tr[data-key='{package['id']}']")
        row.locator("[data-action=enrol]").click()
        page.wait_for_url(re.compile(r"/#/learning/[0-9a-f-]{36}$"))
        registration_id = page.url.rsplit("/", 1)[-1]
        page.wait_for_selector(".cmi5-au[data-au='0']")

        # My learning lists it, not started; opening it shows the AU, not satisfied yet.
        page.goto("/#/learning")
        mine = page.locator(f"table.data tbody tr[data-key='{registration_id}']")
        assert "Not started" in mine.inner_text() and "cmi5" in mine.inner_text()
        mine.locator("[data-action=open]").click()
        page.wait_for_url(f"**/#/learning/{registration_id}")
        au = page.locator(".cmi5-au[data-au='0']")
        assert au.get_attribute("data-satisfied") == "false"
        assert au.locator("[data-flag=not-satisfied]").count() == 1
        launch = au.locator("[data-action=launch]")
        # AnyWindow (the cmi5.xml sets no launchMethod): the AU opens in this window.
        assert launch.get_attribute("data-launch-method") == "AnyWindow" and launch.get_attribute("target") is None
        assert launch.get_attribute("href") == f"/cmi5/launch/{registration_id}/0"

        launch.click()
        page.wait_for_url(re.compile(rf"/content/{package['id']}/index\.html\?"))
        take_quiz_and_exit(page, open_quiz=True)  # ends back on #/learning through the returnURL

        mine = page.locator(f"table.data tbody tr[data-key='{registration_id}']")
        mine.wait_for()
        assert "Passed" in mine.inner_text() and "100%" in mine.inner_text()
        mine.locator("[data-action=open]").click()
        page.wait_for_url(f"**/#/learning/{registration_id}")
        au = page.locator(".cmi5-au[data-au='0']")
        au.wait_for()
        assert au.get_attribute("data-satisfied") == "true"
        for flag in ("satisfied", "passed"):
            assert au.locator(f"[data-flag={flag}]").count() == 1, flag
        assert page.locator("#cmi5-status").inner_text() == "Passed"
        assert page.locator(".cmi5-summary [data-flag=satisfied]").count() == 1  # the course itself

        # The admin's course report lists her with a session and the course satisfied.
        report = admin.page
        report.goto(f"/#/reports?course={package['id']}")
        report.wait_for_selector("#export-csv")
        line = report.locator("table.data tbody tr", has_text="Emily")
        assert "Passed" in line.inner_text() and "Yes" in line.inner_text()
        assert not admin.errors and not learner.errors, admin.errors + learner.errors
    finally:
        admin.context.close()
        learner.context.close()
