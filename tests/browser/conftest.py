"""Browser fixtures: headless Debian Chromium driven by Playwright against a real `learnhub serve --demo`."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from hub.demo import DEMOCORP
from tests.fixtures.web_server import DemoServer, demo_server  # noqa: F401
from tests.scorm_player.helpers import shared_fixture as fixture_zip  # noqa: F401  (re-exported)

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "TrainFlow123!"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


# Module scope, not session: an open sync Playwright keeps its event loop current in this thread,
# and every async test that ran after it would find "a running event loop".
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright package (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, demo_server: DemoServer) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(base_url=demo_server.base_url, viewport={"width": 1360, "height": 860})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


SignIn = Callable[..., Any]


@pytest.fixture
def sign_in(page: Any) -> SignIn:
    """Sign in through the real form; returns the page on the shell."""

    def run(email: str, organisation: str = "democorp", password: str = PASSWORD, path: str = "/") -> Any:
        page.goto(path)
        page.wait_for_url("**/login**")
        page.fill("#organisation", organisation)
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("#sign-in")
        page.wait_for_selector("main .page")
        return page

    return run


def xapi(server: DemoServer, method: str, path: str, key: str, secret: str, body: Any = None) -> tuple[int, Any]:
    """A plain xAPI request (as an LMS would send it)."""
    headers = {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(),
               "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def statements_of(server: DemoServer, registration: str) -> list[dict[str, Any]]:
    """Every statement of a registration in stored order, read with the demo tenant's LRS credential."""
    query = urllib.parse.urlencode({"registration": registration, "ascending": "true", "limit": "500"})
    status, body = xapi(server, "GET", f"/xapi/statements?{query}", DEMOCORP.credential_key,
                        DEMOCORP.credential_secret)
    assert status == 200
    return list(body["statements"])


class Person:
    """A signed-in browser context: its page and its CSRF token for API calls made with the same cookies."""

    def __init__(self, browser: Any, server: DemoServer, email: str, *, timeout_ms: int = 15_000,
                 accept_dialogs: bool = False) -> None:
        self.context = browser.new_context(base_url=server.base_url, viewport={"width": 1360, "height": 860})
        self.context.set_default_timeout(timeout_ms)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        if accept_dialogs:
            self.page.on("dialog", lambda dialog: dialog.accept())
        self.page.goto("/login")
        self.page.fill("#organisation", "democorp")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.page.click("#sign-in")
        self.page.wait_for_selector("main .page")
        self.me = self.page.request.get("/auth/me").json()

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.page.request.fetch(path, method=method, headers={"X-CSRF-Token": self.me["csrf_token"]},
                                           **kwargs)
        assert response.ok, f"{method} {path}: {response.status} {response.text()}"
        return response.json()
