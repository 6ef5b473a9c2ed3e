"""The statement gate as a pure function: each rule refuses with its requirement id, and what it accepts."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any, Callable

import pytest

from scorm_player.cmi5.gate import GateRejection, SessionFacts, check_statements
from scorm_player.cmi5.requirements import REQUIREMENTS
from scorm_player.cmi5.vocabulary import (
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_MASTERY_SCORE,
    EXT_SESSION_ID,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_INITIALIZED,
    VERB_PASSED,
    VERB_SATISFIED,
    VERB_TERMINATED,
    VERB_VOIDED,
    VERB_WAIVED,
)
from tests.scorm_player.cmi5.conftest import REQUIREMENTS_JSON

ACTOR = {"objectType": "Agent", "account": {"homePage": "https://learnhub.local/tenants/t", "name": "p-1"},
         "name": "Pat"}
AU = "https://learnhub.local/tenants/t/cmi5/pkg/au/0"
PUBLISHER = "https://example.com/au/0"
SESSION = "5d3b0d2e-4b5f-4c3a-9d1e-0f1e2d3c4b5a"
REGISTRATION = "0b1c2d3e-4f50-4a6b-8c7d-8e9f0a1b2c3d"
FACTS = SessionFacts(
    session_id=SESSION, registration=REGISTRATION, actor=ACTOR, au_iri=AU, launch_mode="Normal", mastery_score=0.8,
    context_template={"contextActivities": {"grouping": [{"id": PUBLISHER}]}, "extensions": {EXT_SESSION_ID: SESSION}},
    learner_preferences_read=True, initialized=True)


def statement(verb: str, *, defined: bool = True, moveon: bool = False, result: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    category = ([{"id": CATEGORY_CMI5}] if defined else []) + ([{"id": CATEGORY_MOVEON}] if moveon else [])
    found: dict[str, Any] = {
        "id": str(uuid.uuid4()), "timestamp": "2026-01-01T10:00:00.000Z", "actor": dict(ACTOR),
        "verb": {"id": verb}, "object": {"id": AU},
        "context": {"registration": REGISTRATION, "extensions": {EXT_SESSION_ID: SESSION},
                    "contextActivities": {"grouping": [{"id": PUBLISHER}], "category": category}}}
    if result is not None:
        found["result"] = result
    return found


def completed() -> dict[str, Any]:
    return statement(VERB_COMPLETED, moveon=True, result={"completion": True, "duration": "PT1S"})


def passed(scaled: float | None = None) -> dict[str, Any]:
    found = statement(VERB_PASSED, moveon=True, result={"success": True, "duration": "PT1S"})
    if scaled is not None:
        found["result"]["score"] = {"scaled": scaled}
        found["context"]["extensions"][EXT_MASTERY_SCORE] = 0.8
    return found


def failed(scaled: float | None = None) -> dict[str, Any]:
    found = statement(VERB_FAILED, moveon=True, result={"success": False, "duration": "PT1S"})
    if scaled is not None:
        found["result"]["score"] = {"scaled": scaled}
        found["context"]["extensions"][EXT_MASTERY_SCORE] = 0.8
    return found


def without(path: str) -> Callable[[dict[str, Any]], None]:
    def change(st: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = st
        for name in parents:
            target = target[name]
        del target[last]
    return change


def setting(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(st: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = st
        for name in parents:
            target = target[name]
        target[last] = value
    return change


# (requirement, facts changes, statement maker, change to the statement)
CASES: list[tuple[str, dict[str, Any], Callable[[], dict[str, Any]], Callable[[dict[str, Any]], None] | None]] = [
    ("11.0.0.0-3", {"learner_preferences_read": False}, lambda: statement(VERB_INITIALIZED),
     None),
    ("9.3.6.0-2", {"abandoned": True}, completed, None),
    ("9.1.0.0-1", {}, completed, without("id")),
    ("6.3.0.0-1", {}, lambda: statement(VERB_VOIDED, defined=False), None),
    ("9.7.0.0-1", {}, completed, without("timestamp")),
    ("9.7.0.0-2", {}, completed, setting("timestamp", "2026-01-01T12:00:00+02:00")),
    ("8.1.3.0-3", {}, completed, setting("actor.account", {"homePage": "https://x.example", "name": "y"})),
    ("9.6.0.0-1", {}, completed, without("context")),
    ("9.6.1.0-1", {}, completed, setting("context.registration", str(uuid.uuid4()))),
    ("9.6.1.0-1", {}, completed, without("context.registration")),
    ("9.6.3.1-4", {}, completed, without("context.extensions")),
    ("10.2.1.0-7", {}, completed, setting("context.extensions", {EXT_SESSION_ID: "another-session"})),
    ("10.2.1.0-6", {}, completed, without("context.contextActivities.grouping")),
    ("9.6.2.2-2", {}, lambda: statement("http://adlnet.gov/expapi/verbs/experienced", defined=False, moveon=True),
     None),
    ("9.6.2.2-2", {}, lambda: statement(VERB_INITIALIZED, moveon=True), None),
    ("9.3.0.0-4", {"initialized": False}, completed, None),
    ("9.3.0.0-4", {"initialized": False}, lambda: statement("http://adlnet.gov/expapi/verbs/experienced",
                                                            defined=False), None),
    ("9.3.0.0-5", {"terminated": True}, completed, None),
    ("9.3.9.0-1", {}, lambda: statement(VERB_SATISFIED), None),
    ("9.3.7.0-1", {}, lambda: statement(VERB_WAIVED, defined=False), None),
    ("9.2.0.0-2", {}, completed, setting("actor", {"objectType": "Group", "name": "team", "member": [ACTOR]})),
    ("9.2.0.0-3", {}, completed, setting("actor", {"objectType": "Agent", "mbox": "mailto:p@example.com"})),
    ("9.4.0.0-1", {}, completed, without("object.id")),
    ("8.1.5.0-6", {}, completed, setting("object.id", PUBLISHER)),
    ("10.2.2.0-2", {"launch_mode": "Browse"}, completed, None),
    ("10.2.2.0-3", {"launch_mode": "Review"}, passed, None),
    ("9.5.3.0-1", {}, completed, without("result.completion")),
    ("9.5.3.0-1", {}, completed, without("result")),
    ("9.5.2.0-1", {}, passed, setting("result.success", False)),
    ("9.5.2.0-2", {}, failed, setting("result.success", True)),
    ("9.5.4.1-1", {}, lambda: statement(VERB_TERMINATED), None),
    ("9.5.3.0-2", {}, passed, setting("result.completion", True)),
    ("9.5.2.0-3", {}, completed, setting("result.success", True)),
    ("9.6.2.2-1", {}, completed,
     setting("context.contextActivities.category", [{"id": CATEGORY_CMI5}])),
    ("9.5.1.0-2", {}, completed, setting("result.score", {"scaled": 0.9})),
    ("9.5.1.0-3", {"mastery_score": None}, passed, setting("result.score", {"raw": 9, "max": 10})),
    ("9.5.1.0-3", {"mastery_score": None}, passed, setting("result.score", {"raw": 9, "min": 0})),
    ("9.6.3.2-2", {}, passed, setting("result.score", {"scaled": 0.9})),
    ("9.6.3.2-2", {}, lambda: passed(0.9),
     setting("context.extensions", {EXT_SESSION_ID: SESSION, EXT_MASTERY_SCORE: 0.5})),
    ("9.5.4.1-2", {}, completed, without("result.duration")),
    ("9.5.4.1-3", {}, passed, without("result.duration")),
    ("9.5.4.1-4", {}, failed, without("result.duration")),
    ("9.3.0.0-2", {}, lambda: statement(VERB_INITIALIZED), None),
    ("9.3.0.0-2", {"completed": True}, completed, None),
    ("9.3.0.0-6", {"au_completed": True}, completed, None),
    ("9.3.4.0-2", {}, lambda: passed(0.5), None),
    ("9.3.0.0-3", {"failed": True}, passed, None),
    ("9.3.0.0-3", {"passed": True}, failed, None),
    ("9.3.0.0-7", {"au_passed": True}, passed, None),
    ("9.3.5.0-2", {}, lambda: failed(0.9), None),
    ("9.3.0.0-8", {"au_passed": True}, failed, None),
    ("9.3.0.0-1", {}, lambda: statement("http://adlnet.gov/expapi/verbs/experienced"), None),
]


@pytest.mark.parametrize(("requirement", "facts", "make", "change"), CASES,
                         ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)])
def test_gate_refuses_with_the_requirement_id(requirement: str, facts: dict[str, Any],
                                              make: Callable[[], dict[str, Any]],
                                              change: Callable[[dict[str, Any]], None] | None) -> None:
    st = make()
    if change is not None:
        change(st)
    with pytest.raises(GateRejection) as caught:
        check_statements([st], replace(FACTS, **facts))
    assert caught.value.requirement == requirement
    assert caught.value.status == 403
    assert caught.value.message.startswith(f"{requirement} - {REQUIREMENTS[requirement]}")


def test_every_refusal_case_is_accepted_once_the_fault_is_removed() -> None:
    """The same statements pass on an unremarkable session: each case fails for its own reason only."""
    accepted = check_statements([completed(), passed(0.9)], FACTS)
    assert [a.verb for a in accepted] == [VERB_COMPLETED, VERB_PASSED]
    assert accepted[1].score_scaled == 0.9
    assert check_statements([failed(0.5)], FACTS)[0].score_scaled == 0.5
    allowed = statement("http://adlnet.gov/expapi/verbs/experienced", defined=False)
    assert check_statements([allowed], FACTS) == []  # cmi5 allowed: stored, nothing to record


def test_a_batch_is_checked_in_order() -> None:
    fresh = replace(FACTS, initialized=False)
    experienced = statement("http://adlnet.gov/expapi/verbs/experienced", defined=False)
    accepted = check_statements([statement(VERB_INITIALIZED), experienced,
                                 statement(VERB_TERMINATED, result={"duration": "PT5S"})], fresh)
    assert [a.verb for a in accepted] == [VERB_INITIALIZED, VERB_TERMINATED]
    assert accepted[1].duration == "PT5S"
    with pytest.raises(GateRejection) as caught:
        check_statements([statement(VERB_TERMINATED, result={"duration": "PT5S"}), experienced], FACTS)
    assert caught.value.requirement == "9.3.0.0-5"
    assert caught.value.field == "[1].verb"
    with pytest.raises(GateRejection) as caught:
        check_statements([passed(), failed()], FACTS)
    assert caught.value.requirement == "9.3.0.0-3"


def test_utc_offsets_catapult_accepts() -> None:
    for stamp in ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00+0000",
                  "2026-01-01T10:00:00+00"):
        st = completed()
        st["timestamp"] = stamp
        assert check_statements([st], FACTS)


def test_requirement_texts_are_catapults() -> None:
    if not REQUIREMENTS_JSON.is_file():
        pytest.skip(f"cmi5 requirements not found at {REQUIREMENTS_JSON.resolve()} (checkout of ../shared missing)")
    catapult = json.loads(REQUIREMENTS_JSON.read_text())
    assert {key: catapult[key]["txt"] for key in REQUIREMENTS} == REQUIREMENTS


def test_every_requirement_the_gate_cites_is_exercised() -> None:
    """Each id the gate module names has a refusal case above (so none is dead or untested)."""
    import inspect

    import scorm_player.cmi5.gate as gate
    cited = set(__import__("re").findall(r'"(\d+\.\d+\.\d+\.\d+-\d+)"', inspect.getsource(gate)))
    tested = {case[0] for case in CASES}
    assert cited - tested == {"9.3.1.0-1", "9.3.6.0-1"}  # launched/abandoned by an AU: same branch as satisfied
