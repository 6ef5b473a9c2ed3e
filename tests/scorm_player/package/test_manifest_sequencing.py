"""SCORM 2004 sequencing definitions: IMS SS elements, ADL extensions, defaults and sequencingCollection merging."""

from __future__ import annotations

import pytest

from scorm_player.package.manifest import Item, parse_manifest
from scorm_player.package.rejection import PackageRejected
from scorm_player.package.sequencing import (
    ConstrainedChoiceConsiderations,
    ControlMode,
    DeliveryControls,
    ExtendedObjectiveMap,
    LimitConditions,
    ObjectiveMap,
    RandomizationControls,
    RollupCondition,
    RollupConsiderations,
    RollupRule,
    RuleCondition,
    SequencingDefinition,
    SequencingRule,
)
from tests.scorm_player.package.builders import manifest_2004, sco_resource

RESOURCE = sco_resource("r1", "index.html")


def item_with(sequencing: str, identifier: str = "i1") -> str:
    return f'<item identifier="{identifier}" identifierref="r1"><title>x</title>{sequencing}</item>'


def first_item(sequencing: str, **options: str) -> Item:
    return next(parse_manifest(manifest_2004(item_with(sequencing), RESOURCE, **options)).items())


def rejection(sequencing: str, **options: str) -> PackageRejected:
    with pytest.raises(PackageRejected) as caught:
        parse_manifest(manifest_2004(item_with(sequencing), RESOURCE, **options))
    return caught.value


def test_items_without_sequencing_get_the_ims_ss_defaults() -> None:
    definition = first_item("").sequencing
    assert definition == SequencingDefinition()
    assert definition.control_mode == ControlMode(choice=True, choice_exit=True, flow=False, forward_only=False)
    assert definition.delivery == DeliveryControls(tracked=True, completion_set_by_content=False,
                                                   objective_set_by_content=False)
    assert definition.rollup.objective_measure_weight == 1.0
    assert definition.explicit == frozenset()


def test_control_mode_limit_conditions_delivery_and_randomization_are_read() -> None:
    definition = first_item("""<imsss:sequencing>
        <imsss:controlMode choice="false" choiceExit="false" flow="true" forwardOnly="true"
                           useCurrentAttemptObjectiveInfo="false" useCurrentAttemptProgressInfo="false"/>
        <imsss:limitConditions attemptLimit="2" attemptAbsoluteDurationLimit="PT1H"/>
        <imsss:randomizationControls randomizationTiming="onEachNewAttempt" selectCount="3" reorderChildren="true"/>
        <imsss:deliveryControls tracked="false" completionSetByContent="true" objectiveSetByContent="true"/>
      </imsss:sequencing>""").sequencing
    assert definition.control_mode == ControlMode(False, False, True, True, False, False)
    assert definition.limit_conditions == LimitConditions(attempt_limit=2, attempt_absolute_duration_limit="PT1H")
    assert definition.randomization == RandomizationControls("onEachNewAttempt", 3, True, "never")
    assert definition.delivery == DeliveryControls(False, True, True)
    assert definition.explicit == {"controlMode", "limitConditions", "randomizationControls", "deliveryControls"}


def test_sequencing_rules_keep_kind_order_operators_and_thresholds() -> None:
    definition = first_item("""<imsss:sequencing>
        <imsss:sequencingRules>
          <imsss:preConditionRule>
            <imsss:ruleConditions conditionCombination="any">
              <imsss:ruleCondition referencedObjective="prev" operator="not" condition="satisfied"/>
              <imsss:ruleCondition condition="objectiveMeasureGreaterThan" measureThreshold="0.6"/>
            </imsss:ruleConditions>
            <imsss:ruleAction action="disabled"/>
          </imsss:preConditionRule>
          <imsss:exitConditionRule>
            <imsss:ruleConditions><imsss:ruleCondition condition="completed"/></imsss:ruleConditions>
            <imsss:ruleAction action="exit"/>
          </imsss:exitConditionRule>
          <imsss:postConditionRule>
            <imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions>
            <imsss:ruleAction action="retry"/>
          </imsss:postConditionRule>
        </imsss:sequencingRules>
        <imsss:objectives>
          <imsss:primaryObjective objectiveID="own"/><imsss:objective objectiveID="prev"/>
        </imsss:objectives>
      </imsss:sequencing>""").sequencing
    assert definition.rules.pre_condition == (SequencingRule(
        action="disabled", condition_combination="any",
        conditions=(RuleCondition("satisfied", negated=True, referenced_objective="prev"),
                    RuleCondition("objectiveMeasureGreaterThan", measure_threshold=0.6))),)
    assert definition.rules.exit_condition == (SequencingRule("exit", (RuleCondition("completed"),)),)
    assert definition.rules.post_condition == (SequencingRule("retry", (RuleCondition("always"),)),)


