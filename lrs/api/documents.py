"""The State, Activity Profile and Agent Profile resources (1.0.3 Communication §2.2–2.7; 2.0 §4.1.6)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import orjson
from aiohttp import web

from hub import clock
from hub.errors import BadRequest, MethodNotAllowed, NotFound, PreconditionFailed
from hub.keys import DB
from lrs.api.request import XAPIRequest, xapi_request
from lrs.model.agents import agent_ifi, parse_agent_param
from lrs.model.timestamps import parse_timestamp
from lrs.model.validation import is_iri
from lrs.ops import documents as ops
from lrs.ops.documents import Address, Content, EntityTags, Preconditions

ALLOWED_METHODS = "GET, HEAD, PUT, POST, DELETE"
# Any RFC 4122 layout, as the Statement resource's registration filter accepts.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
# RFC 9110 §8.3.1 media type with optional parameters; no control characters (they would reach a header).
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:\s*;[^\x00-\x1f\x7f]*)?\Z")
_CONTENT_TYPE_MAX = 255  # the document.content_type column


@dataclass(frozen=True)
class Resource:
    """What distinguishes the three document resources."""

    kind: str
    path: str
    id_param: str
    read: str
    write: str
    has_activity: bool
    has_agent: bool
    has_registration: bool = False
    # Communication §2.3.s5: only the State Resource deletes a whole context.
    multi_delete: bool = False


STATE = Resource(ops.STATE, "/activities/state", "stateId", "state:read", "state:write",
                 has_activity=True, has_agent=True, has_registration=True, multi_delete=True)
ACTIVITY_PROFILE = Resource(ops.ACTIVITY_PROFILE, "/activities/profile", "profileId", "profile:read",
                            "profile:write", has_activity=True, has_agent=False)
AGENT_PROFILE = Resource(ops.AGENT_PROFILE, "/agents/profile", "profileId", "profile:read", "profile:write",
                         has_activity=False, has_agent=True)


async def state(request: web.Request) -> web.Response:
    return await _handle(request, STATE)


async def activity_profile(request: web.Request) -> web.Response:
    return await _handle(request, ACTIVITY_PROFILE)


async def agent_profile(request: web.Request) -> web.Response:
    return await _handle(request, AGENT_PROFILE)


async def _handle(request: web.Request, resource: Resource) -> web.Response:
    xreq = xapi_request(request)
    method = xreq.method
    if method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        raise MethodNotAllowed(f"{method} is not allowed on {resource.path}", headers={"Allow": ALLOWED_METHODS})
    reading = method in ("GET", "HEAD")
    principal = xreq.require(resource.read if reading else resource.write)
    address, since = _address(xreq, resource, method)
    pre = _preconditions(xreq)
    db = request.config_dict[DB]
    if principal.gate is not None:
        await principal.gate.check_document(db, method, address)
    if reading:
        if address.document_id is None:
            listing = await ops.list_documents(db, principal, address, since)
            return _ids_response(xreq, listing)
        found = await ops.get_document(db, principal, address)
        if found is None:
            raise NotFound(f"no document with {resource.id_param} {address.document_id!r} here")
        return _document_response(xreq, found, pre)
    if method == "DELETE":
        if address.document_id is None:
            if pre.given:
                raise BadRequest("If-Match and If-None-Match apply to one document; give stateId to use them",
                                 field="If-Match" if pre.if_match is not None else "If-None-Match")
            await ops.delete_documents(db, principal, address)
        else:
            await ops.delete_document(db, principal, address, pre)
        return web.Response(status=204)
    content = await _content(xreq)
    ops.validate_content(content)
    if method == "PUT":
        await ops.put_document(db, principal, address, content, pre, xreq.version)
    else:
        await ops.post_document(db, principal, address, content, pre)
    return web.Response(status=204)


def _address(xreq: XAPIRequest, resource: Resource, method: str) -> tuple[Address, datetime | None]:
    """Validate the parameters (Communication §2.3–2.7 tables); 400 naming the first one at fault."""
    reading = method in ("GET", "HEAD")
    allowed = {resource.id_param}
    if resource.has_activity:
        allowed.add("activityId")
    if resource.has_agent:
        allowed.add("agent")
    if resource.has_registration:
        allowed.add("registration")
    if reading:
        allowed.add("since")
    unknown = sorted(set(xreq.params) - allowed)
    if unknown:
        raise BadRequest(f"unexpected parameter(s) {', '.join(unknown)} for {method} {resource.path}; "
                         f"allowed: {', '.join(sorted(allowed))}", field=unknown[0])

    activity_id = ""
    if resource.has_activity:
        activity_id = _required(xreq, "activityId")
        if not is_iri(activity_id):
            raise BadRequest(f"activityId {activity_id!r} is not an IRI", field="activityId")
    ifi = ""
    if resource.has_agent:
        ifi = agent_ifi(parse_agent_param(_required(xreq, "agent"), xreq.version))
    registration = xreq.param("registration") if resource.has_registration else None
    if registration is not None:
        if not _UUID.match(registration):
            raise BadRequest(f"registration {registration!r} is not a UUID", field="registration")
        registration = registration.lower()

    document_id = xreq.param(resource.id_param)
    if document_id is None and not (reading or (method == "DELETE" and resource.multi_delete)):
        raise BadRequest(f"{method} {resource.path} requires the {resource.id_param} parameter",
                         field=resource.id_param)
    if document_id == "":
        raise BadRequest(f"{resource.id_param} must not be empty", field=resource.id_param)

    key_parts = {resource.id_param: document_id or ""}
    if resource.has_activity:
        key_parts["activityId"] = activity_id
    if resource.has_agent:
        key_parts["agent"] = ifi
    _check_key_fits(key_parts)

    since = None
    raw_since = xreq.param("since") if reading else None
    if raw_since is not None:
        # Validated even beside a document id, where it has no effect (XAPI-00192 note).
        since = parse_timestamp(raw_since, xreq.version, "since")
    return Address(resource.kind, activity_id, ifi, registration, document_id), since


def _check_key_fits(parts: dict[str, str]) -> None:
    """The key must be storable: UTF-8 text (no lone surrogates) within the unique index's limit."""
    sizes: dict[str, int] = {}
    for name, value in parts.items():
        try:
            sizes[name] = len(value.encode("utf-8"))
        except UnicodeEncodeError:
            raise BadRequest(f"{name} contains text that is not valid Unicode (a lone surrogate)", field=name) from None
    if sum(sizes.values()) > ops.MAX_KEY_BYTES:
        longest = max(sizes, key=lambda name: sizes[name])
        raise BadRequest(f"the document's key is too long: {', '.join(sorted(sizes))} together may take at most "
                         f"{ops.MAX_KEY_BYTES} bytes of UTF-8; shorten {longest}", field=longest)


