"""The SCORM API for one SCO session (1.2 `API`, 2004 `API_1484_11`) over a flat map of CMI values."""

from __future__ import annotations

from typing import Literal, Mapping

from scorm_player.runtime.datatypes import check_value
from scorm_player.runtime.launch import LaunchData, session_start_values, shared_data_access
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.paths import ElementPath, array_item_prefixes, concrete_path, is_known_group, resolve_element
from scorm_player.runtime.rules import DataModelRules, ElementRule, ScormVersion, load_rules
from scorm_player.runtime.status import committed_values, evaluated_element, finished_values

Phase = Literal["not_initialized", "running", "terminated"]
# GetErrorString/GetDiagnostic answers are at most 255 characters (the ADL CTS 'less255' check).
LONGEST_ERROR_TEXT = 255
FAILURE = "false"
SHARED_DATA_BUCKET_ID = "adl.data.n.id"
SUCCESS = "true"


class SetRefused(Exception):
    """A SetValue the data model refuses; carries the rules-table condition name and a detail for GetDiagnostic."""

    def __init__(self, condition: str, detail: str) -> None:
        super().__init__(detail)
        self.condition = condition
        self.detail = detail


class RuntimeSession:
    """One SCO session: the eight API calls with the return strings and error codes of the version's spec.

    `values` is the flat CMI state ("cmi.objectives.0.id" -> "obj-1"); elements absent from it read as their
    default, or as "not initialized" (403) in 2004. Nothing here does I/O: the caller persists `values`.
    """

    def __init__(self, version: ScormVersion, values: Mapping[str, str] | None = None, *,
                 options: RuntimeOptions | None = None, shared_data_access: Mapping[str, str] | None = None,
                 rules: DataModelRules | None = None) -> None:
        self.rules = rules or load_rules(version)
        self.options = options or RuntimeOptions()
        self.phase: Phase = "not_initialized"
        self._values: dict[str, str] = dict(values or {})
        self._shared_data_access = dict(shared_data_access or {})
        self._counts = _array_counts(self.rules, self._values)
        self._error_code = 0
        self._diagnostic = ""

    @classmethod
    def launch(cls, version: ScormVersion, launch: LaunchData, previous_values: Mapping[str, str] | None = None,
               *, options: RuntimeOptions | None = None) -> RuntimeSession:
        """A session for the next launch of a SCO: resumed after exit=suspend, otherwise a fresh attempt."""
        rules = load_rules(version)
        return cls(version, session_start_values(rules, launch, previous_values), options=options,
                   shared_data_access=shared_data_access(launch), rules=rules)

    @property
    def version(self) -> ScormVersion:
        return self.rules.version

    @property
    def values(self) -> dict[str, str]:
        """A copy of the CMI state to persist."""
        return dict(self._values)

    # --- API methods (SCORM 2004 RTE §3.1; SCORM 1.2 RTE §3.3; spec §2.3, §2.4) ---

    def initialize(self, argument: str = "") -> str:
        if argument != "":
            return self._fail("initialize_argument", f"the argument must be an empty string, not {argument!r}")
        if self.phase == "running":
            return self._fail("initialize_already_initialized", "Initialize was already called")
        if self.phase == "terminated":
            return self._fail("initialize_after_terminate", "the session has ended")
        self.phase = "running"
        return self._succeed(SUCCESS)

    def terminate(self, argument: str = "", *, fallback_session_time: str | None = None) -> str:
        """End the session; `fallback_session_time` counts when the SCO never set session_time (spec §2.5)."""
        if self.phase == "not_initialized":
            return self._fail("terminate_before_initialize", "the session was never initialized")
        if self.phase == "terminated":
            return self._fail("terminate_after_terminate", "the session has already ended")
        if argument != "":
            return self._fail("terminate_argument", f"the argument must be an empty string, not {argument!r}")
        self._values = finished_values(self.rules, self._values, self.options, fallback_session_time)
        self.phase = "terminated"
        return self._succeed(SUCCESS)

    def get_value(self, element: str) -> str:
        if self.phase != "running":
            return self._fail("get_before_initialize" if self.phase == "not_initialized" else "get_after_terminate",
                              "GetValue outside a running session", result="")
        if element == "":
            return self._fail("get_empty_element", "no element named", result="")
        path = resolve_element(self.rules, element)
        if path.kind == "undefined":
            return self._fail(path.undefined_condition, f"{element} is not a data model element", result="")
        if path.kind == "keyword":
            return self._get_keyword(path, element)
        rule = self.rules.elements[path.pattern]
        if not rule.readable:
            return self._fail("write_only", f"{element} is write-only", result="")
        for _, array_path, index in array_item_prefixes(path):
            if index >= self._counts.get(array_path, 0):
                return self._fail("get_index_out_of_range", f"{array_path} has no record {index}", result="")
        if rule.shared_data and not self._shared_data_allows(path, "read"):
            return self._fail("write_only", f"{element} may not be read by this SCO (readSharedData)", result="")
        value = self._read(rule, path)
        if value is None:
            if self.rules.error_code("value_not_initialized") is None:
                return self._succeed("")  # SCORM 1.2 has no "not initialized": an unset element reads as ""
            return self._fail("value_not_initialized", f"{element} has no value yet", result="")
        return self._succeed(value)

    def set_value(self, element: str, value: str) -> str:
        if self.phase != "running":
            return self._fail("set_before_initialize" if self.phase == "not_initialized" else "set_after_terminate",
                              "SetValue outside a running session")
        if element == "":
            return self._fail("set_empty_element", "no element named")
        try:
            self._store(element, str(value))
        except SetRefused as refusal:
            return self._fail(refusal.condition, f"{element}: {refusal.detail}")
        return self._succeed(SUCCESS)

    def commit(self, argument: str = "") -> str:
        if self.phase != "running":
            condition = "commit_before_initialize" if self.phase == "not_initialized" else "commit_after_terminate"
            return self._fail(condition, "Commit outside a running session")
        if argument != "":
            return self._fail("commit_argument", f"the argument must be an empty string, not {argument!r}")
        self._values = committed_values(self.rules, self._values, self.options)
        return self._succeed(SUCCESS)

    def get_last_error(self) -> str:
        return str(self._error_code)

    def get_error_string(self, code: str) -> str:
        return self._message(code)[:LONGEST_ERROR_TEXT]

    def get_diagnostic(self, code: str = "") -> str:
        if code == "" or code == str(self._error_code):
            text = self._diagnostic or self._message(str(self._error_code))
        else:
            text = self._message(code)
        return text[:LONGEST_ERROR_TEXT]

    # SCORM 2004 names (API_1484_11) and SCORM 1.2 names (API), so a test or a bridge can call either.
    Initialize = initialize
    Terminate = terminate
    GetValue = get_value
    SetValue = set_value
    Commit = commit
    GetLastError = get_last_error
    GetErrorString = get_error_string
    GetDiagnostic = get_diagnostic
    LMSInitialize = initialize
    LMSFinish = terminate
    LMSGetValue = get_value
    LMSSetValue = set_value
    LMSCommit = commit
    LMSGetLastError = get_last_error
    LMSGetErrorString = get_error_string
    LMSGetDiagnostic = get_diagnostic

    # --- GetValue helpers ---

    def _get_keyword(self, path: ElementPath, element: str) -> str:
        base = path.pattern
        if path.keyword == "_version":
            if base == "cmi":
                return self._succeed(self.rules.data_model_version)
            return self._fail("undefined_element", f"{element} is not a data model element", result="")
        if path.keyword == "_children":
            group = self.rules.containers.get(base) or self.rules.arrays.get(base)
            if group is not None and group.children:
                return self._succeed(group.children)
            if group is not None or base in self.rules.elements:
                return self._fail("children_not_supported", f"{path.path} has no children", result="")
            return self._fail("undefined_element", f"{element} is not a data model element", result="")
        if base in self.rules.arrays:
            for _, array_path, index in array_item_prefixes(path):
                if index >= self._counts.get(array_path, 0):
                    return self._fail("get_index_out_of_range", f"{array_path} has no record {index}", result="")
            return self._succeed(str(self._counts.get(path.path, 0)))
        if base in self.rules.elements or base in self.rules.containers:
            return self._fail("count_not_supported", f"{path.path} is not an array", result="")
        return self._fail("undefined_element", f"{element} is not a data model element", result="")

    def _read(self, rule: ElementRule, path: ElementPath) -> str | None:
        if rule.evaluated is not None:
            return evaluated_element(self.rules, rule.evaluated, self._values)
        stored = self._values.get(path.path)
        return stored if stored is not None else rule.default

    # --- SetValue helpers ---

    def _store(self, element: str, value: str) -> None:
        path = resolve_element(self.rules, element)
        if path.kind == "undefined":
            raise SetRefused(path.undefined_condition, "not a data model element")
        if path.kind == "keyword":
            known = (path.pattern == "cmi" or is_known_group(self.rules, path.pattern)
                     or path.pattern in self.rules.elements)
            raise SetRefused("set_keyword" if known else "undefined_element", f"{path.keyword} is a keyword")
        rule = self.rules.elements[path.pattern]
        if not rule.writable:
            raise SetRefused("read_only", "read-only")
        if rule.shared_data and not self._shared_data_allows(path, "write"):
            raise SetRefused("read_only", "this SCO may not write the shared data bucket (writeSharedData)")
        self._check_indices(path)
        self._check_dependencies(rule, path)
        interaction_type = self._interaction_type(rule, path) if rule.check == "interaction_response" else None
        stored = self._values.get(path.path)
        new_value = (stored or rule.default or "") + value if rule.append else value
        problem = check_value(self.rules, rule, new_value, self.options, interaction_type)
        if problem is not None:
            raise SetRefused(problem.condition, problem.detail)
        self._check_identity(rule, path, value, stored)
        self._values[path.path] = new_value
        for _, array_path, index in array_item_prefixes(path):
            self._counts[array_path] = max(self._counts.get(array_path, 0), index + 1)

    def _check_indices(self, path: ElementPath) -> None:
        # An index may address an existing record or append one at _count, never leave a gap
        # (SCORM 2004 → 351, spec §2.4; SCORM 1.2 names no code, spec §2.3 chooses 402).
        for array_pattern, array_path, index in array_item_prefixes(path):
            array = self.rules.arrays[array_pattern]
            count = self._counts.get(array_path, 0)
            if index > count or (index == count and array.seeded_only):
                raise SetRefused("set_index_out_of_range",
                                 f"{array_path} has {count} records; cannot set record {index}")
            if array.max_count_by_interaction_type and self.rules.error_code("too_many_correct_responses") is not None:
                type_path = concrete_path(array.max_count_by_interaction_type, path.indices)
                interaction_type = self._values.get(type_path, "")
                limit = self.rules.interaction_types.get(interaction_type, {}).get("max_correct_responses")
                if limit is not None and index >= limit:
                    # true-false, likert, numeric and other have one correct response (2004 RTE table 4.2.9.1).
                    raise SetRefused("too_many_correct_responses",
                                     f"a {interaction_type} interaction has at most {limit} correct response(s)")

    def _check_dependencies(self, rule: ElementRule, path: ElementPath) -> None:
        # SCORM 2004 RTE §4.2.9, §4.2.17 (spec §2.4): an array record's id (and an interaction's type) come first → 408.
        if self.rules.error_code("dependency_not_established") is None:
            return
        for required in rule.requires:
            required_path = concrete_path(required, path.indices)
            if required_path not in self._values:
                raise SetRefused("dependency_not_established", f"{required_path} must be set first")

    def _check_identity(self, rule: ElementRule, path: ElementPath, value: str, stored: str | None) -> None:
        if rule.write_once and stored is not None and stored != value and self.rules.error_code("identifier_changed"):
            # SCORM 2004 RTE §4.2.17: an objective's identifier cannot change once set → 351 (ADL DMI).
            raise SetRefused("identifier_changed", f"the identifier is already {stored!r}")
        if rule.unique_within_array and self.rules.error_code("duplicate_identifier") is not None:
            self._check_unique_in_array(path, value, "duplicate_identifier")
        if (rule.check == "interaction_response" and rule.type_spec["response"] == "correct_response"
                and self.rules.error_code("duplicate_correct_response") is not None):
            interaction_type = self._interaction_type(rule, path) or ""
            if self.rules.interaction_types.get(interaction_type, {}).get("unique_correct_responses"):
                # A choice interaction's correct response patterns must differ (2004 RTE table 4.2.9.1, ADL DMI).
                self._check_unique_in_array(path, value, "duplicate_correct_response")

    def _check_unique_in_array(self, path: ElementPath, value: str, condition: str) -> None:
        _, array_path, own_index = array_item_prefixes(path)[-1]
        leaf = path.path[len(f"{array_path}.{own_index}."):]
        for index in range(self._counts.get(array_path, 0)):
            if index != own_index and self._values.get(f"{array_path}.{index}.{leaf}") == value:
                raise SetRefused(condition, f"{value[:80]!r} is already used by {array_path}.{index}")

    def _interaction_type(self, rule: ElementRule, path: ElementPath) -> str | None:
        return self._values.get(concrete_path(rule.type_spec["type_element"], path.indices))

    def _shared_data_allows(self, path: ElementPath, operation: Literal["read", "write"]) -> bool:
        # adl.data.n.store is read/written only as the manifest allows (adlcp:map readSharedData/writeSharedData).
        bucket_id = self._values.get(concrete_path(SHARED_DATA_BUCKET_ID, path.indices))
        access = self._shared_data_access.get(bucket_id or "", "read-write")
        return access == "read-write" or access == f"{operation}-only"

    # --- error state ---

    def _succeed(self, result: str) -> str:
        self._error_code = 0
        self._diagnostic = ""
        return result

    def _fail(self, condition: str, detail: str, result: str = FAILURE) -> str:
        code = self.rules.error_code(condition)
        self._error_code = 101 if code is None else code
        self._diagnostic = f"{self._message(str(self._error_code))}: {detail}"
        return result

    def _message(self, code: str) -> str:
        if not code.isdigit() or str(int(code)) != code:
            return ""
        return self.rules.messages.get(int(code), "")


def _array_counts(rules: DataModelRules, values: Mapping[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in values:
        path = resolve_element(rules, name)
        if path.kind != "element":
            continue
        for _, array_path, index in array_item_prefixes(path):
            counts[array_path] = max(counts.get(array_path, 0), index + 1)
    return counts