@pytest.mark.parametrize("rule", [
    '<imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions>'
    '<imsss:ruleAction action="exitAll"/></imsss:preConditionRule>',  # a post-condition action in a pre-condition
    '<imsss:exitConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="sunny"/></imsss:ruleConditions>'
    '<imsss:ruleAction action="exit"/></imsss:exitConditionRule>',
    '<imsss:postConditionRule><imsss:ruleConditions conditionCombination="most">'
    '<imsss:ruleCondition condition="always"/></imsss:ruleConditions><imsss:ruleAction action="retry"/>'
    '</imsss:postConditionRule>',
    '<imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="always"/></imsss:ruleConditions>'
    '</imsss:postConditionRule>',
])
def test_invalid_sequencing_rules_are_rejected(rule: str) -> None:
    error = rejection(f"<imsss:sequencing><imsss:sequencingRules>{rule}</imsss:sequencingRules></imsss:sequencing>")
    assert error.rule == "sn.invalid_value"


def test_rule_condition_must_reference_an_objective_of_the_activity() -> None:
    error = rejection("""<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule>
        <imsss:ruleConditions>
          <imsss:ruleCondition referencedObjective="elsewhere" condition="satisfied"/>
        </imsss:ruleConditions>
        <imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules></imsss:sequencing>""")
    assert error.rule == "sn.referenced_objective"


def test_rollup_rules_and_controls_are_read() -> None:
    rollup = first_item("""<imsss:sequencing>
        <imsss:rollupRules rollupObjectiveSatisfied="false" rollupProgressCompletion="false"
                           objectiveMeasureWeight="0.25">
          <imsss:rollupRule childActivitySet="atLeastPercent" minimumPercent="0.5">
            <imsss:rollupConditions conditionCombination="all">
              <imsss:rollupCondition condition="completed"/>
              <imsss:rollupCondition operator="not" condition="attempted"/>
            </imsss:rollupConditions>
            <imsss:rollupAction action="satisfied"/>
          </imsss:rollupRule>
          <imsss:rollupRule minimumCount="2" childActivitySet="atLeastCount">
            <imsss:rollupConditions><imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions>
            <imsss:rollupAction action="completed"/>
          </imsss:rollupRule>
        </imsss:rollupRules></imsss:sequencing>""").sequencing.rollup
    assert (rollup.rollup_objective_satisfied, rollup.rollup_progress_completion) == (False, False)
    assert rollup.objective_measure_weight == 0.25
    assert rollup.rules == (
        RollupRule("satisfied", (RollupCondition("completed"), RollupCondition("attempted", negated=True)),
                   child_activity_set="atLeastPercent", minimum_percent=0.5, condition_combination="all"),
        RollupRule("completed", (RollupCondition("satisfied"),), child_activity_set="atLeastCount", minimum_count=2),
    )


@pytest.mark.parametrize("attributes", ['objectiveMeasureWeight="1.5"', 'rollupObjectiveSatisfied="yes"'])
def test_invalid_rollup_controls_are_rejected(attributes: str) -> None:
    error = rejection(f"<imsss:sequencing><imsss:rollupRules {attributes}/></imsss:sequencing>")
    assert error.rule == "sn.invalid_value"


def test_primary_objective_satisfied_by_measure_gives_the_scaled_passing_score() -> None:
    item = first_item("""<imsss:sequencing><imsss:objectives>
        <imsss:primaryObjective objectiveID="PRIMARY" satisfiedByMeasure="true">
          <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>
          <imsss:mapInfo targetObjectiveID="global-1" writeSatisfiedStatus="true"/>
        </imsss:primaryObjective>
        <imsss:objective objectiveID="secondary">
          <imsss:minNormalizedMeasure>-0.5</imsss:minNormalizedMeasure>
        </imsss:objective>
      </imsss:objectives></imsss:sequencing>""")
    primary = item.sequencing.primary_objective
    assert primary.objective_id == "PRIMARY" and primary.is_primary
    assert primary.maps == (ObjectiveMap("global-1", read_satisfied_status=True, read_normalized_measure=True,
                                         write_satisfied_status=True, write_normalized_measure=False),)
    assert item.scaled_passing_score == 0.6
    assert item.sequencing.objectives[1].min_normalized_measure == -0.5


def test_no_scaled_passing_score_unless_satisfied_by_measure() -> None:
    item = first_item("<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID='p'>"
                      "<imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective>"
                      "</imsss:objectives></imsss:sequencing>")
    assert item.scaled_passing_score is None


@pytest.mark.parametrize("objectives, rule", [
    ("<imsss:objective/>", "sn.objective_id"),
    ("<imsss:objective objectiveID='a'/><imsss:objective objectiveID=' a '/>", "sn.duplicate_objective"),
    ("<imsss:primaryObjective satisfiedByMeasure='true'><imsss:minNormalizedMeasure>2</imsss:minNormalizedMeasure>"
     "</imsss:primaryObjective>", "sn.invalid_value"),
])
def test_invalid_objectives_are_rejected(objectives: str, rule: str) -> None:
    error = rejection(f"<imsss:sequencing><imsss:objectives>{objectives}</imsss:objectives></imsss:sequencing>")
    assert error.rule == rule


