"""A cmi5 course as the LMS sees it: AUs and blocks numbered in document order, the LMS's own activity IRIs,
and which blocks and the course an AU's satisfaction completes (cmi5 §9.3.9, moveOn)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from scorm_player.package.cmi5 import AssignableUnit, Block, CourseStructure, MoveOn

__all__ = ["CourseIndex", "CourseIris", "Node", "au_satisfied", "index_course"]

COURSE_KEY = "course"


@dataclass(frozen=True)
class Node:
    """A block or the course: satisfied once every AU beneath it is (an empty one at once)."""

    key: str  # "course" or "block-<index>" (blocks numbered in document order)
    kind: str  # "course" | "block"
    publisher_id: str
    title: str
    au_indexes: frozenset[int]


@dataclass(frozen=True)
class CourseIndex:
    structure: CourseStructure
    aus: tuple[AssignableUnit, ...]
    blocks: tuple[Block, ...]
    # Blocks deepest first, then the course: the order CATAPULT sends their `satisfied` statements in.
    nodes: tuple[Node, ...]

    def au_index(self, reference: str) -> int | None:
        """An AU by its position ("0", "1", …) or by its publisher id; None when there is no such AU."""
        if reference.isdigit():
            position = int(reference)
            return position if position < len(self.aus) else None
        for position, au in enumerate(self.aus):
            if au.id == reference:
                return position
        return None

    def newly_satisfied(self, satisfied_aus: Iterable[int], already: Iterable[str]) -> list[Node]:
        """The blocks and course that the satisfied AUs complete and that were not satisfied before."""
        done = frozenset(satisfied_aus)
        seen = frozenset(already)
        return [node for node in self.nodes if node.key not in seen and node.au_indexes <= done]


def index_course(structure: CourseStructure) -> CourseIndex:
    aus: list[AssignableUnit] = []
    blocks: list[Block] = []
    nodes: list[Node] = []

    def visit(children: tuple[Block | AssignableUnit, ...]) -> set[int]:
        beneath: set[int] = set()
        for child in children:
            if isinstance(child, AssignableUnit):
                beneath.add(len(aus))
                aus.append(child)
                continue
            key = f"block-{len(blocks)}"
            blocks.append(child)
            inner = visit(child.children)
            title = child.title[0].text if child.title else child.id
            nodes.append(Node(key, "block", child.id, title, frozenset(inner)))
            beneath |= inner
        return beneath

    every_au = visit(structure.children)
    nodes.append(Node(COURSE_KEY, "course", structure.course_id, structure.display_title, frozenset(every_au)))
    return CourseIndex(structure, tuple(aus), tuple(blocks), tuple(nodes))


def au_satisfied(move_on: MoveOn, *, completed: bool, passed: bool, waived: bool = False) -> bool:
    """cmi5 §9.3.9 / CATAPULT registration.js: whether the AU's moveOn criteria are met."""
    if waived or move_on is MoveOn.NOT_APPLICABLE:
        return True
    if move_on is MoveOn.COMPLETED:
        return completed
    if move_on is MoveOn.PASSED:
        return passed
    if move_on is MoveOn.COMPLETED_AND_PASSED:
        return completed and passed
    return completed or passed  # CompletedOrPassed


@dataclass(frozen=True)
class CourseIris:
    """The LMS's activity ids: stable per package, never the publisher's (cmi5 8.1.5.0-3/-4, 9.3.9.0-4/-8)."""

    tenant_slug: str
    package_id: str

    @property
    def course(self) -> str:
        return f"https://learnhub.local/tenants/{self.tenant_slug}/cmi5/{self.package_id}"

    def au(self, index: int) -> str:
        return f"{self.course}/au/{index}"

    def node(self, node: Node) -> str:
        return self.course if node.kind == "course" else f"{self.course}/{node.key.replace('-', '/')}"
