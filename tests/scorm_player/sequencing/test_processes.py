"""The sequencing processes on small hand-written trees: flow, choice, rules, limits, rollup, globals, suspend."""

from __future__ import annotations

import json

from scorm_player.sequencing import (
    ActivityTree,
    GlobalObjectives,
    NavigationResult,
    ObjectiveReport,
    ScoReport,
    SequencingState,
    navigation_request_valid,
    process_navigation_request,
    relaunch,
    report_sco_data,
    table_of_contents,
)
from tests.scorm_player.sequencing.trees import cluster, leaf, rule, tree

PASSED = ScoReport(completion_status="completed", success_status="passed")
FAILED = ScoReport(completion_status="completed", success_status="failed")


def finish(course: ActivityTree, result: NavigationResult, report: ScoReport, request: str) -> NavigationResult:
    """The delivered SCO reports `report`, terminates and asks for `request`."""
    assert result.delivered is not None, result.exception
    state = report_sco_data(course, result.state, result.delivered, report)
    return process_navigation_request(course, state, request)


def test_flow_start_continue_previous_and_end_of_course() -> None:
    course = tree(leaf("a1"), leaf("a2"))
    started = relaunch(course, None)
    assert started.delivered == "a1"
    second = finish(course, started, PASSED, "continue")
    assert second.delivered == "a2"
    back = finish(course, second, PASSED, "previous")
    assert back.delivered == "a1"
    assert back.state.activities["a1"].attempt_count == 2
    forward = finish(course, back, PASSED, "continue")
    end = finish(course, forward, PASSED, "continue")
    assert end.ended and end.delivered is None
    assert end.state.activities["org"].completed is True


def test_without_flow_start_delivers_nothing_and_continue_is_refused() -> None:
    course = tree(leaf("a1"), leaf("a2"), root_sequencing="")
    started = relaunch(course, None)
    assert started.delivered is None and started.exception is not None
    chosen = process_navigation_request(course, started.state, "{target=a2}choice")
    assert chosen.delivered == "a2"
    assert not navigation_request_valid(course, chosen.state, "continue")
    refused = process_navigation_request(course, chosen.state, "continue")
    assert refused.exception == "NB.2.1-4"


def test_choice_refused_when_parent_forbids_it_or_target_hidden() -> None:
    course = tree(leaf("a1"), leaf("a2", rule("pre", "hiddenFromChoice", "always")), leaf("a3"),
                  root_sequencing='<imsss:controlMode flow="true"/>')
    state = relaunch(course, None).state
    assert not navigation_request_valid(course, state, "choice.{target=a2}")
    assert navigation_request_valid(course, state, "choice.{target=a3}")
    toc = {entry.identifier: entry for entry in table_of_contents(course, state)}
    assert toc["a2"].hidden_from_choice and not toc["a2"].choosable
    assert toc["a3"].choosable and toc["a1"].is_current
    no_choice = tree(leaf("a1"), leaf("a2"), root_sequencing='<imsss:controlMode choice="false" flow="true"/>')
    no_choice_state = relaunch(no_choice, None).state
    assert process_navigation_request(no_choice, no_choice_state, "{target=a2}choice").exception == "NB.2.1-10"


def test_request_valid_previous_is_false_on_the_first_activity() -> None:
    course = tree(leaf("a1"), leaf("a2"))
    state = relaunch(course, None).state
    assert navigation_request_valid(course, state, "continue")
    assert not navigation_request_valid(course, state, "previous")


def test_skip_pre_condition_jumps_over_the_activity() -> None:
    course = tree(leaf("a1"), leaf("a2", rule("pre", "skip", "always")), leaf("a3"))
    assert finish(course, relaunch(course, None), PASSED, "continue").delivered == "a3"


def test_disabled_activity_is_not_delivered() -> None:
    course = tree(leaf("a1"), leaf("a2", rule("pre", "disabled", "always")), leaf("a3"))
    refused = finish(course, relaunch(course, None), PASSED, "continue")
    assert refused.delivered is None and refused.exception == "SB.2.2-2"


def test_retry_post_condition_repeats_a_failed_activity() -> None:
    course = tree(leaf("a1", rule("post", "retry", "not satisfied")), leaf("a2"))
    again = finish(course, relaunch(course, None), FAILED, "continue")
    assert again.delivered == "a1"
    assert again.state.activities["a1"].attempt_count == 2
    assert finish(course, again, PASSED, "continue").delivered == "a2"


