"""imsmanifest.xml parsing: versions, organizations, items, resources, launch URLs, extensions, file checks."""

from __future__ import annotations

import pytest

from scorm_player.package.manifest import (
    CompletionThreshold,
    ScormType,
    SharedDataMap,
    check_package_files,
    parse_manifest,
)
from scorm_player.package.rejection import PackageRejected
from scorm_player.package.standards import Edition, Standard
from tests.scorm_player.package.builders import (
    ADLCP_12,
    ADLCP_2004,
    IMSCP_12,
    IMSCP_2004,
    manifest_12,
    manifest_2004,
    sco_resource,
)

ONE_ITEM = '<item identifier="i1" identifierref="r1"><title>One</title></item>'
ONE_RESOURCE_12 = sco_resource("r1", "index.html", scorm_type_attribute="adlcp:scormtype")
ONE_RESOURCE_2004 = sco_resource("r1", "index.html")
CLUSTER_WITH_RESOURCE = ('<item identifier="p" identifierref="r1"><title>P</title>'
                         '<item identifier="c" identifierref="r1"><title>C</title></item></item>')


def item_with(extensions: str, identifier: str = "i1") -> str:
    return f'<item identifier="{identifier}" identifierref="r1"><title>x</title>{extensions}</item>'


def rejection(data: bytes) -> PackageRejected:
    with pytest.raises(PackageRejected) as caught:
        parse_manifest(data)
    return caught.value


# --- version detection (spec §2.1 "Detecting the version") ---

@pytest.mark.parametrize("schemaversion, standard, edition", [
    ("1.2", Standard.SCORM_12, None),
    ("CAM 1.3", Standard.SCORM_2004, Edition.SECOND),
    ("2004 3rd Edition", Standard.SCORM_2004, Edition.THIRD),
    ("2004 4th Edition", Standard.SCORM_2004, Edition.FOURTH),
    ("  2004   4th  edition ", Standard.SCORM_2004, Edition.FOURTH),
])
def test_schemaversion_decides_the_standard_and_edition(schemaversion: str, standard: Standard,
                                                         edition: Edition | None) -> None:
    package = parse_manifest(manifest_2004(ONE_ITEM, ONE_RESOURCE_2004, schemaversion=schemaversion))
    assert (package.standard, package.edition, package.schema_version) == (standard, edition, schemaversion.strip())


def test_missing_schemaversion_falls_back_to_the_2004_namespaces_with_a_warning() -> None:
    package = parse_manifest(manifest_2004(ONE_ITEM, ONE_RESOURCE_2004, schemaversion=None))
    assert (package.standard, package.edition) == (Standard.SCORM_2004, Edition.THIRD)
    assert [warning.rule for warning in package.warnings] == ["cam.schema_version"]


def test_namespace_fallback_spots_fourth_edition_features() -> None:
    item = ('<item identifier="i1" identifierref="r1"><title>One</title>'
            '<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.5"/></item>')
    package = parse_manifest(manifest_2004(item, ONE_RESOURCE_2004, schemaversion="2004 5th Edition"))
    assert package.edition is Edition.FOURTH
    assert "2004 5th Edition" in package.warnings[0].message


def test_scorm_12_accepts_any_schemaversion_value() -> None:
    for value in (None, "1.2", "SCORM 1.2 whatever"):
        package = parse_manifest(manifest_12(ONE_ITEM, ONE_RESOURCE_12, schemaversion=value))
        assert package.standard is Standard.SCORM_12
        assert package.warnings == ()


def test_manifest_without_namespaces_is_read_when_schemaversion_says_12() -> None:
    data = b"""<manifest identifier="m"><metadata><schemaversion>1.2</schemaversion></metadata>
      <organizations default="o"><organization identifier="o"><title>T</title>
        <item identifier="i1" identifierref="r1"><title>x</title></item></organization></organizations>
      <resources><resource identifier="r1" type="webcontent" href="index.html"/></resources></manifest>"""
    package = parse_manifest(data)
    assert package.standard is Standard.SCORM_12
    assert [item.launch_url for item in package.items()] == ["index.html"]


