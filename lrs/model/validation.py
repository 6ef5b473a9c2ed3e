"""Statement validation: every rule xAPI 1.0.3 and 2.0.0 give an LRS for accepting or rejecting a Statement."""

from __future__ import annotations

import math
import re
from typing import Any, NoReturn

from hub.errors import BadRequest
from lrs.model.timestamps import check_timestamp, is_xapi_2

__all__ = [
    "validate_statement",
    "validate_statements",
    "validate_actor",
    "is_iri",
    "is_uuid",
    "is_language_tag",
    "VOIDED_VERB_ID",
]

VOIDED_VERB_ID = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE_TYPE = "http://adlnet.gov/expapi/attachments/signature"

_ABSENT: Any = object()

# ---------------------------------------------------------------------------------------------
# Allowed properties per object (xAPI 1.0.3 Data §2.2: the LRS SHOULD* reject additional
# properties; IEEE 9274.1.1 §4.2.1 makes it a "shall" outside extensions).
# ---------------------------------------------------------------------------------------------
_STATEMENT_KEYS = frozenset({"id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                             "authority", "version", "attachments"})
_SUBSTATEMENT_KEYS = frozenset({"objectType", "actor", "verb", "object", "result", "context", "timestamp",
                                "attachments"})
# xAPI Data §2.4.4.3: a SubStatement MUST NOT have the "id", "stored", "version" or "authority" properties.
_SUBSTATEMENT_FORBIDDEN = ("id", "stored", "version", "authority")
_AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
_GROUP_KEYS = _AGENT_KEYS | {"member"}
_IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
_ACCOUNT_KEYS = frozenset({"homePage", "name"})
_VERB_KEYS = frozenset({"id", "display"})
_ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
_STATEMENT_REF_KEYS = frozenset({"objectType", "id"})
_DEFINITION_KEYS = frozenset({"name", "description", "type", "moreInfo", "extensions", "interactionType",
                              "correctResponsesPattern", "choices", "scale", "source", "target", "steps"})
_INTERACTION_COMPONENT_KEYS = frozenset({"id", "description"})
_RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
_SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
_CONTEXT_KEYS_1 = frozenset({"registration", "instructor", "team", "contextActivities", "revision", "platform",
                             "language", "statement", "extensions"})
# IEEE 9274.1.1 (xAPI 2.0) adds contextAgents and contextGroups to Context.
_CONTEXT_KEYS_2 = _CONTEXT_KEYS_1 | {"contextAgents", "contextGroups"}
_CONTEXT_ACTIVITY_KEYS = frozenset({"parent", "grouping", "category", "other"})
_CONTEXT_AGENT_KEYS = frozenset({"objectType", "agent", "relevantTypes"})
_CONTEXT_GROUP_KEYS = frozenset({"objectType", "group", "relevantTypes"})
_ATTACHMENT_KEYS = frozenset({"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"})
_ATTACHMENT_REQUIRED = ("usageType", "display", "contentType", "length", "sha2")

# xAPI Data §2.4.4.1 Interaction Activities: interactionType values (case-sensitive, Data §2.2) and
# the interaction component lists each type supports.
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
_COMPONENT_LISTS_BY_INTERACTION_TYPE: dict[str, frozenset[str]] = {
    "true-false": frozenset(),
    "choice": frozenset({"choices"}),
    "fill-in": frozenset(),
    "long-fill-in": frozenset(),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "numeric": frozenset(),
    "other": frozenset(),
}

# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------
# RFC 3987 IRI (absolute: a scheme is required, xAPI Data §2.2 "IRL or IRI values without a scheme").
# Best-effort per Data §2.2 "MAY use best-effort validation": the characters RFC 3987 never allows
# (controls, space, <>"{}|\^`, surrogates, non-characters) are refused, "%" must start a pct-encoding,
# and at most one "#" (the fragment) may appear.
_IRI_RUN = r"[^\x00-\x20\x7f-\x9f<>\"{}|\\^`%#\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]*"
_IRI_TEXT = rf"{_IRI_RUN}(?:%[0-9A-Fa-f]{{2}}{_IRI_RUN})*"  # runs of allowed characters and pct-encodings
# http(s) IRIs also need an authority with a host (RFC 3986 §3.2.2 via RFC 7230 §2.7.1).
_HTTP_WITHOUT_HOST = r"(?!(?i:https?):(?!//(?:[^/?#@]*@)?(?:\[[^\]/?#@]+\]|[^/?#@:\[\]]+)(?=[:/?#]|\Z)))"
_IRI = re.compile(rf"{_HTTP_WITHOUT_HOST}[A-Za-z][A-Za-z0-9+.\-]*:(?=[^#]){_IRI_TEXT}(?:#{_IRI_TEXT})?\Z")
# RFC 4122 UUID in standard string form; "all versions of variant 2" (variant bits 10x) are valid
# (xAPI Data §2.4.1, §4.4). Hex digits of either case.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}\Z")
# mbox: "mailto:" IRI of an e-mail address (xAPI Data §2.4.2.3); the scheme is case-insensitive.
_MBOX = re.compile(r"(?i:mailto):[^\s@<>()\[\]\\,;:\"]+@(?:[^\s@<>()\[\]\\,;:\"./]+\.)*[^\s@<>()\[\]\\,;:\"./]+\Z")
_SHA1_HEX = re.compile(r"[0-9a-fA-F]{40}\Z")
# SHA-224/256/384/512 hex digests (Communication §1.5.2: SHA-256, SHA-384 or SHA-512 SHOULD be used).
_SHA2_HEX = re.compile(r"(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})\Z")
# Internet Media Type (RFC 2045 §5.1 token "/" token, optional parameters).
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:\s*;.*)?\Z", re.S)
# xAPI Data §2.4.10: 1.0.x accepts versions starting "1.0"; 2.0 also accepts 2.0.x (the 2.0 suite
# accepts "1.0" and "1.0.9" Statements and rejects "0.9.9", "1.1.0").
_VERSION_1 = re.compile(r"1\.0(?:\.\d+)?\Z")
_VERSION_2 = re.compile(r"[12]\.0(?:\.\d+)?\Z")
# ISO 8601:2004(E) §4.4.3.2 duration (xAPI Data §4.6): PnYnMnDTnHnMnS or PnW; the alternative
# format of §4.4.3.3 (P0003-06-04T12:30:05) is not allowed; only the lowest-order component
# present may carry a decimal fraction.
_DURATION_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    rf"P(?:{_DURATION_NUMBER}W|(?=\d|T\d)(?:{_DURATION_NUMBER}Y)?(?:{_DURATION_NUMBER}M)?(?:{_DURATION_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_DURATION_NUMBER}H)?(?:{_DURATION_NUMBER}M)?(?:{_DURATION_NUMBER}S)?)?)\Z"
)
# RFC 5646 §2.1 Language-Tag ABNF (xAPI Data §4.2 language maps, Data §2.2 "MUST at least validate
# the sequence of token lengths"); duplicate variants/singletons (§2.2.5, §2.2.6) are checked apart.
_LANGUAGE_TAG = re.compile(
    r"""
    (?:
        (?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})     # language [-extlang]
        (?:-[A-Za-z]{4})?                                         # script
        (?:-(?:[A-Za-z]{2}|[0-9]{3}))?                            # region
        (?P<variants>(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*)
        (?P<extensions>(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*)
        (?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?                          # privateuse
      | [Xx](?:-[A-Za-z0-9]{1,8})+                                # privateuse only
      | (?i:en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn
          |i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE|art-lojban|cel-gaulish|no-bok|no-nyn
          |zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang)          # grandfathered
    )\Z
    """,
    re.X,
)

