"""One entry point for an upload: a zip (SCORM or cmi5) or a standalone cmi5.xml in, a report or a rejection out."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from scorm_player.package.archive import (
    ArchiveEntry,
    ArchiveLimits,
    ArchiveListing,
    hash_file,
    looks_like_zip,
    read_archive_member,
    scan_archive,
)
from scorm_player.package.cmi5 import CourseStructure, parse_course_structure
from scorm_player.package.manifest import Package, check_package_files, parse_manifest
from scorm_player.package.rejection import PackageRejected, PackageWarning
from scorm_player.package.safe_xml import parse_untrusted_xml
from scorm_player.package.standards import Edition, Standard

__all__ = ["PackageReport", "inspect_package"]

SCORM_MANIFEST = "imsmanifest.xml"
CMI5_COURSE_STRUCTURE = "cmi5.xml"
# AICC course structure files (AICC CMI001): .crs course, .au units, .des descriptors, .cst structure.
_AICC_SUFFIXES = frozenset({".crs", ".au", ".des", ".cst"})
# Folders and files archivers add on their own; they do not count when looking for a single top-level folder.
_ARCHIVER_NOISE = frozenset({"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class PackageReport:
    """What an upload contains; enough to decide, store the package and build its activity tree."""

    source_name: str
    content_hash: str  # sha256 of the uploaded bytes; zips are extracted to <content_root>/<content_hash>/
    standard: Standard
    edition: Edition | None
    title: str
    descriptor_path: str  # "imsmanifest.xml", "course/imsmanifest.xml" or "cmi5.xml"
    content_base: str  # folder (inside the zip) that relative launch URLs resolve against: "" or "course/"
    is_zip: bool
    scorm: Package | None = None
    cmi5: CourseStructure | None = None
    warnings: tuple[PackageWarning, ...] = ()
    file_count: int = 0
    total_bytes: int = 0

    @property
    def item_count(self) -> int:
        """SCORM: items in the default organization; cmi5: AUs."""
        if self.scorm is not None:
            return self.scorm.organization.item_count
        return len(self.cmi5.aus()) if self.cmi5 is not None else 0

    @property
    def launch_urls(self) -> tuple[str, ...]:
        """Launch URLs in tree order, relative to `content_base` unless absolute."""
        if self.scorm is not None:
            return tuple(item.launch_url for item in self.scorm.items() if item.launch_url is not None)
        return tuple(au.url for au in self.cmi5.aus()) if self.cmi5 is not None else ()


def inspect_package(path: Path, *, limits: ArchiveLimits = ArchiveLimits()) -> PackageReport:
    """Validate an upload without extracting it; raise PackageRejected (file, line, rule) on the first problem."""
    content_hash = hash_file(path)
    if looks_like_zip(path):
        return _inspect_zip(path, content_hash, limits)
    if path.suffix.lower() == ".zip":
        # cmi5 14.1.0.0-1 (CATAPULT LTS 209)
        raise PackageRejected(path.name, None, "zip.not_a_zip", "the file is named .zip but is not a zip archive")
    with path.open("rb") as handle:
        head = handle.read(64)
    if not _looks_like_xml(head):
        # cmi5 14.0.0.0-1 (CATAPULT LTS 208)
        raise PackageRejected(path.name, None, "package.unsupported_type",
                              "unsupported file type: upload a zip package or a cmi5.xml course structure")
    return _inspect_standalone_xml(path, content_hash, limits)


def _looks_like_xml(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _inspect_standalone_xml(path: Path, content_hash: str, limits: ArchiveLimits) -> PackageReport:
    size = path.stat().st_size
    if size > limits.max_descriptor_bytes:
        raise PackageRejected(path.name, None, "package.descriptor_too_large",
                              f"{size} bytes; the limit is {limits.max_descriptor_bytes}")
    data = path.read_bytes()
    root = parse_untrusted_xml(data, file_name=path.name).getroot()
    local_name = etree.QName(root).localname
    if local_name == "manifest":
        raise PackageRejected(path.name, root.sourceline, "package.standalone_manifest",
                              "a SCORM imsmanifest.xml must be uploaded inside its zip package")
    if local_name != "courseStructure":
        raise PackageRejected(path.name, root.sourceline, "package.unsupported_type",
                              f"<{local_name}> is neither a cmi5 course structure nor a SCORM manifest")
    # cmi5 14.2.0.0-1: without a zip every AU URL must be absolute (package_files=None enforces it).
    structure = parse_course_structure(data, file_name=path.name, package_files=None)
    return PackageReport(
        source_name=path.name, content_hash=content_hash, standard=Standard.CMI5, edition=None,
        title=structure.display_title, descriptor_path=path.name, content_base="", is_zip=False,
        cmi5=structure, warnings=structure.warnings, file_count=1, total_bytes=size,
    )


@dataclass(frozen=True)
class _Descriptor:
    entry: ArchiveEntry
    is_cmi5: bool  # cmi5.xml; otherwise an imsmanifest.xml, whose SCORM version only the manifest tells
    base: str
    warnings: tuple[PackageWarning, ...] = ()


def _top_level_folder(listing: ArchiveListing) -> str | None:
    top_level = {entry.name.split("/", 1)[0] for entry in listing.entries} - _ARCHIVER_NOISE
    if len(top_level) != 1:
        return None
    (folder,) = top_level
    return folder if folder in listing.directories else None


def _locate_descriptor(listing: ArchiveListing) -> _Descriptor:
    """imsmanifest.xml or cmi5.xml at the root; a SCORM manifest inside a single top-level folder is tolerated."""
    name = listing.archive_name
    manifest = listing.entry(SCORM_MANIFEST)
    course_structure = listing.entry(CMI5_COURSE_STRUCTURE)
    if course_structure is not None:
        warnings = () if manifest is None else (PackageWarning(
            name, None, "package.two_descriptors",
            "the zip has both cmi5.xml and imsmanifest.xml; it is imported as cmi5"),)
        return _Descriptor(course_structure, True, "", warnings)
    if manifest is not None:
        return _Descriptor(manifest, False, "")
    folder = _top_level_folder(listing)
    if folder is not None:
        nested_manifest = listing.entry(f"{folder}/{SCORM_MANIFEST}")
        if nested_manifest is not None:
            # Spec §2.1: lenient like Open edX, but say so (Moodle rejects this as badimsmanifestlocation).
            return _Descriptor(nested_manifest, False, f"{folder}/", (PackageWarning(
                name, None, "package.manifest_in_subfolder",
                f"imsmanifest.xml is inside the folder {folder!r} instead of at the zip root; using it anyway"),))
    _reject_unsupported_formats(listing)
    nested = sorted((file for file in listing.files
                     if posixpath.basename(file) in (SCORM_MANIFEST, CMI5_COURSE_STRUCTURE)),
                    key=lambda file: (file.count("/"), file))
    if nested:
        # cmi5 14.1.0.0-2 wants cmi5.xml at the root; a SCORM manifest may sit at most one folder down.
        raise PackageRejected(name, None, "package.manifest_location",
                              f"{posixpath.basename(nested[0])} must be at the zip root, not at {nested[0]!r}")
    # cmi5 14.1.0.0-2 (CATAPULT LTS 210) and SCORM CAM: the descriptor is required.
    raise PackageRejected(name, None, "package.no_manifest",
                          "no imsmanifest.xml (SCORM) or cmi5.xml (cmi5) at the zip root")


def _reject_unsupported_formats(listing: ArchiveListing) -> None:
    suffixes = {posixpath.splitext(file)[1].lower() for file in listing.files}
    if suffixes & _AICC_SUFFIXES:
        raise PackageRejected(listing.archive_name, None, "package.unsupported_format",
                              "AICC course packages (.crs/.au/.des/.cst) are an unsupported format; "
                              "re-export the course as SCORM or cmi5")
    if any(posixpath.basename(file).lower() == "csf.xml" or file.lower().endswith(".csf") for file in listing.files):
        raise PackageRejected(listing.archive_name, None, "package.unsupported_format",
                              "SCORM 1.1 course structure (CSF) packages are an unsupported format; "
                              "re-export the course as SCORM 1.2 or 2004")


def _inspect_zip(path: Path, content_hash: str, limits: ArchiveLimits) -> PackageReport:
    listing = scan_archive(path, limits=limits)
    descriptor = _locate_descriptor(listing)
    data = read_archive_member(path, descriptor.entry, max_bytes=limits.max_descriptor_bytes)
    report = PackageReport(
        source_name=path.name, content_hash=content_hash, standard=Standard.CMI5, edition=None, title="",
        descriptor_path=descriptor.entry.name, content_base=descriptor.base, is_zip=True,
        warnings=listing.warnings + descriptor.warnings, file_count=len(listing.files),
        total_bytes=listing.total_bytes)
    if descriptor.is_cmi5:
        structure = parse_course_structure(data, file_name=descriptor.entry.name, package_files=listing.files)
        return replace(report, title=structure.display_title, cmi5=structure,
                       warnings=report.warnings + structure.warnings)
    package = parse_manifest(data, file_name=descriptor.entry.name)
    package_files = frozenset(file[len(descriptor.base):] for file in listing.files if file.startswith(descriptor.base))
    file_warnings = check_package_files(package, package_files, file_name=descriptor.entry.name)
    return replace(report, standard=package.standard, edition=package.edition, title=package.title, scorm=package,
                   warnings=report.warnings + package.warnings + file_warnings)
