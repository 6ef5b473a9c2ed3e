"""The About, Activities and Agents resources (Communication §2.4, §2.5, §2.8)."""

from __future__ import annotations

from aiohttp import web

from hub.errors import BadRequest, MethodNotAllowed
from hub.keys import DB
from hub.middleware import json_response
from lrs.api.request import xapi_request
from lrs.model.agents import parse_agent_param
from lrs.model.versions import SUPPORTED, V1_FAMILY
from lrs.ops import activities as activity_ops


def _only_get(method: str, resource: str) -> None:
    if method not in ("GET", "HEAD"):
        raise MethodNotAllowed(f"{method} is not allowed on {resource}", headers={"Allow": "GET, HEAD"})


async def about(request: web.Request) -> web.Response:
    xreq = xapi_request(request)
    _only_get(xreq.method, "/about")
    # A 1.0.x client is shown the 1.0.x versions only: 1.0 client libraries reject unknown versions.
    versions = list(SUPPORTED) if xreq.v2 else V1_FAMILY
    return json_response({"version": versions, "extensions": {
        "https://learnhub.local/xapi/extensions/product": {"name": "learnhub", "multi-tenant": True}}})


async def activities(request: web.Request) -> web.Response:
    xreq = xapi_request(request)
    _only_get(xreq.method, "/activities")
    principal = xreq.require("definitions:read")
    activity_id = xreq.param("activityId")
    if activity_id is None:
        raise BadRequest("activityId is required", field="activityId")
    xreq.only_params("activityId")
    activity = await activity_ops.get_activity(request.config_dict[DB], principal, activity_id)
    return json_response(activity)


async def agents(request: web.Request) -> web.Response:
    xreq = xapi_request(request)
    _only_get(xreq.method, "/agents")
    xreq.require("definitions:read")
    raw_agent = xreq.param("agent")
    if raw_agent is None:
        raise BadRequest("agent is required", field="agent")
    xreq.only_params("agent")
    agent = parse_agent_param(raw_agent, xreq.version)
    return json_response(activity_ops.person_for(agent))
