"""SCORM run-time data → xAPI statements and State documents per the ADL xAPI SCORM Profile (spec §2.9); pure.

The server calls `commit_statements` with the CMI values before and after each applied commit; the
statements describe what changed (a new session, a status or score change, a new or changed interaction
response, the end of the session). Statement ids are UUIDv5 of (attempt, activity, commit seq, kind), so a
retried commit produces the same ids and the LRS stores them once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote

from scorm_player.runtime.datatypes import cmi_real
from scorm_player.runtime.durations import format_iso8601_duration, parse_cmi_timespan, parse_iso8601_duration
from scorm_player.runtime.rules import ScormVersion
from scorm_player.runtime.status import evaluated_completion_status, evaluated_success_status

__all__ = [
    "ACTIVITY_STATE_ID", "ATTEMPT_STATE_ID", "PROFILE_ACTIVITY", "SUSPEND_DATA_STATE_ID", "StatementContext",
    "activity_state_document", "attempt_iri", "attempt_state_document", "commit_statements", "course_statements",
    "interaction_iri", "statement_id",
]

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ACTIVITY_TYPES = "http://adlnet.gov/expapi/activities/"
# xAPI SCORM Profile: every statement names the profile in contextActivities.category (spec §2.9).
PROFILE_ACTIVITY = {"id": "https://w3id.org/xapi/scorm",
                    "definition": {"type": "http://adlnet.gov/expapi/activities/profile"}}
ACTIVITY_STATE_ID = "https://w3id.org/xapi/scorm/activity-state"
ATTEMPT_STATE_ID = "https://w3id.org/xapi/scorm/attempt-state"
SUSPEND_DATA_STATE_ID = "https://w3id.org/xapi/scorm/types/adl-suspend-data"
STATEMENT_NAMESPACE = uuid.UUID("0b6f7b8e-2d1c-5c55-9a7e-5c4f3f0d9e21")
# xAPI Data §2.4.4.1 interaction types; SCORM 1.2 and 2004 use the same words (2004 adds long-fill-in, other).
INTERACTION_TYPES = frozenset({"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
                               "sequencing", "likert", "numeric", "other"})
_CORRECT = frozenset({"correct"})
_INCORRECT = frozenset({"incorrect", "wrong"})  # 2004 "incorrect", 1.2 "wrong"


@dataclass(frozen=True)
class StatementContext:
    """Who, where and when: the learner's agent, the registration and the activities a commit belongs to."""

    version: ScormVersion
    actor: Mapping[str, Any]
    registration: str
    attempt_id: str  # the course attempt (scorm_attempt.attempt_id)
    activity_id: str  # the item identifier
    sco_attempt: int  # the SCO's attempt number within the course attempt
    course_iri: str
    course_title: str
    sco_iri: str
    sco_title: str
    timestamp: str

    @property
    def attempt_iri(self) -> str:
        return attempt_iri(self.sco_iri, self.attempt_id, self.sco_attempt)


