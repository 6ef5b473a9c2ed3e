"""Tests for lrs.model.agents: canonical IFI keys and the `agent` query parameter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import BadRequest
from lrs.model.agents import agent_ifi, canonical_mbox, parse_agent_param

VERSIONS = ("1.0.3", "2.0.0")
both_versions = pytest.mark.parametrize("version", VERSIONS)
SHA1 = "cd9b00a5611f94eaa7b1661edab976068e364975"


@pytest.mark.parametrize(("agent", "key"), [
    ({"mbox": "mailto:ada@example.com"}, "mbox:mailto:ada@example.com"),
    ({"objectType": "Agent", "name": "Ada", "mbox": "MAILTO:Ada@Example.COM"}, "mbox:mailto:Ada@example.com"),
    ({"mbox_sha1sum": SHA1.upper()}, f"mbox_sha1sum:{SHA1}"),
    ({"openid": "http://openid.example.org/12345"}, "openid:http://openid.example.org/12345"),
    ({"account": {"homePage": "https://lms.example.com", "name": "ada|1"}}, "account:https://lms.example.com|ada|1"),
    ({"objectType": "Group", "mbox": "mailto:team@example.com", "member": [{"mbox": "mailto:a@example.com"}]},
     "mbox:mailto:team@example.com"),
])
def test_agent_ifi_gives_the_canonical_key_of_each_identifier_kind(agent: dict, key: str) -> None:
    assert agent_ifi(agent) == key


def test_agent_ifi_keeps_the_case_of_the_mailbox_local_part() -> None:
    assert agent_ifi({"mbox": "mailto:Ada@example.com"}) != agent_ifi({"mbox": "mailto:ada@example.com"})


def test_agent_ifi_of_an_anonymous_group_is_an_error() -> None:
    with pytest.raises(ValueError):
        agent_ifi({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]})


def test_canonical_mbox_lowercases_scheme_and_domain_only() -> None:
    assert canonical_mbox("MailTo:First.Last@Sub.Example.ORG") == "mailto:First.Last@sub.example.org"


@both_versions
@pytest.mark.parametrize("agent", [
    {"mbox": "mailto:ada@example.com"},
    {"objectType": "Agent", "name": "Ada", "account": {"homePage": "https://lms.example.com", "name": "ada"}},
    {"objectType": "Group", "openid": "https://openid.example.com/team"},
    {"objectType": "Group", "mbox_sha1sum": SHA1, "member": [{"mbox": "mailto:a@example.com"}]},
])
def test_parse_agent_param_returns_agents_and_identified_groups(version: str, agent: dict) -> None:
    assert parse_agent_param(json.dumps(agent), version) == agent


@both_versions
@pytest.mark.parametrize("raw", [
    "", "wrong", "true", "1", "null", '"mailto:ada@example.com"', '[{"mbox": "mailto:ada@example.com"}]',
    "{mbox: 'mailto:ada@example.com'}", '{"mbox": "mailto:ada@example.com"',
])
def test_parse_agent_param_rejects_values_that_are_not_a_json_object(version: str, raw: str) -> None:
    with pytest.raises(BadRequest) as raised:
        parse_agent_param(raw, version)
    assert raised.value.field == "agent"
    assert raised.value.status == 400


@both_versions
@pytest.mark.parametrize(("agent", "reason"), [
    ({"name": "Ada"}, "exactly one inverse functional identifier"),
    ({"mbox": "mailto:ada@example.com", "openid": "http://openid.example.org/1"}, "exactly one"),
    ({"mbox": "ada@example.com"}, "mailto"),
    ({"mbox_sha1sum": "abc"}, "SHA-1"),
    ({"openid": "openid.example.org/1"}, "IRI"),
    ({"account": {"homePage": "https://lms.example.com"}}, "name"),
    ({"mbox": "mailto:ada@example.com", "role": "learner"}, "unknown property"),
    ({"objectType": "agent", "mbox": "mailto:ada@example.com"}, "objectType"),
    ({"objectType": "Activity", "id": "http://example.com/a"}, "objectType"),
    ({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}, "anonymous Group"),
    ({"objectType": "Group", "mbox": "mailto:t@example.com", "member": [{"objectType": "Group",
                                                                        "mbox": "mailto:u@example.com"}]},
     "members must be Agents"),
])
def test_parse_agent_param_rejects_anything_but_a_valid_agent_or_identified_group(version: str, agent: dict,
                                                                                  reason: str) -> None:
    with pytest.raises(BadRequest) as raised:
        parse_agent_param(json.dumps(agent), version)
    assert raised.value.field == "agent"
    assert reason in raised.value.message


_hosts = st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,8}){1,2}", fullmatch=True)
_local_parts = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+\-]{0,10}", fullmatch=True)


@st.composite
def _identifiers(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["mbox", "mbox_sha1sum", "openid", "account"]))
    if kind == "mbox":
        return {"mbox": f"mailto:{draw(_local_parts)}@{draw(_hosts)}"}
    if kind == "mbox_sha1sum":
        return {"mbox_sha1sum": draw(st.text("0123456789abcdef", min_size=40, max_size=40))}
    if kind == "openid":
        return {"openid": f"https://{draw(_hosts)}/{draw(_local_parts)}"}
    return {"account": {"homePage": f"https://{draw(_hosts)}", "name": draw(st.text(min_size=1, max_size=12))}}


def _swap_case(identifier: dict[str, Any]) -> dict[str, Any]:
    """Change only what is case-insensitive: the mailto scheme, the e-mail domain, SHA-1 hex digits."""
    if "mbox" in identifier:
        local, domain = identifier["mbox"][7:].rsplit("@", 1)
        return {"mbox": f"MAILTO:{local}@{domain.upper()}"}
    if "mbox_sha1sum" in identifier:
        return {"mbox_sha1sum": identifier["mbox_sha1sum"].upper()}
    return identifier


@given(identifier=_identifiers(), name=st.text(max_size=10), version=st.sampled_from(VERSIONS),
       as_group=st.booleans(), explicit_type=st.booleans())
def test_ifi_identifies_an_agent_whatever_its_name_type_spelling_or_case(
        identifier: dict[str, Any], name: str, version: str, as_group: bool, explicit_type: bool) -> None:
    plain = parse_agent_param(json.dumps(identifier), version)
    decorated: dict[str, Any] = {"name": name, **_swap_case(identifier)}
    if as_group:
        decorated["objectType"] = "Group"
    elif explicit_type:
        decorated["objectType"] = "Agent"
    reparsed = parse_agent_param(json.dumps(dict(reversed(list(decorated.items())))), version)
    assert agent_ifi(reparsed) == agent_ifi(plain)


@given(first=_identifiers(), second=_identifiers())
def test_ifis_differ_when_the_identifying_values_differ(first: dict[str, Any], second: dict[str, Any]) -> None:
    same_kind = first.keys() == second.keys()
    normalised_first, normalised_second = (json.dumps(_swap_case(value), sort_keys=True) for value in (first, second))
    if not same_kind or normalised_first != normalised_second:
        assert agent_ifi(first) != agent_ifi(second)
    else:
        assert agent_ifi(first) == agent_ifi(second)
