"""The sequencer's public operations: start or resume, navigation requests, SCO data, request_valid and the TOC.

Every function takes the tree and a state and leaves the given state untouched; the ones that change it return
the new state, which the server stores per attempt (`SequencingState.to_dict`).

Global objectives shared across courses (adlseq:objectivesGlobalToSystem="true", the default) belong to the
learner: pass the learner's `GlobalObjectives` as `global_objectives=` and the functions that change tracking
(relaunch, process_navigation_request, report_sco_data) update it in place -- the server stores it per learner
(`GlobalObjectives.to_dict`). Without it those objectives live in the state, i.e. are shared within one course.
"""

from __future__ import annotations

from dataclasses import dataclass

from scorm_player.sequencing.processes import Sequencer, SequencingError, SequencingOutcome
from scorm_player.sequencing.requests import NavigationRequest, parse_navigation_request, parse_request_valid
from scorm_player.sequencing.sco_data import ScoReport, apply_sco_report
from scorm_player.sequencing.state import GlobalObjectives, SequencingState, new_state
from scorm_player.sequencing.tree import ActivityTree

__all__ = [
    "NavigationResult",
    "TocEntry",
    "navigation_request_valid",
    "process_navigation_request",
    "relaunch",
    "report_sco_data",
    "table_of_contents",
]


@dataclass(frozen=True)
class NavigationResult:
    """The new state plus what the request led to (see SequencingOutcome)."""

    state: SequencingState
    outcome: SequencingOutcome

    @property
    def delivered(self) -> str | None:
        return self.outcome.delivered

    @property
    def ended(self) -> bool:
        return self.outcome.ended

    @property
    def exception(self) -> str | None:
        return self.outcome.exception


def process_navigation_request(tree: ActivityTree, state: SequencingState, request: NavigationRequest | str, *,
                               global_objectives: GlobalObjectives | None = None) -> NavigationResult:
    """Run the Overall Sequencing Process (IMS SS OP.1) for one request, e.g. "continue" or "{target=a3}choice"."""
    parsed = parse_navigation_request(request) if isinstance(request, str) else request
    new = state.copy()
    if parsed is None:
        return NavigationResult(new, SequencingOutcome())
    return NavigationResult(new, Sequencer(tree, new, global_objectives).overall_sequencing(parsed))


def relaunch(tree: ActivityTree, state: SequencingState | None, *,
             global_objectives: GlobalObjectives | None = None) -> NavigationResult:
    """Begin a sequencing session: resumeAll after a suspendAll, otherwise a start request.

    `state` is the learner's state from the previous session (None: the first launch). The tracking information
    stays: the learner's earlier attempts still count for rules, limits and rollup until new attempts replace them
    (IMS SS §4.2: tracking status persists across sequencing sessions; the ADL sample RTE, the CTS reference,
    keeps the whole activity tree per learner and course -- ADL CTS RU-14a..d).
    """
    if state is not None and state.suspended is not None:
        resumed = state.copy()
        resumed.current = None
        resumed.ended = False
        return process_navigation_request(tree, resumed, NavigationRequest("resumeAll"),
                                          global_objectives=global_objectives)
    if state is not None:
        fresh = state.copy()
        fresh.current = None
        fresh.ended = False
    else:
        fresh = new_state(tree)
    started = process_navigation_request(tree, fresh, NavigationRequest("start"), global_objectives=global_objectives)
    leaves = tree.leaves()
    if started.delivered is None and not started.ended and len(leaves) == 1:
        # Without flow a start request delivers nothing and the learner would face a one-line TOC; like the ADL
        # sample RTE (CTS CM-11, SX-08a), launch the only activity instead.
        return process_navigation_request(tree, fresh, NavigationRequest("choice", leaves[0]),
                                          global_objectives=global_objectives)
    return started


def report_sco_data(tree: ActivityTree, state: SequencingState, activity: str, report: ScoReport, *,
                    global_objectives: GlobalObjectives | None = None) -> SequencingState:
    """Record what the SCO for `activity` reported at Terminate; call before processing its navigation request."""
    new = state.copy()
    apply_sco_report(Sequencer(tree, new, global_objectives), activity, report)
    return new


def _probe(global_objectives: GlobalObjectives | None) -> GlobalObjectives | None:
    return global_objectives.copy() if global_objectives is not None else None


def navigation_request_valid(tree: ActivityTree, state: SequencingState, request: NavigationRequest | str, *,
                             global_objectives: GlobalObjectives | None = None) -> bool:
    """adl.nav.request_valid.*: would the request deliver an activity (or end the session) if the SCO ended now?

    `request` is "continue", "previous", "choice.{target=ID}", "jump.{target=ID}" or a NavigationRequest. The
    current attempt is not terminated for the check: the SCO is still running and its data is not final.
    """
    parsed = parse_request_valid(request) if isinstance(request, str) else request
    if parsed.kind == "continue":
        # The ADL sample RTE (the CTS reference) offers Continue whenever the current activity's parent flows;
        # where it leads is only known once the SCO has ended.
        current = state.current
        parent = tree[current].parent if current is not None and not state.ended else None
        return parent is not None and tree[parent].sequencing.control_mode.flow
    sequencer = Sequencer(tree, state.copy(), _probe(global_objectives))
    try:
        _, sequencing, target = sequencer.navigation_request(parsed)
        if sequencing is None:
            return False
        delivery, end_session = sequencer.sequencing_request(sequencing, target)
        if end_session:
            return True
        if delivery is None:
            return False
        sequencer.delivery_request(delivery)
    except SequencingError:
        return False
    return True


@dataclass(frozen=True)
class TocEntry:
    """One line of the table of contents."""

    identifier: str
    title: str
    depth: int
    is_visible: bool  # item@isvisible; the player hides the line but keeps its children
    hidden_from_choice: bool  # a hiddenFromChoice pre-condition rule fires: not offered at all
    choosable: bool  # a choice navigation request for it is valid now
    is_leaf: bool
    is_current: bool
    is_suspended: bool
    attempted: bool
    completed: bool | None  # None: unknown
    satisfied: bool | None  # None: unknown


def table_of_contents(tree: ActivityTree, state: SequencingState, *,
                      global_objectives: GlobalObjectives | None = None) -> list[TocEntry]:
    """The activities in tree order with their status and whether the learner may choose them now."""
    sequencer = Sequencer(tree, state.copy(), _probe(global_objectives))
    entries = []
    for activity in tree:
        hidden = any(sequencer.pre_condition(identifier, "hiddenFromChoice") is not None
                     for identifier in tree.path_from_root(activity.identifier))
        activity_state = state.activities.get(activity.identifier)
        entries.append(TocEntry(
            identifier=activity.identifier,
            title=activity.title,
            depth=len(tree.ancestors(activity.identifier)) - 1,
            is_visible=activity.is_visible,
            hidden_from_choice=hidden,
            choosable=not hidden and navigation_request_valid(
                tree, state, NavigationRequest("choice", activity.identifier), global_objectives=global_objectives),
            is_leaf=activity.is_leaf,
            is_current=state.current == activity.identifier,
            is_suspended=bool(activity_state and activity_state.suspended),
            attempted=bool(activity_state and activity_state.attempt_count > 0),
            completed=sequencer.completed(activity.identifier),
            satisfied=sequencer.satisfied(activity.identifier),
        ))
    return entries
