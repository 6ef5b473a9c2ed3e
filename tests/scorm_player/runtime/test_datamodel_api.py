"""The API state machine and element rules: return strings and error codes per SCORM 1.2 and 2004."""

from __future__ import annotations

import pytest

from scorm_player.runtime.datamodel import RuntimeSession
from scorm_player.runtime.launch import LaunchData, SharedDataBucket
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.rules import ScormVersion


def running(version: ScormVersion = "2004", values: dict[str, str] | None = None, **options) -> RuntimeSession:
    session = RuntimeSession(version, values, options=RuntimeOptions(**options))
    assert session.initialize("") == "true"
    return session


def outcome(session: RuntimeSession, result: str) -> tuple[str, str]:
    return result, session.get_last_error()


# --- session state (SCORM 2004 RTE §3.1; SCORM 1.2 RTE §3.3; spec §2.3, §2.4) ---

def test_2004_calls_before_initialize_fail_with_their_own_codes():
    session = RuntimeSession("2004")
    assert outcome(session, session.get_value("cmi.location")) == ("", "122")
    assert outcome(session, session.set_value("cmi.location", "x")) == ("false", "132")
    assert outcome(session, session.commit("")) == ("false", "142")
    assert outcome(session, session.terminate("")) == ("false", "112")


def test_2004_calls_after_terminate_fail_with_their_own_codes():
    session = running()
    assert session.terminate("") == "true"
    assert outcome(session, session.get_value("cmi.location")) == ("", "123")
    assert outcome(session, session.set_value("cmi.location", "x")) == ("false", "133")
    assert outcome(session, session.commit("")) == ("false", "143")
    assert outcome(session, session.terminate("")) == ("false", "113")
    assert outcome(session, session.initialize("")) == ("false", "104")


def test_2004_second_initialize_is_refused_with_103_and_arguments_must_be_empty():
    session = RuntimeSession("2004")
    assert outcome(session, session.initialize("x")) == ("false", "201")
    assert session.initialize("") == "true"
    assert outcome(session, session.initialize("")) == ("false", "103")
    assert outcome(session, session.commit("x")) == ("false", "201")
    assert outcome(session, session.terminate("x")) == ("false", "201")


def test_12_calls_before_initialize_give_301_and_after_finish_give_101():
    session = RuntimeSession("1.2")
    assert outcome(session, session.LMSGetValue("cmi.core.lesson_location")) == ("", "301")
    assert outcome(session, session.LMSCommit("")) == ("false", "301")
    assert outcome(session, session.LMSFinish("")) == ("false", "301")
    assert session.LMSInitialize("") == "true"
    assert outcome(session, session.LMSInitialize("")) == ("false", "101")
    assert session.LMSFinish("") == "true"
    assert outcome(session, session.LMSSetValue("cmi.core.lesson_location", "x")) == ("false", "101")
    assert outcome(session, session.LMSFinish("")) == ("false", "101")


def test_error_inspection_calls_leave_the_error_state_alone():
    session = running()
    session.set_value("cmi.completion_status", "finished")
    assert session.get_last_error() == "406"
    assert session.get_error_string("406") == "Data Model Element Type Mismatch"
    assert "cmi.completion_status" in session.get_diagnostic("")
    assert session.get_diagnostic("406") == session.get_diagnostic("")
    assert session.get_error_string("001") == "" and session.get_error_string("999") == ""
    assert session.get_last_error() == "406"


def test_a_successful_call_resets_the_error_code():
    session = running()
    session.get_value("")
    assert session.get_last_error() == "301"
    session.get_value("cmi.mode")
    assert session.get_last_error() == "0"


# --- element names and keywords ---

@pytest.mark.parametrize(("element", "expected"), [
    ("cmi._version", ("1.0", "0")),
    ("cmi.score._children", ("scaled,raw,min,max", "0")),
    ("cmi.objectives._count", ("0", "0")),
    ("cmi.location._children", ("", "301")),
    ("cmi.location._count", ("", "301")),
    ("cmi.objectives._version", ("", "401")),
    ("cmi.bogus", ("", "401")),
    ("cmi.objectives", ("", "401")),
    ("cmi.objectives.x.id", ("", "401")),
    ("", ("", "301")),
])
def test_2004_get_value_answers_keywords_and_refuses_unknown_names(element, expected):
    session = running()
    assert outcome(session, session.get_value(element)) == expected


