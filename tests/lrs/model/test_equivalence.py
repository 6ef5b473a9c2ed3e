"""Tests for lrs.model.equivalence: which differences the Statement comparison rules ignore, and which not."""

from __future__ import annotations

import copy
import json
from datetime import timedelta, timezone
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrs.model.equivalence import statements_equivalent
from lrs.model.timestamps import parse_timestamp
from tests.lrs.model.test_validation import (
    REFERENCED_ID,
    STATEMENT_ID,
    delete_at,
    full_statement,
    get_at,
    set_at,
    substatement_statement,
)

Mutation = Callable[[dict], dict]


def as_stored_by_an_lrs(statement: dict) -> dict:
    """What an LRS may legitimately have made of a Statement when storing it."""
    stored = copy.deepcopy(statement)
    stored["stored"] = "2024-03-14T15:10:00.000000Z"
    stored["authority"] = {"objectType": "Agent", "account": {"homePage": "https://lrs.example.com", "name": "me"}}
    stored["version"] = "1.0.0"
    stored.setdefault("timestamp", stored["stored"])
    stored["object"].setdefault("objectType", "Activity")
    activities = stored.get("context", {}).get("contextActivities", {})
    for kind, value in activities.items():
        if isinstance(value, dict):
            activities[kind] = [value]
    return stored


def test_a_statement_is_equivalent_to_itself() -> None:
    statement = full_statement("2.0.0")
    assert statements_equivalent(statement, copy.deepcopy(statement))


@pytest.mark.parametrize("statement", [full_statement("1.0.3"), full_statement("2.0.0"), substatement_statement()],
                         ids=["1.0.3", "2.0.0", "substatement"])
def test_ignores_the_properties_and_normalisations_the_lrs_applies_when_storing(statement: dict) -> None:
    incoming = copy.deepcopy(statement)
    for lrs_assigned in ("stored", "authority", "version"):
        incoming.pop(lrs_assigned, None)
    assert statements_equivalent(as_stored_by_an_lrs(statement), incoming)


def transform(path: str, change: Callable[[Any], Any]) -> Mutation:
    """A mutation applying `change` to the current value at `path` (no-op when the path is absent)."""
    def mutate(statement: dict) -> dict:
        try:
            current = get_at(statement, path)
        except (KeyError, IndexError, TypeError):
            return statement
        return set_at(statement, path, change(current))
    return mutate


def remove(path: str) -> Mutation:
    def mutate(statement: dict) -> dict:
        try:
            return delete_at(statement, path)
        except (KeyError, IndexError, TypeError):
            return statement
    return mutate


def _upper_domain(mbox: str) -> str:
    local, domain = mbox.rsplit("@", 1)
    return f"{local}@{domain.upper()}"


def _shift_to_plus_one_hour(timestamp: str) -> str:
    moment = parse_timestamp(timestamp, "2.0.0", "timestamp").astimezone(timezone(timedelta(hours=1)))
    return moment.isoformat()


def _more_duration_digits(duration: str) -> str:
    return duration[:-1] + "0049S" if "." in duration and duration.endswith("S") else duration


def _as_float(value: Any) -> Any:
    return float(value) if type(value) is int else value


