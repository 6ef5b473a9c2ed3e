"""Replays the ADL SCORM 2004 4th Ed CTS data-model implementation case (DMI.properties, ~8,000 calls).

Not part of the decoded fixtures (scorm-again deferred DMI); decoded here from the CTS zip in ../shared with the
suite's own grammar. Launch data comes from the same inference scorm-again's decoder uses (a value read but never
set was supplied by the LMS), and ActNV(k+1) resumes ActNVk after exit=suspend, as the CTS runs them.
Error codes must match exactly. Return values are compared the way the CTS compares them: reals by value ("0" =
"0.0"), `_children` as a set, and response patterns by meaning (default {case_matters=false}/{order_matters=true}/
{lang=en} made explicit, leading delimiters in any order). Set aside, and counted: adl.nav.* steps (sequencing),
&id& objective/adl.data addressing (not a SCORM index) and adl.data._count, whose buckets come from the manifest.
"""

from __future__ import annotations

from scorm_player.runtime.datamodel import RuntimeSession
from tests.scorm_player.runtime.replay import (
    PASS_COUNTS,
    AdlStep,
    adl_return_matches,
    call_api,
    decode_adl_case,
    launch_seed,
    parse_java_properties,
    read_cts_member,
    resumed_values,
)


def test_adl_dmi_case_gets_every_error_code_and_value_the_cts_expects():
    legend = parse_java_properties(read_cts_member("legend/Commands.properties"))
    case = decode_adl_case(read_cts_member("TestCases/DMI.properties"), legend)
    failures: list[str] = []
    replayed = 0
    sessions_by_activity: dict[str, dict[str, str]] = {}
    for activity, steps in case.steps_by_activity.items():
        activity_number = activity.split("V")[0]
        values = resumed_values(sessions_by_activity.get(activity_number))
        values.setdefault("cmi.learner_name", "")
        values.update(launch_seed(steps))
        session = RuntimeSession("2004", values)
        for step in steps:
            replayed += 1
            actual = call_api(session, _as_fixture_step(step))
            code = session.get_last_error()
            value_checked = step.element != "adl.data._count"
            if (code != step.expected_code and step.raw_expected != "Returned a valid value or error code") or (
                    value_checked and not adl_return_matches(step, actual)):
                failures.append(f"{activity} command {step.index}: {step.method}({step.element!r}, {step.value[:60]!r})"
                                f" -> {actual[:60]!r}/{code}, expected {(step.expected_return or '')[:60]!r}/"
                                f"{step.expected_code}")
        sessions_by_activity[activity_number] = session.values
    PASS_COUNTS["ADL CTS TestCases/DMI.properties (decoded here)"] = (replayed - len(failures), replayed)
    assert replayed == 8063
    # Set aside: 92 &id& steps, 6 adl.nav.* steps and 1 command without a method token (Act3V2.commands.47).
    assert len(case.skipped) == 99
    assert not failures, "\n".join(failures[:40])


def _as_fixture_step(step: AdlStep) -> dict[str, str | None]:
    return {"method": step.method, "element": step.element, "value": step.value}