def statement_id(attempt_id: str, activity_id: str, seq: int, kind: str) -> str:
    """Deterministic: the same commit (attempt, activity, seq) always yields the same ids (STYLE §7)."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"{attempt_id}\n{activity_id}\n{seq}\n{kind}"))


def attempt_iri(sco_iri: str, attempt_id: str, sco_attempt: int) -> str:
    """xAPI SCORM Profile attempt activity: the SCO IRI with the attempt as a query (spec §2.9)."""
    return f"{sco_iri}?attemptId={attempt_id}-{sco_attempt}"


def interaction_iri(sco_iri: str, interaction_id: str) -> str:
    return f"{sco_iri}/interactions/{quote(interaction_id, safe='')}"


def objective_iri(sco_iri: str, objective_id: str) -> str:
    """Profile: an objective local to the SCO is `<scoIRI>/objectives/<objective path>`."""
    return f"{sco_iri}/objectives/{quote(objective_id, safe='')}"


def commit_statements(context: StatementContext, before: Mapping[str, str], after: Mapping[str, str], *,
                      seq: int, first_in_session: bool, terminated: bool) -> list[dict[str, Any]]:
    """The statements one applied commit produces, in the order the events happened."""
    statements: list[dict[str, Any]] = []
    entry_element = "cmi.core.entry" if context.version == "1.2" else "cmi.entry"
    if first_in_session:
        # Profile temporal model: initialized (new attempt) or resumed (cmi.entry=resume) opens a session.
        verb = "resumed" if after.get(entry_element) == "resume" else "initialized"
        statements.append(_sco_statement(context, seq, verb, verb, None))
    statements.extend(_interaction_statements(context, before, after, seq))
    score_before, score_after = _score(context.version, before), _score(context.version, after)
    if score_after and score_after != score_before:
        statements.append(_sco_statement(context, seq, "scored", "scored", {"score": score_after}))
    statements.extend(_objective_statements(context, before, after, seq))
    statements.extend(_comment_statements(context, before, after, seq))
    for verb, result in _status_changes(context.version, before, after):
        if score_after and verb in ("passed", "failed"):
            result = {**result, "score": score_after}
        statements.append(_sco_statement(context, seq, verb, verb, result))
    if terminated:
        exit_element = "cmi.core.exit" if context.version == "1.2" else "cmi.exit"
        verb = "suspended" if after.get(exit_element) == "suspend" or before.get(exit_element) == "suspend" \
            else "terminated"
        duration = _duration(context.version, after.get("cmi.core.session_time" if context.version == "1.2"
                                                         else "cmi.session_time"))
        statements.append(_sco_statement(context, seq, verb, verb, {"duration": duration} if duration else None))
    return statements


def course_statements(context: StatementContext, before: Mapping[str, Any], after: Mapping[str, Any], *,
                      seq: int) -> list[dict[str, Any]]:
    """completed/passed/failed about the course when the registration roll-up changes (profile scope: course)."""
    statements = []
    score = None
    if after.get("score_scaled") is not None:
        score = {"scaled": max(-1.0, min(1.0, float(after["score_scaled"])))}
    if after.get("completion_status") == "completed" and before.get("completion_status") != "completed":
        statements.append(_course_statement(context, seq, "completed", {"completion": True}))
    for verb, success in (("passed", True), ("failed", False)):
        if after.get("success_status") == verb and before.get("success_status") != verb:
            result: dict[str, Any] = {"success": success}
            if score:
                result["score"] = score
            statements.append(_course_statement(context, seq, verb, result))
    return statements


def activity_state_document(attempt_iris: list[str]) -> dict[str, Any]:
    """State `https://w3id.org/xapi/scorm/activity-state`: the SCO's attempts (profile document schema)."""
    return {"attempts": attempt_iris}


def attempt_state_document(version: ScormVersion, values: Mapping[str, str]) -> dict[str, Any]:
    """State `https://w3id.org/xapi/scorm/attempt-state` for one SCO attempt."""
    if version == "1.2":
        document: dict[str, Any] = {
            "credit": values.get("cmi.core.credit", "credit"), "mode": values.get("cmi.core.lesson_mode", "normal"),
            "location": values.get("cmi.core.lesson_location", ""),
            "preferences": {"language": values.get("cmi.student_preference.language", ""),
                            "audio_level": values.get("cmi.student_preference.audio", ""),
                            "delivery_speed": values.get("cmi.student_preference.speed", ""),
                            "audio_captioning": values.get("cmi.student_preference.text", "")},
            "total_time": _duration("1.2", values.get("cmi.core.total_time")) or "PT0S",
        }
        if values.get("cmi.comments_from_lms"):
            document["comments_from_lms"] = [{"comment": values["cmi.comments_from_lms"]}]
        return document
    comments = []
    index = 0
    while f"cmi.comments_from_lms.{index}.comment" in values:
        comments.append({key: values[f"cmi.comments_from_lms.{index}.{key}"]
                         for key in ("comment", "location", "timestamp")
                         if f"cmi.comments_from_lms.{index}.{key}" in values})
        index += 1
    document = {
        "credit": values.get("cmi.credit", "credit"), "mode": values.get("cmi.mode", "normal"),
        "location": values.get("cmi.location", ""),
        "preferences": {"language": values.get("cmi.learner_preference.language", ""),
                        "audio_level": values.get("cmi.learner_preference.audio_level", "1"),
                        "delivery_speed": values.get("cmi.learner_preference.delivery_speed", "1"),
                        "audio_captioning": values.get("cmi.learner_preference.audio_captioning", "0")},
        "total_time": values.get("cmi.total_time", "PT0S"),
    }
    if comments:
        document["comments_from_lms"] = comments
    return document


# --- building blocks ---

def _verb(name: str) -> dict[str, Any]:
    return {"id": ADL_VERBS + name, "display": {"en-US": name}}


def _activity(iri: str, activity_type: str, name: str) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": ACTIVITY_TYPES + activity_type}
    if name:
        definition["name"] = {"en-US": name[:500]}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def _context(context: StatementContext, *, parent: bool) -> dict[str, Any]:
    activities: dict[str, Any] = {
        "category": [PROFILE_ACTIVITY],
        # Profile: grouping holds the attempt and the course; parent is the SCO for interactions/objectives.
        "grouping": [{"objectType": "Activity", "id": context.attempt_iri,
                      "definition": {"type": ACTIVITY_TYPES + "attempt"}},
                     _activity(context.course_iri, "course", context.course_title)],
    }
    if parent:
        activities["parent"] = [_activity(context.sco_iri, "lesson", context.sco_title)]
    return {"registration": context.registration, "contextActivities": activities}


