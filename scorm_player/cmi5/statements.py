"""The statements the LMS itself records (cmi5 §9.3): launched, satisfied, abandoned and waived; pure.

Ids are UUIDv5 of what makes each statement unique (the session for launched/abandoned, the registration
and the block, course or AU for satisfied/waived), so sending one again stores nothing new.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from scorm_player.cmi5.vocabulary import (
    ACTIVITY_TYPE_BLOCK,
    ACTIVITY_TYPE_COURSE,
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_PARAMETERS,
    EXT_LAUNCH_URL,
    EXT_MASTERY_SCORE,
    EXT_MOVE_ON,
    EXT_REASON,
    EXT_SESSION_ID,
    VERB_ABANDONED,
    VERB_DISPLAY,
    VERB_LAUNCHED,
    VERB_SATISFIED,
    VERB_WAIVED,
)

__all__ = ["LmsContext", "abandoned_statement", "launched_statement", "satisfied_statement", "statement_id",
           "waived_statement"]

STATEMENT_NAMESPACE = uuid.UUID("3a0c9f4e-61b2-5d7a-8e1f-4c2b9d6e7a10")


def statement_id(*parts: object) -> str:
    return str(uuid.uuid5(STATEMENT_NAMESPACE, "|".join(str(part) for part in parts)))


@dataclass(frozen=True)
class LmsContext:
    """Who and which registration and session an LMS statement is about."""

    actor: dict[str, Any]
    registration: str
    session_id: str
    timestamp: str


def _verb(verb_id: str) -> dict[str, Any]:
    return {"id": verb_id, "display": {"en-US": VERB_DISPLAY[verb_id]}}


def _context(lms: LmsContext, grouping_id: str, *, moveon: bool = False,
             extensions: dict[str, Any] | None = None) -> dict[str, Any]:
    # 9.6.2.1-1 cmi5 category; 9.6.2.3-2 the publisher id in grouping; 9.6.3.1-3 the session id.
    category = [{"id": CATEGORY_CMI5}] + ([{"id": CATEGORY_MOVEON}] if moveon else [])
    return {"registration": lms.registration,
            "contextActivities": {"category": category, "grouping": [{"id": grouping_id}]},
            "extensions": {EXT_SESSION_ID: lms.session_id, **(extensions or {})}}


def _activity(activity_id: str, title: str, activity_type: str | None = None) -> dict[str, Any]:
    definition: dict[str, Any] = {"name": {"en-US": title}}
    if activity_type:
        definition["type"] = activity_type
    return {"objectType": "Activity", "id": activity_id, "definition": definition}


def launched_statement(lms: LmsContext, *, au_iri: str, au_title: str, au_activity_type: str | None,
                       publisher_au_id: str, launch_mode: str, launch_url: str, move_on: str,
                       launch_parameters: str | None, mastery_score: float | None) -> dict[str, Any]:
    """cmi5 9.3.1.0-1 and 9.6.3.2-1 … 9.6.3.7-1: the extensions describe the launch."""
    extensions: dict[str, Any] = {EXT_LAUNCH_MODE: launch_mode, EXT_LAUNCH_URL: launch_url, EXT_MOVE_ON: move_on}
    if launch_parameters is not None:
        extensions[EXT_LAUNCH_PARAMETERS] = launch_parameters
    if mastery_score is not None:
        extensions[EXT_MASTERY_SCORE] = mastery_score
    return {"id": statement_id(lms.session_id, "launched"), "timestamp": lms.timestamp, "actor": lms.actor,
            "verb": _verb(VERB_LAUNCHED), "object": _activity(au_iri, au_title, au_activity_type),
            "context": _context(lms, publisher_au_id, extensions=extensions)}


def satisfied_statement(lms: LmsContext, *, node_iri: str, node_key: str, node_title: str, kind: str,
                        publisher_id: str) -> dict[str, Any]:
    """cmi5 9.3.9.0-2/-6: the LMS's block or course id as object, typed; the publisher id in grouping."""
    activity_type = ACTIVITY_TYPE_COURSE if kind == "course" else ACTIVITY_TYPE_BLOCK
    return {"id": statement_id(lms.registration, node_key, "satisfied"), "timestamp": lms.timestamp,
            "actor": lms.actor, "verb": _verb(VERB_SATISFIED),
            "object": _activity(node_iri, node_title, activity_type),
            "context": _context(lms, publisher_id)}


def abandoned_statement(lms: LmsContext, *, au_iri: str, au_title: str, publisher_au_id: str,
                        duration: str) -> dict[str, Any]:
    """cmi5 9.3.6.0-1, 9.5.4.2-1: the abandoned session's id, with the session's duration."""
    return {"id": statement_id(lms.session_id, "abandoned"), "timestamp": lms.timestamp, "actor": lms.actor,
            "verb": _verb(VERB_ABANDONED), "object": _activity(au_iri, au_title),
            "result": {"duration": duration}, "context": _context(lms, publisher_au_id)}


def waived_statement(lms: LmsContext, *, au_iri: str, au_title: str, publisher_au_id: str, au_index: int,
                     reason: str) -> dict[str, Any]:
    """cmi5 9.3.7.0-2, 9.5.2.0-1(d2), 9.5.3.0-1(d2), 9.6.2.2-1(d4): success, completion, reason, moveOn."""
    return {"id": statement_id(lms.registration, au_index, "waived"), "timestamp": lms.timestamp,
            "actor": lms.actor, "verb": _verb(VERB_WAIVED), "object": _activity(au_iri, au_title),
            "result": {"success": True, "completion": True, "extensions": {EXT_REASON: reason}},
            "context": _context(lms, publisher_au_id, moveon=True)}
