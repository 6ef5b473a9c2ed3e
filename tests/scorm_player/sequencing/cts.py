"""ADL SCORM 2004 4th Ed CTS LMS test packages: decode the TestCases/*.properties scripts and replay them.

A script lists, in delivery order, the visits the LMS must make (`Act<N>V<visit>.*` keys, N = the `act=N` item
parameter) and what the test SCO does in each: data-model calls (`commands.i`, abbreviated with
legend/Commands.properties) and, when the SCO issues no navigation request, the one the tester triggers (`CUI`).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from scorm_player.package.manifest import parse_manifest
from scorm_player.package.sequencing import normalise_objective_id
from scorm_player.sequencing import (
    ActivityTree,
    GlobalObjectives,
    NavigationRequest,
    ObjectiveReport,
    ScoReport,
    SequencingState,
    build_activity_tree,
    navigation_request_valid,
    new_state,
    parse_navigation_request,
    process_navigation_request,
    relaunch,
    report_sco_data,
)
from tests.scorm_player.helpers import SHARED_FIXTURES

CTS_ZIP = SHARED_FIXTURES / "scorm2004" / "adl_cts" / "adl_scorm2004_4th_cts_lms_testpackages_shared.zip"
SEQUENCING_FAMILIES = ("CM", "CO", "CT", "MS", "OB", "RU", "SX", "T")

_VISIT_KEY = re.compile(r"^Act(?P<act>\d+)V(?P<visit>\d+)\.(?P<field>.+)$")
_COMMAND_FIELD = re.compile(r"^commands\.(\d+)$")


def parse_properties(text: str) -> dict[str, str]:
    """Java .properties: key=value lines, # comments, backslash continuations; keys keep file order.

    Like java.util.Properties, a key defined twice keeps its last value.
    """
    return dict(property_entries(text))


def property_entries(text: str) -> list[tuple[str, str]]:
    """Every key=value line in file order, duplicates included."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        if line.endswith("\\"):
            pending = line[:-1]
            continue
        pending = ""
        if not line or line.startswith(("#", "!")):
            continue
        key, _, value = line.partition("=")
        result.append((key.strip(), value))
    return result


@dataclass
class Visit:
    act: int
    visit: int
    commands: list[str] = field(default_factory=list)
    user_navigation: str | None = None  # CUI


@dataclass(frozen=True)
class Command:
    method: str  # I, T, GET, SET, ...
    element: str  # decoded: "adl.nav.request_valid.continue", "cmi.objectives.{obj1}.success_status"
    value: str | None  # decoded SET value
    expected: str  # decoded expected return value


@dataclass
class CtsCase:
    case_id: str
    properties: dict[str, str]
    visits: list[Visit]
    manifest: bytes

    @property
    def family(self) -> str:
        return self.case_id.split("-", 1)[0]


class Legend:
    """legend/Commands.properties: the abbreviations the scripts use."""

    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = entries

    def word(self, token: str) -> str:
        return self.entries.get(token, token)

    def path(self, tokens: list[str]) -> str:
        """Element tokens → dotted element; `tar` takes the next token as the target, `&id&` names an objective."""
        parts: list[str] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token == "tar":
                parts.append("{target=" + tokens[index + 1] + "}")
                index += 2
                continue
            if token.startswith("&") and token.endswith("&") and len(token) > 1:
                parts.append("{" + token[1:-1] + "}")
            else:
                parts.append(self.word(token))
            index += 1
        return ".".join(parts)

    def nav_value(self, tokens: list[str]) -> str:
        """A SET value for adl.nav.request: "N.c" → continue, "tar~a1~TY.c" → {target=a1}choice."""
        if tokens[0] == "tar":
            return "{target=" + tokens[1] + "}" + self.word(tokens[2])
        return self.word(tokens[0])

    def command(self, text: str) -> Command:
        method, _, rest = text.partition("->")
        argument, _, rest = rest.partition("->")
        expected, _, _ = rest.rpartition("->")
        element_text, bang, value_text = argument.partition("!")
        element = self.path(element_text.split("~")) if element_text else ""
        value: str | None = None
        if bang:
            if element == "adl.nav.request":
                value = self.nav_value(value_text.split("~"))
            else:
                value = self.word(value_text)
        return Command(method, element, value, self.word(expected))


def load_legend(archive: zipfile.ZipFile) -> Legend:
    return Legend(parse_properties(archive.read("legend/Commands.properties").decode("utf-8", "replace")))