def test_manifest_without_version_clues_is_rejected() -> None:
    data = b'<manifest identifier="m" xmlns="http://example.com/cp"><organizations/><resources/></manifest>'
    assert rejection(data).rule == "cam.schema_version"


def test_scorm_11_is_an_unsupported_format() -> None:
    error = rejection(manifest_12(ONE_ITEM, ONE_RESOURCE_12, schemaversion="1.1"))
    assert error.rule == "package.unsupported_format"
    assert "SCORM 1.1" in error.message


def test_root_element_must_be_manifest() -> None:
    assert rejection(b'<?xml version="1.0"?>\n<courseStructure/>').rule == "cam.root_element"


# --- organizations and items ---

def test_identifierref_to_a_missing_resource_names_file_line_and_rule() -> None:
    items = '\n'.join(["", "", "", '<item identifier="i1" identifierref="RES-9"><title>x</title></item>'])
    data = manifest_12(items, ONE_RESOURCE_12)
    line = data.decode().splitlines().index('<item identifier="i1" identifierref="RES-9"><title>x</title></item>') + 1
    error = rejection(data)
    assert str(error) == f"imsmanifest.xml:{line}: identifierref 'RES-9' points to no resource [cam.identifierref]"
    assert error.body()["error"]["details"] == {"file": "imsmanifest.xml", "line": line, "rule": "cam.identifierref"}
    assert error.status == 400


def test_default_organization_is_the_one_named_by_default() -> None:
    data = f"""<manifest identifier="m" xmlns="{IMSCP_12}" xmlns:adlcp="{ADLCP_12}">
      <organizations default="second">
        <organization identifier="first"><title>First</title>{ONE_ITEM}</organization>
        <organization identifier="second"><title>Second</title>
          <item identifier="i2" identifierref="r1"><title>Two</title></item></organization>
      </organizations>
      <resources>{ONE_RESOURCE_12}</resources></manifest>""".encode()
    package = parse_manifest(data)
    assert package.organization.identifier == "second"
    assert package.title == "Second"
    assert [organization.identifier for organization in package.organizations] == ["first", "second"]


def test_without_default_the_first_organization_is_used() -> None:
    package = parse_manifest(manifest_12(ONE_ITEM, ONE_RESOURCE_12, organizations_attributes=""))
    assert package.organization.identifier == "org"


def test_default_naming_no_organization_is_rejected() -> None:
    error = rejection(manifest_12(ONE_ITEM, ONE_RESOURCE_12, organizations_attributes='default="nope"'))
    assert error.rule == "cam.default_organization"


def test_without_organizations_each_launchable_resource_becomes_an_item_with_a_warning() -> None:
    data = f"""<manifest identifier="m" xmlns="{IMSCP_12}" xmlns:adlcp="{ADLCP_12}">
      <metadata><schemaversion>1.2</schemaversion></metadata><organizations/>
      <resources>
        <resource identifier="asset" type="webcontent" adlcp:scormtype="asset" href="a.html"/>
        {ONE_RESOURCE_12}
        <resource identifier="files" type="webcontent" adlcp:scormtype="asset"><file href="x.js"/></resource>
      </resources></manifest>""".encode()
    package = parse_manifest(data)
    assert [item.identifier for item in package.items()] == ["r1", "asset"]  # SCOs first
    assert [item.launch_url for item in package.items()] == ["index.html", "a.html"]
    assert [warning.rule for warning in package.warnings] == ["cam.no_organization"]


def test_no_organization_and_no_resources_is_rejected() -> None:
    data = f'<manifest identifier="m" xmlns="{IMSCP_12}"><organizations/><resources/></manifest>'.encode()
    assert rejection(data).rule == "cam.no_organization"


def test_organization_without_items_is_rejected() -> None:
    assert rejection(manifest_12("", ONE_RESOURCE_12)).rule == "cam.empty_organization"


