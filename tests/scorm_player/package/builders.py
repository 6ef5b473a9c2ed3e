"""Test data builders: shared-fixture lookup, zips built in memory (benign and malicious), small manifests."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path
from typing import Iterable, Mapping

SHARED_FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "scorm"

IMSCP_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSCP_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


def zip_bytes(files: Mapping[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write_zip(path: Path, files: Mapping[str, bytes | str], **options: int) -> Path:
    path.write_bytes(zip_bytes(files, **options))
    return path


def zip_with_infos(entries: Iterable[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, content in entries:
            archive.writestr(info, content)
    return buffer.getvalue()


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def fifo_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFIFO | 0o644) << 16
    return info


def _central_directory(data: bytes) -> tuple[int, int, int]:
    """(offset, size, entries) from the end-of-central-directory record (no archive comment)."""
    eocd = data.rindex(b"PK\x05\x06")
    entries, size, offset = struct.unpack_from("<HII", data, eocd + 10)
    return offset, size, entries


def _central_headers(data: bytes) -> list[int]:
    offset, _, entries = _central_directory(data)
    positions = []
    for _ in range(entries):
        positions.append(offset)
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + name_length + extra_length + comment_length
    return positions


def patch_central_header(data: bytes, index: int, *, flags: int | None = None, offset: int | None = None,
                         size: int | None = None) -> bytes:
    """Rewrite fields of the index-th central directory header (APPNOTE.TXT §4.3.12)."""
    patched = bytearray(data)
    position = _central_headers(data)[index]
    if flags is not None:
        struct.pack_into("<H", patched, position + 8, flags)
    if size is not None:
        struct.pack_into("<I", patched, position + 24, size)
    if offset is not None:
        struct.pack_into("<I", patched, position + 42, offset)
    return bytes(patched)


def central_header_fields(data: bytes, index: int) -> dict[str, int]:
    position = _central_headers(data)[index]
    flags, = struct.unpack_from("<H", data, position + 8)
    local_offset, = struct.unpack_from("<I", data, position + 42)
    return {"flags": flags, "offset": local_offset}


def replace_name_bytes(data: bytes, old: bytes, new: bytes, *, utf8_flag: bool) -> bytes:
    """Swap an entry's raw name bytes (same length) in both headers and set or clear the UTF-8 flag."""
    assert len(old) == len(new)
    patched = bytearray(data.replace(old, new))
    for position in _central_headers(bytes(patched)):
        flags, = struct.unpack_from("<H", patched, position + 8)
        local, = struct.unpack_from("<I", patched, position + 42)
        flags = flags | 0x800 if utf8_flag else flags & ~0x800
        struct.pack_into("<H", patched, position + 8, flags)
        struct.pack_into("<H", patched, local + 6, flags)
    return bytes(patched)


def to_zip64(data: bytes) -> bytes:
    """Give a zip a ZIP64 end-of-central-directory record and locator (APPNOTE.TXT §4.3.14–16)."""
    offset, size, entries = _central_directory(data)
    eocd = data.rindex(b"PK\x05\x06")
    record_offset = eocd
    zip64_record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, entries, entries, size, offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, record_offset, 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:eocd] + zip64_record + locator + end


def zip64_bytes(files: Mapping[str, bytes]) -> bytes:
    """A zip whose members carry ZIP64 extra fields and whose directory ends with ZIP64 records."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(content)
    return to_zip64(buffer.getvalue())


def manifest_12(items: str, resources: str, *, schemaversion: str | None = "1.2", extra_root: str = "",
                organizations_attributes: str = 'default="org"') -> bytes:
    metadata = f"<metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion></metadata>" \
        if schemaversion is not None else ""
    return f"""<?xml version="1.0"?>
<manifest identifier="m1" version="1" xmlns="{IMSCP_12}" xmlns:adlcp="{ADLCP_12}" {extra_root}>
  {metadata}
  <organizations {organizations_attributes}>
    <organization identifier="org">
      <title>Course 1.2</title>
{items}
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
</manifest>
""".encode()


def manifest_2004(items: str, resources: str, *, schemaversion: str | None = "2004 4th Edition",
                  organization_extra: str = "", organization_attributes: str = "", after_resources: str = "",
                  manifest_attributes: str = "") -> bytes:
    metadata = f"<metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion></metadata>" \
        if schemaversion is not None else ""
    return f"""<?xml version="1.0"?>
<manifest identifier="m2004" version="1" xmlns="{IMSCP_2004}" xmlns:adlcp="{ADLCP_2004}"
          xmlns:adlseq="{ADLSEQ}" xmlns:adlnav="{ADLNAV}" xmlns:imsss="{IMSSS}" {manifest_attributes}>
  {metadata}
  <organizations default="org">
    <organization identifier="org" {organization_attributes}>
      <title>Course 2004</title>
{items}
{organization_extra}
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
{after_resources}
</manifest>
""".encode()


def sco_resource(identifier: str, href: str, *, scorm_type_attribute: str = "adlcp:scormType", extra: str = "",
                 files: Iterable[str] = ()) -> str:
    file_elements = "".join(f'<file href="{name}"/>' for name in (files or [href.split("?")[0]]))
    return (f'<resource identifier="{identifier}" type="webcontent" {scorm_type_attribute}="sco" href="{href}" {extra}>'
            f"{file_elements}</resource>")


def course_structure(body: str, *, course_id: str = "https://example.com/course/1") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="{CMI5}">
  <course id="{course_id}">
    <title><langstring lang="en">Course</langstring></title>
    <description><langstring lang="en">A course</langstring></description>
  </course>
{body}
</courseStructure>
""".encode()


def au(au_id: str, url: str, *, attributes: str = "", objectives: str = "", after_url: str = "") -> str:
    return f"""  <au id="{au_id}" {attributes}>
    <title><langstring lang="en">AU</langstring></title>
    <description><langstring lang="en">An AU</langstring></description>
    {objectives}
    <url>{url}</url>
    {after_url}
  </au>"""
