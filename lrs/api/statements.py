"""The Statement resource: PUT, POST, GET and HEAD (Communication §2.1)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from aiohttp import web

from hub import clock
from hub.errors import BadRequest, MethodNotAllowed
from hub.keys import DB, SECRET, SETTINGS
from lrs.api.bodies import statements_body
from lrs.api.request import XAPIRequest, xapi_request
from lrs.model.shaping import accept_languages, canonical_format, ids_format
from lrs.ops import statements as ops
from lrs.query.statements import UUID_PATTERN, FilteredQuery, SingleLookup, decode_more, encode_more, parse_params
from lrs.store.statements import StoredStatement


async def statements(request: web.Request) -> web.StreamResponse:
    xreq = xapi_request(request)
    if xreq.method in ("GET", "HEAD"):
        return await get_statements(xreq)
    if xreq.method == "POST":
        return await post_statements(xreq)
    if xreq.method == "PUT":
        return await put_statement(xreq)
    raise MethodNotAllowed(f"{xreq.method} is not allowed on /statements", headers={"Allow": "GET, HEAD, POST, PUT"})


async def post_statements(xreq: XAPIRequest) -> web.Response:
    principal = xreq.require("statements:write")
    if xreq.params:
        raise BadRequest(f"POST /statements takes no parameters (got {', '.join(sorted(xreq.params))})",
                         field=sorted(xreq.params)[0])
    settings = xreq.raw.config_dict[SETTINGS]
    body, parts = await statements_body(xreq, settings.max_body_bytes)
    batch = body if isinstance(body, list) else [body]
    if not batch:
        raise BadRequest("the batch is empty", field="statements")
    if len(batch) > settings.max_statements_per_post:
        raise BadRequest(f"a batch may hold at most {settings.max_statements_per_post} statements",
                         field="statements")
    ids = await ops.store_statements(xreq.raw.config_dict[DB], principal, batch, xreq.version, parts)
    return web.Response(body=orjson.dumps(ids), content_type="application/json")


async def put_statement(xreq: XAPIRequest) -> web.Response:
    principal = xreq.require("statements:write")
    statement_id = xreq.param("statementId")
    if statement_id is None:
        raise BadRequest("PUT /statements requires the statementId parameter", field="statementId")
    xreq.only_params("statementId")
    if not UUID_PATTERN.match(statement_id):
        raise BadRequest("statementId must be a UUID", field="statementId")
    settings = xreq.raw.config_dict[SETTINGS]
    body, parts = await statements_body(xreq, settings.max_body_bytes)
    await ops.put_statement(xreq.raw.config_dict[DB], principal, statement_id, body, xreq.version, parts)
    return web.Response(status=204)


async def get_statements(xreq: XAPIRequest) -> web.StreamResponse:
    principal = xreq.require("statements:read_mine")
    app = xreq.raw.config_dict
    settings = app[SETTINGS]
    db = app[DB]
    params = {name: xreq.param(name) or "" for name in xreq.params}
    if "more" in params:
        if len(params) > 1:
            raise BadRequest("'more' cannot be combined with other parameters", field="more")
        parsed: SingleLookup | FilteredQuery = decode_more(app[SECRET], principal.tenant_id, params["more"])
    else:
        parsed = parse_params(params, xreq.version, default_limit=settings.statements_page_limit,
                              max_limit=settings.statements_max_limit)
    languages = accept_languages(xreq.headers.get("Accept-Language"))
    if isinstance(parsed, SingleLookup):
        found = await ops.get_single(db, principal, parsed)
        body = _render(found, parsed.options.format, languages)
        headers = {"Last-Modified": clock.us_to_http_date(found.stored_us),
                   "X-Experience-API-Consistent-Through": clock.us_to_iso(clock.now_us())}
        if parsed.options.attachments:
            return await _multipart_response(xreq, body, [orjson.loads(body)], headers)
        return web.Response(body=body, content_type="application/json", headers=headers)

    page = await ops.query_statements(db, principal, parsed)
    more = ""
    if page.next_cursor is not None:
        more = "/xapi/statements?more=" + encode_more(app[SECRET], principal.tenant_id, parsed, page.next_cursor)
    rendered = [_render(s, parsed.options.format, languages) for s in page.statements]
    body = b'{"statements":[' + b",".join(rendered) + b'],"more":' + orjson.dumps(more) + b"}"
    headers = {"X-Experience-API-Consistent-Through": clock.us_to_iso(page.consistent_through_us)}
    if page.statements:
        headers["Last-Modified"] = clock.us_to_http_date(max(s.stored_us for s in page.statements))
    if parsed.options.attachments:
        return await _multipart_response(xreq, body, [orjson.loads(r) for r in rendered], headers)
    return web.Response(body=body, content_type="application/json", headers=headers)


def _render(stored: StoredStatement, fmt: str, languages: list[str]) -> bytes:
    if fmt == "exact":
        return stored.payload_json.encode()
    if fmt == "ids":
        return orjson.dumps(ids_format(stored.payload))
    return orjson.dumps(canonical_format(stored.payload, languages))


async def _multipart_response(xreq: XAPIRequest, body: bytes, payloads: list[dict[str, Any]],
                              headers: dict[str, str]) -> web.Response:
    """attachments=true: the result, then each attachment's raw bytes (Communication §2.1.3)."""
    principal = xreq.principal
    assert principal is not None
    contents = await ops.statement_attachments(xreq.raw.config_dict[DB], principal, _with_substatements(payloads))
    boundary = uuid.uuid4().hex
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), body, b"\r\n"]
    for sha2, (content_type, content) in contents.items():
        chunks += [f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                   f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode(), content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    response = web.Response(body=b"".join(chunks), headers=headers)
    response.content_type = "multipart/mixed"
    response.headers["Content-Type"] = f"multipart/mixed; boundary={boundary}"
    return response


def _with_substatements(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return payloads + [p["object"] for p in payloads if p.get("object", {}).get("objectType") == "SubStatement"]
