"""Value checks for the SCORM data types (2004 RTE §4.1, 1.2 RTE §3.4), driven by the rules table."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Callable, Mapping

from scorm_player.runtime.durations import parse_cmi_time, parse_cmi_timespan, parse_iso8601_duration
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.rules import DataModelRules, ElementRule

LANGUAGE_DELIMITER = "{lang="
# Leading {case_matters=…}/{order_matters=…} of a correct response pattern (2004 RTE table 4.2.9.1).
RESPONSE_FLAG = re.compile(r"^\{(case_matters|order_matters)=([^}]*)\}")
LANGUAGE_SUBTAG = re.compile(r"^[A-Za-z0-9]{1,8}$")


@dataclass(frozen=True)
class ValueProblem:
    """Why a value is refused: a condition name from the rules table's error conditions, and a readable detail."""

    condition: str
    detail: str


def cmi_real(text: str | None) -> float | None:
    """A stored (already validated) CMI real as a float; None when unset or not a number."""
    if text is None or text == "":
        return None
    try:
        return float(Decimal(text))
    except (InvalidOperation, ValueError):
        return None


def check_value(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                interaction_type: str | None = None) -> ValueProblem | None:
    """None when `value` may be stored in the element `rule` describes."""
    if rule.empty_allowed and value == "":
        return None
    return _CHECKS[rule.check](rules, rule, value, options, interaction_type)


def is_language_tag(rules: DataModelRules, tag: str) -> bool:
    """RFC 3066 language tag with an ISO 639 primary subtag, "i" or "x" (2004 RTE §4.1, ADL DMI language cases)."""
    subtags = tag.split("-")
    primary = subtags[0].lower()
    if primary not in ("i", "x") and primary not in rules.language_codes:
        return False
    return all(LANGUAGE_SUBTAG.match(subtag) for subtag in subtags[1:])


def split_language(rules: DataModelRules, value: str) -> tuple[str | None, str] | None:
    """(language, text) of a localized string; None when the {lang=…} delimiter is malformed (→ type mismatch)."""
    if not value.startswith(LANGUAGE_DELIMITER):
        return None, value
    end = value.find("}")
    if end < 0:
        return None
    language = value[len(LANGUAGE_DELIMITER):end]
    if not is_language_tag(rules, language):
        return None
    return language, value[end + 1:]


def check_response(rules: DataModelRules, spec: Mapping[str, Any], value: str,
                   options: RuntimeOptions) -> ValueProblem | None:
    """Check a correct_responses pattern or learner_response against one format of 2004 RTE table 4.2.9.1."""
    text = value
    allowed_flags = set(spec.get("flags", ()))
    seen_flags: set[str] = set()
    while (flag := RESPONSE_FLAG.match(text)) and flag.group(1) in allowed_flags and flag.group(1) not in seen_flags:
        if flag.group(2) not in ("true", "false"):
            return ValueProblem("type_mismatch", f"{{{flag.group(1)}=…}} must be true or false")
        seen_flags.add(flag.group(1))
        text = text[flag.end():]
    if text == "" and spec.get("empty_value"):
        return None
    delimiter = spec.get("delimiter")
    items = text.split(delimiter) if delimiter else [text]
    max_items = spec.get("max_items")
    if max_items and len(items) > max_items and options.enforces_smallest_permitted_maximum(rules):
        return ValueProblem("too_long", f"{len(items)} items; the smallest permitted maximum is {max_items}")
    if spec.get("unique") and len(set(items)) != len(items):
        return ValueProblem("type_mismatch", "the items must be unique")
    for item in items:
        problem = _check_response_item(rules, spec["item"], item, options)
        if problem is not None:
            return problem
    return None


def _check_characterstring(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                           interaction_type: str | None) -> ValueProblem | None:
    return _check_length(rules, rule, len(value), options)


def _check_localized_string(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                            interaction_type: str | None) -> ValueProblem | None:
    parsed = split_language(rules, value)
    if parsed is None:
        return ValueProblem("type_mismatch", "malformed {lang=…} delimiter")
    # The SPM counts the text after the delimiter (2004 RTE §4.1, ADL DMI long-fill-in cases).
    return _check_length(rules, rule, len(parsed[1]), options)


def _check_language(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                    interaction_type: str | None) -> ValueProblem | None:
    if value != "" and not is_language_tag(rules, value):
        return ValueProblem("type_mismatch", f"{value!r} is not a language tag")
    return _check_length(rules, rule, len(value), options)


def _check_identifier(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                      interaction_type: str | None) -> ValueProblem | None:
    problem = _identifier_problem(rule.type_spec, value)
    return problem or _check_length(rules, rule, len(value), options)


