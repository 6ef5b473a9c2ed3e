"""The learner and report API on /api/v1/: catalogue, registrations, launch, navigation, commits, reports, CSV.

SCORM and cmi5 courses share the catalogue, enrolment (POST /registrations hands a cmi5 package to the cmi5
ops, which set up its per-AU state) and "My learning"; a cmi5 registration's `player_url` is its page in the
web UI (#/learning/<id>, the AUs with their Launch buttons) instead of the SCORM player.
"""

from __future__ import annotations

import csv
import hmac
import io
from pathlib import Path
from typing import Any

from aiohttp import web

from hub.errors import BadRequest, Forbidden
from hub.keys import DB, SETTINGS
from hub.middleware import json_response
from hub.request_bodies import json_object
from provisioning.api.auth import CSRF_HEADER, optional_principal, require, require_principal
from provisioning.ops.sessions import WebPrincipal
from provisioning.roles import Permission
from scorm_player.ops import cmi5 as cmi5_ops
from scorm_player.ops import reports
from scorm_player.ops import runtime as ops
from scorm_player.ops.packages import ImportedPackage, list_packages
from scorm_player.store import runtime as registration_store
from scorm_player.store.packages import get_package

P = Permission
_REPORT_READERS = (P.REPORTS_READ, P.TEAM_REPORTS_READ)


def setup_routes(api: web.Application) -> None:
    """Add the learner, runtime and report routes to the shared /api/v1/ sub-application."""
    router = api.router
    router.add_get("/catalog", catalog)
    router.add_get("/registrations/mine", my_registrations)
    router.add_post("/registrations", create_registration)
    router.add_post("/registrations/{registration_id}/launch", launch)
    router.add_post("/runtime/{attempt_id}/nav", navigate)
    router.add_post("/runtime/{attempt_id}/{activity_id}/commit", commit)
    router.add_get("/reports/courses", report_overview)
    router.add_get("/reports/courses/{package_id}", course_report)
    router.add_get("/reports/courses/{package_id}/export.csv", course_report_csv)
    router.add_get("/reports/learners/{person_id}", learner_report)
    router.add_get("/reports/learners/{person_id}/export.csv", learner_report_csv)


def _content_root(request: web.Request) -> Path:
    return Path(request.config_dict[SETTINGS].content_root)


SCORM_STANDARDS = ("scorm_1.2", "scorm_2004")


def _playable(package: ImportedPackage) -> bool:
    """SCORM 1.2/2004 and cmi5 (zipped, or a standalone cmi5.xml whose AUs live at absolute URLs)."""
    return package.standard in SCORM_STANDARDS or package.standard == cmi5_ops.CMI5_STANDARD


def with_links(summary: dict[str, Any]) -> dict[str, Any]:
    """A registration summary whose `player_url` opens the right place: a cmi5 course's page in the web UI."""
    if summary.get("standard") == cmi5_ops.CMI5_STANDARD:
        return {**summary, "player_url": f"/#/learning/{summary['id']}",
                "cmi5_url": f"/api/v1/cmi5/registrations/{summary['id']}"}
    return summary


async def _my_registrations(request: web.Request, principal: WebPrincipal) -> list[dict[str, Any]]:
    return [with_links(item) for item in await ops.my_registrations(request.config_dict[DB], principal)]


async def catalog(request: web.Request) -> web.Response:
    """The tenant's playable packages (SCORM and cmi5) with the learner's own registration, if any."""
    principal = await require(request, P.LEARN)
    db = request.config_dict[DB]
    packages = [p for p in await list_packages(db, principal.tenant_id) if _playable(p)]
    mine = {item["package_id"]: item for item in await _my_registrations(request, principal)}
    return json_response({"packages": [{"id": p.id, "title": p.title, "standard": p.standard,
                                        "edition": p.edition, "item_count": p.item_count,
                                        "created_at": p.created_at, "registration": mine.get(p.id)}
                                       for p in packages]})


async def my_registrations(request: web.Request) -> web.Response:
    principal = await require(request, P.LEARN)
    return json_response({"registrations": await _my_registrations(request, principal)})


async def create_registration(request: web.Request) -> web.Response:
    """{"package_id"} enrols the signed-in learner; with "person_id" an admin (PACKAGES_MANAGE) assigns someone."""
    body = await json_object(request, any_content_type=True)
    package_id = body.get("package_id")
    if not isinstance(package_id, str) or not package_id:
        raise BadRequest("package_id is required", field="package_id")
    person_id = body.get("person_id")
    db = request.config_dict[DB]
    if person_id is not None and not isinstance(person_id, str):
        raise BadRequest("person_id must be a string", field="person_id")
    principal = await require(request, P.PACKAGES_MANAGE if person_id is not None else P.LEARN)
    package = await db.read(lambda conn: get_package(conn, principal.tenant_id, package_id))
    if package is not None and package["standard"] == cmi5_ops.CMI5_STANDARD:
        # The cmi5 ops enrol and set up the per-AU state; the answer is the same summary as for SCORM.
        status, created = await cmi5_ops.enrol(db, principal, package_id, _content_root(request), person_id)
        row = await db.read(lambda conn: registration_store.get_registration(conn, principal.tenant_id, status["id"]))
        assert row is not None
        found = ops.registration_summary(row)
    elif person_id is not None:
        found, created = await ops.assign(db, principal, package_id, person_id)
    else:
        found, created = await ops.enrol(db, principal, package_id)
    return json_response(with_links(found), status=201 if created else 200)


