"""A playable course: an imported SCORM package's activity tree read back from its extracted manifest."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

from hub.errors import BadRequest, NotFound
from scorm_player.package.manifest import Item, Package, parse_manifest
from scorm_player.package.standards import Standard
from scorm_player.runtime.rules import ScormVersion
from scorm_player.sequencing import ActivityTree, build_activity_tree

__all__ = ["Course", "CourseActivity", "load_course"]


@dataclass(frozen=True)
class CourseActivity:
    """One node of the organization: a cluster, a SCO or an asset."""

    identifier: str
    title: str
    parent: str | None
    depth: int  # 0 for the organization's top-level items
    children: tuple[str, ...]
    launch_url: str | None  # relative to the package's content base, parameters joined in; None for clusters
    scorm_type: str | None  # "sco", "asset" or None
    is_visible: bool
    hide_lms_ui: frozenset[str]
    item: Item

    @property
    def is_sco(self) -> bool:
        return self.scorm_type == "sco"


@dataclass(frozen=True)
class Course:
    """What the player needs from a package: version, tree, launch URLs and (2004) the sequencing tree."""

    package_pk: int
    package_id: str
    title: str
    version: ScormVersion
    edition: str | None
    content_base: str
    organization: str
    activities: Mapping[str, CourseActivity]  # preorder, without the organization itself
    tree: ActivityTree | None  # SCORM 2004: the sequencing engine's tree
    shared_data_global_to_system: bool = True  # adl.data buckets shared across courses (4th Ed CAM)

    def activity(self, identifier: str) -> CourseActivity:
        found = self.activities.get(identifier)
        if found is None:
            raise NotFound(f"the course has no activity {identifier!r}", field="activity_id")
        return found

    @property
    def launchable(self) -> list[str]:
        return [identifier for identifier, activity in self.activities.items() if activity.launch_url is not None]

    @property
    def scos(self) -> list[str]:
        return [identifier for identifier in self.launchable if self.activities[identifier].is_sco]

    def content_url(self, identifier: str) -> str:
        """The URL the player frames: /content/<package>/<path> on our origin, or the absolute launch URL."""
        launch_url = self.activity(identifier).launch_url
        assert launch_url is not None
        if launch_url.lower().startswith(("http://", "https://")):
            return launch_url
        return f"/content/{self.package_id}/{quote(self.content_base, safe='/')}{_quote_path(launch_url)}"


def _quote_path(url: str) -> str:
    path, separator, query = url.partition("?")
    return quote(path, safe="/%") + separator + query


def load_course(content_root: Path, package: Mapping[str, Any]) -> Course:
    """The course for a package row (store.packages shape plus "pk"); the parsed manifest is cached per content hash."""
    standard = package["standard"]
    if standard not in (Standard.SCORM_12, Standard.SCORM_2004):
        raise BadRequest(f"{standard} packages are not played by the SCORM player", field="package")
    report = package["report"]
    return _load(str(Path(content_root) / package["content_hash"] / report["descriptor_path"]), package["pk"],
                 package["id"], package["title"], standard, package.get("edition"), report.get("content_base", ""))


@lru_cache(maxsize=256)
def _load(manifest_path: str, package_pk: int, package_id: str, title: str, standard: str, edition: str | None,
          content_base: str) -> Course:
    # Content folders are immutable (named by content hash), so a course is built once per process.
    parsed = _parse(manifest_path)
    version: ScormVersion = "1.2" if standard == Standard.SCORM_12 else "2004"
    activities: dict[str, CourseActivity] = {}
    for item in parsed.organization.items:
        _add(item, None, 0, activities)
    tree = build_activity_tree(parsed) if version == "2004" else None
    return Course(package_pk=package_pk, package_id=package_id, title=title, version=version, edition=edition,
                  content_base=content_base, organization=parsed.organization.identifier, activities=activities,
                  tree=tree, shared_data_global_to_system=parsed.organization.shared_data_global_to_system)


def _parse(manifest_path: str) -> Package:
    path = Path(manifest_path)
    if not path.is_file():
        raise NotFound("the package content is missing on this server; import the package again")
    return parse_manifest(path.read_bytes(), file_name=path.name)


def _add(item: Item, parent: str | None, depth: int, activities: dict[str, CourseActivity]) -> None:
    activities[item.identifier] = CourseActivity(
        identifier=item.identifier, title=item.title, parent=parent, depth=depth,
        children=tuple(child.identifier for child in item.children), launch_url=item.launch_url,
        scorm_type=str(item.scorm_type) if item.scorm_type is not None else None, is_visible=item.is_visible,
        hide_lms_ui=item.hide_lms_ui, item=item)
    for child in item.children:
        _add(child, item.identifier, depth + 1, activities)
