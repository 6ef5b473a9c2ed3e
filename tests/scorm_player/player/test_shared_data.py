"""SCORM 2004 4th Edition shared data (adl.data): buckets named by adlcp:map, the learner's across SCOs, stored
with the commit, read/written only as each SCO's map allows, and never another learner's."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hub.db import Database
from hub.tenants import Tenant
from scorm_player.ops.packages import import_package
from tests.fixtures.people import SignedIn
from tests.scorm_player.package.builders import manifest_2004, sco_resource
from tests.scorm_player.player.conftest import Launched, enrol_and_launch

ITEMS = """
      <item identifier="writer" identifierref="r_writer"><title>Writes notes</title>
        <adlcp:data><adlcp:map targetID="course.notes" readSharedData="true" writeSharedData="true"/></adlcp:data>
      </item>
      <item identifier="reader" identifierref="r_reader"><title>Reads notes</title>
        <adlcp:data><adlcp:map targetID="course.notes" readSharedData="true" writeSharedData="false"/></adlcp:data>
      </item>"""
RESOURCES = sco_resource("r_writer", "writer.html") + sco_resource("r_reader", "reader.html")
FLOW = '<imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>'


def package(folder: Path, name: str = "shared-data", organization_attributes: str = "") -> Path:
    path = folder / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest_2004(ITEMS, RESOURCES, organization_extra=FLOW,
                                                          organization_attributes=organization_attributes)
                         .replace(b"<title>Course 2004</title>", f"<title>{name}</title>".encode()))
        archive.writestr("writer.html", "<!doctype html><title>writer</title>")
        archive.writestr("reader.html", "<!doctype html><title>reader</title>")
    return path


async def choose(launched: Launched, target: str) -> Launched:
    response = await launched.learner.request("POST", f"/api/v1/runtime/{launched.attempt_id}/nav",
                                              json={"request": "choice", "target": target})
    assert response.status == 200, await response.text()
    return Launched(launched.learner, launched.registration_id, await response.json())


async def test_a_store_written_by_one_sco_is_read_by_another_and_only_as_mapped(
        tenant: Tenant, signed_in: SignedIn, database: Database, content_root: Path, tmp_path: Path) -> None:
    imported = await import_package(database, tenant.id, package(tmp_path), content_root=content_root, actor="test")
    learner = await signed_in(tenant)
    writer = await enrol_and_launch(learner, imported.id)
    assert writer.delivery["activity_id"] == "writer"
    values = writer.delivery["values"]
    assert values["adl.data.0.id"] == "course.notes" and "adl.data.0.store" not in values  # never written yet
    assert writer.delivery["shared_data_access"] == {"course.notes": "read-write"}
    written = await writer.commit(writer.delivery["seq"] + 1, {"adl.data.0.store": "chapter 2 notes"},
                                  terminate=True)
    assert written.status == 200, await written.text()

    reader = await choose(writer, "reader")
    assert reader.delivery["values"]["adl.data.0.store"] == "chapter 2 notes"
    assert reader.delivery["shared_data_access"] == {"course.notes": "read-only"}
    refused = await reader.commit(reader.delivery["seq"] + 1, {"adl.data.0.store": "overwritten"})
    assert refused.status == 422
    assert (await refused.json())["errorCode"] == 404  # read-only data model element
    back = await choose(reader, "writer")
    assert back.delivery["values"]["adl.data.0.store"] == "chapter 2 notes"  # nothing changed

    stranger = await enrol_and_launch(await signed_in(tenant), imported.id)
    assert "adl.data.0.store" not in stranger.delivery["values"]  # another learner's buckets are their own


async def test_buckets_are_global_to_the_system_unless_the_organization_confines_them_to_the_course(
        tenant: Tenant, signed_in: SignedIn, database: Database, content_root: Path, tmp_path: Path) -> None:
    async def imported(name: str, attributes: str = "") -> str:
        found = await import_package(database, tenant.id, package(tmp_path, name, attributes),
                                     content_root=content_root, actor="test")
        return found.id

    first_global, second_global = await imported("global-1"), await imported("global-2")
    confined = await imported("confined", 'adlcp:sharedDataGlobalToSystem="false"')
    learner = await signed_in(tenant)

    writer = await enrol_and_launch(learner, first_global)
    assert (await writer.commit(writer.delivery["seq"] + 1, {"adl.data.0.store": "global notes"},
                                terminate=True)).status == 200
    # Another course whose organization keeps the default (true) reads the same learner's bucket.
    elsewhere = await enrol_and_launch(learner, second_global)
    assert elsewhere.delivery["values"]["adl.data.0.store"] == "global notes"

    # A course with sharedDataGlobalToSystem="false" has its own bucket: it starts empty and its writes stay in it.
    own = await enrol_and_launch(learner, confined)
    assert "adl.data.0.store" not in own.delivery["values"]
    assert (await own.commit(own.delivery["seq"] + 1, {"adl.data.0.store": "course notes"},
                             terminate=True)).status == 200
    assert (await choose(own, "reader")).delivery["values"]["adl.data.0.store"] == "course notes"
    # ... across the registration's attempts: a new course attempt still reads it.
    ended = await learner.request("POST", f"/api/v1/runtime/{own.attempt_id}/nav", json={"request": "exitAll"})
    assert ended.status == 200 and (await ended.json())["ended"], await ended.text()
    relaunched = await (await learner.request("POST", f"/api/v1/registrations/{own.registration_id}/launch")).json()
    assert relaunched["attempt_id"] != own.attempt_id
    assert relaunched["delivery"]["values"]["adl.data.0.store"] == "course notes"
    again = await learner.request("POST", f"/api/v1/registrations/{elsewhere.registration_id}/launch")
    assert (await again.json())["delivery"]["values"]["adl.data.0.store"] == "global notes"
