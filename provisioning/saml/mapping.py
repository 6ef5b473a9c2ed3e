"""Pure rules of SAML sign-in: attributes to a JIT record, IdP roles to learnhub roles, safe RelayState.

No I/O here; the ACS handler and the settings ops call these with plain data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from provisioning.roles import Role

NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

# learnhub field → the attribute names tried in order when the tenant's attribute_map does not name one.
# Covers Entra/ADFS claim URIs, the LDAP OIDs (urn:oid) and their friendly names, and plain names.
DEFAULT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "email": ("email", "mail", "emailAddress", "emailaddress",
              "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
              "urn:oid:0.9.2342.19200300.100.1.3"),
    "given_name": ("givenName", "given_name", "firstName",
                   "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "urn:oid:2.5.4.42"),
    "family_name": ("sn", "surname", "family_name", "lastName",
                    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "urn:oid:2.5.4.4"),
    "display_name": ("displayName", "display_name", "name",
                     "http://schemas.microsoft.com/identity/claims/displayname",
                     "urn:oid:2.16.840.1.113730.3.1.241"),
    "roles": ("role", "roles", "groups", "memberOf", "eduPersonAffiliation",
              "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
              "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"),
}
MAPPED_FIELDS = tuple(DEFAULT_ATTRIBUTES)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_RELAY_STATE = 1000


class MappingRejected(ValueError):
    """An attribute or role map an admin sent is not usable; `field` names where."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class JitRecord:
    """Who signed in, as identity.md §4.5 lists it; upserted by (tenant, idp_entity_id, name_id)."""

    idp_entity_id: str
    name_id: str
    name_id_format: str | None
    email: str | None
    given_name: str
    family_name: str
    display_name: str
    roles: tuple[str, ...]
    session_index: str | None


def _first(identity: Mapping[str, Any], names: Iterable[str]) -> str:
    for name in names:
        values = identity.get(name)
        if isinstance(values, (list, tuple)):
            for value in values:
                if isinstance(value, str) and value.strip():
                    return value.strip()
        elif isinstance(values, str) and values.strip():
            return values.strip()
    return ""


def _all(identity: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        values = identity.get(name)
        if isinstance(values, str):
            values = [values]
        if isinstance(values, (list, tuple)):
            found.extend(v.strip() for v in values if isinstance(v, str) and v.strip())
    return found


def _names(attribute_map: Mapping[str, str], field: str) -> tuple[str, ...]:
    chosen = attribute_map.get(field)
    return (chosen,) if chosen else DEFAULT_ATTRIBUTES[field]


def map_roles(values: Iterable[str], role_map: Mapping[str, str], default_role: str) -> tuple[str, ...]:
    """The learnhub roles for the IdP's role values; none mapped → the tenant's default role."""
    mapped = {role_map[value] for value in values if value in role_map}
    return tuple(sorted(mapped)) if mapped else (default_role,)


def map_identity(*, idp_entity_id: str, name_id: str, name_id_format: str | None, identity: Mapping[str, Any],
                 attribute_map: Mapping[str, str], role_map: Mapping[str, str], default_role: str,
                 session_index: str | None) -> JitRecord:
    """The JIT record for an accepted assertion. E-mail is lower-cased; without an e-mail attribute an
    emailAddress-format NameID stands in for it."""
    email = _first(identity, _names(attribute_map, "email"))
    if not email and name_id_format == NAMEID_EMAIL:
        email = name_id
    email = email.lower() if email and _EMAIL.match(email) else ""
    given = _first(identity, _names(attribute_map, "given_name"))
    family = _first(identity, _names(attribute_map, "family_name"))
    display = _first(identity, _names(attribute_map, "display_name")) or f"{given} {family}".strip()
    roles = map_roles(_all(identity, _names(attribute_map, "roles")), role_map, default_role)
    return JitRecord(idp_entity_id=idp_entity_id, name_id=name_id, name_id_format=name_id_format,
                     email=email or None, given_name=given[:200], family_name=family[:200],
                     display_name=display[:400], roles=roles, session_index=session_index)


def safe_relay_state(value: str | None) -> str | None:
    """`value` when it is a same-origin relative path, else None: a free-form RelayState is an open
    redirect (identity.md §5b, SP rules). Refuses `//host`, `/\\host`, schemes and control characters."""
    if not value or len(value) > MAX_RELAY_STATE or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def check_attribute_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingRejected("attribute_map must be a JSON object", "attribute_map")
    cleaned: dict[str, str] = {}
    for key, attribute in value.items():
        if key not in MAPPED_FIELDS:
            raise MappingRejected(f"attribute_map: unknown field {key!r}; fields are {', '.join(MAPPED_FIELDS)}",
                                  "attribute_map")
        if not isinstance(attribute, str) or not attribute.strip() or len(attribute) > 500:
            raise MappingRejected(f"attribute_map: {key!r} must name a SAML attribute", "attribute_map")
        cleaned[key] = attribute.strip()
    return cleaned


def check_role(value: Any, field: str) -> str:
    known = [role.value for role in Role]
    if not isinstance(value, str) or value not in known:
        raise MappingRejected(f"{field}: unknown role {value!r}; roles are {', '.join(known)}", field)
    return value


def check_role_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise MappingRejected("role_map must be a JSON object", "role_map")
    cleaned: dict[str, str] = {}
    for key, role in value.items():
        if not key.strip() or len(key) > 500:
            raise MappingRejected("role_map: an IdP role value must be 1 to 500 characters", "role_map")
        cleaned[key] = check_role(role, "role_map")
    return cleaned