@pytest.mark.parametrize(("element", "expected"), [
    ("cmi._version", ("3.4", "0")),
    ("cmi.core._children", ("student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,"
                            "lesson_mode,exit,session_time", "0")),
    ("cmi.core.score._children", ("raw,min,max", "0")),
    ("cmi.core._count", ("", "203")),
    ("cmi.core.lesson_location._children", ("", "202")),
    ("cmi.core.bogus", ("", "201")),  # unknown leaf inside a known category (ADL 1.2 CMICategory)
    ("cmi.bogus.x", ("", "401")),
    ("", ("", "201")),
])
def test_12_get_value_answers_keywords_and_splits_unknown_leaf_201_from_unknown_category_401(element, expected):
    session = running("1.2")
    assert outcome(session, session.get_value(element)) == expected


def test_keywords_cannot_be_set():
    session_2004 = running()
    assert outcome(session_2004, session_2004.set_value("cmi.objectives._count", "1")) == ("false", "404")
    assert outcome(session_2004, session_2004.set_value("cmi._version", "2.0")) == ("false", "404")
    session_12 = running("1.2")
    assert outcome(session_12, session_12.set_value("cmi.core._children", "x")) == ("false", "402")


# --- access ---

def test_2004_read_only_elements_refuse_set_404_and_write_only_refuse_get_405():
    session = running(values={"cmi.learner_id": "u-1"})
    assert outcome(session, session.set_value("cmi.learner_id", "other")) == ("false", "404")
    assert outcome(session, session.set_value("cmi.total_time", "PT1H")) == ("false", "404")
    assert session.set_value("cmi.exit", "suspend") == "true"
    assert outcome(session, session.get_value("cmi.exit")) == ("", "405")
    assert outcome(session, session.get_value("cmi.session_time")) == ("", "405")
    assert session.get_value("cmi.learner_id") == "u-1"


def test_12_read_only_elements_refuse_set_403_and_write_only_refuse_get_404():
    session = running("1.2")
    assert outcome(session, session.set_value("cmi.core.credit", "no-credit")) == ("false", "403")
    assert outcome(session, session.get_value("cmi.core.exit")) == ("", "404")


def test_2004_unset_element_without_default_reads_403_and_defaults_read_as_such():
    session = running()
    assert outcome(session, session.get_value("cmi.location")) == ("", "403")
    assert outcome(session, session.get_value("cmi.scaled_passing_score")) == ("", "403")
    assert session.get_value("cmi.completion_status") == "unknown"
    assert session.get_value("cmi.mode") == "normal"
    assert session.get_value("cmi.learner_preference.audio_level") == "1"
    assert session.get_value("cmi.total_time") == "PT0H0M0S"
    assert session.set_value("cmi.location", "") == "true"
    assert outcome(session, session.get_value("cmi.location")) == ("", "0")


def test_12_unset_element_reads_as_empty_string_without_error():
    session = running("1.2")
    assert outcome(session, session.get_value("cmi.core.lesson_location")) == ("", "0")
    assert session.get_value("cmi.core.lesson_status") == "not attempted"


# --- arrays (spec §2.3 for 1.2, §2.4 for 2004) ---

def test_2004_array_records_are_appended_at_count_and_never_leave_a_gap():
    session = running()
    assert outcome(session, session.set_value("cmi.objectives.1.id", "b")) == ("false", "351")
    assert session.set_value("cmi.objectives.0.id", "a") == "true"
    assert session.set_value("cmi.objectives.1.id", "b") == "true"
    assert session.get_value("cmi.objectives._count") == "2"
    assert outcome(session, session.get_value("cmi.objectives.2.id")) == ("", "301")
    assert outcome(session, session.set_value("cmi.interactions.01.id", "leading zero is index 1")) == ("false", "351")


def test_12_array_index_beyond_count_gives_402():
    session = running("1.2")
    assert outcome(session, session.set_value("cmi.objectives.3.id", "obj")) == ("false", "402")
    assert outcome(session, session.get_value("cmi.objectives.3.id")) == ("", "201")