@pytest.mark.parametrize("items, resources", [
    (ONE_ITEM + '<item identifier="i1" identifierref="r1"><title>Again</title></item>', ONE_RESOURCE_12),
    (ONE_ITEM, ONE_RESOURCE_12 + ONE_RESOURCE_12),
])
def test_duplicate_identifiers_are_rejected(items: str, resources: str) -> None:
    assert rejection(manifest_12(items, resources)).rule == "cam.duplicate_identifier"


def test_identifier_shared_by_an_item_and_a_resource_is_only_a_warning() -> None:
    item = '<item identifier="r1" identifierref="r1"><title>x</title></item>'
    package = parse_manifest(manifest_12(item, ONE_RESOURCE_12))
    assert [warning.rule for warning in package.warnings] == ["cam.duplicate_identifier"]


def test_missing_item_identifier_is_rejected() -> None:
    error = rejection(manifest_12('<item identifierref="r1"><title>x</title></item>', ONE_RESOURCE_12))
    assert error.rule == "cam.missing_identifier"


def test_item_pointing_at_a_resource_without_href_is_rejected() -> None:
    resource = '<resource identifier="r1" type="webcontent" adlcp:scormtype="sco"><file href="a.html"/></resource>'
    assert rejection(manifest_12(ONE_ITEM, resource)).rule == "cam.resource_href"


def test_dependency_pointing_nowhere_is_rejected() -> None:
    resource = sco_resource("r1", "index.html", scorm_type_attribute="adlcp:scormtype").replace(
        "</resource>", '<dependency identifierref="ghost"/></resource>')
    assert rejection(manifest_12(ONE_ITEM, resource)).rule == "cam.dependency"


def test_nested_items_keep_order_depth_and_visibility() -> None:
    items = """
      <item identifier="module"><title>Module</title>
        <item identifier="lesson1" identifierref="r1" isvisible="false"><title> Lesson
          one </title></item>
        <item identifier="section"><title>Section</title>
          <item identifier="lesson2" identifierref="r1" parameters="?page=2"><title>Lesson two</title></item>
        </item>
      </item>"""
    package = parse_manifest(manifest_12(items, ONE_RESOURCE_12))
    assert [item.identifier for item in package.items()] == ["module", "lesson1", "section", "lesson2"]
    module = package.organization.items[0]
    assert not module.is_launchable and module.scorm_type is None
    assert module.children[0].title == "Lesson one"
    assert module.children[0].is_visible is False
    assert module.children[1].children[0].launch_url == "index.html?page=2"
    assert package.organization.item_count == 4


def test_scorm_12_cluster_with_a_resource_stays_launchable() -> None:
    # eXeLearning does this (fixture exe_multi_level_nested_scorm12.zip).
    package = parse_manifest(manifest_12(CLUSTER_WITH_RESOURCE, ONE_RESOURCE_12))
    assert package.organization.items[0].is_launchable and not package.organization.items[0].is_leaf


def test_scorm_2004_cluster_with_a_resource_is_rejected() -> None:
    assert rejection(manifest_2004(CLUSTER_WITH_RESOURCE, ONE_RESOURCE_2004)).rule == "cam.cluster_with_resource"


@pytest.mark.parametrize("raw, expected", [("true", True), ("false", False), ("True", True), ("0", False)])
def test_isvisible_reads_xs_boolean(raw: str, expected: bool) -> None:
    item = f'<item identifier="i1" identifierref="r1" isvisible="{raw}"><title>x</title></item>'
    assert parse_manifest(manifest_12(item, ONE_RESOURCE_12)).organization.items[0].is_visible is expected


def test_invalid_boolean_is_rejected_with_its_line() -> None:
    item = '<item identifier="i1" identifierref="r1" isvisible="maybe"><title>x</title></item>'
    error = rejection(manifest_12(item, ONE_RESOURCE_12))
    assert error.rule == "cam.invalid_value"
    assert "isvisible" in error.message and error.line is not None


