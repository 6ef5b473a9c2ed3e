"""The package API on /api/v1/: upload, list and get packages (LRS credentials or a signed-in L&D admin)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, BinaryIO

from aiohttp import BodyPartReader, web

from hub.errors import BadRequest, Forbidden, PayloadTooLarge, UnsupportedMediaType
from hub.keys import DB, SETTINGS, SIBLINGS
from hub.middleware import json_response
from lrs.ops.credentials import Authenticator
from lrs.scopes import ALL
from provisioning.api.auth import require
from provisioning.roles import Permission
from scorm_player.ops import packages

AUTHENTICATOR = web.AppKey("scorm_api_authenticator", Authenticator)
_CHUNK = 256 * 1024
_ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")


def setup_routes(api: web.Application, parent: web.Application) -> None:
    """Add the package routes to the shared /api/v1/ sub-application."""
    settings = parent[SETTINGS]

    async def authenticator_ctx(app: web.Application) -> AsyncIterator[None]:
        app[AUTHENTICATOR] = Authenticator(parent[DB], ttl=settings.auth_cache_seconds,
                                           revocations=parent[SIBLINGS].revocations)
        yield

    api.cleanup_ctx.append(authenticator_ctx)
    api.router.add_post("/packages", upload_package)
    api.router.add_get("/packages", list_packages)
    api.router.add_get("/packages/{package_id}", get_package)


@dataclass(frozen=True)
class Caller:
    tenant_id: int
    actor: str


async def authenticate(request: web.Request) -> Caller:
    """An LRS credential with scope `all` (HTTP Basic), or a signed-in person who may manage packages."""
    if request.headers.get("Authorization"):
        principal = await request.app[AUTHENTICATOR].authenticate_header(request.headers.get("Authorization"),
                                                                         realm="learnhub")
        if ALL not in principal.scopes:
            raise Forbidden("the package API requires a credential with scope 'all'")
        return Caller(principal.tenant_id, f"lrs-key:{principal.key}")
    person = await require(request, Permission.PACKAGES_MANAGE)
    return Caller(person.tenant_id, person.actor)


def _content_root(request: web.Request) -> Path:
    return Path(request.config_dict[SETTINGS].content_root)


async def _copy(read_chunk: BodyPartReader | web.Request, out: BinaryIO, limit: int) -> int:
    total = 0
    while True:
        if isinstance(read_chunk, BodyPartReader):
            chunk = await read_chunk.read_chunk(_CHUNK)
        else:
            chunk = await read_chunk.content.read(_CHUNK)
        if not chunk:
            return total
        total += len(chunk)
        if total > limit:
            raise PayloadTooLarge(f"the upload exceeds the {limit} byte limit")
        out.write(chunk)


async def _receive(request: web.Request, out: BinaryIO) -> str:
    """Write the uploaded file to `out`; return its file name."""
    limit = request.config_dict[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the upload exceeds the {limit} byte limit")
    content_type = request.content_type
    if content_type == "multipart/form-data":
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                raise BadRequest("multipart upload without a 'file' field", field="file")
            if isinstance(part, BodyPartReader) and part.name == "file":
                await _copy(part, out, limit)
                return os.path.basename(part.filename or "upload.zip") or "upload.zip"
            if isinstance(part, BodyPartReader):
                await part.release()
    if content_type in _ZIP_TYPES:
        await _copy(request, out, limit)
        return "upload.zip"
    raise UnsupportedMediaType("upload a package as multipart/form-data (field 'file') or application/zip")


async def upload_package(request: web.Request) -> web.Response:
    principal = await authenticate(request)
    with tempfile.TemporaryDirectory(prefix="learnhub-upload-") as folder:
        handle = open(Path(folder) / "upload.bin", "wb")  # noqa: SIM115 - closed before inspection
        try:
            name = await _receive(request, handle)
        finally:
            handle.close()
        path = Path(folder) / name
        os.replace(Path(folder) / "upload.bin", path)
        imported = await packages.import_package(request.config_dict[DB], principal.tenant_id, path,
                                                 content_root=_content_root(request),
                                                 actor=principal.actor)
    return json_response(imported.as_json(), status=201 if imported.created else 200)


async def list_packages(request: web.Request) -> web.Response:
    principal = await authenticate(request)
    found = await packages.list_packages(request.config_dict[DB], principal.tenant_id)
    return json_response({"packages": [p.as_json() for p in found]})


async def get_package(request: web.Request) -> web.Response:
    principal = await authenticate(request)
    found = await packages.get_package(request.config_dict[DB], principal.tenant_id,
                                       request.match_info["package_id"])
    return json_response(found.as_json())
