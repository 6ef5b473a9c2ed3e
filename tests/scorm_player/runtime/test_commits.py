"""Server-side commit re-validation: same rules as the API, all-or-nothing, idempotent by sequence number."""

from __future__ import annotations

import pytest

from scorm_player.runtime.commits import RuntimeState, apply_commit, open_session
from scorm_player.runtime.launch import LaunchData, SharedDataBucket
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.rules import ScormVersion

LEARNER = LaunchData(learner_id="learner-1", learner_name="Doe, Jane", mastery_score="80")


def fresh_state(version: ScormVersion = "2004", launch: LaunchData = LEARNER) -> RuntimeState:
    return open_session(RuntimeState(version=version), launch)


def test_valid_commit_is_applied_and_records_its_sequence_number():
    state = fresh_state()
    result = apply_commit(state, {"cmi.location": "p4", "cmi.completion_status": "completed",
                                  "cmi.objectives.0.id": "obj-1", "cmi.objectives.0.score.scaled": "0.9"}, 1)
    assert result.accepted and not result.already_applied
    assert result.state.values["cmi.location"] == "p4"
    assert result.state.values["cmi.objectives.0.score.scaled"] == "0.9"
    assert result.state.last_commit_seq == 1
    assert state.values.get("cmi.location") is None  # the input state is never modified


def test_payload_order_does_not_matter_ids_and_types_are_applied_first():
    payload = {"cmi.interactions.1.learner_response": "b", "cmi.interactions.10.id": "q10",
               "cmi.interactions.0.learner_response": "true", "cmi.interactions.0.type": "true-false",
               "cmi.interactions.1.type": "choice", "cmi.interactions.0.id": "q0", "cmi.interactions.1.id": "q1"}
    payload.update({f"cmi.interactions.{index}.id": f"q{index}" for index in range(2, 10)})
    result = apply_commit(fresh_state(), payload, 1)
    assert result.accepted, result.rejections
    assert result.state.values["cmi.interactions.10.id"] == "q10"


@pytest.mark.parametrize(("version", "element", "value", "code"), [
    ("2004", "cmi.score.scaled", "1.5", 407),
    ("2004", "cmi.completion_status", "done", 406),
    ("2004", "cmi.learner_id", "someone-else", 404),
    ("2004", "cmi.total_time", "PT99H", 404),
    ("2004", "cmi.objectives._count", "3", 404),
    ("2004", "cmi.objectives.0.score.scaled", "0.5", 408),
    ("2004", "cmi.objectives.5.id", "gap", 351),
    ("2004", "cmi.suspend_data", "x" * 64001, 407),
    ("2004", "cmi.bogus", "x", 401),
    ("1.2", "cmi.core.score.raw", "150", 405),
    ("1.2", "cmi.core.lesson_status", "done", 405),
    ("1.2", "cmi.core.student_id", "someone-else", 403),
    ("1.2", "cmi.core.credit", "no-credit", 403),
    ("1.2", "cmi.suspend_data", "x" * 64001, 405),
    ("1.2", "cmi.interactions.4.id", "gap", 402),
])
def test_a_single_bad_element_rejects_the_whole_commit_with_the_api_error_code(version, element, value, code):
    state = fresh_state(version)
    good_element = "cmi.location" if version == "2004" else "cmi.core.lesson_location"
    result = apply_commit(state, {good_element: "p9", element: value}, 1)
    assert not result.accepted
    assert [(rejection.element, rejection.error_code) for rejection in result.rejections] == [(element, code)]
    assert result.rejections[0].message
    assert result.state is state  # nothing changed, not even the sequence number


def test_every_bad_element_is_reported_not_only_the_first():
    result = apply_commit(fresh_state(), {"cmi.score.scaled": "2", "cmi.mode": "browse", "cmi.exit": "later"}, 1)
    assert sorted((rejection.element, rejection.error_code) for rejection in result.rejections) == [
        ("cmi.exit", 406), ("cmi.mode", 404), ("cmi.score.scaled", 407)]


def test_strict_limits_hold_12_suspend_data_to_4096():
    result = apply_commit(fresh_state("1.2"), {"cmi.suspend_data": "x" * 4097}, 1,
                          options=RuntimeOptions(strict_limits=True))
    assert [rejection.error_code for rejection in result.rejections] == [405]


