"""Reading and writing tracking data through objective maps, and the rule and limit checks built on it (IMS SS UP.x)."""

from __future__ import annotations

from typing import Iterable

from scorm_player.package.sequencing import Objective, RuleCondition, SequencingRule
from scorm_player.sequencing.state import GlobalObjectives, ObjectiveState, SequencingState
from scorm_player.sequencing.tree import Activity, ActivityTree, objective_key

__all__ = ["Tracking", "combine_all", "combine_any", "negate"]


def negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def combine_all(values: Iterable[bool | None]) -> bool | None:
    """Three-valued AND (IMS SS UP.2.1: unknown stays unknown unless a condition is false)."""
    result: bool | None = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def combine_any(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR."""
    result: bool | None = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


class Tracking:
    """The tree plus a mutable state; every sequencing process works through one of these."""

    def __init__(self, tree: ActivityTree, state: SequencingState,
                 global_objectives: GlobalObjectives | None = None) -> None:
        self.tree = tree
        self.state = state
        # The learner's cross-course store; used only for objectives global to the system (otherwise, or without a
        # store, the global objectives live in the state: adlseq:objectivesGlobalToSystem scoping).
        self.learner_objectives = global_objectives if tree.objectives_global_to_system else None

    # -- objectives through mapInfo -------------------------------------------------------------------------

    def _global_get(self, target_id: str) -> ObjectiveState | None:
        if self.learner_objectives is not None:
            return self.learner_objectives.get(target_id)
        return self.state.global_objectives.get(target_id)

    def _global_set(self, target_id: str) -> ObjectiveState:
        if self.learner_objectives is not None:
            return self.learner_objectives.objective(target_id)
        return self.state.global_objective(target_id)

    def _local(self, activity: Activity, objective: Objective) -> ObjectiveState:
        return self.state.activity(activity.identifier).objective(objective_key(objective))

    def _read_global(self, objective: Objective, flag: str) -> ObjectiveState | None:
        """The first global objective this objective reads `flag` from that holds a value (IMS SS §4.8 mapInfo)."""
        for mapping in objective.maps:
            if getattr(mapping, flag):
                return self._global_get(mapping.target_objective_id)
        return None

    def _read_extended(self, objective: Objective, flag: str) -> ObjectiveState | None:
        for extended in objective.extended_maps:
            if getattr(extended, flag):
                return self._global_get(extended.target_objective_id)
        return None

    def satisfied(self, identifier: str, key: str | None = None, *, current_only: bool = False) -> bool | None:
        """Objective satisfied status; `current_only` (rollup) ignores local data from before the parent's attempt."""
        activity = self.tree[identifier]
        objective = activity.objective(key)
        if objective is None or not activity.tracked:
            # IMS SS DB.2 / §4.2: an untracked activity has no tracking status, not even one read through a map.
            return None
        if objective.satisfied_by_measure:
            # IMS SS §4.6 / RB.1.2.a: a satisfiedByMeasure objective's status is its (possibly global) measure judged
            # against minNormalizedMeasure -- unknown while active unless measureSatisfactionIfActive (4th Ed).
            considerations = activity.sequencing.rollup_considerations
            if self.state.activity(identifier).active and not considerations.measure_satisfaction_if_active:
                return None
            measure = self.measure(identifier, key, current_only=current_only)
            return None if measure is None else measure >= objective.min_normalized_measure
        if any(mapping.read_satisfied_status for mapping in objective.maps):
            # IMS SS §4.8 readSatisfiedStatus: the local objective's progress and satisfied status ARE the global
            # objective's -- unknown while the global is, whatever the activity recorded itself (ADL CTS CM-13).
            shared = self._read_global(objective, "read_satisfied_status")
            return shared.satisfied if shared is not None else None
        if current_only and self.state.activity(identifier).objectives_stale:
            return None
        return self._local(activity, objective).satisfied

    def measure(self, identifier: str, key: str | None = None, *, current_only: bool = False) -> float | None:
        activity = self.tree[identifier]
        objective = activity.objective(key)
        if objective is None or not activity.tracked:
            return None
        if any(mapping.read_normalized_measure for mapping in objective.maps):
            shared = self._read_global(objective, "read_normalized_measure")
            return shared.measure if shared is not None else None
        if current_only and self.state.activity(identifier).objectives_stale:
            return None
        return self._local(activity, objective).measure

    def completed(self, identifier: str, *, current_only: bool = False) -> bool | None:
        """Attempt completion status; 4th Ed adlseq:mapInfo@readCompletionStatus reads it from a global objective."""
        activity = self.tree[identifier]
        if not activity.tracked or (current_only and self.state.activity(identifier).progress_stale):
            return None
        threshold = activity.completion_threshold
        if threshold is not None and threshold.completed_by_measure:
            # SCORM 2004 4th Ed: completedByMeasure judges completion by the (possibly global) progress measure.
            amount = self.progress_measure(identifier)
            return None if amount is None else amount >= threshold.min_progress_measure
        shared = self._read_extended(activity.primary_objective, "read_completion_status")
        if shared is not None and shared.completed is not None:
            return shared.completed
        return self.state.activity(identifier).completed

    def progress_measure(self, identifier: str, *, current_only: bool = False) -> float | None:
        """Attempt completion amount; `current_only` (rollup) ignores what was recorded before the parent's attempt."""
        if current_only and self.state.activity(identifier).progress_stale:
            return None
        activity = self.tree[identifier]
        shared = self._read_extended(activity.primary_objective, "read_progress_measure")
        if shared is not None and shared.progress_measure is not None:
            return shared.progress_measure
        return self.state.activity(identifier).progress_measure

    def objective_value(self, identifier: str, key: str, name: str) -> object:
        """A non-primary objective's 4th Ed field (completed, progress_measure, score_*), through read maps."""
        activity = self.tree[identifier]
        objective = activity.objective(key)
        if objective is None:
            return None
        flag = {"completed": "read_completion_status", "progress_measure": "read_progress_measure",
                "score_raw": "read_raw_score", "score_min": "read_min_score", "score_max": "read_max_score"}[name]
        shared = self._read_extended(objective, flag)
        if shared is not None and getattr(shared, name) is not None:
            return getattr(shared, name)
        return getattr(self._local(activity, objective), name)

    def set_satisfied(self, identifier: str, key: str | None, value: bool | None) -> None:
        activity = self.tree[identifier]
        objective = activity.objective(key)
        if objective is None or not activity.tracked:  # an untracked activity records nothing (IMS SS DB.2)
            return
        self._local(activity, objective).satisfied = value
        for mapping in objective.maps:
            if mapping.write_satisfied_status:
                self._global_set(mapping.target_objective_id).satisfied = value

    def set_measure(self, identifier: str, key: str | None, value: float | None) -> None:
        activity = self.tree[identifier]
        objective = activity.objective(key)
        if objective is None or not activity.tracked:
            return
        self._local(activity, objective).measure = value
        for mapping in objective.maps:
            if mapping.write_normalized_measure:
                self._global_set(mapping.target_objective_id).measure = value
        if objective.satisfied_by_measure:
            # IMS SS §4.6: the measure decides a satisfiedByMeasure objective's status; record it (and write it
            # through the objective's maps) now -- for the primary objective of an active activity only when
            # adlseq:measureSatisfactionIfActive allows (RB.1.2.a).
            considerations = activity.sequencing.rollup_considerations
            if (objective.is_primary and self.state.activity(identifier).active
                    and not considerations.measure_satisfaction_if_active):
                return
            satisfied = None if value is None else value >= objective.min_normalized_measure
            self._local(activity, objective).satisfied = satisfied
            for mapping in objective.maps:
                if mapping.write_satisfied_status:
                    self._global_set(mapping.target_objective_id).satisfied = satisfied

    def set_completed(self, identifier: str, value: bool | None) -> None:
        if not self.tree[identifier].tracked:
            return
        self.state.activity(identifier).completed = value
        self._write_extended(self.tree[identifier].primary_objective, "completed", value)

    def set_progress_measure(self, identifier: str, value: float | None) -> None:
        if not self.tree[identifier].tracked:
            return
        self.state.activity(identifier).progress_measure = value
        self._write_extended(self.tree[identifier].primary_objective, "progress_measure", value)

    def set_objective_value(self, identifier: str, key: str, name: str, value: object) -> None:
        activity = self.tree[identifier]
        objective = activity.objective(key)
        if objective is None or not activity.tracked:
            return
        setattr(self._local(activity, objective), name, value)
        self._write_extended(objective, name, value)

    def _write_extended(self, objective: Objective, name: str, value: object) -> None:
        flag = {"completed": "write_completion_status", "progress_measure": "write_progress_measure",
                "score_raw": "write_raw_score", "score_min": "write_min_score", "score_max": "write_max_score"}[name]
        for extended in objective.extended_maps:
            if getattr(extended, flag):
                setattr(self._global_set(extended.target_objective_id), name, value)

    # -- rules and limits ------------------------------------------------------------------------------------

    def attempt_limit_exceeded(self, identifier: str) -> bool:
        limit = self.tree[identifier].sequencing.limit_conditions.attempt_limit
        attempts = self.state.activity(identifier).attempt_count
        # IMS SS UP.1 / condition attemptLimitExceeded (the ADL sample RTE counts attempts begun, not progress)
        return limit is not None and attempts >= limit

    def condition(self, identifier: str, condition: RuleCondition) -> bool | None:
        """One sequencing rule condition, three-valued (IMS SS UP.2.1 and §3.2 condition vocabulary)."""
        name = condition.condition
        key = condition.referenced_objective
        activity_state = self.state.activity(identifier)
        value: bool | None
        if name == "satisfied":
            value = self.satisfied(identifier, key)
        elif name == "objectiveStatusKnown":
            value = self.satisfied(identifier, key) is not None
        elif name == "objectiveMeasureKnown":
            value = self.measure(identifier, key) is not None
        elif name in ("objectiveMeasureGreaterThan", "objectiveMeasureLessThan"):
            measure = self.measure(identifier, key)
            if measure is None:
                value = None
            elif name == "objectiveMeasureGreaterThan":
                value = measure > condition.measure_threshold
            else:
                value = measure < condition.measure_threshold
        elif name in ("completed", "activityProgressKnown"):
            activity = self.tree[identifier]
            if key is not None and key != activity.primary_key:
                # SCORM 2004 4th Ed: a referenced objective has its own completion status (adlseq:mapInfo).
                completed = self.objective_value(identifier, key, "completed")
                known = completed is not None
            else:
                # Known once there is a status, the activity's own or one read from a global objective (4th Ed
                # adlseq:mapInfo readCompletionStatus) -- even before the activity is attempted (ADL CTS CO-06).
                completed = self.completed(identifier)
                known = completed is not None
            value = known if name == "activityProgressKnown" else (None if completed is None else bool(completed))
        elif name == "attempted":
            value = activity_state.progress_known
        elif name == "attemptLimitExceeded":
            value = self.attempt_limit_exceeded(identifier)
        elif name == "always":
            value = True
        else:  # timeLimitExceeded, outsideAvailableTimeRange: time limits are not tracked (Tier 3)
            value = False
        return negate(value) if condition.negated else value

    def rule_fires(self, identifier: str, rule: SequencingRule) -> bool:
        """IMS SS UP.2.1 Sequencing Rule Check Subprocess."""
        values = (self.condition(identifier, condition) for condition in rule.conditions)
        combined = combine_all(values) if rule.condition_combination == "all" else combine_any(values)
        return combined is True

    def rules_check(self, identifier: str, rules: tuple[SequencingRule, ...], actions: frozenset[str]) -> str | None:
        """IMS SS UP.2 Sequencing Rules Check Process: the action of the first rule that fires, if any."""
        for rule in rules:
            if rule.action in actions and self.rule_fires(identifier, rule):
                return rule.action
        return None

    def pre_condition(self, identifier: str, *actions: str) -> str | None:
        return self.rules_check(identifier, self.tree[identifier].sequencing.rules.pre_condition, frozenset(actions))

    def limit_conditions_violated(self, identifier: str) -> bool:
        """IMS SS UP.1 Limit Conditions Check Process (attemptLimit only; durations are Tier 3)."""
        activity = self.tree[identifier]
        activity_state = self.state.activity(identifier)
        if not activity.tracked:
            return False
        # Limits only stop a new attempt from starting.
        if activity_state.active or activity_state.suspended:
            return False
        return self.attempt_limit_exceeded(identifier)

    def check_activity(self, identifier: str) -> bool:
        """IMS SS UP.5 Check Activity Process: true when the activity may not be delivered (disabled or limited)."""
        if self.pre_condition(identifier, "disabled") is not None:
            return True
        return self.limit_conditions_violated(identifier)