def case_ids() -> list[str]:
    """The sequencing test cases in the CTS zip (empty when the shared fixtures are absent)."""
    if not CTS_ZIP.is_file():
        return []
    with zipfile.ZipFile(CTS_ZIP) as archive:
        names = set(archive.namelist())
    found = []
    for name in sorted(names):
        match = re.fullmatch(r"TestCases/(?P<id>[A-Z]+-\w+)\.properties", name)
        if match and match["id"].split("-")[0] in SEQUENCING_FAMILIES:
            if f"LMSTestPackage_{match['id']}/imsmanifest.xml" in names:
                found.append(match["id"])
    return found


def load_case(archive: zipfile.ZipFile, case_id: str) -> CtsCase:
    """The case's script. Visit commands are read line by line, a duplicated `commands.N` key included.

    Four scripts number two or three commands of a visit alike (CM-03a Act3V1.commands.1, CO-04b Act1V1.commands.2,
    CO-10 Act1V1.commands.13, MS-07 Act6V1.commands.2). Read as java.util.Properties (last definition wins), CO-10's
    SCO would only set cmi.exit and terminate without its continue request -- with Continue hidden from the LMS UI
    and no CUI instruction nothing could then lead to the Act2V1 the script expects -- and MS-07's SCO would never
    report the scores its expected path depends on. Java semantics do not explain the expected outcomes; numbering
    slips do, so every line runs, in file order.
    """
    text = archive.read(f"TestCases/{case_id}.properties").decode("utf-8", "replace")
    properties = parse_properties(text)
    visits: dict[tuple[int, int], Visit] = {}
    for key, value in property_entries(text):
        match = _VISIT_KEY.match(key)
        if not match:
            continue
        slot = (int(match["act"]), int(match["visit"]))
        visit = visits.setdefault(slot, Visit(*slot))
        command = _COMMAND_FIELD.match(match["field"])
        if command:
            visit.commands.append(value)
        elif match["field"] == "CUI":
            visit.user_navigation = value
    ordered = sorted(visits.values(), key=lambda visit: list(visits).index((visit.act, visit.visit)))
    manifest = archive.read(f"LMSTestPackage_{case_id}/imsmanifest.xml")
    return CtsCase(case_id, properties, ordered, manifest)


_GROUP = re.compile(r"^(?P<group>[A-Z]+-\d+)(?P<part>[a-z]*)$")
_TARGET_ID = re.compile(rb'targetObjectiveID\s*=\s*"([^"]+)"')


def predecessors(archive: zipfile.ZipFile, case_id: str) -> list[str]:
    """The earlier packages of the case's group (CO-07a before CO-07b) that share global objectives with it.

    The LMS test runs a group's packages in order for one learner, and global objectives (targetObjectiveID, global
    to the system by default) belong to the learner across courses: CO-07b, OB-03c, OB-09b ... start from what the
    learner achieved in the earlier packages.
    """
    match = _GROUP.match(case_id)
    shared = _system_global_targets(archive, case_id)
    if match is None or not shared:
        return []
    found = []
    for other in case_ids():
        other_match = _GROUP.match(other)
        if (other_match is not None and other_match["group"] == match["group"]
                and other_match["part"] < match["part"] and _system_global_targets(archive, other) & shared):
            found.append(other)
    return found


def _system_global_targets(archive: zipfile.ZipFile, case_id: str) -> set[bytes]:
    """The package's targetObjectiveIDs when they are global to the system (not scoped to the course)."""
    manifest = archive.read(f"LMSTestPackage_{case_id}/imsmanifest.xml")
    if not build_activity_tree(parse_manifest(manifest)).objectives_global_to_system:
        return set()
    return set(_TARGET_ID.findall(manifest))


class ReplayMismatch(AssertionError):
    """The engine did something other than what the ADL script requires."""


# CUI instructions that relaunch the package and then ask the tester to choose an activity.
_RELAUNCH_THEN_CHOOSE = {"RelaunchCM10": "Activity 4"}
# CUI instructions that trigger a navigation event and then have the tester relaunch the package (legend
# Instructions.properties: "...trigger a Continue Navigation Event ... Please relaunch ... CM-08").
_THEN_RELAUNCH = frozenset({"ContinueExitCM8"})
_ENDINGS = frozenset({"Exit", "AutoTest", "HasEnded", "OKEnd"})