def test_replayed_or_older_sequence_numbers_are_no_ops():
    applied = apply_commit(fresh_state(), {"cmi.location": "p1"}, 5).state
    replay = apply_commit(applied, {"cmi.location": "p1"}, 5)
    older = apply_commit(applied, {"cmi.location": "stale"}, 4)
    assert replay.already_applied and replay.accepted and replay.state is applied
    assert older.already_applied and older.state.values["cmi.location"] == "p1"


def test_a_replayed_terminate_commit_adds_session_time_only_once():
    state = fresh_state()
    payload = {"cmi.session_time": "PT10M", "cmi.exit": "suspend"}
    first = apply_commit(state, payload, 1, terminate=True).state
    again = apply_commit(first, payload, 1, terminate=True).state
    assert first.values["cmi.total_time"] == again.values["cmi.total_time"] == "PT0H10M0S"
    assert first.terminated


def test_repeated_non_terminate_commits_do_not_accumulate_time():
    state = apply_commit(fresh_state(), {"cmi.session_time": "PT10M"}, 1).state
    state = apply_commit(state, {"cmi.session_time": "PT15M"}, 2).state
    state = apply_commit(state, {}, 3, terminate=True).state
    assert state.values["cmi.total_time"] == "PT0H15M0S"


def test_commits_after_the_terminate_commit_are_refused_until_the_next_launch():
    ended = apply_commit(fresh_state(), {"cmi.exit": "suspend", "cmi.location": "p2"}, 1, terminate=True).state
    late = apply_commit(ended, {"cmi.location": "p3"}, 2)
    assert [rejection.error_code for rejection in late.rejections] == [143]
    resumed = open_session(ended, LEARNER)
    assert resumed.values["cmi.entry"] == "resume" and not resumed.terminated
    assert apply_commit(resumed, {"cmi.location": "p3"}, 2).accepted


def test_12_terminate_commit_applies_mastery_score_and_status_rules():
    result = apply_commit(fresh_state("1.2"), {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "85",
                                               "cmi.core.session_time": "00:12:00"}, 1, terminate=True)
    assert result.state.values["cmi.core.lesson_status"] == "passed"
    assert result.state.values["cmi.core.total_time"] == "0000:12:00.00"


def test_12_comments_in_a_commit_are_the_whole_text_and_may_only_grow():
    state = apply_commit(fresh_state("1.2"), {"cmi.comments": "first."}, 1).state
    grown = apply_commit(state, {"cmi.comments": "first. second."}, 2)
    assert grown.state.values["cmi.comments"] == "first. second."
    rewritten = apply_commit(grown.state, {"cmi.comments": "rewritten"}, 3)
    assert [rejection.error_code for rejection in rewritten.rejections] == [405]


def test_non_string_values_are_refused_as_type_mismatch():
    result = apply_commit(fresh_state(), {"cmi.score.raw": 5}, 1)  # type: ignore[dict-item]
    assert [rejection.error_code for rejection in result.rejections] == [406]


def test_shared_data_permissions_from_launch_apply_to_commits():
    launch = LaunchData(learner_id="u", shared_data=(SharedDataBucket("notes", readable=True, writable=False),))
    result = apply_commit(fresh_state("2004", launch), {"adl.data.0.store": "overwrite"}, 1)
    assert [rejection.error_code for rejection in result.rejections] == [404]


def test_a_full_commit_may_repeat_unchanged_writable_values_but_never_read_only_ones():
    state = fresh_state("1.2")
    unchanged = apply_commit(state, {"cmi.core.lesson_status": "not attempted", "cmi.core.lesson_location": ""}, 1)
    assert unchanged.accepted
    read_only = apply_commit(state, {"cmi.core.student_id": "learner-1"}, 1)
    assert [rejection.error_code for rejection in read_only.rejections] == [403]
    started = apply_commit(state, {"cmi.core.lesson_status": "incomplete"}, 1).state
    back = apply_commit(started, {"cmi.core.lesson_status": "not attempted"}, 2)
    assert [rejection.error_code for rejection in back.rejections] == [405]
