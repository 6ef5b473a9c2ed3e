"""Local sign-in: session cookies, CSRF, throttling, lockout, deactivation and sign-out."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from provisioning.ops.people import update_person
from tests.fixtures.people import PASSWORD, SignedIn, WebClient, make_person


async def test_sign_in_sets_an_httponly_secure_samesite_session_cookie(http: TestClient, database: Database,
                                                                        tenant: Tenant) -> None:
    found = await make_person(database, tenant, roles=["ld_admin"])
    response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": found.email.upper(),
                                                    "password": PASSWORD})
    assert response.status == 200, await response.text()
    cookie = response.cookies["learnhub_session"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    web = WebClient(http, token=cookie.value)
    me = await (await web.request("GET", "/auth/me")).json()
    assert me["id"] == found.person_id and me["tenant"]["slug"] == tenant.slug
    assert [r["role"] for r in me["roles"]] == ["ld_admin"]
    assert "statements.read" in me["permissions"] and "people.write" not in me["permissions"]


async def test_wrong_password_unknown_email_and_unknown_organisation_fail_alike(
        http: TestClient, database: Database, tenant: Tenant) -> None:
    found = await make_person(database, tenant)
    attempts = [(tenant.slug, found.email, "Wrong-Password-1"), (tenant.slug, "nobody@example.test", PASSWORD),
                ("no-such-org", found.email, PASSWORD)]
    messages = set()
    for organisation, email, password in attempts:
        response = await http.post("/auth/login", json={"organisation": organisation, "email": email,
                                                        "password": password})
        assert response.status == 401
        messages.add((await response.json())["error"]["message"])
        assert "learnhub_session" not in response.cookies
    assert len(messages) == 1


async def test_a_person_from_another_tenant_cannot_sign_in_to_this_one(
        http: TestClient, database: Database, tenant: Tenant, other_tenant: Tenant) -> None:
    found = await make_person(database, other_tenant)
    response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": found.email,
                                                    "password": PASSWORD})
    assert response.status == 401


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
        http: TestClient, database: Database, tenant: Tenant) -> None:
    found = await make_person(database, tenant)
    for _ in range(5):
        response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": found.email,
                                                        "password": "Wrong-Password-1"})
        assert response.status == 401
    response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": found.email,
                                                    "password": PASSWORD})
    assert response.status == 401
    assert "locked" in (await response.json())["error"]["message"]


async def test_missing_fields_wrong_content_type_and_cross_site_origin_are_refused(
        http: TestClient, tenant: Tenant) -> None:
    response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": "a@b.test"})
    assert response.status == 400 and (await response.json())["error"]["field"] == "password"
    response = await http.post("/auth/login", data="organisation=x&email=y&password=z",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 415
    response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": "a@b.test",
                                                    "password": "x"}, headers={"Origin": "https://evil.example"})
    assert response.status == 403


async def test_state_changes_without_the_csrf_token_are_refused(signed_in: SignedIn, tenant: Tenant) -> None:
    web = await signed_in(tenant)
    response = await web.request("POST", "/auth/logout", csrf=False)
    assert response.status == 403
    response = await web.request("POST", "/auth/logout", headers={"X-CSRF-Token": "forged"})
    assert response.status == 403
    assert (await web.request("GET", "/auth/me")).status == 200  # still signed in


async def test_sign_out_ends_the_session(signed_in: SignedIn, tenant: Tenant) -> None:
    web = await signed_in(tenant)
    response = await web.request("POST", "/auth/logout")
    assert response.status == 204
    assert (await web.request("GET", "/auth/me")).status == 401


async def test_deactivating_a_person_ends_their_sessions_and_refuses_sign_in(
        signed_in: SignedIn, database: Database, tenant: Tenant, http: TestClient) -> None:
    web = await signed_in(tenant)
    assert web.person is not None
    person = web.person
    await database.transaction(lambda conn: update_person(conn, tenant.id, person.person_id, {"active": False},
                                                          actor="test"))
    assert (await web.request("GET", "/auth/me")).status == 401
    response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": person.email,
                                                    "password": PASSWORD})
    assert response.status == 401


async def test_without_a_session_me_is_401(http: TestClient) -> None:
    response = await http.get("/auth/me")
    assert response.status == 401
    response = await http.get("/auth/me", headers={"Cookie": "learnhub_session=made-up"})
    assert response.status == 401


async def test_organisation_lookup_names_the_tenant_and_404s_for_unknown(http: TestClient, tenant: Tenant) -> None:
    body = await (await http.get(f"/auth/organisations/{tenant.slug}")).json()
    assert body == {"slug": tenant.slug, "name": tenant.name, "sso": False}
    assert (await http.get("/auth/organisations/nope-nope")).status == 404


async def test_failed_sign_ins_from_one_address_are_throttled_but_successes_never_are(
        http: TestClient, database: Database, tenant: Tenant) -> None:
    found = await make_person(database, tenant)
    for _ in range(25):  # more successes than the failure limit: people behind one NAT address
        response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": found.email,
                                                        "password": PASSWORD})
        assert response.status == 200
    for i in range(20):  # a spray over many accounts from one address
        response = await http.post("/auth/login", json={"organisation": tenant.slug,
                                                        "email": f"guess{i}@example.test", "password": "x"})
        assert response.status == 401
    response = await http.post("/auth/login", json={"organisation": tenant.slug, "email": found.email,
                                                    "password": PASSWORD})
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0
