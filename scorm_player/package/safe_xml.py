"""Untrusted XML in, lxml tree out: no network, no DTD loading, no entities (XXE and billion laughs)."""

from __future__ import annotations

import re

from lxml import etree

from scorm_player.package.rejection import PackageRejected

__all__ = ["parse_untrusted_xml"]

_XML_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_EXTERNAL_DTD = re.compile(rb"<!DOCTYPE[^>\[]*\s(SYSTEM|PUBLIC)\s", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # A fresh parser per document: lxml parsers keep per-document state and are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,  # never substitute entity text, internal or external
        load_dtd=False,  # never fetch or read an external DTD
        no_network=True,
        dtd_validation=False,
        huge_tree=False,  # keep libxml2's depth and text-size limits
        remove_pis=True,
        collect_ids=False,
    )


def _line_of(data: bytes, match: re.Match[bytes] | None) -> int | None:
    return data.count(b"\n", 0, match.start()) + 1 if match else None


def _reject_doctype_features(data: bytes, file_name: str) -> None:
    # No SCORM or cmi5 descriptor needs a DTD: entities are the XXE / billion-laughs vector, and an external
    # DTD is a request to the network or the file system waiting to happen.
    entity = _ENTITY_DECLARATION.search(data)
    if entity:
        raise PackageRejected(file_name, _line_of(data, entity), "xml.entity_declaration",
                              "the document declares XML entities, which are not allowed")
    external = _EXTERNAL_DTD.search(data)
    if external:
        raise PackageRejected(file_name, _line_of(data, external), "xml.external_dtd",
                              "the document refers to an external DTD, which is not allowed")


def parse_untrusted_xml(data: bytes, *, file_name: str) -> etree._ElementTree:
    """Parse an uploaded descriptor; reject emptiness, syntax errors, DTD entities and external DTDs."""
    if not _XML_DECLARATION.sub(b"", data, count=1).strip():
        # e.g. Moodle's badscorm.zip: an XML declaration and nothing else
        raise PackageRejected(file_name, None, "xml.empty", "the document has no root element")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        # libxml2 itself stops some attacks (entity loops, network DTDs); report the attack, not the symptom.
        _reject_doctype_features(data, file_name)
        raise PackageRejected(file_name, error.lineno, "xml.not_well_formed", str(error.msg or error)) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.system_url or tree.docinfo.public_id:
        _reject_doctype_features(data, file_name)
    for reference in root.iter(etree.Entity):
        raise PackageRejected(file_name, reference.sourceline, "xml.entity_reference",
                              f"the document uses the undeclared entity {reference.text}")
    return tree