def _sco_statement(context: StatementContext, seq: int, kind: str, verb: str,
                   result: Mapping[str, Any] | None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": statement_id(context.attempt_id, context.activity_id, seq, kind),
        "actor": dict(context.actor), "verb": _verb(verb),
        "object": _activity(context.sco_iri, "lesson", context.sco_title),
        "context": _context(context, parent=False), "timestamp": context.timestamp,
    }
    if result:
        statement["result"] = dict(result)
    return statement


def _course_statement(context: StatementContext, seq: int, verb: str, result: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": statement_id(context.attempt_id, context.activity_id, seq, f"course:{verb}"),
        "actor": dict(context.actor), "verb": _verb(verb),
        "object": _activity(context.course_iri, "course", context.course_title),
        "result": dict(result),
        "context": {"registration": context.registration,
                    "contextActivities": {"category": [PROFILE_ACTIVITY],
                                          "grouping": [{"objectType": "Activity", "id": context.attempt_iri,
                                                        "definition": {"type": ACTIVITY_TYPES + "attempt"}}]}},
        "timestamp": context.timestamp,
    }


def _status_changes(version: ScormVersion, before: Mapping[str, str],
                    after: Mapping[str, str]) -> list[tuple[str, dict[str, Any]]]:
    changes: list[tuple[str, dict[str, Any]]] = []
    if version == "1.2":
        old, new = before.get("cmi.core.lesson_status"), after.get("cmi.core.lesson_status")
        if new != old and new in ("completed", "passed", "failed"):
            if new == "completed":
                changes.append(("completed", {"completion": True}))
            else:
                # SCORM 1.2: passed and failed are also "done" (RTE §3.4.4 lesson_status).
                if old not in ("completed", "passed", "failed"):
                    changes.append(("completed", {"completion": True}))
                changes.append((new, {"success": new == "passed"}))
        return changes
    old_completion = evaluated_completion_status(before) if before else "unknown"
    new_completion = evaluated_completion_status(after)
    if new_completion == "completed" and old_completion != "completed":
        changes.append(("completed", {"completion": True}))
    old_success = evaluated_success_status(before) if before else "unknown"
    new_success = evaluated_success_status(after)
    if new_success in ("passed", "failed") and new_success != old_success:
        changes.append((new_success, {"success": new_success == "passed"}))
    return changes


def _score(version: ScormVersion, values: Mapping[str, str]) -> dict[str, float]:
    prefix = "cmi.core.score." if version == "1.2" else "cmi.score."
    raw, low, high = (cmi_real(values.get(prefix + name)) for name in ("raw", "min", "max"))
    score: dict[str, float] = {}
    scaled = cmi_real(values.get("cmi.score.scaled")) if version == "2004" else None
    if version == "1.2" and raw is not None:
        # SCORM 1.2 has no scaled score; raw is 0..100 unless min/max say otherwise.
        bottom, top = low if low is not None else 0.0, high if high is not None else 100.0
        if top > bottom:
            scaled = (raw - bottom) / (top - bottom)
    if scaled is not None and -1 <= scaled <= 1:
        score["scaled"] = round(scaled, 7)
    if raw is not None:
        # xAPI Data §2.4.5.1: raw must lie between min and max when they are given.
        if (low is None or raw >= low) and (high is None or raw <= high) and (low is None or high is None
                                                                               or low <= high):
            score["raw"] = raw
            if low is not None:
                score["min"] = low
            if high is not None:
                score["max"] = high
    return score


def _interaction_statements(context: StatementContext, before: Mapping[str, str], after: Mapping[str, str],
                            seq: int) -> list[dict[str, Any]]:
    statements = []
    response_leaf = "student_response" if context.version == "1.2" else "learner_response"
    index = 0
    while f"cmi.interactions.{index}.id" in after:
        prefix = f"cmi.interactions.{index}."
        fields_after = {name[len(prefix):]: value for name, value in after.items() if name.startswith(prefix)}
        fields_before = {name[len(prefix):]: value for name, value in before.items() if name.startswith(prefix)}
        if response_leaf in fields_after and fields_after != fields_before:
            statements.append(_responded(context, seq, index, fields_after, response_leaf))
        index += 1
    return statements


