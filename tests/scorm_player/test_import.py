"""Importing packages per tenant: SCORM 1.2, 2004, cmi5; idempotence; rejections leave nothing; the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from hub.db import Database
from hub.errors import NotFound
from hub.tables import audit_log
from hub.tenants import Tenant
from scorm_player.ops.packages import get_package, import_package, list_packages, package_uuid
from scorm_player.package.rejection import PackageRejected
from scorm_player.store.tables import scorm_package
from tests.fixtures.databases import Backend
from tests.scorm_player.helpers import (
    CMI5,
    SCORM12,
    SCORM2004,
    content_folders,
    invalid_fixtures,
    shared_fixture,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("fixture", "standard", "edition"), [
    (SCORM12, "scorm_1.2", None),
    (SCORM2004, "scorm_2004", "3rd"),
    (CMI5, "cmi5", None),
])
async def test_import_stores_the_package_and_extracts_it(
        database: Database, tenant: Tenant, tmp_path: Path,
        fixture: tuple[str, str], standard: str, edition: str | None) -> None:
    path = shared_fixture(*fixture)
    root = tmp_path / "content"
    imported = await import_package(database, tenant.id, path, content_root=root, actor="test")
    assert imported.created
    assert (imported.standard, imported.edition) == (standard, edition)
    assert imported.item_count >= 1 and imported.title
    assert imported.id == package_uuid(tenant.id, imported.content_hash)
    assert (root / imported.content_hash).is_dir()
    assert imported.report["organization"]["items"]
    assert imported.report["launch_urls"]
    orjson.dumps(imported.report)

    listed = await list_packages(database, tenant.id)
    assert [p.id for p in listed] == [imported.id]
    got = await get_package(database, tenant.id, imported.id)
    assert (got.title, got.item_count, got.report) == (imported.title, imported.item_count, imported.report)

    entries = await database.read(lambda conn: conn.execute(
        select(audit_log).where(audit_log.c.tenant_id == tenant.id, audit_log.c.action == "package.import")).all())
    assert [e.target_id for e in entries] == [imported.id]


async def test_reimport_returns_the_existing_package(database: Database, tenant: Tenant, tmp_path: Path) -> None:
    path = shared_fixture(*SCORM12)
    root = tmp_path / "content"
    first = await import_package(database, tenant.id, path, content_root=root, actor="test")
    second = await import_package(database, tenant.id, path, content_root=root, actor="test")
    assert not second.created and second.id == first.id
    assert len(await list_packages(database, tenant.id)) == 1
    assert content_folders(root) == {first.content_hash}


async def test_tenants_are_isolated(database: Database, tenant: Tenant, other_tenant: Tenant,
                                    tmp_path: Path) -> None:
    root = tmp_path / "content"
    mine = await import_package(database, tenant.id, shared_fixture(*SCORM2004), content_root=root, actor="test")
    assert await list_packages(database, other_tenant.id) == []
    with pytest.raises(NotFound):
        await get_package(database, other_tenant.id, mine.id)
    # The same file imported by another tenant is its own package, sharing the extracted content.
    theirs = await import_package(database, other_tenant.id, shared_fixture(*SCORM2004), content_root=root,
                                  actor="test")
    assert theirs.created and theirs.id != mine.id and theirs.content_hash == mine.content_hash


@pytest.mark.parametrize("name", invalid_fixtures() or ["(no shared fixtures)"])
async def test_invalid_packages_are_rejected_and_leave_nothing(
        database: Database, tenant: Tenant, tmp_path: Path, name: str) -> None:
    path = shared_fixture("invalid", name)
    root = tmp_path / "content"
    with pytest.raises(PackageRejected) as caught:
        await import_package(database, tenant.id, path, content_root=root, actor="test")
    assert caught.value.rule
    assert await list_packages(database, tenant.id) == []
    assert [p for p in content_folders(root) if not p.startswith(".")] == []
    assert content_folders(root) == set()
    rows = await database.read(lambda conn: conn.execute(
        select(scorm_package).where(scorm_package.c.tenant_id == tenant.id)).all())
    assert rows == []


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEARNHUB_CONTENT_ROOT": str(tmp_path / "content"), "LEARNHUB_LOG_JSON": "false"}
    return subprocess.run([sys.executable, "-m", "hub.cli", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


async def test_cli_imports_a_package(backend: Backend, tenant: Tenant, tmp_path: Path) -> None:
    path = shared_fixture(*SCORM12)
    result = _cli(["package", "import", "--tenant", tenant.slug, str(path), "--db", backend.url], tmp_path)
    assert result.returncode == 0, result.stderr
    packages = await list_packages(backend.database, tenant.id)
    assert len(packages) == 1
    assert packages[0].id in result.stdout
    assert packages[0].title in result.stdout
    assert "scorm_1.2" in result.stdout
    assert f"items:   {packages[0].item_count}" in result.stdout
    assert (tmp_path / "content" / packages[0].content_hash).is_dir()


async def test_cli_rejects_an_invalid_package(backend: Backend, tenant: Tenant, tmp_path: Path) -> None:
    path = shared_fixture("invalid", "moodle_invalid_no_manifest.zip")
    result = _cli(["package", "import", "--tenant", tenant.slug, str(path), "--db", backend.url], tmp_path)
    assert result.returncode != 0
    assert "rejected" in result.stderr and "[" in result.stderr and "]" in result.stderr
    assert await list_packages(backend.database, tenant.id) == []
    assert content_folders(tmp_path / "content") == set()