# --- resources, SCO vs asset, xml:base and launch URLs ---

def test_scorm_type_is_read_in_both_spellings() -> None:
    resources = (sco_resource("r1", "a.html", scorm_type_attribute="adlcp:scormtype")
                 + '<resource identifier="r2" type="webcontent" adlcp:scormType="ASSET" href="b.html"/>')
    items = ONE_ITEM + '<item identifier="i2" identifierref="r2"><title>Two</title></item>'
    package = parse_manifest(manifest_12(items, resources))
    assert [item.scorm_type for item in package.items()] == [ScormType.SCO, ScormType.ASSET]


def test_missing_scorm_type_means_asset_with_a_warning() -> None:
    resource = '<resource identifier="r1" type="webcontent" href="index.html"/>'
    package = parse_manifest(manifest_12(ONE_ITEM, resource))
    assert package.organization.items[0].scorm_type is ScormType.ASSET
    assert [warning.rule for warning in package.warnings] == ["cam.scorm_type_missing"]


def test_unknown_scorm_type_is_rejected() -> None:
    resource = '<resource identifier="r1" type="webcontent" adlcp:scormType="lesson" href="index.html"/>'
    assert rejection(manifest_2004(ONE_ITEM, resource)).rule == "cam.invalid_value"


def test_xml_base_chains_manifest_resources_and_resource() -> None:
    data = f"""<manifest identifier="m" xmlns="{IMSCP_2004}" xmlns:adlcp="{ADLCP_2004}" xml:base="course/">
      <metadata><schemaversion>2004 4th Edition</schemaversion></metadata>
      <organizations default="o"><organization identifier="o"><title>T</title>
        <item identifier="i1" identifierref="r1" parameters="?tc=SX-02&amp;act=1"><title>x</title></item>
        <item identifier="i2" identifierref="r2"><title>y</title></item>
      </organization></organizations>
      <resources xml:base="resources/">
        <resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="SequencingTest.htm" xml:base="sco/">
          <file href="SequencingTest.htm"/></resource>
        <resource identifier="r2" type="webcontent" adlcp:scormType="asset" href="http://cdn.example.com/x.html"/>
      </resources></manifest>""".encode()
    package = parse_manifest(data)
    first, second = package.items()
    assert first.launch_url == "course/resources/sco/SequencingTest.htm?tc=SX-02&act=1"
    assert package.resource("r1").base == "course/resources/sco/"
    assert package.resource("r1").files == ("course/resources/sco/SequencingTest.htm",)
    assert second.launch_url == "http://cdn.example.com/x.html"


def test_javascript_launch_urls_are_rejected() -> None:
    resource = '<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="javascript:alert(1)"/>'
    assert rejection(manifest_2004(ONE_ITEM, resource)).rule == "cam.launch_url_scheme"


def test_files_needed_by_follows_dependencies_transitively() -> None:
    resources = (sco_resource("r1", "index.html", files=["index.html"]).replace(
        "</resource>", '<dependency identifierref="common"/></resource>')
        + '<resource identifier="common" type="webcontent" adlcp:scormType="asset"><file href="api.js"/>'
          '<dependency identifierref="css"/></resource>'
        + '<resource identifier="css" type="webcontent" adlcp:scormType="asset"><file href="s.css"/>'
          '<dependency identifierref="common"/></resource>')
    package = parse_manifest(manifest_2004(ONE_ITEM, resources))
    assert package.files_needed_by("r1") == {"index.html", "api.js", "s.css"}


# --- SCORM 1.2 extensions (adlcp_rootv1p2) ---

