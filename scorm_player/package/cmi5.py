"""cmi5 course structures (cmi5.xml): CourseStructure.xsd validation plus the import rules of CATAPULT LTS 201–210."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Iterator, Mapping
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from scorm_player.package.attributes import element_text
from scorm_player.package.launch_url import PathOutsidePackage, package_path
from scorm_player.package.rejection import PackageRejected, PackageWarning
from scorm_player.package.safe_xml import parse_untrusted_xml

__all__ = [
    "AssignableUnit",
    "Block",
    "CMI5_NAMESPACE",
    "CourseObjective",
    "CourseStructure",
    "LAUNCH_PARAMETER_NAMES",
    "LTS_CASE_RULES",
    "LangString",
    "LaunchMethod",
    "MoveOn",
    "is_absolute_iri",
    "parse_course_structure",
]

CMI5_NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
_CS = f"{{{CMI5_NAMESPACE}}}"
_SCHEMA_PATH = Path(__file__).parent / "schemas" / "CourseStructure.xsd"
# cmi5 §8.1: the LMS appends these to the AU URL, so the AU's own query string must not use them (8.1.0.0-6).
LAUNCH_PARAMETER_NAMES = ("endpoint", "fetch", "actor", "registration", "activityId")
_LAUNCHABLE_SCHEMES = frozenset({"http", "https"})
_SCHEMES_WITH_HOST = frozenset({"http", "https", "ftp", "ws", "wss"})
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# Characters RFC 1738 §2.2 calls unsafe (and RFC 3986 does not allow unencoded), plus whitespace and controls.
_UNSAFE_URL_CHARACTERS = re.compile(r"[\s\x00-\x1f\x7f<>\"{}|\\^`]")
_BAD_PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

# Which rule each CATAPULT LMS Test Suite import case exercises (lts/procedure.md, "Package Import Verification").
LTS_CASE_RULES: Mapping[str, str] = {
    "201": "cmi5.iri",  # 3.0.0.0-1 course, block, AU or objective id not an absolute IRI
    "202": "cmi5.relative_url_without_zip",  # 14.2.0.0-1
    "203": "cmi5.url_file_missing",  # 14.1.0.0-4
    "204": "cmi5.launch_parameter_in_url",  # 8.1.0.0-6
    "205": "cmi5.duplicate_id",  # 13.1.2.0-1 / 13.1.3.0-1 / 13.1.4.0-1
    "206": "cmi5.invalid_url",  # 13.1.4.0-2
    "207": "cmi5.schema",  # 13.2.0.0-1
    "208": "package.unsupported_type",  # 14.0.0.0-1
    "209": "zip.not_a_zip",  # 14.1.0.0-1
    "210": "package.no_manifest",  # 14.1.0.0-2
}


class MoveOn(StrEnum):
    PASSED = "Passed"
    COMPLETED = "Completed"
    COMPLETED_AND_PASSED = "CompletedAndPassed"
    COMPLETED_OR_PASSED = "CompletedOrPassed"
    NOT_APPLICABLE = "NotApplicable"


class LaunchMethod(StrEnum):
    ANY_WINDOW = "AnyWindow"
    OWN_WINDOW = "OwnWindow"


@dataclass(frozen=True)
class LangString:
    text: str
    lang: str | None = None


def _first_text(strings: tuple[LangString, ...], fallback: str) -> str:
    return strings[0].text if strings else fallback


@dataclass(frozen=True)
class CourseObjective:
    id: str
    title: tuple[LangString, ...]
    description: tuple[LangString, ...]
    line: int


@dataclass(frozen=True)
class AssignableUnit:
    id: str  # the publisher's id; the LMS mints its own activity id per AU at launch
    title: tuple[LangString, ...]
    description: tuple[LangString, ...]
    url: str
    line: int
    move_on: MoveOn = MoveOn.NOT_APPLICABLE
    mastery_score: float | None = None
    launch_method: LaunchMethod = LaunchMethod.ANY_WINDOW
    activity_type: str | None = None
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    objective_ids: tuple[str, ...] = ()

    @property
    def is_relative_url(self) -> bool:
        return not _SCHEME.match(self.url)

    @property
    def display_title(self) -> str:
        return _first_text(self.title, self.id)


@dataclass(frozen=True)
class Block:
    id: str
    title: tuple[LangString, ...]
    description: tuple[LangString, ...]
    line: int
    children: tuple[Block | AssignableUnit, ...]
    objective_ids: tuple[str, ...] = ()

    def walk(self) -> Iterator[Block | AssignableUnit]:
        for child in self.children:
            yield child
            if isinstance(child, Block):
                yield from child.walk()


@dataclass(frozen=True)
class CourseStructure:
    course_id: str
    title: tuple[LangString, ...]
    description: tuple[LangString, ...]
    line: int
    objectives: tuple[CourseObjective, ...]
    children: tuple[Block | AssignableUnit, ...]
    warnings: tuple[PackageWarning, ...] = ()

    def walk(self) -> Iterator[Block | AssignableUnit]:
        """Blocks and AUs, depth first, in document order."""
        for child in self.children:
            yield child
            if isinstance(child, Block):
                yield from child.walk()

    def aus(self) -> tuple[AssignableUnit, ...]:
        return tuple(node for node in self.walk() if isinstance(node, AssignableUnit))

    def blocks(self) -> tuple[Block, ...]:
        return tuple(node for node in self.walk() if isinstance(node, Block))

    @property
    def display_title(self) -> str:
        return _first_text(self.title, self.course_id)


@cache
def _course_structure_schema() -> etree.XMLSchema:
    # Our own shipped file, but parsed without network or DTD access all the same.
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(_SCHEMA_PATH), parser))


def _validate_schema(tree: etree._ElementTree, file_name: str) -> None:
    schema = _course_structure_schema()
    if schema.validate(tree):
        return
    error = schema.error_log[0]
    message = error.message.replace(_CS, "")
    # cmi5 13.2.0.0-1 (CATAPULT LTS 207)
    raise PackageRejected(file_name, error.line, "cmi5.schema", f"not a valid cmi5 course structure: {message}")


def is_absolute_iri(value: str) -> bool:
    """cmi5 3.0.0.0-1: fully qualified IRIs only (a scheme, no spaces, a host for http-like schemes)."""
    if not _SCHEME.match(value) or _UNSAFE_URL_CHARACTERS.search(value) or _BAD_PERCENT_ESCAPE.search(value):
        return False
    scheme, _, rest = value.partition(":")
    if not rest:
        return False
    if scheme.lower() in _SCHEMES_WITH_HOST:
        return rest.startswith("//") and bool(urlsplit(value).hostname)
    return True


@dataclass
class _StructureReader:
    file_name: str
    objective_ids: set[str]
    block_ids: set[str]
    au_ids: set[str]

    def reject(self, element: etree._Element, rule: str, message: str) -> PackageRejected:
        return PackageRejected(self.file_name, element.sourceline, rule, message)

    def identifier(self, element: etree._Element, kind: str, seen: set[str], requirement: str) -> str:
        # 13.1.0.0-1: leading and trailing whitespace is removed on import.
        value = (element.get("id") or "").strip()
        if not is_absolute_iri(value):
            raise self.reject(element, "cmi5.iri", f"{kind} id {value!r} is not an absolute IRI (cmi5 3.0.0.0-1)")
        if value in seen:
            raise self.reject(element, "cmi5.duplicate_id", f"{kind} id {value!r} is used twice (cmi5 {requirement})")
        seen.add(value)
        return value

    def objective_references(self, element: etree._Element) -> tuple[str, ...]:
        container = element.find(f"{_CS}objectives")
        if container is None:
            return ()
        references = []
        for reference in container.findall(f"{_CS}objective"):
            idref = (reference.get("idref") or "").strip()
            if not is_absolute_iri(idref):
                raise self.reject(reference, "cmi5.iri", f"objective idref {idref!r} is not an absolute IRI "
                                                         "(cmi5 3.0.0.0-1)")
            if idref not in self.objective_ids:
                raise self.reject(reference, "cmi5.objective_reference",
                                  f"objective idref {idref!r} names no objective of the course")
            references.append(idref)
        return tuple(references)


def _lang_strings(element: etree._Element | None) -> tuple[LangString, ...]:
    if element is None:
        return ()
    return tuple(LangString(" ".join((element_text(string) or "").split()), string.get("lang"))
                 for string in element.findall(f"{_CS}langstring"))


def _read_objectives(root: etree._Element, reader: _StructureReader) -> tuple[CourseObjective, ...]:
    container = root.find(f"{_CS}objectives")
    if container is None:
        return ()
    return tuple(
        CourseObjective(
            id=reader.identifier(objective, "objective", reader.objective_ids, "13.1.3.0-1"),
            title=_lang_strings(objective.find(f"{_CS}title")),
            description=_lang_strings(objective.find(f"{_CS}description")),
            line=objective.sourceline,
        )
        for objective in container.findall(f"{_CS}objective")
    )


def _read_children(parent: etree._Element, reader: _StructureReader) -> tuple[Block | AssignableUnit, ...]:
    children: list[Block | AssignableUnit] = []
    for element in parent:
        if element.tag == f"{_CS}au":
            children.append(_read_au(element, reader))
        elif element.tag == f"{_CS}block":
            block_id = reader.identifier(element, "block", reader.block_ids, "13.1.2.0-1")
            children.append(Block(
                id=block_id,
                title=_lang_strings(element.find(f"{_CS}title")),
                description=_lang_strings(element.find(f"{_CS}description")),
                line=element.sourceline,
                objective_ids=reader.objective_references(element),
                children=_read_children(element, reader),
            ))
    return tuple(children)


def _read_au(element: etree._Element, reader: _StructureReader) -> AssignableUnit:
    au_id = reader.identifier(element, "AU", reader.au_ids, "13.1.4.0-1")
    mastery_score = element.get("masteryScore")
    return AssignableUnit(
        id=au_id,
        title=_lang_strings(element.find(f"{_CS}title")),
        description=_lang_strings(element.find(f"{_CS}description")),
        url=element_text(element.find(f"{_CS}url")) or "",
        line=element.find(f"{_CS}url").sourceline or element.sourceline,
        # The XSD already limited these attributes to their vocabularies and masteryScore to 0–1.
        move_on=MoveOn((element.get("moveOn") or MoveOn.NOT_APPLICABLE).strip()),
        mastery_score=float(mastery_score) if mastery_score is not None else None,
        launch_method=LaunchMethod((element.get("launchMethod") or LaunchMethod.ANY_WINDOW).strip()),
        activity_type=(element.get("activityType") or "").strip() or None,
        launch_parameters=element_text(element.find(f"{_CS}launchParameters")),
        entitlement_key=element_text(element.find(f"{_CS}entitlementKey")),
        objective_ids=reader.objective_references(element),
    )


def _check_au_url(au: AssignableUnit, file_name: str, package_files: frozenset[str] | None) -> None:
    """The per-AU URL checks, in CATAPULT's order: 206, 204, 202, 203."""
    def reject(rule: str, message: str) -> PackageRejected:
        return PackageRejected(file_name, au.line, rule, message)

    url = au.url
    if not url or _UNSAFE_URL_CHARACTERS.search(url) or _BAD_PERCENT_ESCAPE.search(url):
        raise reject("cmi5.invalid_url", f"AU {au.id!r} url {url!r} is not a valid URL (cmi5 13.1.4.0-2)")
    try:
        split = urlsplit(url)
        split.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as error:
        raise reject("cmi5.invalid_url", f"AU {au.id!r} url {url!r} is not a valid URL ({error})") from None
    if not au.is_relative_url:
        if split.scheme.lower() not in _LAUNCHABLE_SCHEMES:
            raise reject("cmi5.invalid_url", f"AU {au.id!r} url {url!r}: only http and https AUs can be launched")
        if not split.hostname:
            raise reject("cmi5.invalid_url", f"AU {au.id!r} url {url!r} has no host (cmi5 13.1.4.0-2)")
    clashes = [name for name, _ in parse_qsl(split.query, keep_blank_values=True) if name in LAUNCH_PARAMETER_NAMES]
    if clashes:
        raise reject("cmi5.launch_parameter_in_url",
                     f"AU {au.id!r} url query uses the launch parameter {clashes[0]!r} (cmi5 8.1.0.0-6)")
    if not au.is_relative_url:
        return
    if package_files is None:
        raise reject("cmi5.relative_url_without_zip",
                     f"AU {au.id!r} url {url!r} is relative, which needs a zip package (cmi5 14.2.0.0-1)")
    try:
        path = package_path(url)
    except PathOutsidePackage as error:
        raise reject("cmi5.url_file_missing", f"AU {au.id!r}: {error} (cmi5 14.1.0.0-4)") from None
    if not path or (path not in package_files and package_path(url, decode=False) not in package_files):
        raise reject("cmi5.url_file_missing",
                     f"AU {au.id!r} url {url!r} names no file in the package (cmi5 14.1.0.0-4)")


def parse_course_structure(data: bytes, *, file_name: str = "cmi5.xml",
                           package_files: frozenset[str] | None = None) -> CourseStructure:
    """Parse and check a cmi5.xml; `package_files` is the zip's file list, or None for a standalone XML import."""
    tree = parse_untrusted_xml(data, file_name=file_name)
    _validate_schema(tree, file_name)
    root = tree.getroot()
    course = root.find(f"{_CS}course")
    reader = _StructureReader(file_name, set(), set(), set())
    course_id = reader.identifier(course, "course", set(), "3.0.0.0-1")
    objectives = _read_objectives(root, reader)
    structure = CourseStructure(
        course_id=course_id,
        title=_lang_strings(course.find(f"{_CS}title")),
        description=_lang_strings(course.find(f"{_CS}description")),
        line=course.sourceline,
        objectives=objectives,
        children=_read_children(root, reader),
    )
    for au in structure.aus():
        _check_au_url(au, file_name, package_files)
    return structure