# Values that recur across Statements (verb ids, activity ids, "en-US") are remembered once valid.
_CACHE_LIMIT = 8192
_valid_iris: set[str] = set()
_valid_language_tags: set[str] = set()


def is_iri(value: object) -> bool:
    """Best-effort RFC 3987 absolute-IRI check (scheme required)."""
    if type(value) is not str:
        return False
    if value in _valid_iris:
        return True
    if _IRI.match(value) is None:
        return False
    if len(_valid_iris) >= _CACHE_LIMIT:
        _valid_iris.clear()
    _valid_iris.add(value)
    return True


def is_uuid(value: object) -> bool:
    """RFC 4122 variant UUID in standard string form, hex digits of either case."""
    return type(value) is str and _UUID.match(value) is not None


def is_language_tag(value: object) -> bool:
    """RFC 5646 well-formed language tag."""
    if type(value) is not str:
        return False
    if value in _valid_language_tags:
        return True
    match = _LANGUAGE_TAG.match(value)
    if match is None:
        return False
    variants, extensions = match.group("variants"), match.group("extensions")
    if variants and variants.count("-") > 1:
        # RFC 5646 §2.2.5: the same variant subtag MUST NOT appear twice.
        subtags = variants.lower().split("-")[1:]
        if len(set(subtags)) != len(subtags):
            return False
    if extensions:
        # RFC 5646 §2.2.6: each singleton MUST appear at most once.
        singletons = [subtag for subtag in extensions.lower().split("-") if len(subtag) == 1]
        if len(set(singletons)) != len(singletons):
            return False
    if len(_valid_language_tags) >= _CACHE_LIMIT:
        _valid_language_tags.clear()
    _valid_language_tags.add(value)
    return True


# ---------------------------------------------------------------------------------------------
# Error helpers
# ---------------------------------------------------------------------------------------------
def _reject(path: str, message: str) -> NoReturn:
    raise BadRequest(f"{path or 'statement'}: {message}", field=path or None)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _reject_type(path: str, expected: str, value: object) -> NoReturn:
    # xAPI Data §2.2: reject null values (outside extensions) and wrong data types.
    _reject(path, f"must be {expected}, not {_json_type(value)}")


def _child(path: str, key: str | int) -> str:
    if type(key) is int:
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key  # type: ignore[return-value]


def _keyed(path: str, key: str) -> str:
    # Keys that are data (extension IRIs, language tags) are quoted so dots in them stay readable.
    return f'{path}["{key}"]' if isinstance(key, str) else f"{path}[{key!r}]"


def _reject_unknown_keys(obj: dict, allowed: frozenset[str], path: str, what: str) -> NoReturn:
    for key in obj:
        if key not in allowed:
            _reject(_child(path, str(key)), f"unknown property {key!r} is not allowed in {what} "
                                            f"(allowed: {', '.join(sorted(allowed))})")
    raise AssertionError("unreachable")  # pragma: no cover


def _require_object(value: object, path: str, what: str) -> dict:
    if not isinstance(value, dict):
        _reject_type(path, f"{what} (a JSON object)", value)
    return value


# Leaf checks take the parent's path and the key, and build the value's path only to report an error.
def _check_string(value: object, path: str, key: str | int) -> None:
    if not isinstance(value, str):
        _reject_type(_child(path, key), "a string", value)


def _check_iri(value: object, path: str, key: str | int, what: str = "an IRI") -> None:
    if not is_iri(value):
        if not isinstance(value, str):
            _reject_type(_child(path, key), f"{what} string", value)
        _reject(_child(path, key), f"{value!r} is not {what} (an absolute IRI with a scheme is required, "
                                   "xAPI Data §2.2, §4.3)")


