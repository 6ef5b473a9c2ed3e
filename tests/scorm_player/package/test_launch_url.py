"""Launch URL construction: xml:base chains, the CAM parameter-joining rule, package-local paths."""

from __future__ import annotations

import pytest

from scorm_player.package.launch_url import (
    PathOutsidePackage,
    is_external,
    join_parameters,
    package_path,
    resolve_reference,
)


@pytest.mark.parametrize("url, parameters, expected", [
    ("a.html", None, "a.html"),
    ("a.html", "   ", "a.html"),
    ("a.html", "?tc=SX-02&act=1", "a.html?tc=SX-02&act=1"),  # ADL CTS style
    ("a.html?content=playing", "?questions=Playing", "a.html?content=playing&questions=Playing"),
    ("a.html", "x=1", "a.html?x=1"),
    ("a.html?y=2", "x=1", "a.html?y=2&x=1"),
    ("a.html", "  ?x=1  ", "a.html?x=1"),
    ("a.html", "#page2", "a.html#page2"),
    ("a.html#page1", "#page2", "a.html#page1"),  # a second fragment is dropped
    ("a.html#page1", "?x=1", "a.html?x=1#page1"),  # query goes before the fragment
    ("a.html?", "x=1", "a.html?x=1"),
])
def test_join_parameters_follows_the_cam_rules(url: str, parameters: str | None, expected: str) -> None:
    assert join_parameters(url, parameters) == expected


@pytest.mark.parametrize("references, expected", [
    (("", "", "resources/", "SequencingTest.htm"), "resources/SequencingTest.htm"),
    (("course/", "resources/", "sco1/", "index.html"), "course/resources/sco1/index.html"),
    (("course", "index.html"), "index.html"),  # RFC 3986: a base without '/' names a file
    (("http://cdn.example.com/pkg/", "sco/index.html"), "http://cdn.example.com/pkg/sco/index.html"),
    (("resources/", "http://example.com/a.html"), "http://example.com/a.html"),
    (("resources/", "../shared/a.html"), "resources/../shared/a.html"),
    (("", "shared/launchpage.html?content=playing"), "shared/launchpage.html?content=playing"),
])
def test_resolve_reference_chains_xml_base(references: tuple[str, ...], expected: str) -> None:
    assert resolve_reference(*references) == expected


def test_package_path_strips_query_and_fragment_and_decodes() -> None:
    assert package_path("shared/launch%20page.html?content=playing#top") == "shared/launch page.html"
    assert package_path("shared/launch%20page.html", decode=False) == "shared/launch%20page.html"
    assert package_path("resources/../shared/a.html") == "shared/a.html"
    assert package_path("https://example.com/a.html") is None


@pytest.mark.parametrize("url", ["../outside.html", "a/../../outside.html", "/index.html", "%2e%2e/secret"])
def test_package_path_refuses_paths_outside_the_package(url: str) -> None:
    with pytest.raises(PathOutsidePackage):
        package_path(url)


@pytest.mark.parametrize("url, external", [
    ("index.html", False), ("http://a/b", True), ("//cdn/x.js", True), ("javascript:alert(1)", True),
])
def test_is_external(url: str, external: bool) -> None:
    assert is_external(url) is external
