"""imsmanifest.xml → typed Package: SCORM version, organizations, items, resources, launch URLs, extensions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Iterator
from urllib.parse import urlsplit

from lxml import etree

from scorm_player.package.attributes import ValueReader, element_text
from scorm_player.package.launch_url import (
    PathOutsidePackage,
    is_external,
    join_parameters,
    package_path,
    resolve_reference,
)
from scorm_player.package.rejection import PackageRejected, PackageWarning
from scorm_player.package.safe_xml import parse_untrusted_xml
from scorm_player.package.sequencing import (
    ADLSEQ_NAMESPACE,
    IMSSS_NAMESPACE,
    SequencingDefinition,
    SequencingParts,
    build_sequencing,
    normalise_objective_id,
    read_sequencing_parts,
)
from scorm_player.package.standards import Edition, Standard

__all__ = [
    "CompletionThreshold",
    "Item",
    "Organization",
    "Package",
    "Resource",
    "ScormType",
    "SharedDataMap",
    "check_package_files",
    "parse_manifest",
]

IMSCP_12_NAMESPACE = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
IMSCP_2004_NAMESPACE = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP_12_NAMESPACE = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_2004_NAMESPACE = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLNAV_NAMESPACE = "http://www.adlnet.org/xsd/adlnav_v1p3"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

_SCORM_12_NAMESPACES = frozenset({IMSCP_12_NAMESPACE, ADLCP_12_NAMESPACE})
_SCORM_2004_NAMESPACES = frozenset({IMSCP_2004_NAMESPACE, ADLCP_2004_NAMESPACE, ADLSEQ_NAMESPACE,
                                    ADLNAV_NAMESPACE, IMSSS_NAMESPACE})
# <metadata><schemaversion>: SCORM 2004 CAM vocabulary; SCORM 1.2 had none, "1.2" by convention.
_SCHEMA_VERSIONS = {
    "1.2": (Standard.SCORM_12, None),
    "cam 1.3": (Standard.SCORM_2004, Edition.SECOND),
    "1.3": (Standard.SCORM_2004, Edition.SECOND),
    "2004 2nd edition": (Standard.SCORM_2004, Edition.SECOND),
    "2004 3rd edition": (Standard.SCORM_2004, Edition.THIRD),
    "2004 4th edition": (Standard.SCORM_2004, Edition.FOURTH),
}
_SCORM_11_VERSIONS = frozenset({"1.1", "cam 1.1", "scorm 1.1"})
TIME_LIMIT_ACTIONS = frozenset({"exit,message", "exit,no message", "continue,message", "continue,no message"})
# adlnav:hideLMSUI vocabulary (SCORM 2004 CAM, adlnav_v1p3.xsd)
HIDE_LMS_UI_CONTROLS = frozenset({"previous", "continue", "exit", "exitAll", "abandon", "abandonAll", "suspendAll"})
_LAUNCH_SCHEMES = frozenset({"http", "https"})


class ScormType(StrEnum):
    SCO = "sco"  # calls the runtime API
    ASSET = "asset"  # plain content; the LMS sets its status itself


@dataclass(frozen=True)
class CompletionThreshold:
    """adlcp:completionThreshold: 3rd Ed text value, or 4th Ed attributes (defaults from adlcp_v1p3.xsd)."""

    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    progress_weight: float = 1.0

    @property
    def cmi_completion_threshold(self) -> float | None:
        """cmi.completion_threshold is only defined when completion is judged by progress measure."""
        return self.min_progress_measure if self.completed_by_measure else None


@dataclass(frozen=True)
class SharedDataMap:
    """adlcp:data/adlcp:map (4th Ed) → an adl.data bucket."""

    target_id: str
    read_shared_data: bool = True
    write_shared_data: bool = False


@dataclass(frozen=True)
class Resource:
    identifier: str
    line: int
    scorm_type: ScormType
    resource_type: str = "webcontent"
    href: str | None = None  # as written
    base: str = ""  # resolved xml:base chain (manifest, resources, resource)
    url: str | None = None  # base + href, before any item parameters
    files: tuple[str, ...] = ()  # resolved <file href>
    dependencies: tuple[str, ...] = ()  # <dependency identifierref>
    metadata: str | None = None


@dataclass(frozen=True)
class Item:
    identifier: str
    title: str
    line: int
    children: tuple[Item, ...] = ()
    resource_identifier: str | None = None
    parameters: str | None = None
    launch_url: str | None = None  # resource URL with the parameters joined in; None for pure clusters
    scorm_type: ScormType | None = None
    is_visible: bool = True
    # Shared by SCORM 1.2 (adlcp_rootv1p2) and 2004 (adlcp_v1p3)
    time_limit_action: str | None = None
    data_from_lms: str | None = None
    # SCORM 1.2 only
    prerequisites: str | None = None  # aicc_script expression, evaluated by the player
    max_time_allowed: str | None = None
    mastery_score: float | None = None  # 0–100
    # SCORM 2004 only
    completion_threshold: CompletionThreshold | None = None
    hide_lms_ui: frozenset[str] = frozenset()
    shared_data_maps: tuple[SharedDataMap, ...] = ()
    sequencing: SequencingDefinition | None = None
    metadata: str | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def is_launchable(self) -> bool:
        return self.launch_url is not None

    @property
    def scaled_passing_score(self) -> float | None:
        return self.sequencing.scaled_passing_score if self.sequencing else None

    def walk(self) -> Iterator[Item]:
        """This item and its descendants, depth first, in manifest order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Organization:
    identifier: str
    title: str
    line: int
    items: tuple[Item, ...]
    sequencing: SequencingDefinition | None = None
    objectives_global_to_system: bool = True
    shared_data_global_to_system: bool = True
    metadata: str | None = None

    def walk(self) -> Iterator[Item]:
        for item in self.items:
            yield from item.walk()

    @property
    def item_count(self) -> int:
        return sum(1 for _ in self.walk())


