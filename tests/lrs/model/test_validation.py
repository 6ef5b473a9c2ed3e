"""Tests for lrs.model.validation: every Statement rule of xAPI 1.0.3 and 2.0.0, with exact error paths.

The Statement builders and path helpers defined first are reused by the other data-model tests.
"""

from __future__ import annotations

import copy
import math
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hub.errors import BadRequest
from lrs.model.validation import is_language_tag, validate_actor, validate_statement, validate_statements

# ---------------------------------------------------------------------------------------------
# Statement builders and path helpers
# ---------------------------------------------------------------------------------------------
VERSIONS = ("1.0.3", "2.0.0")

STATEMENT_ID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
REGISTRATION = "ec531277-b57b-4c15-8d91-d292c5b2b8f7"
REFERENCED_ID = "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"
SHA1 = "cd9b00a5611f94eaa7b1661edab976068e364975"
SHA256 = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"


def agent(address: str = "ada@example.com", **extra: Any) -> dict[str, Any]:
    return {"objectType": "Agent", "name": "Ada", "mbox": f"mailto:{address}", **extra}


def minimal_statement() -> dict[str, Any]:
    return {
        "actor": {"mbox": "mailto:ada@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "http://example.com/activities/intro"},
    }


def full_statement(version: str = "1.0.3") -> dict[str, Any]:
    """A Statement using every optional property (and, for 2.0, contextAgents/contextGroups)."""
    statement: dict[str, Any] = {
        "id": STATEMENT_ID,
        "actor": agent(),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered",
                 "display": {"en-US": "answered", "de": "beantwortete"}},
        "object": {
            "objectType": "Activity",
            "id": "http://example.com/quiz/q1",
            "definition": {
                "name": {"en-US": "Question 1"},
                "description": {"en-US": "Pick the games"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "moreInfo": "https://example.com/quiz/q1/help",
                "interactionType": "choice",
                "correctResponsesPattern": ["golf[,]tetris"],
                "choices": [{"id": "golf", "description": {"en-US": "Golf"}},
                            {"id": "tetris", "description": {"en-US": "Tetris"}}],
                "extensions": {"http://example.com/ext/weight": 2},
            },
        },
        "result": {
            "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
            "success": True,
            "completion": True,
            "response": "golf[,]tetris",
            "duration": "PT1M3.5S",
            "extensions": {"http://example.com/ext/attempt": 1},
        },
        "context": {
            "registration": REGISTRATION,
            "instructor": {"name": "Bob", "account": {"homePage": "https://lms.example.com", "name": "bob"}},
            "team": {"objectType": "Group", "name": "Team", "mbox_sha1sum": SHA1,
                     "member": [{"openid": "https://openid.example.com/carol"}]},
            "contextActivities": {
                "parent": [{"id": "http://example.com/quiz"}],
                "grouping": {"objectType": "Activity", "id": "http://example.com/course"},
                "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}],
                "other": [{"id": "http://example.com/other", "definition": {"name": {"en": "Other"}}}],
            },
            "revision": "r2",
            "platform": "Example LMS",
            "language": "en-GB",
            "statement": {"objectType": "StatementRef", "id": REFERENCED_ID},
            "extensions": {"http://example.com/ext/session": "s-1"},
        },
        "timestamp": "2024-03-14T15:09:26.535Z",
        "stored": "2024-03-14T15:09:27.000Z",
        "authority": {"objectType": "Agent", "name": "LRS client",
                      "account": {"homePage": "https://lrs.example.com", "name": "client-1"}},
        "version": "1.0.3",
        "attachments": [{
            "usageType": "http://adlnet.gov/expapi/attachments/certificate",
            "display": {"en-US": "Certificate"},
            "description": {"en-US": "Completion certificate"},
            "contentType": "application/pdf",
            "length": 12345,
            "sha2": SHA256,
            "fileUrl": "https://files.example.com/cert.pdf",
        }],
    }
    if version.startswith("2"):
        statement["version"] = "2.0.0"
        statement["context"]["contextAgents"] = [{
            "objectType": "contextAgent",
            "agent": agent("coach@example.com"),
            "relevantTypes": ["https://example.com/xapi/roles/coach"],
        }]
        statement["context"]["contextGroups"] = [{
            "objectType": "contextGroup",
            "group": {"objectType": "Group", "mbox": "mailto:team-1@example.com",
                      "member": [agent("player-1@example.com")]},
            "relevantTypes": ["https://example.com/xapi/roles/opponents"],
        }]
    return statement


def substatement_statement() -> dict[str, Any]:
    """A Statement whose object is a SubStatement using every property a SubStatement may have."""
    inner = full_statement()
    for lrs_assigned in ("id", "stored", "version", "authority"):
        del inner[lrs_assigned]
    inner["objectType"] = "SubStatement"
    return {"actor": agent("grader@example.com"), "verb": {"id": "http://example.com/verbs/planned"},
            "object": inner}


_TOKEN = re.compile(r"[^.\[\]]+|\[(\d+)\]")


def path_tokens(path: str) -> list[str | int]:
    return [int(match.group(1)) if match.group(1) is not None else match.group(0) for match in _TOKEN.finditer(path)]


def get_at(document: Any, path: str) -> Any:
    for token in path_tokens(path):
        document = document[token]
    return document


def set_at(document: Any, path: str, value: Any) -> Any:
    """Return a deep copy of `document` with the value at `path` replaced (or added)."""
    mutated = copy.deepcopy(document)
    *parents, last = path_tokens(path)
    target = mutated
    for token in parents:
        target = target[token]
    target[last] = value
    return mutated


def delete_at(document: Any, path: str) -> Any:
    mutated = copy.deepcopy(document)
    *parents, last = path_tokens(path)
    target = mutated
    for token in parents:
        target = target[token]
    del target[last]
    return mutated


def assert_rejected(statement: Any, version: str, field: str | None) -> BadRequest:
    with pytest.raises(BadRequest) as raised:
        validate_statement(statement, version)
    assert raised.value.field == field, raised.value.message
    assert raised.value.status == 400
    return raised.value


both_versions = pytest.mark.parametrize("version", VERSIONS)


# ---------------------------------------------------------------------------------------------
# Valid Statements are accepted
# ---------------------------------------------------------------------------------------------
@both_versions
def test_accepts_minimal_statement(version: str) -> None:
    validate_statement(minimal_statement(), version)


@both_versions
def test_accepts_statement_using_every_optional_property(version: str) -> None:
    validate_statement(full_statement(version), version)


@both_versions
def test_accepts_substatement_using_every_property_a_substatement_may_have(version: str) -> None:
    validate_statement(substatement_statement(), version)


@both_versions
def test_validation_does_not_modify_the_statement(version: str) -> None:
    statement = full_statement(version)
    snapshot = copy.deepcopy(statement)
    validate_statement(statement, version)
    assert statement == snapshot


@both_versions
@pytest.mark.parametrize("statement_object", [
    {"id": "http://example.com/activity"},
    {"objectType": "Activity", "id": "http://example.com/activity", "definition": {}},
    {"objectType": "Agent", "mbox_sha1sum": SHA1},
    {"objectType": "Group", "account": {"homePage": "https://example.com", "name": "team"}},
    {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}, {"openid": "https://id.example.com/b"}]},
    {"objectType": "StatementRef", "id": REFERENCED_ID},
    {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.com"},
     "verb": {"id": "http://example.com/verbs/will-attend"},
     "object": {"objectType": "StatementRef", "id": REFERENCED_ID}},
    {"objectType": "SubStatement", "actor": {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]},
     "verb": {"id": "http://example.com/verbs/will-meet"},
     "object": {"objectType": "Agent", "mbox": "mailto:b@example.com"}},
], ids=["activity-without-objectType", "activity-empty-definition", "agent", "identified-group", "anonymous-group",
        "statement-ref", "substatement-of-ref", "substatement-of-agent"])
def test_accepts_every_kind_of_object(version: str, statement_object: dict) -> None:
    validate_statement({**minimal_statement(), "object": statement_object}, version)


@both_versions
@pytest.mark.parametrize("ifi", [
    {"mbox": "mailto:Ada.Lovelace+xapi@Example.COM"},
    {"mbox": "MAILTO:ada@example.com"},
    {"mbox_sha1sum": SHA1.upper()},
    {"openid": "http://openid.example.org/12345"},
    {"account": {"homePage": "http://www.example.com", "name": "xAPI account name"}},
], ids=["mbox", "mbox-uppercase-scheme", "mbox_sha1sum", "openid", "account"])
def test_accepts_each_kind_of_inverse_functional_identifier(version: str, ifi: dict) -> None:
    validate_statement({**minimal_statement(), "actor": {"objectType": "Agent", **ifi}}, version)
    validate_statement({**minimal_statement(), "actor": {"objectType": "Group", **ifi}}, version)


