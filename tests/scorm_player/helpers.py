"""Shared helpers for the package import tests."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "scorm"

SCORM12 = ("scorm12", "golf_runtime_basic_scorm12.zip")
SCORM2004 = ("scorm2004", "golf_cp_singlesco_2004_3rd.zip")
CMI5 = ("cmi5", "catapult_single_au_basic_responsive.zip")


def shared_fixture(*parts: str) -> Path:
    """A file under ../shared/fixtures/scorm, read in place: skip when the shared folder is not checked out,
    fail when it is but the file is missing."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"shared SCORM fixtures not found at {SHARED_FIXTURES.resolve()} (checkout of ../shared missing)")
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared fixture {path} is missing")
    return path


def invalid_fixtures() -> list[str]:
    folder = SHARED_FIXTURES / "invalid"
    return sorted(p.name for p in folder.glob("*.zip")) if folder.is_dir() else []


def content_folders(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()} if root.is_dir() else set()
