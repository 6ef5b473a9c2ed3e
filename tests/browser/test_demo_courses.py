"""The demo's own courses in headless Chromium against a real `learnhub serve --demo`: a demo learner opens
"H2S Awareness and Escape" (SCORM 2004) and "Permit to Work" (SCORM 1.2) from My learning, reads the pages,
answers the quiz, finishes; the registration is completed and passed with its score, and the LRS holds the
registration's statements (suspended and resumed, one "responded" per question, scored, passed, completed,
terminated)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SignIn, statements_of
from tests.fixtures.web_server import DemoServer

pytestmark = pytest.mark.browser

LEARNER = "nasser.alhabsi@democorp.local"  # a demo learner no other browser test plays courses as
VERBS = "http://adlnet.gov/expapi/verbs/"


def my_registration(page: Any, title: str) -> dict[str, Any]:
    registrations = page.request.get("/api/v1/registrations/mine").json()["registrations"]
    return next(r for r in registrations if r["title"] == title)


def open_from_my_learning(page: Any, title: str, button: str) -> Any:
    page.goto("/#/learning")
    row = page.locator("table.data tbody tr", has_text=title)
    assert row.locator("[data-action=open]").inner_text() == button
    row.locator("[data-action=open]").click()
    page.wait_for_url("**/player/**")
    page.wait_for_selector("body[data-state=playing]")
    course = page.frame_locator("#content")
    course.locator("#page-count").wait_for()
    assert course.locator("#lms-status").inner_text().startswith("Learner:")  # found the LMS API
    return course


def play(page: Any, title: str, answers: dict[str, list[str]], *, suspend: bool = False) -> None:
    """From My learning: open the course, read every page (keyboard for the first), answer, submit, finish.
    With suspend, leave by the player's "Save and exit" on page 3 and resume there from My learning."""
    course = open_from_my_learning(page, title, "Start")
    course.locator("#next").focus()
    page.keyboard.press("Enter")  # keyboard works: page 2
    assert course.locator("#page-count").inner_text() == "Page 2 of 5"
    course.locator("#next").click()
    if suspend:
        page.click("#nav-suspendAll")  # the course saves location and suspend_data, exit=suspend
        page.wait_for_selector("body[data-state=suspended]")
        course = open_from_my_learning(page, title, "Resume")
        assert course.locator("#page-count").inner_text() == "Page 3 of 5"
        assert course.locator("#page-list li.seen").count() == 3
    for _ in range(2):
        course.locator("#next").click()
    assert course.locator("#next").is_hidden()  # the quiz is the last page
    for question, values in answers.items():
        for value in values:
            course.locator(f"input[name={question}][value='{value}']").check()
    course.locator("#submit").click()
    assert "you passed" in course.locator("#result .result-title").inner_text()
    course.locator("#finish").click()
    page.wait_for_selector("body[data-state=ended]")


def check_statements(server: DemoServer, registration: str) -> dict[str, dict[str, Any]]:
    """The registration's statements; returns the interactions' "responded" statements by question id."""
    statements = statements_of(server, registration)
    assert statements and all(s["context"]["registration"] == registration for s in statements)
    verbs = [s["verb"]["id"].removeprefix(VERBS) for s in statements]
    assert verbs[0] == "initialized"
    assert {"suspended", "resumed", "responded", "scored", "passed", "completed", "terminated"} <= set(verbs)
    assert verbs.index("suspended") < verbs.index("resumed") < verbs.index("responded")
    responded = {s["object"]["definition"]["name"]["en-US"]: s for s in statements
                 if s["verb"]["id"] == VERBS + "responded"}
    assert len(responded) == 5
    for statement in responded.values():
        definition = statement["object"]["definition"]
        assert definition["interactionType"] in ("choice", "true-false") and definition["correctResponsesPattern"]
        assert "response" in statement["result"] and "success" in statement["result"]
    return responded


def test_a_demo_learner_passes_the_scorm_2004_demo_course_from_my_learning(
        page: Any, sign_in: SignIn, demo_server: DemoServer) -> None:
    sign_in(LEARNER)
    # Question 2 wrong: 4 of 5 = 0.8, exactly the manifest's minNormalizedMeasure.
    play(page, "H2S Awareness and Escape",
         {"q1": ["c"], "q2": ["true"], "q3": ["b"], "q4": ["a", "c"], "q5": ["false"]}, suspend=True)
    found = my_registration(page, "H2S Awareness and Escape")
    assert (found["completion_status"], found["success_status"]) == ("completed", "passed")
    assert found["score_scaled"] == pytest.approx(0.8)
    responded = check_statements(demo_server, found["id"])
    assert responded["h2s-q2-density"]["result"] == {**responded["h2s-q2-density"]["result"], "response": "true",
                                                     "success": False}
    escape = responded["h2s-q4-escape"]
    assert escape["result"]["response"] == "a[,]c" and escape["result"]["success"] is True
    assert escape["object"]["definition"]["correctResponsesPattern"] == ["a[,]c"]


def test_a_demo_learner_passes_the_scorm_12_demo_course_from_my_learning(
        page: Any, sign_in: SignIn, demo_server: DemoServer) -> None:
    sign_in(LEARNER)
    play(page, "Permit to Work", {"q1": ["b"], "q2": ["false"], "q3": ["a", "b", "d"], "q4": ["a"], "q5": ["true"]},
         suspend=True)
    found = my_registration(page, "Permit to Work")
    assert found["completion_status"] == "completed" and found["success_status"] == "passed"
    assert found["score_scaled"] == pytest.approx(1.0)
    responded = check_statements(demo_server, found["id"])
    assert responded["ptw-q3-hotwork"]["result"]["response"] == "a,b,d"
    assert all(s["result"]["success"] for s in responded.values())