IGNORED_DIFFERENCES: dict[str, Mutation] = {
    "statement id case": transform("id", str.upper),
    "statement id absent": remove("id"),
    "stored": lambda s: {**s, "stored": "2030-01-01T00:00:00Z"},
    "authority": lambda s: {**s, "authority": {"mbox": "mailto:other@example.com"}},
    "version": lambda s: {**s, "version": "1.0.0"},
    "attachments": remove("attachments"),
    "verb display": transform("verb.display", lambda display: {"fr": "a répondu"}),
    "activity definition": remove("object.definition"),
    "activity definition name": transform("object.definition.name", lambda name: {"en-US": "Renamed"}),
    "context activity definition": remove("context.contextActivities.other[0].definition"),
    "timestamp in another offset": transform("timestamp", _shift_to_plus_one_hour),
    "timestamp absent on one side": remove("timestamp"),
    "activity objectType omitted": remove("object.objectType"),
    "agent objectType omitted": remove("actor.objectType"),
    "context activity as single object": transform(
        "context.contextActivities.parent", lambda parent: parent[0] if len(parent) == 1 else parent),
    "group member order": transform("context.team.member", lambda members: list(reversed(members))),
    "mbox domain case": transform("actor.mbox", _upper_domain),
    "mbox scheme case": transform("actor.mbox", lambda mbox: "MAILTO:" + mbox[7:]),
    "mbox_sha1sum case": transform("context.team.mbox_sha1sum", str.upper),
    "registration case": transform("context.registration", str.upper),
    "statement ref id case": transform("context.statement.id", str.upper),
    "context language case": transform("context.language", str.upper),
    "property order": lambda s: json.loads(json.dumps(dict(reversed(list(s.items()))))),
    "integer written as float": transform("result.score.raw", _as_float),
    "duration precision beyond hundredths": transform("result.duration", _more_duration_digits),
    "duration trailing zero": transform("result.duration", lambda d: d[:-1] + "0S" if "." in d else d),
}


def _with_two_team_members(statement: dict) -> dict:
    return set_at(statement, "context.team.member", [{"openid": "https://openid.example.com/carol"},
                                                     {"openid": "https://openid.example.com/dan"}])


@pytest.mark.parametrize("difference", sorted(IGNORED_DIFFERENCES))
def test_ignores_differences_the_comparison_rules_exempt(difference: str) -> None:
    existing = _with_two_team_members(full_statement("2.0.0"))
    assert statements_equivalent(existing, IGNORED_DIFFERENCES[difference](existing))
    assert statements_equivalent(IGNORED_DIFFERENCES[difference](existing), existing)


COMPARED_DIFFERENCES: dict[str, Mutation] = {
    "statement id": lambda s: set_at(s, "id", REFERENCED_ID),
    "actor": lambda s: set_at(s, "actor.mbox", "mailto:bob@example.com"),
    "mbox local part case": lambda s: set_at(s, "actor.mbox", "mailto:Ada@example.com"),
    "actor name": lambda s: set_at(s, "actor.name", "Ada L."),
    "verb id": lambda s: set_at(s, "verb.id", "http://example.com/different/verb/iri"),
    "verb id case": lambda s: set_at(s, "verb.id", "http://adlnet.gov/expapi/verbs/Answered"),
    "object id": lambda s: set_at(s, "object.id", "http://example.com/quiz/q2"),
    "object kind": lambda s: set_at(s, "object", {"objectType": "StatementRef", "id": REFERENCED_ID}),
    "result response": lambda s: set_at(s, "result.response", "golf"),
    "score": lambda s: set_at(s, "result.score.raw", 6),
    "success true versus 1": lambda s: set_at(s, "result.success", 1),
    "completion": lambda s: set_at(s, "result.completion", False),
    "duration written in other units": lambda s: set_at(s, "result.duration", "PT63.5S"),
    "duration hundredths": lambda s: set_at(s, "result.duration", "PT1M3.51S"),
    "result removed": lambda s: delete_at(s, "result"),
    "result extension value": lambda s: set_at(s, "result.extensions", {"http://example.com/ext/attempt": "1"}),
    "extension null versus absent": lambda s: set_at(s, "context.extensions",
                                                     {"http://example.com/ext/session": "s-1",
                                                      "http://example.com/ext/x": None}),
    "timestamp instant": lambda s: set_at(s, "timestamp", "2024-03-14T15:09:26.536Z"),
    "registration": lambda s: set_at(s, "context.registration", STATEMENT_ID),
    "instructor": lambda s: set_at(s, "context.instructor.account.name", "bobby"),
    "team member": lambda s: set_at(s, "context.team.member[1].openid", "https://openid.example.com/erin"),
    "context activity": lambda s: set_at(s, "context.contextActivities.parent[0].id", "http://example.com/other-quiz"),
    "context activity added": lambda s: set_at(s, "context.contextActivities.category",
                                               [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"},
                                                {"id": "http://example.com/extra"}]),
    "platform": lambda s: set_at(s, "context.platform", "Other LMS"),
    "context statement": lambda s: set_at(s, "context.statement.id", STATEMENT_ID),
    "context agent": lambda s: set_at(s, "context.contextAgents[0].agent.mbox", "mailto:other@example.com"),
    "context group relevant type": lambda s: set_at(s, "context.contextGroups[0].relevantTypes",
                                                    ["https://example.com/xapi/roles/allies"]),
}


