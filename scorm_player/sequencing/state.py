"""Sequencing tracking state (IMS SS §4 tracking model) and its JSON-able form, stored per attempt by the server."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from scorm_player.sequencing.tree import ActivityTree

__all__ = ["ActivityState", "GlobalObjectives", "ObjectiveState", "SequencingState", "new_state"]


@dataclass
class ObjectiveState:
    """Objective progress information; None means "status unknown" (progress status false in IMS SS)."""

    satisfied: bool | None = None
    measure: float | None = None  # normalized measure, -1..1
    # SCORM 2004 4th Ed: objectives also carry completion, progress and raw/min/max score (adlseq:mapInfo).
    completed: bool | None = None
    progress_measure: float | None = None
    score_raw: float | None = None
    score_min: float | None = None
    score_max: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ObjectiveState:
        names = {item.name for item in fields(cls)}
        return cls(**{name: value for name, value in data.items() if name in names})


@dataclass
class ActivityState:
    """Activity and attempt progress information for one activity (IMS SS §4.2)."""

    attempt_count: int = 0
    completed: bool | None = None  # attempt progress status + attempt completion status
    progress_measure: float | None = None  # attempt completion amount (4th Ed)
    active: bool = False
    suspended: bool = False
    objectives: dict[str, ObjectiveState] = field(default_factory=dict)
    # The SCO set cmi.completion_status / cmi.success_status in this attempt, even to "unknown": End Attempt then
    # leaves the status alone (ADL sample RTE UP.4; ADL CTS CM-06).
    completion_reported: bool = False
    success_reported: bool = False
    # The objective (progress) information was recorded before the parent's current attempt began; with
    # useCurrentAttemptObjectiveInfo (ProgressInfo) rollup treats it as unknown (IMS SS §3.1 control modes).
    objectives_stale: bool = False
    progress_stale: bool = False

    @property
    def progress_known(self) -> bool:
        """Activity progress status: true once an attempt has begun (IMS SS DB.2 5.1.2.2)."""
        return self.attempt_count > 0

    def objective(self, key: str) -> ObjectiveState:
        return self.objectives.setdefault(key, ObjectiveState())

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"attempt_count": self.attempt_count}
        for name in ("completed", "progress_measure"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        for name in ("active", "suspended", "completion_reported", "success_reported", "objectives_stale",
                     "progress_stale"):
            if getattr(self, name):
                data[name] = True
        objectives = {key: objective.to_dict() for key, objective in self.objectives.items() if objective.to_dict()}
        if objectives:
            data["objectives"] = objectives
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActivityState:
        return cls(
            attempt_count=int(data.get("attempt_count", 0)),
            completed=data.get("completed"),
            progress_measure=data.get("progress_measure"),
            active=bool(data.get("active", False)),
            suspended=bool(data.get("suspended", False)),
            completion_reported=bool(data.get("completion_reported", False)),
            success_reported=bool(data.get("success_reported", False)),
            objectives_stale=bool(data.get("objectives_stale", False)),
            progress_stale=bool(data.get("progress_stale", False)),
            objectives={key: ObjectiveState.from_dict(value) for key, value in data.get("objectives", {}).items()},
        )


@dataclass
class SequencingState:
    """Everything the sequencer remembers between requests: the per-attempt state the server stores."""

    activities: dict[str, ActivityState]
    # Global objectives kept with the course: those scoped to it (objectivesGlobalToSystem="false"), and all of
    # them when the caller passes no learner-level GlobalObjectives store.
    global_objectives: dict[str, ObjectiveState] = field(default_factory=dict)
    current: str | None = None
    suspended: str | None = None  # the Suspended Activity (IMS SS §4.4)
    ended: bool = False  # the sequencing session has ended (OP.1: End Sequencing Session)

    def activity(self, identifier: str) -> ActivityState:
        return self.activities.setdefault(identifier, ActivityState())

    def global_objective(self, target_id: str) -> ObjectiveState:
        return self.global_objectives.setdefault(target_id, ObjectiveState())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; `SequencingState.from_dict` reads it back."""
        return {
            "current": self.current,
            "suspended": self.suspended,
            "ended": self.ended,
            "activities": {identifier: state.to_dict() for identifier, state in self.activities.items()},
            "global_objectives": {target: objective.to_dict() for target, objective in self.global_objectives.items()
                                  if objective.to_dict()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SequencingState:
        return cls(
            activities={identifier: ActivityState.from_dict(value)
                        for identifier, value in data.get("activities", {}).items()},
            global_objectives={target: ObjectiveState.from_dict(value)
                               for target, value in data.get("global_objectives", {}).items()},
            current=data.get("current"),
            suspended=data.get("suspended"),
            ended=bool(data.get("ended", False)),
        )

    def copy(self) -> SequencingState:
        return SequencingState.from_dict(self.to_dict())


@dataclass
class GlobalObjectives:
    """One learner's global (shared) objectives, keyed by targetObjectiveID (IMS SS §4.8, SCORM 2004 SN §3.10).

    With adlseq:objectivesGlobalToSystem="true" (the default) a global objective belongs to the learner, not to one
    course: every package that maps the same targetObjectiveID reads and writes the same record. The server keeps
    one of these per learner (`to_dict` / `from_dict`) and passes it to the sequencing functions next to the
    per-attempt SequencingState; packages with objectivesGlobalToSystem="false" keep theirs in the state.
    """

    objectives: dict[str, ObjectiveState] = field(default_factory=dict)

    def get(self, target_id: str) -> ObjectiveState | None:
        return self.objectives.get(target_id)

    def objective(self, target_id: str) -> ObjectiveState:
        return self.objectives.setdefault(target_id, ObjectiveState())

    def to_dict(self) -> dict[str, Any]:
        return {target: objective.to_dict() for target, objective in self.objectives.items() if objective.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GlobalObjectives:
        return cls({target: ObjectiveState.from_dict(value) for target, value in data.items()})

    def copy(self) -> GlobalObjectives:
        return GlobalObjectives.from_dict(self.to_dict())

    def replace_with(self, other: GlobalObjectives) -> None:
        """Take over `other`'s records (the engine works on a copy and writes the outcome back)."""
        self.objectives.clear()
        self.objectives.update(other.objectives)


def new_state(tree: ActivityTree, global_objectives: dict[str, ObjectiveState] | None = None) -> SequencingState:
    """A fresh state for the course, seeded with `global_objectives` (kept in the state, see SequencingState)."""
    carried = {target: ObjectiveState(**asdict(objective)) for target, objective in (global_objectives or {}).items()}
    return SequencingState(activities={activity.identifier: ActivityState() for activity in tree},
                           global_objectives=carried)
