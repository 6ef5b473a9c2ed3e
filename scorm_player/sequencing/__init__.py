"""SCORM 2004 sequencing (IMS SS 1.0 as profiled by SCORM 2004 4th Ed): a pure engine over a tree and a state."""

from scorm_player.sequencing.navigation import (
    NavigationResult,
    TocEntry,
    navigation_request_valid,
    process_navigation_request,
    relaunch,
    report_sco_data,
    table_of_contents,
)
from scorm_player.sequencing.processes import SequencingOutcome
from scorm_player.sequencing.requests import NavigationRequest, parse_navigation_request, parse_request_valid
from scorm_player.sequencing.sco_data import ObjectiveReport, ScoReport
from scorm_player.sequencing.state import ActivityState, GlobalObjectives, ObjectiveState, SequencingState, new_state
from scorm_player.sequencing.tree import Activity, ActivityTree, build_activity_tree

__all__ = [
    "Activity",
    "ActivityState",
    "ActivityTree",
    "GlobalObjectives",
    "NavigationRequest",
    "NavigationResult",
    "ObjectiveReport",
    "ObjectiveState",
    "ScoReport",
    "SequencingOutcome",
    "SequencingState",
    "TocEntry",
    "build_activity_tree",
    "navigation_request_valid",
    "new_state",
    "parse_navigation_request",
    "parse_request_valid",
    "process_navigation_request",
    "relaunch",
    "report_sco_data",
    "table_of_contents",
]
