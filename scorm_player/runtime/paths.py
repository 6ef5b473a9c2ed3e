"""Resolution of an element name ("cmi.objectives.3.id") to its rule pattern, array indices and keyword."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from scorm_player.runtime.rules import INDEX, KEYWORDS, TARGET, DataModelRules

_ARRAY_INDEX = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class ElementPath:
    """What an element name refers to.

    `path` is the canonical name (indices without leading zeros), `pattern` the rule key with "n" for every
    index; for a keyword (`_children`, `_count`, `_version`) both describe the element the keyword is asked of.
    """

    kind: Literal["element", "keyword", "undefined"]
    path: str
    pattern: str
    indices: tuple[int, ...] = ()
    keyword: str | None = None
    # Why an undefined name is undefined: "undefined_element", or "invalid_leaf_in_category" (SCORM 1.2 gives 201
    # for an unknown leaf inside a known category such as cmi.core, ADL 1.2 CTS CMICategory).
    undefined_condition: str = "undefined_element"


def resolve_element(rules: DataModelRules, name: str) -> ElementPath:
    target_path = _resolve_target_element(rules, name)
    if target_path is not None:
        return target_path
    segments = name.split(".")
    pattern_parts: list[str] = []
    path_parts: list[str] = []
    indices: list[int] = []
    for position, segment in enumerate(segments):
        prefix = ".".join(pattern_parts)
        if position == len(segments) - 1 and segment in KEYWORDS and pattern_parts:
            return ElementPath("keyword", ".".join(path_parts), prefix, tuple(indices), keyword=segment)
        if prefix in rules.arrays:
            if not _ARRAY_INDEX.fullmatch(segment):
                return _undefined(rules, name, pattern_parts)
            index = int(segment)
            pattern_parts.append(INDEX)
            path_parts.append(str(index))
            indices.append(index)
        else:
            pattern_parts.append(segment)
            path_parts.append(segment)
    pattern = ".".join(pattern_parts)
    if pattern in rules.elements:
        return ElementPath("element", ".".join(path_parts), pattern, tuple(indices))
    return _undefined(rules, name, pattern_parts[:-1])


def is_known_group(rules: DataModelRules, pattern: str) -> bool:
    """A container or an array (something that is not a leaf element but has a name)."""
    return pattern in rules.containers or pattern in rules.arrays


def array_item_prefixes(path: ElementPath) -> list[tuple[str, str, int]]:
    """(array pattern, concrete array path, index) for every array the path indexes into, outermost first."""
    pattern_parts = path.pattern.split(".")
    path_parts = path.path.split(".")
    prefixes = []
    for position, part in enumerate(pattern_parts):
        if part == INDEX and position < len(path_parts):
            prefixes.append((".".join(pattern_parts[:position]), ".".join(path_parts[:position]),
                             int(path_parts[position])))
    return prefixes


def concrete_path(pattern: str, indices: tuple[int, ...]) -> str:
    """Fill a pattern's "n" placeholders with indices: ("cmi.interactions.n.id", (2,)) -> "cmi.interactions.2.id"."""
    remaining = iter(indices)
    parts = []
    for part in pattern.split("."):
        if part == INDEX:
            next_index = next(remaining, None)
            if next_index is None:
                break
            parts.append(str(next_index))
        else:
            parts.append(part)
    return ".".join(parts)


def _resolve_target_element(rules: DataModelRules, name: str) -> ElementPath | None:
    # adl.nav.request_valid.choice.{target=ID}: the target (an activity id) may itself contain dots.
    for template in rules.target_templates:
        prefix = template + ".{target="
        if name.startswith(prefix) and name.endswith("}") and len(name) > len(prefix) + 1:
            return ElementPath("element", name, template + "." + TARGET)
    return None


def _undefined(rules: DataModelRules, name: str, parent_parts: list[str]) -> ElementPath:
    parent = ".".join(parent_parts)
    in_category = (
        (parent in rules.containers and rules.containers[parent].category)
        or (parent.endswith("." + INDEX) and parent[: -len(INDEX) - 1] in rules.arrays
            and rules.arrays[parent[: -len(INDEX) - 1]].category))
    return ElementPath("undefined", name, "",
                       undefined_condition="invalid_leaf_in_category" if in_category else "undefined_element")
