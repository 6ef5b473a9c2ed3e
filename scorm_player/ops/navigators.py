"""Navigation between a course's activities behind one interface: flow/choice for SCORM 1.2, the sequencer for 2004.

Both keep a JSON-able state (scorm_attempt.sequencing_state) and answer the same questions: what to deliver
for start/resumeAll and for a navigation request, what the TOC shows, which requests are valid now
(adl.nav.request_valid.*), and what a terminated SCO reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Protocol

from scorm_player.ops.courses import Course
from scorm_player.runtime.datatypes import cmi_real
from scorm_player.runtime.status import evaluated_completion_status, evaluated_success_status
from scorm_player.sequencing import (
    NavigationRequest,
    ObjectiveReport,
    ScoReport,
    SequencingState,
    navigation_request_valid,
    process_navigation_request,
    relaunch,
    report_sco_data,
    table_of_contents,
)
from scorm_player.sequencing.prerequisites import prerequisites_met

__all__ = ["NAV_REQUESTS", "FlowNavigator", "NavOutcome", "Navigator", "SequencingNavigator", "navigator_for"]

# SCORM 2004 RTE §4.4.2 adl.nav.request vocabulary plus the LMS's own start/resumeAll.
NAV_REQUESTS = frozenset({"start", "resumeAll", "continue", "previous", "choice", "jump", "exit", "exitAll",
                          "abandon", "abandonAll", "suspendAll"})
DONE_12 = frozenset({"completed", "passed", "failed"})


@dataclass(frozen=True)
class NavOutcome:
    state: dict[str, Any]
    delivered: str | None = None
    ended: bool = False
    suspended: bool = False
    exception: str | None = None


class Navigator(Protocol):
    def start(self, state: Mapping[str, Any] | None) -> NavOutcome: ...

    def request(self, state: Mapping[str, Any], request: str, target: str | None) -> NavOutcome: ...

    def report(self, state: Mapping[str, Any], activity_id: str, values: Mapping[str, str]) -> dict[str, Any]: ...

    def request_valid(self, state: Mapping[str, Any]) -> dict[str, str]: ...

    def toc(self, state: Mapping[str, Any], statuses: Mapping[str, str]) -> list[dict[str, Any]]: ...


def navigator_for(course: Course) -> Navigator:
    if course.tree is not None:
        return SequencingNavigator(course)
    return FlowNavigator(course)


class FlowNavigator:
    """SCORM 1.2 (no sequencing, spec §2.8): choice in the TOC, continue/previous in tree order.

    An item whose `adlcp:prerequisites` (or an enclosing item's) are not met by the lesson statuses the
    SCOs reported is shown disabled, cannot be chosen, and continue/previous skip it (CAM 1.2 §2.3.2.5.6).
    """

    def __init__(self, course: Course) -> None:
        self.course = course
        self.order = course.launchable

    def available(self, state: Mapping[str, Any], identifier: str) -> bool:
        statuses = state.get("statuses", {})
        node: str | None = identifier
        while node is not None:
            activity = self.course.activities[node]
            if not prerequisites_met(activity.item.prerequisites, statuses):
                return False
            node = activity.parent
        return True

    def start(self, state: Mapping[str, Any] | None) -> NavOutcome:
        previous = dict(state or {})
        done = previous.get("done", {})
        if previous.get("suspended") in self.order:
            target = previous["suspended"]
        elif previous.get("current") in self.order and not previous.get("ended"):
            target = previous["current"]  # the browser closed without exiting: carry on where the learner was
        else:
            # The first available activity the learner has not finished, else the first available one.
            open_ = [identifier for identifier in self.order if self.available(previous, identifier)]
            target = next((identifier for identifier in open_ if identifier not in done), open_[0] if open_ else None)
        if target is None:
            return NavOutcome(state=self._state(previous, None), ended=True, exception="no launchable activity")
        return NavOutcome(state=self._state(previous, target), delivered=target)

    def request(self, state: Mapping[str, Any], request: str, target: str | None) -> NavOutcome:
        current = state.get("current")
        if request in ("start", "resumeAll"):
            return self.start(state)
        if request == "continue":
            position = self.order.index(current) if current in self.order else -1
            following = self._next(state, position, +1)
            if following is None:
                return NavOutcome(state=self._state(state, None, ended=True), ended=True)
            return NavOutcome(state=self._state(state, following), delivered=following)
        if request == "previous":
            position = self.order.index(current) if current in self.order else 0
            preceding = self._next(state, position, -1)
            if preceding is None:
                return NavOutcome(state=dict(state), exception="no previous activity")
            return NavOutcome(state=self._state(state, preceding), delivered=preceding)
        if request in ("choice", "jump"):
            if target not in self.order:
                return NavOutcome(state=dict(state), exception=f"{target!r} cannot be launched")
            if not self.available(state, target):
                return NavOutcome(state=dict(state), exception=f"the prerequisites of {target!r} are not met")
            return NavOutcome(state=self._state(state, target), delivered=target)
        if request == "suspendAll":
            new = self._state(state, None, ended=True)
            new["suspended"] = current
            return NavOutcome(state=new, ended=True, suspended=True)
        # exit, exitAll, abandon, abandonAll: the session ends; the learner is back at the course page.
        return NavOutcome(state=self._state(state, None, ended=True), ended=True)

    def report(self, state: Mapping[str, Any], activity_id: str, values: Mapping[str, str]) -> dict[str, Any]:
        new = dict(state)
        done = dict(new.get("done", {}))
        statuses = dict(new.get("statuses", {}))
        status = values.get("cmi.core.lesson_status", "")
        if status in DONE_12:
            done[activity_id] = status
        if status and status != "not attempted":
            statuses[activity_id] = status
        new["done"] = done
        new["statuses"] = statuses
        return new

    def request_valid(self, state: Mapping[str, Any]) -> dict[str, str]:
        current = state.get("current")
        position = self.order.index(current) if current in self.order else -1
        valid = {"continue": _flag(position >= 0),
                 "previous": _flag(position > 0 and self._next(state, position, -1) is not None)}
        for identifier in self.order:
            valid[f"choice.{{target={identifier}}}"] = _flag(self.available(state, identifier))
        return valid

    def toc(self, state: Mapping[str, Any], statuses: Mapping[str, str]) -> list[dict[str, Any]]:
        return [{"id": activity.identifier, "title": activity.title, "depth": activity.depth,
                 "visible": activity.is_visible, "launchable": activity.launch_url is not None,
                 "choosable": activity.launch_url is not None and self.available(state, identifier),
                 "current": state.get("current") == identifier,
                 "status": statuses.get(identifier, "not attempted")}
                for identifier, activity in self.course.activities.items()]

    def _next(self, state: Mapping[str, Any], position: int, step: int) -> str | None:
        """The nearest available activity after (step +1) or before (step -1) `position` in tree order."""
        index = position + step
        while 0 <= index < len(self.order):
            if self.available(state, self.order[index]):
                return self.order[index]
            index += step
        return None

    @staticmethod
    def _state(state: Mapping[str, Any], current: str | None, *, ended: bool = False) -> dict[str, Any]:
        new = dict(state)
        new["current"] = current
        new["ended"] = ended
        new["suspended"] = None
        return new


class SequencingNavigator:
    """SCORM 2004: the IMS SS engine in scorm_player.sequencing decides every delivery (spec §2.8)."""

    def __init__(self, course: Course) -> None:
        assert course.tree is not None
        self.course = course
        self.tree = course.tree

    def start(self, state: Mapping[str, Any] | None) -> NavOutcome:
        previous = SequencingState.from_dict(dict(state)) if state else None
        if (previous is not None and previous.suspended is None and not previous.ended
                and previous.current is not None and self.tree[previous.current].is_leaf):
            # The last session ended without an exit (the browser closed or crashed): return to the activity the
            # learner was in, its attempt still open, rather than starting the course over. The runtime opens a
            # new SCO session on it (RTE 4th Ed: no Terminate and no suspend → a new learner attempt).
            return NavOutcome(state=dict(state or {}), delivered=previous.current)
        result = relaunch(self.tree, previous)
        return self._outcome(result.state, result.delivered, result.ended, result.exception)

    def request(self, state: Mapping[str, Any], request: str, target: str | None) -> NavOutcome:
        current = SequencingState.from_dict(dict(state))
        if request in ("start", "resumeAll"):
            return self.start(state)
        parsed = NavigationRequest(request, target) if request in ("choice", "jump") else NavigationRequest(request)
        result = process_navigation_request(self.tree, current, parsed)
        outcome = self._outcome(result.state, result.delivered, result.ended, result.exception)
        if result.exception is not None:
            # A refused request changes nothing (IMS SS OP.1: the current activity keeps running).
            return NavOutcome(state=dict(state), exception=result.exception)
        return outcome

    def report(self, state: Mapping[str, Any], activity_id: str, values: Mapping[str, str]) -> dict[str, Any]:
        current = SequencingState.from_dict(dict(state))
        if activity_id not in self.tree:
            return dict(state)
        return report_sco_data(self.tree, current, activity_id, sco_report(values)).to_dict()

    def request_valid(self, state: Mapping[str, Any]) -> dict[str, str]:
        current = SequencingState.from_dict(dict(state))
        valid = {name: _flag(navigation_request_valid(self.tree, current, name)) for name in ("continue", "previous")}
        for entry in table_of_contents(self.tree, current):
            if entry.is_leaf:
                valid[f"choice.{{target={entry.identifier}}}"] = _flag(entry.choosable)
        return valid

    def toc(self, state: Mapping[str, Any], statuses: Mapping[str, str]) -> list[dict[str, Any]]:
        current = SequencingState.from_dict(dict(state))
        entries = []
        for entry in table_of_contents(self.tree, current):
            if entry.identifier == self.tree.root:
                continue
            if entry.satisfied is True:
                status = "passed"
            elif entry.satisfied is False:
                status = "failed"
            elif entry.completed is True:
                status = "completed"
            elif entry.attempted:
                status = "incomplete"
            else:
                status = statuses.get(entry.identifier, "not attempted")
            entries.append({"id": entry.identifier, "title": entry.title, "depth": entry.depth,
                            "visible": entry.is_visible and not entry.hidden_from_choice,
                            "launchable": entry.is_leaf, "choosable": entry.choosable, "current": entry.is_current,
                            "status": status})
        return entries

    def root_rollup(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The course's rolled-up status from the root activity (SCORM 2004 SN §4.6 rollup)."""
        current = SequencingState.from_dict(dict(state))
        root = current.activities.get(self.tree.root)
        if root is None:
            return {}
        primary = root.objectives.get(self.tree[self.tree.root].primary_key)
        return {"completed": root.completed, "satisfied": primary.satisfied if primary else None,
                "measure": primary.measure if primary else None}

    def _outcome(self, state: SequencingState, delivered: str | None, ended: bool,
                 exception: str | None) -> NavOutcome:
        return NavOutcome(state=state.to_dict(), delivered=delivered, ended=ended,
                          suspended=ended and state.suspended is not None, exception=exception)


def sco_report(values: Mapping[str, str]) -> ScoReport:
    """What a SCORM 2004 SCO left in cmi.* at Terminate, for the sequencer (SN §4.2.1)."""
    completion = evaluated_completion_status(values) if ("cmi.completion_status" in values
                                                          or "cmi.completion_threshold" in values) else None
    success = evaluated_success_status(values) if ("cmi.success_status" in values
                                                   or "cmi.scaled_passing_score" in values) else None
    objectives = []
    index = 0
    while f"cmi.objectives.{index}.id" in values:
        prefix = f"cmi.objectives.{index}."
        objectives.append(ObjectiveReport(
            objective_id=values[prefix + "id"], success_status=values.get(prefix + "success_status"),
            completion_status=values.get(prefix + "completion_status"),
            score_scaled=cmi_real(values.get(prefix + "score.scaled")),
            score_raw=cmi_real(values.get(prefix + "score.raw")), score_min=cmi_real(values.get(prefix + "score.min")),
            score_max=cmi_real(values.get(prefix + "score.max")),
            progress_measure=cmi_real(values.get(prefix + "progress_measure"))))
        index += 1
    return ScoReport(completion_status=completion, success_status=success,
                     score_scaled=cmi_real(values.get("cmi.score.scaled")),
                     score_raw=cmi_real(values.get("cmi.score.raw")),
                     score_min=cmi_real(values.get("cmi.score.min")), score_max=cmi_real(values.get("cmi.score.max")),
                     progress_measure=cmi_real(values.get("cmi.progress_measure")), exit=values.get("cmi.exit"),
                     objectives=tuple(objectives))


def _flag(value: bool) -> str:
    return "true" if value else "false"