def test_exit_action_rule_leaves_the_cluster() -> None:
    course = tree(
        cluster("c1", leaf("c1a"), leaf("c1b"),
                sequencing='<imsss:controlMode flow="true"/>' + rule("exit", "exit", "satisfied")),
        leaf("a2"))
    assert relaunch(course, None).delivered == "c1a"
    # c1a passes, c1 rolls up as satisfied only when all children are, so c1b is next...
    after_first = finish(course, relaunch(course, None), PASSED, "continue")
    assert after_first.delivered == "c1b"
    # ...and once c1 is satisfied its exit rule ends it, and flow moves on past it.
    assert finish(course, after_first, PASSED, "continue").delivered == "a2"


def test_exit_parent_post_condition_skips_the_rest_of_the_cluster() -> None:
    course = tree(
        cluster("c1", leaf("c1a", rule("post", "exitParent", "always")), leaf("c1b"),
                sequencing='<imsss:controlMode flow="true"/>'),
        leaf("a2"))
    assert finish(course, relaunch(course, None), PASSED, "continue").delivered == "a2"


def test_attempt_limit_stops_a_new_attempt() -> None:
    course = tree(leaf("a1", '<imsss:limitConditions attemptLimit="1"/>'), leaf("a2"))
    second = finish(course, relaunch(course, None), PASSED, "continue")
    assert not navigation_request_valid(course, second.state, "previous")
    assert finish(course, second, PASSED, "previous").exception is not None


def test_default_rollup_needs_every_child() -> None:
    course = tree(leaf("a1"), leaf("a2"))
    second = finish(course, relaunch(course, None), PASSED, "continue")
    assert second.state.activities["org"].objectives.get("", None) is None or \
        second.state.activities["org"].objectives[""].satisfied is None
    failed_end = finish(course, second, FAILED, "continue")
    assert failed_end.state.activities["org"].objectives[""].satisfied is False
    passed_end = finish(course, second, PASSED, "continue")
    assert passed_end.state.activities["org"].objectives[""].satisfied is True


def test_rollup_rules_replace_the_default() -> None:
    any_satisfied = ('<imsss:controlMode flow="true"/><imsss:rollupRules><imsss:rollupRule childActivitySet="any">'
                     '<imsss:rollupConditions><imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions>'
                     '<imsss:rollupAction action="satisfied"/></imsss:rollupRule></imsss:rollupRules>')
    course = tree(leaf("a1"), leaf("a2"), root_sequencing=any_satisfied)
    end = finish(course, finish(course, relaunch(course, None), PASSED, "continue"), FAILED, "continue")
    assert end.state.activities["org"].objectives[""].satisfied is True


def test_measure_rollup_weights_and_satisfied_by_measure() -> None:
    weighted = '<imsss:rollupRules objectiveMeasureWeight="0"/>'
    root = ('<imsss:controlMode flow="true"/><imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">'
            '<imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>')
    course = tree(leaf("a1"), leaf("a2", weighted), root_sequencing=root)
    second = finish(course, relaunch(course, None), ScoReport(score_scaled=0.8), "continue")
    end = finish(course, second, ScoReport(score_scaled=-1.0), "continue")
    primary = end.state.activities["org"].objectives[""]
    assert primary.measure == 0.8  # a2 weighs nothing
    assert primary.satisfied is True


def test_global_objective_written_by_one_activity_is_read_by_another() -> None:
    writes = ('<imsss:objectives><imsss:primaryObjective objectiveID="p1">'
              '<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/>'
              '</imsss:primaryObjective></imsss:objectives>')
    reads = (rule("pre", "skip", "satisfied") + '<imsss:objectives><imsss:primaryObjective objectiveID="p2">'
             '<imsss:mapInfo targetObjectiveID="g1"/></imsss:primaryObjective></imsss:objectives>')
    course = tree(leaf("a1", writes), leaf("a2", reads), leaf("a3"))
    after = finish(course, relaunch(course, None), PASSED, "continue")
    assert after.state.global_objectives["g1"].satisfied is True
    assert after.delivered == "a3"
    # A new attempt on the course keeps the global objective (objectivesGlobalToSystem defaults to true).
    replay = relaunch(course, after.state)
    assert replay.state.global_objectives["g1"].satisfied is True


