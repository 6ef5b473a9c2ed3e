"""Pure rules: attributes to the JIT record, role mapping, and which RelayState values are safe."""

from __future__ import annotations

import pytest

from provisioning.saml.mapping import (
    NAMEID_EMAIL,
    MappingRejected,
    check_role_map,
    map_identity,
    map_roles,
    safe_relay_state,
)

ENTRA = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


@pytest.mark.parametrize("value", ["/", "/#/people", "/app?x=1&y=/z", "/static/a.js"])
def test_local_paths_are_safe_relay_states(value: str) -> None:
    assert safe_relay_state(value) == value


@pytest.mark.parametrize("value", [None, "", "https://evil.example/", "//evil.example", "/\\evil.example",
                                   "javascript:alert(1)", "evil.example", "/\r\nSet-Cookie: x=1", "\t/x",
                                   "/" + "a" * 1000, "http:/evil.example"])
def test_other_relay_states_are_refused(value: str | None) -> None:
    assert safe_relay_state(value) is None


def test_roles_are_mapped_and_unmapped_values_fall_back_to_the_default_role() -> None:
    role_map = {"LMS-Admins": "ld_admin", "Crew": "supervisor"}
    assert map_roles(["Crew", "LMS-Admins", "Other"], role_map, "learner") == ("ld_admin", "supervisor")
    assert map_roles(["Other"], role_map, "learner") == ("learner",)
    assert map_roles([], role_map, "ld_analyst") == ("ld_analyst",)


def test_entra_claims_map_to_the_jit_record_with_a_lower_cased_email() -> None:
    record = map_identity(
        idp_entity_id="https://sts.windows.net/t/", name_id="abc123", name_id_format=None,
        identity={f"{ENTRA}emailaddress": ["Ada.Lovelace@Example.COM"], f"{ENTRA}givenname": ["Ada"],
                  f"{ENTRA}surname": ["Lovelace"],
                  "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": ["LMS-Admins"]},
        attribute_map={}, role_map={"LMS-Admins": "ld_admin"}, default_role="learner", session_index="_s1")
    assert record.email == "ada.lovelace@example.com"
    assert (record.given_name, record.family_name, record.display_name) == ("Ada", "Lovelace", "Ada Lovelace")
    assert record.roles == ("ld_admin",) and record.session_index == "_s1"


def test_the_tenants_attribute_map_names_the_attribute_to_use() -> None:
    record = map_identity(
        idp_entity_id="idp", name_id="n", name_id_format=None,
        identity={"mail": ["wrong@example.test"], "upn": ["right@example.test"], "groups": ["G1"], "role": ["R"]},
        attribute_map={"email": "upn", "roles": "groups"}, role_map={"G1": "finance", "R": "ld_admin"},
        default_role="learner", session_index=None)
    assert record.email == "right@example.test" and record.roles == ("finance",)


def test_an_email_name_id_stands_in_for_a_missing_email_attribute() -> None:
    record = map_identity(idp_entity_id="idp", name_id="Who@Example.TEST", name_id_format=NAMEID_EMAIL,
                          identity={}, attribute_map={}, role_map={}, default_role="learner", session_index=None)
    assert record.email == "who@example.test"
    opaque = map_identity(idp_entity_id="idp", name_id="opaque-id", name_id_format=None, identity={},
                          attribute_map={}, role_map={}, default_role="learner", session_index=None)
    assert opaque.email is None


def test_role_map_values_must_be_known_roles() -> None:
    assert check_role_map({"A": "finance"}) == {"A": "finance"}
    with pytest.raises(MappingRejected, match="unknown role"):
        check_role_map({"A": "god"})