def _check_uuid(value: object, path: str, key: str | int) -> None:
    if type(value) is not str or _UUID.match(value) is None:
        if not isinstance(value, str):
            _reject_type(_child(path, key), "a UUID string", value)
        _reject(_child(path, key), f"{value!r} is not a UUID in standard string form (RFC 4122 variant, "
                                   "xAPI Data §4.4)")


def _check_boolean(value: object, path: str, key: str | int) -> None:
    if type(value) is not bool:
        _reject_type(_child(path, key), "a boolean", value)


def _check_number(value: object, path: str, key: str | int) -> float:
    kind = type(value)
    if kind is int:
        return value  # type: ignore[return-value]
    if kind is float and math.isfinite(value):  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    _reject_type(_child(path, key), "a finite number", value)


def _check_language_map(value: object, path: str, key: str | int) -> None:
    # xAPI Data §4.2: keys are RFC 5646 language tags, values are strings.
    if not isinstance(value, dict):
        _reject_type(_child(path, key), "a language map (a JSON object)", value)
    for tag, text in value.items():
        if tag not in _valid_language_tags and not is_language_tag(tag):
            _reject(_keyed(_child(path, key), tag), f"{tag!r} is not an RFC 5646 language tag (xAPI Data §4.2)")
        if type(text) is not str:
            _reject_type(_keyed(_child(path, key), tag), "a string", text)


def _check_extensions(value: object, path: str, key: str | int) -> None:
    # xAPI Data §4.1: keys are IRIs; values may be any JSON value, null included.
    if not isinstance(value, dict):
        _reject_type(_child(path, key), "an extensions map (a JSON object)", value)
    for extension in value:
        if extension not in _valid_iris and not is_iri(extension):
            _reject(_keyed(_child(path, key), extension), f"extension key {extension!r} is not an IRI (xAPI Data §4.1)")


def _check_timestamp(value: object, path: str, key: str, v2: bool) -> None:
    if not isinstance(value, str):
        _reject_type(_child(path, key), "a timestamp string", value)
    try:
        check_timestamp(value, v2, key)
    except BadRequest:
        check_timestamp(value, v2, _child(path, key))  # raise again, naming the full path
        raise


def _check_duration(duration: object, path: str, key: str) -> None:
    if not isinstance(duration, str):
        _reject_type(_child(path, key), "an ISO 8601 duration string", duration)
    match = _DURATION.match(duration)
    if match is not None and ("." in duration or "," in duration):
        components = [component for component in match.groups() if component is not None]
        if any("." in component or "," in component for component in components[:-1]):
            match = None  # ISO 8601 §4.4.3.2: only the lowest-order component may have a fraction
    if match is None:
        _reject(_child(path, key), f"{duration!r} is not an ISO 8601 duration of the form PnYnMnDTnHnMnS or PnW "
                                   "(xAPI Data §4.6)")


# ---------------------------------------------------------------------------------------------
# Agents and Groups (xAPI Data §2.4.2)
# ---------------------------------------------------------------------------------------------
def _count_valid_ifis(actor: dict, path: str) -> int:
    """Validate every inverse functional identifier present and return how many there are."""
    present = 0
    if "mbox" in actor:
        present += 1
        mbox = actor["mbox"]
        if type(mbox) is not str or _MBOX.match(mbox) is None:
            if not isinstance(mbox, str):
                _reject_type(_child(path, "mbox"), "a mailto IRI string", mbox)
            _reject(_child(path, "mbox"), f"{mbox!r} is not a 'mailto:' IRI of an e-mail address "
                                          "(xAPI Data §2.4.2.3)")
    if "mbox_sha1sum" in actor:
        present += 1
        digest = actor["mbox_sha1sum"]
        if type(digest) is not str or _SHA1_HEX.match(digest) is None:
            if not isinstance(digest, str):
                _reject_type(_child(path, "mbox_sha1sum"), "a hex SHA-1 string", digest)
            _reject(_child(path, "mbox_sha1sum"), f"{digest!r} is not a 40-digit hex SHA-1 (xAPI Data §2.4.2.3)")
    if "openid" in actor:
        present += 1
        _check_iri(actor["openid"], path, "openid", "an OpenID IRI")
    if "account" in actor:
        present += 1
        account_path = _child(path, "account")
        account = _require_object(actor["account"], account_path, "an Account")
        if not _ACCOUNT_KEYS.issuperset(account):
            _reject_unknown_keys(account, _ACCOUNT_KEYS, account_path, "an Account")
        # xAPI Data §2.4.2.4: homePage (IRL) and name (string) are both required.
        if "homePage" not in account:
            _reject(_child(account_path, "homePage"), "an Account requires 'homePage' (xAPI Data §2.4.2.4)")
        if "name" not in account:
            _reject(_child(account_path, "name"), "an Account requires 'name' (xAPI Data §2.4.2.4)")
        _check_iri(account["homePage"], account_path, "homePage", "an IRL")
        _check_string(account["name"], account_path, "name")
    return present


def _validate_agent(agent: dict, path: str) -> None:
    """An Agent whose objectType (if any) the caller has already found to be "Agent"."""
    if not _AGENT_KEYS.issuperset(agent):
        _reject_unknown_keys(agent, _AGENT_KEYS, path, "an Agent")
    if "name" in agent:
        _check_string(agent["name"], path, "name")
    # xAPI Data §2.4.2.1: an Agent MUST be identified by exactly one IFI.
    count = _count_valid_ifis(agent, path)
    if count != 1:
        _reject(path, "an Agent must have exactly one inverse functional identifier "
                      f"(mbox, mbox_sha1sum, openid or account); found {count} (xAPI Data §2.4.2.1, §2.4.2.3)")