@both_versions
def test_accepts_identified_group_without_members(version: str) -> None:
    validate_statement({**minimal_statement(), "actor": {"objectType": "Group", "mbox": "mailto:g@example.com"}},
                       version)


@both_versions
def test_accepts_identified_group_with_empty_member_list(version: str) -> None:
    validate_statement({**minimal_statement(),
                        "actor": {"objectType": "Group", "mbox": "mailto:g@example.com", "member": []}}, version)


INTERACTIONS: dict[str, dict[str, Any]] = {
    "true-false": {"correctResponsesPattern": ["true"]},
    "choice": {"correctResponsesPattern": ["golf[,]tetris"],
               "choices": [{"id": "golf", "description": {"en-US": "Golf"}}, {"id": "tetris"}]},
    "fill-in": {"correctResponsesPattern": ["{case_matters=false}{lang=en}To store and provide access"]},
    "long-fill-in": {"correctResponsesPattern": ["{case_matters=true}Long answer"]},
    "matching": {"correctResponsesPattern": ["ben[.]3[,]chris[.]2"],
                 "source": [{"id": "ben"}, {"id": "chris"}], "target": [{"id": "2"}, {"id": "3"}]},
    "performance": {"correctResponsesPattern": ["pong[.]1:[,]dg[.]:10"],
                    "steps": [{"id": "pong", "description": {"en-US": "Net pong"}}, {"id": "dg"}]},
    "sequencing": {"correctResponsesPattern": ["tim[,]mike"], "choices": [{"id": "tim"}, {"id": "mike"}]},
    "likert": {"correctResponsesPattern": ["likert_3"], "scale": [{"id": "likert_0"}, {"id": "likert_3"}]},
    "numeric": {"correctResponsesPattern": ["4[:]"]},
    "other": {"correctResponsesPattern": ["(35.937432,-86.868896)"]},
}


