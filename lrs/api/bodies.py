"""Request bodies of the Statement resource: JSON, or multipart/mixed with attachment parts."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from aiohttp import BodyPartReader, MultipartReader

from hub.errors import BadRequest, PayloadTooLarge
from lrs.api.request import XAPIRequest

HASHES_BY_LENGTH = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


def parse_json(body: bytes, field: str = "body") -> Any:
    if not body:
        raise BadRequest("the request body is empty", field=field)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc}", field=field) from None


async def statements_body(xreq: XAPIRequest, max_bytes: int) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """The statement(s) and any attachment parts (sha2 -> (content type, content))."""
    content_type = xreq.content_type
    if content_type == "application/json" or (xreq.alternate and content_type in ("", "application/json")):
        return parse_json(await xreq.body()), {}
    if content_type == "multipart/mixed" and not xreq.alternate:
        return await _multipart(xreq, max_bytes)
    raise BadRequest(f"Content-Type must be application/json or multipart/mixed, not {content_type or 'absent'!r}",
                     field="Content-Type")


async def _multipart(xreq: XAPIRequest, max_bytes: int) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    if "boundary=" not in xreq.headers.get("Content-Type", ""):
        raise BadRequest("multipart/mixed needs a boundary parameter in Content-Type", field="Content-Type")
    reader = MultipartReader(xreq.raw.headers, xreq.raw.content)
    total = 0
    statements: Any = None
    parts: dict[str, tuple[str, bytes]] = {}
    index = 0
    try:
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise BadRequest("nested multipart bodies are not supported", field="body")
            content = await part.read(decode=False)
            total += len(content)
            if total > max_bytes:
                raise PayloadTooLarge(f"request body exceeds {max_bytes} bytes")
            part_type = part.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
            if index == 0:
                # Communication §1.5.2: the first part holds the statement(s) as application/json.
                if part_type != "application/json":
                    raise BadRequest("the first part of a multipart/mixed request must be application/json",
                                     field="Content-Type")
                statements = parse_json(bytes(content), field="statements")
            else:
                sha2 = part.headers.get("X-Experience-API-Hash")
                if not sha2:
                    raise BadRequest(f"attachment part {index} has no X-Experience-API-Hash header",
                                     field="X-Experience-API-Hash")
                encoding = part.headers.get("Content-Transfer-Encoding")
                if encoding is not None and encoding.lower() != "binary":
                    raise BadRequest(f"attachment part {index} must use Content-Transfer-Encoding: binary",
                                     field="Content-Transfer-Encoding")
                digest = HASHES_BY_LENGTH.get(len(sha2))
                if digest is None or digest(bytes(content)).hexdigest() != sha2.lower():
                    raise BadRequest(f"attachment part {index} does not match its X-Experience-API-Hash",
                                     field="X-Experience-API-Hash")
                parts[sha2] = (part_type or "application/octet-stream", bytes(content))
            index += 1
    except (ValueError, AssertionError, RuntimeError) as exc:
        raise BadRequest(f"malformed multipart/mixed body: {exc}", field="body") from None
    if statements is None:
        raise BadRequest("the multipart/mixed body has no statement part", field="body")
    return statements, parts