def test_learner_global_objectives_are_shared_between_courses() -> None:
    writes = ('<imsss:objectives><imsss:primaryObjective objectiveID="p1">'
              '<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/>'
              '</imsss:primaryObjective></imsss:objectives>')
    reads = (rule("pre", "skip", "satisfied") + '<imsss:objectives><imsss:primaryObjective objectiveID="p2">'
             '<imsss:mapInfo targetObjectiveID="g1"/></imsss:primaryObjective></imsss:objectives>')
    first, second = tree(leaf("a1", writes), leaf("a2")), tree(leaf("b1", reads), leaf("b2"))
    learner = GlobalObjectives()
    started = relaunch(first, None, global_objectives=learner)
    state = report_sco_data(first, started.state, "a1", PASSED, global_objectives=learner)
    assert learner.to_dict() == {"g1": {"satisfied": True}}
    assert state.global_objectives == {}  # the learner's, not the course attempt's
    stored = GlobalObjectives.from_dict(json.loads(json.dumps(learner.to_dict())))
    assert relaunch(second, None, global_objectives=stored).delivered == "b2"
    assert relaunch(second, None).delivered == "b1"  # another learner


def test_course_scoped_global_objectives_stay_in_the_state() -> None:
    writes = ('<imsss:objectives><imsss:primaryObjective objectiveID="p1">'
              '<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/>'
              '</imsss:primaryObjective></imsss:objectives>')
    course = tree(leaf("a1", writes), leaf("a2"))
    scoped = ActivityTree(root=course.root, activities=course.activities, objectives_global_to_system=False)
    learner = GlobalObjectives()
    started = relaunch(scoped, None, global_objectives=learner)
    state = report_sco_data(scoped, started.state, "a1", PASSED, global_objectives=learner)
    assert learner.to_dict() == {}
    assert state.global_objectives["g1"].satisfied is True


def test_request_valid_and_toc_leave_the_learner_store_untouched() -> None:
    writes = ('<imsss:objectives><imsss:primaryObjective objectiveID="p1">'
              '<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/>'
              '</imsss:primaryObjective></imsss:objectives>')
    course = tree(leaf("a1", writes), leaf("a2"))
    learner = GlobalObjectives()
    state = relaunch(course, None, global_objectives=learner).state
    navigation_request_valid(course, state, "choice.{target=a2}", global_objectives=learner)
    table_of_contents(course, state, global_objectives=learner)
    assert learner.to_dict() == {}


def test_satisfied_by_measure_reads_the_global_measure() -> None:
    writes = ('<imsss:objectives><imsss:primaryObjective objectiveID="p1" satisfiedByMeasure="true">'
              '<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true" writeNormalizedMeasure="true"/>'
              '</imsss:primaryObjective></imsss:objectives>')
    reads = (rule("pre", "skip", "satisfied") + '<imsss:objectives><imsss:primaryObjective objectiveID="p2" '
             'satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.4</imsss:minNormalizedMeasure>'
             '<imsss:mapInfo targetObjectiveID="g1"/></imsss:primaryObjective></imsss:objectives>')
    course = tree(leaf("a1", writes), leaf("a2", reads), leaf("a3"))
    # a1 needs 1.0 (not satisfied, whatever success_status says); a2 needs 0.4 of the same measure: skipped.
    after = finish(course, relaunch(course, None), ScoReport(score_scaled=0.85, success_status="passed"), "continue")
    assert after.state.global_objectives["g1"].satisfied is False
    assert after.delivered == "a3"


def test_relaunch_after_the_session_ended_keeps_the_tracking() -> None:
    skip_satisfied = rule("pre", "skip", "satisfied")
    course = tree(cluster("c", leaf("a1"), leaf("a2"), sequencing='<imsss:controlMode flow="true"/>'
                          + skip_satisfied), leaf("a3"))
    second = finish(course, relaunch(course, None), PASSED, "continue")
    ended = finish(course, second, PASSED, "exitAll")
    again = relaunch(course, ended.state)
    assert again.delivered == "a3"  # c was satisfied in the previous session
    assert again.state.activities["org"].attempt_count == 2