@both_versions
@pytest.mark.parametrize("interaction_type", sorted(INTERACTIONS))
def test_accepts_each_interaction_type_with_its_component_lists(version: str, interaction_type: str) -> None:
    definition: dict[str, Any] = {"type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                  "interactionType": interaction_type, **INTERACTIONS[interaction_type]}
    validate_statement({**minimal_statement(), "object": {"id": "http://example.com/q", "definition": definition}},
                       version)


@both_versions
def test_accepts_empty_correct_responses_pattern_and_empty_component_list(version: str) -> None:
    definition = {"interactionType": "choice", "correctResponsesPattern": [], "choices": []}
    validate_statement({**minimal_statement(), "object": {"id": "http://example.com/q", "definition": definition}},
                       version)


@both_versions
@pytest.mark.parametrize("value", [None, "", {}, [], 0, False, {"nested": [1, None]}])
def test_accepts_extension_values_of_any_json_type_including_null(version: str, value: Any) -> None:
    extensions = {"http://example.com/ext": value}
    statement = full_statement(version)
    statement["object"]["definition"]["extensions"] = extensions
    statement["result"]["extensions"] = extensions
    statement["context"]["extensions"] = extensions
    validate_statement(statement, version)


@both_versions
def test_accepts_empty_extensions_and_empty_language_maps(version: str) -> None:
    statement = full_statement(version)
    statement["verb"]["display"] = {}
    statement["result"]["extensions"] = {}
    validate_statement(statement, version)


@both_versions
def test_accepts_context_activities_as_single_object_or_array(version: str) -> None:
    statement = full_statement(version)
    statement["context"]["contextActivities"] = {"parent": {"id": "http://example.com/a"},
                                                 "other": [{"id": "http://example.com/b"}, {"id": "http://example.com/c"}]}
    validate_statement(statement, version)


@both_versions
def test_accepts_oauth_authority_as_anonymous_group_of_two_agents(version: str) -> None:
    authority = {"objectType": "Group", "member": [
        {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
        {"mbox": "mailto:bob@example.com"}]}
    validate_statement({**minimal_statement(), "authority": authority}, version)


@both_versions
@pytest.mark.parametrize("statement_version", ["1.0", "1.0.0", "1.0.3", "1.0.9"])
def test_accepts_statement_versions_starting_1_0(version: str, statement_version: str) -> None:
    validate_statement({**minimal_statement(), "version": statement_version}, version)


@pytest.mark.parametrize("statement_version", ["2.0", "2.0.0", "2.0.1"])
def test_accepts_statement_versions_2_0_x_when_2_0_is_negotiated(statement_version: str) -> None:
    validate_statement({**minimal_statement(), "version": statement_version}, "2.0.0")


@both_versions
def test_accepts_stored_property_which_the_lrs_will_overwrite(version: str) -> None:
    validate_statement({**minimal_statement(), "stored": "2011-07-15T00:00:00.000Z"}, version)


@both_versions
def test_accepts_uuids_of_any_version_and_either_case(version: str) -> None:
    for statement_id in ("AA97B177-9383-4934-8543-0F91A7A02836", str(uuid.uuid1()), str(uuid.uuid4()),
                         str(uuid.uuid5(uuid.NAMESPACE_URL, "x")).upper()):
        validate_statement({**minimal_statement(), "id": statement_id}, version)


@both_versions
def test_accepts_voiding_statement_with_statement_ref(version: str) -> None:
    validate_statement({**minimal_statement(), "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                        "object": {"objectType": "StatementRef", "id": REFERENCED_ID}}, version)


@both_versions
def test_accepts_voided_verb_inside_a_substatement_with_any_object(version: str) -> None:
    sub = {"objectType": "SubStatement", "actor": agent(), "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
           "object": {"id": "http://example.com/a"}}
    validate_statement({**minimal_statement(), "object": sub}, version)


@both_versions
@pytest.mark.parametrize("iri", [
    "http://example.com/path/../e0c4", "urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee", "https://例え.jp/テスト",
    "http://example.com/a%20b?q=1#frag", "tag:example.com,2024:activity", "http://[::1]:8080/x",
])
def test_accepts_absolute_iris_including_unicode_and_dot_segments(version: str, iri: str) -> None:
    validate_statement({**minimal_statement(), "object": {"id": iri}}, version)


@both_versions
@pytest.mark.parametrize("duration", ["PT1H0M0S", "P3Y1M29DT4H35M59.14S", "PT16559.14S", "P3Y", "P4W",
                                      "P1DT12H36M0.12567S", "PT0,5S", "P0D", "PT1.5H"])
def test_accepts_iso8601_durations(version: str, duration: str) -> None:
    validate_statement({**minimal_statement(), "result": {"duration": duration}}, version)


@both_versions
@pytest.mark.parametrize("tag", ["de", "de-DE", "zh-Hant", "sr-Latn-RS", "cmn", "tlh", "es-419", "zh-Hans-CN",
                                 "en-GB-oed", "x-private", "de-CH-1901", "en-a-bbb-x-a-ccc", "i-klingon", "EN-us"])
def test_accepts_rfc5646_language_tags(version: str, tag: str) -> None:
    statement = full_statement(version)
    statement["verb"]["display"] = {tag: "text"}
    statement["context"]["language"] = tag
    validate_statement(statement, version)


@both_versions
def test_accepts_non_utc_timestamp_with_fractional_seconds(version: str) -> None:
    validate_statement({**minimal_statement(), "timestamp": "2023-05-04T12:00:00.123456789-05:00"}, version)


def test_accepts_null_timestamp_as_absent_in_2_0_as_the_conformance_suite_sends_it() -> None:
    validate_statement({**minimal_statement(), "timestamp": None}, "2.0.0")


def test_accepts_context_agents_and_groups_in_2_0() -> None:
    validate_statement(full_statement("2.0.0"), "2.0.0")


def test_accepts_context_agent_and_group_without_relevant_types_in_2_0() -> None:
    group = {"objectType": "Group", "member": [{"mbox": "mailto:b@example.com"}]}
    context = {"contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:a@example.com"}}],
               "contextGroups": [{"objectType": "contextGroup", "group": group}]}
    validate_statement({**minimal_statement(), "context": context}, "2.0.0")


# ---------------------------------------------------------------------------------------------
# Statement structure
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize("document", [None, [], "statement", 1])
def test_rejects_a_statement_that_is_not_a_json_object(version: str, document: Any) -> None:
    assert_rejected(document, version, None)


@both_versions
@pytest.mark.parametrize("required", ["actor", "verb", "object"])
def test_rejects_statement_missing_a_required_property(version: str, required: str) -> None:
    assert_rejected(delete_at(minimal_statement(), required), version, required)


@both_versions
@pytest.mark.parametrize("required", ["actor", "verb", "object", "context", "result"])
def test_rejects_null_where_an_object_is_required(version: str, required: str) -> None:
    assert_rejected({**minimal_statement(), required: None}, version, required)


@both_versions
def test_rejects_unknown_top_level_property(version: str) -> None:
    error = assert_rejected({**minimal_statement(), "dummy": "dummy"}, version, "dummy")
    assert "unknown property" in error.message


@both_versions
def test_rejects_property_names_in_the_wrong_case(version: str) -> None:
    assert_rejected(set_at(minimal_statement(), "Verb", {"id": "http://example.com/v"}), version, "Verb")


@both_versions
@pytest.mark.parametrize("statement_id", [
    "AA97B177-9383-4934-8543-0F91A7A028368", "MA97B177-9383-4934-8543-0F91A7A02836", "fd41c918b88b4b20a0a5a4c32391aaa0",
    "{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}", "fd41c918-b88b-4b20-c0a5-a4c32391aaa0", "", 12345, None,
    {"key": "should fail"},
], ids=["too-many-digits", "non-hex", "no-hyphens", "braces", "non-rfc4122-variant", "empty", "number", "null",
        "object"])
def test_rejects_statement_id_that_is_not_a_uuid(version: str, statement_id: Any) -> None:
    assert_rejected({**minimal_statement(), "id": statement_id}, version, "id")


# ---------------------------------------------------------------------------------------------
# Actor: Agents and Groups
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize("object_type", ["agent", "group", "Person", "", 123, None])
def test_rejects_actor_object_type_other_than_agent_or_group(version: str, object_type: Any) -> None:
    assert_rejected(set_at(full_statement(version), "actor.objectType", object_type), version, "actor.objectType")


@both_versions
def test_rejects_agent_with_two_inverse_functional_identifiers(version: str) -> None:
    error = assert_rejected(set_at(full_statement(version), "actor.mbox_sha1sum", SHA1), version, "actor")
    assert "exactly one inverse functional identifier" in error.message


@both_versions
def test_rejects_agent_without_inverse_functional_identifier(version: str) -> None:
    assert_rejected(delete_at(full_statement(version), "actor.mbox"), version, "actor")


@both_versions
@pytest.mark.parametrize("mbox", ["ada@example.com", "http://should.fail.com", "mailto:should.fail.com",
                                  "mailto:", "mailto:ada@", "mailto:a da@example.com", "mailto:ada@example..com", ""])
def test_rejects_mbox_that_is_not_a_mailto_iri(version: str, mbox: str) -> None:
    assert_rejected(set_at(full_statement(version), "actor.mbox", mbox), version, "actor.mbox")


@both_versions
@pytest.mark.parametrize("digest", [SHA1[:-1], SHA1 + "0", "z" * 40, 12345, {"key": "value"}])
def test_rejects_mbox_sha1sum_that_is_not_40_hex_digits(version: str, digest: Any) -> None:
    statement = {**minimal_statement(), "actor": {"mbox_sha1sum": digest}}
    assert_rejected(statement, version, "actor.mbox_sha1sum")


@both_versions
@pytest.mark.parametrize("openid", ["ab=c://should.fail.com", "open.id.com/testUser", "http://", 7])
def test_rejects_openid_that_is_not_an_absolute_iri(version: str, openid: Any) -> None:
    assert_rejected({**minimal_statement(), "actor": {"openid": openid}}, version, "actor.openid")


@both_versions
@pytest.mark.parametrize(("account", "field"), [
    ({"name": "x"}, "actor.account.homePage"),
    ({"homePage": "http://example.com"}, "actor.account.name"),
    ({"homePage": "homePage.com/testUser", "name": "x"}, "actor.account.homePage"),
    ({"homePage": "http://example.com", "name": {"key": "should fail"}}, "actor.account.name"),
    ({"homePage": "http://example.com", "name": "x", "id": 1}, "actor.account.id"),
    ("http://example.com|x", "actor.account"),
])
def test_rejects_account_without_irl_home_page_and_string_name(version: str, account: Any, field: str) -> None:
    assert_rejected({**minimal_statement(), "actor": {"account": account}}, version, field)


@both_versions
@pytest.mark.parametrize("name", [123, {"key": "value"}, None, ["Ada"]])
def test_rejects_agent_name_that_is_not_a_string(version: str, name: Any) -> None:
    assert_rejected(set_at(full_statement(version), "actor.name", name), version, "actor.name")


@both_versions
def test_rejects_agent_with_member_property(version: str) -> None:
    assert_rejected(set_at(full_statement(version), "actor.member", []), version, "actor.member")


@both_versions
def test_rejects_anonymous_group_without_members(version: str) -> None:
    statement = {**minimal_statement(), "actor": {"objectType": "Group", "name": "Group Anonymous"}}
    assert_rejected(statement, version, "actor.member")


@both_versions
def test_rejects_anonymous_group_with_empty_member_list(version: str) -> None:
    assert_rejected({**minimal_statement(), "actor": {"objectType": "Group", "member": []}}, version, "actor.member")


@both_versions
def test_rejects_group_member_list_that_is_not_an_array(version: str) -> None:
    statement = {**minimal_statement(), "actor": {"objectType": "Group", "member": {"mbox": "mailto:a@example.com"}}}
    assert_rejected(statement, version, "actor.member")


@both_versions
def test_rejects_group_member_that_is_a_group(version: str) -> None:
    nested = {"objectType": "Group", "mbox": "mailto:inner@example.com"}
    statement = {**minimal_statement(), "actor": {"objectType": "Group", "member": [agent(), nested]}}
    error = assert_rejected(statement, version, "actor.member[1].objectType")
    assert "members must be Agents" in error.message


@both_versions
def test_rejects_group_member_agent_without_identifier(version: str) -> None:
    statement = {**minimal_statement(), "actor": {"objectType": "Group", "member": [{"name": "nobody"}]}}
    assert_rejected(statement, version, "actor.member[0]")


@both_versions
def test_rejects_group_with_two_inverse_functional_identifiers(version: str) -> None:
    team = set_at(full_statement(version), "context.team.openid", "http://openid.example.org/team")
    assert_rejected(team, version, "context.team")


# ---------------------------------------------------------------------------------------------
# Verb
# ---------------------------------------------------------------------------------------------
@both_versions
def test_rejects_verb_without_id(version: str) -> None:
    assert_rejected(delete_at(full_statement(version), "verb.id"), version, "verb.id")


@both_versions
@pytest.mark.parametrize("verb_id", ["adlnet.gov/expapi/verbs/attended", "attended", "", "http://exa mple.com/v", 42])
def test_rejects_verb_id_that_is_not_an_iri(version: str, verb_id: Any) -> None:
    assert_rejected(set_at(full_statement(version), "verb.id", verb_id), version, "verb.id")


@both_versions
@pytest.mark.parametrize("display", ["attended", 12345, ["en-US"], None])
def test_rejects_verb_display_that_is_not_a_language_map(version: str, display: Any) -> None:
    assert_rejected(set_at(full_statement(version), "verb.display", display), version, "verb.display")


@both_versions
@pytest.mark.parametrize("tag", ["something", "a12345678", "12345", "s-something", "en-something-AU",
                                 "zh-something-ccc", "zh-z-aaa-z-bbb-c-ccc", "de-1901-1901", "en--US", "en-", "-en",
                                 "en_US", "", "en-US-x", "x"])
def test_rejects_language_map_key_that_is_not_an_rfc5646_tag(version: str, tag: str) -> None:
    error = assert_rejected(set_at(full_statement(version), "verb.display", {"en-US": "ok", tag: "besucht"}), version,
                            f'verb.display["{tag}"]')
    assert "RFC 5646" in error.message


@both_versions
@pytest.mark.parametrize("text", [None, 1, {"text": "x"}])
def test_rejects_language_map_value_that_is_not_a_string(version: str, text: Any) -> None:
    assert_rejected(set_at(full_statement(version), "verb.display", {"en-US": text}), version, 'verb.display["en-US"]')


@both_versions
def test_rejects_unknown_verb_property(version: str) -> None:
    assert_rejected(set_at(full_statement(version), "verb.name", "x"), version, "verb.name")


# ---------------------------------------------------------------------------------------------
# Objects: Activity and its definition
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize("object_type", ["activity", "statementref", "substatement", "agent", "group", "Thing", None])
def test_rejects_object_type_not_spelled_exactly_as_the_spec(version: str, object_type: Any) -> None:
    assert_rejected(set_at(full_statement(version), "object.objectType", object_type), version, "object.objectType")


@both_versions
def test_rejects_activity_without_id(version: str) -> None:
    assert_rejected(delete_at(full_statement(version), "object.id"), version, "object.id")


@both_versions
@pytest.mark.parametrize("activity_id", ["ab=c://should.fail.com", "www.example.com/meetings/occurances/34534",
                                         "http://example.com/<tag>", "http://example.com/a%zz", "http://x/a#b#c",
                                         "http:example.com/a", "https://user@/path", "urn:", "1http://example.com"])
def test_rejects_activity_id_that_is_not_an_iri(version: str, activity_id: str) -> None:
    assert_rejected(set_at(full_statement(version), "object.id", activity_id), version, "object.id")


@both_versions
def test_rejects_agent_as_object_without_object_type(version: str) -> None:
    # Without objectType the object is an Activity, for which "mbox" is not a property.
    assert_rejected({**minimal_statement(), "object": {"mbox": "mailto:a@example.com"}}, version, "object.mbox")


@both_versions
def test_rejects_group_as_object_without_object_type(version: str) -> None:
    statement = {**minimal_statement(), "object": {"member": [{"mbox": "mailto:a@example.com"}]}}
    assert_rejected(statement, version, "object.member")


@both_versions
@pytest.mark.parametrize(("path", "value"), [
    ("object.definition", "definition"),
    ("object.definition.name", "Question 1"),
    ("object.definition.description", 12345),
    ("object.definition.type", "should error"),
    ("object.definition.moreInfo", "should error"),
    ("object.definition.moreInfo", None),
    ("object.definition.extensions", "ext"),
    ("object.definition.interactionType", "choiCe"),
    ("object.definition.interactionType", "http://adlnet.gov/expapi/activities/cmi.interaction"),
    ("object.definition.interactionType", 7),
    ("object.definition.correctResponsesPattern", "golf"),
    ("object.definition.correctResponsesPattern[0]", 1),
    ("object.definition.choices", {"id": "golf"}),
    ("object.definition.choices[0]", "golf"),
    ("object.definition.choices[0].id", 1),
    ("object.definition.choices[0].description", "Golf"),
    ("object.definition.choices[0].score", 1),
    ("object.definition.unknown", 1),
])
def test_rejects_malformed_activity_definition_property(version: str, path: str, value: Any) -> None:
    assert_rejected(set_at(full_statement(version), path, value), version, path)


@both_versions
def test_rejects_extension_key_that_is_not_an_iri(version: str) -> None:
    statement = set_at(full_statement(version), "object.definition.extensions", {"not.valid.com/extension": 1234})
    assert_rejected(statement, version, 'object.definition.extensions["not.valid.com/extension"]')


@both_versions
@pytest.mark.parametrize("uses_interactions", ["correctResponsesPattern", "choices"])
def test_rejects_interaction_properties_without_interaction_type(version: str, uses_interactions: str) -> None:
    statement = delete_at(full_statement(version), "object.definition.interactionType")
    statement["object"]["definition"] = {key: value for key, value in statement["object"]["definition"].items()
                                         if key in ("name", uses_interactions)}
    error = assert_rejected(statement, version, f"object.definition.{uses_interactions}")
    assert "requires an interactionType" in error.message


@both_versions
@pytest.mark.parametrize(("interaction_type", "component_list"), [
    ("likert", "choices"), ("choice", "scale"), ("matching", "steps"), ("performance", "source"),
    ("sequencing", "target"), ("true-false", "choices"), ("fill-in", "scale"), ("long-fill-in", "steps"),
    ("numeric", "source"), ("other", "target"),
])
def test_rejects_component_list_the_interaction_type_does_not_support(version: str, interaction_type: str,
                                                                      component_list: str) -> None:
    definition = {"interactionType": interaction_type, component_list: [{"id": "a"}]}
    statement = {**minimal_statement(), "object": {"id": "http://example.com/q", "definition": definition}}
    assert_rejected(statement, version, f"object.definition.{component_list}")


@both_versions
def test_rejects_interaction_components_with_duplicate_ids(version: str) -> None:
    statement = set_at(full_statement(version), "object.definition.choices[1].id", "golf")
    assert_rejected(statement, version, "object.definition.choices[1].id")


@both_versions
def test_rejects_interaction_component_without_id(version: str) -> None:
    statement = delete_at(full_statement(version), "object.definition.choices[0].id")
    assert_rejected(statement, version, "object.definition.choices[0].id")


# ---------------------------------------------------------------------------------------------
# Objects: StatementRef and SubStatement
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize(("ref", "field"), [
    ({"objectType": "StatementRef"}, "object.id"),
    ({"objectType": "StatementRef", "id": "should fail"}, "object.id"),
    ({"objectType": "StatementRef", "id": 12345}, "object.id"),
    ({"objectType": "StatementRef", "id": REFERENCED_ID, "definition": {}}, "object.definition"),
])
def test_rejects_malformed_statement_ref(version: str, ref: dict, field: str) -> None:
    assert_rejected({**minimal_statement(), "object": ref}, version, field)


@both_versions
def test_rejects_substatement_nested_in_a_substatement(version: str) -> None:
    statement = substatement_statement()
    statement["object"]["object"] = {"objectType": "SubStatement", **minimal_statement()}
    error = assert_rejected(statement, version, "object.object.objectType")
    assert "must not contain another SubStatement" in error.message


@both_versions
@pytest.mark.parametrize(("forbidden", "value"), [("id", STATEMENT_ID), ("stored", "2024-01-01T00:00:00Z"),
                                                  ("version", "1.0.0"), ("authority", agent())])
def test_rejects_substatement_with_properties_only_the_lrs_sets(version: str, forbidden: str, value: Any) -> None:
    statement = set_at(substatement_statement(), f"object.{forbidden}", value)
    error = assert_rejected(statement, version, f"object.{forbidden}")
    assert "SubStatement must not have" in error.message


@both_versions
@pytest.mark.parametrize("required", ["actor", "verb", "object"])
def test_rejects_substatement_missing_a_required_property(version: str, required: str) -> None:
    assert_rejected(delete_at(substatement_statement(), f"object.{required}"), version, f"object.{required}")


@both_versions
def test_rejects_invalid_property_deep_inside_a_substatement(version: str) -> None:
    statement = set_at(substatement_statement(), "object.context.contextActivities.parent[0].id", "no scheme")
    assert_rejected(statement, version, "object.context.contextActivities.parent[0].id")


# ---------------------------------------------------------------------------------------------
# Result and Score
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize(("path", "value"), [
    ("result", "passed"),
    ("result.score", 12345),
    ("result.score.scaled", 1.01),
    ("result.score.scaled", -1.00001),
    ("result.score.scaled", "0.5"),
    ("result.score.scaled", True),
    ("result.score.scaled", math.nan),
    ("result.score.raw", 11),
    ("result.score.raw", -1),
    ("result.score.raw", "5"),
    ("result.score.max", 0),
    ("result.score.max", -3.3),
    ("result.score.min", math.inf),
    ("result.score.weight", 1),
    ("result.success", "true"),
    ("result.success", 1),
    ("result.completion", "false"),
    ("result.completion", {"key": "invalid"}),
    ("result.response", 12345),
    ("result.duration", 12345),
    ("result.extensions", 12345),
    ("result.unknown", True),
])
def test_rejects_malformed_result_property(version: str, path: str, value: Any) -> None:
    assert_rejected(set_at(full_statement(version), path, value), version, path)


@both_versions
@pytest.mark.parametrize("duration", [
    "should fail", "PA1H0M0S", "P4W1D", "P", "PT", "P1DT", "1H", "PT1H0M0", "P0003-06-04T12:30:05", "-P1D",
    "P1.5Y2M", "PT1.5H30M", "P1H", "PT1D", "pt1h", "P1Y 2M", "",
])
def test_rejects_duration_not_in_iso8601_duration_format(version: str, duration: str) -> None:
    assert_rejected(set_at(full_statement(version), "result.duration", duration), version, "result.duration")


@both_versions
def test_accepts_raw_equal_to_min_or_max_and_scaled_at_the_bounds(version: str) -> None:
    for score in ({"raw": 0, "min": 0, "max": 10, "scaled": -1}, {"raw": 10, "min": 0, "max": 10, "scaled": 1.0},
                  {"raw": 12.5}, {"min": -5, "max": -4.5}):
        validate_statement({**minimal_statement(), "result": {"score": score}}, version)


# ---------------------------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize(("path", "value"), [
    ("context", "context"),
    ("context.registration", "not-a-uuid"),
    ("context.registration", {"key": "should fail"}),
    ("context.instructor", "instructor"),
    ("context.team", "team"),
    ("context.contextActivities", "parent"),
    ("context.revision", 12),
    ("context.platform", {"key": "should fail"}),
    ("context.language", "something"),
    ("context.language", 1),
    ("context.statement", REFERENCED_ID),
    ("context.extensions", []),
    ("context.unknown", 1),
])
def test_rejects_malformed_context_property(version: str, path: str, value: Any) -> None:
    assert_rejected(set_at(full_statement(version), path, value), version, path)


