"""SCORM 1.2 prerequisites in the player (CAM 1.2 §2.3.2.5.6): unmet items are disabled in the TOC, refused as a
choice, and skipped by continue/previous, until the SCOs they depend on report passed or completed."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hub.db import Database
from hub.tenants import Tenant
from scorm_player.ops.packages import import_package
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import Launched, enrol_and_launch

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="prereq.course" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Prerequisites</title>
    <item identifier="intro" identifierref="res"><title>Introduction</title></item>
    <item identifier="lesson" identifierref="res"><title>Lesson</title>
      <adlcp:prerequisites type="aicc_script">intro</adlcp:prerequisites></item>
    <item identifier="extra" identifierref="res"><title>Extra reading</title>
      <adlcp:prerequisites type="aicc_script">intro = failed</adlcp:prerequisites></item>
    <item identifier="module" ><title>Assessment module</title>
      <adlcp:prerequisites type="aicc_script">intro &amp; lesson</adlcp:prerequisites>
      <item identifier="quiz" identifierref="res"><title>Quiz</title></item>
    </item>
  </organization></organizations>
  <resources><resource identifier="res" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>
"""


def package(folder: Path) -> Path:
    path = folder / "prerequisites.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.writestr("index.html", "<!doctype html><title>SCO</title>")
    return path


async def nav(launched: Launched, request: str, target: str | None = None) -> dict:  # type: ignore[type-arg]
    response = await launched.learner.request("POST", f"/api/v1/runtime/{launched.attempt_id}/nav",
                                              json={"request": request, "target": target})
    assert response.status == 200, await response.text()
    return dict(await response.json())


def choosable(view: dict) -> dict[str, bool]:  # type: ignore[type-arg]
    return {entry["id"]: entry["choosable"] for entry in view["toc"] if entry["launchable"]}


async def finish(launched: Launched, view: dict, status: str) -> None:  # type: ignore[type-arg]
    delivery = view["delivery"]
    response = await launched.learner.request(
        "POST", f"/api/v1/runtime/{launched.attempt_id}/{delivery['activity_id']}/commit",
        json={"seq": delivery["seq"] + 1, "terminate": True, "values": {"cmi.core.lesson_status": status}})
    assert response.status == 200, await response.text()


async def test_prerequisites_gate_choice_and_flow(tenant: Tenant, signed_in: SignedIn, database: Database,
                                                  content_root: Path, tmp_path: Path) -> None:
    imported = await import_package(database, tenant.id, package(tmp_path), content_root=content_root,
                                    actor="test")
    launched = await enrol_and_launch(await signed_in(tenant), imported.id)
    view = launched.body
    assert view["delivery"]["activity_id"] == "intro"
    assert choosable(view) == {"intro": True, "lesson": False, "extra": False, "quiz": False}
    assert view["request_valid"]["choice.{target=quiz}"] == "false"

    refused = await nav(launched, "choice", "quiz")  # the enclosing module's prerequisites hold for its items
    assert refused["delivery"] is None and "prerequisites" in refused["exception"]

    await finish(launched, view, "incomplete")
    view = await nav(launched, "continue")  # nothing after intro is open yet: the course session ends
    assert view["ended"] is True and view["delivery"] is None

    relaunched = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    launched = Launched(launched.learner, launched.registration_id, await relaunched.json())  # a new attempt
    view = launched.body
    assert view["delivery"]["activity_id"] == "intro"
    await finish(launched, view, "passed")
    view = await nav(launched, "continue")
    assert view["delivery"]["activity_id"] == "lesson"  # "extra" needs intro = failed: skipped
    assert choosable(view) == {"intro": True, "lesson": True, "extra": False, "quiz": False}
    await finish(launched, view, "completed")
    view = await nav(launched, "continue")
    assert view["delivery"]["activity_id"] == "quiz"
    assert choosable(view)["quiz"] is True
    back = await nav(launched, "previous")
    assert back["delivery"]["activity_id"] == "lesson"  # previous skips "extra" too
