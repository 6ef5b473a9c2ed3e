"""Fixtures for the cmi5 tests: the app with a temporary content root, CATAPULT LTS course structures zipped
with a stub AU page, learners signed in, and a launched stub AU."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from lrs.ops.credentials import IssuedCredential
from scorm_player.ops.packages import ImportedPackage, import_package
from tests.fixtures.http import XAPIClient
from tests.fixtures.people import SignedIn, WebClient
from tests.scorm_player.cmi5.stub_au import StubAU, path_of
from tests.scorm_player.helpers import SHARED_FIXTURES

LTS = SHARED_FIXTURES / "cmi5" / "course_structures_lts"
REQUIREMENTS_JSON = SHARED_FIXTURES / "conformance_data" / "cmi5_requirements" / "requirements.json"
STUB_PAGE = b"<!doctype html><title>stub AU</title><p>The Python test drives this AU over HTTP.</p>"


def lts_structure(name: str) -> Path:
    path = LTS / name
    if not path.is_file():
        pytest.skip(f"CATAPULT LTS course structure not found at {path.resolve()} (checkout of ../shared missing)")
    return path


def zip_course(structure: Path, folder: Path) -> Path:
    """The LTS cmi5.xml at the root of a zip with the stub index.html its AUs point at."""
    target = folder / (structure.name.split(".")[0] + ".zip")
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("cmi5.xml", structure.read_bytes())
        archive.writestr("index.html", STUB_PAGE)
    return target


Importer = Callable[..., Awaitable[ImportedPackage]]


@pytest.fixture
def import_lts(database: Database, content_root: Path, tmp_path: Path) -> Importer:
    async def run(tenant: Tenant, name: str) -> ImportedPackage:
        path = zip_course(lts_structure(name), tmp_path)
        return await import_package(database, tenant.id, path, content_root=content_root, actor="test")

    return run


@pytest.fixture
def lrs_reader(http: TestClient, lrs_credential: IssuedCredential) -> XAPIClient:
    return XAPIClient(http, lrs_credential.key, lrs_credential.secret)


async def registration_statements(reader: XAPIClient, registration: str) -> list[dict[str, Any]]:
    """Every statement of the registration, oldest first (how the LTS procedure reads them)."""
    response = await reader.get_statements(registration=registration, ascending="true", limit="500")
    assert response.status == 200, await response.text()
    return list((await response.json())["statements"])


def verbs(statements: list[dict[str, Any]]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]


async def enrol(learner: WebClient, package_id: str) -> str:
    response = await learner.request("POST", "/api/v1/cmi5/registrations", json={"package_id": package_id})
    assert response.status in (200, 201), await response.text()
    return str((await response.json())["id"])


async def launch(learner: WebClient, registration_id: str, au: str = "0", mode: str | None = None) -> StubAU:
    path = f"/cmi5/launch/{registration_id}/{au}" + (f"?mode={mode}" if mode else "")
    response = await learner.request("GET", path, allow_redirects=False)
    assert response.status == 302, await response.text()
    return StubAU(learner.client, response.headers["Location"])


@dataclass
class Course:
    tenant: Tenant
    learner: WebClient
    package: ImportedPackage
    registration_id: str

    async def launch(self, au: str = "0", mode: str | None = None) -> StubAU:
        return await launch(self.learner, self.registration_id, au, mode)

    async def started(self, au: str = "0", mode: str | None = None) -> StubAU:
        stub = await self.launch(au, mode)
        await stub.start()
        return stub


CourseFactory = Callable[[str], Awaitable[Course]]


@pytest.fixture
def course(tenant: Tenant, signed_in: SignedIn, import_lts: Importer) -> CourseFactory:
    """`await course("001-essentials.cmi5.xml")`: imported, a learner signed in and enrolled."""
    async def make(name: str) -> Course:
        package = await import_lts(tenant, name)
        learner = await signed_in(tenant)
        return Course(tenant, learner, package, await enrol(learner, package.id))

    return make


__all__ = ["Course", "CourseFactory", "REQUIREMENTS_JSON", "StubAU", "enrol", "launch", "path_of",
           "registration_statements", "verbs"]
