"""The demo's own courses (hub/demo_courses): valid packages, reproducible bytes, imported and enrolled once."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.db import Database
from hub.demo import DEMO_TENANTS, demo_enrolments, load_demo
from hub.demo_courses import DEMO_COURSE_SOURCES, build_demo_courses
from hub.demo_courses.builder import ZIP_TIMESTAMP, course_files
from scorm_player.package.inspect import inspect_package


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {course.source.slug: course.path for course in build_demo_courses(tmp_path_factory.mktemp("courses"))}


def test_the_demo_ships_a_scorm_2004_and_a_scorm_12_course() -> None:
    assert [(s.slug, s.standard, s.edition) for s in DEMO_COURSE_SOURCES][:2] == [
        ("h2s-awareness", "scorm_2004", "4th"), ("permit-to-work", "scorm_1.2", None)]


def test_the_scorm_2004_course_is_a_valid_package_with_a_scaled_passing_score(built: dict[str, Path]) -> None:
    report = inspect_package(built["h2s-awareness"])
    assert (str(report.standard), str(report.edition)) == ("scorm_2004", "4th")
    assert report.title == "H2S Awareness and Escape"
    assert report.item_count == 1 and report.launch_urls == ("index.html",)
    assert report.warnings == ()
    assert report.scorm is not None
    (item,) = report.scorm.organization.items
    assert str(item.scorm_type) == "sco"
    assert item.scaled_passing_score == pytest.approx(0.8)
    assert {"previous", "continue"} <= item.hide_lms_ui


def test_every_file_of_a_course_is_in_its_manifest_and_nothing_is_fetched_from_elsewhere(
        built: dict[str, Path]) -> None:
    for source in DEMO_COURSE_SOURCES:
        with zipfile.ZipFile(built[source.slug]) as archive:
            names = archive.namelist()
            assert names == sorted(names)
            descriptor = "cmi5.xml" if source.standard == "cmi5" else "imsmanifest.xml"
            manifest = archive.read(descriptor).decode()
            for name in names:
                if name != descriptor:
                    assert f'href="{name}"' in manifest, (source.slug, name)
                if name.endswith((".html", ".js", ".css")):
                    text = archive.read(name).decode()
                    assert "http://" not in text and "https://" not in text and "//cdn" not in text, (source.slug, name)


def test_building_twice_gives_identical_bytes(built: dict[str, Path], tmp_path: Path) -> None:
    again = {course.source.slug: course.path for course in build_demo_courses(tmp_path)}
    assert set(again) == set(built) == {s.slug for s in DEMO_COURSE_SOURCES}
    for slug, path in built.items():
        assert again[slug].read_bytes() == path.read_bytes(), slug
        with zipfile.ZipFile(path) as archive:
            assert {info.date_time for info in archive.infolist()} == {ZIP_TIMESTAMP}
            assert archive.namelist() == list(course_files(next(s for s in DEMO_COURSE_SOURCES if s.slug == slug)))


async def demo_course_state(database: Database) -> dict[str, object]:
    from hub.tables import audit_log
    from scorm_player.store.tables import scorm_package as package
    from scorm_player.store.tables import scorm_registration as registration

    def run(conn):  # type: ignore[no-untyped-def]
        packages = conn.execute(select(package.c.tenant_id, package.c.package_id, package.c.title,
                                       package.c.content_hash).order_by(package.c.tenant_id, package.c.title)).all()
        registrations = conn.execute(select(registration.c.registration_id, registration.c.package_pk,
                                            registration.c.person_pk).order_by(registration.c.registration_id)).all()
        audits = conn.execute(select(func.count()).select_from(audit_log)).scalar()
        return {"packages": [tuple(row) for row in packages], "registrations": [tuple(row) for row in registrations],
                "audits": audits}
    return await database.read(run)


async def test_the_demo_imports_the_courses_and_enrols_its_learners_once(database: Database, tmp_path: Path) -> None:
    from hub.tenants import find_tenant
    from provisioning.ops.people import find_person_by_email
    from scorm_player.store import runtime as registrations

    content_root = tmp_path / "content"
    await load_demo(database, content_root=content_root)
    first = await demo_course_state(database)
    titles = {title for _, _, title, _ in first["packages"]}  # type: ignore[attr-defined]
    assert {s.title for s in DEMO_COURSE_SOURCES} <= titles
    # Extracted once per content hash, shared by both tenants.
    # (Only the demo's: other tests share this database and import packages of their own.)
    demo_titles = {s.title for s in DEMO_COURSE_SOURCES}
    hashes = {content_hash for _, _, title, content_hash in first["packages"]  # type: ignore[attr-defined]
              if title in demo_titles}
    assert {p.name for p in content_root.iterdir()} >= hashes

    def mine(conn):  # type: ignore[no-untyped-def]
        found = {}
        for demo in DEMO_TENANTS:
            tenant_row = find_tenant(conn, demo.slug)
            for email in demo_enrolments(demo):
                person = find_person_by_email(conn, tenant_row.id, email)
                rows = registrations.list_registrations(conn, tenant_row.id, person_pks=[person.pk])
                found[email] = sorted(row.package_title for row in rows)
        return found

    enrolled = await database.read(mine)
    assert len(enrolled) >= 20
    for email, courses in enrolled.items():
        assert courses == sorted(s.title for s in DEMO_COURSE_SOURCES), email

    await load_demo(database, content_root=content_root)
    assert await demo_course_state(database) == first


def test_the_scorm_12_course_is_a_valid_package_with_a_mastery_score(built: dict[str, Path]) -> None:
    report = inspect_package(built["permit-to-work"])
    assert (str(report.standard), report.edition) == ("scorm_1.2", None)
    assert report.title == "Permit to Work"
    assert report.item_count == 1 and report.launch_urls == ("index.html",)
    assert report.warnings == ()
    assert report.scorm is not None
    (item,) = report.scorm.organization.items
    assert str(item.scorm_type) == "sco"
    assert item.mastery_score == 80
