"""inspect_package: file-type sniffing, descriptor location, unsupported formats and the rejection contract."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from hub.errors import BadRequest
from scorm_player.package.archive import ArchiveLimits
from scorm_player.package.inspect import inspect_package
from scorm_player.package.rejection import PackageRejected, PackageWarning
from scorm_player.package.standards import Standard
from tests.scorm_player.package.builders import (
    au,
    course_structure,
    manifest_12,
    replace_name_bytes,
    sco_resource,
    write_zip,
    zip_bytes,
)

MANIFEST = manifest_12('<item identifier="i1" identifierref="r1"><title>One</title></item>',
                       sco_resource("r1", "index.html", scorm_type_attribute="adlcp:scormtype"))
PAGE = b"<html><body>SCO</body></html>"


def rejection(path: Path, **options: object) -> PackageRejected:
    with pytest.raises(PackageRejected) as caught:
        inspect_package(path, **options)  # type: ignore[arg-type]
    return caught.value


def test_report_carries_hash_sizes_and_the_parsed_package(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "course.zip", {"imsmanifest.xml": MANIFEST, "index.html": PAGE})
    report = inspect_package(path)
    assert report.source_name == "course.zip"
    assert len(report.content_hash) == 64
    assert (report.file_count, report.total_bytes) == (2, len(MANIFEST) + len(PAGE))
    assert report.scorm.identifier == "m1" and report.cmi5 is None
    assert report.title == "Course 1.2"


def test_manifest_in_a_single_top_level_folder_is_accepted_with_a_warning(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "wrapped.zip", {"course/imsmanifest.xml": MANIFEST, "course/index.html": PAGE,
                                                "__MACOSX/course/._index.html": b"resource fork"})
    report = inspect_package(path)
    assert (report.descriptor_path, report.content_base) == ("course/imsmanifest.xml", "course/")
    assert report.launch_urls == ("index.html",)
    assert [warning.rule for warning in report.warnings] == ["package.manifest_in_subfolder"]


def test_rejections_inside_a_wrapped_manifest_name_its_path(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "wrapped.zip", {"course/imsmanifest.xml": MANIFEST})
    error = rejection(path)
    assert (error.rule, error.file) == ("cam.launch_file_missing", "course/imsmanifest.xml")


def test_manifest_deeper_than_one_folder_is_rejected(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "deep.zip", {"a/b/imsmanifest.xml": MANIFEST, "a/b/index.html": PAGE})
    error = rejection(path)
    assert error.rule == "package.manifest_location"
    assert "a/b/imsmanifest.xml" in error.message


def test_manifest_in_a_folder_next_to_other_top_level_files_is_rejected(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "mixed.zip", {"course/imsmanifest.xml": MANIFEST, "readme.txt": "hi"})
    assert rejection(path).rule == "package.manifest_location"


def test_cmi5_xml_must_be_at_the_zip_root(tmp_path: Path) -> None:
    structure = course_structure(au("https://example.com/au/1", "index.html"))
    path = write_zip(tmp_path / "nested.zip", {"course/cmi5.xml": structure, "course/index.html": PAGE})
    assert rejection(path).rule == "package.manifest_location"


def test_zip_with_both_descriptors_is_imported_as_cmi5_with_a_warning(tmp_path: Path) -> None:
    structure = course_structure(au("https://example.com/au/1", "index.html"))
    path = write_zip(tmp_path / "both.zip", {"cmi5.xml": structure, "imsmanifest.xml": MANIFEST, "index.html": PAGE})
    report = inspect_package(path)
    assert report.standard is Standard.CMI5
    assert [warning.rule for warning in report.warnings] == ["package.two_descriptors"]


@pytest.mark.parametrize("files", [{"course.crs": "[Course]"}, {"course.au": "x", "course.des": "y"}])
def test_aicc_packages_are_an_unsupported_format(tmp_path: Path, files: dict[str, str]) -> None:
    assert rejection(write_zip(tmp_path / "aicc.zip", files)).rule == "package.unsupported_format"


def test_scorm_11_csf_packages_are_an_unsupported_format(tmp_path: Path) -> None:
    error = rejection(write_zip(tmp_path / "scorm11.zip", {"CSF.xml": "<block/>", "index.html": PAGE}))
    assert error.rule == "package.unsupported_format"
    assert "SCORM 1.1" in error.message


def test_standalone_scorm_manifest_must_come_in_its_zip(tmp_path: Path) -> None:
    (tmp_path / "imsmanifest.xml").write_bytes(MANIFEST)
    assert rejection(tmp_path / "imsmanifest.xml").rule == "package.standalone_manifest"


def test_standalone_xml_that_is_neither_descriptor_is_an_unsupported_type(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(b"<rss version='2.0'/>")
    assert rejection(tmp_path / "feed.xml").rule == "package.unsupported_type"


def test_binary_upload_that_is_not_a_zip_is_an_unsupported_type(tmp_path: Path) -> None:
    (tmp_path / "course.pdf").write_bytes(b"%PDF-1.7\n...")
    assert rejection(tmp_path / "course.pdf").rule == "package.unsupported_type"


def test_zip_is_recognised_by_content_not_by_name(tmp_path: Path) -> None:
    (tmp_path / "upload.bin").write_bytes(zip_bytes({"imsmanifest.xml": MANIFEST, "index.html": PAGE}))
    assert inspect_package(tmp_path / "upload.bin").standard is Standard.SCORM_12


def test_standalone_cmi5_with_absolute_urls_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "course.xml").write_bytes(course_structure(au("https://example.com/au/1", "https://example.com/au")))
    report = inspect_package(tmp_path / "course.xml")
    assert (report.standard, report.is_zip, report.descriptor_path) == (Standard.CMI5, False, "course.xml")


def test_descriptor_above_the_size_limit_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "course.xml").write_bytes(course_structure(au("https://example.com/au/1", "https://example.com/au")))
    error = rejection(tmp_path / "course.xml", limits=ArchiveLimits(max_descriptor_bytes=100))
    assert error.rule == "package.descriptor_too_large"
    path = write_zip(tmp_path / "course.zip", {"imsmanifest.xml": MANIFEST, "index.html": PAGE})
    assert rejection(path, limits=ArchiveLimits(max_descriptor_bytes=100)).rule == "zip.member_too_large"


def test_archive_limits_apply_to_inspection(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "course.zip", {"imsmanifest.xml": MANIFEST, "index.html": PAGE})
    assert rejection(path, limits=ArchiveLimits(max_files=1)).rule == "zip.too_many_files"


def test_zip_name_warnings_reach_the_report(tmp_path: Path) -> None:
    data = replace_name_bytes(zip_bytes({"imsmanifest.xml": MANIFEST, "index.html": PAGE, "Übung.html": "x"}),
                              "Übung".encode(), "Übung".encode(), utf8_flag=False)
    (tmp_path / "names.zip").write_bytes(data)
    assert [warning.rule for warning in inspect_package(tmp_path / "names.zip").warnings] == ["zip.name_encoding"]


def test_package_rejected_is_a_bad_request_with_a_located_envelope() -> None:
    error = PackageRejected("imsmanifest.xml", 42, "cam.identifierref", "identifierref 'RES-9' points to no resource")
    assert isinstance(error, BadRequest)
    assert str(error) == "imsmanifest.xml:42: identifierref 'RES-9' points to no resource [cam.identifierref]"
    assert error.body() == {"error": {
        "status": 400, "code": "package_rejected", "message": "identifierref 'RES-9' points to no resource",
        "details": {"file": "imsmanifest.xml", "line": 42, "rule": "cam.identifierref"}}}
    assert str(PackageRejected("upload.zip", None, "zip.symlink", "entry 'a' is a symbolic link")) == \
        "upload.zip: entry 'a' is a symbolic link [zip.symlink]"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.file, copy.line, copy.rule, copy.message) == (error.file, error.line, error.rule, error.message)


def test_package_warning_reads_like_a_rejection() -> None:
    warning = PackageWarning("course.zip", None, "package.manifest_in_subfolder", "imsmanifest.xml is in a folder")
    assert str(warning) == "course.zip: imsmanifest.xml is in a folder [package.manifest_in_subfolder]"
