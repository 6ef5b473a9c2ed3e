"""commit_statements for objectives and learner comments (ADL xAPI SCORM Profile), pure: no server, no database.

Profile: an objective local to the SCO is the activity `<scoIRI>/objectives/<objective path>` of type objective,
with the SCO as contextActivities.parent and the attempt and course in grouping; a comment is `commented` about
the SCO itself. Every statement must pass the LRS's own validator, and the same commit yields the same ids.
"""

from __future__ import annotations

from typing import Any

import pytest

from lrs.model.validation import validate_statement
from scorm_player.runtime.rules import ScormVersion
from scorm_player.xapi.statements import StatementContext, commit_statements

VERBS = "http://adlnet.gov/expapi/verbs/"
OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"
SCO = "https://lms.example/courses/golf/sco/putting"


def context(version: ScormVersion, activity_id: str = "item_1") -> StatementContext:
    return StatementContext(
        version=version, actor={"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "u1"}},
        registration="6f1c1b0e-6a43-4f55-9a43-3e3f3c3b2a10", attempt_id="a-1", activity_id=activity_id,
        sco_attempt=1, course_iri="https://lms.example/courses/golf", course_title="Golf", sco_iri=SCO,
        sco_title="Putting", timestamp="2026-01-02T03:04:05.000Z")


def statements(version: ScormVersion, before: dict[str, str], after: dict[str, str], *, seq: int = 3,
               activity_id: str = "item_1") -> list[dict[str, Any]]:
    found = commit_statements(context(version, activity_id), before, after, seq=seq, first_in_session=False,
                              terminated=False)
    for statement in found:
        validate_statement(statement, "1.0.3")
    return found


def summary(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(s["verb"]["id"].removeprefix(VERBS), s["object"]["id"].removeprefix(SCO)) for s in found]


def test_2004_objective_status_changes_are_statements_about_the_objective() -> None:
    before = {"cmi.objectives.0.id": "urn:golf:grip", "cmi.objectives.0.completion_status": "incomplete"}
    after = {**before, "cmi.objectives.0.completion_status": "completed", "cmi.objectives.0.success_status": "passed",
             "cmi.objectives.0.score.scaled": "0.75",
             "cmi.objectives.1.id": "stance", "cmi.objectives.1.success_status": "failed"}
    found = statements("2004", before, after)
    assert summary(found) == [("completed", "/objectives/urn%3Agolf%3Agrip"),
                              ("passed", "/objectives/urn%3Agolf%3Agrip"), ("failed", "/objectives/stance")]
    completed, passed, failed = found
    assert completed["result"] == {"completion": True}
    assert passed["result"] == {"success": True, "score": {"scaled": 0.75}}
    assert failed["result"] == {"success": False}
    assert passed["object"]["definition"]["type"] == OBJECTIVE
    assert passed["object"]["definition"]["name"] == {"en-US": "urn:golf:grip"}
    activities = passed["context"]["contextActivities"]
    assert [parent["id"] for parent in activities["parent"]] == [SCO]
    assert [group["id"] for group in activities["grouping"]] == [f"{SCO}?attemptId=a-1-1",
                                                                 "https://lms.example/courses/golf"]
    assert passed["context"]["registration"] == "6f1c1b0e-6a43-4f55-9a43-3e3f3c3b2a10"


@pytest.mark.parametrize(("before", "after"), [
    ({}, {"cmi.objectives.0.id": "o", "cmi.objectives.0.success_status": "unknown"}),
    ({}, {"cmi.objectives.0.id": "o", "cmi.objectives.0.completion_status": "incomplete"}),
    ({"cmi.objectives.0.id": "o", "cmi.objectives.0.success_status": "passed"},
     {"cmi.objectives.0.id": "o", "cmi.objectives.0.success_status": "passed", "cmi.objectives.0.score.raw": "9"}),
])
def test_2004_objective_without_a_new_outcome_says_nothing(before: dict[str, str], after: dict[str, str]) -> None:
    assert statements("2004", before, after) == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    (None, "passed", ["passed"]), (None, "completed", ["completed"]), ("incomplete", "failed", ["failed"]),
    (None, "incomplete", []), (None, "browsed", []), (None, "not attempted", []), ("passed", "passed", []),
    ("failed", "passed", ["passed"]),
])
def test_12_objective_status(old: str | None, new: str, expected: list[str]) -> None:
    before = {"cmi.objectives.0.id": "rules"} | ({"cmi.objectives.0.status": old} if old else {})
    after = {"cmi.objectives.0.id": "rules", "cmi.objectives.0.status": new, "cmi.objectives.0.score.raw": "80",
             "cmi.objectives.0.score.max": "100", "cmi.objectives.0.score.min": "0"}
    found = statements("1.2", before, after)
    assert [verb for verb, _ in summary(found)] == expected
    assert all(s["object"]["id"] == f"{SCO}/objectives/rules" for s in found)
    for statement in found:
        if statement["verb"]["id"] != VERBS + "completed":
            assert statement["result"]["score"] == {"raw": 80.0, "min": 0.0, "max": 100.0, "scaled": 0.8}


def test_2004_each_new_learner_comment_is_commented_about_the_sco() -> None:
    before = {"cmi.comments_from_learner.0.comment": "old"}
    after = {**before, "cmi.comments_from_learner.1.comment": "Too long",
             "cmi.comments_from_learner.1.location": "p3", "cmi.comments_from_learner.2.comment": "Nice video"}
    found = statements("2004", before, after)
    assert summary(found) == [("commented", ""), ("commented", "")]
    assert [s["result"] for s in found] == [{"response": "Too long"}, {"response": "Nice video"}]
    assert all("parent" not in s["context"]["contextActivities"] for s in found)
    assert len({s["id"] for s in found}) == 2


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("", "First.", ["First."]), ("First.", "First. Second.", ["Second."]), ("First.", "First.", []),
    ("First.", "Replaced", ["Replaced"]), ("", "   ", []),
])
def test_12_comments_are_what_was_appended(old: str, new: str, expected: list[str]) -> None:
    found = statements("1.2", {"cmi.comments": old} if old else {}, {"cmi.comments": new})
    assert [s["result"]["response"] for s in found] == expected


def test_ids_are_deterministic_per_commit_and_distinct_across_commits_and_items() -> None:
    before: dict[str, str] = {}
    after = {"cmi.objectives.0.id": "o", "cmi.objectives.0.success_status": "passed",
             "cmi.comments_from_learner.0.comment": "hi"}
    first = [s["id"] for s in statements("2004", before, after, seq=4)]
    assert first == [s["id"] for s in statements("2004", before, after, seq=4)]  # a retried commit
    assert len(set(first)) == 2
    assert not set(first) & {s["id"] for s in statements("2004", before, after, seq=5)}
    assert not set(first) & {s["id"] for s in statements("2004", before, after, seq=4, activity_id="item_2")}
