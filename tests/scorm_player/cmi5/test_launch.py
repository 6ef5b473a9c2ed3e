"""Launch and fetch (cmi5 §8, §10, §11; CATAPULT LTS 001): the launch URL, LMS.LaunchData, the learner
preferences, `launched` first, the single-use fetch URL and the session credential it hands out."""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl, urlsplit

from scorm_player.cmi5.vocabulary import (
    CATEGORY_CMI5,
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_PARAMETERS,
    EXT_LAUNCH_URL,
    EXT_MASTERY_SCORE,
    EXT_MOVE_ON,
    EXT_SESSION_ID,
)
from tests.fixtures.http import XAPIClient
from tests.scorm_player.cmi5.conftest import CourseFactory, registration_statements, verbs

ESSENTIALS = "001-essentials.cmi5.xml"
PUBLISHER_AU = "https://w3id.org/xapi/cmi5/catapult/lts/au/001-essentials"


async def test_launch_redirects_to_the_au_with_the_five_launch_parameters_and_its_own_query(
        course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    stub = await found.launch()
    assert stub.au_path == f"/content/{found.package.id}/index.html"
    query = dict(parse_qsl(urlsplit(stub.location).query))
    assert {"paramA": "1", "paramB": "2"}.items() <= query.items()  # the AU's own query string is kept
    assert set(query) == {"paramA", "paramB", "endpoint", "fetch", "actor", "registration", "activityId"}
    assert stub.endpoint.endswith("/xapi")  # cmi5.js adds "/statements" itself
    assert stub.registration == found.registration_id
    assert stub.activity_id != PUBLISHER_AU  # 8.1.5.0-3
    assert set(stub.actor["account"]) == {"homePage", "name"}  # 9.2.0.0-3
    assert stub.actor["account"]["name"] == found.learner.person.person_id  # type: ignore[union-attr]
    again = await found.launch()
    assert again.activity_id == stub.activity_id  # 8.1.5.0-4: the same id for every launch of the AU


async def test_launch_writes_launch_data_and_learner_preferences_and_records_launched_first(
        course: CourseFactory, lrs_reader: XAPIClient) -> None:
    found = await course(ESSENTIALS)
    stub = await found.launch()
    await stub.start()
    data = stub.launch_data
    assert data["launchMode"] == "Normal"
    assert data["moveOn"] == "CompletedAndPassed"
    assert data["masteryScore"] == 0.9
    assert data["launchParameters"] == "sample string"
    assert data["entitlementKey"] == {"courseStructure": "sample value"}
    assert data["returnURL"].endswith("/#/learning")
    assert data["contextTemplate"]["contextActivities"]["grouping"] == [{"id": PUBLISHER_AU}]
    session_id = stub.session_id
    assert set(stub.preferences or {}) == {"languagePreference", "audioPreference"}

    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched"]
    launched = statements[0]
    extensions = launched["context"]["extensions"]
    assert extensions[EXT_SESSION_ID] == session_id
    assert extensions[EXT_LAUNCH_MODE] == "Normal"
    assert extensions[EXT_MOVE_ON] == "CompletedAndPassed"
    assert extensions[EXT_MASTERY_SCORE] == 0.9
    assert extensions[EXT_LAUNCH_PARAMETERS] == "sample string"
    launch_url = urlsplit(extensions[EXT_LAUNCH_URL])
    assert launch_url.path == stub.au_path
    assert dict(parse_qsl(launch_url.query)) == {"paramA": "1", "paramB": "2"}  # 9.6.3.4-1: without ours
    assert {"id": CATEGORY_CMI5} in launched["context"]["contextActivities"]["category"]
    assert launched["object"]["id"] == stub.activity_id
    assert launched["actor"]["account"] == stub.actor["account"]
    assert launched["context"]["registration"] == found.registration_id


async def test_fetch_hands_out_the_token_once_then_error_code_1(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    stub = await found.launch()
    first = await stub.fetch()
    assert set(first) == {"auth-token"}
    key, _, secret = base64.b64decode(first["auth-token"]).decode().partition(":")
    assert key.startswith("cmi5-") and secret
    assert await stub.fetch() == {"error-code": "1", "error-text": "Already in Use"}


async def test_fetch_with_an_unknown_token_answers_an_error_code_not_a_token(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    response = await found.learner.client.post("/cmi5/fetch/not-a-real-token")
    assert response.status == 200
    body = await response.json()
    assert "auth-token" not in body
    assert body["error-code"] == "3"


async def test_session_credential_works_only_once_fetched_and_only_for_its_learner(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    stub = await found.launch()
    token = await stub.fetch()
    stub.auth = "Basic " + token["auth-token"]
    assert (await stub.xapi("GET", "activities/state", params=stub.state_params())).status == 200
    wrong_secret = base64.b64encode(base64.b64decode(token["auth-token"]) + b"x").decode()
    assert (await stub.xapi("GET", "statements", auth="Basic " + wrong_secret)).status == 401
    other = dict(stub.actor, account={"homePage": stub.actor["account"]["homePage"], "name": "someone-else"})
    params = dict(stub.state_params(), agent=__import__("json").dumps(other))
    response = await stub.xapi("GET", "activities/state", params=params)
    assert response.status == 403
    assert (await response.json())["error"]["details"]["requirement"] == "8.1.3.0-3"


async def test_an_au_may_not_change_launch_data_or_learner_preferences(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    stub = await found.launch()
    await stub.start()
    response = await stub.xapi("PUT", "activities/state", params=stub.state_params(), json_body={"x": 1})
    assert (await response.json())["error"]["details"]["requirement"] == "10.2.1.0-5"
    response = await stub.xapi("POST", "agents/profile", params=stub.preferences_params(),
                               json_body={"languagePreference": "fr", "audioPreference": "off"})
    assert response.status == 403
    assert (await response.json())["error"]["details"]["requirement"] == "11.0.0.0-2"
    # Its own state is its to keep.
    response = await stub.xapi("PUT", "activities/state", params=stub.state_params("bookmark"), json_body={"p": 3})
    assert response.status == 204, await response.text()


async def test_launch_is_for_the_registration_owner_only(course: CourseFactory, signed_in: object) -> None:
    found = await course(ESSENTIALS)
    other = await signed_in(found.tenant)  # type: ignore[operator]
    response = await other.request("GET", f"/cmi5/launch/{found.registration_id}/0", allow_redirects=False)
    assert response.status == 404
    response = await other.request("GET", f"/api/v1/cmi5/registrations/{found.registration_id}")
    assert response.status == 404
    anonymous = await found.learner.client.get(f"/cmi5/launch/{found.registration_id}/0", allow_redirects=False)
    assert anonymous.status == 401


async def test_another_tenant_sees_nothing_of_a_registration(course: CourseFactory, signed_in: object,
                                                             other_tenant: object) -> None:
    found = await course(ESSENTIALS)
    stranger = await signed_in(other_tenant, roles=["learner", "ld_admin"])  # type: ignore[operator]
    for method, path in (("GET", f"/cmi5/launch/{found.registration_id}/0"),
                         ("GET", f"/api/v1/cmi5/registrations/{found.registration_id}"),
                         ("POST", f"/api/v1/cmi5/registrations/{found.registration_id}/aus/0/waive")):
        response = await stranger.request(method, path, allow_redirects=False, json={})
        assert response.status == 404, (path, await response.text())
    response = await stranger.request("POST", "/api/v1/cmi5/registrations", json={"package_id": found.package.id})
    assert response.status == 404



async def test_a_session_credential_reads_only_the_statements_it_wrote(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    stub = await found.started()
    initialized = stub.initialized()
    await stub.send_ok(initialized)
    response = await stub.xapi("GET", "statements", params={"registration": found.registration_id})
    assert response.status == 200
    assert [s["id"] for s in (await response.json())["statements"]] == [initialized["id"]]  # not `launched`


async def test_launching_an_unknown_au_or_a_scorm_registration_is_not_found(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    response = await found.learner.request("GET", f"/cmi5/launch/{found.registration_id}/7", allow_redirects=False)
    assert response.status == 404
    response = await found.learner.request("GET", f"/cmi5/launch/{found.registration_id}/0?mode=Sideways",
                                           allow_redirects=False)
    assert response.status == 400


async def test_state_of_another_registration_is_refused(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    stub = await found.started()
    params = dict(stub.state_params("bookmark"), registration="0b1c2d3e-4f50-4a6b-8c7d-8e9f0a1b2c3d")
    response = await stub.xapi("GET", "activities/state", params=params)
    assert response.status == 403
    assert (await response.json())["error"]["details"]["requirement"] == "8.1.4.0-3"


async def test_a_terminated_session_reads_but_writes_nothing_more(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    stub = await found.started()
    await stub.send_ok(stub.initialized(), stub.terminated())
    assert (await stub.xapi("GET", "activities/state", params=stub.state_params())).status == 200
    response = await stub.xapi("PUT", "activities/state", params=stub.state_params("bookmark"), json_body={"p": 1})
    assert (await response.json())["error"]["details"]["requirement"] == "8.1.2.0-2"


async def test_the_fetch_url_of_an_abandoned_session_has_expired(course: CourseFactory) -> None:
    found = await course(ESSENTIALS)
    first = await found.launch()
    await found.launch()  # the first session, never started, is abandoned
    assert await first.fetch() == {"error-code": "2", "error-text": "Expired"}
