"""SCORM 2004 sequencing definitions read from a manifest: IMS SS 1.0 elements plus the ADL adlseq extensions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable
from urllib.parse import unquote

from lxml import etree

from scorm_player.package.attributes import ValueReader, element_text

__all__ = [
    "ADLSEQ_NAMESPACE",
    "IMSSS_NAMESPACE",
    "AuxiliaryResource",
    "ConstrainedChoiceConsiderations",
    "ControlMode",
    "DeliveryControls",
    "ExtendedObjectiveMap",
    "LimitConditions",
    "Objective",
    "ObjectiveMap",
    "RandomizationControls",
    "RollupCondition",
    "RollupConsiderations",
    "RollupRule",
    "RollupRules",
    "RuleCondition",
    "SequencingDefinition",
    "SequencingRule",
    "SequencingRules",
    "build_sequencing",
    "normalise_objective_id",
    "read_sequencing_parts",
]

IMSSS_NAMESPACE = "http://www.imsglobal.org/xsd/imsss"
ADLSEQ_NAMESPACE = "http://www.adlnet.org/xsd/adlseq_v1p3"

_SS = f"{{{IMSSS_NAMESPACE}}}"
_ADLSEQ = f"{{{ADLSEQ_NAMESPACE}}}"

# IMS SS 1.0 XML binding vocabularies (imsss_v1p0util.xsd, imsss_v1p0seqrule.xsd, imsss_v1p0rollup.xsd).
SEQUENCING_RULE_CONDITIONS = frozenset({
    "satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "objectiveMeasureGreaterThan",
    "objectiveMeasureLessThan", "completed", "activityProgressKnown", "attempted", "attemptLimitExceeded",
    "timeLimitExceeded", "outsideAvailableTimeRange", "always",
})
ROLLUP_RULE_CONDITIONS = frozenset({
    "satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "completed", "activityProgressKnown",
    "attempted", "attemptLimitExceeded", "timeLimitExceeded", "outsideAvailableTimeRange",
})
RULE_ACTIONS = {
    "preConditionRule": frozenset({"skip", "disabled", "hiddenFromChoice", "stopForwardTraversal"}),
    "exitConditionRule": frozenset({"exit"}),
    "postConditionRule": frozenset({"exitParent", "exitAll", "retry", "retryAll", "continue", "previous"}),
}
ROLLUP_ACTIONS = frozenset({"satisfied", "notSatisfied", "completed", "incomplete"})
CHILD_ACTIVITY_SETS = frozenset({"all", "any", "none", "atLeastCount", "atLeastPercent"})
CONDITION_COMBINATIONS = frozenset({"all", "any"})
CONDITION_OPERATORS = frozenset({"not", "noOp"})
RANDOMIZATION_TIMINGS = frozenset({"never", "once", "onEachNewAttempt"})
# adlseq_v1p3.xsd rollupConsiderationType
ROLLUP_CONSIDERATIONS = frozenset({"always", "ifAttempted", "ifNotSkipped", "ifNotSuspended"})


@dataclass(frozen=True)
class ControlMode:
    """Sequencing control modes (defaults from imsss_v1p0control.xsd)."""

    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False
    use_current_attempt_objective_info: bool = True
    use_current_attempt_progress_info: bool = True


@dataclass(frozen=True)
class RuleCondition:
    condition: str
    negated: bool = False  # operator="not"
    referenced_objective: str | None = None  # None: the activity's primary objective
    measure_threshold: float = 0.0


@dataclass(frozen=True)
class SequencingRule:
    action: str
    conditions: tuple[RuleCondition, ...]
    condition_combination: str = "all"


@dataclass(frozen=True)
class SequencingRules:
    pre_condition: tuple[SequencingRule, ...] = ()
    exit_condition: tuple[SequencingRule, ...] = ()
    post_condition: tuple[SequencingRule, ...] = ()


@dataclass(frozen=True)
class LimitConditions:
    """Limit conditions; SCORM requires only attemptLimit and attemptAbsoluteDurationLimit (durations kept as text)."""

    attempt_limit: int | None = None
    attempt_absolute_duration_limit: str | None = None
    attempt_experienced_duration_limit: str | None = None
    activity_absolute_duration_limit: str | None = None
    activity_experienced_duration_limit: str | None = None
    begin_time_limit: str | None = None
    end_time_limit: str | None = None


@dataclass(frozen=True)
class AuxiliaryResource:
    identifier: str
    purpose: str


@dataclass(frozen=True)
class RollupCondition:
    condition: str
    negated: bool = False


@dataclass(frozen=True)
class RollupRule:
    action: str
    conditions: tuple[RollupCondition, ...]
    child_activity_set: str = "all"
    minimum_count: int = 0
    minimum_percent: float = 0.0
    condition_combination: str = "any"


@dataclass(frozen=True)
class RollupRules:
    """Rollup rules and rollup controls (defaults from imsss_v1p0rollup.xsd)."""

    rules: tuple[RollupRule, ...] = ()
    rollup_objective_satisfied: bool = True
    rollup_progress_completion: bool = True
    objective_measure_weight: float = 1.0


@dataclass(frozen=True)
class ObjectiveMap:
    """imsss:mapInfo: how a local objective reads and writes a global (shared) objective."""

    target_objective_id: str
    read_satisfied_status: bool = True
    read_normalized_measure: bool = True
    write_satisfied_status: bool = False
    write_normalized_measure: bool = False


@dataclass(frozen=True)
class ExtendedObjectiveMap:
    """adlseq:mapInfo (SCORM 2004 4th Ed): completion, progress and raw/min/max score on global objectives."""

    target_objective_id: str
    read_raw_score: bool = True
    read_min_score: bool = True
    read_max_score: bool = True
    read_completion_status: bool = True
    read_progress_measure: bool = True
    write_raw_score: bool = False
    write_min_score: bool = False
    write_max_score: bool = False
    write_completion_status: bool = False
    write_progress_measure: bool = False


@dataclass(frozen=True)
class Objective:
    objective_id: str | None  # may be None only for the primary objective
    is_primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float = 1.0
    maps: tuple[ObjectiveMap, ...] = ()
    extended_maps: tuple[ExtendedObjectiveMap, ...] = ()


@dataclass(frozen=True)
class RandomizationControls:
    randomization_timing: str = "never"
    select_count: int | None = None
    reorder_children: bool = False
    selection_timing: str = "never"


@dataclass(frozen=True)
class DeliveryControls:
    tracked: bool = True
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False


@dataclass(frozen=True)
class RollupConsiderations:
    """adlseq:rollupConsiderations (SCORM 2004 3rd Ed+)."""

    required_for_satisfied: str = "always"
    required_for_not_satisfied: str = "always"
    required_for_completed: str = "always"
    required_for_incomplete: str = "always"
    measure_satisfaction_if_active: bool = True


@dataclass(frozen=True)
class ConstrainedChoiceConsiderations:
    prevent_activation: bool = False
    constrain_choice: bool = False


@dataclass(frozen=True)
class SequencingDefinition:
    """Everything the sequencer needs to know about one activity; absent elements take their IMS SS defaults."""

    control_mode: ControlMode = field(default_factory=ControlMode)
    rules: SequencingRules = field(default_factory=SequencingRules)
    limit_conditions: LimitConditions = field(default_factory=LimitConditions)
    auxiliary_resources: tuple[AuxiliaryResource, ...] = ()
    rollup: RollupRules = field(default_factory=RollupRules)
    objectives: tuple[Objective, ...] = ()  # the primary objective first, when there is one
    randomization: RandomizationControls = field(default_factory=RandomizationControls)
    delivery: DeliveryControls = field(default_factory=DeliveryControls)
    rollup_considerations: RollupConsiderations = field(default_factory=RollupConsiderations)
    constrained_choice: ConstrainedChoiceConsiderations = field(default_factory=ConstrainedChoiceConsiderations)
    # The sequencingCollection entry this definition was merged from (imsss:sequencing@IDRef).
    collection_id: str | None = None
    # Local names of the elements given explicitly (own or from the collection), e.g. {"controlMode"}.
    explicit: frozenset[str] = frozenset()

    @property
    def primary_objective(self) -> Objective | None:
        return next((objective for objective in self.objectives if objective.is_primary), None)

    @property
    def scaled_passing_score(self) -> float | None:
        """cmi.scaled_passing_score: the primary objective's minNormalizedMeasure when satisfiedByMeasure is true."""
        primary = self.primary_objective
        if primary is None or not primary.satisfied_by_measure:
            return None
        return primary.min_normalized_measure


