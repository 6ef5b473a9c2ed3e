"""Statement shaping: fill in LRS-set properties, extract index entries, render ids/canonical formats."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable

from lrs.model.agents import agent_ifi

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")


@dataclass
class IndexEntries:
    """What the store indexes for one statement; `agents`/`activities` map key -> direct match."""

    statement_id: str
    verb_id: str
    object_type: str
    object_key: str | None
    actor_ifi: str | None
    registration: str | None
    voids: str | None
    agents: dict[str, bool] = field(default_factory=dict)
    activities: dict[str, bool] = field(default_factory=dict)
    # activity id -> definition; one per activity and statement (a later one in the statement wins).
    definitions: dict[str, dict[str, Any]] = field(default_factory=dict)


def fill_lrs_properties(statement: dict[str, Any], *, stored: str, authority: dict[str, Any],
                        version: str) -> dict[str, Any]:
    """Return a copy with id, stored, authority, version and timestamp set (Data §2.4.7–2.4.10).

    `version` is what to write when the statement has none ("1.0.0" for 1.0.x clients, "2.0.0" for 2.0).
    """
    prepared = dict(statement)
    prepared["id"] = prepared["id"].lower() if "id" in prepared else str(uuid.uuid4())
    prepared["stored"] = stored
    prepared["authority"] = authority
    prepared.setdefault("version", version)
    if prepared.get("timestamp") is None:
        prepared["timestamp"] = stored
    return prepared


def index_entries(statement: dict[str, Any]) -> IndexEntries:
    obj = statement["object"]
    object_type = obj.get("objectType", "Activity")
    verb_id = statement["verb"]["id"]
    actor = statement["actor"]
    context = statement.get("context") or {}
    entries = IndexEntries(
        statement_id=statement["id"], verb_id=verb_id, object_type=object_type, object_key=None,
        actor_ifi=_ifi_or_none(actor), registration=(context.get("registration") or "").lower() or None,
        voids=None)

    _add_actor(entries, actor, direct=True)
    if object_type == "Activity":
        entries.object_key = obj["id"]
        entries.activities[obj["id"]] = True
        _collect_definition(entries, obj)
    elif object_type in ("Agent", "Group"):
        entries.object_key = _ifi_or_none(obj)
        _add_actor(entries, obj, direct=True)
    elif object_type == "StatementRef":
        entries.object_key = obj["id"].lower()
        if verb_id == VOIDED_VERB:
            entries.voids = entries.object_key
    elif object_type == "SubStatement":
        _add_actor(entries, obj["actor"], direct=False)
        sub_object = obj["object"]
        sub_type = sub_object.get("objectType", "Activity")
        if sub_type == "Activity":
            _add_activity(entries, sub_object)
        elif sub_type in ("Agent", "Group"):
            _add_actor(entries, sub_object, direct=False)
        _add_context(entries, obj.get("context") or {})

    if "authority" in statement:
        _add_actor(entries, statement["authority"], direct=False)
    _add_context(entries, context)
    return entries


def _ifi_or_none(actor: dict[str, Any]) -> str | None:
    try:
        return agent_ifi(actor)
    except (KeyError, ValueError, TypeError):
        return None  # anonymous group


def _add_actor(entries: IndexEntries, actor: dict[str, Any], *, direct: bool) -> None:
    # Communication §2.1.3 (agent): a Group whose member matches is also a match.
    for member in [actor, *actor.get("member", [])]:
        ifi = _ifi_or_none(member)
        if ifi is not None:
            entries.agents[ifi] = entries.agents.get(ifi, False) or direct


def _add_activity(entries: IndexEntries, activity: dict[str, Any]) -> None:
    entries.activities.setdefault(activity["id"], False)
    _collect_definition(entries, activity)


def _collect_definition(entries: IndexEntries, activity: dict[str, Any]) -> None:
    if activity.get("definition"):
        entries.definitions[activity["id"]] = activity["definition"]


def _add_context(entries: IndexEntries, context: dict[str, Any]) -> None:
    for key in ("instructor", "team"):
        if key in context:
            _add_actor(entries, context[key], direct=False)
    for context_agent in context.get("contextAgents", ()):
        _add_actor(entries, context_agent["agent"], direct=False)
    for context_group in context.get("contextGroups", ()):
        _add_actor(entries, context_group["group"], direct=False)
    for activity in context_activities(context):
        _add_activity(entries, activity)


def context_activities(context: dict[str, Any]) -> Iterable[dict[str, Any]]:
    activities = context.get("contextActivities") or {}
    for key in CONTEXT_ACTIVITY_KEYS:
        value = activities.get(key)
        if isinstance(value, dict):
            yield value
        elif isinstance(value, list):
            yield from value


def normalize_context_activities(statement: dict[str, Any]) -> None:
    """Context activities are stored as arrays (Data §2.4.6.2: a single object is normalised)."""
    for holder in (statement, statement.get("object") if isinstance(statement.get("object"), dict) else None):
        if holder is None:
            continue
        activities = (holder.get("context") or {}).get("contextActivities")
        if isinstance(activities, dict):
            for key in CONTEXT_ACTIVITY_KEYS:
                if isinstance(activities.get(key), dict):
                    activities[key] = [activities[key]]


def merge_definitions(definitions: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Merge activity definitions in arrival order; language maps merge key by key."""
    merged: dict[str, Any] = {}
    for definition in definitions:
        for key, value in definition.items():
            if key in ("name", "description") and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            elif key == "extensions" and isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = copy.deepcopy(value)
    return merged