def _validate_group(group: dict, path: str) -> int:
    """A Group (objectType "Group" already checked); returns its IFI count (0 = anonymous)."""
    if not _GROUP_KEYS.issuperset(group):
        _reject_unknown_keys(group, _GROUP_KEYS, path, "a Group")
    if "name" in group:
        _check_string(group["name"], path, "name")
    count = _count_valid_ifis(group, path)
    if count > 1:
        # xAPI Data §2.4.2.2: an Identified Group uses exactly one IFI.
        _reject(path, f"a Group must not have more than one inverse functional identifier; found {count} "
                      "(xAPI Data §2.4.2.2, §2.4.2.3)")
    members = group.get("member", _ABSENT)
    if members is _ABSENT:
        if count == 0:
            # xAPI Data §2.4.2.2: an Anonymous Group MUST include a "member" property.
            _reject(_child(path, "member"), "an anonymous Group (no IFI) must list its members (xAPI Data §2.4.2.2)")
        return count
    member_path = _child(path, "member")
    if not isinstance(members, list):
        _reject_type(member_path, "an array of Agents", members)
    if count == 0 and not members:
        _reject(member_path, "an anonymous Group must have at least one member (xAPI Data §2.4.2.2)")
    for index, member in enumerate(members):
        item_path = f"{member_path}[{index}]"
        if not isinstance(member, dict):
            _reject_type(item_path, "an Agent (a JSON object)", member)
        object_type = member.get("objectType", "Agent")
        if object_type != "Agent":
            if object_type == "Group":
                # xAPI Data §2.4.2.2: member is an array of Agent Objects; Groups cannot be nested.
                _reject(_child(item_path, "objectType"), "a Group's members must be Agents, not Groups "
                                                         "(xAPI Data §2.4.2.2)")
            _reject_object_type(object_type, _child(item_path, "objectType"), ("Agent",))
        _validate_agent(member, item_path)
    return count


def _reject_object_type(object_type: object, path: str, allowed: tuple[str, ...]) -> NoReturn:
    if not isinstance(object_type, str):
        _reject_type(path, "a string", object_type)
    expected = " or ".join(repr(value) for value in allowed)
    _reject(path, f"objectType {object_type!r} is not allowed here; expected {expected} "
                  "(case-sensitive, xAPI Data §2.2)")


def _validate_actor(actor: object, path: str) -> int:
    """An Agent or Group used as actor/instructor/authority; returns the IFI count."""
    if not isinstance(actor, dict):
        _reject_type(path, "an Agent or Group (a JSON object)", actor)
    object_type = actor.get("objectType", "Agent")
    if object_type == "Agent":
        _validate_agent(actor, path)
        return 1
    if object_type == "Group":
        return _validate_group(actor, path)
    _reject_object_type(object_type, _child(path, "objectType"), ("Agent", "Group"))


def validate_actor(actor: object, version: str, field: str = "actor") -> int:
    """Validate an Agent or Group as a Statement's actor is validated (paths rooted at `field`).

    Returns the number of inverse functional identifiers: 1 for an Agent or identified Group,
    0 for an anonymous Group. The rules do not differ between 1.0.3 and 2.0.
    """
    is_xapi_2(version)  # reject unknown versions early, like the other entry points
    return _validate_actor(actor, field)


def _validate_authority(authority: object, path: str) -> None:
    # xAPI Data §2.4.9: an Agent, or, for 3-legged OAuth only, a Group of exactly two Agents
    # (the application and the user). The suite rejects identified Groups as authority.
    if not isinstance(authority, dict):
        _reject_type(path, "an Agent or Group (a JSON object)", authority)
    if authority.get("objectType") == "Group":
        if _validate_group(authority, path) > 0:
            _reject(path, "an authority Group must be an anonymous Group of the OAuth consumer and user, "
                          "without an inverse functional identifier (xAPI Data §2.4.9)")
        if len(authority["member"]) != 2:
            _reject(_child(path, "member"), "an authority Group must have exactly two member Agents "
                                            "(3-legged OAuth, xAPI Data §2.4.9)")
        return
    _validate_actor(authority, path)


# ---------------------------------------------------------------------------------------------
# Verb, Objects (xAPI Data §2.4.3, §2.4.4)
# ---------------------------------------------------------------------------------------------
def _validate_verb(verb: object, path: str) -> str:
    if not isinstance(verb, dict):
        _reject_type(path, "a Verb (a JSON object)", verb)
    if not _VERB_KEYS.issuperset(verb):
        _reject_unknown_keys(verb, _VERB_KEYS, path, "a Verb")
    verb_id = verb.get("id", _ABSENT)
    if verb_id is _ABSENT:
        _reject(_child(path, "id"), "a Verb requires 'id' (xAPI Data §2.4.3)")
    _check_iri(verb_id, path, "id")
    if "display" in verb:
        _check_language_map(verb["display"], path, "display")
    return verb_id


def _validate_activity(activity: dict, path: str) -> None:
    """An Activity whose objectType (if any) the caller has already found to be "Activity"."""
    if not _ACTIVITY_KEYS.issuperset(activity):
        _reject_unknown_keys(activity, _ACTIVITY_KEYS, path, "an Activity")
    activity_id = activity.get("id", _ABSENT)
    if activity_id is _ABSENT:
        _reject(_child(path, "id"), "an Activity requires 'id' (xAPI Data §2.4.4.1)")
    _check_iri(activity_id, path, "id")
    if "definition" in activity:
        _validate_definition(activity["definition"], _child(path, "definition"))