def normalise_objective_id(raw: str) -> str:
    """Objective and target ids are xs:anyURI: collapse whitespace, percent-decode, collapse again.

    ADL CTS OB-02a/OB-02b/OB-12a/OB-11a spell one id as "obj%201", "  %20obj%20%201%20  " and so on, and
    expect them to match.
    """
    collapsed = " ".join(raw.split())
    return " ".join(unquote(collapsed).split())


# The children of one <imsss:sequencing>, parsed, keyed by local name ("controlMode", "adl:objectives", ...) and
# kept with their element for error lines. A sequencingCollection entry and an item's own <imsss:sequencing>
# merge element by element: "merge the collection first, then the item's own elements override it" (spec §2.1).
SequencingParts = dict[str, tuple[Any, etree._Element]]


def read_sequencing_parts(sequencing: etree._Element, reader: ValueReader) -> SequencingParts:
    """Parse the children of one <imsss:sequencing> element."""
    parts: SequencingParts = {}
    for child in sequencing:
        read = _PART_READERS.get(child.tag) if isinstance(child.tag, str) else None
        if read is not None:
            parts[_part_name(child)] = (read(child, reader), child)
    return parts


def _part_name(element: etree._Element) -> str:
    local = etree.QName(element).localname
    return local if element.tag.startswith(_SS) else f"adl:{local}"