def test_2004_objective_ids_are_unique_and_cannot_change():
    session = running()
    session.set_value("cmi.objectives.0.id", "obj-a")
    assert outcome(session, session.set_value("cmi.objectives.1.id", "obj-a")) == ("false", "351")
    assert outcome(session, session.set_value("cmi.objectives.0.id", "obj-b")) == ("false", "351")
    assert session.set_value("cmi.objectives.0.id", "obj-a") == "true"


def test_2004_interaction_objective_ids_are_unique_within_the_interaction():
    session = running()
    session.set_value("cmi.interactions.0.id", "q1")
    assert session.set_value("cmi.interactions.0.objectives.0.id", "obj-a") == "true"
    assert outcome(session, session.set_value("cmi.interactions.0.objectives.1.id", "obj-a")) == ("false", "351")
    assert session.get_value("cmi.interactions.0.objectives._count") == "1"


# --- dependencies (408) ---

def test_2004_record_fields_need_the_record_id_first_408():
    session = running()
    assert outcome(session, session.set_value("cmi.objectives.0.score.scaled", "0.5")) == ("false", "408")
    assert outcome(session, session.set_value("cmi.interactions.0.type", "choice")) == ("false", "408")
    assert outcome(session, session.set_value("cmi.interactions.0.objectives.0.id", "o")) == ("false", "408")
    assert session.get_value("cmi.interactions._count") == "0"


def test_2004_responses_need_the_interaction_type_first_408():
    session = running()
    session.set_value("cmi.interactions.0.id", "q1")
    assert outcome(session, session.set_value("cmi.interactions.0.learner_response", "a")) == ("false", "408")
    pattern = "cmi.interactions.0.correct_responses.0.pattern"
    assert outcome(session, session.set_value(pattern, "a")) == ("false", "408")
    session.set_value("cmi.interactions.0.type", "choice")
    assert session.set_value("cmi.interactions.0.learner_response", "a[,]b") == "true"


def test_2004_single_answer_types_take_one_correct_response_and_choice_patterns_differ():
    session = running()
    session.set_value("cmi.interactions.0.id", "tf")
    session.set_value("cmi.interactions.0.type", "true-false")
    assert session.set_value("cmi.interactions.0.correct_responses.0.pattern", "true") == "true"
    second_pattern = "cmi.interactions.0.correct_responses.1.pattern"
    assert outcome(session, session.set_value(second_pattern, "false")) == ("false", "351")
    session.set_value("cmi.interactions.1.id", "mc")
    session.set_value("cmi.interactions.1.type", "choice")
    assert session.set_value("cmi.interactions.1.correct_responses.0.pattern", "a[,]b") == "true"
    repeated_pattern = "cmi.interactions.1.correct_responses.1.pattern"
    assert outcome(session, session.set_value(repeated_pattern, "a[,]b")) == ("false", "351")
    assert session.set_value("cmi.interactions.1.correct_responses.1.pattern", "c") == "true"


def test_2004_type_mismatch_406_and_out_of_range_407_leave_the_value_unchanged():
    session = running()
    session.set_value("cmi.score.scaled", "0.5")
    assert outcome(session, session.set_value("cmi.score.scaled", "1.5")) == ("false", "407")
    assert outcome(session, session.set_value("cmi.score.scaled", "half")) == ("false", "406")
    assert outcome(session, session.set_value("cmi.comments_from_learner.0.comment", "{lang=}x")) == ("false", "406")
    assert session.get_value("cmi.score.scaled") == "0.5"


# --- SCORM 1.2 specifics ---

def test_12_interactions_are_a_write_only_journal_with_readable_counts():
    session = running("1.2")
    for element, value in (("cmi.interactions.0.id", "q1"), ("cmi.interactions.0.type", "choice"),
                           ("cmi.interactions.0.student_response", "a"), ("cmi.interactions.0.result", "wrong"),
                           ("cmi.interactions.0.time", "13:05:00"), ("cmi.interactions.0.latency", "00:00:05.5"),
                           ("cmi.interactions.0.objectives.0.id", "obj1"),
                           ("cmi.interactions.0.correct_responses.0.pattern", "b"),
                           ("cmi.interactions.1.result", "0.75")):
        assert outcome(session, session.set_value(element, value)) == ("true", "0"), element
    assert outcome(session, session.get_value("cmi.interactions.0.id")) == ("", "404")
    assert session.get_value("cmi.interactions._count") == "2"
    assert session.get_value("cmi.interactions.0.objectives._count") == "1"
    assert session.get_value("cmi.interactions.0.correct_responses._count") == "1"
    assert outcome(session, session.set_value("cmi.interactions.0.time", "25:00:00")) == ("false", "405")
    assert outcome(session, session.set_value("cmi.interactions.0.result", "incorrect")) == ("false", "405")