@both_versions
def test_rejects_instructor_that_is_not_a_valid_agent(version: str) -> None:
    statement = set_at(full_statement(version), "context.instructor", {"objectType": "Agent", "key": "should fail"})
    assert_rejected(statement, version, "context.instructor.key")


@both_versions
@pytest.mark.parametrize("team", [agent(), {"mbox": "mailto:team@example.com"}])
def test_rejects_team_that_is_not_a_group(version: str, team: dict) -> None:
    error = assert_rejected(set_at(full_statement(version), "context.team", team), version, "context.team.objectType")
    assert "must be a Group" in error.message


@both_versions
def test_rejects_context_activities_key_other_than_parent_grouping_category_other(version: str) -> None:
    statement = set_at(full_statement(version), "context.contextActivities.related", [{"id": "http://example.com/a"}])
    assert_rejected(statement, version, "context.contextActivities.related")


@both_versions
def test_rejects_invalid_activity_inside_context_activities_array(version: str) -> None:
    statement = set_at(full_statement(version), "context.contextActivities.parent[0].id", "not an iri")
    assert_rejected(statement, version, "context.contextActivities.parent[0].id")


@both_versions
def test_rejects_context_activity_array_element_that_is_not_an_activity(version: str) -> None:
    statement = set_at(full_statement(version), "context.contextActivities.parent",
                       [{"id": "http://example.com/a"}, {"key": "should fail"}])
    assert_rejected(statement, version, "context.contextActivities.parent[1].key")