def _validate_definition(definition: object, path: str) -> None:
    if not isinstance(definition, dict):
        _reject_type(path, "an Activity Definition (a JSON object)", definition)
    if not _DEFINITION_KEYS.issuperset(definition):
        _reject_unknown_keys(definition, _DEFINITION_KEYS, path, "an Activity Definition")
    if "name" in definition:
        _check_language_map(definition["name"], path, "name")
    if "description" in definition:
        _check_language_map(definition["description"], path, "description")
    if "type" in definition:
        _check_iri(definition["type"], path, "type")
    if "moreInfo" in definition:
        _check_iri(definition["moreInfo"], path, "moreInfo", "an IRL")
    if "extensions" in definition:
        _check_extensions(definition["extensions"], path, "extensions")
    interaction_type = definition.get("interactionType", _ABSENT)
    if interaction_type is not _ABSENT:
        supported_lists = _COMPONENT_LISTS_BY_INTERACTION_TYPE.get(interaction_type) \
            if isinstance(interaction_type, str) else None
        if supported_lists is None:
            if not isinstance(interaction_type, str):
                _reject_type(_child(path, "interactionType"), "a string", interaction_type)
            _reject(_child(path, "interactionType"),
                    f"{interaction_type!r} is not an interactionType; expected one of "
                    f"{', '.join(_COMPONENT_LISTS_BY_INTERACTION_TYPE)} (case-sensitive, xAPI Data §2.4.4.1)")
    else:
        supported_lists = None
    if "correctResponsesPattern" in definition:
        pattern_path = _child(path, "correctResponsesPattern")
        if supported_lists is None:
            # Conformance XAPI-00064: interactionType is required when correctResponsesPattern is used.
            _reject(pattern_path, "correctResponsesPattern requires an interactionType (xAPI Data §2.4.4.1)")
        patterns = definition["correctResponsesPattern"]
        if not isinstance(patterns, list):
            _reject_type(pattern_path, "an array of strings", patterns)
        for index, pattern in enumerate(patterns):
            if not isinstance(pattern, str):
                _reject_type(f"{pattern_path}[{index}]", "a string", pattern)
    for list_name in _COMPONENT_LISTS:
        if list_name in definition:
            list_path = _child(path, list_name)
            if supported_lists is None:
                _reject(list_path, f"the interaction component list {list_name!r} requires an interactionType "
                                   "(xAPI Data §2.4.4.1)")
            if list_name not in supported_lists:
                _reject(list_path, f"interactionType {interaction_type!r} does not support the interaction "
                                   f"component list {list_name!r} (xAPI Data §2.4.4.1 Interaction Components)")
            _validate_interaction_components(definition[list_name], list_path)


def _validate_interaction_components(components: object, path: str) -> None:
    if not isinstance(components, list):
        _reject_type(path, "an array of interaction components", components)
    seen: set[str] = set()
    for index, component in enumerate(components):
        item_path = f"{path}[{index}]"
        if not isinstance(component, dict):
            _reject_type(item_path, "an interaction component (a JSON object)", component)
        if not _INTERACTION_COMPONENT_KEYS.issuperset(component):
            _reject_unknown_keys(component, _INTERACTION_COMPONENT_KEYS, item_path, "an interaction component")
        component_id = component.get("id", _ABSENT)
        if component_id is _ABSENT:
            _reject(_child(item_path, "id"), "an interaction component requires 'id' (xAPI Data §2.4.4.1)")
        _check_string(component_id, item_path, "id")
        if component_id in seen:
            _reject(_child(item_path, "id"), f"interaction component id {component_id!r} is repeated; ids within "
                                             "a list MUST be distinct (xAPI Data §2.4.4.1)")
        seen.add(component_id)
        if "description" in component:
            _check_language_map(component["description"], item_path, "description")


def _validate_statement_ref(ref: dict, path: str) -> None:
    """A StatementRef (objectType "StatementRef" already checked by the caller)."""
    if not _STATEMENT_REF_KEYS.issuperset(ref):
        _reject_unknown_keys(ref, _STATEMENT_REF_KEYS, path, "a StatementRef")
    ref_id = ref.get("id", _ABSENT)
    if ref_id is _ABSENT:
        _reject(_child(path, "id"), "a StatementRef requires 'id' (xAPI Data §2.4.4.3)")
    _check_uuid(ref_id, path, "id")


def _validate_object(obj: object, path: str, v2: bool, inside_substatement: bool) -> str:
    """Validate a Statement's or SubStatement's object and return its objectType."""
    if not isinstance(obj, dict):
        _reject_type(path, "an Activity, Agent, Group, StatementRef or SubStatement (a JSON object)", obj)
    object_type = obj.get("objectType", "Activity")  # xAPI Data §2.4.4: absent means Activity
    if object_type == "Activity":
        _validate_activity(obj, path)
    elif object_type == "StatementRef":
        _validate_statement_ref(obj, path)
    elif object_type == "Agent":
        # xAPI Data §2.4.4.2: an Agent or Group Object MUST specify objectType (it does: we are here).
        _validate_agent(obj, path)
    elif object_type == "Group":
        _validate_group(obj, path)
    elif object_type == "SubStatement":
        if inside_substatement:
            _reject(_child(path, "objectType"), "a SubStatement must not contain another SubStatement "
                                                "(xAPI Data §2.4.4.3)")
        _validate_substatement(obj, path, v2)
    else:
        _reject_object_type(object_type, _child(path, "objectType"),
                            ("Activity", "Agent", "Group", "StatementRef", "SubStatement"))
    return object_type