def test_12_comments_append_and_the_total_stays_within_4096_characters():
    session = running("1.2")
    assert session.set_value("cmi.comments", "first. ") == "true"
    assert session.set_value("cmi.comments", "second.") == "true"
    assert session.get_value("cmi.comments") == "first. second."
    assert outcome(session, session.set_value("cmi.comments", "x" * 4090)) == ("false", "405")
    assert session.get_value("cmi.comments") == "first. second."


def test_12_objectives_take_status_and_score_without_an_id_first():
    session = running("1.2")
    assert session.set_value("cmi.objectives.0.status", "passed") == "true"
    assert session.set_value("cmi.objectives.0.score.raw", "90") == "true"
    assert session.get_value("cmi.objectives.0.id") == ""


def test_oversize_suspend_data_is_refused_with_the_versions_code():
    session_12 = running("1.2", strict_limits=True)
    assert outcome(session_12, session_12.set_value("cmi.suspend_data", "x" * 4097)) == ("false", "405")
    session_2004 = running("2004")
    assert outcome(session_2004, session_2004.set_value("cmi.suspend_data", "x" * 64001)) == ("false", "407")
    assert session_2004.set_value("cmi.suspend_data", "x" * 64000) == "true"


# --- launch-provided data ---

def test_launch_data_seeds_read_only_elements_comments_and_shared_data_permissions():
    launch = LaunchData(learner_id="u-7", learner_name="{lang=en}Ada", credit="no-credit", mode="review",
                        launch_data="chapter=2", max_time_allowed="PT1H", time_limit_action="exit,message",
                        shared_data=(SharedDataBucket("notes", store="n1", readable=True, writable=False),
                                     SharedDataBucket("drafts", readable=False, writable=True)),
                        navigation_validity={"continue": "true", "choice.{target=intro}": "false"})
    session = RuntimeSession.launch("2004", launch)
    session.initialize("")
    assert [session.get_value(name) for name in ("cmi.learner_id", "cmi.learner_name", "cmi.credit", "cmi.mode",
                                                  "cmi.launch_data", "cmi.max_time_allowed", "cmi.time_limit_action",
                                                  "cmi.entry")] == [
        "u-7", "{lang=en}Ada", "no-credit", "review", "chapter=2", "PT1H", "exit,message", "ab-initio"]
    assert session.get_value("adl.data._count") == "2"
    assert session.get_value("adl.data.0.store") == "n1"
    assert outcome(session, session.set_value("adl.data.0.store", "x")) == ("false", "404")
    assert session.set_value("adl.data.1.store", "draft") == "true"
    assert outcome(session, session.get_value("adl.data.1.store")) == ("", "405")
    assert outcome(session, session.set_value("adl.data.2.store", "x")) == ("false", "351")
    assert session.get_value("adl.nav.request_valid.continue") == "true"
    assert session.get_value("adl.nav.request_valid.choice.{target=intro}") == "false"
    assert session.get_value("adl.nav.request_valid.previous") == "unknown"
    assert session.get_value("adl.nav.request") == "_none_"
    assert session.set_value("adl.nav.request", "{target=intro}choice") == "true"


def test_a_shared_data_store_never_written_is_not_initialized_and_a_read_only_one_stays_unchanged():
    launch = LaunchData(learner_id="u-7", shared_data=(SharedDataBucket("fresh"),
                                                       SharedDataBucket("notes", store="n1", writable=False)))
    session = RuntimeSession.launch("2004", launch)
    session.initialize("")
    assert outcome(session, session.get_value("adl.data.0.store")) == ("", "403")
    assert session.set_value("adl.data.0.store", "first") == "true"
    assert session.get_value("adl.data.0.store") == "first"
    assert outcome(session, session.set_value("adl.data.1.store", "changed")) == ("false", "404")
    assert session.get_value("adl.data.1.store") == "n1"
