"""CATAPULT's LMS Test Suite runtime cases (lts/procedure.md, "Runtime Verification") with a Python stub AU:
the statements of each registration, read back from our LRS in ascending order, as the procedure checks them."""

from __future__ import annotations

from typing import Any

from scorm_player.cmi5.vocabulary import (
    ACTIVITY_TYPE_BLOCK,
    ACTIVITY_TYPE_COURSE,
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_REASON,
    EXT_SESSION_ID,
)
from tests.fixtures.http import XAPIClient
from tests.fixtures.people import SignedIn, WebClient
from tests.scorm_player.cmi5.conftest import CourseFactory, registration_statements, verbs

LTS_IRI = "https://w3id.org/xapi/cmi5/catapult/lts/"


def categories(statement: dict[str, Any]) -> list[str]:
    return [a["id"] for a in statement["context"]["contextActivities"].get("category", [])]


def grouping(statement: dict[str, Any]) -> list[str]:
    return [a["id"] for a in statement["context"]["contextActivities"].get("grouping", [])]


def session_of(statement: dict[str, Any]) -> str:
    return str(statement["context"]["extensions"][EXT_SESSION_ID])


async def test_001_essentials(course: CourseFactory, lrs_reader: XAPIClient) -> None:
    found = await course("001-essentials.cmi5.xml")
    au = await found.started()
    await au.send_ok(au.initialized())
    await au.send_ok(au.completed())
    await au.send_ok(au.judged(True, 0.95))
    await au.send_ok(au.terminated())

    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched", "initialized", "completed", "passed", "satisfied", "satisfied",
                                 "terminated"]
    assert CATEGORY_CMI5 in categories(statements[0])
    block, course_done = statements[4], statements[5]
    assert block["object"]["definition"]["type"] == ACTIVITY_TYPE_BLOCK
    assert block["object"]["id"] != LTS_IRI + "block/001-essentials"  # 9.3.9.0-4
    assert grouping(block) == [LTS_IRI + "block/001-essentials"]
    assert course_done["object"]["definition"]["type"] == ACTIVITY_TYPE_COURSE
    assert course_done["object"]["id"] != LTS_IRI + "course/001-essentials"  # 9.3.9.0-8
    assert grouping(course_done) == [LTS_IRI + "course/001-essentials"]
    for satisfied in (block, course_done):
        assert session_of(satisfied) == au.session_id  # 9.3.9.0-9
        assert CATEGORY_CMI5 in categories(satisfied)
        assert satisfied["context"]["registration"] == found.registration_id

    status = await (await found.learner.request("GET", f"/api/v1/cmi5/registrations/{found.registration_id}")).json()
    assert (status["completion_status"], status["success_status"], status["score_scaled"]) == (
        "completed", "passed", 0.95)
    assert status["course"]["satisfied"] is True
    block_json = status["course"]["children"][0]
    assert block_json["type"] == "block" and block_json["satisfied"] is True
    au_json = block_json["children"][0]
    assert (au_json["completed"], au_json["passed"], au_json["satisfied"]) == (True, True, True)
    assert au_json["launch_url"] == f"/cmi5/launch/{found.registration_id}/0"
    assert status["attempt_count"] == 1 and status["total_time_seconds"] == 30


async def test_002_allowed_statements_between_initialized_and_terminated(
        course: CourseFactory, lrs_reader: XAPIClient) -> None:
    found = await course("002-allowed.cmi5.xml")
    au = await found.started()
    experienced = au.statement("http://adlnet.gov/expapi/verbs/experienced", defined=False)
    assert await au.rejected(experienced) == "9.3.0.0-4"  # not before initialized
    await au.send_ok(au.initialized())
    await au.send_ok(experienced)
    await au.send_ok(au.terminated())
    late = au.statement("http://adlnet.gov/expapi/verbs/experienced", defined=False)
    assert await au.rejected(late) == "9.3.0.0-5"  # nor after terminated
    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched", "initialized", "experienced", "terminated"]


async def move_on_case(course: CourseFactory, reader: XAPIClient, name: str, *sends: str) -> list[dict[str, Any]]:
    found = await course(name)
    au = await found.started()
    await au.send_ok(au.initialized())
    for send in sends:
        await au.send_ok(au.completed() if send == "completed" else au.judged(send == "passed"))
    await au.send_ok(au.terminated())
    return await registration_statements(reader, found.registration_id)


async def test_004_1_move_on_completed(course: CourseFactory, lrs_reader: XAPIClient) -> None:
    found = await move_on_case(course, lrs_reader, "004-1-moveOn-Completed.cmi5.xml", "completed")
    assert verbs(found)[3:5] == ["satisfied", "satisfied"]
    assert grouping(found[3]) == [LTS_IRI + "block/004-1-moveOn-Completed"]
    assert grouping(found[4]) == [LTS_IRI + "course/004-1-moveOn-Completed"]


