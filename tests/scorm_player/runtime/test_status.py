"""Status evaluation, total_time accumulation and the entry/exit lifecycle across sessions."""

from __future__ import annotations

import pytest

from scorm_player.runtime.datamodel import RuntimeSession
from scorm_player.runtime.launch import LaunchData, SeededObjective, session_start_values
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.rules import load_rules
from scorm_player.runtime.status import evaluated_completion_status, evaluated_success_status

LEARNER = LaunchData(learner_id="learner-1", learner_name="Doe, Jane")


@pytest.mark.parametrize(("values", "expected"), [
    ({"cmi.completion_status": "completed"}, "completed"),
    ({}, "unknown"),
    ({"cmi.completion_threshold": "0.8", "cmi.completion_status": "completed"}, "unknown"),
    ({"cmi.completion_threshold": "0.8", "cmi.progress_measure": "0.8"}, "completed"),
    ({"cmi.completion_threshold": "0.8", "cmi.progress_measure": "0.79", "cmi.completion_status": "completed"},
     "incomplete"),
])
def test_2004_completion_threshold_and_progress_measure_decide_completion(values, expected):
    assert evaluated_completion_status(values) == expected


@pytest.mark.parametrize(("values", "expected"), [
    ({"cmi.success_status": "failed"}, "failed"),
    ({"cmi.scaled_passing_score": "0.6", "cmi.success_status": "passed"}, "unknown"),
    ({"cmi.scaled_passing_score": "0.6", "cmi.score.scaled": "0.6"}, "passed"),
    ({"cmi.scaled_passing_score": "-0.5", "cmi.score.scaled": "-0.51"}, "failed"),
])
def test_2004_scaled_passing_score_and_scaled_score_decide_success(values, expected):
    assert evaluated_success_status(values) == expected


def test_2004_get_value_reports_the_evaluated_status_and_terminate_stores_it():
    session = RuntimeSession("2004", {"cmi.completion_threshold": "0.5", "cmi.scaled_passing_score": "0.7"})
    session.initialize("")
    session.set_value("cmi.completion_status", "incomplete")
    session.set_value("cmi.progress_measure", "0.9")
    session.set_value("cmi.score.scaled", "0.65")
    assert session.get_value("cmi.completion_status") == "completed"
    assert session.get_value("cmi.success_status") == "failed"
    session.terminate("")
    assert session.values["cmi.completion_status"] == "completed"
    assert session.values["cmi.success_status"] == "failed"


@pytest.mark.parametrize(("credit", "raw_score", "expected"), [
    ("credit", "80", "passed"), ("credit", "79.5", "failed"), ("no-credit", "10", "completed")])
def test_12_mastery_score_turns_a_raw_score_into_passed_or_failed_with_credit(credit, raw_score, expected):
    session = RuntimeSession.launch("1.2", LaunchData(learner_id="u", credit=credit, mastery_score="80"))
    session.LMSInitialize("")
    session.LMSSetValue("cmi.core.lesson_status", "completed")
    session.LMSSetValue("cmi.core.score.raw", raw_score)
    session.LMSCommit("")
    assert session.LMSGetValue("cmi.core.lesson_status") == expected


def test_12_mastery_override_can_be_switched_off():
    session = RuntimeSession.launch("1.2", LaunchData(learner_id="u", mastery_score="80"),
                                    options=RuntimeOptions(apply_mastery_score=False))
    session.LMSInitialize("")
    session.LMSSetValue("cmi.core.lesson_status", "completed")
    session.LMSSetValue("cmi.core.score.raw", "20")
    session.LMSFinish("")
    assert session.values["cmi.core.lesson_status"] == "completed"


@pytest.mark.parametrize(("mode", "options", "expected"), [
    ("normal", RuntimeOptions(), "incomplete"),
    ("normal", RuntimeOptions(force_completed_on_finish=True), "completed"),
    ("browse", RuntimeOptions(), "browsed"),
])
def test_12_a_sco_that_never_sets_a_status_gets_one_at_finish(mode, options, expected):
    session = RuntimeSession.launch("1.2", LaunchData(learner_id="u", mode=mode), options=options)
    session.LMSInitialize("")
    session.LMSFinish("")
    assert session.values["cmi.core.lesson_status"] == expected


def test_session_time_is_added_to_total_time_once_at_terminate_not_at_commit():
    session = RuntimeSession("2004", {"cmi.total_time": "PT1H"})
    session.initialize("")
    session.set_value("cmi.session_time", "PT10M")
    session.commit("")
    session.set_value("cmi.session_time", "PT20M")  # the last value set counts (spec §2.5)
    session.commit("")
    assert session.values.get("cmi.total_time") == "PT1H"
    session.terminate("")
    assert session.values["cmi.total_time"] == "PT1H20M0S"