def test_scorm_12_item_extensions_are_read() -> None:
    item = """<item identifier="i1" identifierref="r1"><title>x</title>
      <adlcp:prerequisites type="aicc_script">intro&amp;~quiz</adlcp:prerequisites>
      <adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>
      <adlcp:timelimitaction>exit, no message</adlcp:timelimitaction>
      <adlcp:datafromlms>lang=en</adlcp:datafromlms>
      <adlcp:masteryscore>80</adlcp:masteryscore></item>"""
    first = parse_manifest(manifest_12(item, ONE_RESOURCE_12)).organization.items[0]
    assert first.prerequisites == "intro&~quiz"
    assert first.max_time_allowed == "00:30:00"
    assert first.time_limit_action == "exit,no message"
    assert first.data_from_lms == "lang=en"
    assert first.mastery_score == 80.0
    assert first.sequencing is None


@pytest.mark.parametrize("score", ["101", "-1", "eighty", "nan"])
def test_scorm_12_mastery_score_outside_0_to_100_is_rejected(score: str) -> None:
    item = item_with(f"<adlcp:masteryscore>{score}</adlcp:masteryscore>")
    assert rejection(manifest_12(item, ONE_RESOURCE_12)).rule == "cam.invalid_value"


def test_unknown_time_limit_action_is_dropped_with_a_warning() -> None:
    item = item_with("<adlcp:timelimitaction>explode</adlcp:timelimitaction>")
    package = parse_manifest(manifest_12(item, ONE_RESOURCE_12))
    assert package.organization.items[0].time_limit_action is None
    assert [warning.rule for warning in package.warnings] == ["cam.invalid_value"]


# --- SCORM 2004 item extensions ---

def test_completion_threshold_third_edition_text_form() -> None:
    item = item_with("<adlcp:completionThreshold>0.75</adlcp:completionThreshold>")
    threshold = parse_manifest(manifest_2004(item, ONE_RESOURCE_2004)).organization.items[0].completion_threshold
    assert threshold == CompletionThreshold(completed_by_measure=True, min_progress_measure=0.75)
    assert threshold.cmi_completion_threshold == 0.75


def test_completion_threshold_fourth_edition_attribute_form() -> None:
    items = (item_with('<adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.5" '
                       'progressWeight="0.3"/>')
             + item_with('<adlcp:completionThreshold progressWeight="0.4"/>', identifier="i2"))
    first, second = parse_manifest(manifest_2004(items, ONE_RESOURCE_2004)).items()
    assert first.completion_threshold == CompletionThreshold(True, 0.5, 0.3)
    assert second.completion_threshold == CompletionThreshold(False, 1.0, 0.4)
    assert second.completion_threshold.cmi_completion_threshold is None


def test_completion_threshold_above_one_is_rejected() -> None:
    item = item_with('<adlcp:completionThreshold minProgressMeasure="1.5"/>')
    assert rejection(manifest_2004(item, ONE_RESOURCE_2004)).rule == "cam.invalid_value"


def test_scorm_2004_item_extensions_are_read() -> None:
    item = """<item identifier="i1" identifierref="r1"><title>x</title>
      <adlcp:timeLimitAction>continue,message</adlcp:timeLimitAction>
      <adlcp:dataFromLMS>Launch Data Test</adlcp:dataFromLMS>
      <adlnav:presentation><adlnav:navigationInterface>
        <adlnav:hideLMSUI>continue</adlnav:hideLMSUI><adlnav:hideLMSUI>suspendAll</adlnav:hideLMSUI>
      </adlnav:navigationInterface></adlnav:presentation>
      <adlcp:data>
        <adlcp:map targetID="notes"/>
        <adlcp:map targetID="  shared%20bucket " readSharedData="false" writeSharedData="true"/>
      </adlcp:data></item>"""
    first = parse_manifest(manifest_2004(item, ONE_RESOURCE_2004)).organization.items[0]
    assert first.time_limit_action == "continue,message"
    assert first.data_from_lms == "Launch Data Test"
    assert first.hide_lms_ui == {"continue", "suspendAll"}
    assert first.shared_data_maps == (SharedDataMap("notes", True, False), SharedDataMap("shared bucket", False, True))
    assert first.prerequisites is None and first.mastery_score is None