@dataclass
class Replay:
    """Drives the sequencer through one CTS case and raises ReplayMismatch on the first deviation."""

    case: CtsCase
    legend: Legend
    # The learner's global objectives: shared with the packages the same learner ran before (see predecessors).
    global_objectives: GlobalObjectives = field(default_factory=GlobalObjectives)
    tree: ActivityTree = field(init=False)
    activities_for_act: dict[int, list[str]] = field(init=False)  # SX-09 gives two items act=2
    trace: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        package = parse_manifest(self.case.manifest)
        self.tree = build_activity_tree(package)
        self.activities_for_act = {}
        for item in package.items():
            match = re.search(r"[?&]act=(\d+)", item.parameters or "")
            if match:
                self.activities_for_act.setdefault(int(match[1]), []).append(item.identifier)

    def fail(self, message: str) -> ReplayMismatch:
        return ReplayMismatch(f"{self.case.case_id}: {message}\n  trace: " + " | ".join(self.trace))

    def by_title(self, title: str) -> str:
        if title.startswith("the activity that corresponds to the root"):
            return self.tree.root
        for activity in self.tree:
            if activity.title.strip() == title.strip():
                return activity.identifier
        raise self.fail(f"no activity titled {title!r}")

    def run(self) -> None:
        start = self.case.properties.get("start", ".").strip()
        if start in (".", ""):
            result = relaunch(self.tree, None, global_objectives=self.global_objectives)
            self.trace.append(f"start → {result.delivered or result.exception}")
        else:
            target = self.by_title(start)
            result = process_navigation_request(self.tree, new_state(self.tree), NavigationRequest("choice", target),
                                                global_objectives=self.global_objectives)
            self.trace.append(f"choice {target} → {result.delivered or result.exception}")
        state, delivered = result.state, result.delivered
        for index, visit in enumerate(self.case.visits):
            expected = self.activities_for_act.get(visit.act)
            if expected is None:
                raise self.fail(f"no item with act={visit.act}")
            if delivered is None or delivered not in expected:
                raise self.fail(f"visit {index + 1} (Act{visit.act}V{visit.visit}): expected {' or '.join(expected)}, "
                                f"the sequencer delivered {delivered}")
            state, delivered = self.run_visit(visit, delivered, state, last=index == len(self.case.visits) - 1)

    def run_visit(self, visit: Visit, activity: str, state: SequencingState,
                  *, last: bool) -> tuple[SequencingState, str | None]:
        values: dict[str, str] = {}
        request: NavigationRequest | None = None
        for text in visit.commands:
            command = self.legend.command(text)
            if command.method == "GET" and command.element.startswith("adl.nav.request_valid."):
                # The LMS sees SetValue data as it arrives, so request_valid reflects it (ADL sample RTE).
                probe = (report_sco_data(self.tree, state, activity, sco_report(values),
                                         global_objectives=self.global_objectives.copy()) if values else state)
                answer = navigation_request_valid(self.tree, probe, command.element,
                                                  global_objectives=self.global_objectives)
                if str(answer).lower() != command.expected:
                    raise self.fail(f"Act{visit.act}V{visit.visit}: GetValue({command.element}) = "
                                    f"{str(answer).lower()}, ADL expects {command.expected}")
            elif command.method == "SET" and command.element == "adl.nav.request" and command.value is not None:
                request = parse_navigation_request(command.value)
            elif command.method == "SET" and command.value is not None:
                values[command.element] = command.value
        navigation = visit.user_navigation or ""
        if request is None:
            request = self.user_request(navigation)
        if values.get("cmi.exit") in ("time-out", "logout") and request is None:
            request = NavigationRequest("exitAll")  # SCORM 2004 RTE §4.2.9 cmi.exit
        # An abandoned attempt's data is discarded (ADL RTE: no data transfer on abandon/abandonAll).
        if request is None or request.kind not in ("abandon", "abandonAll"):
            state = report_sco_data(self.tree, state, activity, sco_report(values),
                                    global_objectives=self.global_objectives)
        if request is None:
            if not last and not navigation.startswith("Relaunch"):
                raise self.fail(f"Act{visit.act}V{visit.visit}: no navigation request and CUI {navigation!r}")
            result = None
        else:
            result = process_navigation_request(self.tree, state, request, global_objectives=self.global_objectives)
            self.trace.append(f"Act{visit.act}V{visit.visit} {request} → {result.delivered or result.exception or ''}"
                              f"{' (ended)' if result.ended else ''}")
            state = result.state
            follow_up = self.user_request(navigation) if request != self.user_request(navigation) else None
            if result.delivered is None and not result.ended and follow_up is not None:
                # The SCO's own request left the learner without content (SX-09: exit); the tester goes on (CUI).
                result = process_navigation_request(self.tree, state, follow_up,
                                                    global_objectives=self.global_objectives)
                self.trace.append(f"{navigation} → {result.delivered or result.exception or ''}"
                                  f"{' (ended)' if result.ended else ''}")
                state = result.state
        delivered = result.delivered if result is not None else None
        relaunches = navigation.startswith("Relaunch") or navigation in _THEN_RELAUNCH
        if relaunches or navigation.startswith("Root"):
            if delivered is not None:
                raise self.fail(f"Act{visit.act}V{visit.visit}: expected the attempt to end, got {delivered}")
            if navigation.startswith("Root"):
                result = process_navigation_request(self.tree, state, NavigationRequest("choice", self.tree.root),
                                                    global_objectives=self.global_objectives)
            else:
                result = relaunch(self.tree, state, global_objectives=self.global_objectives)
                if result.delivered is None and navigation in _RELAUNCH_THEN_CHOOSE:
                    target = self.by_title(_RELAUNCH_THEN_CHOOSE[navigation])
                    result = process_navigation_request(self.tree, result.state, NavigationRequest("choice", target),
                                                        global_objectives=self.global_objectives)
            self.trace.append(f"{navigation} → {result.delivered or result.exception}")
            return result.state, result.delivered
        if last and delivered is not None:
            raise self.fail(f"after the last visit the sequencer delivered {delivered}; ADL expects the end")
        return state, delivered

    def user_request(self, navigation: str) -> NavigationRequest | None:
        name, _, argument = navigation.partition("~")
        if name in ("Continue", "ContinueExitCM8"):
            return NavigationRequest("continue")
        if name == "Previous":
            return NavigationRequest("previous")
        if name in ("Choice", "ChoiceExit"):
            return NavigationRequest("choice", self.by_title(argument))
        if name == "TRIGExitAll":
            return NavigationRequest("exitAll")
        return None  # Exit, AutoTest, Relaunch*: the tester ends the session or relaunches


