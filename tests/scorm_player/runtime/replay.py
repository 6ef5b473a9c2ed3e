"""Conformance replay helpers: locate the shared fixtures, replay API steps, decode ADL CTS .properties cases."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

import pytest

from scorm_player.runtime.datamodel import RuntimeSession

SHARED_FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "scorm"
DECODED_FIXTURES = SHARED_FIXTURES / "conformance_data" / "scorm_again_adl_rte_decoded"
ADL_CTS_ZIP = SHARED_FIXTURES / "scorm2004" / "adl_cts" / "adl_scorm2004_4th_cts_lms_testpackages_shared.zip"
# ADL marker meaning "any value or error code is acceptable" (DMI comments_from_lms probes).
ANY_OUTCOME = "Returned a valid value or error code"
SESSION_ONLY = ("cmi.exit", "cmi.session_time", "adl.nav.request")
# file name -> (steps passed, steps replayed); printed by conftest.py after the run.
PASS_COUNTS: dict[str, tuple[int, int]] = {}


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared SCORM fixtures not found at {path.resolve()} (checkout of ../shared missing)")
    return path


def decoded_fixture_files() -> list[Path]:
    """Every decoded step file: the hand-written gold cases and generated/*.json."""
    if not DECODED_FIXTURES.exists():
        return []
    return sorted(DECODED_FIXTURES.glob("*.json")) + sorted(DECODED_FIXTURES.glob("generated/*.json"))


def flatten_state(state: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """{"cmi": {"score": {"scaled": "0.5"}}} -> {"cmi.score.scaled": "0.5"} (fixture initialState shape)."""
    flat: dict[str, str] = {}
    for key, value in state.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(flatten_state(value, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                flat.update(flatten_state(item, f"{name}.{index}") if isinstance(item, dict)
                            else {f"{name}.{index}": str(item)})
        else:
            flat[name] = str(value)
    return flat


def call_api(session: RuntimeSession, step: dict[str, Any]) -> str:
    method, element, value = step["method"], step.get("element") or "", step.get("value", "")
    if method == "GetValue":
        return session.get_value(element)
    if method == "SetValue":
        return session.set_value(element, value)
    if method in ("Initialize", "Terminate", "Commit"):
        return getattr(session, method)(value)
    if method == "GetLastError":
        return session.get_last_error()
    if method == "GetErrorString":
        return session.get_error_string(value)
    if method == "GetDiagnostic":
        return session.get_diagnostic(value)
    raise ValueError(f"unknown API method {method!r}")


def return_matches(expected: Any, actual: str) -> bool:
    if expected is None:
        return True
    if isinstance(expected, dict):
        assert expected == {"match": "nonEmptyMax255"}, expected
        return 0 < len(actual) <= 255
    return actual == expected


@dataclass
class ReplayReport:
    passed: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.passed + len(self.failures)


def replay_decoded_fixture(path: Path) -> ReplayReport:
    """Replay one decoded fixture: a fresh session per activity, seeded from its initialState (README schema)."""
    fixture = json.loads(path.read_text(encoding="utf-8"))
    report = ReplayReport()
    for activity in fixture["activities"]:
        initial = activity.get("initialState", fixture.get("initialState")) or {}
        session = RuntimeSession(fixture["scormVersion"], flatten_state(initial))
        for number, step in enumerate(activity["steps"]):
            actual = call_api(session, step)
            code = session.get_last_error()
            if return_matches(step.get("expectedReturn"), actual) and code == step["expectedErrorCode"]:
                report.passed += 1
            else:
                report.failures.append(
                    f"{activity['id']} step {number}: {step['method']}({step.get('element')!r}, {step.get('value')!r})"
                    f" -> {actual!r}/{code}, expected {step.get('expectedReturn')!r}/{step['expectedErrorCode']}"
                    f" ({session.get_diagnostic('')})")
    return report


# --- ADL CTS .properties decoding (grammar of the suite's LMSParser.java; legend/Commands.properties) ---

_METHODS = {"I": "Initialize", "T": "Terminate", "C": "Commit", "GET": "GetValue", "SET": "SetValue",
            "GLE": "GetLastError", "GES": "GetErrorString", "GeDi": "GetDiagnostic", "COI": "compareObjIds"}
_COMMAND_KEY = re.compile(r"^(Act\d+[a-z]?V\d+)\.commands\.(\d+)$")


@dataclass(frozen=True)
class AdlStep:
    activity: str
    index: int
    method: str
    element: str | None
    value: str
    expected_return: str | None  # None: any non-empty string of at most 255 characters ("less255")
    expected_code: str
    raw_expected: str


@dataclass
class AdlCase:
    steps_by_activity: dict[str, list[AdlStep]]
    skipped: list[tuple[AdlStep, str]]


def read_cts_member(member: str) -> str:
    with zipfile.ZipFile(require(ADL_CTS_ZIP)) as archive:
        return archive.read(member).decode("latin-1")


def parse_java_properties(text: str) -> dict[str, str]:
    """Java .properties: comments, backslash line continuation, first unescaped = or : separates, \\uXXXX escapes."""
    lines = text.split("\n")
    logical: list[str] = []
    position = 0
    while position < len(lines):
        line = lines[position].rstrip("\r")
        while line.endswith("\\") and (len(line) - len(line.rstrip("\\"))) % 2 == 1:
            position += 1
            line = line[:-1] + (lines[position].rstrip("\r").lstrip() if position < len(lines) else "")
        logical.append(line)
        position += 1
    entries = {}
    for line in logical:
        stripped = line.lstrip()
        if not stripped or stripped[0] in "#!":
            continue
        separator = _first_separator(stripped)
        if separator < 0:
            continue
        entries[_unescape(stripped[:separator].strip())] = _unescape(stripped[separator + 1:].lstrip())
    return entries


def decode_adl_case(case_text: str, legend: dict[str, str]) -> AdlCase:
    """Layer-1 (data model) steps per activity; sequencing/navigation and objective-by-id steps are set aside."""
    commands: dict[str, list[tuple[int, str]]] = {}
    for key, value in parse_java_properties(case_text).items():
        match = _COMMAND_KEY.match(key)
        if match:
            commands.setdefault(match.group(1), []).append((int(match.group(2)), value))
    case = AdlCase(steps_by_activity={}, skipped=[])
    for activity, numbered in commands.items():
        steps = case.steps_by_activity.setdefault(activity, [])
        for index, raw in sorted(numbered):
            step = _decode_command(activity, index, raw, legend)
            reason = _skip_reason(step)
            if reason:
                case.skipped.append((step, reason))
            else:
                steps.append(step)
    return case


def launch_seed(steps: list[AdlStep]) -> dict[str, str]:
    """Values an LMS supplies at launch, inferred like scorm-again's decoder: a successful GetValue of a value the
    activity never set. Array records are only seeded for LMS-owned arrays (comments_from_lms)."""
    seeded: dict[str, str] = {}
    set_elements: set[str] = set()
    for step in steps:
        if step.method == "SetValue" and step.expected_code == "0" and step.element:
            set_elements.add(step.element)
        elif (step.method == "GetValue" and step.expected_code == "0" and step.element
              and step.element not in set_elements and step.expected_return
              and step.raw_expected not in ("", "emptyCS", ANY_OUTCOME)
              and not re.search(r"\._(count|children|version)$", step.element)
              and step.element not in ("cmi.completion_status", "cmi.success_status")
              and (not re.search(r"\.[0-9]+\.", step.element) or step.element.startswith("cmi.comments_from_lms"))):
            seeded.setdefault(step.element, step.expected_return)
    return seeded


def resumed_values(previous: dict[str, str] | None) -> dict[str, str]:
    """The next ActNV(k+1) continues ActNVk's attempt when that one ended with exit=suspend."""
    if not previous or previous.get("cmi.exit") != "suspend":
        return {}
    values = {name: value for name, value in previous.items() if name not in SESSION_ONLY}
    values["cmi.entry"] = "resume"
    return values


def adl_return_matches(step: AdlStep, actual: str) -> bool:
    """The CTS compares some values by meaning, not by text; mirror that (see test_adl_dmi_replay docstring)."""
    if step.raw_expected == ANY_OUTCOME:
        return True
    if step.expected_return is None:
        return 0 < len(actual) <= 255
    if actual == step.expected_return:
        return True
    if step.element and step.element.endswith("._children"):
        return set(actual.split(",")) == set(step.expected_return.split(","))
    if _same_number(actual, step.expected_return):
        return True
    if step.element and (step.element.endswith(".pattern") or step.element.endswith(".learner_response")):
        return _response_meaning(actual) == _response_meaning(step.expected_return)
    return False


def iter_adl_activities(case: AdlCase) -> Iterator[tuple[str, list[AdlStep]]]:
    yield from case.steps_by_activity.items()


def _decode_command(activity: str, index: int, raw: str, legend: dict[str, str]) -> AdlStep:
    parts = raw.split("->")
    method = _METHODS.get(parts[0], parts[0])
    argument = parts[1] if len(parts) > 1 else ""
    raw_expected = parts[-2] if len(parts) >= 4 else ""
    expected: str | None = None if raw_expected == "less255" else (
        "" if raw_expected in ("", "emptyCS") else legend.get(raw_expected, raw_expected))
    element: str | None = None
    value = ""
    if method == "GetValue":
        # A segment may carry an interaction-type marker after "!" (P!TY.c); only the element part counts.
        element = ".".join(legend.get(segment.split("!")[0], segment.split("!")[0]) for segment in argument.split("~"))
    elif method == "SetValue":
        segments = argument.split("~")
        last = segments[-1]
        bang = last.find("!")
        final, token = (last[:bang], last[bang + 1:]) if bang >= 0 else (last, "")
        element = ".".join([legend.get(segment, segment) for segment in segments[:-1]] + [legend.get(final, final)])
        value = legend.get(token, token)
    elif method in ("GetErrorString", "GetDiagnostic"):
        value = argument
    elif method in ("Initialize", "Terminate", "Commit"):
        value = ".".join(legend.get(segment, segment) for segment in argument.split("~")) if argument else ""
    return AdlStep(activity, index, method, element, value, expected, parts[-1], raw_expected)


def _skip_reason(step: AdlStep) -> str | None:
    if step.method not in _METHODS.values():
        return "malformed command in the CTS file (no method token, e.g. DMI Act3V2.commands.47)"
    if step.method == "compareObjIds":
        return "compareObjIds is a test-harness check, not an API call"
    if step.element and step.element.startswith("adl.nav"):
        return "adl.nav.* needs the sequencer (SN book), not the data model"
    if step.element and "&" in step.element:
        return "&id& addresses adl.data/objectives by identifier, which is not a SCORM index"
    return None


def _same_number(actual: str, expected: str) -> bool:
    try:
        return Decimal(actual) == Decimal(expected)
    except InvalidOperation:
        return False


_RESPONSE_DELIMITER = re.compile(r"^\{(case_matters|order_matters|lang)=([^}]*)\}")


def _response_meaning(value: str) -> tuple[dict[str, str], str]:
    # Leading delimiters in any order, defaults made explicit (case_matters=false, order_matters=true, lang=en).
    delimiters = {"case_matters": "false", "order_matters": "true", "lang": "en"}
    rest = value
    while match := _RESPONSE_DELIMITER.match(rest):
        delimiters[match.group(1)] = match.group(2)
        rest = rest[match.end():]
    return delimiters, rest


def _first_separator(line: str) -> int:
    position = 0
    while position < len(line):
        if line[position] == "\\":
            position += 2
            continue
        if line[position] in "=:":
            return position
        position += 1
    return -1


def _unescape(text: str) -> str:
    out = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text):
            following = text[position + 1]
            if following == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[position + 2:position + 6]):
                out.append(chr(int(text[position + 2:position + 6], 16)))
                position += 6
                continue
            out.append({"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(following, following))
            position += 2
            continue
        out.append(char)
        position += 1
    return "".join(out)