def _read_control_mode(element: etree._Element, reader: ValueReader) -> ControlMode:
    return ControlMode(
        choice=reader.boolean(element, "choice", True),
        choice_exit=reader.boolean(element, "choiceExit", True),
        flow=reader.boolean(element, "flow", False),
        forward_only=reader.boolean(element, "forwardOnly", False),
        use_current_attempt_objective_info=reader.boolean(element, "useCurrentAttemptObjectiveInfo", True),
        use_current_attempt_progress_info=reader.boolean(element, "useCurrentAttemptProgressInfo", True),
    )


def _read_sequencing_rules(element: etree._Element, reader: ValueReader) -> SequencingRules:
    found: dict[str, list[SequencingRule]] = {kind: [] for kind in RULE_ACTIONS}
    for rule in element:
        kind = etree.QName(rule).localname if isinstance(rule.tag, str) and rule.tag.startswith(_SS) else None
        if kind not in RULE_ACTIONS:
            continue
        conditions_element = rule.find(f"{_SS}ruleConditions")
        action_element = rule.find(f"{_SS}ruleAction")
        if action_element is None:
            raise reader.reject(rule, f"<{kind}> has no <ruleAction>")
        if conditions_element is None or conditions_element.find(f"{_SS}ruleCondition") is None:
            raise reader.reject(rule, f"<{kind}> has no <ruleCondition>")
        found[kind].append(SequencingRule(
            action=_required_choice(action_element, "action", RULE_ACTIONS[kind], reader),
            conditions=tuple(_read_rule_condition(condition, reader)
                             for condition in conditions_element.findall(f"{_SS}ruleCondition")),
            condition_combination=reader.choice(conditions_element, "conditionCombination", CONDITION_COMBINATIONS,
                                                "all"),
        ))
    return SequencingRules(
        pre_condition=tuple(found["preConditionRule"]),
        exit_condition=tuple(found["exitConditionRule"]),
        post_condition=tuple(found["postConditionRule"]),
    )


