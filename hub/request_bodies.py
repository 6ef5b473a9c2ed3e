"""JSON request bodies of the hub's own JSON API (not xAPI, whose bodies lrs/api/bodies.py reads)."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from hub.errors import BadRequest, UnsupportedMediaType


async def json_object(request: web.Request, *, any_content_type: bool = False) -> dict[str, Any]:
    """The body as a JSON object; 415 unless it is sent as application/json, 400 when it is not one.

    `any_content_type` is for navigator.sendBeacon, which posts text/plain; there an empty body is `{}`.
    """
    if not any_content_type and request.content_type != "application/json":
        raise UnsupportedMediaType("send JSON (Content-Type: application/json)")
    raw = await request.read()
    if not raw and any_content_type:
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}", field="body") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", field="body")
    return body