@both_versions
def test_rejects_context_activity_with_object_type_other_than_activity(version: str) -> None:
    statement = set_at(full_statement(version), "context.contextActivities.grouping",
                       {"objectType": "Agent", "mbox": "mailto:a@example.com"})
    assert_rejected(statement, version, "context.contextActivities.grouping.objectType")


@both_versions
@pytest.mark.parametrize("activity_only", ["revision", "platform"])
@pytest.mark.parametrize("statement_object", [
    {"objectType": "Agent", "mbox": "mailto:a@example.com"},
    {"objectType": "Group", "mbox": "mailto:g@example.com"},
    {"objectType": "StatementRef", "id": REFERENCED_ID},
    {"objectType": "SubStatement", **minimal_statement()},
], ids=["agent", "group", "statement-ref", "substatement"])
def test_rejects_revision_and_platform_when_the_object_is_not_an_activity(version: str, activity_only: str,
                                                                          statement_object: dict) -> None:
    statement = {**minimal_statement(), "object": statement_object, "context": {activity_only: "x"}}
    error = assert_rejected(statement, version, f"context.{activity_only}")
    assert "only allowed when the object is an Activity" in error.message


@both_versions
@pytest.mark.parametrize(("ref", "field"), [
    ({"id": REFERENCED_ID}, "context.statement.objectType"),
    ({"objectType": "Activity", "id": REFERENCED_ID}, "context.statement.objectType"),
    ({"objectType": "StatementRef", "id": "8f87ccde"}, "context.statement.id"),
])
def test_rejects_context_statement_that_is_not_a_statement_ref(version: str, ref: dict, field: str) -> None:
    assert_rejected(set_at(full_statement(version), "context.statement", ref), version, field)


@pytest.mark.parametrize("property_of_2_0", ["contextAgents", "contextGroups"])
def test_rejects_context_agents_and_groups_in_1_0_3(property_of_2_0: str) -> None:
    statement = full_statement("2.0.0")
    statement["version"] = "1.0.3"
    error = assert_rejected(statement if property_of_2_0 == "contextAgents" else
                            delete_at(statement, "context.contextAgents"), "1.0.3", f"context.{property_of_2_0}")
    assert "only defined in xAPI 2.0" in error.message


@pytest.mark.parametrize(("path", "value"), [
    ("context.contextAgents", {"objectType": "contextAgent"}),
    ("context.contextAgents[0]", "agent"),
    ("context.contextAgents[0].objectType", "Should fail"),
    ("context.contextAgents[0].objectType", "ContextAgent"),
    ("context.contextAgents[0].agent", {"key": "Should fail"}),
    ("context.contextAgents[0].agent", {"objectType": "Group", "mbox": "mailto:g@example.com"}),
    ("context.contextAgents[0].relevantTypes", []),
    ("context.contextAgents[0].relevantTypes", "https://example.com/type"),
    ("context.contextAgents[0].relevantTypes[0]", "abc"),
    ("context.contextAgents[0].relevance", 1),
    ("context.contextGroups", "groups"),
    ("context.contextGroups[0].objectType", "contextAgent"),
    ("context.contextGroups[0].group", {"key": "Should fail"}),
    ("context.contextGroups[0].group", agent()),
    ("context.contextGroups[0].relevantTypes", []),
    ("context.contextGroups[0].relevantTypes[0]", "abc"),
])
def test_rejects_malformed_context_agents_and_groups_in_2_0(path: str, value: Any) -> None:
    statement = set_at(full_statement("2.0.0"), path, value)
    with pytest.raises(BadRequest) as raised:
        validate_statement(statement, "2.0.0")
    assert raised.value.field is not None and raised.value.field.startswith(path)


@pytest.mark.parametrize(("entry", "field"), [
    ("contextAgents", "context.contextAgents[0].objectType"),
    ("contextGroups", "context.contextGroups[0].objectType"),
])
def test_rejects_context_agent_or_group_without_object_type(entry: str, field: str) -> None:
    statement = delete_at(full_statement("2.0.0"), field)
    assert_rejected(statement, "2.0.0", field)


@pytest.mark.parametrize(("missing", "field"), [
    ("context.contextAgents[0].agent", "context.contextAgents[0].agent"),
    ("context.contextGroups[0].group", "context.contextGroups[0].group"),
])
def test_rejects_context_agent_or_group_without_its_agent_or_group(missing: str, field: str) -> None:
    assert_rejected(delete_at(full_statement("2.0.0"), missing), "2.0.0", field)


# ---------------------------------------------------------------------------------------------
# Timestamp, stored, version
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize("timestamp", ["should fail", "01/011/2015", "2008-09-15T15:53:00.601-00:00",
                                       "2008-09-15T15:53:00.601-0000", "2008-09-15T15:53:00.601-00",
                                       "2015-02-30T00:00:00Z", 1431648000, ""])
def test_rejects_invalid_timestamp(version: str, timestamp: Any) -> None:
    assert_rejected({**minimal_statement(), "timestamp": timestamp}, version, "timestamp")


@both_versions
def test_rejects_invalid_timestamp_inside_a_substatement(version: str) -> None:
    statement = set_at(substatement_statement(), "object.timestamp", "2008-09-15T15:53:00.601-00:00")
    assert_rejected(statement, version, "object.timestamp")


def test_rejects_null_timestamp_in_1_0_3_where_every_null_is_invalid() -> None:
    assert_rejected({**minimal_statement(), "timestamp": None}, "1.0.3", "timestamp")


def test_rejects_null_timestamp_inside_a_substatement_in_2_0() -> None:
    assert_rejected(set_at(substatement_statement(), "object.timestamp", None), "2.0.0", "object.timestamp")


@pytest.mark.parametrize("timestamp", ["20080915T155300Z", "2008-09-15T15:53:00", "2008-09-15T15:53Z",
                                       "2008-09-15T15:53:00+0100"])
def test_rejects_iso8601_timestamps_that_are_not_rfc3339_in_2_0_but_accepts_them_in_1_0_3(timestamp: str) -> None:
    validate_statement({**minimal_statement(), "timestamp": timestamp}, "1.0.3")
    assert_rejected({**minimal_statement(), "timestamp": timestamp}, "2.0.0", "timestamp")


@both_versions
def test_rejects_invalid_stored_timestamp(version: str) -> None:
    assert_rejected({**minimal_statement(), "stored": "yesterday"}, version, "stored")


@both_versions
@pytest.mark.parametrize("statement_version", ["should fail", "0.9.9", "1.1.0", "1.0.3.1", "1", "3.0.0", 1.0, ""])
def test_rejects_unsupported_statement_version(version: str, statement_version: Any) -> None:
    assert_rejected({**minimal_statement(), "version": statement_version}, version, "version")


