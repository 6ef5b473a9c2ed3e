"""Build the demo course packages: byte-for-byte reproducible zips of the sources in this folder.

Entries are written in sorted order with a fixed timestamp, fixed permissions and no compression (stored:
the bytes cannot depend on the zlib build), so building twice gives identical files, the same content hash
and therefore the same package id; re-importing them is a no-op.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEMO_COURSE_SOURCES", "BuiltCourse", "CourseSource", "build_course", "build_demo_courses",
           "course_files"]

SOURCE_ROOT = Path(__file__).resolve().parent
SHARED = "shared"
# 1 January 2026, 00:00: every entry carries it (zip times have no zone and 2-second resolution).
ZIP_TIMESTAMP = (2026, 1, 1, 0, 0, 0)
SOURCE_SUFFIXES = frozenset({".html", ".js", ".css", ".svg", ".xml"})


@dataclass(frozen=True)
class CourseSource:
    """One demo course: its source folder and what the package is."""

    slug: str  # file name of the zip, and the course's stable name in the demo
    folder: str  # folder under hub/demo_courses/
    title: str
    standard: str  # as scorm_player.package.standards.Standard: "scorm_2004", "scorm_1.2", "cmi5"
    edition: str | None


@dataclass(frozen=True)
class BuiltCourse:
    source: CourseSource
    path: Path


DEMO_COURSE_SOURCES: tuple[CourseSource, ...] = (
    CourseSource("h2s-awareness", "h2s_awareness", "H2S Awareness and Escape", "scorm_2004", "4th"),
    CourseSource("permit-to-work", "permit_to_work", "Permit to Work", "scorm_1.2", None),
)


def _source_files(folder: Path, prefix: str = "") -> dict[str, Path]:
    return {prefix + path.relative_to(folder).as_posix(): path for path in folder.rglob("*")
            if path.is_file() and path.suffix in SOURCE_SUFFIXES
            and not any(part.startswith((".", "__")) for part in path.relative_to(folder).parts)}


def course_files(source: CourseSource) -> dict[str, Path]:
    """Zip entry name → source file: the course's own files, and the shared runtime under shared/."""
    files = _source_files(SOURCE_ROOT / source.folder)
    shared = _source_files(SOURCE_ROOT / SHARED, f"{SHARED}/")
    clash = files.keys() & shared.keys()
    if clash:
        raise ValueError(f"{source.folder} has its own copies of shared files: {sorted(clash)}")
    return dict(sorted({**files, **shared}.items()))


def build_course(source: CourseSource, folder: Path) -> BuiltCourse:
    """Write <folder>/<slug>.zip and return it; the bytes depend only on the source files."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.slug}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in course_files(source).items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, so external_attr means the same everywhere
            info.external_attr = (0o100644 & 0xFFFF) << 16
            archive.writestr(info, path.read_bytes())
    return BuiltCourse(source, target)


def build_demo_courses(folder: Path) -> list[BuiltCourse]:
    """Build every demo course into folder (created if missing), in DEMO_COURSE_SOURCES order."""
    return [build_course(source, folder) for source in DEMO_COURSE_SOURCES]
