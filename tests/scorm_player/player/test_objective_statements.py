"""xAPI statements for objectives and learner comments (ADL xAPI SCORM Profile): an objective's status change is
completed/passed/failed about `<scoIRI>/objectives/<id>` (type objective, the SCO as parent); each new learner
comment is `commented` about the SCO with the text as the response. Retried commits never duplicate them."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from hub.db import Database
from hub.tenants import Tenant
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import GOLF_12, GOLF_2004, Importer, enrol_and_launch
from tests.scorm_player.player.test_statements import VERBS, _statements

OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"


def about(statements: list[dict], verb: str) -> list[dict]:  # type: ignore[type-arg]
    return [s for s in statements if s["verb"]["id"] == VERBS + verb]


async def test_scorm_2004_objectives_and_comments_become_statements(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer, http: TestClient, database: Database) -> None:
    package = await import_fixture(tenant, GOLF_2004)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    seq = launched.delivery["seq"]
    first = {"cmi.objectives.0.id": "urn:golf:putting", "cmi.objectives.0.completion_status": "completed",
             "cmi.comments_from_learner.0.comment": "Too many pages on etiquette"}
    response = await launched.commit(seq + 1, first)
    assert response.status == 200, await response.text()
    second = {"cmi.objectives.0.success_status": "passed", "cmi.objectives.0.score.scaled": "0.9",
              "cmi.objectives.1.id": "obj_driving", "cmi.objectives.1.success_status": "failed"}
    assert (await launched.commit(seq + 2, second)).status == 200
    assert (await launched.commit(seq + 2, second)).status == 200  # a retry: nothing new

    statements = await _statements(http, database, tenant, launched.registration_id)
    objective_statements = [s for s in statements if s["object"]["definition"]["type"] == OBJECTIVE]
    assert [(s["verb"]["id"].removeprefix(VERBS), s["object"]["id"].rsplit("/", 1)[-1])
            for s in objective_statements] == [("completed", "urn%3Agolf%3Aputting"),
                                                ("passed", "urn%3Agolf%3Aputting"), ("failed", "obj_driving")]
    passed = objective_statements[1]
    assert passed["result"] == {"success": True, "score": {"scaled": 0.9}}
    sco_iri = passed["context"]["contextActivities"]["parent"][0]["id"]
    assert passed["object"]["id"] == f"{sco_iri}/objectives/urn%3Agolf%3Aputting"
    [commented] = about(statements, "commented")
    assert commented["object"]["id"] == sco_iri
    assert commented["result"] == {"response": "Too many pages on etiquette"}
    assert len({s["id"] for s in statements}) == len(statements)


async def test_scorm_12_objective_status_and_appended_comments(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer, http: TestClient, database: Database) -> None:
    package = await import_fixture(tenant, GOLF_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    seq = launched.delivery["seq"]
    assert (await launched.commit(seq + 1, {"cmi.objectives.0.id": "rules", "cmi.objectives.0.status": "incomplete",
                                            "cmi.comments": "First note."})).status == 200
    assert (await launched.commit(seq + 2, {"cmi.objectives.0.status": "passed",
                                            "cmi.comments": "First note. Second note."})).status == 200
    statements = await _statements(http, database, tenant, launched.registration_id)
    objective_verbs = [s["verb"]["id"].removeprefix(VERBS) for s in statements
                       if s["object"]["definition"]["type"] == OBJECTIVE]
    assert objective_verbs == ["passed"]  # incomplete is not an outcome the profile reports
    assert [s["result"]["response"] for s in about(statements, "commented")] == ["First note.", "Second note."]
