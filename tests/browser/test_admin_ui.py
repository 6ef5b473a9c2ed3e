"""The web UI in real headless Chromium over demo data: sign in, people, LRS credentials, statements, audit,
what a learner and a manager may see. Screenshots of the main pages go to docs/screenshots/."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from hub.demo import DEMOCORP, demo_managers
from tests.browser.conftest import SCREENSHOTS, SignIn, xapi
from tests.fixtures.web_server import DemoServer

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package").expect


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(150)  # let the toast/focus settle
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def open_nav(page: Any, title: str) -> None:
    page.locator("#sidebar").get_by_role("link", name=title, exact=True).click()


def test_a_wrong_password_is_shown_on_the_form(page: Any) -> None:
    page.goto("/login")
    page.fill("#organisation", "democorp")
    page.fill("#email", "admin@democorp.local")
    page.fill("#password", "not-the-password")
    page.keyboard.press("Enter")
    error = page.locator("#form-error")
    error.wait_for()
    assert "not right" in error.inner_text()
    assert page.url.endswith("/login")
    page.fill("#email", "")
    page.click("#sign-in")
    assert page.locator("#email-error").inner_text() == "E-mail is required"
    shoot(page, "sign-in")


def test_an_admin_creates_a_person_and_sees_the_audit_entry(sign_in: SignIn) -> None:
    page = sign_in("admin@democorp.local")
    assert page.locator("#tenant-name").inner_text() == "DemoCorp"
    shoot(page, "dashboard")
    open_nav(page, "People")
    page.wait_for_selector("table.data tbody tr")
    shoot(page, "people")
    email = f"new.starter.{uuid.uuid4().hex[:6]}@democorp.local"
    page.click("#add-person")
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("First name").fill("Nadia")
    dialog.get_by_label("Last name").fill("Starter")
    dialog.get_by_label("E-mail").fill("not an e-mail")
    dialog.get_by_label("Job title").fill("Process Operator")
    dialog.get_by_label("Department").fill("Operations")
    reports_to = dialog.get_by_label("Reports to")
    reports_to.select_option(reports_to.locator("option", has_text="Said Al-Amri").get_attribute("value"))
    dialog.get_by_role("button", name="Add person").click()
    # The server's error appears next to the field it names, and nothing is created.
    assert "not an e-mail address" in dialog.locator(".field.invalid .field-error").inner_text()
    dialog.get_by_label("E-mail").fill(email)
    shoot(page, "person-dialog")
    dialog.get_by_role("button", name="Add person").click()
    page.wait_for_selector("h1:has-text('Nadia Starter')")
    assert page.locator("dl.details").get_by_text("Said Al-Amri").is_visible()
    person_id = page.url.rsplit("/", 1)[1]
    open_nav(page, "Audit log")
    first = page.locator("table.data tbody tr").first
    first.wait_for()
    assert "person.create" in first.inner_text() or "person.update" in first.inner_text()
    page.locator("input[name=target]").fill(person_id)
    page.keyboard.press("Enter")
    rows = page.locator("table.data tbody tr")
    expect(rows.last).to_contain_text("person.create")
    assert "person:admin@democorp.local" in rows.last.inner_text()
    page.locator("input[name=target]").fill("")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    shoot(page, "audit-log")


def test_an_ld_admin_creates_and_revokes_lrs_credentials(sign_in: SignIn, demo_server: DemoServer) -> None:
    page = sign_in("omar.albalushi@democorp.local")
    open_nav(page, "LRS credentials")
    page.wait_for_selector("table.data tbody tr")
    page.click("#add-credential")
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Label").fill("Cornerstone sandbox")
    dialog.get_by_label(re.compile("^statements/read — ")).check()
    dialog.get_by_role("button", name="Create credential").click()
    key = page.locator("#issued-key").inner_text()
    secret = page.locator("#issued-secret").inner_text()
    shoot(page, "lrs-credential-issued")
    status, _ = xapi(demo_server, "GET", "/xapi/statements?limit=1", key, secret)
    assert status == 200
    page.get_by_role("button", name="I have stored it").click()
    row = page.locator(f"tr[data-key='{key}']")
    assert "Active" in row.inner_text() and "statements/read" in row.inner_text()
    shoot(page, "lrs-credentials")
    row.get_by_role("button", name=re.compile("^Revoke")).click()
    page.locator("dialog[open]").get_by_role("button", name="Revoke").click()
    page.wait_for_selector(f"tr[data-key='{key}'] >> text=Revoked")
    status, _ = xapi(demo_server, "GET", "/xapi/statements?limit=1", key, secret)
    assert status == 401
    open_nav(page, "Audit log")
    page.wait_for_selector("table.data tbody tr >> text=lrs_credential.revoke")


def test_an_ld_admin_browses_statements_and_reads_the_raw_json(sign_in: SignIn, demo_server: DemoServer) -> None:
    learner = f"field.tech.{uuid.uuid4().hex[:6]}@democorp.local"
    posted = []
    for verb in ("launched", "passed", "completed"):
        statement = {"id": str(uuid.uuid4()), "actor": {"name": "Field Tech", "mbox": f"mailto:{learner}"},
                     "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
                     "object": {"id": "https://democorp.local/courses/gas-testing",
                                "definition": {"name": {"en-US": "Gas Testing"}}}}
        posted.append(statement)
    status, ids = xapi(demo_server, "POST", "/xapi/statements", DEMOCORP.credential_key, DEMOCORP.credential_secret,
                       posted)
    assert status == 200 and len(ids) == 3
    page = sign_in("sarah.mitchell@democorp.local")
    open_nav(page, "Statements")
    page.wait_for_selector("table.data tbody tr")
    shoot(page, "statements")
    page.locator("input[name=agent]").fill(learner)
    page.keyboard.press("Enter")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).locator(".verb").inner_text() for i in range(3)] == ["completed", "passed", "launched"]
    page.locator("select[name=verb]").select_option(label="passed")
    expect(rows).to_have_count(1)
    page.locator("table.data tbody tr").first.get_by_role("button", name=re.compile("Raw JSON")).click()
    raw = page.locator("dialog[open] pre.json")
    assert posted[1]["id"] in raw.inner_text() and '"stored"' in raw.inner_text()
    shoot(page, "statement-raw")
    page.keyboard.press("Escape")
    assert page.locator("dialog[open]").count() == 0
    # Paging over the demo data.
    page.locator("select[name=verb]").select_option("")
    page.locator("input[name=agent]").fill("")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(25)
    first_page = rows.first.get_attribute("data-key")
    page.get_by_role("button", name="Next page").click()
    expect(page.locator(".table-footer")).to_contain_text("Page 2")
    expect(rows).to_have_count(25)
    assert rows.first.get_attribute("data-key") != first_page


def test_a_learner_sees_no_admin_pages_and_is_refused_by_url_and_api(sign_in: SignIn) -> None:
    page = sign_in("ahmed.alzadjali@democorp.local")
    nav = page.locator("#sidebar").inner_text()
    for title in ("People", "Groups", "Roles", "Statements", "LRS credentials", "SCIM tokens", "Single sign-on",
                  "Audit log", "My team"):
        assert title not in nav
    for path in ("/people", "/lrs-credentials", "/audit", "/statements", "/roles"):
        page.goto(f"/#{path}")
        page.wait_for_selector("text=You are not allowed to open this page")
    shoot(page, "learner-not-allowed")
    status = page.evaluate("fetch('/api/v1/people').then(r => r.status)")
    assert status == 403
    status = page.evaluate("fetch('/api/v1/statements').then(r => r.status)")
    assert status == 403


def test_a_manager_sees_only_their_team(sign_in: SignIn) -> None:
    managers = demo_managers(DEMOCORP)
    boss = "james.carter@democorp.local"
    line: set[str] = set()
    frontier = {boss}
    while frontier:
        frontier = {email for email, manager in managers.items() if manager in frontier}
        line |= frontier
    names = {p.name for p in DEMOCORP.people if p.email in line}
    page = sign_in(boss)
    nav = page.locator("#sidebar").inner_text()
    assert "My team" in nav and "People" not in nav.split("My team")[1].split("\n")[0]
    open_nav(page, "My team")
    page.wait_for_selector("table.data tbody tr")
    shown = {row.locator("td").first.locator("a").inner_text()
             for row in page.locator("table.data tbody tr").all()}
    assert shown == names and len(names) >= 4
    shoot(page, "my-team")
    outsider = next(p for p in DEMOCORP.people if p.email not in line and p.email != boss)
    status = page.evaluate(f"fetch('/api/v1/people?q={outsider.email}').then(r => r.json()).then(b => b.total)")
    assert status == 0


def test_screenshots_of_the_remaining_admin_pages(sign_in: SignIn) -> None:
    page = sign_in("admin@democorp.local")
    page.goto("/#/people?q=said.alamri")
    page.locator("table.data tbody tr a", has_text="Said Al-Amri").click()
    page.wait_for_selector("h1:has-text('Said Al-Amri')")
    expect(page.locator(".card", has_text="Direct reports")).to_contain_text("Ahmed Al-Zadjali")
    shoot(page, "person")
    for path, name, ready in (("/roles", "roles", "table.matrix"), ("/groups", "groups", ".empty, table.data"),
                              ("/scim-tokens", "scim-tokens", "main .page h1"), ("/sso", "sso", "main .page h1")):
        page.goto(f"/#{path}")
        page.wait_for_selector(ready)
        shoot(page, name)