def _check_real(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                interaction_type: str | None) -> ValueProblem | None:
    number = _number(rule.type_spec["regex"], value)
    if number is None:
        return ValueProblem("type_mismatch", f"{value!r} is not a number")
    return _check_range(rule, number)


def _check_integer(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                   interaction_type: str | None) -> ValueProblem | None:
    number = _number(rule.type_spec["regex"], value)
    if number is None:
        return ValueProblem("type_mismatch", f"{value!r} is not an integer")
    return _check_range(rule, number)


def _check_vocabulary(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                      interaction_type: str | None) -> ValueProblem | None:
    if value not in rule.vocabulary:
        return ValueProblem("type_mismatch", f"{value!r} is not one of {', '.join(map(repr, rule.vocabulary))}")
    if value in rule.not_settable:
        # SCORM 1.2 RTE §3.4 (spec §2.3): a SCO may not set lesson_status to "not attempted" (ADL CMICore → 405).
        return ValueProblem("type_mismatch", f"a SCO may not set {value!r}")
    return None


def _check_result(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                  interaction_type: str | None) -> ValueProblem | None:
    if value in rule.vocabulary or _number(rule.type_spec["regex"], value) is not None:
        return None
    return ValueProblem("type_mismatch", f"{value!r} is neither a result keyword nor a number")


def _check_timestamp(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                     interaction_type: str | None) -> ValueProblem | None:
    if _is_timestamp(rule.type_spec, value):
        return None
    return ValueProblem("type_mismatch", f"{value!r} is not a SCORM time(second,10,0) timestamp")


def _check_timeinterval(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                        interaction_type: str | None) -> ValueProblem | None:
    if parse_iso8601_duration(value) is None:
        return ValueProblem("type_mismatch", f"{value!r} is not an ISO 8601 duration")
    return None


def _check_clock_time(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                      interaction_type: str | None) -> ValueProblem | None:
    if parse_cmi_time(value) is None:
        return ValueProblem("type_mismatch", f"{value!r} is not a CMITime HH:MM:SS.SS")
    return None


def _check_timespan(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                    interaction_type: str | None) -> ValueProblem | None:
    if parse_cmi_timespan(value) is None:
        return ValueProblem("type_mismatch", f"{value!r} is not a CMITimespan HHHH:MM:SS.SS")
    return None


def _check_nav_request(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                       interaction_type: str | None) -> ValueProblem | None:
    if value in rule.vocabulary or _compiled(rule.type_spec["target_regex"]).match(value):
        return None
    return ValueProblem("type_mismatch", f"{value!r} is not a navigation request")


def _check_interaction_response(rules: DataModelRules, rule: ElementRule, value: str, options: RuntimeOptions,
                                interaction_type: str | None) -> ValueProblem | None:
    formats = rules.interaction_types.get(interaction_type or "")
    if formats is None:
        return ValueProblem("dependency_not_established", "the interaction has no type")
    return check_response(rules, formats[rule.type_spec["response"]], value, options)


def _check_response_item(rules: DataModelRules, spec: Mapping[str, Any], item: str,
                         options: RuntimeOptions) -> ValueProblem | None:
    kind = spec["kind"]
    if kind in ("short_identifier", "long_identifier"):
        return _identifier_problem(rules.types[kind], item) or _check_item_length(rules, spec, len(item), options)
    if kind == "localized_string":
        parsed = split_language(rules, item)
        if parsed is None:
            return ValueProblem("type_mismatch", "malformed {lang=…} delimiter")
        return _check_item_length(rules, spec, len(parsed[1]), options)
    if kind == "characterstring":
        return _check_item_length(rules, spec, len(item), options)
    if kind == "vocabulary":
        return None if item in spec["vocabulary"] else ValueProblem("type_mismatch", f"{item!r} is not allowed")
    if kind == "real":
        return None if _number(rules.types["real"]["regex"], item) is not None else ValueProblem(
            "type_mismatch", f"{item!r} is not a number")
    if kind == "numeric_range":
        return _numeric_range_problem(rules, item)
    if kind == "pair":
        return _pair_problem(rules, spec, item, options)
    if kind == "any_of":
        problems = [_check_response_item(rules, option, item, options) for option in spec["kinds"]]
        return None if any(problem is None for problem in problems) else problems[0]
    raise ValueError(f"unknown response item kind {kind!r}")


def _pair_problem(rules: DataModelRules, spec: Mapping[str, Any], item: str,
                  options: RuntimeOptions) -> ValueProblem | None:
    halves = item.split(spec["delimiter"])
    if len(halves) != 2:
        return ValueProblem("type_mismatch", f"{item!r} is not a {spec['delimiter']}-separated pair")
    first, second = halves
    if spec.get("optional_half") and (first == "") != (second == ""):
        # Performance records may omit the step name or the step answer, not both (2004 RTE table 4.2.9.1).
        present_spec, present = (spec["second"], second) if first == "" else (spec["first"], first)
        return _check_response_item(rules, present_spec, present, options)
    return (_check_response_item(rules, spec["first"], first, options)
            or _check_response_item(rules, spec["second"], second, options))


