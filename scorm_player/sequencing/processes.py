"""The IMS SS 1.0 pseudo-code processes (SCORM 2004 4th Ed SN Appendix C): OP.1, NB.2.1, TB.2.3, SB.2.x, DB.x, UP.x."""

from __future__ import annotations

from dataclasses import dataclass

from scorm_player.sequencing.requests import NavigationRequest
from scorm_player.sequencing.rollup import overall_rollup
from scorm_player.sequencing.tracking import Tracking

__all__ = ["SequencingError", "SequencingOutcome", "Sequencer"]

FORWARD = "forward"
BACKWARD = "backward"


class SequencingError(Exception):
    """A pseudo-code exception; `code` is the IMS SS identifier, e.g. "NB.2.1-4"."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


@dataclass(frozen=True)
class SequencingOutcome:
    """What one navigation request led to."""

    delivered: str | None = None  # the activity to launch now
    ended: bool = False  # the sequencing session has ended (course exited, suspended or finished)
    exception: str | None = None  # the IMS SS exception code when the request was refused

    @property
    def valid(self) -> bool:
        return self.exception is None


@dataclass
class _Walk:
    """Result of a flow tree traversal: the activity reached (or None) and the direction it was reached in."""

    activity: str | None
    direction: str = FORWARD
    end_session: bool = False
    exception: str | None = None


class Sequencer(Tracking):
    """Runs the processes against one tree and one mutable state."""

    # -- OP.1 ------------------------------------------------------------------------------------------------

    def overall_sequencing(self, request: NavigationRequest) -> SequencingOutcome:
        """IMS SS OP.1 Overall Sequencing Process for one navigation request."""
        try:
            termination, sequencing, target = self.navigation_request(request)
            if termination is not None:
                replacement = self.termination_request(termination)
                if replacement is not None:
                    sequencing = replacement
            if sequencing is None:
                return SequencingOutcome()
            delivery, end_session = self.sequencing_request(sequencing, target)
            if end_session:
                self._end_session()
                return SequencingOutcome(ended=True)
            if delivery is None:
                return SequencingOutcome()
            self.delivery_request(delivery)
            self.content_delivery(delivery)
            return SequencingOutcome(delivered=delivery)
        except SequencingError as error:
            return SequencingOutcome(exception=error.code)

    def _end_session(self) -> None:
        self.state.ended = True
        self.state.current = None

    # -- NB.2.1 ----------------------------------------------------------------------------------------------

    def navigation_request(self, request: NavigationRequest) -> tuple[str | None, str | None, str | None]:
        """IMS SS NB.2.1 Navigation Request Process: (termination request, sequencing request, target)."""
        current = self.state.current
        kind = request.kind
        current_active = current is not None and self.state.activity(current).active
        if kind == "start":
            if current is not None:
                raise SequencingError("NB.2.1-1", "the sequencing session has already begun")
            return None, "start", None
        if kind == "resumeAll":
            if current is not None:
                raise SequencingError("NB.2.1-1", "the sequencing session has already begun")
            if self.state.suspended is None:
                raise SequencingError("NB.2.1-3", "no suspended activity to resume")
            return None, "resumeAll", None
        if kind in ("continue", "previous"):
            if current is None:
                raise SequencingError("NB.2.1-2", "the sequencing session has not begun")
            parent = self.tree[current].parent
            if parent is None or not self.tree[parent].sequencing.control_mode.flow:
                raise SequencingError("NB.2.1-4", "flow is not enabled for the current activity's parent")
            if kind == "previous" and self.tree[parent].sequencing.control_mode.forward_only:
                raise SequencingError("NB.2.1-5", "forwardOnly forbids moving backward")
            return ("exit" if current_active else None), kind, None
        if kind in ("forward", "backward"):
            raise SequencingError("NB.2.1-7", f"{kind} is not supported")
        if kind == "choice":
            target = request.target
            if target is None or target not in self.tree:
                raise SequencingError("NB.2.1-11", f"no activity {target!r}")
            parent = self.tree[target].parent
            if parent is not None and not self.tree[parent].sequencing.control_mode.choice:
                raise SequencingError("NB.2.1-10", "choice is not enabled for the target's parent")
            if current is not None:
                ancestor = self.tree.common_ancestor(current, target)
                for activity_id in self.tree.ancestors(current):
                    if activity_id == ancestor:
                        break
                    activity_state = self.state.activity(activity_id)
                    if activity_state.active and not self.tree[activity_id].sequencing.control_mode.choice_exit:
                        raise SequencingError("NB.2.1-8", f"choiceExit of {activity_id!r} forbids leaving it")
            return ("exit" if current_active else None), "choice", target
        if kind == "jump":
            target = request.target
            if target is None or target not in self.tree:
                raise SequencingError("NB.2.1-11", f"no activity {target!r}")
            return ("exit" if current_active else None), "jump", target
        if kind in ("exit", "abandon"):
            if current is None:
                raise SequencingError("NB.2.1-2", "the sequencing session has not begun")
            if not current_active:
                raise SequencingError("NB.2.1-12", "the current activity has already been exited")
            return kind, "exit", None
        if kind in ("exitAll", "abandonAll", "suspendAll"):
            if current is None:
                raise SequencingError("NB.2.1-2", "the sequencing session has not begun")
            return kind, "exit", None
        raise SequencingError("NB.2.1-13", f"unknown navigation request {kind!r}")

    # -- TB.2.3 ----------------------------------------------------------------------------------------------

    def termination_request(self, request: str) -> str | None:
        """IMS SS TB.2.3 Termination Request Process; returns the sequencing request it produces, if any."""
        current = self.state.current
        if current is None:
            raise SequencingError("TB.2.3-1", "no current activity")
        if request in ("exit", "abandon") and not self.state.activity(current).active:
            raise SequencingError("TB.2.3-2", "the current activity has already been terminated")
        if request == "exit":
            self.end_attempt(current)
            self._exit_action_rules()
            while True:
                post_termination, post_sequencing = self._post_condition_rules()
                if post_termination == "exitAll":
                    self._exit_all()
                    return "retry" if post_sequencing == "retry" else "exit"
                if post_termination == "exitParent":
                    current = self.state.current
                    assert current is not None
                    parent = self.tree[current].parent
                    if parent is None:
                        raise SequencingError("TB.2.3-4", "exitParent on the root activity")
                    self.state.current = parent
                    self.end_attempt(parent)
                    continue
                current = self.state.current
                if current == self.tree.root:
                    if post_sequencing == "retry":
                        # ADL sample RTE: retrying the root is an exitAll followed by a retry.
                        self._exit_all()
                        return "retry"
                    return "exit"
                return post_sequencing
        if request == "exitAll":
            return self._exit_all()
        if request == "suspendAll":
            activity_state = self.state.activity(current)
            if activity_state.active or activity_state.suspended:
                overall_rollup(self, current)
                self.state.suspended = current
            else:
                parent = self.tree[current].parent
                if parent is None:
                    raise SequencingError("TB.2.3-3", "nothing to suspend")
                self.state.suspended = parent
            for activity_id in self.tree.ancestors(self.state.suspended):
                self.state.activity(activity_id).active = False
                self.state.activity(activity_id).suspended = True
            self.state.current = self.tree.root
            return "exit"
        if request == "abandon":
            self._discard_reported_status(current)
            self.state.activity(current).active = False
            return None
        if request == "abandonAll":
            self._discard_reported_status(current)
            for activity_id in self.tree.ancestors(current):
                self.state.activity(activity_id).active = False
            self.state.current = self.tree.root
            return "exit"
        raise SequencingError("TB.2.3-7", f"unknown termination request {request!r}")

    def _discard_reported_status(self, identifier: str) -> None:
        """An abandoned attempt's reported status does not count (ADL sample RTE TB.2.3 abandon)."""
        activity_state = self.state.activity(identifier)
        activity_state.completed = None
        primary = activity_state.objective(self.tree[identifier].primary_key)
        primary.satisfied = None
        primary.measure = None

    def _exit_all(self) -> str:
        """TB.2.3 exitAll: end every attempt up to the root, which becomes the current activity."""
        current = self.state.current
        assert current is not None
        if self.state.activity(current).active:
            self.end_attempt(current)
        self.terminate_descendent_attempts(self.tree.root)
        self.end_attempt(self.tree.root)
        self.state.current = self.tree.root
        return "exit"

    def _exit_action_rules(self) -> None:
        """IMS SS TB.2.1 Sequencing Exit Action Rules Subprocess."""
        current = self.state.current
        assert current is not None
        exit_target = None
        for activity_id in self.tree.path_from_root(current)[:-1]:
            rules = self.tree[activity_id].sequencing.rules.exit_condition
            if self.rules_check(activity_id, rules, frozenset({"exit"})) is not None:
                exit_target = activity_id
                break
        if exit_target is not None:
            self.terminate_descendent_attempts(exit_target)
            self.end_attempt(exit_target)
            self.state.current = exit_target

    def _post_condition_rules(self) -> tuple[str | None, str | None]:
        """IMS SS TB.2.2 Sequencing Post Condition Rules Subprocess: (termination request, sequencing request)."""
        current = self.state.current
        assert current is not None
        if self.state.activity(current).suspended:
            return None, None
        rules = self.tree[current].sequencing.rules.post_condition
        action = self.rules_check(current, rules, frozenset(
            {"exitParent", "exitAll", "retry", "retryAll", "continue", "previous"}))
        if action in ("retry", "continue", "previous"):
            return None, action
        if action in ("exitParent", "exitAll"):
            return action, None
        if action == "retryAll":
            return "exitAll", "retry"
        return None, None

    # -- UP.3 / UP.4 -----------------------------------------------------------------------------------------

    def end_attempt(self, identifier: str) -> None:
        """IMS SS UP.4 End Attempt Process."""
        activity = self.tree[identifier]
        activity_state = self.state.activity(identifier)
        if activity.is_leaf:
            if activity.tracked and not activity_state.suspended:
                delivery = activity.sequencing.delivery
                if (not delivery.completion_set_by_content and activity_state.completed is None
                        and not activity_state.completion_reported):
                    self.set_completed(identifier, True)
                primary = activity_state.objective(activity.primary_key)
                if (not delivery.objective_set_by_content and primary.satisfied is None
                        and not activity_state.success_reported):
                    self.set_satisfied(identifier, None, True)
        else:
            activity_state.suspended = any(self.state.activity(child).suspended for child in activity.children)
        activity_state.active = False
        overall_rollup(self, identifier)

    def cluster_ancestor(self, first: str, second: str) -> str:
        """The common ancestor as the ADL reference sequencer finds it: a leaf counts as its parent cluster."""
        return self.tree.common_ancestor(self._cluster_of(first), self._cluster_of(second))

    def _cluster_of(self, identifier: str) -> str:
        parent = self.tree[identifier].parent
        return parent if self.tree[identifier].is_leaf and parent is not None else identifier

    def terminate_descendent_attempts(self, identifier: str) -> None:
        """IMS SS UP.3: end the attempts from the current activity up to its common ancestor with `identifier`."""
        current = self.state.current
        if current is None:
            return
        ancestor = self.cluster_ancestor(current, identifier)
        for activity_id in self.tree.ancestors(current):
            if activity_id == ancestor:
                break
            self.end_attempt(activity_id)

    # -- SB.2.12 ---------------------------------------------------------------------------------------------

    def sequencing_request(self, request: str, target: str | None) -> tuple[str | None, bool]:
        """IMS SS SB.2.12 Sequencing Request Process: (activity to deliver, end sequencing session)."""
        if request == "start":
            return self._start()
        if request == "resumeAll":
            return self._resume_all()
        if request == "exit":
            return self._exit()
        if request == "retry":
            return self._retry()
        if request == "continue":
            return self._continue()
        if request == "previous":
            return self._previous()
        if request == "choice":
            assert target is not None
            return self.choice(target), False
        if request == "jump":
            # SCORM 2004 4th Ed SB.2.13 Jump Sequencing Request Process
            if target is None or target not in self.tree:
                raise SequencingError("SB.2.13-1", f"no activity {target!r}")
            return target, False
        raise SequencingError("SB.2.12-1", f"unknown sequencing request {request!r}")

    def _start(self) -> tuple[str | None, bool]:
        """IMS SS SB.2.5 Start Sequencing Request Process."""
        if self.state.current is not None:
            raise SequencingError("SB.2.5-1", "the sequencing session has already begun")
        root = self.tree.root
        if self.tree[root].is_leaf:
            return root, False
        walk = self.flow(root, FORWARD, consider_children=True)
        if walk.activity is None:
            if walk.end_session:
                return None, True
            raise SequencingError(walk.exception or "SB.2.5-3", "nothing to deliver")
        return walk.activity, False

    def _resume_all(self) -> tuple[str | None, bool]:
        """IMS SS SB.2.6 Resume All Sequencing Request Process."""
        if self.state.current is not None:
            raise SequencingError("SB.2.6-1", "the sequencing session has already begun")
        if self.state.suspended is None:
            raise SequencingError("SB.2.6-2", "no suspended activity")
        return self.state.suspended, False

    def _exit(self) -> tuple[str | None, bool]:
        """IMS SS SB.2.11 Exit Sequencing Request Process."""
        current = self.state.current
        if current is None:
            raise SequencingError("SB.2.11-1", "no current activity")
        if self.state.activity(current).active:
            raise SequencingError("SB.2.11-2", "the current activity is still active")
        return None, current == self.tree.root

    def _retry(self) -> tuple[str | None, bool]:
        """IMS SS SB.2.10 Retry Sequencing Request Process."""
        current = self.state.current
        if current is None:
            raise SequencingError("SB.2.10-1", "no current activity")
        activity_state = self.state.activity(current)
        if activity_state.active or activity_state.suspended:
            raise SequencingError("SB.2.10-2", "the current activity has not been terminated")
        if self.tree[current].is_leaf:
            return current, False
        walk = self.flow(current, FORWARD, consider_children=True)
        if walk.activity is None:
            raise SequencingError("SB.2.10-3", "nothing to deliver")
        return walk.activity, False

    def _continue(self) -> tuple[str | None, bool]:
        """IMS SS SB.2.7 Continue Sequencing Request Process."""
        current = self.state.current
        if current is None:
            raise SequencingError("SB.2.7-1", "no current activity")
        parent = self.tree[current].parent
        if parent is not None and not self.tree[parent].sequencing.control_mode.flow:
            raise SequencingError("SB.2.7-2", "flow is not enabled")
        walk = self.flow(current, FORWARD, consider_children=False)
        if walk.activity is None:
            if walk.end_session:
                return None, True
            raise SequencingError(walk.exception or "SB.2.7-3", "nothing to deliver")
        return walk.activity, False

    def _previous(self) -> tuple[str | None, bool]:
        """IMS SS SB.2.8 Previous Sequencing Request Process."""
        current = self.state.current
        if current is None:
            raise SequencingError("SB.2.8-1", "no current activity")
        parent = self.tree[current].parent
        if parent is not None and not self.tree[parent].sequencing.control_mode.flow:
            raise SequencingError("SB.2.8-2", "flow is not enabled")
        walk = self.flow(current, BACKWARD, consider_children=False)
        if walk.activity is None:
            raise SequencingError(walk.exception or "SB.2.8-3", "nothing to deliver")
        return walk.activity, False

    # -- SB.2.1 - SB.2.3 flow --------------------------------------------------------------------------------

    def flow_tree_traversal(self, identifier: str, direction: str, consider_children: bool,
                            previous_direction: str | None) -> _Walk:
        """IMS SS SB.2.1 Flow Tree Traversal Subprocess."""
        tree = self.tree
        activity = tree[identifier]
        siblings = tree.siblings(identifier)
        if previous_direction == BACKWARD and activity.parent is not None and siblings[-1] == identifier:
            direction = BACKWARD
            identifier = siblings[0]
            activity = tree[identifier]
        if direction == FORWARD:
            if identifier == tree.last_in_preorder or (identifier == tree.root and not consider_children):
                self.terminate_descendent_attempts(tree.root)
                return _Walk(None, end_session=True)
            if activity.is_leaf or not consider_children:
                if siblings[-1] == identifier:
                    assert activity.parent is not None
                    return self.flow_tree_traversal(activity.parent, FORWARD, False, None)
                return _Walk(siblings[siblings.index(identifier) + 1], FORWARD)
            if activity.children:
                return _Walk(activity.children[0], FORWARD)
            return _Walk(None, exception="SB.2.1-2")
        if activity.parent is None:
            return _Walk(None, exception="SB.2.1-3")
        if activity.is_leaf or not consider_children:
            if siblings[0] == identifier:
                # SB.2.1 4.2 -- also after 3.1 reversed the walk onto the first child: every child of the
                # forwardOnly cluster was skipped, so the walk leaves it backward (ADL CTS CM-03b).
                return self.flow_tree_traversal(activity.parent, BACKWARD, False, None)
            return _Walk(siblings[siblings.index(identifier) - 1], BACKWARD)
        if activity.children:
            if activity.sequencing.control_mode.forward_only:
                return _Walk(activity.children[0], FORWARD)
            return _Walk(activity.children[-1], BACKWARD)
        return _Walk(None, exception="SB.2.1-2")

    def flow_activity_traversal(self, identifier: str, direction: str, previous_direction: str | None) -> _Walk:
        """IMS SS SB.2.2 Flow Activity Traversal Subprocess; `activity` is set only when deliverable."""
        parent = self.tree[identifier].parent
        if parent is not None and not self.tree[parent].sequencing.control_mode.flow:
            return _Walk(None, exception="SB.2.2-1")
        if self.pre_condition(identifier, "skip") is not None:
            walk = self.flow_tree_traversal(identifier, direction, False, previous_direction)
            if walk.activity is None:
                return walk
            if previous_direction == BACKWARD and walk.direction == BACKWARD:
                # SB.2.2 3.1.3: the walk left a forwardOnly cluster whose children were all skipped: go on backward.
                return self.flow_activity_traversal(walk.activity, BACKWARD, None)
            return self.flow_activity_traversal(walk.activity, direction, previous_direction)
        if self.check_activity(identifier):
            return _Walk(None, exception="SB.2.2-2")
        if not self.tree[identifier].is_leaf:
            walk = self.flow_tree_traversal(identifier, direction, True, None)
            if walk.activity is None:
                return walk
            if direction == BACKWARD and walk.direction == FORWARD:
                return self.flow_activity_traversal(walk.activity, FORWARD, BACKWARD)
            return self.flow_activity_traversal(walk.activity, direction, None)
        return _Walk(identifier, direction)

    def flow(self, identifier: str, direction: str, consider_children: bool) -> _Walk:
        """IMS SS SB.2.3 Flow Subprocess."""
        walk = self.flow_tree_traversal(identifier, direction, consider_children, None)
        if walk.activity is None:
            return walk
        return self.flow_activity_traversal(walk.activity, direction, None)

    # -- SB.2.9 choice ---------------------------------------------------------------------------------------

    def _choice_traversal(self, identifier: str, direction: str) -> None:
        """IMS SS SB.2.4 Choice Activity Traversal Subprocess."""
        if direction == FORWARD:
            if self.pre_condition(identifier, "stopForwardTraversal") is not None:
                raise SequencingError("SB.2.4-1", f"{identifier!r} stops forward traversal")
            return
        parent = self.tree[identifier].parent
        if parent is None:
            raise SequencingError("SB.2.4-3", "cannot walk backward from the root")
        if self.tree[parent].sequencing.control_mode.forward_only:
            raise SequencingError("SB.2.4-2", "forwardOnly forbids choosing backward")

    def _choice_flow_tree_traversal(self, identifier: str, direction: str) -> str | None:
        tree = self.tree
        parent = tree[identifier].parent
        if direction == FORWARD:
            if identifier == tree.last_in_preorder or parent is None:
                return None
            siblings = tree[parent].children
            if siblings[-1] == identifier:
                return self._choice_flow_tree_traversal(parent, FORWARD)
            return siblings[siblings.index(identifier) + 1]
        if parent is None:
            return None
        siblings = tree[parent].children
        if siblings[0] == identifier:
            return self._choice_flow_tree_traversal(parent, BACKWARD)
        return siblings[siblings.index(identifier) - 1]

    def _check_hidden(self, target: str) -> None:
        for activity_id in self.tree.path_from_root(target):
            if self.pre_condition(activity_id, "hiddenFromChoice") is not None:
                raise SequencingError("SB.2.9-3", f"{activity_id!r} is hidden from choice")

    def choice(self, target: str) -> str | None:
        """IMS SS SB.2.9 Choice Sequencing Request Process; returns the leaf to deliver.

        The paths checked follow the ADL sample RTE (the CTS reference): traversal rules are evaluated on the
        activities between the current activity and the target, not on the target itself.
        """
        tree = self.tree
        if target not in tree:
            raise SequencingError("SB.2.9-1", f"no activity {target!r}")
        self._check_hidden(target)
        parent = tree[target].parent
        if parent is not None and not tree[parent].sequencing.control_mode.choice:
            raise SequencingError("SB.2.9-4", "choice is not enabled for the target's parent")
        current = self.state.current
        origin = current if current is not None else tree.root
        ancestor = self.cluster_ancestor(origin, target) if current is not None else tree.root
        if origin == target:
            pass
        elif current is not None and tree[current].parent == parent:
            # Case 2 -- siblings: every activity from the current one up to the target must be traversable.
            siblings = tree.siblings(current)
            start, end = siblings.index(current), siblings.index(target)
            direction = FORWARD if end > start else BACKWARD
            step = 1 if direction == FORWARD else -1
            for index in range(start, end, step):
                self._choice_traversal(siblings[index], direction)
        elif origin == ancestor:
            # Case 3 -- the target is below the current activity (or the session has not begun).
            self._choice_down_to(target, ancestor)
        elif target == ancestor:
            # Case 4 -- the target is an ancestor of the current activity.
            for activity_id in tree.ancestors(origin)[1:]:
                if activity_id == target:
                    break
                if not tree[activity_id].sequencing.control_mode.choice_exit:
                    raise SequencingError("SB.2.9-7", f"choiceExit of {activity_id!r} forbids leaving it")
        else:
            # Case 5 -- the target is in another branch.
            constrained = None
            for activity_id in tree.ancestors(origin)[1:]:
                if activity_id == ancestor:
                    break
                if not tree[activity_id].sequencing.control_mode.choice_exit:
                    raise SequencingError("SB.2.9-7", f"choiceExit of {activity_id!r} forbids leaving it")
                if constrained is None and tree[activity_id].sequencing.constrained_choice.constrain_choice:
                    constrained = activity_id
            if constrained is not None:
                direction = FORWARD if tree.position(target) > tree.position(constrained) else BACKWARD
                neighbour = self._choice_flow_tree_traversal(constrained, direction)
                if target != neighbour and parent != neighbour:
                    raise SequencingError("SB.2.9-8", "constrainChoice forbids this target")
            self._choice_down_to(target, ancestor)
        if tree[target].is_leaf:
            return target
        walk = self.flow(target, FORWARD, consider_children=True)
        if walk.activity is None:
            if current is not None:
                self.terminate_descendent_attempts(ancestor)
                self.end_attempt(ancestor)
                self.state.current = target
            raise SequencingError("SB.2.9-9", "nothing to deliver below the target")
        return walk.activity

    def _choice_down_to(self, target: str, ancestor: str) -> None:
        """Check the activities from the target's parent up to the common ancestor (traversal, preventActivation)."""
        tree = self.tree
        for activity_id in tree.ancestors(target)[1:]:
            self._choice_traversal(activity_id, FORWARD)
            if activity_id == ancestor:
                break
            if (not self.state.activity(activity_id).active
                    and tree[activity_id].sequencing.constrained_choice.prevent_activation):
                raise SequencingError("SB.2.9-6", f"{activity_id!r} prevents activation")

    # -- DB.1.1 / DB.2 ---------------------------------------------------------------------------------------

    def delivery_request(self, identifier: str) -> None:
        """IMS SS DB.1.1 Delivery Request Process: raise unless every activity on the path may be delivered."""
        if not self.tree[identifier].is_leaf:
            raise SequencingError("DB.1.1-1", f"{identifier!r} is not a leaf")
        for activity_id in self.tree.path_from_root(identifier):
            if self.check_activity(activity_id):
                raise SequencingError("DB.1.1-3", f"{activity_id!r} may not be delivered")

    def content_delivery(self, identifier: str) -> None:
        """IMS SS DB.2 Content Delivery Environment Process: begin the attempts and make the activity current."""
        current = self.state.current
        if current is not None and self.state.activity(current).active:
            raise SequencingError("DB.2-1", "the current activity is still active")
        self._clear_suspended(identifier)
        self.terminate_descendent_attempts(identifier)
        for activity_id in self.tree.path_from_root(identifier):
            activity_state = self.state.activity(activity_id)
            if activity_state.active:
                continue
            if self.tree[activity_id].tracked:
                if activity_state.suspended:
                    activity_state.suspended = False
                else:
                    activity_state.attempt_count += 1
                    self._begin_attempt(activity_id)
                    self._mark_descendants_stale(activity_id)
            activity_state.active = True
        self.state.current = identifier
        self.state.suspended = None

    def _begin_attempt(self, identifier: str) -> None:
        """DB.2 5.1.2.3: a new attempt starts with unknown attempt and objective progress information."""
        activity_state = self.state.activity(identifier)
        activity_state.completed = None
        activity_state.progress_measure = None
        activity_state.completion_reported = activity_state.success_reported = False
        activity_state.objectives_stale = activity_state.progress_stale = False
        for objective in activity_state.objectives.values():
            objective.satisfied = None
            objective.measure = None
            objective.completed = None
            objective.progress_measure = None
            objective.score_raw = objective.score_min = objective.score_max = None

    def _mark_descendants_stale(self, identifier: str) -> None:
        """A new attempt on a cluster: what its descendants recorded so far belongs to earlier attempts.

        With useCurrentAttemptObjectiveInfo / useCurrentAttemptProgressInfo (IMS SS §3.1, both default true) that
        information no longer counts in rollup (like the ADL sample RTE's "dirty" tracking).
        """
        control = self.tree[identifier].sequencing.control_mode
        if not (control.use_current_attempt_objective_info or control.use_current_attempt_progress_info):
            return
        pending = list(self.tree[identifier].children)
        while pending:
            activity_id = pending.pop()
            activity_state = self.state.activity(activity_id)
            pending.extend(self.tree[activity_id].children)
            if activity_state.attempt_count == 0:
                continue  # nothing recorded yet: whatever it reads (globals) is current
            if control.use_current_attempt_objective_info:
                activity_state.objectives_stale = True
            if control.use_current_attempt_progress_info:
                activity_state.progress_stale = True

    def _clear_suspended(self, identifier: str) -> None:
        """IMS SS DB.2.1 Clear Suspended Activity Subprocess."""
        suspended = self.state.suspended
        if suspended is None:
            return
        if identifier != suspended:
            ancestor = self.cluster_ancestor(identifier, suspended)
            for activity_id in self.tree.ancestors(suspended):
                if activity_id == ancestor:
                    break
                activity = self.tree[activity_id]
                self.state.activity(activity_id).suspended = any(
                    self.state.activity(child).suspended for child in activity.children)
        self.state.suspended = None
