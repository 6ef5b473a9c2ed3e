"""Activity and Agent lookups: merged activity definitions and Person objects."""

from __future__ import annotations

from typing import Any

from hub.db import Database
from hub.errors import BadRequest
from lrs.model.shaping import merge_definitions
from lrs.ops.credentials import Principal
from lrs.store.statements import activity_definitions


async def get_activity(db: Database, principal: Principal, activity_id: str) -> dict[str, Any]:
    """The activity with its definitions merged in arrival order (Communication §2.5)."""
    if ":" not in activity_id or any(c.isspace() for c in activity_id):
        raise BadRequest("activityId must be an IRI", field="activityId")
    definitions = await db.read(lambda conn: activity_definitions(conn, principal.tenant_id, activity_id))
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    if definitions:
        activity["definition"] = merge_definitions(definitions)
    return activity


def person_for(agent: dict[str, Any]) -> dict[str, Any]:
    """A Person object with the agent's identifiers as arrays (Communication §2.4).

    The people directory (provisioning/) links several identifiers of one person; until a
    person is known there, the Person holds the identifiers given.
    """
    person: dict[str, Any] = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return person