@dataclass(frozen=True)
class Package:
    """A parsed SCORM manifest; `organization` is the default organization, the one the player shows."""

    identifier: str
    standard: Standard
    edition: Edition | None
    schema_version: str | None
    title: str
    organization: Organization
    organizations: tuple[Organization, ...]
    resources: tuple[Resource, ...]
    metadata: str | None = None
    warnings: tuple[PackageWarning, ...] = ()

    @cached_property
    def _resources_by_id(self) -> dict[str, Resource]:
        return {resource.identifier: resource for resource in self.resources}

    def resource(self, identifier: str) -> Resource | None:
        return self._resources_by_id.get(identifier)

    def items(self) -> Iterator[Item]:
        return self.organization.walk()

    def files_needed_by(self, resource_identifier: str) -> frozenset[str]:
        """The resource's files plus those of its dependencies, transitively (IMS CP <dependency>)."""
        needed: set[str] = set()
        pending, visited = [resource_identifier], set()
        while pending:
            resource = self.resource(pending.pop())
            if resource is None or resource.identifier in visited:
                continue
            visited.add(resource.identifier)
            needed.update(resource.files)
            pending.extend(resource.dependencies)
        return frozenset(needed)


@dataclass
class _ManifestReader:
    """Parsing state for one manifest; everything it builds is immutable."""

    file_name: str
    standard: Standard
    edition: Edition | None
    warnings: list[PackageWarning] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)
    collection: dict[str, SequencingParts] = field(default_factory=dict)
    item_identifiers: dict[str, int] = field(default_factory=dict)
    cp: str = ""  # "{namespace}" prefix of IMS CP elements
    adlcp: str = ""  # "{namespace}" prefix of the ADL CP extensions for this SCORM version
    cam: ValueReader = field(init=False)
    sn: ValueReader = field(init=False)

    def __post_init__(self) -> None:
        self.cam = ValueReader(self.file_name, "cam.invalid_value")
        self.sn = ValueReader(self.file_name, "sn.invalid_value")

    def reject(self, element: etree._Element | None, rule: str, message: str) -> PackageRejected:
        return PackageRejected(self.file_name, element.sourceline if element is not None else None, rule, message)

    def warn(self, element: etree._Element | None, rule: str, message: str) -> None:
        self.warnings.append(PackageWarning(self.file_name, element.sourceline if element is not None else None,
                                            rule, message))

    @property
    def is_2004(self) -> bool:
        return self.standard is Standard.SCORM_2004