def test_12_session_time_accumulates_as_a_cmi_timespan():
    session = RuntimeSession("1.2", {"cmi.core.total_time": "0001:00:00.00"})
    session.LMSInitialize("")
    session.LMSSetValue("cmi.core.session_time", "00:30:15.5")
    session.LMSFinish("")
    assert session.values["cmi.core.total_time"] == "0001:30:15.50"


def test_wall_clock_time_counts_only_when_the_sco_never_reported_session_time():
    silent = RuntimeSession("2004")
    silent.initialize("")
    silent.terminate("", fallback_session_time="PT5M")
    assert silent.values["cmi.total_time"] == "PT0H5M0S"
    reporting = RuntimeSession("2004")
    reporting.initialize("")
    reporting.set_value("cmi.session_time", "PT1M")
    reporting.terminate("", fallback_session_time="PT5M")
    assert reporting.values["cmi.total_time"] == "PT0H1M0S"


def test_exit_suspend_resumes_the_attempt_with_its_data_and_time():
    first = RuntimeSession.launch("2004", LEARNER)
    first.initialize("")
    assert first.get_value("cmi.entry") == "ab-initio"
    first.set_value("cmi.location", "page-3")
    first.set_value("cmi.suspend_data", "state")
    first.set_value("cmi.session_time", "PT2M")
    first.set_value("cmi.exit", "suspend")
    first.terminate("")
    second = RuntimeSession.launch("2004", LEARNER, first.values)
    second.initialize("")
    assert second.get_value("cmi.entry") == "resume"
    assert second.get_value("cmi.location") == "page-3"
    assert second.get_value("cmi.suspend_data") == "state"
    assert second.get_value("cmi.total_time") == "PT0H2M0S"
    assert second.get_last_error() == "0"
    assert "cmi.exit" not in second.values and "cmi.session_time" not in second.values


@pytest.mark.parametrize("exit_value", ["normal", "", "logout", "time-out"])
def test_any_other_exit_ends_the_attempt_so_the_next_launch_starts_ab_initio_with_fresh_data(exit_value):
    first = RuntimeSession.launch("2004", LEARNER)
    first.initialize("")
    first.set_value("cmi.location", "page-3")
    first.set_value("cmi.exit", exit_value)
    first.terminate("")
    second = RuntimeSession.launch("2004", LEARNER, first.values)
    second.initialize("")
    assert second.get_value("cmi.entry") == "ab-initio"
    assert second.get_last_error() == "0"
    assert second.get_value("cmi.location") == ""
    assert second.get_last_error() == "403"


def test_12_suspend_resumes_and_carries_total_time():
    first = RuntimeSession.launch("1.2", LEARNER)
    first.LMSInitialize("")
    first.LMSSetValue("cmi.core.lesson_location", "p2")
    first.LMSSetValue("cmi.core.session_time", "00:05:00")
    first.LMSSetValue("cmi.core.exit", "suspend")
    first.LMSFinish("")
    second = RuntimeSession.launch("1.2", LEARNER, first.values)
    second.LMSInitialize("")
    assert second.LMSGetValue("cmi.core.entry") == "resume"
    assert second.LMSGetValue("cmi.core.lesson_location") == "p2"
    assert second.LMSGetValue("cmi.core.total_time") == "0000:05:00.00"
    assert second.LMSGetValue("cmi.core.student_name") == "Doe, Jane"


def test_seeded_objectives_appear_before_the_sco_sets_anything_and_update_existing_records():
    rules = load_rules("2004")
    previous = {"cmi.exit": "suspend", "cmi.objectives.0.id": "shared", "cmi.objectives.0.success_status": "failed"}
    launch = LaunchData(learner_id="u", completion_threshold="0.75", scaled_passing_score="0.5", objectives=(
        SeededObjective("shared", success_status="passed"), SeededObjective("new", completion_status="completed")))
    values = session_start_values(rules, launch, previous)
    session = RuntimeSession("2004", values)
    session.initialize("")
    assert session.get_value("cmi.objectives._count") == "2"
    assert session.get_value("cmi.objectives.0.success_status") == "passed"
    assert session.get_value("cmi.objectives.1.id") == "new"
    assert session.get_value("cmi.objectives.1.completion_status") == "completed"
    assert session.get_value("cmi.completion_threshold") == "0.75"
    assert session.get_value("cmi.scaled_passing_score") == "0.5"
