"""Overall Rollup Process (IMS SS RB.1.5): measure, completion-measure, objective and progress rollup."""

from __future__ import annotations

from scorm_player.package.sequencing import RollupCondition, RollupRule
from scorm_player.sequencing.tracking import Tracking, combine_all, combine_any, negate

__all__ = ["overall_rollup"]

_SATISFACTION = frozenset({"satisfied", "notSatisfied"})
_COMPLETION = frozenset({"completed", "incomplete"})

# IMS SS §3.3 / SCORM 2004 SN §4.6.4: the rules an activity rolls up with when it defines none of that kind.
# "Not satisfied" (or "incomplete") fires once every child is known; "satisfied" ("completed") is checked after
# it and wins when every child is satisfied (completed).
_DEFAULT_SATISFACTION_RULES = (
    RollupRule("notSatisfied", (RollupCondition("objectiveStatusKnown"),), child_activity_set="all"),
    RollupRule("satisfied", (RollupCondition("satisfied"),), child_activity_set="all"),
)
_DEFAULT_COMPLETION_RULES = (
    RollupRule("incomplete", (RollupCondition("activityProgressKnown"),), child_activity_set="all"),
    RollupRule("completed", (RollupCondition("completed"),), child_activity_set="all"),
)


def overall_rollup(tracking: Tracking, identifier: str) -> None:
    """IMS SS RB.1.5: roll up from the activity to the root, deepest first.

    Like the ADL sample RTE, the clusters above every activity that reads a global objective roll up too, so a
    status written through one branch of the tree reaches the others.
    """
    tree = tracking.tree
    depths = {activity_id: depth for depth, activity_id in enumerate(reversed(tree.ancestors(identifier)))}
    for reader in _global_readers(tracking):
        path = tree.ancestors(reader)
        for depth, activity_id in enumerate(reversed(path[1:])):
            depths[activity_id] = depth
    for activity_id in sorted(depths, key=lambda activity_id: -depths[activity_id]):
        if not tree[activity_id].is_leaf:
            _measure_rollup(tracking, activity_id)
            _completion_measure_rollup(tracking, activity_id)
        _objective_rollup(tracking, activity_id)
        _progress_rollup(tracking, activity_id)


def _global_readers(tracking: Tracking) -> list[str]:
    readers = []
    for activity in tracking.tree:
        for objective in activity.objectives:
            reads = any(mapping.read_satisfied_status or mapping.read_normalized_measure for mapping in objective.maps)
            reads = reads or any(extended.read_completion_status or extended.read_progress_measure
                                 for extended in objective.extended_maps)
            if reads:
                readers.append(activity.identifier)
                break
    return readers


def _measure_rollup(tracking: Tracking, identifier: str) -> None:
    """IMS SS RB.1.1 Measure Rollup Process, weighted by objectiveMeasureWeight."""
    total, counted, valid = 0.0, 0.0, False
    for child_id in tracking.tree[identifier].children:
        child = tracking.tree[child_id]
        if not child.tracked:
            continue
        weight = child.sequencing.rollup.objective_measure_weight
        counted += weight
        measure = tracking.measure(child_id, current_only=True)
        if measure is not None:
            total += measure * weight
            valid = True
    tracking.set_measure(identifier, None, total / counted if valid and counted > 0 else None)


def _completion_measure_rollup(tracking: Tracking, identifier: str) -> None:
    """SCORM 2004 4th Ed RB.1.1b: progress measure weighted by adlcp:completionThreshold@progressWeight."""
    total, counted, valid = 0.0, 0.0, False
    for child_id in tracking.tree[identifier].children:
        child = tracking.tree[child_id]
        if not child.tracked:
            continue
        counted += child.progress_weight
        amount = tracking.progress_measure(child_id, current_only=True)
        if amount is not None:
            total += amount * child.progress_weight
            valid = True
    tracking.set_progress_measure(identifier, total / counted if valid and counted > 0 else None)


def _objective_rollup(tracking: Tracking, identifier: str) -> None:
    activity = tracking.tree[identifier]
    primary = activity.primary_objective
    if primary.satisfied_by_measure:
        # IMS SS RB.1.2.a Objective Rollup Using Measure
        measure = tracking.measure(identifier)
        active = tracking.state.activity(identifier).active
        if measure is None or (active and not activity.sequencing.rollup_considerations.measure_satisfaction_if_active):
            tracking.set_satisfied(identifier, None, None)
        else:
            tracking.set_satisfied(identifier, None, measure >= primary.min_normalized_measure)
        return
    if activity.is_leaf:
        return
    # IMS SS RB.1.2.b Objective Rollup Using Rules (the defaults when none is defined)
    rules = _rules_for(activity.sequencing.rollup.rules, _SATISFACTION, _DEFAULT_SATISFACTION_RULES)
    if _rollup_rule_check(tracking, identifier, rules, "notSatisfied"):
        tracking.set_satisfied(identifier, None, False)
    if _rollup_rule_check(tracking, identifier, rules, "satisfied"):
        tracking.set_satisfied(identifier, None, True)


