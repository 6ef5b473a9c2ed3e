"""Value checks per data type: identifiers, reals and ranges, timestamps, languages, responses per interaction type."""

from __future__ import annotations

import pytest

from scorm_player.runtime.datatypes import check_response, check_value, is_language_tag, split_language
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.rules import load_rules

RULES_2004 = load_rules("2004")
RULES_12 = load_rules("1.2")
DEFAULT = RuntimeOptions()
STRICT = RuntimeOptions(strict_limits=True)


def problem_2004(element: str, value: str, options: RuntimeOptions = DEFAULT, interaction_type: str | None = None):
    problem = check_value(RULES_2004, RULES_2004.elements[element], value, options, interaction_type)
    return problem.condition if problem else None


def problem_12(element: str, value: str, options: RuntimeOptions = DEFAULT):
    problem = check_value(RULES_12, RULES_12.elements[element], value, options)
    return problem.condition if problem else None


@pytest.mark.parametrize(("value", "condition"), [
    ("obj-1", None), ("urn:adl:lmsTest/OBJ01", None), ("x" * 4000, None),
    ("", "type_mismatch"), ("urn:", "type_mismatch"), ("urn:adl:lms Test/OBJ01", "type_mismatch"),
    ("has space", "type_mismatch"), ("{braces}", "type_mismatch"), ("a[,]b", "type_mismatch")])
def test_2004_long_identifiers_are_non_empty_uri_like_and_urns_well_formed(value, condition):
    assert problem_2004("cmi.objectives.n.id", value) == condition


@pytest.mark.parametrize(("value", "condition"), [("obj1", None), ("obj 1", "type_mismatch"), ("", "type_mismatch"),
                                                  ("x" * 255, None), ("x" * 256, "too_long")])
def test_12_identifiers_have_no_whitespace_and_at_most_255_characters(value, condition):
    assert problem_12("cmi.objectives.n.id", value) == condition


@pytest.mark.parametrize(("element", "value", "condition"), [
    ("cmi.score.scaled", "-1", None), ("cmi.score.scaled", "1.0", None),
    ("cmi.score.scaled", "1.0000999", "out_of_range"),
    ("cmi.score.scaled", "-2.0", "out_of_range"), ("cmi.score.raw", "7.000099999887765544", None),
    ("cmi.score.raw", "-1000", None), ("cmi.score.raw", "invalid", "type_mismatch"),
    ("cmi.score.raw", "", "type_mismatch"),
    ("cmi.score.raw", "34,000.00", "type_mismatch"), ("cmi.progress_measure", "0", None),
    ("cmi.progress_measure", "-1.0", "out_of_range"), ("cmi.learner_preference.audio_level", "999.5", None),
    ("cmi.learner_preference.audio_level", "-0.1", "out_of_range")])
def test_2004_reals_are_type_checked_406_then_range_checked_407(element, value, condition):
    assert problem_2004(element, value) == condition


@pytest.mark.parametrize(("element", "value", "condition"), [
    ("cmi.core.score.raw", "85", None), ("cmi.core.score.raw", "", None), ("cmi.core.score.raw", "100", None),
    ("cmi.core.score.raw", "150", "out_of_range"), ("cmi.core.score.raw", "-1", "out_of_range"),
    ("cmi.core.score.raw", "abc", "type_mismatch"), ("cmi.student_preference.audio", "-1", None),
    ("cmi.student_preference.audio", "101", "out_of_range"), ("cmi.student_preference.text", "0.5", "type_mismatch"),
    ("cmi.student_preference.speed", "-100", None), ("cmi.interactions.n.weighting", "-5.5", None)])
def test_12_decimals_and_integers_use_the_adl_ranges(element, value, condition):
    # 1.2 has no 407: the table maps both failures to 405 (SCORM12_COVERAGE probe P1).
    assert problem_12(element, value) == condition
    assert RULES_12.error_code("out_of_range") == RULES_12.error_code("type_mismatch") == 405


@pytest.mark.parametrize("value", [
    "1970", "2038", "2004-03-31", "2004-02-29", "2004-04-01T15", "2004-04-01T09:45", "2004-04-01T09:45:58",
    "2004-04-01T09:45:58.2", "2004-04-01T09:45:58.55Z", "2004-04-01T09:45:58.55+02", "2004-04-01T09:45:58.55-03:00",
    "2004-06-30T14:00:00.10+23", "2004-06-30T14:00:00.10+05:59"])
