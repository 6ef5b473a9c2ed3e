"""What the LMS supplies at launch, and the values a session starts from: resume or a fresh attempt (ab-initio)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from scorm_player.runtime.paths import resolve_element
from scorm_player.runtime.rules import DataModelRules


@dataclass(frozen=True)
class SeededObjective:
    """An objective the LMS puts into cmi.objectives before the SCO runs (manifest + read-mapped global objectives,
    ADL CTS OB-*; spec §2.7). Fields left None are not seeded. SCORM 1.2 uses `status` and the raw/min/max score."""

    id: str
    success_status: str | None = None
    completion_status: str | None = None
    status: str | None = None
    score_scaled: str | None = None
    score_raw: str | None = None
    score_min: str | None = None
    score_max: str | None = None
    progress_measure: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class LmsComment:
    """One cmi.comments_from_lms entry (SCORM 2004); SCORM 1.2 joins the comments into one string."""

    comment: str
    location: str | None = None
    timestamp: str | None = None


@dataclass(frozen=True)
class SharedDataBucket:
    """One adl.data bucket (SCORM 2004 4th Ed adlcp:data/adlcp:map) with the SCO's read/write permission."""

    id: str
    store: str | None = None
    readable: bool = True
    writable: bool = True


@dataclass(frozen=True)
class LaunchData:
    """Launch-time values from the registration and the manifest (imsmanifest.xml item/resource data).

    `navigation_validity` maps "continue", "previous", "choice.{target=ID}" or "jump.{target=ID}" to
    "true"/"false"/"unknown", as the sequencer answers adl.nav.request_valid (SCORM 2004).
    """

    learner_id: str
    learner_name: str = ""
    credit: str = "credit"
    mode: str = "normal"
    launch_data: str | None = None
    mastery_score: str | None = None
    max_time_allowed: str | None = None
    time_limit_action: str | None = None
    completion_threshold: str | None = None
    scaled_passing_score: str | None = None
    objectives: tuple[SeededObjective, ...] = ()
    comments_from_lms: tuple[LmsComment, ...] = ()
    shared_data: tuple[SharedDataBucket, ...] = ()
    navigation_validity: Mapping[str, str] = field(default_factory=dict)


_OBJECTIVE_FIELDS = {
    "2004": {"success_status": "success_status", "completion_status": "completion_status",
             "score_scaled": "score.scaled", "score_raw": "score.raw", "score_min": "score.min",
             "score_max": "score.max", "progress_measure": "progress_measure", "description": "description"},
    "1.2": {"status": "status", "score_raw": "score.raw", "score_min": "score.min", "score_max": "score.max"},
}


def is_resuming(rules: DataModelRules, previous_values: Mapping[str, str] | None) -> bool:
    """The previous session ended with exit=suspend, so this one continues the attempt (spec §2.3, §2.4)."""
    return previous_values is not None and previous_values.get(rules.session_elements["exit"]) == "suspend"


def session_start_values(rules: DataModelRules, launch: LaunchData,
                         previous_values: Mapping[str, str] | None = None) -> dict[str, str]:
    """The CMI values a new session starts with.

    After exit=suspend the attempt goes on: the stored values are kept and entry is "resume". Any other ending
    (normal, "", time-out, logout) closed the attempt, so the runtime data is reset and entry is "ab-initio"
    (SCORM 2004 RTE §4.2.7 entry, §4.2.8 exit, spec §2.4; we apply the same rule to 1.2). Launch data then
    overrides the read-only elements.
    """
    if is_resuming(rules, previous_values):
        assert previous_values is not None
        values = {name: value for name, value in previous_values.items() if not _is_session_only(rules, name)}
        values[rules.session_elements["entry"]] = "resume"
    else:
        values = {rules.session_elements["entry"]: "ab-initio"}
    values.update(launch_values(rules, launch))
    _seed_objectives(rules, values, launch.objectives)
    return values


def launch_values(rules: DataModelRules, launch: LaunchData) -> dict[str, str]:
    """Element values taken straight from the launch data (learner, credit, mode, manifest data, comments)."""
    values = {}
    for field_name, element in rules.launch_elements.items():
        value = getattr(launch, field_name)
        if value is not None:
            values[element] = value
    comments_element = rules.session_elements["comments_from_lms"]
    if rules.version == "1.2":
        if launch.comments_from_lms:
            values[comments_element] = "\n".join(comment.comment for comment in launch.comments_from_lms)
    else:
        for index, comment in enumerate(launch.comments_from_lms):
            values[f"{comments_element}.{index}.comment"] = comment.comment
            if comment.location is not None:
                values[f"{comments_element}.{index}.location"] = comment.location
            if comment.timestamp is not None:
                values[f"{comments_element}.{index}.timestamp"] = comment.timestamp
        for index, bucket in enumerate(launch.shared_data):
            values[f"{rules.session_elements['shared_data']}.{index}.id"] = bucket.id
            if bucket.store is not None:
                values[f"{rules.session_elements['shared_data']}.{index}.store"] = bucket.store
        for request, validity in launch.navigation_validity.items():
            values[f"{rules.session_elements['navigation_validity']}.{request}"] = validity
    return values


def shared_data_access(launch: LaunchData) -> dict[str, str]:
    """adl.data bucket id -> "read-write", "read-only" or "write-only" (adlcp:map readSharedData/writeSharedData)."""
    access = {}
    for bucket in launch.shared_data:
        if bucket.readable and bucket.writable:
            access[bucket.id] = "read-write"
        elif bucket.readable:
            access[bucket.id] = "read-only"
        elif bucket.writable:
            access[bucket.id] = "write-only"
        else:
            access[bucket.id] = "none"
    return access


def _seed_objectives(rules: DataModelRules, values: dict[str, str], objectives: tuple[SeededObjective, ...]) -> None:
    # Read-mapped global objective data wins over what the SCO stored before (spec §2.7).
    array = rules.session_elements["objectives"]
    prefix = array + "."
    indices = {int(head) for head in (name[len(prefix):].split(".")[0] for name in values if name.startswith(prefix))
               if head.isdigit()}
    count = max(indices) + 1 if indices else 0
    index_by_id = {values[f"{array}.{index}.id"]: index for index in range(count) if f"{array}.{index}.id" in values}
    for objective in objectives:
        index = index_by_id.get(objective.id)
        if index is None:
            index = count
            count += 1
            index_by_id[objective.id] = index
            values[f"{array}.{index}.id"] = objective.id
        for field_name, element in _OBJECTIVE_FIELDS[rules.version].items():
            value = getattr(objective, field_name)
            if value is not None:
                values[f"{array}.{index}.{element}"] = value


def _is_session_only(rules: DataModelRules, name: str) -> bool:
    path = resolve_element(rules, name)
    return path.kind == "element" and rules.elements[path.pattern].session_only