def _read_rule_condition(element: etree._Element, reader: ValueReader) -> RuleCondition:
    return RuleCondition(
        condition=_required_choice(element, "condition", SEQUENCING_RULE_CONDITIONS, reader),
        negated=reader.choice(element, "operator", CONDITION_OPERATORS, "noOp") == "not",
        referenced_objective=normalise_objective_id(element.get("referencedObjective") or "") or None,
        measure_threshold=reader.decimal(element, "measureThreshold", 0.0, minimum=-1.0, maximum=1.0) or 0.0,
    )


def _required_choice(element: etree._Element, name: str, allowed: frozenset[str], reader: ValueReader) -> str:
    reader.required(element, name)
    return reader.choice(element, name, allowed, "")


def _read_limit_conditions(element: etree._Element, reader: ValueReader) -> LimitConditions:
    def text(name: str) -> str | None:
        return (element.get(name) or "").strip() or None

    return LimitConditions(
        attempt_limit=reader.integer(element, "attemptLimit", None),
        attempt_absolute_duration_limit=text("attemptAbsoluteDurationLimit"),
        attempt_experienced_duration_limit=text("attemptExperiencedDurationLimit"),
        activity_absolute_duration_limit=text("activityAbsoluteDurationLimit"),
        activity_experienced_duration_limit=text("activityExperiencedDurationLimit"),
        begin_time_limit=text("beginTimeLimit"),
        end_time_limit=text("endTimeLimit"),
    )


def _read_auxiliary_resources(element: etree._Element, reader: ValueReader) -> tuple[AuxiliaryResource, ...]:
    return tuple(
        AuxiliaryResource(reader.required(resource, "auxiliaryResourceID"), reader.required(resource, "purpose"))
        for resource in element.findall(f"{_SS}auxiliaryResource")
    )


def _read_rollup_rules(element: etree._Element, reader: ValueReader) -> RollupRules:
    rules = []
    for rule in element.findall(f"{_SS}rollupRule"):
        conditions_element = rule.find(f"{_SS}rollupConditions")
        action_element = rule.find(f"{_SS}rollupAction")
        if conditions_element is None or action_element is None:
            raise reader.reject(rule, "<rollupRule> needs <rollupConditions> and <rollupAction>")
        conditions = []
        for condition in conditions_element.findall(f"{_SS}rollupCondition"):
            conditions.append(RollupCondition(
                condition=_required_choice(condition, "condition", ROLLUP_RULE_CONDITIONS, reader),
                negated=reader.choice(condition, "operator", CONDITION_OPERATORS, "noOp") == "not",
            ))
        if not conditions:
            raise reader.reject(conditions_element, "<rollupConditions> has no <rollupCondition>")
        rules.append(RollupRule(
            action=_required_choice(action_element, "action", ROLLUP_ACTIONS, reader),
            conditions=tuple(conditions),
            child_activity_set=reader.choice(rule, "childActivitySet", CHILD_ACTIVITY_SETS, "all"),
            minimum_count=reader.integer(rule, "minimumCount", 0) or 0,
            minimum_percent=reader.decimal(rule, "minimumPercent", 0.0, minimum=0.0, maximum=1.0) or 0.0,
            condition_combination=reader.choice(conditions_element, "conditionCombination", CONDITION_COMBINATIONS,
                                                "any"),
        ))
    return RollupRules(
        rules=tuple(rules),
        rollup_objective_satisfied=reader.boolean(element, "rollupObjectiveSatisfied", True),
        rollup_progress_completion=reader.boolean(element, "rollupProgressCompletion", True),
        objective_measure_weight=reader.decimal(element, "objectiveMeasureWeight", 1.0, minimum=0.0, maximum=1.0)
        or 0.0,
    )