def test_rollup_ignores_what_children_recorded_before_the_parents_attempt() -> None:
    exit_completed = rule("exit", "exit", "completed")
    course = tree(leaf("a1", rule("pre", "skip", "attempted")), leaf("a2"),
                  root_sequencing='<imsss:controlMode flow="true"/>' + exit_completed)
    second = finish(course, relaunch(course, None), PASSED, "continue")
    ended = finish(course, second, PASSED, "continue")
    assert ended.ended
    again = relaunch(course, ended.state)
    assert again.delivered == "a2"
    assert again.state.activities["a1"].objectives_stale and again.state.activities["a1"].progress_stale
    assert not again.state.activities["a2"].progress_stale
    # a1's completion belongs to the previous attempt on the course: finishing a2 does not complete the root.
    assert finish(course, again, PASSED, "continue").state.activities["org"].completed is None
    restored = SequencingState.from_dict(json.loads(json.dumps(again.state.to_dict())))
    assert restored.activities["a1"].objectives_stale


def test_measure_rollup_ignores_measures_children_recorded_before_the_parents_attempt() -> None:
    # IMS SS useCurrentAttemptObjectiveInfo / ProgressInfo (default true) hold for the measure rollups (RB.1.1 a/b)
    # too: ADL CTS OB-03b depends on it (a cluster re-entered by choice must not stay satisfied by old scores).
    by_measure = ('<imsss:controlMode choice="true" flow="true"/><imsss:objectives>'
                  '<imsss:primaryObjective satisfiedByMeasure="true">'
                  '<imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective>'
                  '</imsss:objectives>')
    course = tree(cluster("c", leaf("a1"), leaf("a2"), leaf("a3"), sequencing=by_measure),
                  root_sequencing='<imsss:controlMode choice="true" flow="true"/>')
    full = ScoReport(score_scaled=1.0, progress_measure=1.0)
    result = relaunch(course, None)
    for request in ("continue", "continue", "exitAll"):
        result = finish(course, result, full, request)
    first = result.state.activities["c"]
    assert first.objectives[""].measure == 1.0 and first.objectives[""].satisfied is True
    assert first.progress_measure == 1.0
    again = relaunch(course, result.state)
    assert again.delivered == "a1"
    third = finish(course, again, ScoReport(score_scaled=0.9, progress_measure=0.9), "{target=a3}choice")
    ended = finish(course, third, ScoReport(), "exitAll")
    cluster_state = ended.state.activities["c"]
    # a2's 1.0 belongs to the previous attempt on c: only a1's 0.9 counts, over all three weights.
    assert cluster_state.objectives[""].measure == 0.9 / 3
    assert cluster_state.objectives[""].satisfied is False
    assert cluster_state.progress_measure == 0.9 / 3
    assert ended.state.activities["a2"].objectives[""].measure == 1.0  # a2's own record is kept


def test_objectives_reported_by_id_reach_their_maps() -> None:
    secondary = ('<imsss:objectives><imsss:primaryObjective/><imsss:objective objectiveID="o2">'
                 '<imsss:mapInfo targetObjectiveID="g2" writeSatisfiedStatus="true" writeNormalizedMeasure="true"/>'
                 '</imsss:objective></imsss:objectives>')
    course = tree(leaf("a1", secondary), leaf("a2"))
    report = ScoReport(objectives=(ObjectiveReport("o2", success_status="failed", score_scaled=0.25),
                                   ObjectiveReport("unknown-id", success_status="passed")))
    after = finish(course, relaunch(course, None), report, "continue")
    assert (after.state.global_objectives["g2"].satisfied, after.state.global_objectives["g2"].measure) == (False, 0.25)


def test_suspend_all_then_resume_all_returns_to_the_same_attempt() -> None:
    course = tree(leaf("a1"), leaf("a2"))
    second = finish(course, relaunch(course, None), PASSED, "continue")
    suspended = finish(course, second, ScoReport(exit="suspend"), "suspendAll")
    assert suspended.ended and suspended.state.suspended == "a2"
    stored = json.loads(json.dumps(suspended.state.to_dict()))
    resumed = relaunch(course, SequencingState.from_dict(stored))
    assert resumed.delivered == "a2"
    assert resumed.state.activities["a2"].attempt_count == 1
    assert resumed.state.suspended is None


