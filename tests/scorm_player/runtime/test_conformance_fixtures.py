"""Replays every decoded ADL/scorm-again conformance step (spec §4.5) against the Python data model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scorm_player.runtime.replay import (
    DECODED_FIXTURES,
    PASS_COUNTS,
    decoded_fixture_files,
    replay_decoded_fixture,
    require,
)

# Without ../shared the single placeholder makes each replay test skip with the missing path in its reason.
FIXTURE_FILES = decoded_fixture_files() or [DECODED_FIXTURES / "api.json"]


def test_decoded_fixture_folder_holds_the_expected_files():
    require(DECODED_FIXTURES)
    names = {path.relative_to(DECODED_FIXTURES).as_posix() for path in FIXTURE_FILES}
    assert {"api.json", "cm-01-launch-seeded.json", "cm-data-model-errors.json", "scorm12-roundtrip.json",
            "scorm12-divergence-probes.json", "generated/DMB.json", "generated/API.json"} <= names
    assert len([name for name in names if name.startswith("generated/")]) == 34


@pytest.mark.parametrize("fixture_path", FIXTURE_FILES,
                         ids=[path.relative_to(DECODED_FIXTURES).as_posix() for path in FIXTURE_FILES])
def test_every_step_of_decoded_fixture_returns_expected_value_and_error_code(fixture_path: Path):
    report = replay_decoded_fixture(require(fixture_path))
    PASS_COUNTS[fixture_path.relative_to(DECODED_FIXTURES).as_posix()] = (report.passed, report.total)
    assert report.total > 0
    assert not report.failures, "\n".join(report.failures)


def test_known_divergence_steps_follow_the_adl_expectation_not_scorm_again():
    # scorm12-divergence-probes.json pins two scorm-again divergences (P4 leaf 401, P6 id with a space accepted);
    # the fixture's expectedReturn/expectedErrorCode stay ADL-faithful, and so does our model (201 and 405).
    path = require(DECODED_FIXTURES / "scorm12-divergence-probes.json")
    report = replay_decoded_fixture(path)
    assert not report.failures