def _read_objective(element: etree._Element, reader: ValueReader, *, is_primary: bool) -> Objective:
    objective_id = normalise_objective_id(element.get("objectiveID") or "") or None
    if objective_id is None and not is_primary:
        raise reader.reject(element, "<objective> has no objectiveID", "sn.objective_id")
    measure_element = element.find(f"{_SS}minNormalizedMeasure")
    measure_text = element_text(measure_element)
    minimum = 1.0
    if measure_element is not None and measure_text is not None:
        minimum = reader.decimal_text(measure_element, measure_text, minimum=-1.0, maximum=1.0)
    return Objective(
        objective_id=objective_id,
        is_primary=is_primary,
        satisfied_by_measure=reader.boolean(element, "satisfiedByMeasure", False),
        min_normalized_measure=minimum,
        maps=tuple(
            ObjectiveMap(
                target_objective_id=normalise_objective_id(reader.required(mapping, "targetObjectiveID")),
                read_satisfied_status=reader.boolean(mapping, "readSatisfiedStatus", True),
                read_normalized_measure=reader.boolean(mapping, "readNormalizedMeasure", True),
                write_satisfied_status=reader.boolean(mapping, "writeSatisfiedStatus", False),
                write_normalized_measure=reader.boolean(mapping, "writeNormalizedMeasure", False),
            )
            for mapping in element.findall(f"{_SS}mapInfo")
        ),
    )


def _read_objectives(element: etree._Element, reader: ValueReader) -> tuple[Objective, ...]:
    children = [(child, child.tag == f"{_SS}primaryObjective") for child in element
                if child.tag in (f"{_SS}primaryObjective", f"{_SS}objective")]
    children.sort(key=lambda pair: not pair[1])  # the primary objective first
    objectives = []
    seen: set[str] = set()
    for child, is_primary in children:
        objective = _read_objective(child, reader, is_primary=is_primary)
        if objective.objective_id is not None and objective.objective_id in seen:
            raise reader.reject(child, f"objectiveID {objective.objective_id!r} is defined twice",
                                "sn.duplicate_objective")
        if objective.objective_id is not None:
            seen.add(objective.objective_id)
        objectives.append(objective)
    return tuple(objectives)


_ExtendedObjectives = dict[str, tuple[etree._Element, tuple[ExtendedObjectiveMap, ...]]]


def _read_extended_objectives(element: etree._Element, reader: ValueReader) -> _ExtendedObjectives:
    """adlseq:objectives, keyed by objectiveID; merged onto the imsss objectives in build_sequencing."""
    extended: _ExtendedObjectives = {}
    for objective in element.findall(f"{_ADLSEQ}objective"):
        objective_id = normalise_objective_id(reader.required(objective, "objectiveID", "sn.objective_id"))
        maps = tuple(
            ExtendedObjectiveMap(
                target_objective_id=normalise_objective_id(reader.required(mapping, "targetObjectiveID")),
                **{attribute: reader.boolean(mapping, _camel(attribute), default)
                   for attribute, default in _EXTENDED_MAP_DEFAULTS.items()},
            )
            for mapping in objective.findall(f"{_ADLSEQ}mapInfo")
        )
        extended[objective_id] = (objective, maps)
    return extended


_EXTENDED_MAP_DEFAULTS = {
    "read_raw_score": True, "read_min_score": True, "read_max_score": True, "read_completion_status": True,
    "read_progress_measure": True, "write_raw_score": False, "write_min_score": False, "write_max_score": False,
    "write_completion_status": False, "write_progress_measure": False,
}


def _camel(snake: str) -> str:
    first, *rest = snake.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _read_randomization(element: etree._Element, reader: ValueReader) -> RandomizationControls:
    return RandomizationControls(
        randomization_timing=reader.choice(element, "randomizationTiming", RANDOMIZATION_TIMINGS, "never"),
        select_count=reader.integer(element, "selectCount", None),
        reorder_children=reader.boolean(element, "reorderChildren", False),
        selection_timing=reader.choice(element, "selectionTiming", RANDOMIZATION_TIMINGS, "never"),
    )


def _read_delivery_controls(element: etree._Element, reader: ValueReader) -> DeliveryControls:
    return DeliveryControls(
        tracked=reader.boolean(element, "tracked", True),
        completion_set_by_content=reader.boolean(element, "completionSetByContent", False),
        objective_set_by_content=reader.boolean(element, "objectiveSetByContent", False),
    )


def _read_constrained_choice(element: etree._Element, reader: ValueReader) -> ConstrainedChoiceConsiderations:
    return ConstrainedChoiceConsiderations(
        prevent_activation=reader.boolean(element, "preventActivation", False),
        constrain_choice=reader.boolean(element, "constrainChoice", False),
    )