def _responded(context: StatementContext, seq: int, index: int, fields: Mapping[str, str],
               response_leaf: str) -> dict[str, Any]:
    interaction_type = fields.get("type", "")
    definition: dict[str, Any] = {"type": "http://adlnet.gov/expapi/activities/cmi.interaction"}
    if interaction_type in INTERACTION_TYPES:
        definition["interactionType"] = interaction_type
        patterns = []
        position = 0
        while f"correct_responses.{position}.pattern" in fields:
            patterns.append(fields[f"correct_responses.{position}.pattern"])
            position += 1
        if patterns:
            definition["correctResponsesPattern"] = patterns
    if fields.get("description"):
        definition["description"] = {"en-US": fields["description"][:1000]}
    definition["name"] = {"en-US": fields["id"][:500]}
    result: dict[str, Any] = {"response": fields[response_leaf]}
    outcome = fields.get("result")
    if outcome in _CORRECT:
        result["success"] = True
    elif outcome in _INCORRECT:
        result["success"] = False
    latency = _duration(context.version, fields.get("latency"))
    if latency:
        result["duration"] = latency
    return {
        "id": statement_id(context.attempt_id, context.activity_id, seq, f"responded:{index}"),
        "actor": dict(context.actor), "verb": _verb("responded"),
        "object": {"objectType": "Activity", "id": interaction_iri(context.sco_iri, fields["id"]),
                   "definition": definition},
        "result": result, "context": _context(context, parent=True), "timestamp": context.timestamp,
    }


def _objective_statements(context: StatementContext, before: Mapping[str, str], after: Mapping[str, str],
                          seq: int) -> list[dict[str, Any]]:
    """completed / passed / failed about an objective when its status changes (profile: objective activities, the
    SCO as parent). 1.2 has one status per objective; 2004 separate completion and success statuses."""
    statements = []
    index = 0
    while f"cmi.objectives.{index}.id" in after:
        prefix = f"cmi.objectives.{index}."
        objective_id = after[prefix + "id"]
        if context.version == "1.2":
            old, new = before.get(prefix + "status"), after.get(prefix + "status")
            changes = [new] if new != old and new in ("completed", "passed", "failed") else []
        else:
            changes = []
            if after.get(prefix + "completion_status") == "completed" != before.get(prefix + "completion_status"):
                changes.append("completed")
            new = after.get(prefix + "success_status")
            if new in ("passed", "failed") and new != before.get(prefix + "success_status"):
                changes.append(new)
        score = _score(context.version, {name.replace(prefix + "score.", "cmi.core.score." if context.version == "1.2"
                                                      else "cmi.score."): value
                                         for name, value in after.items() if name.startswith(prefix + "score.")})
        for verb in changes:
            result: dict[str, Any] = {"completion": True} if verb == "completed" else {"success": verb == "passed"}
            if score and verb != "completed":
                result["score"] = score
            statements.append({
                "id": statement_id(context.attempt_id, context.activity_id, seq, f"objective:{index}:{verb}"),
                "actor": dict(context.actor), "verb": _verb(verb),
                "object": _activity(objective_iri(context.sco_iri, objective_id), "objective", objective_id),
                "result": result, "context": _context(context, parent=True), "timestamp": context.timestamp,
            })
        index += 1
    return statements


def _comment_statements(context: StatementContext, before: Mapping[str, str], after: Mapping[str, str],
                        seq: int) -> list[dict[str, Any]]:
    """commented about the SCO for each new learner comment (2004 cmi.comments_from_learner.n, 1.2 cmi.comments)."""
    comments: list[str] = []
    if context.version == "1.2":
        old, new = before.get("cmi.comments", ""), after.get("cmi.comments", "")
        # 1.2 comments are one string that SetValue appends to: the new part is the comment.
        added = new[len(old):] if new.startswith(old) else new
        if added.strip():
            comments.append(added.strip())
    else:
        index = 0
        while f"cmi.comments_from_learner.{index}.comment" in after:
            element = f"cmi.comments_from_learner.{index}.comment"
            if after[element] and after[element] != before.get(element):
                comments.append(after[element])
            index += 1
    return [_sco_statement(context, seq, f"commented:{position}", "commented", {"response": comment})
            for position, comment in enumerate(comments)]


def _duration(version: ScormVersion, text: str | None) -> str | None:
    """A session_time/latency as an xAPI ISO 8601 duration (1.2 CMITimespan converted, 2004 re-formatted)."""
    if not text:
        return None
    centiseconds = parse_cmi_timespan(text) if version == "1.2" else parse_iso8601_duration(text)
    return None if centiseconds is None else format_iso8601_duration(centiseconds)


