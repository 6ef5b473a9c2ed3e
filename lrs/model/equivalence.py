"""Statement comparison: does an incoming Statement match the stored one with the same id (no-op) or not (409)?"""

from __future__ import annotations

import re
from datetime import datetime
from operator import itemgetter
from typing import Any

from hub.errors import BadRequest
from lrs.model.agents import canonical_mbox
from lrs.model.timestamps import parse_timestamp

__all__ = ["statements_equivalent"]

# xAPI 1.0.3 Data §2.3.1 Statement Immutability / IEEE 9274.1.1 Statement Comparison Requirements:
# "Differences which could have been caused by exceptions to Statement Immutability MUST be ignored";
# every other difference, serialization included, MUST NOT be ignored. The exceptions are:
#   * properties the LRS assigns: id, authority, stored, timestamp, version;
#   * Activity Definitions referenced by a Statement (not part of the Statement itself);
#   * the Verb's "display";
#   * the serialization of timestamps (same instant, any offset);
#   * the order of a Group's members (an unordered list);
#   * Attachments (not part of Statements);
#   * case, where a value is case-insensitive (UUIDs, the e-mail domain, SHA-1 hex, language tags).
# Also ignored: the LRS's own normalisations that do not change meaning (an omitted Activity or
# Agent objectType; a single contextActivities Activity versus a one-element array).
# Not an exception: result.duration is compared as a string (Data §2.3.1) - except that 2.0
# (§4.2.7) says precision beyond 0.01 second is not part of the comparison.
_ASSIGNED_BY_LRS = frozenset({"id", "authority", "stored", "timestamp", "version", "attachments"})
_NOT_IN_SUBSTATEMENT_COMPARISON = frozenset({"attachments"})
_SECONDS_FRACTION = re.compile(r"(\d+)[.,](\d+)S\Z")
_by_key = itemgetter(0)


def statements_equivalent(existing: dict, incoming: dict) -> bool:
    """True when `incoming` matches `existing` under the xAPI Statement comparison rules."""
    existing_id, incoming_id = existing.get("id"), incoming.get("id")
    if isinstance(existing_id, str) and isinstance(incoming_id, str) and existing_id.lower() != incoming_id.lower():
        return False
    # The LRS assigns a missing timestamp (stored), so only two supplied timestamps can differ.
    if "timestamp" in existing and "timestamp" in incoming and existing["timestamp"] is not None \
            and incoming["timestamp"] is not None:
        if _instant(existing["timestamp"]) != _instant(incoming["timestamp"]):
            return False
    return _statement(existing, _ASSIGNED_BY_LRS) == _statement(incoming, _ASSIGNED_BY_LRS)


def _statement(statement: Any, ignored: frozenset[str]) -> Any:
    if not isinstance(statement, dict):
        return _json(statement)
    canonical = []
    for key, value in statement.items():
        if key in ignored:
            continue
        if key == "actor":
            value = _agent(value)
        elif key == "verb":
            value = value.get("id") if isinstance(value, dict) else _json(value)  # display is not compared
        elif key == "object":
            value = _object(value)
        elif key == "result":
            value = _result(value)
        elif key == "context":
            value = _context(value)
        elif key == "timestamp":
            value = _instant(value)
        else:
            value = _json(value)
        canonical.append((key, value))
    canonical.sort(key=_by_key)
    return tuple(canonical)


def _object(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return _json(obj)
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return ("Activity", obj.get("id"))  # the Activity Definition is not part of the Statement
    if object_type == "StatementRef":
        ref_id = obj.get("id")
        return ("StatementRef", ref_id.lower() if isinstance(ref_id, str) else _json(ref_id))
    if object_type in ("Agent", "Group"):
        return _agent(obj)
    if object_type == "SubStatement":
        return ("SubStatement", _statement(obj, _NOT_IN_SUBSTATEMENT_COMPARISON))
    return _json(obj)


def _agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return _json(agent)
    canonical = [("objectType", agent.get("objectType", "Agent"))]
    for key, value in agent.items():
        if key == "objectType":
            continue
        if key == "mbox" and isinstance(value, str):
            value = canonical_mbox(value)
        elif key == "mbox_sha1sum" and isinstance(value, str):
            value = value.lower()
        elif key == "member" and isinstance(value, list):
            value = tuple(sorted((_agent(member) for member in value), key=repr))  # unordered list
        else:
            value = _json(value)
        canonical.append((key, value))
    canonical.sort(key=_by_key)
    return tuple(canonical)


def _result(result: Any) -> Any:
    if not isinstance(result, dict):
        return _json(result)
    canonical = []
    for key, value in result.items():
        if key == "duration" and isinstance(value, str):
            value = ("duration", _duration_to_hundredths(value))
        else:
            value = _json(value)
        canonical.append((key, value))
    canonical.sort(key=_by_key)
    return tuple(canonical)


def _duration_to_hundredths(duration: str) -> str:
    """Drop seconds precision beyond 0.01 s (IEEE 9274.1.1 §4.2.7 Durations): PT1.129S -> PT1.12S."""
    match = _SECONDS_FRACTION.search(duration)
    if match is None:
        return duration
    hundredths = match.group(2)[:2].rstrip("0")
    seconds = f"{match.group(1)}.{hundredths}S" if hundredths else f"{match.group(1)}S"
    return duration[:match.start()] + seconds


def _context(context: Any) -> Any:
    if not isinstance(context, dict):
        return _json(context)
    canonical = []
    for key, value in context.items():
        if key in ("registration", "language") and isinstance(value, str):
            value = value.lower()  # UUIDs and RFC 5646 tags are case-insensitive
        elif key in ("instructor", "team"):
            value = _agent(value)
        elif key == "statement":
            value = _object(value)
        elif key == "contextActivities" and isinstance(value, dict):
            value = tuple(sorted(((kind, _context_activity_ids(activities)) for kind, activities in value.items()),
                                 key=_by_key))
        elif key == "contextAgents" and isinstance(value, list):
            value = tuple(_context_relation(entry, "agent") for entry in value)
        elif key == "contextGroups" and isinstance(value, list):
            value = tuple(_context_relation(entry, "group") for entry in value)
        else:
            value = _json(value)
        canonical.append((key, value))
    canonical.sort(key=_by_key)
    return tuple(canonical)


def _context_activity_ids(activities: Any) -> Any:
    # A single Activity and a one-element array are equivalent; definitions are not compared.
    if isinstance(activities, dict):
        activities = [activities]
    if not isinstance(activities, list):
        return _json(activities)
    return tuple(_object(activity) if isinstance(activity, dict) else _json(activity) for activity in activities)


def _context_relation(entry: Any, member_key: str) -> Any:
    if not isinstance(entry, dict):
        return _json(entry)
    return tuple(sorted(((key, _agent(value) if key == member_key else _json(value)) for key, value in entry.items()),
                        key=_by_key))


def _instant(value: Any) -> Any:
    if isinstance(value, str):
        try:
            moment: datetime = parse_timestamp(value, "1.0.3", "timestamp")  # the widest accepted syntax
            return ("instant", moment)
        except BadRequest:
            pass
    return _json(value)


def _json(value: Any) -> Any:
    """Order-insensitive for object keys, type-strict (true is not 1), 1 equals 1.0."""
    if isinstance(value, dict):
        return ("{", tuple(sorted(((key, _json(item)) for key, item in value.items()), key=_by_key)))
    if isinstance(value, list):
        return ("[", tuple(_json(item) for item in value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    return value