def _progress_rollup(tracking: Tracking, identifier: str) -> None:
    activity = tracking.tree[identifier]
    threshold = activity.completion_threshold
    if threshold is not None and threshold.completed_by_measure:
        # SCORM 2004 4th Ed RB.1.3.a Activity Progress Rollup Using Measure
        amount = tracking.progress_measure(identifier)
        tracking.set_completed(identifier, None if amount is None else amount >= threshold.min_progress_measure)
        return
    if activity.is_leaf:
        return
    # IMS SS RB.1.3 Activity Progress Rollup Process
    rules = _rules_for(activity.sequencing.rollup.rules, _COMPLETION, _DEFAULT_COMPLETION_RULES)
    if _rollup_rule_check(tracking, identifier, rules, "incomplete"):
        tracking.set_completed(identifier, False)
    if _rollup_rule_check(tracking, identifier, rules, "completed"):
        tracking.set_completed(identifier, True)


def _rules_for(rules: tuple[RollupRule, ...], actions: frozenset[str],
               defaults: tuple[RollupRule, ...]) -> tuple[RollupRule, ...]:
    own = tuple(rule for rule in rules if rule.action in actions)
    return own or defaults


def _rollup_rule_check(tracking: Tracking, identifier: str, rules: tuple[RollupRule, ...], action: str) -> bool:
    """IMS SS RB.1.4 Rollup Rule Check Subprocess."""
    for rule in rules:
        if rule.action != action:
            continue
        bag: list[bool | None] = []
        for child_id in tracking.tree[identifier].children:
            if tracking.tree[child_id].tracked and _contributes(tracking, child_id, action):
                values = [_rollup_condition(tracking, child_id, condition) for condition in rule.conditions]
                bag.append(combine_all(values) if rule.condition_combination == "all" else combine_any(values))
        if _child_set_matches(rule, bag):
            return True
    return False


def _child_set_matches(rule: RollupRule, bag: list[bool | None]) -> bool:
    if not bag:
        # No child contributes: "all" and "none" hold vacuously, the counting sets do not (as the ADL sample RTE,
        # the CTS reference, evaluates them -- ADL CTS RU-11).
        return rule.child_activity_set in ("all", "none")
    true_count = sum(1 for value in bag if value is True)
    if rule.child_activity_set == "all":
        return true_count == len(bag)
    if rule.child_activity_set == "any":
        return true_count > 0
    if rule.child_activity_set == "none":
        return all(value is False for value in bag)
    if rule.child_activity_set == "atLeastCount":
        return true_count >= rule.minimum_count
    return true_count / len(bag) >= rule.minimum_percent  # atLeastPercent


def _rollup_condition(tracking: Tracking, child_id: str, condition: RollupCondition) -> bool | None:
    """IMS SS RB.1.4.1 Evaluate Rollup Conditions Subprocess, for one condition of one child."""
    name = condition.condition
    child_state = tracking.state.activity(child_id)
    value: bool | None
    # Only information from the parent's current attempt counts (useCurrentAttempt*Info, see Tracking.satisfied).
    if name == "satisfied":
        value = tracking.satisfied(child_id, current_only=True)
    elif name == "objectiveStatusKnown":
        value = tracking.satisfied(child_id, current_only=True) is not None
    elif name == "objectiveMeasureKnown":
        value = tracking.measure(child_id, current_only=True) is not None
    elif name == "completed":
        value = tracking.completed(child_id, current_only=True)
    elif name == "activityProgressKnown":
        value = tracking.completed(child_id, current_only=True) is not None
    elif name == "attempted":
        value = child_state.progress_known
    elif name == "attemptLimitExceeded":
        value = tracking.attempt_limit_exceeded(child_id)
    else:  # time-based conditions are not tracked (Tier 3)
        value = False
    return negate(value) if condition.negated else value


def _contributes(tracking: Tracking, child_id: str, action: str) -> bool:
    """IMS SS RB.1.4.2 Check Child for Rollup Subprocess, with adlseq:rollupConsiderations."""
    child = tracking.tree[child_id]
    considerations = child.sequencing.rollup_considerations
    if action in _SATISFACTION:
        if not child.sequencing.rollup.rollup_objective_satisfied:
            return False
        required = (considerations.required_for_satisfied if action == "satisfied"
                    else considerations.required_for_not_satisfied)
    else:
        if not child.sequencing.rollup.rollup_progress_completion:
            return False
        required = (considerations.required_for_completed if action == "completed"
                    else considerations.required_for_incomplete)
    child_state = tracking.state.activity(child_id)
    if required == "ifNotSuspended":
        return child_state.progress_known and not child_state.suspended
    if required == "ifAttempted":
        return child_state.progress_known
    if required == "ifNotSkipped":
        return tracking.pre_condition(child_id, "skip") is None
    return True