@pytest.mark.parametrize("statement_version", ["2.0", "2.0.0"])
def test_rejects_statement_version_2_0_when_1_0_3_is_negotiated(statement_version: str) -> None:
    assert_rejected({**minimal_statement(), "version": statement_version}, "1.0.3", "version")


# ---------------------------------------------------------------------------------------------
# Authority
# ---------------------------------------------------------------------------------------------
OAUTH_CONSUMER = {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}}


@both_versions
@pytest.mark.parametrize("ifi", [{"mbox": "mailto:bob@example.com"}, {"mbox_sha1sum": SHA1},
                                 {"openid": "http://openid.example.org/12345"},
                                 {"account": {"homePage": "http://www.example.com", "name": "xAPI account name"}}])
def test_rejects_identified_group_as_authority(version: str, ifi: dict) -> None:
    authority = {"objectType": "Group", "member": [OAUTH_CONSUMER, {"mbox": "mailto:bob@example.com"}], **ifi}
    error = assert_rejected({**minimal_statement(), "authority": authority}, version, "authority")
    assert "anonymous" in error.message


@both_versions
@pytest.mark.parametrize("members", [[{"mbox": "mailto:bob@example.com"}],
                                     [OAUTH_CONSUMER, {"mbox": "mailto:bob@example.com"},
                                      {"mbox": "mailto:james@example.com"}]])
def test_rejects_authority_group_without_exactly_two_members(version: str, members: list) -> None:
    authority = {"objectType": "Group", "name": "Group Anonymous", "member": members}
    assert_rejected({**minimal_statement(), "authority": authority}, version, "authority.member")


@both_versions
def test_rejects_authority_agent_without_identifier(version: str) -> None:
    assert_rejected({**minimal_statement(), "authority": {"objectType": "Agent"}}, version, "authority")


@both_versions
@pytest.mark.parametrize("object_type", ["agent", "group"])
def test_rejects_authority_with_wrongly_cased_object_type(version: str, object_type: str) -> None:
    authority = {**agent(), "objectType": object_type}
    assert_rejected({**minimal_statement(), "authority": authority}, version, "authority.objectType")


# ---------------------------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize("required", ["usageType", "display", "contentType", "length", "sha2"])
def test_rejects_attachment_missing_a_required_property(version: str, required: str) -> None:
    statement = delete_at(full_statement(version), f"attachments[0].{required}")
    assert_rejected(statement, version, f"attachments[0].{required}")


@both_versions
@pytest.mark.parametrize(("path", "value"), [
    ("attachments", {"usageType": "http://example.com/u"}),
    ("attachments[0]", 12345),
    ("attachments[0]", "should fail"),
    ("attachments[0].usageType", "should fail"),
    ("attachments[0].display", "A test attachment"),
    ("attachments[0].description", 12345),
    ("attachments[0].contentType", 12345),
    ("attachments[0].contentType", "pdf"),
    ("attachments[0].length", "27"),
    ("attachments[0].length", 27.0),
    ("attachments[0].length", True),
    ("attachments[0].length", -1),
    ("attachments[0].sha2", 12345),
    ("attachments[0].sha2", "not-a-digest"),
    ("attachments[0].sha2", SHA256[:-1]),
    ("attachments[0].fileUrl", "should fail"),
    ("attachments[0].fileUrl", "over.there.com/file.txt"),
    ("attachments[0].data", "aGVsbG8="),
])
def test_rejects_malformed_attachment_property(version: str, path: str, value: Any) -> None:
    assert_rejected(set_at(full_statement(version), path, value), version, path)


@both_versions
def test_accepts_sha384_and_sha512_attachment_digests_in_either_case(version: str) -> None:
    for digest in ("a" * 96, "B" * 128):
        validate_statement(set_at(full_statement(version), "attachments[0].sha2", digest), version)


@both_versions
def test_rejects_signature_attachment_that_is_not_octet_stream(version: str) -> None:
    statement = set_at(full_statement(version), "attachments[0].usageType",
                       "http://adlnet.gov/expapi/attachments/signature")
    assert_rejected(statement, version, "attachments[0].contentType")
    validate_statement(set_at(statement, "attachments[0].contentType", "application/octet-stream"), version)


# ---------------------------------------------------------------------------------------------
# Voiding
# ---------------------------------------------------------------------------------------------
@both_versions
@pytest.mark.parametrize("statement_object", [
    {"objectType": "Activity", "id": "http://www.example.com/meetings/occurances/34534"},
    {"id": "http://www.example.com/meetings/occurances/34534"},
    {"objectType": "Agent", "mbox": "mailto:a@example.com"},
])
def test_rejects_voiding_statement_whose_object_is_not_a_statement_ref(version: str, statement_object: dict) -> None:
    statement = {**minimal_statement(), "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                 "object": statement_object}
    error = assert_rejected(statement, version, "object.objectType")
    assert "voiding" in error.message


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------
@both_versions
def test_accepts_a_batch_of_valid_statements(version: str) -> None:
    validate_statements([minimal_statement(), full_statement(version), substatement_statement()], version)
    validate_statements([], version)


@both_versions
def test_rejects_a_batch_that_is_not_an_array(version: str) -> None:
    with pytest.raises(BadRequest):
        validate_statements(minimal_statement(), version)


@both_versions
def test_prefixes_error_paths_with_the_batch_index(version: str) -> None:
    batch = [minimal_statement(), minimal_statement(), minimal_statement(),
             set_at(minimal_statement(), "actor.mbox", "bob@example.com")]
    with pytest.raises(BadRequest) as raised:
        validate_statements(batch, version)
    assert raised.value.field == "[3].actor.mbox"


@both_versions
def test_rejects_a_batch_reusing_a_statement_id_in_any_case(version: str) -> None:
    first = {**minimal_statement(), "id": STATEMENT_ID}
    second = {**minimal_statement(), "id": STATEMENT_ID.upper()}
    with pytest.raises(BadRequest) as raised:
        validate_statements([first, {**minimal_statement()}, second], version)
    assert raised.value.field == "[2].id"
    assert "[0]" in raised.value.message


@both_versions
def test_validate_actor_validates_agents_and_groups_and_counts_identifiers(version: str) -> None:
    assert validate_actor(agent(), version) == 1
    assert validate_actor({"objectType": "Group", "member": [agent()]}, version) == 0
    with pytest.raises(BadRequest) as raised:
        validate_actor({"mbox": "bob"}, version, "agent")
    assert raised.value.field == "agent.mbox"


def test_rejects_unknown_negotiated_version_as_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_statement(minimal_statement(), "0.95")


# ---------------------------------------------------------------------------------------------
# Property-based: mutations of valid Statements
# ---------------------------------------------------------------------------------------------
# Every typed property of full_statement()/substatement_statement() and the JSON types it may hold.
_TYPED_PROPERTIES: dict[str, set[str]] = {
    "id": {"string"}, "actor": {"object"}, "actor.objectType": {"string"}, "actor.name": {"string"},
    "actor.mbox": {"string"}, "verb": {"object"}, "verb.id": {"string"}, "verb.display": {"object"},
    "object": {"object"}, "object.objectType": {"string"}, "object.id": {"string"}, "object.definition": {"object"},
    "object.definition.name": {"object"}, "object.definition.description": {"object"},
    "object.definition.type": {"string"}, "object.definition.moreInfo": {"string"},
    "object.definition.interactionType": {"string"}, "object.definition.correctResponsesPattern": {"array"},
    "object.definition.correctResponsesPattern[0]": {"string"}, "object.definition.choices": {"array"},
    "object.definition.choices[0]": {"object"}, "object.definition.choices[0].id": {"string"},
    "object.definition.choices[0].description": {"object"}, "object.definition.extensions": {"object"},
    "result": {"object"}, "result.score": {"object"}, "result.score.scaled": {"number"},
    "result.score.raw": {"number"}, "result.score.min": {"number"}, "result.score.max": {"number"},
    "result.success": {"boolean"}, "result.completion": {"boolean"}, "result.response": {"string"},
    "result.duration": {"string"}, "result.extensions": {"object"}, "context": {"object"},
    "context.registration": {"string"}, "context.instructor": {"object"}, "context.instructor.name": {"string"},
    "context.instructor.account": {"object"}, "context.instructor.account.homePage": {"string"},
    "context.instructor.account.name": {"string"}, "context.team": {"object"}, "context.team.name": {"string"},
    "context.team.mbox_sha1sum": {"string"}, "context.team.member": {"array"}, "context.team.member[0]": {"object"},
    "context.team.member[0].openid": {"string"}, "context.contextActivities": {"object"},
    "context.contextActivities.parent": {"array", "object"}, "context.contextActivities.parent[0]": {"object"},
    "context.contextActivities.parent[0].id": {"string"}, "context.contextActivities.grouping": {"array", "object"},
    "context.contextActivities.grouping.objectType": {"string"}, "context.revision": {"string"},
    "context.platform": {"string"}, "context.language": {"string"}, "context.statement": {"object"},
    "context.statement.objectType": {"string"}, "context.statement.id": {"string"}, "context.extensions": {"object"},
    "timestamp": {"string"}, "stored": {"string"}, "authority": {"object"}, "authority.objectType": {"string"},
    "authority.account": {"object"}, "version": {"string"}, "attachments": {"array"}, "attachments[0]": {"object"},
    "attachments[0].usageType": {"string"}, "attachments[0].display": {"object"},
    "attachments[0].description": {"object"}, "attachments[0].contentType": {"string"},
    "attachments[0].length": {"number"}, "attachments[0].sha2": {"string"}, "attachments[0].fileUrl": {"string"},
}
_TYPED_PROPERTIES_2_0_ONLY: dict[str, set[str]] = {
    "context.contextAgents": {"array"}, "context.contextAgents[0]": {"object"},
    "context.contextAgents[0].objectType": {"string"}, "context.contextAgents[0].agent": {"object"},
    "context.contextAgents[0].relevantTypes": {"array"}, "context.contextAgents[0].relevantTypes[0]": {"string"},
    "context.contextGroups": {"array"}, "context.contextGroups[0]": {"object"},
    "context.contextGroups[0].group": {"object"}, "context.contextGroups[0].relevantTypes": {"array"},
}
_JSON_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "null": st.none(),
    "boolean": st.booleans(),
    "number": st.integers() | st.floats(allow_nan=False, allow_infinity=False),
    "string": st.text(max_size=20),
    "array": st.lists(st.integers(), max_size=3),
    "object": st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
}


