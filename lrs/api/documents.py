"""The State, Activity Profile and Agent Profile resources (Communication §2.2, 2.3, 2.6, 2.7)."""

from __future__ import annotations

from aiohttp import web

from hub.errors import HubError


class _NotYet(HubError):
    status = 501
    code = "not_implemented"


async def state(request: web.Request) -> web.Response:
    raise _NotYet("document resources are being built")


activity_profile = state
agent_profile = state