def _validate_substatement(sub: dict, path: str, v2: bool) -> None:
    if not _SUBSTATEMENT_KEYS.issuperset(sub):
        for forbidden in _SUBSTATEMENT_FORBIDDEN:
            if forbidden in sub:
                _reject(_child(path, forbidden), f"a SubStatement must not have {forbidden!r} "
                                                 "(xAPI Data §2.4.4.3)")
        _reject_unknown_keys(sub, _SUBSTATEMENT_KEYS, path, "a SubStatement")
    _validate_core(sub, path, v2, inside_substatement=True)


# ---------------------------------------------------------------------------------------------
# Result, Context, Attachments (xAPI Data §2.4.5, §2.4.6, §2.4.11)
# ---------------------------------------------------------------------------------------------
def _validate_result(result: object, path: str) -> None:
    if not isinstance(result, dict):
        _reject_type(path, "a Result (a JSON object)", result)
    if not _RESULT_KEYS.issuperset(result):
        _reject_unknown_keys(result, _RESULT_KEYS, path, "a Result")
    if "score" in result:
        _validate_score(result["score"], _child(path, "score"))
    if "success" in result:
        _check_boolean(result["success"], path, "success")
    if "completion" in result:
        _check_boolean(result["completion"], path, "completion")
    if "response" in result:
        _check_string(result["response"], path, "response")
    if "duration" in result:
        _check_duration(result["duration"], path, "duration")
    if "extensions" in result:
        _check_extensions(result["extensions"], path, "extensions")


def _validate_score(score: object, path: str) -> None:
    if not isinstance(score, dict):
        _reject_type(path, "a Score (a JSON object)", score)
    if not _SCORE_KEYS.issuperset(score):
        _reject_unknown_keys(score, _SCORE_KEYS, path, "a Score")
    # xAPI Data §2.4.5.1: scaled in [-1, 1]; min < max; min <= raw <= max.
    if "scaled" in score:
        scaled = _check_number(score["scaled"], path, "scaled")
        if not -1 <= scaled <= 1:
            _reject(_child(path, "scaled"), f"scaled {scaled} must be between -1 and 1 inclusive (xAPI Data §2.4.5.1)")
    low = _check_number(score["min"], path, "min") if "min" in score else None
    high = _check_number(score["max"], path, "max") if "max" in score else None
    if low is not None and high is not None and not low < high:
        _reject(_child(path, "max"), f"max {high} must be greater than min {low} (xAPI Data §2.4.5.1)")
    if "raw" in score:
        raw = _check_number(score["raw"], path, "raw")
        if low is not None and raw < low:
            _reject(_child(path, "raw"), f"raw {raw} must not be less than min {low} (xAPI Data §2.4.5.1)")
        if high is not None and raw > high:
            _reject(_child(path, "raw"), f"raw {raw} must not be greater than max {high} (xAPI Data §2.4.5.1)")


def _validate_context(context: object, path: str, v2: bool, object_type: str) -> None:
    if not isinstance(context, dict):
        _reject_type(path, "a Context (a JSON object)", context)
    allowed = _CONTEXT_KEYS_2 if v2 else _CONTEXT_KEYS_1
    if not allowed.issuperset(context):
        for only_in_2 in ("contextAgents", "contextGroups"):
            if only_in_2 in context and not v2:
                _reject(_child(path, only_in_2), f"{only_in_2!r} is only defined in xAPI 2.0; this request "
                                                 "negotiated 1.0.3")
        _reject_unknown_keys(context, allowed, path, "a Context")
    if "registration" in context:
        _check_uuid(context["registration"], path, "registration")
    if "instructor" in context:
        _validate_actor(context["instructor"], _child(path, "instructor"))
    if "team" in context:
        team_path = _child(path, "team")
        team = context["team"]
        if not isinstance(team, dict):
            _reject_type(team_path, "a Group (a JSON object)", team)
        if team.get("objectType") != "Group":
            # xAPI Data §2.4.6: team is a Group.
            _reject(_child(team_path, "objectType"), "context.team must be a Group with objectType 'Group' "
                                                     "(xAPI Data §2.4.6)")
        _validate_group(team, team_path)
    if "contextActivities" in context:
        _validate_context_activities(context["contextActivities"], _child(path, "contextActivities"))
    for free_text in ("revision", "platform"):
        if free_text in context:
            _check_string(context[free_text], path, free_text)
    if "language" in context:
        language = context["language"]
        if not is_language_tag(language):
            if not isinstance(language, str):
                _reject_type(_child(path, "language"), "an RFC 5646 language tag string", language)
            _reject(_child(path, "language"), f"{language!r} is not an RFC 5646 language tag (xAPI Data §2.4.6)")
    if "statement" in context:
        ref_path = _child(path, "statement")
        ref = context["statement"]
        if not isinstance(ref, dict):
            _reject_type(ref_path, "a StatementRef (a JSON object)", ref)
        object_type_of_ref = ref.get("objectType", _ABSENT)
        if object_type_of_ref != "StatementRef":
            if object_type_of_ref is _ABSENT:
                _reject(_child(ref_path, "objectType"), "a StatementRef requires objectType 'StatementRef' "
                                                        "(xAPI Data §2.4.4.3)")
            _reject_object_type(object_type_of_ref, _child(ref_path, "objectType"), ("StatementRef",))
        _validate_statement_ref(ref, ref_path)
    if "extensions" in context:
        _check_extensions(context["extensions"], path, "extensions")
    if "contextAgents" in context:
        _validate_context_agents(context["contextAgents"], _child(path, "contextAgents"))
    if "contextGroups" in context:
        _validate_context_groups(context["contextGroups"], _child(path, "contextGroups"))
    if object_type != "Activity":
        # xAPI Data §2.4.6: revision and platform MUST only be used if the Statement's Object is an Activity.
        for activity_only in ("revision", "platform"):
            if activity_only in context:
                _reject(_child(path, activity_only), f"context.{activity_only} is only allowed when the object is "
                                                     f"an Activity, not a {object_type} (xAPI Data §2.4.6)")


