"""The package HTTP API: upload (multipart and raw zip), list, get, rejections, size limit, tenancy."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from hub.app import create_app
from hub.db import Database
from hub.tenants import Tenant
from lrs.ops.credentials import IssuedCredential, create_credential
from tests.fixtures.databases import Backend
from tests.fixtures.http import basic_auth, settings_for
from tests.scorm_player.helpers import (
    CMI5,
    SCORM12,
    SCORM2004,
    content_folders,
    invalid_fixtures,
    shared_fixture,
)


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    return tmp_path / "content"


async def _client(backend: Backend, content_root: Path, **settings: object) -> TestClient:
    app = create_app(settings_for(backend.url, content_root=str(content_root), **settings),
                     database=backend.database)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def api(backend: Backend, content_root: Path) -> AsyncIterator[TestClient]:
    """The whole app with a temporary content root (the shared `http` fixture uses the default one)."""
    client = await _client(backend, content_root)
    yield client
    await client.close()


@pytest.fixture
async def small_api(backend: Backend, content_root: Path) -> AsyncIterator[TestClient]:
    """The app with a 1 MiB body limit."""
    client = await _client(backend, content_root, max_body_bytes=1024 * 1024)
    yield client
    await client.close()


def auth(credential: IssuedCredential) -> dict[str, str]:
    return {"Authorization": basic_auth(credential.key, credential.secret)}


async def upload(api: TestClient, credential: IssuedCredential, path: Path) -> aiohttp.ClientResponse:
    form = aiohttp.FormData()
    form.add_field("file", path.read_bytes(), filename=path.name, content_type="application/zip")
    return await api.post("/api/v1/packages", data=form, headers=auth(credential))


@pytest.mark.parametrize("fixture", [SCORM12, SCORM2004, CMI5])
async def test_upload_list_and_get(api: TestClient, lrs_credential: IssuedCredential, content_root: Path,
                                   fixture: tuple[str, str]) -> None:
    path = shared_fixture(*fixture)
    response = await upload(api, lrs_credential, path)
    assert response.status == 201, await response.text()
    created = await response.json()
    assert created["source_name"] == path.name and created["item_count"] >= 1
    assert (content_root / created["content_hash"]).is_dir()

    again = await upload(api, lrs_credential, path)
    assert again.status == 200 and (await again.json())["id"] == created["id"]

    listed = await (await api.get("/api/v1/packages", headers=auth(lrs_credential))).json()
    assert [p["id"] for p in listed["packages"]] == [created["id"]]
    got = await api.get(f"/api/v1/packages/{created['id']}", headers=auth(lrs_credential))
    assert got.status == 200 and (await got.json()) == created


async def test_raw_zip_body(api: TestClient, lrs_credential: IssuedCredential) -> None:
    response = await api.post("/api/v1/packages", data=shared_fixture(*SCORM12).read_bytes(),
                              headers={**auth(lrs_credential), "Content-Type": "application/zip"})
    assert response.status == 201, await response.text()
    assert (await response.json())["standard"] == "scorm_1.2"


@pytest.mark.parametrize("name", invalid_fixtures() or ["(no shared fixtures)"])
async def test_rejections_are_400_with_the_error_envelope(api: TestClient, lrs_credential: IssuedCredential,
                                                          content_root: Path, name: str) -> None:
    response = await upload(api, lrs_credential, shared_fixture("invalid", name))
    assert response.status == 400
    body = await response.json()
    assert body["error"]["code"] == "package_rejected", body
    assert body["error"]["details"]["rule"]
    listed = await (await api.get("/api/v1/packages", headers=auth(lrs_credential))).json()
    assert listed["packages"] == []
    assert content_folders(content_root) == set()


async def test_oversize_upload_is_413(small_api: TestClient, lrs_credential: IssuedCredential,
                                      content_root: Path) -> None:
    big = b"PK" + b"\0" * (2 * 1024 * 1024)
    response = await small_api.post("/api/v1/packages", data=big,
                                    headers={**auth(lrs_credential), "Content-Type": "application/zip"})
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "payload_too_large"
    form = aiohttp.FormData()
    form.add_field("file", big, filename="big.zip", content_type="application/zip")
    response = await small_api.post("/api/v1/packages", data=form, headers=auth(lrs_credential))
    assert response.status == 413
    assert content_folders(content_root) == set()


async def test_authentication_is_required(api: TestClient, database: Database, tenant: Tenant) -> None:
    assert (await api.get("/api/v1/packages")).status == 401
    bad = {"Authorization": basic_auth("nobody", "wrong")}
    assert (await api.get("/api/v1/packages", headers=bad)).status == 401
    narrow = await create_credential(database, tenant.id, scopes="statements/read", label="narrow")
    assert (await api.get("/api/v1/packages", headers=auth(narrow))).status == 403


async def test_tenant_isolation(api: TestClient, lrs_credential: IssuedCredential, backend: Backend,
                                other_tenant: Tenant) -> None:
    created = await (await upload(api, lrs_credential, shared_fixture(*SCORM2004))).json()
    other = await create_credential(backend.database, other_tenant.id, scopes="all", label="other")
    listed = await (await api.get("/api/v1/packages", headers=auth(other))).json()
    assert listed["packages"] == []
    response = await api.get(f"/api/v1/packages/{created['id']}", headers=auth(other))
    assert response.status == 404
