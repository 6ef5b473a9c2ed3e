"""The decoded ADL conformance steps (spec §4.5) replayed against the BROWSER data model in headless Chromium.

static/player/datamodel.js runs in the page with the rules tables the server serves; every step's return value
and error code must match the fixture exactly as in the Python replay (tests/scorm_player/runtime/replay.py),
and the ADL CTS DMI case (decoded from the CTS zip) must pass the same checks as test_adl_dmi_replay.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from scorm_player.runtime.rules import rules_path
from tests.scorm_player.runtime.replay import (
    ADL_CTS_ZIP,
    ANY_OUTCOME,
    DECODED_FIXTURES,
    PASS_COUNTS,
    adl_return_matches,
    decode_adl_case,
    decoded_fixture_files,
    flatten_state,
    launch_seed,
    parse_java_properties,
    read_cts_member,
    require,
    return_matches,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
DATAMODEL_JS = Path(__file__).resolve().parents[3] / "static" / "player" / "datamodel.js"
FIXTURE_FILES = decoded_fixture_files() or [DECODED_FIXTURES / "api.json"]
SESSION_ONLY = ("cmi.exit", "cmi.session_time", "adl.nav.request")

# Runs a list of activities: each starts from `seed` (plus the previous session of `resumeFrom` after
# exit=suspend, as the CTS runs ActNV(k+1) after ActNVk) and returns [return value, error code, diagnostic].
REPLAY_JS = """
({version, activities, sessionOnly}) => {
  const rules = window.LearnhubScorm.buildRules(window.__rules[version]);
  const finals = {};
  const results = [];
  for (const activity of activities) {
    let values = {};
    const previous = activity.resumeFrom ? finals[activity.resumeFrom] : null;
    if (previous && previous["cmi.exit"] === "suspend") {
      for (const [name, value] of Object.entries(previous)) if (!sessionOnly.includes(name)) values[name] = value;
      values["cmi.entry"] = "resume";
    }
    Object.assign(values, activity.seed);
    const session = new window.LearnhubScorm.RuntimeSession(rules, values);
    const out = [];
    for (const step of activity.steps) {
      const element = step.element || "";
      const value = step.value === undefined || step.value === null ? "" : step.value;
      let actual;
      switch (step.method) {
        case "GetValue": actual = session.getValue(element); break;
        case "SetValue": actual = session.setValue(element, value); break;
        case "Initialize": actual = session.initialize(value); break;
        case "Terminate": actual = session.terminate(value); break;
        case "Commit": actual = session.commit(value); break;
        case "GetLastError": actual = session.getLastError(); break;
        case "GetErrorString": actual = session.getErrorString(value); break;
        case "GetDiagnostic": actual = session.getDiagnostic(value); break;
        default: throw new Error("unknown method " + step.method);
      }
      out.push([actual, session.getLastError(), session.getDiagnostic("")]);
    }
    if (activity.key) finals[activity.key] = session.values;
    results.push(out);
  }
  return results;
}
"""


@pytest.fixture(scope="module")
def rules_page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright package (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_page()
        page.goto("about:blank")
        page.add_script_tag(content=DATAMODEL_JS.read_text(encoding="utf-8"))
        tables = {version: json.loads(rules_path(version).read_text(encoding="utf-8")) for version in ("1.2", "2004")}
        page.evaluate("(tables) => { window.__rules = tables; }", tables)
        yield page
        browser.close()


@pytest.mark.parametrize("fixture_path", FIXTURE_FILES,
                         ids=[path.relative_to(DECODED_FIXTURES).as_posix() for path in FIXTURE_FILES])
def test_browser_data_model_replays_every_decoded_step(rules_page: Any, fixture_path: Path) -> None:
    fixture = json.loads(require(fixture_path).read_text(encoding="utf-8"))
    activities = [{"seed": flatten_state(activity.get("initialState", fixture.get("initialState")) or {}),
                   "steps": activity["steps"]} for activity in fixture["activities"]]
    results = rules_page.evaluate(REPLAY_JS, {"version": fixture["scormVersion"], "activities": activities,
                                              "sessionOnly": list(SESSION_ONLY)})
    passed, failures = 0, []
    for activity, outcomes in zip(fixture["activities"], results, strict=True):
        for number, (step, (actual, code, diagnostic)) in enumerate(zip(activity["steps"], outcomes, strict=True)):
            if return_matches(step.get("expectedReturn"), actual) and code == step["expectedErrorCode"]:
                passed += 1
            else:
                failures.append(f"{activity['id']} step {number}: {step['method']}({step.get('element')!r}, "
                                f"{step.get('value')!r}) -> {actual!r}/{code}, expected "
                                f"{step.get('expectedReturn')!r}/{step['expectedErrorCode']} ({diagnostic})")
    PASS_COUNTS["browser: " + fixture_path.relative_to(DECODED_FIXTURES).as_posix()] = (passed, passed + len(failures))
    assert passed > 0
    assert not failures, "\n".join(failures[:30])


def test_browser_data_model_passes_the_adl_cts_dmi_case(rules_page: Any) -> None:
    require(ADL_CTS_ZIP)
    legend = parse_java_properties(read_cts_member("legend/Commands.properties"))
    case = decode_adl_case(read_cts_member("TestCases/DMI.properties"), legend)
    activities = []
    previous_of: dict[str, str] = {}
    for activity, steps in case.steps_by_activity.items():
        number = activity.split("V")[0]
        seed = {"cmi.learner_name": ""}
        seed.update(launch_seed(steps))
        activities.append({"key": number, "resumeFrom": previous_of.get(number), "seed": seed,
                           "steps": [{"method": s.method, "element": s.element, "value": s.value} for s in steps]})
        previous_of[number] = number
    results = rules_page.evaluate(REPLAY_JS, {"version": "2004", "activities": activities,
                                              "sessionOnly": list(SESSION_ONLY)})
    replayed, failures = 0, []
    for (activity, steps), outcomes in zip(case.steps_by_activity.items(), results, strict=True):
        for step, (actual, code, _diagnostic) in zip(steps, outcomes, strict=True):
            replayed += 1
            value_checked = step.element != "adl.data._count"
            if (code != step.expected_code and step.raw_expected != ANY_OUTCOME) or (
                    value_checked and not adl_return_matches(step, actual)):
                failures.append(f"{activity} command {step.index}: {step.method}({step.element!r}, "
                                f"{step.value[:60]!r}) -> {actual[:60]!r}/{code}, expected "
                                f"{(step.expected_return or '')[:60]!r}/{step.expected_code}")
    PASS_COUNTS["browser: ADL CTS TestCases/DMI.properties"] = (replayed - len(failures), replayed)
    assert replayed == 8063
    assert not failures, "\n".join(failures[:40])


SHARED_DATA_JS = """
({rules, values, access, steps}) => {
  const session = new window.LearnhubScorm.RuntimeSession(window.LearnhubScorm.buildRules(rules), values,
                                                          undefined, access);
  return steps.map(([method, element, value]) => {
    const actual = method === "Initialize" ? session.initialize("")
      : method === "GetValue" ? session.getValue(element) : session.setValue(element, value);
    return [actual, session.getLastError()];
  });
}
"""


def test_browser_and_server_agree_on_adl_data_permissions(rules_page: Any) -> None:
    """adl.data (RTE 4th Ed §4.3): the same buckets and adlcp:map permissions give the same answers in datamodel.js
    and in the Python data model the server re-validates commits with."""
    from scorm_player.runtime.datamodel import RuntimeSession

    values = {"adl.data.0.id": "notes", "adl.data.0.store": "n1", "adl.data.1.id": "drafts", "adl.data.2.id": "fresh"}
    access = {"notes": "read-only", "drafts": "write-only", "fresh": "read-write"}
    steps = [("Initialize", "", ""), ("GetValue", "adl.data._count", ""), ("GetValue", "adl.data._children", ""),
             ("GetValue", "adl.data.0.id", ""), ("SetValue", "adl.data.0.id", "other"),
             ("GetValue", "adl.data.0.store", ""), ("SetValue", "adl.data.0.store", "x"),
             ("GetValue", "adl.data.1.store", ""), ("SetValue", "adl.data.1.store", "draft"),
             ("GetValue", "adl.data.2.store", ""), ("SetValue", "adl.data.2.store", "y" * 64000),
             ("GetValue", "adl.data.2.store", ""), ("SetValue", "adl.data.2.store", "y" * 64001),
             ("SetValue", "adl.data.3.store", "z"), ("GetValue", "adl.data.3.id", "")]
    session = RuntimeSession("2004", values, shared_data_access=access)
    server = []
    for method, element, value in steps:
        actual = (session.initialize("") if method == "Initialize" else session.get_value(element)
                  if method == "GetValue" else session.set_value(element, value))
        server.append([actual, session.get_last_error()])
    browser = rules_page.evaluate(SHARED_DATA_JS, {"rules": json.loads(rules_path("2004").read_text("utf-8")),
                                                   "values": values, "access": access, "steps": steps})
    assert browser == server
    codes = [code for _, code in server]
    assert server[1] == ["3", "0"] and server[2] == ["id,store", "0"] and server[5] == ["n1", "0"]
    assert codes[4] == "404" and codes[6] == "404"  # id is read-only; writeSharedData="false"
    assert codes[7] == "405" and codes[8] == "0"  # readSharedData="false" makes the store write-only
    assert codes[9] == "403"  # a store never written: "data model element value not initialized"
    assert server[11] == ["y" * 64000, "0"]  # characterstring SPM 64000
    assert codes[13] == "351" and codes[14] == "301"  # no bucket 3: the LMS alone defines buckets