def _validate_context_activities(context_activities: object, path: str) -> None:
    if not isinstance(context_activities, dict):
        _reject_type(path, "a contextActivities object", context_activities)
    for key, value in context_activities.items():
        key_path = _child(path, str(key))
        if key not in _CONTEXT_ACTIVITY_KEYS:
            _reject(key_path, f"unknown context activity type {key!r}; expected parent, grouping, category or other "
                              "(xAPI Data §2.4.6.2)")
        # xAPI Data §2.4.6.2: each value is an Activity or an array of Activities.
        if isinstance(value, list):
            for index, activity in enumerate(value):
                _validate_context_activity(activity, f"{key_path}[{index}]")
        else:
            _validate_context_activity(value, key_path)


def _validate_context_activity(activity: object, path: str) -> None:
    if not isinstance(activity, dict):
        _reject_type(path, "an Activity (a JSON object)", activity)
    object_type = activity.get("objectType", "Activity")
    if object_type != "Activity":
        _reject_object_type(object_type, _child(path, "objectType"), ("Activity",))
    _validate_activity(activity, path)


def _check_relevant_types(entry: dict, path: str) -> None:
    # IEEE 9274.1.1 Context Agents/Groups: relevantTypes is optional, a non-empty array of IRIs.
    if "relevantTypes" not in entry:
        return
    types_path = _child(path, "relevantTypes")
    relevant_types = entry["relevantTypes"]
    if not isinstance(relevant_types, list):
        _reject_type(types_path, "an array of IRIs", relevant_types)
    if not relevant_types:
        _reject(types_path, "relevantTypes must contain at least one IRI (xAPI 2.0 Context Agents/Groups)")
    for index, relevant_type in enumerate(relevant_types):
        _check_iri(relevant_type, types_path, index)


def _validate_context_agents(context_agents: object, path: str) -> None:
    if not isinstance(context_agents, list):
        _reject_type(path, "an array of contextAgent objects", context_agents)
    for index, entry in enumerate(context_agents):
        entry_path = f"{path}[{index}]"
        if not isinstance(entry, dict):
            _reject_type(entry_path, "a contextAgent (a JSON object)", entry)
        if not _CONTEXT_AGENT_KEYS.issuperset(entry):
            _reject_unknown_keys(entry, _CONTEXT_AGENT_KEYS, entry_path, "a contextAgent")
        if entry.get("objectType", _ABSENT) != "contextAgent":
            _reject(_child(entry_path, "objectType"), "a contextAgent requires objectType 'contextAgent' "
                                                      "(xAPI 2.0 Context Agents)")
        agent_path = _child(entry_path, "agent")
        agent = entry.get("agent", _ABSENT)
        if agent is _ABSENT:
            _reject(agent_path, "a contextAgent requires 'agent' (xAPI 2.0 Context Agents)")
        if not isinstance(agent, dict):
            _reject_type(agent_path, "an Agent (a JSON object)", agent)
        object_type = agent.get("objectType", "Agent")
        if object_type != "Agent":
            _reject_object_type(object_type, _child(agent_path, "objectType"), ("Agent",))
        _validate_agent(agent, agent_path)
        _check_relevant_types(entry, entry_path)


def _validate_context_groups(context_groups: object, path: str) -> None:
    if not isinstance(context_groups, list):
        _reject_type(path, "an array of contextGroup objects", context_groups)
    for index, entry in enumerate(context_groups):
        entry_path = f"{path}[{index}]"
        if not isinstance(entry, dict):
            _reject_type(entry_path, "a contextGroup (a JSON object)", entry)
        if not _CONTEXT_GROUP_KEYS.issuperset(entry):
            _reject_unknown_keys(entry, _CONTEXT_GROUP_KEYS, entry_path, "a contextGroup")
        if entry.get("objectType", _ABSENT) != "contextGroup":
            _reject(_child(entry_path, "objectType"), "a contextGroup requires objectType 'contextGroup' "
                                                      "(xAPI 2.0 Context Groups)")
        group_path = _child(entry_path, "group")
        group = entry.get("group", _ABSENT)
        if group is _ABSENT:
            _reject(group_path, "a contextGroup requires 'group' (xAPI 2.0 Context Groups)")
        if not isinstance(group, dict):
            _reject_type(group_path, "a Group (a JSON object)", group)
        if group.get("objectType", _ABSENT) != "Group":
            _reject(_child(group_path, "objectType"), "contextGroup.group must be a Group with objectType 'Group'")
        _validate_group(group, group_path)
        _check_relevant_types(entry, entry_path)


