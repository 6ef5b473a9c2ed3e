"""xAPI statements from commits (ADL xAPI SCORM Profile, spec §2.9), queried back by registration."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from lrs.ops.credentials import create_credential
from scorm_player.xapi.statements import PROFILE_ACTIVITY
from tests.fixtures.http import XAPIClient
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import GOLF_12, GOLF_2004, Importer, enrol_and_launch

VERBS = "http://adlnet.gov/expapi/verbs/"


async def _statements(http: TestClient, database: Database, tenant: Tenant,
                      registration: str) -> list[dict[str, Any]]:
    credential = await create_credential(database, tenant.id, scopes="all", label="reader")
    client = XAPIClient(http, credential.key, credential.secret)
    response = await client.get_statements(registration=registration, ascending="true", limit="500")
    assert response.status == 200, await response.text()
    return list((await response.json())["statements"])


async def test_a_scorm_12_attempt_is_reconstructed_from_its_statements(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer, http: TestClient,
        database: Database) -> None:
    package = await import_fixture(tenant, GOLF_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    assert (await launched.commit(1, {"cmi.core.lesson_location": "p1"})).status == 200
    assert (await launched.commit(2, {
        "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice",
        "cmi.interactions.0.student_response": "a", "cmi.interactions.0.result": "correct",
        "cmi.interactions.0.correct_responses.0.pattern": "a"})).status == 200
    assert (await launched.commit(3, {"cmi.core.exit": "suspend", "cmi.core.session_time": "0000:01:30.00"},
                                  terminate=True)).status == 200
    # Resume, finish with a score.
    relaunched = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    resumed = await relaunched.json()
    assert resumed["delivery"]["values"]["cmi.core.entry"] == "resume"
    seq = resumed["delivery"]["seq"]
    values = {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85", "cmi.core.exit": "",
              "cmi.core.session_time": "0000:00:45.00"}
    done = await launched.commit(seq + 1, values, terminate=True)
    assert done.status == 200, await done.text()
    # The same commit again (beacon after the XHR): the LRS must not get duplicates.
    assert (await launched.commit(seq + 1, values, terminate=True)).status == 200

    statements = await _statements(http, database, tenant, launched.registration_id)
    verbs = [s["verb"]["id"].removeprefix(VERBS) for s in statements]
    assert verbs == ["initialized", "responded", "suspended", "resumed", "scored", "completed", "passed",
                     "terminated", "completed", "passed"]
    assert len({s["id"] for s in statements}) == len(statements)
    for statement in statements:
        context = statement["context"]
        assert context["registration"] == launched.registration_id
        assert PROFILE_ACTIVITY["id"] in [a["id"] for a in context["contextActivities"]["category"]]
        grouping_types = {a.get("definition", {}).get("type") for a in context["contextActivities"]["grouping"]}
        assert "http://adlnet.gov/expapi/activities/attempt" in grouping_types
        assert statement["authority"]["account"]["name"] == "scorm-player"
    responded = statements[1]
    assert responded["object"]["definition"]["interactionType"] == "choice"
    assert responded["object"]["definition"]["correctResponsesPattern"] == ["a"]
    assert responded["result"] == {"response": "a", "success": True}
    assert responded["context"]["contextActivities"]["parent"][0]["id"].endswith("/sco/item_1")
    assert statements[2]["result"]["duration"] == "PT0H1M30S"
    scored = statements[4]
    assert scored["result"]["score"] == {"scaled": 0.85, "raw": 85.0}
    # The last two are about the course: the registration rolled up to completed and passed.
    assert statements[-1]["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    mine = await launched.learner.request("GET", "/api/v1/registrations/mine")
    registration = (await mine.json())["registrations"][0]
    assert (registration["completion_status"], registration["success_status"]) == ("completed", "passed")
    assert registration["score_scaled"] == 0.85
    assert registration["total_time_seconds"] == 135


async def test_scorm_2004_statements_and_state_documents(tenant: Tenant, signed_in: SignedIn, import_fixture: Importer,
                                                         http: TestClient, database: Database) -> None:
    package = await import_fixture(tenant, GOLF_2004)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    response = await launched.commit(1, {
        "cmi.completion_status": "completed", "cmi.success_status": "failed", "cmi.score.scaled": "0.4",
        "cmi.exit": "normal", "cmi.session_time": "PT2M", "cmi.location": "end"}, terminate=True)
    assert response.status == 200, await response.text()
    statements = await _statements(http, database, tenant, launched.registration_id)
    assert [s["verb"]["display"]["en-US"] for s in statements] == [
        "initialized", "scored", "completed", "failed", "terminated", "completed", "failed"]
    assert statements[4]["result"]["duration"] == "PT0H2M0S"
    credential = await create_credential(database, tenant.id, scopes="all", label="reader")
    client = XAPIClient(http, credential.key, credential.secret)
    actor = statements[0]["actor"]
    attempt_iri = statements[0]["context"]["contextActivities"]["grouping"][0]["id"]
    import json
    found = await client.request("GET", "/xapi/activities/state", params={
        "activityId": attempt_iri, "agent": json.dumps({"mbox": actor["mbox"]}),
        "registration": launched.registration_id, "stateId": "https://w3id.org/xapi/scorm/attempt-state"})
    assert found.status == 200, await found.text()
    assert (await found.json())["location"] == "end"
