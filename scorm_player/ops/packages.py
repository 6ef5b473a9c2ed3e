"""Import a SCORM/cmi5 upload for a tenant: inspect, extract by content hash, record, audit."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from hub import audit
from hub.db import Database
from hub.errors import NotFound
from scorm_player.package.archive import ArchiveLimits, extract_archive, keep_descriptor
from scorm_player.package.cmi5 import AssignableUnit, Block
from scorm_player.package.inspect import PackageReport, inspect_package
from scorm_player.package.manifest import Item
from scorm_player.store import packages as store

__all__ = ["ImportedPackage", "get_package", "import_package", "list_packages", "package_uuid", "summarize"]

# Namespace for package ids: uuid5(NAMESPACE, f"{tenant_id}:{content_hash}").
PACKAGE_NAMESPACE = uuid.UUID("6f1c3a52-8a4e-5b8e-9d0c-2f61f3c9a7b4")


@dataclass(frozen=True)
class ImportedPackage:
    id: str
    title: str
    standard: str
    edition: str | None
    content_hash: str
    source_name: str
    item_count: int
    report: dict[str, Any]
    created: bool  # False when the same file had already been imported by this tenant
    created_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "standard": self.standard, "edition": self.edition,
                "content_hash": self.content_hash, "source_name": self.source_name,
                "item_count": self.item_count, "created_at": self.created_at, "report": self.report}


def package_uuid(tenant_id: int, content_hash: str) -> str:
    return str(uuid.uuid5(PACKAGE_NAMESPACE, f"{tenant_id}:{content_hash}"))


def _scorm_item(item: Item) -> dict[str, Any]:
    return {"identifier": item.identifier, "title": item.title, "launch_url": item.launch_url,
            "scorm_type": str(item.scorm_type) if item.scorm_type is not None else None,
            "children": [_scorm_item(child) for child in item.children]}


def _cmi5_node(node: Block | AssignableUnit) -> dict[str, Any]:
    title = node.title[0].text if node.title else node.id
    if isinstance(node, AssignableUnit):
        return {"identifier": node.id, "title": node.display_title, "launch_url": node.url, "type": "au",
                "children": []}
    return {"identifier": node.id, "title": title, "launch_url": None, "type": "block",
            "children": [_cmi5_node(child) for child in node.children]}


def summarize(report: PackageReport) -> dict[str, Any]:
    """A JSON-serialisable summary of an inspection report, stored with the package."""
    organization: dict[str, Any] | None = None
    if report.scorm is not None:
        org = report.scorm.organization
        organization = {"identifier": org.identifier, "title": org.title,
                        "items": [_scorm_item(item) for item in org.items]}
    elif report.cmi5 is not None:
        organization = {"identifier": report.cmi5.course_id, "title": report.cmi5.display_title,
                        "items": [_cmi5_node(node) for node in report.cmi5.children]}
    return {
        "standard": str(report.standard), "edition": str(report.edition) if report.edition else None,
        "title": report.title, "descriptor_path": report.descriptor_path, "content_base": report.content_base,
        "is_zip": report.is_zip, "file_count": report.file_count, "total_bytes": report.total_bytes,
        "launch_urls": list(report.launch_urls), "organization": organization,
        "warnings": [{"file": w.file, "line": w.line, "rule": w.rule, "message": w.message}
                     for w in report.warnings],
    }


def _from_row(row: dict[str, Any], *, created: bool) -> ImportedPackage:
    return ImportedPackage(id=row["id"], title=row["title"], standard=row["standard"], edition=row["edition"],
                           content_hash=row["content_hash"], source_name=row["source_name"],
                           item_count=row["item_count"], report=row["report"], created=created,
                           created_at=row["created_at"])


async def import_package(db: Database, tenant_id: int, path: Path, *, content_root: Path, actor: str,
                         limits: ArchiveLimits = ArchiveLimits(), source_name: str | None = None
                         ) -> ImportedPackage:
    """Inspect, extract into content_root/<content_hash>/, record the package; idempotent per tenant.

    A rejection raises PackageRejected and leaves nothing behind: no row, no new extracted folder.
    """
    report = await asyncio.to_thread(inspect_package, path, limits=limits)
    name = source_name or report.source_name
    package_id = package_uuid(tenant_id, report.content_hash)
    new_folder: Path | None = None
    if report.is_zip:
        extracted = await asyncio.to_thread(extract_archive, path, content_root, limits=limits)
        if extracted.created:
            new_folder = extracted.folder
    else:
        # A standalone cmi5.xml is kept too: launching its AUs (absolute URLs) needs the structure again.
        folder, created = await asyncio.to_thread(keep_descriptor, path, content_root, report.content_hash)
        if created:
            new_folder = folder
    summary = summarize(report)

    def run(conn: Connection) -> ImportedPackage:
        existing = store.find_by_hash(conn, tenant_id, report.content_hash)
        if existing is not None:
            return _from_row(existing, created=False)
        store.insert_package(conn, tenant_id, package_id=package_id, title=report.title,
                             standard=str(report.standard),
                             edition=str(report.edition) if report.edition else None,
                             content_hash=report.content_hash, source_name=name,
                             item_count=report.item_count, report=summary)
        audit.record(conn, tenant_id, actor, "package.import", "package", package_id,
                     {"title": report.title, "standard": str(report.standard),
                      "content_hash": report.content_hash, "source_name": name})
        row = store.get_package(conn, tenant_id, package_id)
        assert row is not None
        return _from_row(row, created=True)

    try:
        return await db.transaction(run)
    except IntegrityError:
        # A concurrent import of the same file by this tenant won the race: return its row.
        found = await db.read(lambda conn: store.find_by_hash(conn, tenant_id, report.content_hash))
        if found is None:
            raise
        return _from_row(found, created=False)
    except BaseException:
        if new_folder is not None:
            shutil.rmtree(new_folder, ignore_errors=True)
        raise


async def list_packages(db: Database, tenant_id: int) -> list[ImportedPackage]:
    rows = await db.read(lambda conn: store.list_packages(conn, tenant_id))
    return [_from_row(row, created=False) for row in rows]


async def get_package(db: Database, tenant_id: int, package_id: str) -> ImportedPackage:
    row = await db.read(lambda conn: store.get_package(conn, tenant_id, package_id))
    if row is None:
        raise NotFound(f"no package {package_id}")
    return _from_row(row, created=False)