def _validate_attachments(attachments: object, path: str) -> None:
    if not isinstance(attachments, list):
        _reject_type(path, "an array of Attachments", attachments)
    for index, attachment in enumerate(attachments):
        item_path = f"{path}[{index}]"
        if not isinstance(attachment, dict):
            _reject_type(item_path, "an Attachment (a JSON object)", attachment)
        if not _ATTACHMENT_KEYS.issuperset(attachment):
            _reject_unknown_keys(attachment, _ATTACHMENT_KEYS, item_path, "an Attachment")
        for required in _ATTACHMENT_REQUIRED:
            if required not in attachment:
                _reject(_child(item_path, required), f"an Attachment requires {required!r} (xAPI Data §2.4.11)")
        _check_iri(attachment["usageType"], item_path, "usageType")
        _check_language_map(attachment["display"], item_path, "display")
        if "description" in attachment:
            _check_language_map(attachment["description"], item_path, "description")
        content_type = attachment["contentType"]
        if not isinstance(content_type, str):
            _reject_type(_child(item_path, "contentType"), "an Internet Media Type string", content_type)
        if _MEDIA_TYPE.match(content_type) is None:
            _reject(_child(item_path, "contentType"), f"{content_type!r} is not an Internet Media Type "
                                                      "(xAPI Data §2.4.11)")
        length = attachment["length"]
        if type(length) is not int:
            _reject_type(_child(item_path, "length"), "an integer number of octets", length)
        if length < 0:
            _reject(_child(item_path, "length"), f"length {length} must not be negative (xAPI Data §2.4.11)")
        sha2 = attachment["sha2"]
        if type(sha2) is not str or _SHA2_HEX.match(sha2) is None:
            if not isinstance(sha2, str):
                _reject_type(_child(item_path, "sha2"), "a hex SHA-2 string", sha2)
            _reject(_child(item_path, "sha2"), f"{sha2!r} is not a hex SHA-2 digest (xAPI Data §2.4.11)")
        if "fileUrl" in attachment:
            _check_iri(attachment["fileUrl"], item_path, "fileUrl", "an IRL")
        if attachment["usageType"] == SIGNATURE_USAGE_TYPE and content_type != "application/octet-stream":
            # xAPI Data §2.6: a signature attachment has contentType application/octet-stream.
            _reject(_child(item_path, "contentType"), "a signature Attachment must have contentType "
                                                      "'application/octet-stream' (xAPI Data §2.6)")


# ---------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------
def _validate_core(statement: dict, path: str, v2: bool, inside_substatement: bool) -> None:
    """What Statements and SubStatements share: actor, verb, object, result, context, timestamp, attachments."""
    for required in ("actor", "verb", "object"):
        if required not in statement:
            # xAPI Data §2.2 / §2.4: a Statement MUST use "actor", "verb" and "object".
            _reject(_child(path, required), f"{required!r} is required (xAPI Data §2.2)")
    _validate_actor(statement["actor"], _child(path, "actor"))
    verb_id = _validate_verb(statement["verb"], _child(path, "verb"))
    object_path = _child(path, "object")
    object_type = _validate_object(statement["object"], object_path, v2, inside_substatement)
    if verb_id == VOIDED_VERB_ID and object_type != "StatementRef" and not inside_substatement:
        # xAPI Data §2.3.2: the Object of a voiding Statement MUST be a StatementRef.
        _reject(_child(object_path, "objectType"), "a voiding Statement (verb 'voided') must have a StatementRef "
                                                   "as its object (xAPI Data §2.3.2)")
    if "result" in statement:
        _validate_result(statement["result"], _child(path, "result"))
    if "context" in statement:
        _validate_context(statement["context"], _child(path, "context"), v2, object_type)
    if "timestamp" in statement:
        timestamp = statement["timestamp"]
        # The 2.0 suite sends "timestamp": null and expects it treated as absent (timestamp = stored).
        if not (timestamp is None and v2 and not inside_substatement):
            _check_timestamp(timestamp, path, "timestamp", v2)
    if "attachments" in statement:
        _validate_attachments(statement["attachments"], _child(path, "attachments"))


def _validate_statement(statement: object, path: str, v2: bool) -> None:
    if not isinstance(statement, dict):
        _reject_type(path, "a Statement (a JSON object)", statement)
    if not _STATEMENT_KEYS.issuperset(statement):
        _reject_unknown_keys(statement, _STATEMENT_KEYS, path, "a Statement")
    if "id" in statement:
        _check_uuid(statement["id"], path, "id")
    _validate_core(statement, path, v2, inside_substatement=False)
    if "stored" in statement:
        # The LRS overwrites stored (Data §2.4.8) but a supplied value must still be a timestamp.
        _check_timestamp(statement["stored"], path, "stored", v2)
    if "authority" in statement:
        _validate_authority(statement["authority"], _child(path, "authority"))
    if "version" in statement:
        statement_version = statement["version"]
        if not isinstance(statement_version, str):
            _reject_type(_child(path, "version"), "a version string", statement_version)
        if (_VERSION_2 if v2 else _VERSION_1).match(statement_version) is None:
            accepted = "1.0.x or 2.0.x" if v2 else "1.0.x"
            _reject(_child(path, "version"), f"Statement version {statement_version!r} is not accepted; "
                                             f"expected {accepted} (xAPI Data §2.4.10)")


def validate_statement(statement: object, version: str) -> None:
    """Raise BadRequest (with `field` = dotted path) unless `statement` is valid for the negotiated version."""
    _validate_statement(statement, "", is_xapi_2(version))


def validate_statements(batch: object, version: str) -> None:
    """Validate a POSTed array of Statements; paths are prefixed with the index, e.g. `[3].actor.mbox`."""
    v2 = is_xapi_2(version)
    if not isinstance(batch, list):
        raise BadRequest(f"a batch of Statements must be a JSON array, not {_json_type(batch)}")
    first_index_of_id: dict[str, int] = {}
    for index, statement in enumerate(batch):
        path = f"[{index}]"
        _validate_statement(statement, path, v2)
        statement_id = statement.get("id")  # type: ignore[union-attr]
        if statement_id is not None:
            # Communication §2.1.1: a batch with two Statements of the same id SHOULD* be rejected.
            key = statement_id.lower()
            if key in first_index_of_id:
                _reject(f"{path}.id", f"Statement id {statement_id!r} is also used by [{first_index_of_id[key]}]; "
                                      "ids within a batch must be unique (xAPI Communication §2.1.1)")
            first_index_of_id[key] = index
