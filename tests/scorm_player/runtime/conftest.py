"""Prints the per-file conformance pass counts after a run of the runtime tests."""

from __future__ import annotations

from tests.scorm_player.runtime.replay import PASS_COUNTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ANN001 - pytest hook signature
    if not PASS_COUNTS:
        return
    terminalreporter.section("SCORM conformance fixture replay")
    for name, (passed, total) in sorted(PASS_COUNTS.items()):
        terminalreporter.write_line(f"{name}: {passed}/{total} steps")