def test_objective_ids_are_whitespace_and_percent_normalised_like_the_adl_cts_expects() -> None:
    item = first_item("""<imsss:sequencing>
        <imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>
          <imsss:ruleCondition operator="not" condition="satisfied" referencedObjective="  %20obj%20%201%20  "/>
        </imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>
        <imsss:objectives><imsss:primaryObjective/><imsss:objective objectiveID="obj%201">
          <imsss:mapInfo targetObjectiveID="  gObj%20-%20OB%2002%20b "/></imsss:objective></imsss:objectives>
      </imsss:sequencing>""")
    assert item.sequencing.rules.pre_condition[0].conditions[0].referenced_objective == "obj 1"
    assert item.sequencing.objectives[1].objective_id == "obj 1"
    assert item.sequencing.objectives[1].maps[0].target_objective_id == "gObj - OB 02 b"


def test_fourth_edition_adlseq_objectives_extend_the_matching_imsss_objective() -> None:
    objective = first_item("""<imsss:sequencing>
        <imsss:objectives><imsss:primaryObjective objectiveID="done"/></imsss:objectives>
        <adlseq:objectives><adlseq:objective objectiveID="done">
          <adlseq:mapInfo targetObjectiveID="g.done" readCompletionStatus="true" writeCompletionStatus="true"
                          writeRawScore="true" readProgressMeasure="false"/>
        </adlseq:objective></adlseq:objectives></imsss:sequencing>""").sequencing.primary_objective
    assert objective.extended_maps == (ExtendedObjectiveMap("g.done", write_completion_status=True,
                                                            write_raw_score=True, read_progress_measure=False),)


def test_adlseq_objective_without_a_matching_imsss_objective_is_rejected() -> None:
    error = rejection("""<imsss:sequencing>
        <imsss:objectives><imsss:primaryObjective objectiveID="a"/></imsss:objectives>
        <adlseq:objectives><adlseq:objective objectiveID="b"><adlseq:mapInfo targetObjectiveID="g"/></adlseq:objective>
        </adlseq:objectives></imsss:sequencing>""")
    assert error.rule == "sn.objective_reference"


def test_adl_rollup_and_constrained_choice_considerations_are_read() -> None:
    definition = first_item("""<imsss:sequencing>
        <adlseq:rollupConsiderations requiredForSatisfied="ifNotSkipped" requiredForIncomplete="ifAttempted"
                                     measureSatisfactionIfActive="false"/>
        <adlseq:constrainedChoiceConsiderations preventActivation="true" constrainChoice="true"/>
      </imsss:sequencing>""").sequencing
    assert definition.rollup_considerations == RollupConsiderations(
        required_for_satisfied="ifNotSkipped", required_for_incomplete="ifAttempted",
        measure_satisfaction_if_active=False)
    assert definition.constrained_choice == ConstrainedChoiceConsiderations(True, True)


def test_invalid_rollup_consideration_is_rejected() -> None:
    assert rejection("<imsss:sequencing><adlseq:rollupConsiderations requiredForCompleted='sometimes'/>"
                     "</imsss:sequencing>").rule == "sn.invalid_value"


def test_auxiliary_resources_are_kept() -> None:
    definition = first_item("<imsss:sequencing><imsss:auxiliaryResources><imsss:auxiliaryResource "
                            "auxiliaryResourceID='urn:help' purpose='help'/></imsss:auxiliaryResources>"
                            "</imsss:sequencing>").sequencing
    resources = [(resource.identifier, resource.purpose) for resource in definition.auxiliary_resources]
    assert resources == [("urn:help", "help")]


COLLECTION = """<imsss:sequencingCollection>
    <imsss:sequencing ID="common">
      <imsss:controlMode choice="false" flow="true"/>
      <imsss:rollupRules objectiveMeasureWeight="0"/>
      <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
    </imsss:sequencing>
  </imsss:sequencingCollection>"""


def test_sequencing_collection_is_merged_first_then_the_items_own_elements_override() -> None:
    item = first_item("""<imsss:sequencing IDRef="common">
        <imsss:controlMode choice="true" flow="true" forwardOnly="true"/>
        <imsss:objectives><imsss:primaryObjective objectiveID="p"/></imsss:objectives>
      </imsss:sequencing>""", after_resources=COLLECTION)
    definition = item.sequencing
    assert definition.collection_id == "common"
    assert definition.control_mode == ControlMode(choice=True, flow=True, forward_only=True)  # own element wins
    assert definition.rollup.objective_measure_weight == 0.0  # from the collection
    assert definition.delivery == DeliveryControls(True, True, True)  # from the collection
    assert definition.primary_objective.objective_id == "p"
    assert definition.explicit == {"controlMode", "rollupRules", "deliveryControls", "objectives"}


def test_idref_naming_no_collection_entry_is_rejected() -> None:
    assert rejection('<imsss:sequencing IDRef="missing"/>', after_resources=COLLECTION).rule == "sn.sequencing_idref"


def test_organization_sequencing_is_read_for_the_root_activity() -> None:
    package = parse_manifest(manifest_2004(item_with(""), RESOURCE, organization_extra=(
        '<imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing>')))
    assert package.organization.sequencing.control_mode == ControlMode(choice=False, flow=True)