def _namespaces_in(root: etree._Element) -> set[str]:
    namespaces: set[str] = set()
    for element in root.iter():
        namespaces.update(uri for uri in element.nsmap.values() if uri)
    return namespaces


def _has_fourth_edition_features(root: etree._Element) -> bool:
    if root.find(f".//{{{ADLCP_2004_NAMESPACE}}}data") is not None:
        return True
    if root.find(f".//{{{ADLSEQ_NAMESPACE}}}objectives") is not None:
        return True
    return any(threshold.attrib for threshold in root.iter(f"{{{ADLCP_2004_NAMESPACE}}}completionThreshold"))


def _detect_version(root: etree._Element, schema_version_element: etree._Element | None,
                    file_name: str, warnings: list[PackageWarning]) -> tuple[Standard, Edition | None]:
    """schemaversion first, then namespaces (spec §2.1 "Detecting the version")."""
    raw = element_text(schema_version_element)
    declared = re.sub(r"\s+", " ", raw.lower()) if raw else None
    line = schema_version_element.sourceline if schema_version_element is not None else root.sourceline
    if declared in _SCORM_11_VERSIONS:
        raise PackageRejected(file_name, line, "package.unsupported_format",
                              "SCORM 1.1 packages are an unsupported format; re-export the course as SCORM 1.2 or 2004")
    if declared in _SCHEMA_VERSIONS:
        return _SCHEMA_VERSIONS[declared]
    namespaces = _namespaces_in(root)
    if namespaces & _SCORM_2004_NAMESPACES:
        edition = Edition.FOURTH if _has_fourth_edition_features(root) else Edition.THIRD
        warnings.append(PackageWarning(
            file_name, line, "cam.schema_version",
            f"schemaversion {raw!r} is not a SCORM 2004 value; assuming 2004 {edition} Edition from the namespaces"
            if raw else f"no schemaversion; assuming SCORM 2004 {edition} Edition from the namespaces"))
        return Standard.SCORM_2004, edition
    if namespaces & _SCORM_12_NAMESPACES:
        # SCORM 1.2 never fixed a vocabulary for schemaversion, so any value (or none) is fine.
        return Standard.SCORM_12, None
    raise PackageRejected(file_name, line, "cam.schema_version",
                          f"cannot tell the SCORM version: schemaversion {raw!r} is unknown and no SCORM namespace "
                          "is declared" if raw else
                          "cannot tell the SCORM version: no schemaversion and no SCORM namespace is declared")


def _raw_xml(element: etree._Element | None) -> str | None:
    return etree.tostring(element, encoding="unicode").strip() if element is not None else None


def parse_manifest(data: bytes, *, file_name: str = "imsmanifest.xml") -> Package:
    """Parse and check an imsmanifest.xml; raise PackageRejected naming the line and the rule."""
    root = parse_untrusted_xml(data, file_name=file_name).getroot()
    if etree.QName(root).localname != "manifest":
        raise PackageRejected(file_name, root.sourceline, "cam.root_element",
                              f"the root element is <{etree.QName(root).localname}>, not <manifest>")
    # Use the namespace the root actually has, so that a manifest with a missing or odd CP namespace still parses.
    cp = f"{{{etree.QName(root).namespace}}}" if etree.QName(root).namespace else ""
    warnings: list[PackageWarning] = []
    metadata = root.find(f"{cp}metadata")
    schema_version_element = metadata.find(f"{cp}schemaversion") if metadata is not None else None
    standard, edition = _detect_version(root, schema_version_element, file_name, warnings)
    adlcp_namespace = ADLCP_2004_NAMESPACE if standard is Standard.SCORM_2004 else ADLCP_12_NAMESPACE
    reader = _ManifestReader(file_name, standard, edition, warnings, cp=cp, adlcp=f"{{{adlcp_namespace}}}")
    identifier = reader.cam.required(root, "identifier", "cam.missing_identifier")
    if root.find(f"{cp}manifest") is not None:
        reader.warn(root.find(f"{cp}manifest"), "cam.sub_manifest", "sub-manifests are ignored")
    _read_sequencing_collection(root, reader)
    _read_resources(root, reader)
    organizations, default = _read_organizations(root, reader, identifier)
    _check_unique_across_kinds(organizations, reader)
    return Package(
        identifier=identifier,
        standard=standard,
        edition=edition,
        schema_version=element_text(schema_version_element),
        title=default.title,
        organization=default,
        organizations=organizations,
        resources=tuple(reader.resources.values()),
        metadata=_raw_xml(metadata),
        warnings=tuple(reader.warnings),
    )