async def test_004_2_move_on_completed_or_passed(course: CourseFactory, lrs_reader: XAPIClient) -> None:
    found = await move_on_case(course, lrs_reader, "004-2-moveOn-CompletedOrPassed.cmi5.xml", "passed")
    assert verbs(found) == ["launched", "initialized", "passed", "satisfied", "satisfied", "terminated"]
    assert grouping(found[4]) == [LTS_IRI + "course/004-2-moveOn-CompletedOrPassed"]


async def test_004_3_move_on_passed_is_not_met_by_completed_alone(course: CourseFactory,
                                                                 lrs_reader: XAPIClient) -> None:
    found = await move_on_case(course, lrs_reader, "004-3-moveOn-Passed.cmi5.xml", "completed")
    assert "satisfied" not in verbs(found)
    found = await move_on_case(course, lrs_reader, "004-3-moveOn-Passed.cmi5.xml", "passed")
    assert verbs(found)[3:5] == ["satisfied", "satisfied"]
    assert grouping(found[3]) == [LTS_IRI + "block/004-3-moveOn-Passed"]


async def test_004_5_move_on_not_applicable_is_satisfied_at_registration(
        course: CourseFactory, lrs_reader: XAPIClient) -> None:
    found = await course("004-5-moveOn-NotApplicable.cmi5.xml")
    au = await found.started()
    await au.send_ok(au.initialized(), au.terminated())
    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["satisfied", "satisfied", "launched", "initialized", "terminated"]
    assert grouping(statements[0]) == [LTS_IRI + "block/004-5-moveOn-NotApplicable"]
    assert grouping(statements[1]) == [LTS_IRI + "course/004-5-moveOn-NotApplicable"]
    assert au.launch_data["launchMode"] == "Normal"


async def test_005_invalid_au_statements_are_refused_with_their_requirement(course: CourseFactory,
                                                                           lrs_reader: XAPIClient) -> None:
    found = await course("005-1-invalid-au.cmi5.xml")
    au = await found.launch()
    await au.start(read_preferences=False)
    assert await au.rejected(au.initialized()) == "11.0.0.0-3"  # preferences not read yet
    response = await au.xapi("GET", "agents/profile", params=au.preferences_params())
    assert response.status == 200
    await au.send_ok(au.initialized())
    assert await au.rejected(au.initialized()) == "9.3.0.0-2"
    wrong_object = au.completed()
    wrong_object["object"]["id"] = LTS_IRI + "au/005-1-invalid-au"
    assert await au.rejected(wrong_object) == "8.1.5.0-6"
    no_session = au.completed()
    del no_session["context"]["extensions"]
    assert await au.rejected(no_session) == "9.6.3.1-4"
    voiding = au.statement("http://adlnet.gov/expapi/verbs/voided", defined=False,
                           object={"objectType": "StatementRef", "id": au.initialized()["id"]})
    assert await au.rejected(voiding) == "6.3.0.0-1"
    # A refused batch stores none of its statements.
    assert await au.rejected(au.completed(), au.completed()) == "9.3.0.0-2"
    await au.send_ok(au.completed())
    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched", "initialized", "completed", "satisfied"]  # no block: the course


async def test_a_retried_post_is_stored_once_and_not_refused(course: CourseFactory, lrs_reader: XAPIClient) -> None:
    found = await course("005-1-invalid-au.cmi5.xml")
    au = await found.started()
    initialized = au.initialized()
    await au.send_ok(initialized)
    await au.send_ok(initialized)  # the same id and content: a network retry, not a second initialized
    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched", "initialized"]


async def test_006_browse_and_review_modes_record_no_satisfaction(course: CourseFactory) -> None:
    found = await course("006-launchMode.cmi5.xml")
    for mode, requirement in (("Browse", "10.2.2.0-2"), ("Review", "10.2.2.0-3")):
        au = await found.started(mode=mode)
        assert au.launch_data["launchMode"] == mode
        await au.send_ok(au.initialized())
        assert await au.rejected(au.completed()) == requirement
        assert await au.rejected(au.judged(True)) == requirement
        await au.send_ok(au.terminated())


async def test_007_multi_session_results_hold_across_sessions(course: CourseFactory,
                                                              lrs_reader: XAPIClient) -> None:
    found = await course("007-1-multi-session.cmi5.xml")
    first = await found.started()
    await first.send_ok(first.initialized(), first.completed(), first.terminated())
    review = await found.started()
    assert review.launch_data["launchMode"] == "Review"  # the AU is satisfied: Review by default
    second = await found.started(mode="Normal")  # (which abandons the Review session left open)
    assert second.session_id != first.session_id
    await second.send_ok(second.initialized())
    assert await second.rejected(second.completed()) == "9.3.0.0-6"  # once per registration
    assert await second.rejected(first.statement("http://adlnet.gov/expapi/verbs/experienced",
                                                 defined=False)) == "10.2.1.0-7"  # the other session's id
    await second.send_ok(second.terminated())
    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements).count("launched") == 3
    assert [session_of(s) for s in statements if s["verb"]["id"].endswith("abandoned")] == [review.session_id]


