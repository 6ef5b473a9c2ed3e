"""Runtime commits over HTTP: re-validation with the shared rules, atomic storage, idempotency, ownership."""

from __future__ import annotations

from hub.tenants import Tenant
from tests.fixtures.people import SignedIn
from tests.scorm_player.player.conftest import GOLF_12, GOLF_2004, Importer, enrol_and_launch


async def test_launch_delivers_the_sco_with_ab_initio_values(tenant: Tenant, signed_in: SignedIn,
                                                             import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    learner = await signed_in(tenant, given_name="Ada", family_name="Lovelace")
    launched = await enrol_and_launch(learner, package.id)
    delivery = launched.delivery
    assert delivery["activity_id"] == "item_1"
    assert delivery["url"] == f"/content/{package.id}/shared/launchpage.html"
    assert delivery["api"] == "1.2"
    assert delivery["values"]["cmi.core.entry"] == "ab-initio"
    assert delivery["values"]["cmi.core.student_name"] == "Lovelace, Ada"
    assert delivery["values"]["cmi.core.student_id"] == learner.person.person_id
    assert delivery["seq"] == 0


async def test_commit_stores_values_and_a_retried_commit_changes_nothing(tenant: Tenant, signed_in: SignedIn,
                                                                         import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    first = await launched.commit(1, {"cmi.core.lesson_location": "page-3", "cmi.core.lesson_status": "incomplete"})
    assert first.status == 200, await first.text()
    assert (await first.json())["already_applied"] is False
    second = await launched.commit(2, {"cmi.core.lesson_location": "page-4"})
    assert second.status == 200
    # The first commit arrives again (a retry from the offline queue): acknowledged, not re-applied.
    again = await launched.commit(1, {"cmi.core.lesson_location": "page-3", "cmi.core.lesson_status": "incomplete"})
    assert again.status == 200
    assert (await again.json())["already_applied"] is True
    ended = await launched.commit(3, {"cmi.core.exit": "suspend"}, terminate=True)
    assert ended.status == 200
    relaunched = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    values = (await relaunched.json())["delivery"]["values"]
    assert values["cmi.core.entry"] == "resume"
    assert values["cmi.core.lesson_location"] == "page-4"  # the replayed commit 1 did not overwrite commit 2


async def test_out_of_range_wrong_type_read_only_and_oversize_are_refused_atomically(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    ok = await launched.commit(1, {"cmi.core.lesson_location": "kept"})
    assert ok.status == 200
    cases = [
        ({"cmi.core.score.raw": "101"}, 405),              # SCORM 1.2: out of range is 405
        ({"cmi.core.score.raw": "ten"}, 405),              # wrong type
        ({"cmi.core.student_name": "Mallory"}, 403),       # read-only
        ({"cmi.suspend_data": "x" * 64001}, 405),          # over the suspend_data limit (spec §2.6)
    ]
    for seq, (values, code) in enumerate(cases, start=2):
        # A valid element rides along: the whole commit must be refused, nothing stored.
        response = await launched.commit(seq, {"cmi.core.lesson_location": f"changed-{seq}", **values})
        assert response.status == 422, await response.text()
        body = await response.json()
        assert body["result"] is False and body["errorCode"] == code, body
    # The next valid commit may reuse the refused sequence numbers' successor: nothing was applied.
    response = await launched.commit(2, {"cmi.core.exit": "suspend"}, terminate=True)
    assert response.status == 200, await response.text()
    relaunched = await launched.learner.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    values = (await relaunched.json())["delivery"]["values"]
    assert values["cmi.core.entry"] == "resume"
    assert values["cmi.core.lesson_location"] == "kept"
    assert "cmi.core.score.raw" not in values


async def test_scorm_2004_errors_use_2004_codes(tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_2004)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    assert launched.delivery["values"]["cmi.entry"] == "ab-initio"
    for seq, (values, code) in enumerate([({"cmi.score.scaled": "1.5"}, 407), ({"cmi.score.scaled": "x"}, 406),
                                          ({"cmi.learner_id": "someone"}, 404),
                                          ({"cmi.suspend_data": "x" * 64001}, 407)], start=1):
        response = await launched.commit(seq, values)
        assert response.status == 422
        assert (await response.json())["errorCode"] == code


async def test_another_learner_cannot_read_or_write_the_attempt(tenant: Tenant, other_tenant: Tenant,
                                                               signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    intruder = await signed_in(tenant)
    path = f"/api/v1/runtime/{launched.attempt_id}/item_1/commit"
    response = await intruder.request("POST", path, json={"seq": 1, "values": {"cmi.core.lesson_location": "x"}})
    assert response.status == 404
    response = await intruder.request("POST", f"/api/v1/runtime/{launched.attempt_id}/nav",
                                      json={"request": "continue"})
    assert response.status == 404
    response = await intruder.request("POST", f"/api/v1/registrations/{launched.registration_id}/launch")
    assert response.status == 404
    stranger = await signed_in(other_tenant)
    response = await stranger.request("POST", path, json={"seq": 1, "values": {"cmi.core.lesson_location": "x"}})
    assert response.status == 404


async def test_commit_without_csrf_token_is_refused_and_a_beacon_may_carry_it_in_the_body(
        tenant: Tenant, signed_in: SignedIn, import_fixture: Importer) -> None:
    package = await import_fixture(tenant, GOLF_12)
    launched = await enrol_and_launch(await signed_in(tenant), package.id)
    path = f"/api/v1/runtime/{launched.attempt_id}/item_1/commit"
    refused = await launched.learner.request("POST", path, csrf=False,
                                             json={"seq": 1, "values": {"cmi.core.lesson_location": "x"}})
    assert refused.status == 403
    beacon = await launched.learner.request(
        "POST", path, csrf=False, headers={"Content-Type": "text/plain"},
        data=f'{{"seq": 1, "terminate": false, "csrf": "{launched.learner.csrf}", '
             '"values": {"cmi.core.lesson_location": "x"}}')
    assert beacon.status == 200, await beacon.text()
