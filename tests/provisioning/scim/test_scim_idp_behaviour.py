"""What Microsoft Entra ID and Okta rely on (identity.md §3, rows 1-21), against the real aiohttp app."""

from __future__ import annotations

import time
import uuid

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from tests.fixtures.people import SignedIn
from tests.provisioning.scim.helpers import ENTERPRISE, ERROR, GROUP, LIST, SCIM, USER, body, scim_for


async def test_filter_username_eq_without_match_is_an_empty_list(http: TestClient, database: Database,
                                                                tenant: Tenant) -> None:
    # Row 1: Entra's "test connection" and Okta SPEC step 3.
    scim = await scim_for(database, http, tenant)
    response = await scim.get("/Users", filter=f'userName eq "{uuid.uuid4()}"')
    assert response.status == 200
    found = await body(response)
    assert found["schemas"] == [LIST] and found["totalResults"] == 0 and found.get("Resources", []) == []


async def test_filter_username_eq_is_case_insensitive(http: TestClient, database: Database, tenant: Tenant) -> None:
    # Row 2: userName is caseExact=false (RFC 7643 §4.1.1).
    scim = await scim_for(database, http, tenant)
    created = await scim.create_user("Barbara.Jensen@Example.test")
    for spelling in ("barbara.jensen@example.test", "BARBARA.JENSEN@EXAMPLE.TEST"):
        found = await body(await scim.get("/Users", filter=f'userName eq "{spelling}"'))
        assert [r["id"] for r in found["Resources"]] == [created["id"]]


async def test_filter_external_id_and_group_display_name(http: TestClient, database: Database,
                                                         tenant: Tenant) -> None:
    # Row 3: Entra matches users by externalId and groups by displayName, excluding members.
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user(externalId="entra-0001")
    await scim.create_user(externalId="ENTRA-0001")  # externalId is caseExact (RFC 7643 §3.1)
    found = await body(await scim.get("/Users", filter='externalId eq "entra-0001"'))
    assert [r["id"] for r in found["Resources"]] == [user["id"]]
    group = await scim.create_group("Sales EMEA", [user["id"]])
    found = await body(await scim.get("/Groups", filter='displayName eq "sales emea"',
                                      excludedAttributes="members"))
    assert [r["id"] for r in found["Resources"]] == [group["id"]]
    assert "members" not in found["Resources"][0]


async def test_okta_list_users_shape_and_response_time(http: TestClient, database: Database, tenant: Tenant) -> None:
    # Row 4: Okta's connection test reads the first user of a page and needs these attributes.
    scim = await scim_for(database, http, tenant)
    await scim.create_user()
    await scim.create_user()
    started = time.monotonic()
    response = await scim.get("/Users", count="2", startIndex="1")
    elapsed = time.monotonic() - started
    found = await body(response)
    assert all(isinstance(found[k], int) for k in ("itemsPerPage", "startIndex", "totalResults"))
    assert found["startIndex"] == 1 and found["itemsPerPage"] == 2 and found["totalResults"] == 2
    first = found["Resources"][0]
    assert first["id"] and first["userName"] and first["active"] is True
    assert first["name"]["givenName"] and first["name"]["familyName"] and first["emails"][0]["value"]
    assert elapsed < 0.6


async def test_get_unknown_user_is_404_with_the_error_schema(http: TestClient, database: Database,
                                                             tenant: Tenant) -> None:
    # Row 5.
    scim = await scim_for(database, http, tenant)
    response = await scim.get(f"/Users/{uuid.uuid4()}")
    assert response.status == 404
    error = await body(response)
    assert error["schemas"] == [ERROR] and error["status"] == "404" and error["detail"]


async def test_post_user_and_duplicate_user_name(http: TestClient, database: Database, tenant: Tenant) -> None:
    # Row 6 and §5c C13: 201 with id and the echoed values; the same userName in any case is a 409.
    scim = await scim_for(database, http, tenant)
    response = await scim.post("/Users", {"schemas": [USER], "userName": "okta.user@example.test",
                                          "name": {"givenName": "Okta", "familyName": "User"},
                                          "emails": [{"value": "okta.user@example.test", "primary": True}],
                                          "active": True})
    assert response.status == 201
    created = await body(response)
    assert created["id"] and created["active"] is True and created["userName"] == "okta.user@example.test"
    assert created["name"] == {"givenName": "Okta", "familyName": "User"}
    assert response.headers["Location"].endswith(f"/scim/v2/Users/{created['id']}")
    assert response.headers["ETag"] == created["meta"]["version"]
    duplicate = await scim.post("/Users", {"schemas": [USER], "userName": "OKTA.USER@example.TEST"})
    assert duplicate.status == 409
    assert (await body(duplicate))["scimType"] == "uniqueness"