def test_exit_all_ends_the_session_and_abandon_discards_reported_status() -> None:
    course = tree(leaf("a1"), leaf("a2"))
    ended = finish(course, relaunch(course, None), PASSED, "exitAll")
    assert ended.ended and ended.state.current is None
    abandoned = finish(course, relaunch(course, None), PASSED, "abandon")
    assert abandoned.state.activities["a1"].completed is None
    assert not abandoned.state.activities["a1"].active


def test_state_round_trips_through_json() -> None:
    course = tree(leaf("a1"), leaf("a2"))
    state = finish(course, relaunch(course, None), PASSED, "continue").state
    restored = SequencingState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.to_dict() == state.to_dict()
    assert restored.current == "a2" and restored.activities["a1"].objectives[""].satisfied is True
    assert process_navigation_request(course, restored, "previous").delivered == "a1"


def test_processing_leaves_the_given_state_untouched() -> None:
    course = tree(leaf("a1"), leaf("a2"))
    state = relaunch(course, None).state
    before = state.to_dict()
    process_navigation_request(course, report_sco_data(course, state, "a1", PASSED), "continue")
    navigation_request_valid(course, state, "choice.{target=a2}")
    assert state.to_dict() == before


def test_untracked_activity_has_no_status_even_through_a_map() -> None:
    writes = ('<imsss:objectives><imsss:primaryObjective objectiveID="p1">'
              '<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/>'
              '</imsss:primaryObjective></imsss:objectives>')
    reads = ('<imsss:controlMode flow="true"/>' + rule("pre", "skip", "satisfied")
             + '<imsss:objectives><imsss:primaryObjective objectiveID="p2"><imsss:mapInfo targetObjectiveID="g1"/>'
             '</imsss:primaryObjective></imsss:objectives><imsss:deliveryControls tracked="false"/>')
    course = tree(leaf("a1", writes), cluster("c", leaf("a2"), sequencing=reads), leaf("a3"))
    after = finish(course, relaunch(course, None), PASSED, "continue")
    assert after.delivered == "a2"  # c reads nothing: not skipped


def test_progress_read_from_a_global_is_known_before_any_attempt() -> None:
    writes = ('<imsss:objectives><imsss:primaryObjective objectiveID="o1"/></imsss:objectives><adlseq:objectives>'
              '<adlseq:objective objectiveID="o1"><adlseq:mapInfo targetObjectiveID="g1" '
              'writeCompletionStatus="true"/></adlseq:objective></adlseq:objectives>')
    known = ('<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>'
             '<imsss:ruleCondition condition="activityProgressKnown" referencedObjective="o1"/>'
             '</imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>'
             '</imsss:sequencingRules><imsss:objectives><imsss:primaryObjective objectiveID="o1"/></imsss:objectives>'
             '<adlseq:objectives><adlseq:objective objectiveID="o1"><adlseq:mapInfo targetObjectiveID="g1"/>'
             '</adlseq:objective></adlseq:objectives>')
    course = tree(leaf("a1", writes), leaf("a2", known), leaf("a3"))
    report = ScoReport(objectives=(ObjectiveReport("o1", completion_status="incomplete"),))
    assert finish(course, relaunch(course, None), report, "continue").delivered == "a3"


def test_previous_leaves_a_forward_only_cluster_whose_children_are_all_skipped() -> None:
    skip_incomplete = rule("pre", "skip", "attempted", "not completed")
    incomplete = ScoReport(completion_status="incomplete")
    course = tree(cluster("c1", leaf("a1"), leaf("a2"), sequencing='<imsss:controlMode flow="true"/>'),
                  cluster("c2", leaf("b1", skip_incomplete), leaf("b2", skip_incomplete),
                          sequencing='<imsss:controlMode flow="true" forwardOnly="true"/>'),
                  leaf("z"))
    result = relaunch(course, None)
    for report in (PASSED, PASSED, incomplete, incomplete):
        result = finish(course, result, report, "continue")
    assert result.delivered == "z"
    # Backward from z: c2 is entered forward (forwardOnly), b1 and b2 are skipped, the walk goes on back to a2.
    assert finish(course, result, PASSED, "previous").delivered == "a2"