def _read_sequencing_collection(root: etree._Element, reader: _ManifestReader) -> None:
    collection = root.find(f"{{{IMSSS_NAMESPACE}}}sequencingCollection")
    if collection is None or not reader.is_2004:
        return
    for sequencing in collection.findall(f"{{{IMSSS_NAMESPACE}}}sequencing"):
        identifier = reader.sn.required(sequencing, "ID", "sn.sequencing_id")
        if identifier in reader.collection:
            raise reader.reject(sequencing, "sn.sequencing_id", f"sequencingCollection ID {identifier!r} is used twice")
        reader.collection[identifier] = read_sequencing_parts(sequencing, reader.sn)


def _read_resources(root: etree._Element, reader: _ManifestReader) -> None:
    resources = root.find(f"{reader.cp}resources")
    if resources is None:
        return
    for element in resources.findall(f"{reader.cp}resource"):
        identifier = reader.cam.required(element, "identifier", "cam.missing_identifier")
        if identifier in reader.resources:
            raise reader.reject(element, "cam.duplicate_identifier",
                                f"resource identifier {identifier!r} is used twice")
        # IMS CP: xml:base on manifest, resources and resource, resolved outermost first.
        base = resolve_reference(root.get(_XML_BASE, ""), resources.get(_XML_BASE, ""), element.get(_XML_BASE, ""))
        href = (element.get("href") or "").strip() or None
        url = resolve_reference(base, href) if href else None
        if url and is_external(url) and urlsplit(url).scheme.lower() not in _LAUNCH_SCHEMES:
            raise reader.reject(element, "cam.launch_url_scheme",
                                f"resource {identifier!r} href {url!r} is neither a package path nor an http(s) URL")
        reader.resources[identifier] = Resource(
            identifier=identifier,
            line=element.sourceline,
            scorm_type=_scorm_type(element, identifier, reader),
            resource_type=(element.get("type") or "webcontent").strip(),
            href=href,
            base=base,
            url=url,
            files=tuple(resolve_reference(base, file.get("href", "")) for file in element.findall(f"{reader.cp}file")
                        if (file.get("href") or "").strip()),
            dependencies=tuple(reader.cam.required(dependency, "identifierref", "cam.dependency")
                               for dependency in element.findall(f"{reader.cp}dependency")),
            metadata=_raw_xml(element.find(f"{reader.cp}metadata")),
        )
    # Checked once all resources are known: a dependency may point forward.
    for dependency in resources.iterfind(f"{reader.cp}resource/{reader.cp}dependency"):
        target = (dependency.get("identifierref") or "").strip()
        if target not in reader.resources:
            raise reader.reject(dependency, "cam.dependency",
                                f"dependency identifierref {target!r} points to no resource")


def _scorm_type(element: etree._Element, identifier: str, reader: _ManifestReader) -> ScormType:
    # 1.2 spells it adlcp:scormtype, 2004 adlcp:scormType; authoring tools mix them up, so read both.
    raw = element.get(f"{reader.adlcp}scormType") or element.get(f"{reader.adlcp}scormtype")
    if raw is None:
        reader.warn(element, "cam.scorm_type_missing",
                    f"resource {identifier!r} has no adlcp:scormType; treated as an asset")
        return ScormType.ASSET
    try:
        return ScormType(raw.strip().lower())
    except ValueError:
        raise reader.reject(element, "cam.invalid_value",
                            f"resource {identifier!r} scormType must be sco or asset, not {raw!r}") from None


