"""Every shared fixture in ../shared/fixtures/scorm inspected: standard, edition, items, launch URLs, rejections."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from scorm_player.package.inspect import inspect_package
from scorm_player.package.manifest import ScormType, parse_manifest
from scorm_player.package.rejection import PackageRejected
from scorm_player.package.sequencing import (
    ControlMode,
    ObjectiveMap,
    RollupCondition,
    RollupRule,
    RuleCondition,
    SequencingRule,
)
from scorm_player.package.standards import Edition, Standard
from tests.scorm_player.helpers import shared_fixture
from tests.scorm_player.package.builders import IMSCP_2004

GOLF_PAGES_12 = [
    "Playing/Playing.html", "Playing/Par.html", "Playing/Scoring.html", "Playing/OtherScoring.html",
    "Playing/RulesOfGolf.html", "shared/assessmenttemplate.html?questions=Playing",
    "Etiquette/Course.html", "Etiquette/Distracting.html", "Etiquette/Play.html",
    "shared/assessmenttemplate.html?questions=Etiquette",
    "Handicapping/Overview.html", "Handicapping/CalculatingHandicap.html", "Handicapping/CalculatingScore.html",
]
GOLF_SEQUENCED_SCOS = [f"shared/launchpage.html?content={topic}"
                       for topic in ("playing", "etiquette", "handicapping", "havingfun", "assessment")]


@dataclass(frozen=True)
class Expected:
    standard: Standard
    edition: Edition | None
    items: int
    launch_urls: list[str]
    scorm_types: set[ScormType]


SCORM_FIXTURES = {
    ("scorm12", "golf_runtime_basic_scorm12.zip"): Expected(
        Standard.SCORM_12, None, 1, ["shared/launchpage.html"], {ScormType.SCO}),
    ("scorm12", "golf_runtime_minimum_multisco_scorm12.zip"): Expected(
        Standard.SCORM_12, None, 22, GOLF_PAGES_12 + [
            "Handicapping/CalculatingScore.html", "shared/assessmenttemplate.html?questions=Handicapping",
            "HavingFun/HowToHaveFun.html", "HavingFun/MakeFriends.html",
            "shared/assessmenttemplate.html?questions=HavingFun"], {ScormType.SCO}),
    ("scorm12", "exe_multi_level_nested_scorm12.zip"): Expected(
        Standard.SCORM_12, None, 13, ["index.html", "level_21.html", "level_31.html", "level_41.html", "level_32.html",
                                      "level_42.html", "level_22.html", "level_33.html", "level_34.html",
                                      "level_43.html", "level_23.html", "level_35.html", "level_36.html"],
        {ScormType.SCO}),
    ("scorm2004", "golf_cp_singlesco_2004_3rd.zip"): Expected(
        Standard.SCORM_2004, Edition.THIRD, 1, ["shared/launchpage.html"], {ScormType.SCO}),
    ("scorm2004", "golf_cp_multisco_onefilepersco_2004_3rd.zip"): Expected(
        Standard.SCORM_2004, Edition.THIRD, 22, GOLF_PAGES_12 + [
            "Handicapping/Example.html", "shared/assessmenttemplate.html?questions=Handicapping",
            "HavingFun/HowToHaveFun.html", "HavingFun/MakeFriends.html",
            "shared/assessmenttemplate.html?questions=HavingFun"], {ScormType.ASSET}),
    ("scorm2004", "golf_runtime_basic_2004_3rd.zip"): Expected(
        Standard.SCORM_2004, Edition.THIRD, 1, ["shared/launchpage.html"], {ScormType.SCO}),
    ("scorm2004", "golf_seq_forced_sequential_2004_3rd.zip"): Expected(
        Standard.SCORM_2004, Edition.THIRD, 5, GOLF_SEQUENCED_SCOS, {ScormType.SCO}),
    ("scorm2004", "golf_seq_posttest_rollup_2004_3rd.zip"): Expected(
        Standard.SCORM_2004, Edition.THIRD, 5, GOLF_SEQUENCED_SCOS, {ScormType.SCO}),
    ("scorm2004", "golf_seq_4th_edition_features_2004_4th.zip"): Expected(
        Standard.SCORM_2004, Edition.FOURTH, 5, GOLF_SEQUENCED_SCOS, {ScormType.SCO}),
}


@pytest.mark.parametrize("folder, name", list(SCORM_FIXTURES), ids=[name for _, name in SCORM_FIXTURES])
def test_scorm_fixture_is_accepted_with_its_standard_items_and_launch_urls(folder: str, name: str) -> None:
    expected = SCORM_FIXTURES[folder, name]
    report = inspect_package(shared_fixture(folder, name))
    assert (report.standard, report.edition) == (expected.standard, expected.edition)
    assert report.item_count == expected.items
    assert list(report.launch_urls) == expected.launch_urls
    assert {item.scorm_type for item in report.scorm.items() if item.is_launchable} == expected.scorm_types
    assert (report.descriptor_path, report.content_base, report.is_zip) == ("imsmanifest.xml", "", True)
    assert report.warnings == ()


def test_golf_multisco_12_groups_18_scos_under_4_topic_clusters() -> None:
    package = inspect_package(shared_fixture("scorm12", "golf_runtime_minimum_multisco_scorm12.zip")).scorm
    clusters = package.organization.items
    assert [cluster.identifier for cluster in clusters] == ["playing_item", "etiquette_item", "handicapping_item",
                                                          "havingfun_item"]
    assert [len(cluster.children) for cluster in clusters] == [6, 4, 5, 3]
    assert not any(cluster.is_launchable for cluster in clusters)
    assert package.organization.items[0].children[5].parameters == "?questions=Playing"


def test_exe_package_nests_launchable_parents_four_levels_deep() -> None:
    package = inspect_package(shared_fixture("scorm12", "exe_multi_level_nested_scorm12.zip")).scorm
    root = package.organization.items[0]
    assert root.title == "Level 1" and root.is_launchable and len(root.children) == 3
    assert root.children[0].children[0].children[0].title == "Level 4-1"
    assert all(item.is_visible for item in package.items())
    assert "<adlcp:location>imslrm.xml</adlcp:location>" in package.metadata


def test_golf_runtime_basic_2004_has_flow_on_the_organization_and_delivery_controls_on_the_sco() -> None:
    package = inspect_package(shared_fixture("scorm2004", "golf_runtime_basic_2004_3rd.zip")).scorm
    assert package.organization.sequencing.control_mode == ControlMode(choice=True, flow=True)
    (sco,) = package.items()
    assert sco.sequencing.explicit == {"deliveryControls"}


def test_golf_forced_sequential_merges_the_collection_and_reads_global_objectives() -> None:
    package = inspect_package(shared_fixture("scorm2004", "golf_seq_forced_sequential_2004_3rd.zip")).scorm
    playing, etiquette, *_, assessment = package.items()
    assert not package.organization.objectives_global_to_system
    for item in package.items():
        assert item.sequencing.collection_id == "common_seq_rules"
        assert item.sequencing.rollup.objective_measure_weight == 0.0
        assert item.sequencing.delivery.completion_set_by_content
    assert playing.sequencing.primary_objective.maps == (ObjectiveMap(
        "com.scorm.golfsamples.sequencing.forcedsequential.playing_satisfied", write_satisfied_status=True),)
    assert etiquette.sequencing.rules.pre_condition == (SequencingRule(
        action="disabled", condition_combination="any", conditions=(
            RuleCondition("satisfied", negated=True, referenced_objective="previous_sco_satisfied"),
            RuleCondition("objectiveStatusKnown", negated=True, referenced_objective="previous_sco_satisfied"))),)
    assert assessment.sequencing.primary_objective.maps == ()


def test_golf_posttest_rollup_lets_only_the_assessment_contribute() -> None:
    package = inspect_package(shared_fixture("scorm2004", "golf_seq_posttest_rollup_2004_3rd.zip")).scorm
    rollups = [item.sequencing.rollup for item in package.items()]
    contributions = [(rollup.rollup_objective_satisfied, rollup.rollup_progress_completion) for rollup in rollups]
    assert contributions == [(False, False)] * 4 + [(True, True)]


def test_golf_fourth_edition_reads_progress_weights_shared_data_and_completion_maps() -> None:
    package = inspect_package(shared_fixture("scorm2004", "golf_seq_4th_edition_features_2004_4th.zip")).scorm
    items = list(package.items())
    assert [item.completion_threshold.progress_weight for item in items] == [0.5, 0.3, 0.4, 0.3, 0.1]
    assert all(not item.completion_threshold.completed_by_measure for item in items)
    notes = "com.scorm.golfsamples.sequencing.forcedsequential.notesStorage"
    assert all([(m.target_id, m.read_shared_data, m.write_shared_data) for m in item.shared_data_maps]
               == [(notes, True, True)] for item in items)
    assert not package.organization.shared_data_global_to_system
    etiquette = items[1].sequencing
    previous = next(objective for objective in etiquette.objectives
                    if objective.objective_id == "previous_sco_completed")
    maps = [(mapping.target_objective_id, mapping.read_completion_status, mapping.write_completion_status)
            for mapping in previous.extended_maps]
    assert maps == [("com.scorm.golfsamples.sequencing.forcedsequential.playing_completed", True, False)]
    assert [rule.action for rule in items[4].sequencing.rules.pre_condition] == ["hiddenFromChoice", "hiddenFromChoice"]


@pytest.mark.parametrize("name, rule, file", [
    ("moodle_invalid_no_manifest.zip", "package.no_manifest", "moodle_invalid_no_manifest.zip"),
    ("moodle_badscorm_empty_manifest_in_subdir.zip", "xml.empty", "badscorm/imsmanifest.xml"),
    ("moodle_aicc_cst_only.zip", "package.unsupported_format", "moodle_aicc_cst_only.zip"),
])
def test_invalid_fixture_is_rejected_with_the_precise_rule(name: str, rule: str, file: str) -> None:
    with pytest.raises(PackageRejected) as caught:
        inspect_package(shared_fixture("invalid", name))
    assert (caught.value.rule, caught.value.file) == (rule, file)


def test_every_invalid_fixture_is_covered() -> None:
    folder = shared_fixture("invalid")
    assert {path.name for path in folder.iterdir()} == {
        "moodle_invalid_no_manifest.zip", "moodle_badscorm_empty_manifest_in_subdir.zip", "moodle_aicc_cst_only.zip"}


def test_aicc_rejection_says_unsupported_format() -> None:
    with pytest.raises(PackageRejected) as caught:
        inspect_package(shared_fixture("invalid", "moodle_aicc_cst_only.zip"))
    assert "AICC" in str(caught.value) and "unsupported format" in str(caught.value)


def test_single_au_cmi5_package_is_accepted() -> None:
    report = inspect_package(shared_fixture("cmi5", "catapult_single_au_basic_responsive.zip"))
    assert (report.standard, report.edition, report.item_count, report.launch_urls) == (
        Standard.CMI5, None, 1, ("index.html",))
    assert report.title == "Introduction to Geology - Responsive Style"


# --- the ADL SCORM 2004 4th Edition CTS LMS test packages ---

CTS_ZIP = ("scorm2004", "adl_cts", "adl_scorm2004_4th_cts_lms_testpackages_shared.zip")
CTS_ITEM_COUNTS = {"API": 3, "CM-04a": 15, "CM-05": 9, "DMB": 9, "DMI": 4, "OB-02a": 3, "RU-17a": 17, "SX-02": 6,
                   "SX-05": 10, "T-01a": 42}


@cache
def _cts_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def cts_files() -> dict[str, bytes]:
    return _cts_files(shared_fixture(*CTS_ZIP))


def cts_manifests() -> dict[str, bytes]:
    return {name.split("/")[0].removeprefix("LMSTestPackage_"): data
            for name, data in cts_files().items() if name.endswith("/imsmanifest.xml")}


def items_in_default_organization(manifest: bytes) -> int:
    """An independent count with XPath, to check the parser against."""
    root = etree.fromstring(manifest)
    namespaces = {"cp": IMSCP_2004}
    default = " ".join(root.xpath("string(cp:organizations/@default)", namespaces=namespaces).split())
    organization = next(org for org in root.xpath("cp:organizations/cp:organization", namespaces=namespaces)
                        if " ".join(org.get("identifier").split()) == default)
    return len(organization.xpath(".//cp:item", namespaces=namespaces))


def test_every_cts_manifest_parses_as_fourth_edition_with_the_expected_item_count() -> None:
    manifests = cts_manifests()
    assert len(manifests) == 142
    problems = {}
    for test_case, data in manifests.items():
        try:
            package = parse_manifest(data, file_name=f"LMSTestPackage_{test_case}/imsmanifest.xml")
        except PackageRejected as error:
            problems[test_case] = str(error)
            continue
        if (package.standard, package.edition) != (Standard.SCORM_2004, Edition.FOURTH):
            problems[test_case] = f"{package.standard} {package.edition}"
        elif package.organization.item_count != items_in_default_organization(data):
            problems[test_case] = f"{package.organization.item_count} items"
        elif package.warnings:
            problems[test_case] = "; ".join(map(str, package.warnings))
    assert problems == {}


@pytest.mark.parametrize("test_case, count", sorted(CTS_ITEM_COUNTS.items()))
def test_cts_sample_item_counts(test_case: str, count: int) -> None:
    assert parse_manifest(cts_manifests()[test_case]).organization.item_count == count


def test_cts_sx02_tree_launch_urls_and_rules() -> None:
    package = parse_manifest(cts_manifests()["SX-02"])
    assert [item.launch_url for item in package.items() if item.is_launchable] == [
        f"resources/SequencingTest.htm?tc=SX-02&act={act}" for act in (1, 3, 4, 5, 6)]
    cluster = package.organization.items[1]
    assert cluster.sequencing.control_mode == ControlMode(choice=False, flow=True)
    assert [rule.action for rule in cluster.sequencing.rules.exit_condition] == ["exit"]
    assert [rule.action for rule in cluster.sequencing.rules.post_condition] == ["previous"]
    assert cluster.sequencing.rollup.rules == (RollupRule("satisfied", (RollupCondition("completed"),), "all"),)
    assert cluster.children[0].completion_threshold.cmi_completion_threshold == 0.5
    assert package.resource("JAR01").files == ("common/LMSTest.jar",)


def test_cts_dmi_item_extensions() -> None:
    first = next(parse_manifest(cts_manifests()["DMI"]).items())
    assert first.data_from_lms == "Launch Data Test"
    assert first.time_limit_action == "continue,message"
    assert first.hide_lms_ui == {"suspendAll"}
    assert first.completion_threshold.cmi_completion_threshold == 0.8
    assert [(m.target_id, m.read_shared_data, m.write_shared_data) for m in first.shared_data_maps] == [
        ("tarID1", True, False), ("tarID2", True, False), ("tarID3", False, False), ("tarID4", False, False)]


def _cts_package_zip(tmp_path: Path, test_case: str, extra: dict[str, bytes]) -> Path:
    prefix = f"LMSTestPackage_{test_case}/"
    members = {name[len(prefix):]: data for name, data in cts_files().items() if name.startswith(prefix)}
    members.update(extra)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path = tmp_path / f"{test_case}.zip"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("test_case, launchable", [("API", 3), ("DMB", 9), ("DMI", 4)])
def test_cts_data_model_packages_inspect_as_zips_with_missing_support_files_as_warnings(
        tmp_path: Path, test_case: str, launchable: int) -> None:
    report = inspect_package(_cts_package_zip(tmp_path, test_case, {}))
    assert (report.standard, report.edition) == (Standard.SCORM_2004, Edition.FOURTH)
    assert len(report.launch_urls) == launchable
    assert all(url.startswith("resources/") for url in report.launch_urls)
    # The CTS ships lmsrtefunctions.js, LMSTest.jar etc. separately (spec §1.5), so they are missing here.
    assert {warning.rule for warning in report.warnings} == {"cam.file_missing"}


def test_cts_sequencing_package_inspects_with_the_sco_depot_page(tmp_path: Path) -> None:
    page = cts_files()["SCODepot/SequencingTest.htm"]
    report = inspect_package(_cts_package_zip(tmp_path, "SX-02", {"resources/SequencingTest.htm": page}))
    assert report.item_count == 6
    assert report.launch_urls[0] == "resources/SequencingTest.htm?tc=SX-02&act=1"


def test_cts_sequencing_package_without_its_sco_page_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(PackageRejected) as caught:
        inspect_package(_cts_package_zip(tmp_path, "CM-01", {}))
    assert caught.value.rule == "cam.launch_file_missing"
    assert posixpath.basename(caught.value.message.split("'")[3]) == "SequencingTest.htm"
