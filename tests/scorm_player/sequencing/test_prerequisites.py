"""SCORM 1.2 prerequisites (AICC script, CAM 1.2 §2.3.2.5.6): parsing and evaluation."""

from __future__ import annotations

import pytest

from scorm_player.sequencing.prerequisites import PrerequisiteError, parse_prerequisites, prerequisites_met

STATUSES = {"A": "passed", "B": "completed", "C": "incomplete", "D": "failed", "E": "browsed"}


@pytest.mark.parametrize(("expression", "expected"), [
    ("A", True), ("B", True), ("C", False), ("D", False), ("E", False), ("Z", False),
    ("A & B", True), ("A & C", False), ("C | B", True), ("C | D", False),
    ("~C", True), ("~A", False), ("~~A", True), ("~(A & C)", True),
    ("A & (C | B)", True), ("(A | C) & D", False), ("A | C & D", True),  # & binds tighter than |
    ("C = incomplete", True), ("C = i", True), ("D = failed", True), ("D = f", True), ("E = b", True),
    ("Z = not attempted", True), ("Z = n", True), ("A <> passed", False), ("A <> p", False), ("A <> c", True),
    ("C <> completed", True), ("A=passed&D=failed", True), ("~C = incomplete", False),
    ("2*{A,B,C}", True), ("3*{A,B,C}", False), ("1*{C,D,Z}", False), ("2*{A, C = incomplete, D}", True),
    ("2*{A,B} & ~D", True), ("2*{A,B} & D", False), ("0*{C}", True), ("PASSED_ITEM", False),
])
def test_expressions_evaluate_over_lesson_statuses(expression: str, expected: bool) -> None:
    assert parse_prerequisites(expression)(STATUSES) is expected


def test_identifiers_with_dots_dashes_and_digits() -> None:
    statuses = {"item-1.2_b": "completed", "SCO01": "passed"}
    assert parse_prerequisites("item-1.2_b & SCO01")(statuses)
    assert not parse_prerequisites("item-1.2_b & SCO02")(statuses)


@pytest.mark.parametrize("expression", ["A &", "& A", "(A | B", "A B", "A = done", "2*{A,B", "2*A", "A | | B",
                                        "A = ", ")"])
def test_malformed_expressions_are_refused_with_a_reason(expression: str) -> None:
    with pytest.raises(PrerequisiteError):
        parse_prerequisites(expression)


def test_no_expression_and_a_malformed_one_do_not_lock_the_learner_out() -> None:
    assert prerequisites_met(None, {})
    assert prerequisites_met("  ", {})
    assert prerequisites_met("A &", {})
    assert not prerequisites_met("A", {})
    assert prerequisites_met("A", {"A": "completed"})