def test_2004_timestamps_accept_every_precision_of_the_time_type(value):
    assert problem_2004("cmi.interactions.n.timestamp", value) is None


@pytest.mark.parametrize("value", [
    "", "1969", "2039", "04", "2004-", "2004-13", "2004-00", "2003-02-29", "2004-03-32", "2004-04-01T",
    "2004-04-01T9", "2004-04-01T15Z", "2004-04-01T09:45Z", "2004-04-01T09:45:58Z", "2004-04-01T09:45:58+02",
    "2004-04-01T09:45:58.025", "2004-04-01T09:45:58.", "2004-06-30T24", "2004-06-30T14:60", "2004-06-30T14:00:60",
    "2004-04-01T09:45:58.55+2", "2004-04-01T09:45:58.55+24", "2004-04-01T09:45:58.55+05:60",
    "2004-04-01T09:45:58.55Z+02:30"])
def test_2004_timestamps_refuse_bad_fields_and_a_zone_without_fractional_seconds(value):
    # A zone designator belongs after s[.s] only: YYYY[-MM[-DD[Thh[:mm[:ss[.s[TZD]]]]]]] (2004 RTE §4.1, ADL DMI).
    assert problem_2004("cmi.interactions.n.timestamp", value) == "type_mismatch"


@pytest.mark.parametrize(("tag", "valid"), [
    ("en", True), ("EN", True), ("eng", True), ("en-US", True), ("zh-min-nan", True), ("i-klingon", True),
    ("x-private", True), ("sgn-BE-fr", True), ("mo", True), ("", False), ("sp", False), ("frl", False),
    ("ruq-JM", False), ("en-", False), ("en-toolongsubtag", False)])
def test_language_tags_need_an_iso_639_primary_subtag(tag, valid):
    assert is_language_tag(RULES_2004, tag) is valid


def test_localized_strings_split_off_a_valid_lang_delimiter_and_refuse_a_malformed_one():
    assert split_language(RULES_2004, "{lang=fr}Bonjour") == ("fr", "Bonjour")
    assert split_language(RULES_2004, "plain {lang=fr}") == (None, "plain {lang=fr}")
    assert split_language(RULES_2004, "{lang=}empty") is None
    assert split_language(RULES_2004, "{lang=en") is None
    assert problem_2004("cmi.comments_from_learner.n.comment", "{lang=xyz-1}hello") == "type_mismatch"


def test_2004_smallest_permitted_maximum_is_a_minimum_unless_strict():
    # SPM = the length an LMS must at least store (2004 RTE §4.1); strict mode holds content to it (→ 407).
    assert problem_2004("cmi.location", "x" * 1001) is None
    assert problem_2004("cmi.location", "x" * 1001, STRICT) == "too_long"
    assert problem_2004("cmi.learner_preference.language", "en", STRICT) is None
    assert problem_2004("cmi.comments_from_learner.n.comment", "{lang=en}" + "x" * 4000, STRICT) is None


@pytest.mark.parametrize(("options", "limit_12", "limit_2004"), [
    (DEFAULT, 64000, 64000), (STRICT, 4096, 64000),
    (RuntimeOptions(suspend_data_max=4000, strict_limits=True), 4000, 4000)])
def test_suspend_data_limit_defaults_to_64000_with_a_strict_spec_mode(options, limit_12, limit_2004):
    assert problem_12("cmi.suspend_data", "x" * limit_12, options) is None
    assert problem_12("cmi.suspend_data", "x" * (limit_12 + 1), options) == "too_long"
    assert problem_2004("cmi.suspend_data", "x" * limit_2004, options) is None
    assert problem_2004("cmi.suspend_data", "x" * (limit_2004 + 1), options) == "too_long"


def test_vocabularies_are_case_sensitive_and_12_not_attempted_is_not_settable():
    assert problem_2004("cmi.completion_status", "Completed") == "type_mismatch"
    assert problem_2004("cmi.completion_status", "not attempted") is None
    assert problem_12("cmi.core.lesson_status", "not attempted") == "type_mismatch"
    assert problem_12("cmi.core.lesson_status", "Passed") == "type_mismatch"
    assert problem_12("cmi.core.exit", "") is None


