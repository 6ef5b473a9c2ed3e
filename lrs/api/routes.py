"""Every xAPI route, wired in one place, on a sub-application mounted at /xapi/."""

from __future__ import annotations

from typing import AsyncIterator

from aiohttp import web

from hub.keys import DB, SETTINGS, SIBLINGS
from lrs.api import documents, resources, statements
from lrs.api.keys import AUTHENTICATOR, CREDENTIAL_KINDS
from lrs.api.middleware import xapi_middleware
from lrs.ops.credentials import Authenticator


def create_xapi_app(parent: web.Application) -> web.Application:
    app = web.Application(middlewares=[xapi_middleware], client_max_size=parent[SETTINGS].max_body_bytes)

    async def authenticator_ctx(app: web.Application) -> AsyncIterator[None]:
        app[AUTHENTICATOR] = Authenticator(parent[DB], ttl=parent[SETTINGS].auth_cache_seconds,
                                           kinds=parent.get(CREDENTIAL_KINDS),
                                           revocations=parent[SIBLINGS].revocations)
        yield

    app.cleanup_ctx.append(authenticator_ctx)
    # Each resource dispatches on the method after the alternate request syntax is unfolded.
    for path, handler in (
        ("/statements", statements.statements),
        ("/activities/state", documents.state),
        ("/activities/profile", documents.activity_profile),
        ("/agents/profile", documents.agent_profile),
        ("/activities", resources.activities),
        ("/agents", resources.agents),
        ("/about", resources.about),
    ):
        app.router.add_route("*", path, handler)
    return app