def _read_rollup_considerations(element: etree._Element, reader: ValueReader) -> RollupConsiderations:
    def consideration(name: str) -> str:
        return reader.choice(element, name, ROLLUP_CONSIDERATIONS, "always")

    return RollupConsiderations(
        required_for_satisfied=consideration("requiredForSatisfied"),
        required_for_not_satisfied=consideration("requiredForNotSatisfied"),
        required_for_completed=consideration("requiredForCompleted"),
        required_for_incomplete=consideration("requiredForIncomplete"),
        measure_satisfaction_if_active=reader.boolean(element, "measureSatisfactionIfActive", True),
    )


_PART_READERS: dict[str, Callable[[etree._Element, ValueReader], Any]] = {
    f"{_SS}controlMode": _read_control_mode,
    f"{_SS}sequencingRules": _read_sequencing_rules,
    f"{_SS}limitConditions": _read_limit_conditions,
    f"{_SS}auxiliaryResources": _read_auxiliary_resources,
    f"{_SS}rollupRules": _read_rollup_rules,
    f"{_SS}objectives": _read_objectives,
    f"{_SS}randomizationControls": _read_randomization,
    f"{_SS}deliveryControls": _read_delivery_controls,
    f"{_ADLSEQ}constrainedChoiceConsiderations": _read_constrained_choice,
    f"{_ADLSEQ}rollupConsiderations": _read_rollup_considerations,
    f"{_ADLSEQ}objectives": _read_extended_objectives,
}


def build_sequencing(parts: SequencingParts, reader: ValueReader, *,
                     collection_id: str | None = None) -> SequencingDefinition:
    """Turn merged parts into a definition and check the cross-references inside it."""
    def value(name: str, default: Any) -> Any:
        return parts[name][0] if name in parts else default

    objectives = list(value("objectives", ()))
    known_ids = {objective.objective_id for objective in objectives if objective.objective_id}
    if "adl:objectives" in parts:
        extended, _ = parts["adl:objectives"]
        for objective_id, (element, maps) in extended.items():
            # SCORM 2004 4th Ed CAM: an adlseq:objective extends the imsss objective with the same objectiveID.
            if objective_id not in known_ids:
                raise reader.reject(element, f"adlseq:objective {objective_id!r} matches no imsss objective",
                                    "sn.objective_reference")
            objectives = [replace(objective, extended_maps=objective.extended_maps + maps)
                          if objective.objective_id == objective_id else objective for objective in objectives]
    rules: SequencingRules = value("sequencingRules", SequencingRules())
    if "sequencingRules" in parts:
        _check_referenced_objectives(rules, known_ids, parts["sequencingRules"][1], reader)
    return SequencingDefinition(
        control_mode=value("controlMode", ControlMode()),
        rules=rules,
        limit_conditions=value("limitConditions", LimitConditions()),
        auxiliary_resources=value("auxiliaryResources", ()),
        rollup=value("rollupRules", RollupRules()),
        objectives=tuple(objectives),
        randomization=value("randomizationControls", RandomizationControls()),
        delivery=value("deliveryControls", DeliveryControls()),
        rollup_considerations=value("adl:rollupConsiderations", RollupConsiderations()),
        constrained_choice=value("adl:constrainedChoiceConsiderations", ConstrainedChoiceConsiderations()),
        collection_id=collection_id,
        explicit=frozenset(parts),
    )


def _check_referenced_objectives(rules: SequencingRules, known_ids: set[str], element: etree._Element,
                                 reader: ValueReader) -> None:
    for rule in rules.pre_condition + rules.exit_condition + rules.post_condition:
        for condition in rule.conditions:
            if condition.referenced_objective and condition.referenced_objective not in known_ids:
                # IMS SS: referencedObjective names one of the activity's own objectives.
                raise reader.reject(element, f"ruleCondition references objective {condition.referenced_objective!r}, "
                                             "which this activity does not define", "sn.referenced_objective")