def _required(xreq: XAPIRequest, name: str) -> str:
    value = xreq.param(name)
    if value is None:
        raise BadRequest(f"the {name} parameter is required", field=name)
    return value


def _entity_tags(xreq: XAPIRequest, header: str) -> EntityTags | None:
    """Parse If-Match / If-None-Match (RFC 9110 §13.1.1, 13.1.2); unquoted tags are accepted as sent."""
    value = ",".join(xreq.headers.getall(header, [])).strip()
    if not value:
        return None
    tags: list[tuple[str, bool]] = []
    for part in value.split(","):
        part = part.strip()
        if part == "*":
            return EntityTags(any=True)
        if not part:
            continue
        weak = part.startswith(("W/", "w/"))
        if weak:
            part = part[2:]
        if len(part) >= 2 and part[0] == part[-1] == '"':
            part = part[1:-1]
        if not part or '"' in part:
            raise BadRequest(f"malformed {header} header {value!r}; expected * or quoted ETags", field=header)
        tags.append((part, weak))
    return EntityTags(tags=tuple(tags)) if tags else None


def _preconditions(xreq: XAPIRequest) -> Preconditions:
    return Preconditions(_entity_tags(xreq, "If-Match"), _entity_tags(xreq, "If-None-Match"))


async def _content(xreq: XAPIRequest) -> Content:
    content_type = xreq.headers.get("Content-Type", "").strip() or ops.DEFAULT_CONTENT_TYPE
    if len(content_type) > _CONTENT_TYPE_MAX or not _CONTENT_TYPE.match(content_type):
        raise BadRequest(f"malformed Content-Type {content_type[:100]!r}", field="Content-Type")
    return Content(content_type, await xreq.body())


def _body_for(xreq: XAPIRequest, body: bytes) -> bytes:
    # aiohttp drops the body of a real HEAD itself; a HEAD in the alternate syntax arrives as a POST.
    return b"" if xreq.method == "HEAD" and xreq.raw.method != "HEAD" else body


def _document_response(xreq: XAPIRequest, found: ops.StoredDocument, pre: Preconditions) -> web.Response:
    """The stored bytes with their Content-Type, a quoted ETag (Communication §3.1.s4) and Last-Modified (§2.2.s6)."""
    headers = {"ETag": f'"{found.etag}"', "Last-Modified": clock.us_to_http_date(found.updated_us)}
    # RFC 9110 §13.2.2: If-Match first (412), then If-None-Match (304 for GET and HEAD).
    if pre.if_match is not None and not (pre.if_match.any or pre.if_match.strong_match(found.etag)):
        raise PreconditionFailed("If-Match failed: the document has changed", field="If-Match")
    if pre.if_none_match is not None and (pre.if_none_match.any or pre.if_none_match.weak_match(found.etag)):
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = found.content_type
    return web.Response(body=_body_for(xreq, found.content), headers=headers)


def _ids_response(xreq: XAPIRequest, listing: ops.DocumentList) -> web.Response:
    """The ids as a JSON array; Last-Modified is the latest among them (Communication §2.2.s6.b2)."""
    body = orjson.dumps(listing.ids)
    headers = {"ETag": f'"{ops.etag_for(body)}"', "Content-Type": "application/json"}
    if listing.last_modified_us is not None:
        headers["Last-Modified"] = clock.us_to_http_date(listing.last_modified_us)
    return web.Response(body=_body_for(xreq, body), headers=headers)
