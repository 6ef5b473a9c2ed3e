"""Server-side re-validation of a browser commit: the same data-model rules, all-or-nothing, idempotent by sequence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

from scorm_player.runtime.datamodel import RuntimeSession
from scorm_player.runtime.launch import LaunchData, session_start_values, shared_data_access
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.paths import resolve_element
from scorm_player.runtime.rules import DataModelRules, ScormVersion, load_rules

# Within one record, the identifier and the interaction type come first so dependent elements can follow
# (SCORM 2004 RTE §4.2.9 interactions, §4.2.17 objectives: error 408).
_FIRST_LEAVES = {"id": 0, "type": 1}
_NUMBER = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class RuntimeState:
    """What the server keeps per attempt × SCO between commits.

    `values` is the flat CMI map; `last_commit_seq` the highest commit sequence number applied;
    `terminated` whether the current session already ended (its Terminate commit was applied);
    `shared_data_access` the adl.data permissions from launch (bucket id -> "read-write"/"read-only"/…).
    """

    version: ScormVersion
    values: Mapping[str, str] = field(default_factory=dict)
    last_commit_seq: int = 0
    terminated: bool = False
    shared_data_access: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CommitRejection:
    """One refused element: the error code the API would have returned and why."""

    element: str
    error_code: int
    message: str


@dataclass(frozen=True)
class CommitResult:
    """The state after a commit (unchanged when rejected or already applied) and what was refused."""

    state: RuntimeState
    rejections: tuple[CommitRejection, ...] = ()
    already_applied: bool = False

    @property
    def accepted(self) -> bool:
        return not self.rejections


def open_session(state: RuntimeState, launch: LaunchData) -> RuntimeState:
    """The stored state at the start of the next launch: resumed after exit=suspend, otherwise a new attempt.

    The commit sequence carries on across sessions, so a late duplicate of an old commit stays a no-op.
    """
    rules = load_rules(state.version)
    return replace(state, values=MappingProxyType(session_start_values(rules, launch, state.values)),
                   terminated=False, shared_data_access=MappingProxyType(shared_data_access(launch)))


def apply_commit(state: RuntimeState, payload: Mapping[str, str], sequence: int, *, terminate: bool = False,
                 options: RuntimeOptions | None = None, fallback_session_time: str | None = None) -> CommitResult:
    """Apply a flattened commit (`{"cmi.core.lesson_status": "completed", …}`) from the browser runtime.

    Every element goes through RuntimeSession.set_value, so the checks are exactly the API's. Read-only
    elements and keywords are refused like a SetValue would refuse them; a writable element repeating its
    current value is a no-op. If anything is refused nothing is applied. A sequence number at or below
    `state.last_commit_seq` was applied before: nothing happens.
    With `terminate`, the commit ends the session (statuses settled, session_time added to total_time once).
    """
    if sequence <= state.last_commit_seq:
        return CommitResult(state=state, already_applied=True)
    rules = load_rules(state.version)
    if state.terminated:
        return CommitResult(state=state, rejections=(CommitRejection(
            "", rules.error_code("commit_after_terminate") or 101,
            "the session already ended; open a new session before committing"),))
    session = RuntimeSession(state.version, state.values, options=options,
                             shared_data_access=state.shared_data_access, rules=rules)
    session.initialize()
    rejections = []
    for element in sorted(payload, key=_commit_order):
        rejection = _apply_element(rules, session, state.values, element, payload[element])
        if rejection is not None:
            rejections.append(rejection)
    if rejections:
        return CommitResult(state=state, rejections=tuple(rejections))
    if terminate:
        session.terminate(fallback_session_time=fallback_session_time)
    else:
        session.commit()
    return CommitResult(state=replace(state, values=MappingProxyType(session.values), last_commit_seq=sequence,
                                      terminated=terminate))


def _apply_element(rules: DataModelRules, session: RuntimeSession, stored: Mapping[str, str], element: str,
                   value: object) -> CommitRejection | None:
    if not isinstance(value, str):
        return CommitRejection(element, rules.error_code("type_mismatch") or 101, "values must be strings")
    path = resolve_element(rules, element)
    rule = rules.elements[path.pattern] if path.kind == "element" else None
    if rule is not None and rule.writable and not rule.append and value == stored.get(path.path, rule.default):
        # A full commit repeats values that have not changed (e.g. 1.2 lesson_status still "not attempted",
        # which a SCO may not set); writing what is already there changes nothing, so it is not re-validated.
        return None
    if rule is not None and rule.append:
        # The browser sends the whole accumulated text (SCORM 1.2 cmi.comments appends); it may only grow.
        previous = stored.get(path.path, "")
        if not value.startswith(previous):
            return CommitRejection(element, rules.error_code("append_only_violation") or 101,
                                   "comments can only be appended to")
        value = value[len(previous):]
        if value == "":
            return None
    if session.set_value(element, value) == "true":
        return None
    return CommitRejection(element, int(session.get_last_error()), session.get_diagnostic(""))


def _commit_order(element: str) -> tuple[tuple[int, int | str], ...]:
    # Numeric indices sort as numbers (record 2 before record 10); ids and types lead their record.
    key: list[tuple[int, int | str]] = []
    for segment in element.split("."):
        if _NUMBER.match(segment):
            key.append((0, int(segment)))
        else:
            key.append((1 + _FIRST_LEAVES.get(segment, 2), segment))
    return tuple(key)
