"""The activity tree the sequencer walks: the default organization as root, its items as activities (IMS SS §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator, Mapping

from scorm_player.package.manifest import CompletionThreshold, Item, Organization, Package
from scorm_player.package.sequencing import Objective, SequencingDefinition

__all__ = ["PRIMARY_OBJECTIVE", "Activity", "ActivityTree", "build_activity_tree"]

# Key of a primary objective that has no objectiveID (IMS SS: every activity has exactly one primary objective).
PRIMARY_OBJECTIVE = ""


@dataclass(frozen=True)
class Activity:
    """One node of the tree with its sequencing definition (IMS SS defaults applied by the parser)."""

    identifier: str
    title: str
    parent: str | None
    children: tuple[str, ...]
    sequencing: SequencingDefinition
    is_visible: bool = True
    launch_url: str | None = None
    completion_threshold: CompletionThreshold | None = None
    hide_lms_ui: frozenset[str] = frozenset()

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @cached_property
    def objectives(self) -> tuple[Objective, ...]:
        """The activity's objectives, primary first; an implicit primary objective when the manifest has none."""
        defined = self.sequencing.objectives
        if any(objective.is_primary for objective in defined):
            return defined
        # IMS SS 1.0 §4.6: an activity always has a primary objective that contributes to rollup.
        return (Objective(objective_id=None, is_primary=True),) + defined

    @property
    def primary_objective(self) -> Objective:
        return self.objectives[0]

    @property
    def primary_key(self) -> str:
        return objective_key(self.primary_objective)

    def objective(self, key: str | None) -> Objective | None:
        """The objective named by a ruleCondition@referencedObjective (None: the primary objective)."""
        if key is None or key == self.primary_key:
            return self.primary_objective
        return next((objective for objective in self.objectives if objective.objective_id == key), None)

    @property
    def tracked(self) -> bool:
        return self.sequencing.delivery.tracked

    @property
    def progress_weight(self) -> float:
        # adlcp:completionThreshold@progressWeight (4th Ed), default 1.0
        return self.completion_threshold.progress_weight if self.completion_threshold is not None else 1.0


def objective_key(objective: Objective) -> str:
    return objective.objective_id if objective.objective_id is not None else PRIMARY_OBJECTIVE


@dataclass(frozen=True)
class ActivityTree:
    """All activities keyed by identifier, in preorder (the order "forward" means in IMS SS)."""

    root: str
    activities: Mapping[str, Activity]
    objectives_global_to_system: bool = True
    _position: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._position.update({identifier: index for index, identifier in enumerate(self.activities)})

    def __getitem__(self, identifier: str) -> Activity:
        return self.activities[identifier]

    def __contains__(self, identifier: object) -> bool:
        return identifier in self.activities

    def __iter__(self) -> Iterator[Activity]:
        return iter(self.activities.values())

    def position(self, identifier: str) -> int:
        """Preorder index: a larger index is "forward in the tree"."""
        return self._position[identifier]

    def ancestors(self, identifier: str) -> list[str]:
        """The activity and its ancestors, the activity first and the root last."""
        path = [identifier]
        parent = self.activities[identifier].parent
        while parent is not None:
            path.append(parent)
            parent = self.activities[parent].parent
        return path

    def path_from_root(self, identifier: str) -> list[str]:
        return list(reversed(self.ancestors(identifier)))

    def common_ancestor(self, first: str, second: str) -> str:
        """The deepest activity that is an ancestor of (or equal to) both."""
        first_path = set(self.ancestors(first))
        return next(identifier for identifier in self.ancestors(second) if identifier in first_path)

    def is_descendant(self, identifier: str, ancestor: str) -> bool:
        """True when `identifier` lies strictly below `ancestor`."""
        return identifier != ancestor and ancestor in self.ancestors(identifier)

    def siblings(self, identifier: str) -> tuple[str, ...]:
        parent = self.activities[identifier].parent
        return self.activities[parent].children if parent is not None else (identifier,)

    @cached_property
    def last_in_preorder(self) -> str:
        return list(self.activities)[-1]

    def leaves(self) -> list[str]:
        return [identifier for identifier, activity in self.activities.items() if activity.is_leaf]


def build_activity_tree(source: Package | Organization) -> ActivityTree:
    """Build the tree from a parsed SCORM 2004 package (its default organization) or one organization."""
    organization = source.organization if isinstance(source, Package) else source
    activities: dict[str, Activity] = {}
    activities[organization.identifier] = Activity(
        identifier=organization.identifier,
        title=organization.title,
        parent=None,
        children=tuple(item.identifier for item in organization.items),
        sequencing=organization.sequencing or SequencingDefinition(),
    )
    for item in organization.items:
        _add_item(item, organization.identifier, activities)
    return ActivityTree(root=organization.identifier, activities=activities,
                        objectives_global_to_system=organization.objectives_global_to_system)


def _add_item(item: Item, parent: str, activities: dict[str, Activity]) -> None:
    activities[item.identifier] = Activity(
        identifier=item.identifier,
        title=item.title,
        parent=parent,
        children=tuple(child.identifier for child in item.children),
        sequencing=item.sequencing or SequencingDefinition(),
        is_visible=item.is_visible,
        launch_url=item.launch_url,
        completion_threshold=item.completion_threshold,
        hide_lms_ui=item.hide_lms_ui,
    )
    for child in item.children:
        _add_item(child, item.identifier, activities)
