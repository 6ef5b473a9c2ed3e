"""The Rustici golf sequencing examples driven from start to the end of the course."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorm_player.package.inspect import inspect_package
from scorm_player.sequencing import (
    ScoReport,
    build_activity_tree,
    navigation_request_valid,
    process_navigation_request,
    relaunch,
    report_sco_data,
    table_of_contents,
)
from tests.scorm_player.helpers import SHARED_FIXTURES

GOLF = ("golf_seq_forced_sequential_2004_3rd.zip", "golf_seq_posttest_rollup_2004_3rd.zip",
        "golf_seq_4th_edition_features_2004_4th.zip")


@pytest.mark.parametrize("name", GOLF)
def test_golf_course_flows_through_every_sco_to_completion(name: str) -> None:
    path = SHARED_FIXTURES / "scorm2004" / name
    if not Path(path).is_file():
        pytest.skip(f"golf fixture not found at {path}")
    report = inspect_package(path)
    assert report.scorm is not None
    course = build_activity_tree(report.scorm)
    leaves = course.leaves()
    result = relaunch(course, None)
    delivered = []
    while result.delivered is not None:
        delivered.append(result.delivered)
        assert len(delivered) <= len(leaves), f"looping: {delivered}"
        state = report_sco_data(course, result.state, result.delivered, ScoReport(
            completion_status="completed", success_status="passed", score_scaled=1.0, progress_measure=1.0))
        result = process_navigation_request(course, state, "continue")
    assert delivered == leaves, result.exception
    assert result.ended
    root = result.state.activities[course.root]
    assert root.completed is True
    assert root.objectives[course[course.root].primary_key].satisfied is True


def test_golf_forced_sequential_blocks_the_test_until_the_topics_are_done() -> None:
    path = SHARED_FIXTURES / "scorm2004" / GOLF[0]
    if not Path(path).is_file():
        pytest.skip(f"golf fixture not found at {path}")
    report = inspect_package(path)
    assert report.scorm is not None
    course = build_activity_tree(report.scorm)
    state = relaunch(course, None).state
    assert navigation_request_valid(course, state, "continue")
    # The assessment is disabled until every topic is satisfied (precondition "disabled" if not satisfied).
    assert not navigation_request_valid(course, state, "choice.{target=assessment_item}")
    toc = {entry.identifier: entry for entry in table_of_contents(course, state)}
    assert toc["playing_item"].is_current and not toc["assessment_item"].choosable
