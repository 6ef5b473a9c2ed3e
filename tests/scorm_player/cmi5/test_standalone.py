"""A cmi5 course imported as a standalone cmi5.xml (AUs at absolute URLs, issue 4) is launched like a zipped one:
its structure is kept by content hash, launch redirects to the AU's own URL with the launch parameters, and the
AU's statements pass the gate into the LRS."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from scorm_player.ops.packages import import_package
from tests.fixtures.http import XAPIClient
from tests.fixtures.people import SignedIn
from tests.scorm_player.cmi5.conftest import (
    CourseFactory,
    enrol,
    launch,
    lts_structure,
    registration_statements,
    verbs,
)

AU_HOST = "https://aus.example.com/essentials/"


def standalone(folder: Path) -> Path:
    """CATAPULT's essentials structure with its AU moved to an absolute URL, as a lone XML file."""
    text = lts_structure("001-essentials.cmi5.xml").read_text(encoding="utf-8")
    target = folder / "essentials-course.xml"
    target.write_text(text.replace("index.html?paramA=1&paramB=2", AU_HOST + "index.html?paramA=1&paramB=2"),
                      encoding="utf-8")
    return target


async def test_a_standalone_course_structure_is_kept_enrolled_launched_and_recorded(
        http: TestClient, database: Database, content_root: Path, tenant: Tenant, signed_in: SignedIn,
        lrs_reader: XAPIClient, tmp_path: Path) -> None:
    package = await import_package(database, tenant.id, standalone(tmp_path), content_root=content_root,
                                   actor="test")
    assert package.report["is_zip"] is False
    assert (content_root / package.content_hash / "cmi5.xml").is_file()

    learner = await signed_in(tenant)
    registration = await enrol(learner, package.id)
    stub = await launch(learner, registration)
    # The AU's own absolute URL, its query kept, plus the five cmi5 launch parameters (cmi5 §8.1).
    assert stub.location.startswith(AU_HOST + "index.html?")
    query = dict(parse_qsl(urlsplit(stub.location).query))
    assert set(query) == {"paramA", "paramB", "endpoint", "fetch", "actor", "registration", "activityId"}
    assert stub.registration == registration

    await stub.start()
    await stub.send_ok(stub.initialized())
    await stub.send_ok(stub.completed())
    await stub.send_ok(stub.terminated())
    statements = await registration_statements(lrs_reader, registration)
    assert verbs(statements)[:4] == ["launched", "initialized", "completed", "terminated"]

    # The same package through the generic registrations endpoint is a cmi5 enrolment too, not a 409.
    again = await learner.request("POST", "/api/v1/registrations", json={"package_id": package.id})
    assert again.status == 200, await again.text()


async def test_a_course_imported_before_structures_were_kept_asks_to_import_again(
        http: TestClient, database: Database, content_root: Path, tenant: Tenant, signed_in: SignedIn,
        tmp_path: Path) -> None:
    source = standalone(tmp_path)
    package = await import_package(database, tenant.id, source, content_root=content_root, actor="test")
    kept = content_root / package.content_hash / "cmi5.xml"
    kept.unlink()  # as left by an import from before this change
    learner = await signed_in(tenant)
    response = await learner.request("POST", "/api/v1/cmi5/registrations", json={"package_id": package.id})
    assert response.status == 409
    assert "import its cmi5.xml again" in (await response.json())["error"]["message"]
    # Importing the same file again is idempotent for the package and puts the structure back.
    kept.parent.rmdir()
    again = await import_package(database, tenant.id, source, content_root=content_root, actor="test")
    assert (again.id, again.created) == (package.id, False)
    assert kept.is_file()
    assert (await learner.request("POST", "/api/v1/cmi5/registrations", json={"package_id": package.id})
            ).status == 201


async def test_the_player_address_of_a_cmi5_registration_leads_to_its_course_page(
        http: TestClient, course: CourseFactory, signed_in: SignedIn) -> None:
    found = await course("001-essentials.cmi5.xml")
    response = await found.learner.request("GET", f"/player/{found.registration_id}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == f"/#/learning/{found.registration_id}"
    # Someone else's registration gives nothing away: the plain player shell, which then finds no registration.
    stranger = await signed_in(found.tenant)
    other = await stranger.request("GET", f"/player/{found.registration_id}", allow_redirects=False)
    assert other.status == 200 and other.content_type == "text/html"