@pytest.mark.parametrize("difference", sorted(COMPARED_DIFFERENCES))
def test_detects_differences_the_comparison_rules_do_not_exempt(difference: str) -> None:
    existing = _with_two_team_members(full_statement("2.0.0"))
    assert not statements_equivalent(existing, COMPARED_DIFFERENCES[difference](existing))
    assert not statements_equivalent(COMPARED_DIFFERENCES[difference](existing), existing)


def test_compares_substatements_including_their_timestamp_but_not_their_definitions() -> None:
    existing = substatement_statement()
    assert statements_equivalent(existing, delete_at(existing, "object.object.definition"))
    assert statements_equivalent(existing, set_at(existing, "object.timestamp", "2024-03-14T10:09:26.535-05:00"))
    assert not statements_equivalent(existing, delete_at(existing, "object.timestamp"))
    assert not statements_equivalent(existing, set_at(existing, "object.result.success", False))
    assert not statements_equivalent(existing, set_at(existing, "object.actor.mbox", "mailto:bob@example.com"))


def test_a_changed_verb_is_a_conflict_as_the_conformance_suite_checks() -> None:
    existing = full_statement("1.0.3")
    modified = set_at(existing, "verb.id", "http://example.com/different/verb/iri")
    assert not statements_equivalent(as_stored_by_an_lrs(existing), modified)


# Paths whose values take part in the comparison, with a generator of a different, valid value.
_COMPARED_LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "actor.name": st.text(max_size=8),
    "verb.id": st.from_regex(r"https://example\.org/verbs/[a-z]{1,8}", fullmatch=True),
    "object.id": st.from_regex(r"https://example\.org/activities/[a-z0-9]{1,8}", fullmatch=True),
    "result.score.raw": st.integers(0, 10),
    "result.response": st.text(max_size=8),
    "result.success": st.booleans(),
    "context.platform": st.text(max_size=8),
    "context.revision": st.text(max_size=8),
    "context.extensions": st.dictionaries(st.sampled_from(["http://example.com/a", "http://example.com/b"]),
                                          st.integers() | st.text(max_size=3) | st.none(), max_size=2),
    "context.contextActivities.parent[0].id": st.from_regex(r"https://example\.org/[a-z]{1,8}", fullmatch=True),
}


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(sorted(_COMPARED_LEAVES)), data=st.data())
def test_changing_any_compared_value_breaks_equivalence_and_restoring_it_restores_it(
        path: str, data: st.DataObject) -> None:
    existing = full_statement("2.0.0")
    value = data.draw(_COMPARED_LEAVES[path])
    incoming = set_at(existing, path, value)
    assert statements_equivalent(existing, incoming) == (get_at(existing, path) == value and
                                                         type(get_at(existing, path)) is type(value))


# Exempt differences that would erase a compared one (dropping the timestamp hides a changed instant).
_ERASES = {"timestamp instant": {"timestamp absent on one side"},
           "statement id": {"statement id absent", "statement id case"}}


@settings(max_examples=300, deadline=None)
@given(differences=st.lists(st.sampled_from(sorted(IGNORED_DIFFERENCES)), unique=True, max_size=6),
       compared=st.sampled_from([None, *sorted(COMPARED_DIFFERENCES)]))
def test_any_mix_of_exempt_differences_keeps_equivalence_unless_a_compared_value_differs(
        differences: list[str], compared: str | None) -> None:
    existing = _with_two_team_members(full_statement("2.0.0"))
    incoming = copy.deepcopy(existing)
    if compared is not None:
        incoming = COMPARED_DIFFERENCES[compared](incoming)
    for difference in differences:
        if difference not in _ERASES.get(compared, ()):  # type: ignore[arg-type]
            incoming = IGNORED_DIFFERENCES[difference](incoming)
    assert statements_equivalent(existing, incoming) is (compared is None)