async def launch(request: web.Request) -> web.Response:
    principal = await require(request, P.LEARN)
    found = await ops.launch(request.config_dict[DB], principal, request.match_info["registration_id"],
                             _content_root(request))
    return json_response(found)


async def navigate(request: web.Request) -> web.Response:
    principal = await require(request, P.LEARN)
    body = await json_object(request, any_content_type=True)
    nav_request = body.get("request")
    target = body.get("target")
    if not isinstance(nav_request, str):
        raise BadRequest("request is required", field="request")
    if target is not None and not isinstance(target, str):
        raise BadRequest("target must be a string", field="target")
    found = await ops.navigate(request.config_dict[DB], principal, request.match_info["attempt_id"], nav_request,
                               target, _content_root(request))
    return json_response(found)


async def _commit_principal(request: web.Request, body: dict[str, Any]) -> WebPrincipal:
    """The session's person; the CSRF token comes in the header, or in the body for navigator.sendBeacon,
    which cannot set headers (a cross-site page can read neither)."""
    principal = await optional_principal(request)
    if principal is None:
        await require_principal(request)  # raises 401
    assert principal is not None
    sent = request.headers.get(CSRF_HEADER) or body.get("csrf")
    if not isinstance(sent, str) or not sent or not hmac.compare_digest(sent, principal.csrf_token):
        raise Forbidden("missing or wrong CSRF token; reload the page", field=CSRF_HEADER)
    if not principal.can(P.LEARN):
        raise Forbidden("your role does not allow this")
    return principal


async def commit(request: web.Request) -> web.Response:
    """POST {seq, terminate, values: {element: value}} from the browser runtime (spec §5)."""
    body = await json_object(request, any_content_type=True)
    principal = await _commit_principal(request, body)
    seq, terminate, values = body.get("seq"), body.get("terminate", False), body.get("values", {})
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise BadRequest("seq must be an integer", field="seq")
    if not isinstance(terminate, bool):
        raise BadRequest("terminate must be true or false", field="terminate")
    if not isinstance(values, dict):
        raise BadRequest("values must be an object of element names to strings", field="values")
    outcome = await ops.commit(request.config_dict[DB], principal, request.match_info["attempt_id"],
                               request.match_info["activity_id"], seq, terminate, values, _content_root(request))
    return json_response(outcome.as_json())


async def report_overview(request: web.Request) -> web.Response:
    principal = await require(request, *_REPORT_READERS)
    return json_response({"courses": await reports.report_overview(request.config_dict[DB], principal)})


async def course_report(request: web.Request) -> web.Response:
    principal = await require(request, *_REPORT_READERS)
    return json_response(await reports.course_report(request.config_dict[DB], principal,
                                                     request.match_info["package_id"]))


async def learner_report(request: web.Request) -> web.Response:
    principal = await require(request, *_REPORT_READERS)
    return json_response(await reports.learner_report(request.config_dict[DB], principal,
                                                      request.match_info["person_id"], _content_root(request)))


async def _stream_csv(request: web.Request, name: str, rows: list[tuple[Any, ...]]) -> web.StreamResponse:
    """Write the CSV in chunks as it is produced (STYLE §6: exports are streamed)."""
    response = web.StreamResponse(headers={"Content-Type": "text/csv; charset=utf-8",
                                           "Content-Disposition": f'attachment; filename="{name}"',
                                           "X-Content-Type-Options": "nosniff"})
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(reports.COURSE_CSV_COLUMNS)
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_safe(value) for value in row])
        if number % 500 == 0:
            await response.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


def _csv_safe(value: Any) -> Any:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


async def course_report_csv(request: web.Request) -> web.StreamResponse:
    principal = await require(request, *_REPORT_READERS)
    found = await reports.course_report(request.config_dict[DB], principal, request.match_info["package_id"])
    return await _stream_csv(request, f"course-{found['package']['id']}.csv",
                             list(reports.csv_rows(found["registrations"])))


async def learner_report_csv(request: web.Request) -> web.StreamResponse:
    principal = await require(request, *_REPORT_READERS)
    found = await reports.learner_report(request.config_dict[DB], principal, request.match_info["person_id"],
                                         _content_root(request))
    return await _stream_csv(request, f"learner-{found['learner']['id']}.csv",
                             list(reports.csv_rows(found["registrations"])))
