"""SCO-reported run-time data → the activity's tracking state, at Terminate (SCORM 2004 4th Ed SN §4.2.1, RTE §4.2)."""

from __future__ import annotations

from dataclasses import dataclass

from scorm_player.sequencing.tracking import Tracking

__all__ = ["ObjectiveReport", "ScoReport", "apply_sco_report"]

_COMPLETION = {"completed": True, "incomplete": False, "not attempted": False, "unknown": None}
_SUCCESS = {"passed": True, "failed": False, "unknown": None}


@dataclass(frozen=True)
class ObjectiveReport:
    """One cmi.objectives.n entry; None means the SCO did not set that element."""

    objective_id: str
    success_status: str | None = None
    completion_status: str | None = None
    score_scaled: float | None = None
    score_raw: float | None = None
    score_min: float | None = None
    score_max: float | None = None
    progress_measure: float | None = None


@dataclass(frozen=True)
class ScoReport:
    """What the SCO left in the data model when it terminated; None means "not set"."""

    completion_status: str | None = None
    success_status: str | None = None
    score_scaled: float | None = None
    score_raw: float | None = None
    score_min: float | None = None
    score_max: float | None = None
    progress_measure: float | None = None
    exit: str | None = None  # cmi.exit; "suspend" leaves the attempt suspended
    objectives: tuple[ObjectiveReport, ...] = ()


def apply_sco_report(tracking: Tracking, identifier: str, report: ScoReport) -> None:
    """Copy the SCO's data into the tracking model of `identifier` (mutates `tracking.state`)."""
    activity = tracking.tree[identifier]
    activity_state = tracking.state.activity(identifier)
    if report.exit == "suspend":
        activity_state.suspended = True
    if not activity.tracked:
        # IMS SS DB.2 8.1: an untracked activity records no progress information.
        return
    primary_key = activity.primary_key
    primary_reports = [objective for objective in report.objectives if objective.objective_id == primary_key]
    if report.completion_status is not None or any(o.completion_status is not None for o in primary_reports):
        activity_state.completion_reported = True
    if report.success_status is not None or any(o.success_status is not None for o in primary_reports):
        activity_state.success_reported = True
    # The primary objective also appears in cmi.objectives under its own id; cmi.success_status etc. win when known.
    for objective in report.objectives:
        is_primary = objective.objective_id == primary_key and primary_key != ""
        key = primary_key if is_primary else objective.objective_id
        if activity.objective(key) is None:
            continue  # an objective the manifest does not define does not take part in sequencing
        _apply_objective(tracking, identifier, key, objective, is_primary)
    if report.progress_measure is not None:
        tracking.set_progress_measure(identifier, report.progress_measure)
    threshold = activity.completion_threshold
    if threshold is not None and threshold.completed_by_measure:
        # SCORM 2004 RTE §4.2.4.1: with a completion threshold, progress_measure decides (unknown without one).
        measure = tracking.state.activity(identifier).progress_measure
        tracking.set_completed(identifier, None if measure is None else measure >= threshold.min_progress_measure)
    elif report.completion_status is not None:
        tracking.set_completed(identifier, _COMPLETION.get(report.completion_status))
    if report.score_scaled is not None:
        tracking.set_measure(identifier, None, report.score_scaled)
    for name in ("score_raw", "score_min", "score_max"):
        if getattr(report, name) is not None:
            tracking.set_objective_value(identifier, primary_key, name, getattr(report, name))
    if report.success_status is not None:
        tracking.set_satisfied(identifier, None, _SUCCESS.get(report.success_status))


def _apply_objective(tracking: Tracking, identifier: str, key: str, objective: ObjectiveReport,
                     is_primary: bool) -> None:
    if objective.success_status is not None:
        tracking.set_satisfied(identifier, key, _SUCCESS.get(objective.success_status))
    if objective.score_scaled is not None:
        tracking.set_measure(identifier, key, objective.score_scaled)
    for name in ("score_raw", "score_min", "score_max"):
        if getattr(objective, name) is not None:
            tracking.set_objective_value(identifier, key, name, getattr(objective, name))
    if is_primary:
        if objective.progress_measure is not None:
            tracking.set_progress_measure(identifier, objective.progress_measure)
        if objective.completion_status is not None:
            tracking.set_completed(identifier, _COMPLETION.get(objective.completion_status))
        return
    if objective.progress_measure is not None:
        tracking.set_objective_value(identifier, key, "progress_measure", objective.progress_measure)
    if objective.completion_status is not None:
        tracking.set_objective_value(identifier, key, "completed", _COMPLETION.get(objective.completion_status))
