"""Fixtures for the player tests: the app with a temporary content root, people signed in to it, imported golf."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

from hub.db import Database
from hub.tenants import Tenant
from scorm_player.ops.packages import ImportedPackage, import_package
from tests.fixtures.people import WebClient
from tests.scorm_player.helpers import shared_fixture

GOLF_12 = ("scorm12", "golf_runtime_basic_scorm12.zip")
GOLF_2004 = ("scorm2004", "golf_runtime_basic_2004_3rd.zip")
MULTI_SCO_12 = ("scorm12", "golf_runtime_minimum_multisco_scorm12.zip")


Importer = Callable[..., Awaitable[ImportedPackage]]


@pytest.fixture
def import_fixture(database: Database, content_root: Path) -> Importer:
    async def run(tenant: Tenant, parts: tuple[str, str]) -> ImportedPackage:
        return await import_package(database, tenant.id, shared_fixture(*parts), content_root=content_root,
                                    actor="test")

    return run


@dataclass
class Launched:
    learner: WebClient
    registration_id: str
    body: dict[str, Any]

    @property
    def attempt_id(self) -> str:
        return str(self.body["attempt_id"])

    @property
    def delivery(self) -> dict[str, Any]:
        return dict(self.body["delivery"])

    async def commit(self, seq: int, values: dict[str, str], *, terminate: bool = False,
                     activity_id: str | None = None) -> Any:
        activity = activity_id or self.delivery["activity_id"]
        return await self.learner.request("POST", f"/api/v1/runtime/{self.attempt_id}/{activity}/commit",
                                          json={"seq": seq, "terminate": terminate, "values": values})


async def enrol_and_launch(learner: WebClient, package_id: str) -> Launched:
    enrolled = await learner.request("POST", "/api/v1/registrations", json={"package_id": package_id})
    assert enrolled.status in (200, 201), await enrolled.text()
    registration_id = (await enrolled.json())["id"]
    launched = await learner.request("POST", f"/api/v1/registrations/{registration_id}/launch")
    assert launched.status == 200, await launched.text()
    return Launched(learner, registration_id, await launched.json())


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ANN001 - pytest hook signature
    """Print the browser replay pass counts (the Python ones are printed by tests/scorm_player/runtime)."""
    from tests.scorm_player.runtime.replay import PASS_COUNTS

    browser = {name: counts for name, counts in PASS_COUNTS.items() if name.startswith("browser: ")}
    if not browser:
        return
    terminalreporter.section("SCORM conformance replay in the browser data model")
    for name, (passed, total) in sorted(browser.items()):
        terminalreporter.write_line(f"{name.removeprefix('browser: ')}: {passed}/{total} steps")
