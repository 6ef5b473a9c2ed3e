"""Serving the web UI: the shell needs a session, files come with security headers, nothing outside static/."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from hub.tenants import Tenant
from hub.web import STATIC_ROOT
from tests.fixtures.people import SignedIn


async def test_the_shell_sends_visitors_without_a_session_to_the_sign_in_page(http: TestClient) -> None:
    response = await http.get("/", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/login"
    response = await http.get("/login")
    assert response.status == 200 and "text/html" in response.headers["Content-Type"]
    assert 'id="login-form"' in await response.text()


async def test_the_shell_is_served_to_a_signed_in_person_with_security_headers(signed_in: SignedIn,
                                                                               tenant: Tenant) -> None:
    web = await signed_in(tenant)
    response = await web.request("GET", "/", allow_redirects=False)
    assert response.status == 200
    text = await response.text()
    assert '<script type="module" src="/static/js/app.js">' in text
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


async def test_static_files_are_revalidated_and_typed(http: TestClient) -> None:
    response = await http.get("/static/js/app.js")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == "no-cache" and response.headers["ETag"]
    assert "Content-Security-Policy" in response.headers
    again = await http.get("/static/js/app.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    css = await http.get("/static/css/app.css")
    assert css.headers["Content-Type"].startswith("text/css")


async def test_nothing_outside_static_is_served(http: TestClient) -> None:
    for path in ("/static/../setup.cfg", "/static/%2e%2e/setup.cfg", "/static/js/../../hub/app.py",
                 "/static/nope.js", "/static/.hidden", "/static/js/"):
        response = await http.get(path)
        assert response.status == 404, path
        assert (await response.json())["error"]["code"] == "not_found"


def test_the_ui_has_no_inline_scripts_or_handlers() -> None:
    """The CSP forbids inline code; a page that relied on it would silently not work."""
    import re

    for html in STATIC_ROOT.glob("*.html"):
        text = html.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), html.name
        assert not re.search(r"\son[a-z]+=", text), html.name
        assert "style=" not in text, html.name


def test_every_page_module_is_registered_once() -> None:
    index = (STATIC_ROOT / "js" / "pages" / "index.js").read_text()
    modules = sorted(p.name for p in (STATIC_ROOT / "js" / "pages").glob("*.js") if p.name != "index.js")
    for name in modules:
        assert index.count(f'from "./{name}"') == 1, name
