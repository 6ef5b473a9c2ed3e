"""moveOn and block/course satisfaction as pure functions, over the CATAPULT pre/post-test course structure."""

from __future__ import annotations

import zipfile

import pytest

from scorm_player.cmi5.course import CourseIris, au_satisfied, index_course
from scorm_player.package.cmi5 import MoveOn, parse_course_structure
from tests.scorm_player.helpers import SHARED_FIXTURES

PRE_POST = SHARED_FIXTURES / "cmi5" / "catapult_pre_post_test_framed.zip"


@pytest.mark.parametrize(("move_on", "completed", "passed", "expected"), [
    (MoveOn.NOT_APPLICABLE, False, False, True),
    (MoveOn.COMPLETED, True, False, True), (MoveOn.COMPLETED, False, True, False),
    (MoveOn.PASSED, False, True, True), (MoveOn.PASSED, True, False, False),
    (MoveOn.COMPLETED_AND_PASSED, True, False, False), (MoveOn.COMPLETED_AND_PASSED, True, True, True),
    (MoveOn.COMPLETED_OR_PASSED, True, False, True), (MoveOn.COMPLETED_OR_PASSED, False, True, True),
    (MoveOn.COMPLETED_OR_PASSED, False, False, False),
])
def test_au_satisfied_follows_move_on(move_on: MoveOn, completed: bool, passed: bool, expected: bool) -> None:
    assert au_satisfied(move_on, completed=completed, passed=passed) is expected
    assert au_satisfied(move_on, completed=False, passed=False, waived=True) is True


def test_blocks_then_course_are_satisfied_as_their_aus_are() -> None:
    if not PRE_POST.is_file():
        pytest.skip(f"CATAPULT fixture not found at {PRE_POST.resolve()} (checkout of ../shared missing)")
    with zipfile.ZipFile(PRE_POST) as archive:
        index = index_course(parse_course_structure(archive.read("cmi5.xml"),
                                                    package_files=frozenset(archive.namelist())))
    assert len(index.aus) == 6 and len(index.blocks) == 2
    assert [node.key for node in index.nodes] == ["block-0", "block-1", "course"]
    assert index.nodes[0].au_indexes == {0, 1, 2}
    assert index.newly_satisfied([0, 1], []) == []
    assert [n.key for n in index.newly_satisfied([0, 1, 2], [])] == ["block-0"]
    assert [n.key for n in index.newly_satisfied(range(6), ["block-0"])] == ["block-1", "course"]
    assert index.au_index("4") == 4 and index.au_index("6") is None
    assert index.au_index(index.aus[2].id) == 2
    iris = CourseIris("acme", "pkg")
    assert iris.node(index.nodes[1]) == "https://learnhub.local/tenants/acme/cmi5/pkg/block/1"
    assert iris.node(index.nodes[1]) != index.nodes[1].publisher_id