def _numeric_range_problem(rules: DataModelRules, item: str) -> ValueProblem | None:
    bounds = item.split("[:]")
    if len(bounds) > 2:
        return ValueProblem("type_mismatch", f"{item!r} is not min[:]max")
    numbers: list[Decimal | None] = []
    for bound in bounds:
        if bound == "" and len(bounds) == 2:
            numbers.append(None)  # an open bound
            continue
        number = _number(rules.types["real"]["regex"], bound)
        if number is None:
            return ValueProblem("type_mismatch", f"{bound!r} is not a number")
        numbers.append(number)
    if len(numbers) == 2 and numbers[0] is not None and numbers[1] is not None and numbers[0] > numbers[1]:
        return ValueProblem("type_mismatch", "the minimum of a numeric range exceeds its maximum")
    return None


def _identifier_problem(type_spec: Mapping[str, Any], value: str) -> ValueProblem | None:
    if value == "":
        return ValueProblem("type_mismatch", "an identifier cannot be empty")
    if not _compiled(type_spec["regex"]).match(value):
        return ValueProblem("type_mismatch", f"{value[:80]!r} is not an identifier")
    urn_regex = type_spec.get("urn_regex")
    if urn_regex and value[:4].lower() == "urn:" and not _compiled(urn_regex).match(value):
        return ValueProblem("type_mismatch", f"{value[:80]!r} is not a well-formed URN")
    return None


def _check_length(rules: DataModelRules, rule: ElementRule, length: int,
                  options: RuntimeOptions) -> ValueProblem | None:
    if rule.limit == "suspend_data":
        limit: int | None = options.suspend_data_limit(rules)
    elif rule.spm is not None and options.enforces_smallest_permitted_maximum(rules):
        limit = rule.spm
    else:
        limit = None
    if limit is not None and length > limit:
        return ValueProblem("too_long", f"{length} characters; the limit is {limit}")
    return None


def _check_item_length(rules: DataModelRules, spec: Mapping[str, Any], length: int,
                       options: RuntimeOptions) -> ValueProblem | None:
    spm = spec.get("spm", 250 if spec["kind"] == "short_identifier" else None)
    if spm is not None and length > spm and options.enforces_smallest_permitted_maximum(rules):
        return ValueProblem("too_long", f"{length} characters; the smallest permitted maximum is {spm}")
    return None


def _check_range(rule: ElementRule, number: Decimal) -> ValueProblem | None:
    if rule.value_range is None:
        return None
    low, high = rule.value_range
    if (low is not None and number < Decimal(str(low))) or (high is not None and number > Decimal(str(high))):
        return ValueProblem("out_of_range", f"{number} is outside [{_bound(low)}, {_bound(high)}]")
    return None


def _bound(value: float | None) -> str:
    return "∞" if value is None else f"{value:g}"


def _number(regex: str, value: str) -> Decimal | None:
    if not _compiled(regex).match(value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _is_timestamp(type_spec: Mapping[str, Any], value: str) -> bool:
    match = _compiled(type_spec["regex"]).match(value)
    if match is None:
        return False
    year, month, day, hour, minute, second, _fraction, zone = match.groups()
    first_year, last_year = type_spec["year_range"]
    if not first_year <= int(year) <= last_year:
        return False
    if month is not None and not 1 <= int(month) <= 12:
        return False
    if day is not None and not 1 <= int(day) <= calendar.monthrange(int(year), int(month))[1]:
        return False
    if any(part is not None and int(part) > limit for part, limit in ((hour, 23), (minute, 59), (second, 59))):
        return False
    if zone and zone != "Z":
        zone_hours, zone_minutes = zone[1:3], zone[4:6]
        if int(zone_hours) > 23 or (zone_minutes and int(zone_minutes) > 59):
            return False
    return True


@cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


_CHECKS: Mapping[str, Callable[[DataModelRules, ElementRule, str, RuntimeOptions, str | None], ValueProblem | None]] = {
    "characterstring": _check_characterstring,
    "localized_string": _check_localized_string,
    "language": _check_language,
    "identifier": _check_identifier,
    "real": _check_real,
    "integer": _check_integer,
    "vocabulary": _check_vocabulary,
    "result": _check_result,
    "timestamp": _check_timestamp,
    "timeinterval": _check_timeinterval,
    "clock_time": _check_clock_time,
    "timespan": _check_timespan,
    "nav_request": _check_nav_request,
    "interaction_response": _check_interaction_response,
}
