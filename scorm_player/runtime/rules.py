"""The per-version data-model rule tables (rules_scorm12.json, rules_scorm2004.json) as typed, immutable objects."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping

ScormVersion = Literal["1.2", "2004"]
SCORM_VERSIONS: tuple[ScormVersion, ...] = ("1.2", "2004")
RULES_FILES: Mapping[str, str] = MappingProxyType({"1.2": "rules_scorm12.json", "2004": "rules_scorm2004.json"})
# The placeholder segment of an array index in element patterns ("cmi.objectives.n.id").
INDEX = "n"
# The placeholder segment of "{target=ID}" in adl.nav.request_valid.choice/jump (SCORM 2004 4th Ed).
TARGET = "{target}"
KEYWORDS = ("_children", "_count", "_version")


@dataclass(frozen=True)
class ElementRule:
    """One data-model element pattern: who may read/write it and which values it takes."""

    pattern: str
    access: Literal["read-only", "write-only", "read-write"]
    type_name: str
    check: str
    type_spec: Mapping[str, Any]
    spm: int | None = None
    default: str | None = None
    vocabulary: tuple[str, ...] = ()
    not_settable: frozenset[str] = frozenset()
    value_range: tuple[float | None, float | None] | None = None
    empty_allowed: bool = False
    requires: tuple[str, ...] = ()
    unique_within_array: bool = False
    write_once: bool = False
    append: bool = False
    limit: str | None = None
    session_only: bool = False
    evaluated: str | None = None
    shared_data: bool = False

    @property
    def readable(self) -> bool:
        return self.access != "write-only"

    @property
    def writable(self) -> bool:
        return self.access != "read-only"


@dataclass(frozen=True)
class ArrayRule:
    """A collection with `_count` (objectives, interactions, …); `pattern` names the array, not its items."""

    pattern: str
    children: str | None = None
    category: bool = False
    seeded_only: bool = False
    journaled: bool = False
    max_count_by_interaction_type: str | None = None


@dataclass(frozen=True)
class ContainerRule:
    """A group of elements that answers `_children` (cmi.score, cmi.core, …)."""

    pattern: str
    children: str | None = None
    category: bool = False


@dataclass(frozen=True)
class DataModelRules:
    """Everything the runtime needs to know about one SCORM version's data model."""

    version: ScormVersion
    data_model_version: str
    messages: Mapping[int, str]
    conditions: Mapping[str, int | None]
    suspend_data_spec_limit: int
    suspend_data_default_limit: int
    length_policy: Literal["enforce", "smallest_permitted_maximum"]
    types: Mapping[str, Mapping[str, Any]]
    elements: Mapping[str, ElementRule]
    arrays: Mapping[str, ArrayRule]
    containers: Mapping[str, ContainerRule]
    interaction_types: Mapping[str, Mapping[str, Any]]
    language_codes: frozenset[str]
    target_templates: tuple[str, ...]
    # LaunchData field -> element it seeds, and role ("entry", "exit", "total_time", …) -> element.
    launch_elements: Mapping[str, str]
    session_elements: Mapping[str, str]

    def error_code(self, condition: str) -> int | None:
        """The error code this version uses for a named condition; None when the version has no such rule."""
        return self.conditions[condition]


def rules_path(version: ScormVersion) -> Path:
    """Where the JSON table lives, so the web layer can serve the same file to the browser runtime."""
    return Path(__file__).with_name(RULES_FILES[version])


@cache
def load_rules(version: ScormVersion) -> DataModelRules:
    if version not in RULES_FILES:
        raise ValueError(f"unknown SCORM version {version!r}; expected one of {SCORM_VERSIONS}")
    return build_rules(json.loads(rules_path(version).read_text(encoding="utf-8")))


def build_rules(table: Mapping[str, Any]) -> DataModelRules:
    """Turn a parsed rules table into DataModelRules (pure, so tests can feed edited tables)."""
    types = {name: MappingProxyType(dict(spec)) for name, spec in table["types"].items()}
    elements = {pattern: _element_rule(pattern, spec, types) for pattern, spec in table["elements"].items()}
    arrays = {
        pattern: ArrayRule(
            pattern=pattern, children=spec.get("children"), category=spec.get("category", False),
            seeded_only=spec.get("seeded_only", False), journaled=spec.get("journaled", False),
            max_count_by_interaction_type=spec.get("max_count_by_interaction_type"))
        for pattern, spec in table["arrays"].items()}
    containers = {
        pattern: ContainerRule(pattern=pattern, children=spec.get("children"), category=spec.get("category", False))
        for pattern, spec in table["containers"].items()}
    languages = table.get("language_codes") or {}
    suspend_limits = table["limits"]["suspend_data"]
    return DataModelRules(
        version=table["version"],
        data_model_version=table["data_model_version"],
        messages=MappingProxyType({int(code): text for code, text in table["errors"]["messages"].items()}),
        conditions=MappingProxyType(dict(table["errors"]["conditions"])),
        suspend_data_spec_limit=suspend_limits["spec_smallest_permitted_maximum"],
        suspend_data_default_limit=suspend_limits["default"],
        length_policy=table.get("length_policy", "enforce"),
        types=MappingProxyType(types),
        elements=MappingProxyType(elements),
        arrays=MappingProxyType(arrays),
        containers=MappingProxyType(containers),
        interaction_types=MappingProxyType(
            {name: spec for name, spec in table.get("interaction_types", {}).items() if not name.startswith("_")}),
        language_codes=frozenset(languages.get("two_letter", ())) | frozenset(languages.get("three_letter", ())),
        target_templates=tuple(pattern[: -len(TARGET) - 1] for pattern in elements if pattern.endswith("." + TARGET)),
        launch_elements=MappingProxyType(dict(table["launch_elements"])),
        session_elements=MappingProxyType(dict(table["session_elements"])),
    )


def _element_rule(pattern: str, spec: Mapping[str, Any], types: Mapping[str, Mapping[str, Any]]) -> ElementRule:
    type_spec = types[spec["type"]]
    value_range = spec.get("range")
    return ElementRule(
        pattern=pattern,
        access=spec["access"],
        type_name=spec["type"],
        check=type_spec["check"],
        type_spec=type_spec,
        spm=spec.get("spm"),
        default=spec.get("default"),
        vocabulary=tuple(spec.get("vocabulary", type_spec.get("vocabulary", ()))),
        not_settable=frozenset(spec.get("not_settable", ())),
        value_range=(value_range[0], value_range[1]) if value_range else None,
        empty_allowed=spec.get("empty_allowed", type_spec.get("empty_allowed", False)),
        requires=tuple(spec.get("requires", ())),
        unique_within_array=spec.get("unique_within_array", False),
        write_once=spec.get("write_once", False),
        append=spec.get("append", False),
        limit=spec.get("limit"),
        session_only=spec.get("session_only", False),
        evaluated=spec.get("evaluated"),
        shared_data=spec.get("shared_data", False),
    )