async def test_008_abandoned_when_an_admin_ends_the_session(course: CourseFactory, signed_in: SignedIn,
                                                            lrs_reader: XAPIClient) -> None:
    found = await course("008-1-abandoned.cmi5.xml")
    au = await found.started()
    await au.send_ok(au.initialized())
    admin = await signed_in(found.tenant, roles=["ld_admin"])
    response = await admin.request("POST", f"/api/v1/cmi5/sessions/{au.session_id}/abandon")
    assert response.status == 204, await response.text()
    assert (await admin.request("POST", f"/api/v1/cmi5/sessions/{au.session_id}/abandon")).status == 409

    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched", "initialized", "abandoned"]
    abandoned = statements[2]
    assert session_of(abandoned) == au.session_id
    assert CATEGORY_CMI5 in categories(abandoned)
    assert abandoned["result"]["duration"].startswith("PT")
    assert abandoned["actor"]["account"] == au.actor["account"]
    assert abandoned["object"]["id"] == au.activity_id
    assert abandoned["context"]["registration"] == found.registration_id
    # 9.3.6.0-2: nothing more for that session, statements or documents.
    assert await au.rejected(au.terminated()) == "9.3.6.0-2"
    response = await au.xapi("GET", "activities/state", params=au.state_params())
    assert (await response.json())["error"]["details"]["requirement"] == "9.3.6.0-2"


async def test_008_a_new_launch_abandons_the_session_left_open(course: CourseFactory,
                                                               lrs_reader: XAPIClient) -> None:
    found = await course("008-1-abandoned.cmi5.xml")
    first = await found.started()
    await first.send_ok(first.initialized())
    second = await found.started()
    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched", "initialized", "abandoned", "launched"]
    assert session_of(statements[2]) == first.session_id
    assert session_of(statements[3]) == second.session_id
    assert await first.rejected(first.terminated()) == "9.3.6.0-2"
    await second.send_ok(second.initialized(), second.terminated())


async def test_009_waived_then_satisfied_with_the_waivers_session(course: CourseFactory, signed_in: SignedIn,
                                                                  lrs_reader: XAPIClient) -> None:
    found = await course("009-1-waived.cmi5.xml")
    au = await found.started()
    await au.send_ok(au.initialized(), au.terminated())
    learner_try = await found.learner.request("POST", f"/api/v1/cmi5/registrations/{found.registration_id}/aus/0/waive",
                                              json={"reason": "Administrative"})
    assert learner_try.status == 403
    admin = await signed_in(found.tenant, roles=["ld_admin"])
    path = f"/api/v1/cmi5/registrations/{found.registration_id}/aus/0/waive"
    assert (await admin.request("POST", path, json={"reason": "Because"})).status == 400
    response = await admin.request("POST", path, json={"reason": "Administrative"})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["course"]["children"][0]["waived"] is True
    assert body["completion_status"] == "completed"
    assert (await admin.request("POST", path, json={"reason": "Administrative"})).status == 409  # 9.3.7.0-4

    statements = await registration_statements(lrs_reader, found.registration_id)
    assert verbs(statements) == ["launched", "initialized", "terminated", "waived", "satisfied"]
    waived, satisfied = statements[3], statements[4]
    assert waived["result"]["extensions"][EXT_REASON] == "Administrative"
    assert (waived["result"]["success"], waived["result"]["completion"]) == (True, True)
    assert {CATEGORY_CMI5, CATEGORY_MOVEON} <= set(categories(waived))
    assert session_of(waived) not in (au.session_id, "")  # 9.3.7.0-3: a session id of its own
    assert waived["object"]["id"] == au.activity_id
    assert waived["actor"]["account"] == au.actor["account"]
    assert satisfied["object"]["definition"]["type"] == ACTIVITY_TYPE_COURSE
    assert session_of(satisfied) == session_of(waived)
    relaunch = await found.launch()
    await relaunch.start()
    assert relaunch.launch_data["launchMode"] == "Review"  # satisfied by the waiver


async def test_an_admin_enrols_a_learner_and_reads_their_status(course: CourseFactory, signed_in: SignedIn) -> None:
    found = await course("009-1-waived.cmi5.xml")
    admin = await signed_in(found.tenant, roles=["ld_admin"])
    learner: WebClient = await signed_in(found.tenant)
    assert learner.person is not None
    response = await admin.request("POST", "/api/v1/cmi5/registrations",
                                   json={"package_id": found.package.id, "person_id": learner.person.person_id})
    assert response.status == 201, await response.text()
    body = await response.json()
    assert body["learner"]["id"] == learner.person.person_id
    assert body["completion_status"] == "not attempted"
    again = await learner.request("POST", "/api/v1/cmi5/registrations", json={"package_id": found.package.id})
    assert again.status == 200 and (await again.json())["id"] == body["id"]