# --- formats (Communication §2.1.3, the `format` parameter) ---

def ids_format(statement: dict[str, Any]) -> dict[str, Any]:
    """Only what identifies each Agent, Group, Activity and Verb."""
    result = dict(statement)
    result["actor"] = _agent_ids(statement["actor"])
    result["verb"] = {"id": statement["verb"]["id"]}
    result["object"] = _object_ids(statement["object"])
    if "authority" in statement:
        result["authority"] = _agent_ids(statement["authority"])
    if "context" in statement:
        result["context"] = _context_ids(statement["context"])
    return result


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    reduced: dict[str, Any] = {k: agent[k] for k in ("objectType", "mbox", "mbox_sha1sum", "openid", "account")
                               if k in agent}
    if agent.get("objectType") == "Group" and "member" in agent and not any(
            k in agent for k in ("mbox", "mbox_sha1sum", "openid", "account")):
        reduced["member"] = [_agent_ids(m) for m in agent["member"]]
    return reduced


def _object_ids(obj: dict[str, Any]) -> dict[str, Any]:
    object_type = obj.get("objectType", "Activity")
    if object_type == "Activity":
        return {"id": obj["id"]}
    if object_type in ("Agent", "Group"):
        return _agent_ids(obj)
    if object_type == "SubStatement":
        sub = dict(obj)
        sub["actor"] = _agent_ids(obj["actor"])
        sub["verb"] = {"id": obj["verb"]["id"]}
        sub["object"] = _object_ids(obj["object"])
        if "context" in obj:
            sub["context"] = _context_ids(obj["context"])
        return sub
    return obj


def _context_ids(context: dict[str, Any]) -> dict[str, Any]:
    result = dict(context)
    for key in ("instructor", "team"):
        if key in context:
            result[key] = _agent_ids(context[key])
    if "contextActivities" in context:
        result["contextActivities"] = {
            key: ([{"id": a["id"]} for a in value] if isinstance(value, list) else {"id": value["id"]})
            for key, value in context["contextActivities"].items()}
    if "contextAgents" in context:
        result["contextAgents"] = [{**ca, "agent": _agent_ids(ca["agent"])} for ca in context["contextAgents"]]
    if "contextGroups" in context:
        result["contextGroups"] = [{**cg, "group": _agent_ids(cg["group"])} for cg in context["contextGroups"]]
    return result


def canonical_format(statement: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """Language maps reduced to the one best matching Accept-Language."""
    result = copy.deepcopy(statement)
    _canonicalize(result, languages, parent_key=None)
    return result


_LANGUAGE_MAP_KEYS = {"display", "name", "description"}


def _canonicalize(node: Any, languages: list[str], parent_key: str | None) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _LANGUAGE_MAP_KEYS and isinstance(value, dict) and key != "extensions" \
                    and all(isinstance(v, str) for v in value.values()):
                node[key] = _pick_language(value, languages)
            elif key != "extensions":
                _canonicalize(value, languages, key)
    elif isinstance(node, list):
        for item in node:
            _canonicalize(item, languages, parent_key)


def _pick_language(language_map: dict[str, str], languages: list[str]) -> dict[str, str]:
    if not language_map:
        return language_map
    lowered = {k.lower(): k for k in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            key = lowered[wanted]
            return {key: language_map[key]}
        for tag, key in lowered.items():
            if tag.split("-")[0] == wanted.split("-")[0]:
                return {key: language_map[key]}
    for preferred in ("en-us", "en"):
        if preferred in lowered:
            key = lowered[preferred]
            return {key: language_map[key]}
    key = next(iter(language_map))
    return {key: language_map[key]}


def accept_languages(header: str | None) -> list[str]:
    """Languages from an Accept-Language header, best first."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]