def _read_organizations(root: etree._Element, reader: _ManifestReader,
                        manifest_identifier: str) -> tuple[tuple[Organization, ...], Organization]:
    container = root.find(f"{reader.cp}organizations")
    elements = container.findall(f"{reader.cp}organization") if container is not None else []
    if not elements:
        return _organization_from_resources(container if container is not None else root, reader, manifest_identifier)
    organizations: list[Organization] = []
    for element in elements:
        identifier = reader.cam.required(element, "identifier", "cam.missing_identifier")
        if any(organization.identifier == identifier for organization in organizations):
            raise reader.reject(element, "cam.duplicate_identifier",
                                f"organization identifier {identifier!r} is used twice")
        organizations.append(_read_organization(element, identifier, reader))
    default_id = (container.get("default") or "").strip()
    if not default_id:
        return tuple(organizations), organizations[0]  # IMS CP: no default means the first organization
    default = next((organization for organization in organizations if organization.identifier == default_id), None)
    if default is None:
        raise reader.reject(container, "cam.default_organization",
                            f"organizations default {default_id!r} names no organization")
    return tuple(organizations), default


def _organization_from_resources(anchor: etree._Element, reader: _ManifestReader,
                                 manifest_identifier: str) -> tuple[tuple[Organization, ...], Organization]:
    """No organization: offer each launchable resource as an item, SCOs first (what Moodle does), with a warning."""
    launchable = sorted((resource for resource in reader.resources.values() if resource.url),
                        key=lambda resource: resource.scorm_type is not ScormType.SCO)
    if not launchable:
        raise reader.reject(anchor, "cam.no_organization",
                            "the manifest has no organization and no launchable resource")
    reader.warn(anchor, "cam.no_organization",
                "the manifest has no organization; each launchable resource becomes a top-level item")
    items = tuple(
        Item(identifier=resource.identifier, title=resource.identifier, line=resource.line,
             resource_identifier=resource.identifier, launch_url=resource.url, scorm_type=resource.scorm_type,
             sequencing=SequencingDefinition() if reader.is_2004 else None)
        for resource in launchable
    )
    organization = Organization(manifest_identifier, manifest_identifier, anchor.sourceline, items,
                                sequencing=SequencingDefinition() if reader.is_2004 else None)
    return (organization,), organization


def _title(element: etree._Element, reader: _ManifestReader, fallback: str) -> str:
    title = element_text(element.find(f"{reader.cp}title"))
    return re.sub(r"\s+", " ", title) if title else fallback


def _read_organization(element: etree._Element, identifier: str, reader: _ManifestReader) -> Organization:
    items = tuple(_read_item(child, reader) for child in element.findall(f"{reader.cp}item"))
    if not items:
        raise reader.reject(element, "cam.empty_organization", f"organization {identifier!r} has no items")
    return Organization(
        identifier=identifier,
        title=_title(element, reader, identifier),
        line=element.sourceline,
        items=items,
        sequencing=_read_item_sequencing(element, reader) if reader.is_2004 else None,
        objectives_global_to_system=reader.sn.boolean(element, f"{{{ADLSEQ_NAMESPACE}}}objectivesGlobalToSystem", True),
        shared_data_global_to_system=reader.cam.boolean(element, f"{{{ADLCP_2004_NAMESPACE}}}sharedDataGlobalToSystem",
                                                        True),
        metadata=_raw_xml(element.find(f"{reader.cp}metadata")),
    )


def _read_item_sequencing(element: etree._Element, reader: _ManifestReader) -> SequencingDefinition:
    """Merge the referenced sequencingCollection entry first, then the item's own elements (spec §2.1)."""
    sequencing = element.find(f"{{{IMSSS_NAMESPACE}}}sequencing")
    if sequencing is None:
        return SequencingDefinition()
    collection_id = (sequencing.get("IDRef") or "").strip() or None
    parts: SequencingParts = {}
    if collection_id is not None:
        if collection_id not in reader.collection:
            raise reader.reject(sequencing, "sn.sequencing_idref",
                                f"sequencing IDRef {collection_id!r} names no sequencingCollection entry")
        parts.update(reader.collection[collection_id])
    parts.update(read_sequencing_parts(sequencing, reader.sn))
    return build_sequencing(parts, reader.sn, collection_id=collection_id)