async def test_patch_op_names_in_any_case(http: TestClient, database: Database, tenant: Tenant) -> None:
    # Row 7 (Entra sends "Replace", "Add") and row 17 (200 with the resource).
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user()
    response = await scim.patch(f"/Users/{user['id']}", {"op": "Replace", "path": "title", "value": "Engineer"},
                                {"op": "Add", "path": "nickName", "value": "Babs"})
    assert response.status == 200
    patched = await body(response)
    assert patched["title"] == "Engineer" and patched["nickName"] == "Babs"
    assert response.headers["ETag"] == patched["meta"]["version"] != user["meta"]["version"]


async def test_pathless_replace_deactivates_and_the_person_stays_readable(
        http: TestClient, database: Database, tenant: Tenant, signed_in: SignedIn) -> None:
    # Rows 8 and 13, §5c C14: Okta deactivates with a path-less replace; the person is kept with
    # active false, every session ends at once, and signing in is refused.
    web = await signed_in(tenant)
    assert web.person is not None
    assert (await web.request("GET", "/auth/me")).status == 200
    scim = await scim_for(database, http, tenant)
    response = await scim.patch(f"/Users/{web.person.person_id}", {"op": "replace", "value": {"active": False}})
    assert response.status == 200 and (await body(response))["active"] is False
    read = await body(await scim.get(f"/Users/{web.person.person_id}"))
    assert read["active"] is False and read["userName"] == web.person.user_name
    assert (await web.request("GET", "/auth/me")).status == 401
    assert (await web.sign_in(tenant.slug, web.person.email or "")).status != 200
    # Row 13: the hard delete comes later (Entra) or never (Okta); when it comes, the person is gone.
    assert (await scim.delete(f"/Users/{web.person.person_id}")).status == 204
    assert (await scim.get(f"/Users/{web.person.person_id}")).status == 404


async def test_pathless_replace_with_dotted_and_urn_keys(http: TestClient, database: Database,
                                                         tenant: Tenant) -> None:
    # Row 9: Entra's path-less Replace names sub-attributes and extension attributes in the keys.
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user()
    response = await scim.patch(f"/Users/{user['id']}", {"op": "Replace", "value": {
        "name.givenName": "Babs", f"{ENTERPRISE}:department": "Finance",
        f"{ENTERPRISE}:employeeNumber": "E-77"}})
    assert response.status == 200, await response.text()
    patched = await body(response)
    assert patched["name"]["givenName"] == "Babs" and patched["name"]["familyName"] == "Jensen"
    assert patched[ENTERPRISE]["department"] == "Finance" and patched[ENTERPRISE]["employeeNumber"] == "E-77"


async def test_replace_through_a_value_filter_path(http: TestClient, database: Database, tenant: Tenant) -> None:
    # Row 10: emails[type eq "work"].value; the primary e-mail is the person's sign-in e-mail.
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user(emails=[{"value": "old@example.test", "type": "work", "primary": True},
                                          {"value": "home@example.test", "type": "home"}])
    response = await scim.patch(f"/Users/{user['id']}", {"op": "replace", "path": 'emails[type eq "work"].value',
                                                          "value": "new@example.test"})
    patched = await body(response)
    assert {e["type"]: e["value"] for e in patched["emails"]} == {"work": "new@example.test",
                                                                  "home": "home@example.test"}
    found = await body(await scim.get("/Users", filter='emails[type eq "work" and value eq "new@example.test"]'))
    assert [r["id"] for r in found["Resources"]] == [user["id"]]


async def test_add_through_a_filter_that_matches_nothing_yet(http: TestClient, database: Database,
                                                             tenant: Tenant) -> None:
    # Row 11: needs ScimPolicy(unmatched_path_filter=create).
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user()
    response = await scim.patch(f"/Users/{user['id']}", {"op": "Add", "path": 'phoneNumbers[type eq "mobile"].value',
                                                          "value": "+44 7700 900123"})
    assert response.status == 200, await response.text()
    assert (await body(response))["phoneNumbers"] == [{"type": "mobile", "value": "+44 7700 900123"}]
    read = await body(await scim.get(f"/Users/{user['id']}"))
    assert read["phoneNumbers"] == [{"type": "mobile", "value": "+44 7700 900123"}]


async def test_active_as_the_string_false(http: TestClient, database: Database, tenant: Tenant) -> None:
    # Row 12: Entra before the aadOptscim062020 fix sends booleans as strings.
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user()
    response = await scim.patch(f"/Users/{user['id']}", {"op": "Replace", "path": "active", "value": "False"})
    assert response.status == 200 and (await body(response))["active"] is False