def _number(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


def sco_report(values: dict[str, str]) -> ScoReport:
    """The SCO's SetValue calls → what the LMS hands the sequencer at Terminate."""
    objectives: dict[str, dict[str, str]] = {}
    for element, value in values.items():
        match = re.fullmatch(r"cmi\.objectives\.\{(?P<id>[^}]*)\}\.(?P<name>.+)", element)
        if match:
            objectives.setdefault(normalise_objective_id(match["id"]), {})[match["name"]] = value
    return ScoReport(
        completion_status=values.get("cmi.completion_status"),
        success_status=values.get("cmi.success_status"),
        score_scaled=_number(values.get("cmi.score.scaled")),
        score_raw=_number(values.get("cmi.score.raw")),
        score_min=_number(values.get("cmi.score.min")),
        score_max=_number(values.get("cmi.score.max")),
        progress_measure=_number(values.get("cmi.progress_measure")),
        exit=values.get("cmi.exit"),
        objectives=tuple(
            ObjectiveReport(
                objective_id=objective_id,
                success_status=fields.get("success_status"),
                completion_status=fields.get("completion_status"),
                score_scaled=_number(fields.get("score.scaled")),
                score_raw=_number(fields.get("score.raw")),
                score_min=_number(fields.get("score.min")),
                score_max=_number(fields.get("score.max")),
                progress_measure=_number(fields.get("progress_measure")),
            )
            for objective_id, fields in objectives.items()
        ),
    )


def replay_case(archive: zipfile.ZipFile, legend: Legend, case_id: str) -> None:
    """Replay the case after the packages it continues, all for one learner with one global objective store."""
    learner = GlobalObjectives()
    for earlier in predecessors(archive, case_id):
        try:
            Replay(load_case(archive, earlier), legend, learner).run()
        except ReplayMismatch as mismatch:
            raise ReplayMismatch(f"{case_id}: continues {earlier}, which fails: {mismatch}") from mismatch
    Replay(load_case(archive, case_id), legend, learner).run()


def open_archive(path: Path = CTS_ZIP) -> zipfile.ZipFile:
    return zipfile.ZipFile(path)
