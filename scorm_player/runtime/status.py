"""Status evaluation and end-of-session bookkeeping: 2004 thresholds, 1.2 mastery score, total_time accumulation."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Mapping

from scorm_player.runtime.durations import add_session_time
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.rules import DataModelRules


def evaluated_completion_status(values: Mapping[str, str]) -> str:
    """SCORM 2004 RTE §4.2.4 (spec §2.4): with a completion_threshold, progress_measure decides, else the stored one."""
    threshold = _number(values.get("cmi.completion_threshold"))
    if threshold is None:
        return values.get("cmi.completion_status", "unknown")
    measure = _number(values.get("cmi.progress_measure"))
    if measure is None:
        return "unknown"
    return "completed" if measure >= threshold else "incomplete"


def evaluated_success_status(values: Mapping[str, str]) -> str:
    """SCORM 2004 RTE §4.2.22 (spec §2.4): with a scaled_passing_score, score.scaled decides, else the stored value."""
    passing_score = _number(values.get("cmi.scaled_passing_score"))
    if passing_score is None:
        return values.get("cmi.success_status", "unknown")
    scaled_score = _number(values.get("cmi.score.scaled"))
    if scaled_score is None:
        return "unknown"
    return "passed" if scaled_score >= passing_score else "failed"


def evaluated_element(rules: DataModelRules, name: str, values: Mapping[str, str]) -> str:
    """The value GetValue reports for an element the LMS evaluates (the rule's "evaluated" key)."""
    if name == "completion_status":
        return evaluated_completion_status(values)
    if name == "success_status":
        return evaluated_success_status(values)
    raise ValueError(f"unknown evaluated element {name!r}")


def evaluated_lesson_status(values: Mapping[str, str], options: RuntimeOptions, *, finishing: bool) -> str:
    """SCORM 1.2 lesson_status as the LMS records it at LMSCommit (finishing=False) or LMSFinish (spec §2.3)."""
    status = values.get("cmi.core.lesson_status", "not attempted")
    mastery_score = _number(values.get("cmi.student_data.mastery_score"))
    raw_score = _number(values.get("cmi.core.score.raw"))
    credit = values.get("cmi.core.credit", "credit")
    if options.apply_mastery_score and credit == "credit" and mastery_score is not None and raw_score is not None:
        return "passed" if raw_score >= mastery_score else "failed"
    if finishing and status == "not attempted":
        if values.get("cmi.core.lesson_mode") == "browse":
            return "browsed"
        return "completed" if options.force_completed_on_finish else "incomplete"
    return status


def committed_values(rules: DataModelRules, values: Mapping[str, str], options: RuntimeOptions) -> dict[str, str]:
    """The values as stored at a Commit: 1.2 applies the mastery score; 2004 evaluates on read, so nothing moves."""
    committed = dict(values)
    if rules.version == "1.2":
        status = evaluated_lesson_status(values, options, finishing=False)
        if status != values.get("cmi.core.lesson_status", "not attempted"):
            committed["cmi.core.lesson_status"] = status
    return committed


def finished_values(rules: DataModelRules, values: Mapping[str, str], options: RuntimeOptions,
                    fallback_session_time: str | None = None) -> dict[str, str]:
    """The values as stored at Terminate/LMSFinish: statuses settled and session_time added to total_time once.

    Call exactly once per session (spec §2.5: commits can repeat, the session ends once). `fallback_session_time`
    (the caller's wall-clock measure, in the version's format) counts when the SCO never set session_time
    (spec §2.5 optional guard, scorm-again `selfReportSessionTime`).
    """
    finished = dict(values)
    if rules.version == "1.2":
        finished["cmi.core.lesson_status"] = evaluated_lesson_status(values, options, finishing=True)
    else:
        # Persist what GetValue reported, so storage and the xAPI mapping see the evaluated statuses.
        if "cmi.completion_threshold" in values:
            finished["cmi.completion_status"] = evaluated_completion_status(values)
        if "cmi.scaled_passing_score" in values:
            finished["cmi.success_status"] = evaluated_success_status(values)
    total_time = rules.session_elements["total_time"]
    session_time = values.get(rules.session_elements["session_time"]) or fallback_session_time
    previous_total = values.get(total_time, rules.elements[total_time].default or "")
    finished[total_time] = add_session_time(rules.version, previous_total, session_time)
    return finished


def _number(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