def test_unknown_hide_lms_ui_control_is_rejected() -> None:
    item = ('<item identifier="i1" identifierref="r1"><title>x</title><adlnav:presentation><adlnav:navigationInterface>'
            '<adlnav:hideLMSUI>everything</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation></item>')
    assert rejection(manifest_2004(item, ONE_RESOURCE_2004)).rule == "cam.invalid_value"


def test_organization_global_flags_default_to_true_and_can_be_turned_off() -> None:
    package = parse_manifest(manifest_2004(ONE_ITEM, ONE_RESOURCE_2004))
    assert package.organization.objectives_global_to_system and package.organization.shared_data_global_to_system
    package = parse_manifest(manifest_2004(ONE_ITEM, ONE_RESOURCE_2004, organization_attributes=(
        'adlseq:objectivesGlobalToSystem="false" adlcp:sharedDataGlobalToSystem="false"')))
    assert not package.organization.objectives_global_to_system
    assert not package.organization.shared_data_global_to_system


def test_metadata_is_stored_raw_at_every_level() -> None:
    data = manifest_12('<item identifier="i1" identifierref="r1"><title>x</title><metadata>'
                       '<adlcp:location>item.xml</adlcp:location></metadata></item>', ONE_RESOURCE_12)
    package = parse_manifest(data)
    assert "<schemaversion>1.2</schemaversion>" in package.metadata
    assert "<adlcp:location>item.xml</adlcp:location>" in package.organization.items[0].metadata


def test_sub_manifests_are_ignored_with_a_warning() -> None:
    data = manifest_12(ONE_ITEM, ONE_RESOURCE_12).replace(
        b"</manifest>", b'<manifest identifier="sub"><organizations/><resources/></manifest></manifest>')
    assert [warning.rule for warning in parse_manifest(data).warnings] == ["cam.sub_manifest"]


# --- checks against the files in the zip ---

def test_missing_launch_file_is_rejected_and_names_a_case_mismatch() -> None:
    package = parse_manifest(manifest_12(ONE_ITEM, sco_resource("r1", "Shared/Launch.html",
                                                                    scorm_type_attribute="adlcp:scormtype")))
    with pytest.raises(PackageRejected) as caught:
        check_package_files(package, frozenset({"shared/launch.html"}))
    assert caught.value.rule == "cam.launch_file_missing"
    assert "'shared/launch.html'" in caught.value.message


def test_launch_file_lookup_ignores_query_and_fragment_and_decodes_escapes() -> None:
    package = parse_manifest(manifest_12(ONE_ITEM, sco_resource(
        "r1", "my%20page.html?x=1#top", scorm_type_attribute="adlcp:scormtype", files=["my%20page.html"])))
    assert check_package_files(package, frozenset({"my page.html"})) == ()


def test_launch_file_outside_the_package_is_rejected() -> None:
    package = parse_manifest(manifest_12(ONE_ITEM, sco_resource("r1", "../../etc/passwd",
                                                                    scorm_type_attribute="adlcp:scormtype")))
    with pytest.raises(PackageRejected) as caught:
        check_package_files(package, frozenset({"index.html"}))
    assert caught.value.rule == "cam.href_outside_package"


def test_unlaunched_resources_and_external_urls_need_no_file() -> None:
    resources = ('<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="https://cdn/x.html"/>'
                 '<resource identifier="unused" type="webcontent" adlcp:scormtype="asset" href="gone.html"/>')
    package = parse_manifest(manifest_12(ONE_ITEM, resources))
    assert check_package_files(package, frozenset()) == ()


def test_listed_files_that_are_missing_are_one_warning_per_resource() -> None:
    package = parse_manifest(manifest_12(ONE_ITEM, sco_resource(
        "r1", "index.html", scorm_type_attribute="adlcp:scormtype",
        files=["index.html"] + [f"img/{index}.png" for index in range(7)])))
    warnings = check_package_files(package, frozenset({"index.html"}))
    assert [warning.rule for warning in warnings] == ["cam.file_missing"]
    assert "and 2 more" in warnings[0].message