@pytest.mark.parametrize(("value", "condition"), [
    ("continue", None), ("_none_", None), ("{target=intro}choice", None), ("{target=a.b}jump", None),
    ("choice", "type_mismatch"), ("{target=}choice", "type_mismatch"), ("start", "type_mismatch")])
def test_navigation_requests_are_keywords_or_targeted_choice_and_jump(value, condition):
    assert problem_2004("adl.nav.request", value) == condition


def check(interaction_type: str, response: str, value: str, options: RuntimeOptions = DEFAULT) -> str | None:
    problem = check_response(RULES_2004, RULES_2004.interaction_types[interaction_type][response], value, options)
    return problem.condition if problem else None


@pytest.mark.parametrize(("interaction_type", "value", "condition"), [
    ("true-false", "true", None), ("true-false", "t", "type_mismatch"), ("true-false", "", "type_mismatch"),
    ("choice", "a[,]b[,]c", None), ("choice", "", None), ("choice", "a[,]a", "type_mismatch"),
    ("choice", "[,]", "type_mismatch"), ("choice", "{}{[]}", "type_mismatch"),
    ("fill-in", "{case_matters=true}{order_matters=false}{lang=de}Hund[,]Katze", None),
    ("fill-in", "{order_matters=true}{case_matters=false}x", None), ("fill-in", "[,]", None),
    ("fill-in", "{case_matters=yes}x", "type_mismatch"), ("fill-in", "{lang=frl}z", "type_mismatch"),
    ("fill-in", "{lang=eng}{order_matters=true}{case_matters=invalid}a", None),  # after {lang=} it is text
    ("long-fill-in", "{lang=eng}{case_matters=true}essay", None),
    ("long-fill-in", "{case_matters=maybe}x", "type_mismatch"),
    ("likert", "strongly_agree", None), ("likert", "a[,]b", "type_mismatch"),
    ("matching", "a[.]1[,]b[.]2", None), ("matching", "z", "type_mismatch"), ("matching", "a[.]", "type_mismatch"),
    ("matching", "a[.]b[.]c", "type_mismatch"),
    ("performance", "{order_matters=false}step1[.]answer[,][.]2.5[:]3", None), ("performance", "[.]1[:]2", None),
    ("performance", "[.]", "type_mismatch"), ("sequencing", "a[,]b[,]a", None), ("sequencing", "[,]", "type_mismatch"),
    ("numeric", "3[:]10", None), ("numeric", "[:]10", None), ("numeric", "-0.5", None),
    ("numeric", "300[:]1.5", "type_mismatch"), ("numeric", "100,000.00", "type_mismatch"),
    ("other", "{}{[]} anything", None)])
def test_correct_response_patterns_follow_the_format_of_their_interaction_type(interaction_type, value, condition):
    assert check(interaction_type, "correct_response", value) == condition


@pytest.mark.parametrize(("interaction_type", "value", "condition"), [
    ("true-false", "false", None), ("true-false", "true-false", "type_mismatch"), ("choice", "a[,]b", None),
    ("fill-in", "{lang=fr}This should pass", None), ("fill-in", "{case_matters=true}x", None),
    ("numeric", "4000.003", None), ("numeric", "1[:]2", "type_mismatch"), ("numeric", "4000.003a", "type_mismatch"),
    ("performance", "step[.]42", None), ("matching", "uri.uri.uri[.]abcd[,]testuri", "type_mismatch"),
    ("likert", "uri.uri.uri[.]abcd", "type_mismatch")])
def test_learner_responses_follow_the_format_of_their_interaction_type(interaction_type, value, condition):
    assert check(interaction_type, "learner_response", value) == condition


def test_response_item_lengths_and_counts_are_minimums_unless_strict():
    long_identifier = "x" * 251
    assert check("choice", "learner_response", long_identifier) is None
    assert check("choice", "learner_response", long_identifier, STRICT) == "too_long"
    many = "[,]".join(f"c{number}" for number in range(37))
    assert check("choice", "learner_response", many) is None
    assert check("choice", "learner_response", many, STRICT) == "too_long"