def _read_item(element: etree._Element, reader: _ManifestReader) -> Item:
    identifier = reader.cam.required(element, "identifier", "cam.missing_identifier")
    if identifier in reader.item_identifiers:
        raise reader.reject(element, "cam.duplicate_identifier", f"item identifier {identifier!r} is used twice "
                            f"(first on line {reader.item_identifiers[identifier]})")
    reader.item_identifiers[identifier] = element.sourceline
    children = tuple(_read_item(child, reader) for child in element.findall(f"{reader.cp}item"))
    resource_identifier = (element.get("identifierref") or "").strip() or None
    parameters = element.get("parameters")
    resource = None
    if resource_identifier is not None:
        resource = reader.resources.get(resource_identifier)
        if resource is None:
            raise reader.reject(element, "cam.identifierref",
                                f"identifierref {resource_identifier!r} points to no resource")
        if resource.url is None:
            raise reader.reject(element, "cam.resource_href",
                                f"item {identifier!r} launches resource {resource_identifier!r}, which has no href")
        if children and reader.is_2004:
            # SCORM 2004 CAM: only leaf items reference resources; the sequencer never delivers a cluster.
            raise reader.reject(element, "cam.cluster_with_resource",
                                f"item {identifier!r} has child items and also references a resource")
    adlcp = reader.adlcp
    fields: dict[str, Any] = dict(
        identifier=identifier,
        title=_title(element, reader, identifier),
        line=element.sourceline,
        children=children,
        resource_identifier=resource_identifier,
        parameters=parameters,
        launch_url=join_parameters(resource.url, parameters) if resource is not None and resource.url else None,
        scorm_type=resource.scorm_type if resource is not None else None,
        is_visible=reader.cam.boolean(element, "isvisible", True),
        data_from_lms=element_text(element.find(f"{adlcp}{'dataFromLMS' if reader.is_2004 else 'datafromlms'}")),
        time_limit_action=_time_limit_action(element, reader),
        metadata=_raw_xml(element.find(f"{reader.cp}metadata")),
    )
    if reader.is_2004:
        fields.update(
            completion_threshold=_completion_threshold(element, reader),
            hide_lms_ui=_hide_lms_ui(element, reader),
            shared_data_maps=_shared_data_maps(element, reader),
            sequencing=_read_item_sequencing(element, reader),
        )
    else:
        fields.update(
            prerequisites=element_text(element.find(f"{adlcp}prerequisites")),
            max_time_allowed=element_text(element.find(f"{adlcp}maxtimeallowed")),
            mastery_score=_mastery_score(element, reader),
        )
    return Item(**fields)


def _time_limit_action(element: etree._Element, reader: _ManifestReader) -> str | None:
    name = "timeLimitAction" if reader.is_2004 else "timelimitaction"
    action_element = element.find(f"{reader.adlcp}{name}")
    raw = element_text(action_element)
    if raw is None:
        return None
    value = re.sub(r"\s*,\s*", ",", raw.lower())
    if value not in TIME_LIMIT_ACTIONS:
        # Only a hint for the content (cmi.time_limit_action), so a typo is not worth refusing the course.
        reader.warn(action_element, "cam.invalid_value", f"timeLimitAction {raw!r} is not a SCORM value; ignored")
        return None
    return value


def _mastery_score(element: etree._Element, reader: _ManifestReader) -> float | None:
    score_element = element.find(f"{reader.adlcp}masteryscore")
    raw = element_text(score_element)
    if score_element is None or raw is None:
        return None
    # SCORM 1.2 CAM adlcp:masteryscore: a decimal 0–100, compared with cmi.core.score.raw.
    return reader.cam.decimal_text(score_element, raw, minimum=0.0, maximum=100.0, label="adlcp:masteryscore")


def _completion_threshold(element: etree._Element, reader: _ManifestReader) -> CompletionThreshold | None:
    threshold = element.find(f"{reader.adlcp}completionThreshold")
    if threshold is None:
        return None
    text = element_text(threshold)
    if text is not None:
        # 3rd Edition form: <adlcp:completionThreshold>0.8</adlcp:completionThreshold> → judged by measure.
        value = reader.cam.decimal_text(threshold, text, minimum=0.0, maximum=1.0, label="adlcp:completionThreshold")
        return CompletionThreshold(completed_by_measure=True, min_progress_measure=value,
                                   progress_weight=reader.cam.decimal(threshold, "progressWeight", 1.0,
                                                                      minimum=0.0, maximum=1.0) or 0.0)
    return CompletionThreshold(
        completed_by_measure=reader.cam.boolean(threshold, "completedByMeasure", False),
        min_progress_measure=reader.cam.decimal(threshold, "minProgressMeasure", 1.0, minimum=0.0, maximum=1.0) or 0.0,
        progress_weight=reader.cam.decimal(threshold, "progressWeight", 1.0, minimum=0.0, maximum=1.0) or 0.0,
    )