async def test_group_members_add_remove_with_value_list_and_remove_by_filter(
        http: TestClient, database: Database, tenant: Tenant) -> None:
    # Rows 14-16: Add members; Entra's Remove with a value list removes only those; Okta's filter.
    scim = await scim_for(database, http, tenant)
    a, b, c = [(await scim.create_user())["id"] for _ in range(3)]
    group = await scim.create_group("Field crew")
    path = f"/Groups/{group['id']}"
    response = await scim.patch(path, {"op": "Add", "path": "members", "value": [{"value": a}, {"value": b},
                                                                                 {"value": c}]})
    assert response.status == 200
    assert sorted(m["value"] for m in (await body(response))["members"]) == sorted([a, b, c])
    response = await scim.patch(path, {"op": "Remove", "path": "members", "value": [{"value": a}]})
    assert response.status == 200, await response.text()
    assert sorted(m["value"] for m in (await body(response))["members"]) == sorted([b, c])
    response = await scim.patch(path, {"op": "remove", "path": f'members[value eq "{b}"]'})
    assert [m["value"] for m in (await body(response))["members"]] == [c]
    user = await body(await scim.get(f"/Users/{c}"))
    assert [g["value"] for g in user["groups"]] == [group["id"]]


async def test_content_types(http: TestClient, database: Database, tenant: Tenant) -> None:
    # Row 20: answers are application/scim+json; application/json requests are accepted; text/plain is 415.
    scim = await scim_for(database, http, tenant)
    response = await scim.post("/Users", {"schemas": [USER], "userName": "json@example.test"},
                               content_type="application/json")
    assert response.status == 201 and response.content_type == SCIM
    response = await scim.post("/Users", {"schemas": [USER], "userName": "text@example.test"},
                               content_type="text/plain")
    assert response.status == 415 and response.content_type == SCIM


async def test_put_without_active_does_not_deactivate(http: TestClient, database: Database, tenant: Tenant) -> None:
    # Row 21 (decided): Okta's PUT may leave `active` out; a missing attribute keeps the person's state.
    scim = await scim_for(database, http, tenant)
    user = await scim.create_user()
    replacement = {"schemas": [USER], "userName": user["userName"], "name": {"givenName": "Barbara",
                   "familyName": "Jensen-Smith"}, "emails": user["emails"]}
    response = await scim.put(f"/Users/{user['id']}", replacement)
    assert response.status == 200
    read = await body(await scim.get(f"/Users/{user['id']}"))
    assert read["name"]["familyName"] == "Jensen-Smith" and read.get("active", True) is True
    found = await body(await scim.get("/Users", filter="active eq false"))
    assert found["totalResults"] == 0


async def test_enterprise_extension_maps_to_the_person(http: TestClient, database: Database, tenant: Tenant) -> None:
    # employeeNumber, department and manager.value are the person's columns; the rest round-trips.
    scim = await scim_for(database, http, tenant)
    manager = await scim.create_user()
    user = await scim.create_user(title="Welder", **{"schemas": [USER, ENTERPRISE], ENTERPRISE: {
        "employeeNumber": "E-1", "department": "Operations", "costCenter": "CC-9",
        "manager": {"value": manager["id"]}}})
    ent = user[ENTERPRISE]
    assert ent["employeeNumber"] == "E-1" and ent["department"] == "Operations" and ent["costCenter"] == "CC-9"
    assert ent["manager"]["value"] == manager["id"]

    def person_row(conn):  # type: ignore[no-untyped-def]
        from provisioning.ops.people import get_person
        return get_person(conn, tenant.id, user["id"])

    found = await database.read(person_row)
    assert (found.employee_number, found.department, found.manager_id, found.job_title) == (
        "E-1", "Operations", manager["id"], "Welder")
    assert found.email == user["userName"].lower()
    bad = await scim.create_user_response(**{"schemas": [USER, ENTERPRISE],
                                             ENTERPRISE: {"manager": {"value": str(uuid.uuid4())}}})
    assert bad.status == 400 and (await body(bad))["scimType"] == "invalidValue"


async def test_discovery_endpoints(http: TestClient, database: Database, tenant: Tenant) -> None:
    scim = await scim_for(database, http, tenant)
    config = await body(await scim.get("/ServiceProviderConfig"))
    assert config["patch"]["supported"] and config["filter"] == {"supported": True, "maxResults": 1000}
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    schemas = await body(await scim.get("/Schemas"))
    assert {s["id"] for s in schemas["Resources"]} >= {USER, GROUP, ENTERPRISE}
    types = await body(await scim.get("/ResourceTypes"))
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
    assert (await scim.request("DELETE", "/Schemas")).status == 405
