"""The JSON rule tables are complete, self-consistent and usable by both Python and the browser runtime."""

from __future__ import annotations

import json
import re

import pytest

from scorm_player.runtime.durations import CMI_TIMESPAN, ISO8601_DURATION
from scorm_player.runtime.paths import resolve_element
from scorm_player.runtime.rules import INDEX, SCORM_VERSIONS, TARGET, load_rules, rules_path

# Error codes each version defines (SCORM 1.2 RTE §3.3; SCORM 2004 RTE §3.1.7).
SCORM12_CODES = {0, 101, 201, 202, 203, 301, 401, 402, 403, 404, 405}
SCORM2004_CODES = {0, 101, 102, 103, 104, 111, 112, 113, 122, 123, 132, 133, 142, 143, 201, 301, 351, 391,
                   401, 402, 403, 404, 405, 406, 407, 408}


@pytest.mark.parametrize("version", SCORM_VERSIONS)
def test_rules_file_is_plain_json_with_every_section(version):
    table = json.loads(rules_path(version).read_text(encoding="utf-8"))
    assert {"version", "errors", "limits", "types", "containers", "arrays", "elements", "launch_elements",
            "session_elements"} <= set(table)


def test_each_version_defines_exactly_its_spec_error_codes():
    assert set(load_rules("1.2").messages) == SCORM12_CODES
    assert set(load_rules("2004").messages) == SCORM2004_CODES


@pytest.mark.parametrize("version", SCORM_VERSIONS)
def test_every_error_condition_maps_to_a_code_the_version_defines(version):
    rules = load_rules(version)
    for condition, code in rules.conditions.items():
        assert code is None or code in rules.messages, condition


@pytest.mark.parametrize("version", SCORM_VERSIONS)
def test_every_element_dependency_and_array_refers_to_something_defined(version):
    rules = load_rules(version)
    for pattern, rule in rules.elements.items():
        for required in rule.requires:
            assert required in rules.elements, (pattern, required)
        parts = pattern.split(".")
        for position, part in enumerate(parts):
            if part == INDEX:
                assert ".".join(parts[:position]) in rules.arrays, pattern
        if rule.access != "write-only" and rule.check == "vocabulary" and rule.default is not None:
            assert rule.default in rule.vocabulary, pattern
    for session_role, element in rules.session_elements.items():
        assert element in rules.elements or element in rules.arrays or element.startswith("adl."), session_role
    for field_name, element in rules.launch_elements.items():
        assert rules.elements[element].access == "read-only", field_name


@pytest.mark.parametrize("version", SCORM_VERSIONS)
def test_every_regex_compiles_and_avoids_python_only_syntax(version):
    # The browser runtime compiles the same strings with JavaScript RegExp: no (?P<…>), no inline flags.
    table = json.loads(rules_path(version).read_text(encoding="utf-8"))
    for name, spec in table["types"].items():
        for key, regex in spec.items():
            if key.endswith("regex"):
                re.compile(regex)
                assert "(?P" not in regex and "(?i" not in regex, (name, key)


def test_2004_timeinterval_regex_in_table_is_the_one_python_parses_with():
    assert load_rules("2004").types["timeinterval"]["regex"] == ISO8601_DURATION.pattern


def test_12_timespan_regex_in_table_accepts_what_python_parses():
    table_regex = re.compile(load_rules("1.2").types["cmi_timespan"]["regex"])
    for sample in ("00:00:00", "0000:30:00.5", "9999:59:59.99", "1:00:00", "00:00"):
        assert bool(table_regex.match(sample)) == bool(CMI_TIMESPAN.match(sample)), sample


def test_2004_navigation_validity_templates_resolve_targets_containing_dots():
    rules = load_rules("2004")
    path = resolve_element(rules, "adl.nav.request_valid.choice.{target=module.1.intro}")
    assert path.kind == "element"
    assert path.pattern == "adl.nav.request_valid.choice." + TARGET


def test_language_code_list_holds_iso_639_1_and_639_2_codes_including_withdrawn_ones():
    codes = load_rules("2004").language_codes
    assert {"en", "eng", "fr", "fra", "fre", "de", "ger", "deu", "zh", "chi", "zho", "mo", "scr"} <= codes
    assert not {"sp", "frl", "exg", "ruq"} & codes
