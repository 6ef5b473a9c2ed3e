"""The aiohttp application factory: settings in, a wired application out."""

from __future__ import annotations

from typing import AsyncIterator

from aiohttp import web

from hub import health
from hub.db import Database, dialect_of
from hub.jobs import Jobs, jobs_ctx
from hub.keys import DB, JOBS, SECRET, SETTINGS, SIBLINGS
from hub.middleware import error_middleware
from hub.secrets import installation_key
from hub.settings import Settings
from hub.workers import Siblings


def create_app(settings: Settings, *, database: Database | None = None, siblings: Siblings | None = None
               ) -> web.Application:
    """Build the whole application. Pass `database` to share one engine (tests, CLI), `siblings` when
    this process is one of several workers (hub.workers)."""
    from hub.web import setup_routes as setup_web_routes
    from lrs.api.routes import create_xapi_app
    from provisioning.api.admin import setup_routes as setup_admin_routes
    from provisioning.api.routes import setup_routes as setup_auth_routes
    from provisioning.api.scim_admin import setup_admin_routes as setup_scim_admin_routes
    from provisioning.saml.admin_api import setup_admin_routes as setup_saml_admin_routes
    from provisioning.saml.routes import setup_routes as setup_saml_routes
    from provisioning.scim.routes import setup_routes as setup_scim_routes
    from scorm_player.api.assignments import setup_routes as setup_assignment_routes
    from scorm_player.api.cmi5 import register_jobs as register_cmi5_jobs
    from scorm_player.api.cmi5 import setup_routes as setup_cmi5_routes
    from scorm_player.api.player import setup_routes as setup_player_routes
    from scorm_player.api.routes import setup_routes as setup_package_routes
    from scorm_player.api.runtime import setup_routes as setup_runtime_routes

    app = web.Application(middlewares=[error_middleware], client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[SIBLINGS] = siblings = siblings or Siblings()

    async def database_ctx(app: web.Application) -> AsyncIterator[None]:
        db = database or Database(settings.db_url, pool_size=settings.db_pool_size,
                                  query_timeout=settings.query_timeout_seconds,
                                  sqlite_synchronous=settings.sqlite_synchronous,
                                  exclusive=siblings.exclusive)
        app[DB] = db
        app[SECRET] = settings.secret_key.encode() if settings.secret_key else await installation_key(db)
        yield
        if database is None:
            await db.dispose()

    app.cleanup_ctx.append(database_ctx)
    app[JOBS] = Jobs()
    health.setup_routes(app)
    setup_auth_routes(app)
    setup_saml_routes(app)
    setup_web_routes(app)
    setup_player_routes(app)
    setup_scim_routes(app)
    app.add_subapp("/xapi/", create_xapi_app(app))
    # One sub-application for the JSON API; each package adds its routes to it.
    api = web.Application(client_max_size=settings.max_body_bytes)
    setup_package_routes(api, app)
    setup_runtime_routes(api)
    setup_assignment_routes(api)
    setup_admin_routes(api, app)
    setup_cmi5_routes(app, api)
    setup_scim_admin_routes(api)
    setup_saml_admin_routes(api)
    app.add_subapp("/api/v1/", api)
    register_cmi5_jobs(app)
    register_db_jobs(app)
    # After the database: jobs start once it is open and stop before it closes.
    app.cleanup_ctx.append(jobs_ctx(settings.scheduler and siblings.runs_jobs))
    return app


def register_db_jobs(app: web.Application) -> None:
    """Planner statistics on PostgreSQL, kept fresh even where autovacuum is off (Database.refresh_statistics)."""

    async def refresh(app: web.Application) -> list[str]:
        return await app[DB].refresh_statistics()

    if dialect_of(app[SETTINGS].db_url) == "postgresql":
        app[JOBS].add("db.refresh_statistics", refresh, every_seconds=app[SETTINGS].analyze_seconds,
                      description="ANALYZE the tables changed by more than 500 rows + 10 % since their last ANALYZE")