@st.composite
def _retyped_property(draw: st.DrawFn) -> tuple[str, str, Any]:
    version = draw(st.sampled_from(VERSIONS))
    catalogue = {**_TYPED_PROPERTIES, **(_TYPED_PROPERTIES_2_0_ONLY if version == "2.0.0" else {})}
    path = draw(st.sampled_from(sorted(catalogue)))
    accepted = set(catalogue[path])
    if path == "timestamp" and version == "2.0.0":
        accepted.add("null")  # the 2.0 suite's "timestamp": null
    wrong_type = draw(st.sampled_from(sorted(set(_JSON_VALUES) - accepted)))
    return version, path, draw(_JSON_VALUES[wrong_type])


@settings(max_examples=400, deadline=None)
@given(_retyped_property())
def test_replacing_any_property_with_a_value_of_another_json_type_is_rejected_at_its_path(
        mutation: tuple[str, str, Any]) -> None:
    version, path, value = mutation
    assert_rejected(set_at(full_statement(version), path, value), version, path)


# The properties each object may have, restated from the spec tables (xAPI Data §2.4.*, 2.0 Context).
_AGENT = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
_ALLOWED_PROPERTIES: dict[str, set[str]] = {
    "": {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version",
         "attachments"},
    "actor": _AGENT, "verb": {"id", "display"}, "object": {"objectType", "id", "definition"},
    "object.definition": {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                          "correctResponsesPattern", "choices", "scale", "source", "target", "steps"},
    "object.definition.choices[0]": {"id", "description"},
    "result": {"score", "success", "completion", "response", "duration", "extensions"},
    "result.score": {"scaled", "raw", "min", "max"},
    "context": {"registration", "instructor", "team", "contextActivities", "revision", "platform", "language",
                "statement", "extensions"},
    "context.instructor": _AGENT, "context.instructor.account": {"homePage", "name"},
    "context.team": _AGENT | {"member"}, "context.team.member[0]": _AGENT,
    "context.contextActivities": {"parent", "grouping", "category", "other"},
    "context.contextActivities.parent[0]": {"objectType", "id", "definition"},
    "context.contextActivities.grouping": {"objectType", "id", "definition"},
    "context.statement": {"objectType", "id"}, "authority": _AGENT, "authority.account": {"homePage", "name"},
    "attachments[0]": {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
}
_ALLOWED_PROPERTIES_2_0: dict[str, set[str]] = {
    **_ALLOWED_PROPERTIES,
    "context": _ALLOWED_PROPERTIES["context"] | {"contextAgents", "contextGroups"},
    "context.contextAgents[0]": {"objectType", "agent", "relevantTypes"}, "context.contextAgents[0].agent": _AGENT,
    "context.contextGroups[0]": {"objectType", "group", "relevantTypes"},
    "context.contextGroups[0].group": _AGENT | {"member"},
}
_SUBSTATEMENT_PROPERTIES = {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}


@settings(max_examples=400, deadline=None)
@given(version=st.sampled_from(VERSIONS), data=st.data(), key=st.text(min_size=1, max_size=12))
def test_adding_an_unknown_property_to_any_object_is_rejected_at_that_property(version: str, data: st.DataObject,
                                                                              key: str) -> None:
    allowed = _ALLOWED_PROPERTIES_2_0 if version == "2.0.0" else _ALLOWED_PROPERTIES
    path = data.draw(st.sampled_from(sorted(allowed) + ["<substatement>"]))
    if path == "<substatement>":
        statement, path, permitted = substatement_statement(), "object", _SUBSTATEMENT_PROPERTIES
    else:
        statement, permitted = full_statement(version), allowed[path]
    assume(key not in permitted)
    property_path = f"{path}.{key}" if path else key
    target = get_at(statement, path) if path else statement
    target[key] = 1
    assert_rejected(statement, version, property_path)


def _is_rfc4122_uuid(text: str) -> bool:
    """Independent oracle: 8-4-4-4-12 ASCII hex with the RFC 4122 variant, via the uuid module."""
    if len(text) != 36 or any(text[index] != "-" for index in (8, 13, 18, 23)):
        return False
    digits = text.replace("-", "")
    if len(digits) != 32 or any(char not in "0123456789abcdefABCDEF" for char in digits):
        return False
    return uuid.UUID(digits).variant == uuid.RFC_4122


_uuid_texts = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda value: str(value).upper()),
    st.tuples(st.uuids().map(str), st.integers(0, 35), st.characters()).map(
        lambda parts: parts[0][:parts[1]] + parts[2] + parts[0][parts[1] + 1:]),
    st.text(alphabet="0123456789abcdefABCDEFxg-", min_size=30, max_size=40),
    st.text(max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from(VERSIONS), path=st.sampled_from(["id", "context.registration", "context.statement.id"]),
       text=_uuid_texts)
def test_uuid_properties_accept_exactly_rfc4122_uuids(version: str, path: str, text: str) -> None:
    statement = set_at(full_statement(version), path, text)
    if _is_rfc4122_uuid(text):
        validate_statement(statement, version)
    else:
        assert_rejected(statement, version, path)


def _is_duration(text: str) -> bool:
    """Independent oracle: a procedural reading of ISO 8601 §4.4.3.2 (PnYnMnDTnHnMnS / PnW)."""
    if not text.startswith("P") or len(text) < 2:
        return False
    order, position, in_time, saw_time_component = "YMDHMS", 0, False, False
    components: list[str] = []
    index = 1
    while index < len(text):
        if text[index] == "T":
            if in_time:
                return False
            in_time, position, index = True, 3, index + 1
            continue
        start = index
        while index < len(text) and text[index].isascii() and text[index].isdigit():
            index += 1
        if index == start:
            return False
        if index < len(text) and text[index] in ".,":
            index += 1
            fraction_start = index
            while index < len(text) and text[index].isascii() and text[index].isdigit():
                index += 1
            if index == fraction_start:
                return False
        if index >= len(text):
            return False
        designator = text[index]
        index += 1
        if designator == "W":
            if components or in_time or index != len(text):
                return False
            return True
        slot = order.find(designator, position)
        if slot == -1 or (slot >= 3) != in_time:
            return False
        position = slot + 1
        components.append(text[start:index - 1])
        saw_time_component = saw_time_component or in_time
    if not components or (in_time and not saw_time_component):
        return False
    return all("." not in number and "," not in number for number in components[:-1])


_DESIGNATORS = ("Y", "M", "D", "H", "M", "S")


@st.composite
def _valid_durations(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return f"P{draw(st.integers(0, 99))}W"
    present = draw(st.lists(st.booleans(), min_size=6, max_size=6).filter(any))
    numbers = [str(draw(st.integers(0, 9999))) for _ in present]
    last = max(index for index, flag in enumerate(present) if flag)
    if draw(st.booleans()):
        numbers[last] += draw(st.sampled_from([".", ","])) + str(draw(st.integers(0, 99999)))
    date = "".join(numbers[i] + _DESIGNATORS[i] for i in range(3) if present[i])
    time = "".join(numbers[i] + _DESIGNATORS[i] for i in range(3, 6) if present[i])
    return "P" + date + ("T" + time if time else "")


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from(VERSIONS), duration=_valid_durations())
def test_durations_built_from_iso8601_components_are_accepted(version: str, duration: str) -> None:
    assert _is_duration(duration)
    validate_statement(set_at(full_statement(version), "result.duration", duration), version)


