"""xAPI scopes as a closed set, with the umbrella scopes expanded (xAPI 1.0.3 Communication §4.2)."""

from __future__ import annotations

from hub.errors import BadRequest

STATEMENTS_WRITE = "statements/write"
STATEMENTS_READ = "statements/read"
STATEMENTS_READ_MINE = "statements/read/mine"
STATE = "state"
DEFINE = "define"
PROFILE = "profile"
ALL_READ = "all/read"
ALL = "all"

SCOPES = frozenset({STATEMENTS_WRITE, STATEMENTS_READ, STATEMENTS_READ_MINE, STATE, DEFINE, PROFILE, ALL_READ, ALL})

# What each scope grants, as (resource, access) permissions.
_GRANTS: dict[str, frozenset[str]] = {
    STATEMENTS_WRITE: frozenset({"statements:write"}),
    STATEMENTS_READ: frozenset({"statements:read", "statements:read_mine", "definitions:read"}),
    STATEMENTS_READ_MINE: frozenset({"statements:read_mine"}),
    STATE: frozenset({"state:read", "state:write"}),
    DEFINE: frozenset({"definitions:read", "definitions:write"}),
    PROFILE: frozenset({"profile:read", "profile:write"}),
    ALL_READ: frozenset({"statements:read", "statements:read_mine", "state:read", "profile:read", "definitions:read"}),
}
_GRANTS[ALL] = frozenset().union(*_GRANTS.values(), {"statements:write", "state:write", "profile:write"})


def parse_scopes(text: str) -> frozenset[str]:
    """Parse a comma- or space-separated scope list, rejecting anything outside the closed set."""
    scopes = frozenset(part for part in text.replace(",", " ").split() if part)
    unknown = scopes - SCOPES
    if unknown:
        raise BadRequest(f"unknown scope(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(SCOPES))}",
                         field="scopes")
    if not scopes:
        raise BadRequest("at least one scope is required", field="scopes")
    return scopes


def permissions(scopes: frozenset[str]) -> frozenset[str]:
    return frozenset().union(*(_GRANTS[s] for s in scopes))
