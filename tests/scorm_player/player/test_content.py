"""Package content on /content/{package}/{path}: same origin, inside the package folder only, own tenant only."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.errors import NotFound
from hub.tenants import Tenant
from scorm_player.api.player import resolve_content_path
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import GOLF_12, Importer


async def test_content_is_served_with_its_type_nosniff_and_a_csp(tenant: Tenant, signed_in: SignedIn,
                                                                   import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    learner = await signed_in(tenant)
    response = await learner.request("GET", f"/content/{package.id}/shared/launchpage.html")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in response.headers["Content-Security-Policy"]
    script = await learner.request("GET", f"/content/{package.id}/shared/scormfunctions.js")
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert b"LMSInitialize" in await script.read()
    image = await learner.request("GET", f"/content/{package.id}/Etiquette/course.jpg")
    assert image.headers["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("path", ["../../../etc/passwd", "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/secret",
                                  "shared/../../outside.txt", "shared/..%5C..%5Coutside.txt", "nothing-here.html",
                                  "shared"])
async def test_paths_outside_the_package_or_missing_are_404(tenant: Tenant, signed_in: SignedIn,
                                                           import_fixture: Importer, content_root: Path,
                                                           path: str) -> None:
    package = await import_fixture(tenant, GOLF_12)
    (content_root / "outside.txt").write_text("secret")
    learner = await signed_in(tenant)
    response = await learner.request("GET", f"/content/{package.id}/{path}")
    assert response.status == 404
    assert "secret" not in await response.text()


def test_resolve_content_path_refuses_escapes_and_symlinks(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "page.html").write_text("ok")
    (tmp_path / "secret.txt").write_text("secret")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert resolve_content_path(folder, "a/page.html") == (folder / "a" / "page.html").resolve()
    for bad in ("../secret.txt", "a/../../secret.txt", "link.txt", "/etc/passwd", "a", "", "a/page.html\x00.js"):
        with pytest.raises(NotFound):
            resolve_content_path(folder, bad)


async def test_other_tenants_and_anonymous_visitors_get_nothing(tenant: Tenant, other_tenant: Tenant,
                                                                signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    stranger = await signed_in(other_tenant)
    response = await stranger.request("GET", f"/content/{package.id}/shared/launchpage.html")
    assert response.status == 404
    anonymous = await stranger.client.get(f"/content/{package.id}/shared/launchpage.html")
    assert anonymous.status == 401


async def test_player_page_needs_a_session_and_the_rules_tables_are_served(tenant: Tenant, signed_in: SignedIn) -> None:
    learner = await signed_in(tenant)
    anonymous = await learner.client.get("/player/some-registration", allow_redirects=False)
    assert anonymous.status == 302 and anonymous.headers["Location"].startswith("/login")
    page = await learner.request("GET", "/player/some-registration")
    assert page.status == 200
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'self': no inline scripts
    assert "/static/player/player.js" in await page.text()
    for name, version in (("scorm12", "1.2"), ("scorm2004", "2004")):
        rules = await learner.request("GET", f"/player/rules/{name}.json")
        assert rules.status == 200
        assert (await rules.json())["version"] == version
