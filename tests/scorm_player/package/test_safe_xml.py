"""Untrusted descriptors: XXE, billion laughs, external DTDs and broken XML are refused without side effects."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from lxml import etree

from scorm_player.package.cmi5 import parse_course_structure
from scorm_player.package.manifest import parse_manifest
from scorm_player.package.rejection import PackageRejected
from scorm_player.package.safe_xml import parse_untrusted_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<manifest identifier="m"><organizations><organization identifier="o"><title>&lol9;</title></organization>
</organizations></manifest>
"""


def test_xxe_file_entity_is_refused_and_the_file_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    manifest = f"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file://{secret}">]>
<manifest identifier="m"><metadata><schemaversion>&xxe;</schemaversion></metadata></manifest>
""".encode()
    with pytest.raises(PackageRejected) as caught:
        parse_manifest(manifest)
    assert caught.value.rule == "xml.entity_declaration"
    assert caught.value.line == 2
    assert "TOP-SECRET-VALUE" not in str(caught.value)


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(PackageRejected) as caught:
        parse_manifest(BILLION_LAUGHS)
    assert (caught.value.rule, caught.value.line) == ("xml.entity_declaration", 3)
    assert time.perf_counter() - started < 1.0


def test_parameter_entities_are_refused() -> None:
    document = b"""<?xml version="1.0"?>
<!DOCTYPE courseStructure [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"/>
"""
    with pytest.raises(PackageRejected) as caught:
        parse_course_structure(document)
    assert caught.value.rule == "xml.entity_declaration"


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.hits.append(self.path)
        body = b'<!ENTITY remote "FETCHED-FROM-NETWORK">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    _CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/evil.dtd", _CountingHandler.hits
    finally:
        server.shutdown()
        server.server_close()


def test_external_dtd_is_never_fetched(dtd_server: tuple[str, list[str]]) -> None:
    url, hits = dtd_server
    document = f"""<?xml version="1.0"?>
<!DOCTYPE manifest SYSTEM "{url}">
<manifest identifier="m"><metadata><schemaversion>&remote;</schemaversion></metadata></manifest>
""".encode()
    with pytest.raises(PackageRejected) as caught:
        parse_manifest(document)
    assert (caught.value.rule, caught.value.line) == ("xml.external_dtd", 2)
    assert "FETCHED-FROM-NETWORK" not in str(caught.value)
    assert hits == []


def test_external_dtd_on_disk_is_refused_and_not_read(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY remote "READ-FROM-DISK">')
    document = f'<?xml version="1.0"?>\n<!DOCTYPE root SYSTEM "file://{dtd}">\n<root>&remote;</root>'.encode()
    with pytest.raises(PackageRejected) as caught:
        parse_untrusted_xml(document, file_name="x.xml")
    assert caught.value.rule == "xml.external_dtd"
    assert "READ-FROM-DISK" not in str(caught.value)


def test_undeclared_entity_references_are_not_well_formed() -> None:
    document = b'<?xml version="1.0"?>\n<!DOCTYPE root>\n<root>\n<a>&mystery;</a></root>'
    with pytest.raises(PackageRejected) as caught:
        parse_untrusted_xml(document, file_name="x.xml")
    assert (caught.value.rule, caught.value.line) == ("xml.not_well_formed", 4)


def test_a_plain_doctype_without_entities_is_accepted() -> None:
    document = b'<?xml version="1.0"?>\n<!DOCTYPE root>\n<root><child/></root>'
    assert parse_untrusted_xml(document, file_name="x.xml").getroot().tag == "root"


def test_xinclude_is_not_processed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    document = f"""<root xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{secret}" parse="text"/></root>"""
    tree = parse_untrusted_xml(document.encode(), file_name="x.xml")
    assert b"TOP-SECRET-VALUE" not in etree.tostring(tree)


@pytest.mark.parametrize("document", [b"", b"   \n", b'<?xml version="1.0" encoding="UTF-8"?>\n',
                                      b'\xef\xbb\xbf<?xml version="1.0"?>  '])
def test_documents_without_a_root_element_are_empty(document: bytes) -> None:
    with pytest.raises(PackageRejected) as caught:
        parse_untrusted_xml(document, file_name="imsmanifest.xml")
    assert caught.value.rule == "xml.empty"


def test_ill_formed_xml_is_rejected_with_its_line() -> None:
    document = b'<?xml version="1.0"?>\n<manifest identifier="m">\n  <organizations>\n</manifest>\n'
    with pytest.raises(PackageRejected) as caught:
        parse_untrusted_xml(document, file_name="imsmanifest.xml")
    assert caught.value.rule == "xml.not_well_formed"
    assert caught.value.line == 4
    assert str(caught.value).startswith("imsmanifest.xml:4: ")


def test_text_that_is_not_xml_is_ill_formed() -> None:
    with pytest.raises(PackageRejected) as caught:
        parse_untrusted_xml(b"# LMS Test Package\n", file_name="cmi5.xml")
    assert caught.value.rule == "xml.not_well_formed"