def _hide_lms_ui(element: etree._Element, reader: _ManifestReader) -> frozenset[str]:
    hidden = set()
    for control in element.iterfind(f"{{{ADLNAV_NAMESPACE}}}presentation/{{{ADLNAV_NAMESPACE}}}navigationInterface/"
                                    f"{{{ADLNAV_NAMESPACE}}}hideLMSUI"):
        value = element_text(control)
        if value not in HIDE_LMS_UI_CONTROLS:
            raise reader.reject(control, "cam.invalid_value", f"hideLMSUI {value!r} is not a navigation control")
        hidden.add(value)
    return frozenset(hidden)


def _shared_data_maps(element: etree._Element, reader: _ManifestReader) -> tuple[SharedDataMap, ...]:
    return tuple(
        SharedDataMap(
            target_id=normalise_objective_id(reader.cam.required(mapping, "targetID")),
            read_shared_data=reader.cam.boolean(mapping, "readSharedData", True),
            write_shared_data=reader.cam.boolean(mapping, "writeSharedData", False),
        )
        for mapping in element.iterfind(f"{reader.adlcp}data/{reader.adlcp}map")
    )


def _check_unique_across_kinds(organizations: tuple[Organization, ...], reader: _ManifestReader) -> None:
    """IMS CP identifiers are xs:ID (unique per document); a clash between kinds is harmless to us, so only warn."""
    organization_ids = {organization.identifier for organization in organizations}
    kinds = {"organization": organization_ids, "item": set(reader.item_identifiers), "resource": set(reader.resources)}
    names = list(kinds)
    for index, first in enumerate(names):
        for second in names[index + 1:]:
            for clash in sorted(kinds[first] & kinds[second]):
                reader.warn(None, "cam.duplicate_identifier",
                            f"identifier {clash!r} names both an {first} and a {second}")


def check_package_files(package: Package, files: frozenset[str], *,
                        file_name: str = "imsmanifest.xml") -> tuple[PackageWarning, ...]:
    """Compare the manifest with the files in the zip (paths relative to the manifest's folder).

    A missing launch file is fatal; a missing <file> entry is only a warning, because authoring tools
    routinely list files they never ship.
    """
    lowered = {name.lower(): name for name in files}
    launched = {item.resource_identifier for organization in package.organizations for item in organization.walk()
                if item.resource_identifier}
    for resource in package.resources:
        if resource.identifier not in launched or resource.url is None:
            continue
        path = _local_path(resource, resource.url, file_name)
        if path is not None and not _exists(resource.url, files):
            hint = f" (the zip has {lowered[path.lower()]!r})" if path.lower() in lowered else ""
            raise PackageRejected(file_name, resource.line, "cam.launch_file_missing",
                                  f"resource {resource.identifier!r} launches {path!r}, "
                                  f"which is not in the package{hint}")
    warnings = []
    for resource in package.resources:
        missing = sorted(href for href in resource.files
                         if _local_path(resource, href, file_name) is not None and not _exists(href, files))
        if missing:
            shown = ", ".join(repr(name) for name in missing[:5])
            if len(missing) > 5:
                shown += f" and {len(missing) - 5} more"
            warnings.append(PackageWarning(file_name, resource.line, "cam.file_missing",
                                           f"resource {resource.identifier!r} lists files not in the package: {shown}"))
    return tuple(warnings)


def _local_path(resource: Resource, url: str, file_name: str) -> str | None:
    try:
        return package_path(url)
    except PathOutsidePackage as error:
        raise PackageRejected(file_name, resource.line, "cam.href_outside_package",
                              f"resource {resource.identifier!r}: {error}") from None


def _exists(url: str, files: frozenset[str]) -> bool:
    # Both spellings: hrefs are URLs ("My%20File.html"), but some tools write the file name verbatim.
    candidates = {package_path(url), package_path(url, decode=False)}
    return any(candidate in files or (candidate or "").rstrip("/") in files for candidate in candidates if candidate)