@settings(max_examples=400, deadline=None)
@given(version=st.sampled_from(VERSIONS), duration=_valid_durations(), data=st.data())
def test_editing_one_character_of_a_duration_is_accepted_exactly_when_still_iso8601(
        version: str, duration: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(duration) - 1))
    edit = data.draw(st.sampled_from(["delete", "duplicate", "replace"]))
    replacement = data.draw(st.sampled_from(list("PYMWDTHS0123456789.,- x")))
    mutated = {"delete": duration[:position] + duration[position + 1:],
               "duplicate": duration[:position + 1] + duration[position:],
               "replace": duration[:position] + replacement + duration[position + 1:]}[edit]
    statement = set_at(full_statement(version), "result.duration", mutated)
    if _is_duration(mutated):
        validate_statement(statement, version)
    else:
        assert_rejected(statement, version, "result.duration")


_ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGIT = "0123456789"


def _subtag(alphabet: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=low, max_size=high)


@st.composite
def _language_tags(draw: st.DrawFn) -> str:
    """RFC 5646 §2.1 langtag: language [-script] [-region] *(-variant) *(-extension) [-privateuse]."""
    parts = [draw(_subtag(_ALPHA, 2, 3))]
    if draw(st.booleans()):
        parts.append(draw(_subtag(_ALPHA, 4, 4)))
    if draw(st.booleans()):
        parts.append(draw(_subtag(_ALPHA, 2, 2) | _subtag(_DIGIT, 3, 3)))
    variants = draw(st.lists(_subtag(_ALPHA + _DIGIT, 5, 8), max_size=2, unique_by=str.lower))
    parts += variants
    singletons = draw(st.lists(st.sampled_from("abcdefghijklmnopqrstuvwyz0123456789"), max_size=2,
                               unique_by=str.lower))
    for singleton in singletons:
        parts += [singleton, draw(_subtag(_ALPHA + _DIGIT, 2, 8))]
    if draw(st.booleans()):
        parts += ["x", draw(_subtag(_ALPHA + _DIGIT, 1, 8))]
    return "-".join(parts)


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from(VERSIONS), tag=_language_tags())
def test_language_tags_generated_from_the_rfc5646_grammar_are_accepted(version: str, tag: str) -> None:
    statement = set_at(full_statement(version), "verb.display", {tag: "text"})
    statement["context"]["language"] = tag
    validate_statement(statement, version)


_malformed_language_tags = st.one_of(
    _language_tags().map(lambda tag: tag + "-" + "abcdefghi"),                    # a 9-character subtag
    _language_tags().map(lambda tag: tag.replace("-", "--", 1) if "-" in tag else tag + "--x"),  # empty subtag
    st.tuples(_language_tags(), st.characters(blacklist_characters="-", blacklist_categories=("Lu", "Ll", "Nd")))
    .map(lambda parts: parts[0] + parts[1]),                                     # a character outside [A-Za-z0-9-]
    _subtag(_ALPHA, 9, 12),                                                       # language subtag too long
    _language_tags().map(lambda tag: tag + "-"),                                  # trailing hyphen
)


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from(VERSIONS), tag=_malformed_language_tags)
def test_malformed_language_tags_are_rejected_in_language_maps_and_context_language(version: str, tag: str) -> None:
    assert not is_language_tag(tag)
    assert_rejected(set_at(full_statement(version), "verb.display", {tag: "text"}), version, f'verb.display["{tag}"]')
    assert_rejected(set_at(full_statement(version), "context.language", tag), version, "context.language")


_IRI_PATH_CHARACTERS = st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x30FF) | \
    st.sampled_from(list("-._~!$&'()*+,;=:@"))


@st.composite
def _absolute_iris(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "urn", "tag", "ftp", "x-custom+v1.2"]))
    host = ".".join(draw(st.lists(_subtag(_ALPHA + _DIGIT, 1, 10), min_size=1, max_size=3)))
    segments = draw(st.lists(st.text(_IRI_PATH_CHARACTERS, max_size=8), max_size=4))
    iri = f"{scheme}://{host}" + "".join("/" + segment for segment in segments)
    if draw(st.booleans()):
        iri += "?" + draw(st.text(_IRI_PATH_CHARACTERS | st.just("/") | st.just("?"), max_size=8))
    if draw(st.booleans()):
        iri += "#" + draw(st.text(_IRI_PATH_CHARACTERS, max_size=8))
    return iri


_IRI_PROPERTIES = ["verb.id", "object.id", "object.definition.type", "object.definition.moreInfo",
                   "context.contextActivities.parent[0].id", "attachments[0].usageType", "attachments[0].fileUrl",
                   "context.instructor.account.homePage", "context.team.member[0].openid"]


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from(VERSIONS), path=st.sampled_from(_IRI_PROPERTIES), iri=_absolute_iris())
def test_absolute_iris_are_accepted_in_every_iri_property(version: str, path: str, iri: str) -> None:
    validate_statement(set_at(full_statement(version), path, iri), version)


@st.composite
def _broken_iris(draw: st.DrawFn) -> str:
    iri = draw(_absolute_iris())
    if draw(st.booleans()):
        return iri.split(":", 1)[1].lstrip("/").replace(":", "/")                  # no scheme at all
    position = draw(st.integers(iri.index(":") + 1, len(iri)))
    # Characters RFC 3987 never allows, malformed pct-encodings, a second "#".
    forbidden = draw(st.sampled_from(list(" <>\"{}|\\^`\n\t\x7f") + ["%zz", "%4g", "#a#"]))
    return iri[:position] + forbidden + iri[position:]


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from(VERSIONS), path=st.sampled_from(_IRI_PROPERTIES), iri=_broken_iris())
def test_iris_without_scheme_or_with_characters_rfc3987_forbids_are_rejected(version: str, path: str,
                                                                             iri: str) -> None:
    assert_rejected(set_at(full_statement(version), path, iri), version, path)


@settings(max_examples=200, deadline=None)
@given(version=st.sampled_from(VERSIONS), iri=_absolute_iris(), broken=_broken_iris())
def test_extension_keys_must_be_absolute_iris(version: str, iri: str, broken: str) -> None:
    validate_statement(set_at(full_statement(version), "result.extensions", {iri: 1}), version)
    assert_rejected(set_at(full_statement(version), "result.extensions", {broken: 1}), version,
                    f'result.extensions["{broken}"]')


_TIMESTAMP_STYLES: dict[str, tuple[Callable[[datetime], str], set[str]]] = {
    # style: (rendering of an aware datetime, versions whose syntax it belongs to)
    "rfc3339 Z": (lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), set(VERSIONS)),
    "rfc3339 offset": (lambda moment: moment.isoformat(timespec="milliseconds"), set(VERSIONS)),
    "rfc3339 space, lower z": (lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%Sz"),
                               set(VERSIONS)),
    "iso8601 basic": (lambda moment: moment.strftime("%Y%m%dT%H%M%S%z"), {"1.0.3"}),
    "iso8601 offset without colon": (lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S%z"), {"1.0.3"}),
    "iso8601 without offset": (lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S"), {"1.0.3"}),
    "iso8601 without seconds": (lambda moment: moment.strftime("%Y-%m-%dT%H:%MZ"), {"1.0.3"}),
    "date only": (lambda moment: moment.strftime("%Y-%m-%d"), set()),
    "US date": (lambda moment: moment.strftime("%m/%d/%Y %H:%M:%S"), set()),
    "negative zero offset": (lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S-00:00"), set()),
}


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from(VERSIONS), style=st.sampled_from(sorted(_TIMESTAMP_STYLES)),
       moment=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30)),
       offset_minutes=st.integers(-14 * 60, 14 * 60),
       path=st.sampled_from(["timestamp", "stored", "object.timestamp"]))
def test_timestamps_are_accepted_exactly_in_the_negotiated_versions_syntax(
        version: str, style: str, moment: datetime, offset_minutes: int, path: str) -> None:
    render, versions = _TIMESTAMP_STYLES[style]
    text = render(moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes))))
    statement = set_at(substatement_statement() if path == "object.timestamp" else full_statement(version), path, text)
    if version in versions:
        validate_statement(statement, version)
    else:
        assert_rejected(statement, version, path)
