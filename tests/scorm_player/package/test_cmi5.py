"""cmi5 course structures: the CATAPULT LTS import cases (101–102 accept, 201–210 reject) and the parsed model."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorm_player.package.cmi5 import (
    LAUNCH_PARAMETER_NAMES,
    LTS_CASE_RULES,
    AssignableUnit,
    Block,
    LaunchMethod,
    MoveOn,
    parse_course_structure,
)
from scorm_player.package.inspect import inspect_package
from scorm_player.package.rejection import PackageRejected
from scorm_player.package.standards import Standard
from tests.scorm_player.helpers import shared_fixture
from tests.scorm_player.package.builders import au, course_structure, write_zip, zip64_bytes

STUB_AU = b"<!doctype html><title>stub AU</title><p>cmi5 stub</p>"
VALID_LTS_STRUCTURES = [
    "001-essentials", "002-allowed", "003-launchMethod-OwnWindow", "004-1-moveOn-Completed",
    "004-2-moveOn-CompletedOrPassed", "004-3-moveOn-Passed", "004-5-moveOn-NotApplicable", "005-1-invalid-au",
    "006-launchMode", "007-1-multi-session", "008-1-abandoned", "009-1-waived", "102-zip64",
]
INVALID_LTS_FILES = {
    "201-1-iris-course-id.xml": "201",
    "202-1-relative-url-no-zip.xml": "202",
    "204-query-string-conflict-endpoint.xml": "204",
    "205-1-duplicated-block.xml": "205",
    "206-1-invalid-au-url.xml": "206",
    "207-1-invalid-courseStructure.xml": "207",
    "209-1-not-a-zip.zip": "209",
}


def lts_structure(name: str) -> Path:
    return shared_fixture("cmi5", "course_structures_lts", name)


def rejection(data: bytes, package_files: frozenset[str] | None = None) -> PackageRejected:
    with pytest.raises(PackageRejected) as caught:
        parse_course_structure(data, package_files=package_files)
    return caught.value


def inspect_rejection(path: Path) -> PackageRejected:
    with pytest.raises(PackageRejected) as caught:
        inspect_package(path)
    return caught.value


@pytest.mark.parametrize("case", VALID_LTS_STRUCTURES)
def test_valid_lts_course_structures_are_accepted_in_a_zip_with_a_stub_au(tmp_path: Path, case: str) -> None:
    structure = lts_structure(f"{case}.cmi5.xml").read_bytes()
    report = inspect_package(write_zip(tmp_path / f"{case}.zip", {"cmi5.xml": structure, "index.html": STUB_AU}))
    assert report.standard is Standard.CMI5
    assert report.item_count == 1
    assert report.launch_urls[0].startswith("index.html")
    assert report.warnings == ()


@pytest.mark.parametrize("case", VALID_LTS_STRUCTURES)
def test_valid_lts_course_structures_with_relative_urls_are_rejected_standalone(case: str) -> None:
    # cmi5 14.2.0.0-1: without a zip every AU URL must be fully qualified (the same rule LTS 202 checks).
    assert inspect_rejection(lts_structure(f"{case}.cmi5.xml")).rule == "cmi5.relative_url_without_zip"


@pytest.mark.parametrize("file_name, case", sorted(INVALID_LTS_FILES.items()))
def test_invalid_lts_packages_are_rejected_with_their_rule(file_name: str, case: str) -> None:
    error = inspect_rejection(lts_structure(file_name))
    assert error.rule == LTS_CASE_RULES[case]
    assert error.file == file_name


def test_lts_203_relative_url_to_a_file_missing_from_the_zip_is_rejected(tmp_path: Path) -> None:
    structure = lts_structure("203-1-relative-url-no-reference.cmi5.xml").read_bytes()
    error = inspect_rejection(write_zip(tmp_path / "203.zip", {"cmi5.xml": structure, "index.html": STUB_AU}))
    assert (error.rule, error.file, error.line) == ("cmi5.url_file_missing", "cmi5.xml", 34)
    assert "not-found.html" in str(error)


def test_lts_207_reports_the_schema_violation_line() -> None:
    error = inspect_rejection(lts_structure("207-1-invalid-courseStructure.xml"))
    assert str(error).startswith("207-1-invalid-courseStructure.xml:28: not a valid cmi5 course structure")


def test_essentials_structure_is_parsed_into_the_model(tmp_path: Path) -> None:
    structure = lts_structure("001-essentials.cmi5.xml").read_bytes()
    course = inspect_package(write_zip(tmp_path / "001.zip", {"cmi5.xml": structure, "index.html": STUB_AU})).cmi5
    assert course.course_id == "https://w3id.org/xapi/cmi5/catapult/lts/course/001-essentials"
    assert course.display_title == "CATAPULT LMS Test Course: 001 Essentials"
    (block,) = course.blocks()
    assert block.id == "https://w3id.org/xapi/cmi5/catapult/lts/block/001-essentials"
    (unit,) = course.aus()
    assert unit.id == "https://w3id.org/xapi/cmi5/catapult/lts/au/001-essentials"
    assert unit.url == "index.html?paramA=1&paramB=2"  # CDATA and whitespace trimmed (13.1.0.0-1)
    assert (unit.move_on, unit.mastery_score, unit.launch_method) == (MoveOn.COMPLETED_AND_PASSED, 0.9,
                                                                      LaunchMethod.ANY_WINDOW)
    assert (unit.launch_parameters, unit.entitlement_key) == ("sample string", "sample value")
    assert unit.is_relative_url


def test_own_window_launch_method_is_read(tmp_path: Path) -> None:
    structure = lts_structure("003-launchMethod-OwnWindow.cmi5.xml").read_bytes()
    course = parse_course_structure(structure, package_files=frozenset({"index.html"}))
    assert course.aus()[0].launch_method is LaunchMethod.OWN_WINDOW


# --- the LTS cases that are not in the shared fixtures, rebuilt from lts/procedure.md ---

@pytest.mark.parametrize("kind", ["block", "au", "objective"])
def test_lts_201_non_absolute_iris_are_rejected_for_blocks_aus_and_objectives(kind: str) -> None:
    bad = "w3id.org/xapi/cmi5/catapult/lts/201"
    if kind == "block":
        body = f'<block id="{bad}"><title><langstring>B</langstring></title><description><langstring>B</langstring>' \
               f'</description>{au("https://example.com/au/1", "https://example.com/au.html")}</block>'
    elif kind == "au":
        body = au(bad, "https://example.com/au.html")
    else:
        body = (f'<objectives><objective id="{bad}"><title><langstring>O</langstring></title><description>'
                f'<langstring>O</langstring></description></objective></objectives>'
                + au("https://example.com/au/1", "https://example.com/au.html"))
    error = rejection(course_structure(body))
    assert error.rule == LTS_CASE_RULES["201"]


@pytest.mark.parametrize("url", ["index.html", "path/1/index.html", "index.html?abc=def",
                                 "path/1/index.html?abc=def", "/index.html"])
def test_lts_202_relative_urls_are_rejected_without_a_zip(url: str) -> None:
    error = rejection(course_structure(au("https://example.com/au/1", url)))
    assert error.rule == LTS_CASE_RULES["202"]


@pytest.mark.parametrize("name", LAUNCH_PARAMETER_NAMES)
def test_lts_204_au_urls_may_not_use_launch_parameter_names(name: str) -> None:
    error = rejection(course_structure(au("https://example.com/au/1", f"https://example.com/au.html?x=1&amp;{name}=2")))
    assert error.rule == LTS_CASE_RULES["204"]
    assert repr(name) in error.message


def test_lts_205_duplicate_objective_ids_are_rejected() -> None:
    objective = ('<objective id="https://example.com/objective/1"><title><langstring>O</langstring></title>'
                 '<description><langstring>O</langstring></description></objective>')
    body = f"<objectives>{objective}{objective}</objectives>" + au("https://example.com/au/1", "https://example.com/a")
    assert rejection(course_structure(body)).rule == LTS_CASE_RULES["205"]


def test_lts_205_duplicate_au_ids_are_rejected() -> None:
    body = au("https://example.com/au/1", "https://example.com/a") + au("https://example.com/au/1", "https://example.com/b")
    error = rejection(course_structure(body))
    assert error.rule == LTS_CASE_RULES["205"]
    assert "13.1.4.0-1" in error.message


@pytest.mark.parametrize("url", ["http://example.com index.html", "http://exa mple.com/", "https://",
                                 "http://example.com:99999/", "javascript:alert(1)",
                                 "file:///etc/passwd", "index.html?a=<b>"])
def test_lts_206_invalid_au_urls_are_rejected(url: str) -> None:
    error = rejection(course_structure(au("https://example.com/au/1", url.replace("<", "&lt;").replace(">", "&gt;"))))
    assert error.rule == LTS_CASE_RULES["206"]


@pytest.mark.parametrize("mutation", [
    lambda xml: xml.replace(b'xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"',
                            b'xmlns="https://example.com/not-cmi5"'),
    lambda xml: xml.replace(b"<au ", b'<au masteryScore="1.5" '),
    lambda xml: xml.replace(b"<au ", b'<au moveOn="Finished" '),
    lambda xml: xml.replace(b"<url>https://example.com/a</url>", b""),
])
def test_lts_207_schema_violations_are_rejected(mutation: object) -> None:
    data = mutation(course_structure(au("https://example.com/au/1", "https://example.com/a")))  # type: ignore[operator]
    assert rejection(data).rule == LTS_CASE_RULES["207"]


def test_lts_208_unsupported_file_types_are_rejected(tmp_path: Path) -> None:
    upload = tmp_path / "208-1-invalid-package.md"
    upload.write_text("# LMS Test Package\n\nThis is a markdown file which is not a supported type of package.\n")
    assert inspect_rejection(upload).rule == LTS_CASE_RULES["208"]


def test_lts_210_zip_without_cmi5_xml_at_its_root_is_rejected(tmp_path: Path) -> None:
    upload = write_zip(tmp_path / "210-1-no-cmi5-xml.zip", {"README.md": "no cmi5.xml here", "index.html": STUB_AU})
    assert inspect_rejection(upload).rule == LTS_CASE_RULES["210"]


def test_lts_101_one_thousand_aus_are_accepted(tmp_path: Path) -> None:
    body = "\n".join(au(f"https://example.com/au/{index}", f"https://example.com/content/{index}.html")
                     for index in range(1000))
    upload = tmp_path / "101-one-thousand-aus.xml"
    upload.write_bytes(course_structure(body))
    report = inspect_package(upload)
    assert report.item_count == 1000
    assert report.launch_urls[-1] == "https://example.com/content/999.html"
    assert not report.is_zip


def test_lts_102_zip64_packages_are_accepted(tmp_path: Path) -> None:
    structure = lts_structure("102-zip64.cmi5.xml").read_bytes()
    upload = tmp_path / "102-zip64.zip"
    upload.write_bytes(zip64_bytes({"cmi5.xml": structure, "index.html": STUB_AU}))
    report = inspect_package(upload)
    assert report.cmi5.aus()[0].move_on is MoveOn.COMPLETED_OR_PASSED


# --- other semantic rules ---

def test_au_objective_references_must_name_course_objectives() -> None:
    body = au("https://example.com/au/1", "https://example.com/a",
              objectives='<objectives><objective idref="https://example.com/objective/unknown"/></objectives>')
    assert rejection(course_structure(body)).rule == "cmi5.objective_reference"


def test_objectives_and_references_are_kept() -> None:
    body = ('<objectives><objective id="https://example.com/objective/1"><title><langstring lang="en">Obj</langstring>'
            '</title><description><langstring>d</langstring></description></objective></objectives>'
            + au("https://example.com/au/1", "https://example.com/a",
                 objectives='<objectives><objective idref="https://example.com/objective/1"/></objectives>'))
    course = parse_course_structure(course_structure(body))
    assert [objective.id for objective in course.objectives] == ["https://example.com/objective/1"]
    assert course.aus()[0].objective_ids == ("https://example.com/objective/1",)


def test_absolute_au_urls_inside_a_zip_need_no_file() -> None:
    course = parse_course_structure(course_structure(au("https://example.com/au/1", "https://cdn.example.com/au.html")),
                                    package_files=frozenset())
    assert not course.aus()[0].is_relative_url


def test_relative_au_urls_may_not_climb_out_of_the_zip() -> None:
    error = rejection(course_structure(au("https://example.com/au/1", "../index.html")), frozenset({"index.html"}))
    assert error.rule == "cmi5.url_file_missing"


def test_pre_post_test_package_has_two_blocks_of_three_aus() -> None:
    report = inspect_package(shared_fixture("cmi5", "catapult_pre_post_test_framed.zip"))
    course = report.cmi5
    assert [type(node) for node in course.children] == [Block, Block]
    move_on = [[unit.move_on for unit in block.children if isinstance(unit, AssignableUnit)]
               for block in course.blocks()]
    assert move_on == [[MoveOn.PASSED, MoveOn.COMPLETED_OR_PASSED, MoveOn.PASSED]] * 2
    assert report.launch_urls == ("pre1.html", "index.html?pages=1", "post1.html",
                                  "pre2.html", "index.html?pages=2", "post2.html")
