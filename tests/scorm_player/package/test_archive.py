"""Zip safety: zip-slip, links, bombs, names, encodings, zip64, and atomic content-addressed extraction."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path

import pytest

from scorm_player.package import archive
from scorm_player.package.archive import (
    ArchiveLimits,
    extract_archive,
    read_archive_member,
    scan_archive,
    validate_entries,
)
from scorm_player.package.rejection import PackageRejected
from tests.scorm_player.helpers import shared_fixture
from tests.scorm_player.package.builders import (
    central_header_fields,
    fifo_info,
    patch_central_header,
    replace_name_bytes,
    symlink_info,
    write_zip,
    zip64_bytes,
    zip_bytes,
    zip_with_infos,
)


def rejection_rule(path: Path, **options: object) -> str:
    with pytest.raises(PackageRejected) as caught:
        scan_archive(path, **options)  # type: ignore[arg-type]
    return caught.value.rule


@pytest.mark.parametrize("name, rule", [
    ("../evil.txt", "zip.path_traversal"),
    ("course/../../evil.txt", "zip.path_traversal"),
    ("course/..", "zip.path_traversal"),
    ("/etc/cron.d/evil", "zip.absolute_path"),
    ("C:/Windows/evil.dll", "zip.absolute_path"),
    ("c:evil.txt", "zip.absolute_path"),
    ("course\\..\\..\\evil.txt", "zip.backslash_path"),
    ("course\\index.html", "zip.backslash_path"),
    ("evil\x07.txt", "zip.unsafe_path"),
])
def test_scan_rejects_entries_that_escape_the_package_folder(tmp_path: Path, name: str, rule: str) -> None:
    path = write_zip(tmp_path / "evil.zip", {"imsmanifest.xml": "<manifest/>", name: "pwned"})
    assert rejection_rule(path) == rule


def test_scan_rejection_names_the_archive_and_the_entry(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "evil.zip", {"../evil.txt": "pwned"})
    with pytest.raises(PackageRejected) as caught:
        scan_archive(path)
    assert str(caught.value) == ("evil.zip: entry '../evil.txt' climbs out of the package folder with '..' "
                                 "[zip.path_traversal]")
    assert caught.value.line is None


def test_scan_rejects_a_name_with_an_embedded_nul_that_zipfile_would_truncate(tmp_path: Path) -> None:
    data = zip_bytes({"evil.txtX.html": "x"}).replace(b"evil.txtX.html", b"evil.txt\x00.html")
    (tmp_path / "nul.zip").write_bytes(data)
    assert rejection_rule(tmp_path / "nul.zip") == "zip.unsafe_path"


def test_scan_rejects_symlink_entries(tmp_path: Path) -> None:
    (tmp_path / "link.zip").write_bytes(zip_with_infos([(symlink_info("shared/passwd"), b"/etc/passwd")]))
    assert rejection_rule(tmp_path / "link.zip") == "zip.symlink"


def test_scan_rejects_special_files(tmp_path: Path) -> None:
    (tmp_path / "fifo.zip").write_bytes(zip_with_infos([(fifo_info("pipe"), b"")]))
    assert rejection_rule(tmp_path / "fifo.zip") == "zip.special_file"


def test_scan_accepts_regular_unix_files_and_folders(tmp_path: Path) -> None:
    regular = zipfile.ZipInfo("course/index.html")
    regular.create_system = 3
    regular.external_attr = (stat.S_IFREG | 0o755) << 16
    folder = zipfile.ZipInfo("course/")
    folder.create_system = 3
    folder.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
    (tmp_path / "ok.zip").write_bytes(zip_with_infos([(folder, b""), (regular, b"<html/>")]))
    listing = scan_archive(tmp_path / "ok.zip")
    assert listing.files == {"course/index.html"}
    assert listing.directories == {"course"}


def test_scan_rejects_a_highly_compressed_entry_as_a_zip_bomb(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "bomb.zip", {"zeros.bin": b"\0" * (8 * 1024 * 1024)})
    with pytest.raises(PackageRejected) as caught:
        scan_archive(path)
    assert caught.value.rule == "zip.compression_ratio"
    assert "zeros.bin" in caught.value.message


def test_scan_exempts_small_entries_from_the_ratio_check(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "spaces.zip", {"blank.html": b" " * 100_000})
    assert scan_archive(path).files == {"blank.html"}


def test_scan_rejects_more_files_than_the_limit(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "many.zip", {f"f{index}.txt": "x" for index in range(11)})
    assert rejection_rule(path, limits=ArchiveLimits(max_files=10)) == "zip.too_many_files"


def test_scan_rejects_more_uncompressed_bytes_than_the_limit(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "big.zip", {"a.bin": os.urandom(600), "b.bin": os.urandom(600)})
    assert rejection_rule(path, limits=ArchiveLimits(max_total_bytes=1000)) == "zip.too_large"


def test_scan_trusts_no_declared_size_below_the_real_one_at_extraction(tmp_path: Path) -> None:
    # The header claims 10 bytes; extraction must stop there and flag the member instead of writing 1 MB.
    data = patch_central_header(zip_bytes({"index.html": os.urandom(1024 * 1024)},
                                          compression=zipfile.ZIP_STORED), 0, size=10)
    (tmp_path / "liar.zip").write_bytes(data)
    with pytest.raises(PackageRejected) as caught:
        extract_archive(tmp_path / "liar.zip", tmp_path / "content")
    assert caught.value.rule == "zip.corrupt"
    assert not any((tmp_path / "content").iterdir())


def test_scan_rejects_overlapping_entries_that_share_compressed_data(tmp_path: Path) -> None:
    # The non-recursive zip bomb: many central directory entries pointing at one local file.
    data = zip_bytes({"a.txt": "x" * 100, "b.txt": "x" * 100})
    shared_offset = central_header_fields(data, 0)["offset"]
    (tmp_path / "overlap.zip").write_bytes(patch_central_header(data, 1, offset=shared_offset))
    assert rejection_rule(tmp_path / "overlap.zip") == "zip.overlapping_entries"


def test_scan_rejects_duplicate_names(tmp_path: Path) -> None:
    path = tmp_path / "dupe.zip"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "w") as archive_file:
        archive_file.writestr("index.html", "one")
        archive_file.writestr("index.html", "two")
    assert rejection_rule(path) == "zip.duplicate_name"


def test_scan_rejects_names_that_are_duplicates_after_normalisation(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "dupe.zip", {"a/index.html": "one", "a/./index.html": "two"})
    assert rejection_rule(path) == "zip.duplicate_name"


def test_scan_rejects_a_name_that_is_both_a_file_and_a_folder(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "clash.zip", {"shared": "file", "shared/index.html": "x"})
    assert rejection_rule(path) == "zip.duplicate_name"


def test_scan_rejects_names_flagged_utf8_that_are_not_utf8(tmp_path: Path) -> None:
    data = replace_name_bytes(zip_bytes({"é.txt": "x"}), "é.txt".encode(), b"\xff\xfe.txt", utf8_flag=True)
    (tmp_path / "bad-utf8.zip").write_bytes(data)
    assert rejection_rule(tmp_path / "bad-utf8.zip") == "zip.name_encoding"


def test_scan_reads_unflagged_utf8_names_as_utf8_with_a_warning(tmp_path: Path) -> None:
    data = replace_name_bytes(zip_bytes({"übung.html": "x"}), "übung".encode(), "übung".encode(), utf8_flag=False)
    (tmp_path / "unflagged.zip").write_bytes(data)
    listing = scan_archive(tmp_path / "unflagged.zip")
    assert listing.files == {"übung.html"}
    assert [warning.rule for warning in listing.warnings] == ["zip.name_encoding"]


def test_scan_reads_unflagged_non_utf8_names_as_cp437_with_a_warning(tmp_path: Path) -> None:
    cp437_name = "über.html".encode("cp437")  # b"\x81ber.html", not valid UTF-8
    data = replace_name_bytes(zip_bytes({"Xber.html": "x"}), b"Xber.html", cp437_name, utf8_flag=False)
    (tmp_path / "cp437.zip").write_bytes(data)
    listing = scan_archive(tmp_path / "cp437.zip")
    assert listing.files == {"über.html"}
    assert "cp437" in listing.warnings[0].message


def test_scan_keeps_flagged_utf8_names(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "utf8.zip", {"日本語/índice.html": "x"})
    listing = scan_archive(path)
    assert listing.files == {"日本語/índice.html"}
    assert listing.warnings == ()


def test_scan_rejects_encrypted_entries(tmp_path: Path) -> None:
    data = zip_bytes({"index.html": "x"})
    encrypted_flags = central_header_fields(data, 0)["flags"] | 1
    (tmp_path / "locked.zip").write_bytes(patch_central_header(data, 0, flags=encrypted_flags))
    assert rejection_rule(tmp_path / "locked.zip") == "zip.encrypted"


def test_scan_rejects_compression_methods_without_an_output_bound(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "bz2.zip", {"index.html": "x" * 100}, compression=zipfile.ZIP_BZIP2)
    assert rejection_rule(path) == "zip.unsupported_compression"


@pytest.mark.parametrize("content", [b"", b"PK", b"# not a zip\n", b"PK\x03\x04garbage" + bytes(100)])
def test_scan_rejects_files_that_are_not_zips(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "broken.zip").write_bytes(content)
    assert rejection_rule(tmp_path / "broken.zip") == "zip.not_a_zip"


def test_scan_accepts_zip64_archives(tmp_path: Path) -> None:
    # cmi5 14.0.0.0-1 / CATAPULT LTS 102: Zip64 must be accepted.
    (tmp_path / "zip64.zip").write_bytes(zip64_bytes({"cmi5.xml": b"<x/>", "index.html": b"<html/>"}))
    listing = scan_archive(tmp_path / "zip64.zip")
    assert listing.files == {"cmi5.xml", "index.html"}
    assert read_archive_member(tmp_path / "zip64.zip", listing.entry("index.html"), max_bytes=100) == b"<html/>"


def test_validate_entries_works_on_plain_zipinfo_objects() -> None:
    info = zipfile.ZipInfo("course/./index.html")
    info.file_size, info.compress_size, info.header_offset = 10, 10, 0
    listing = validate_entries([info], archive_name="upload.zip")
    assert [entry.name for entry in listing.entries] == ["course/index.html"]
    assert listing.directories == {"course"}


def test_read_archive_member_refuses_members_above_the_limit(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "big-manifest.zip", {"imsmanifest.xml": "x" * 2000})
    listing = scan_archive(path)
    with pytest.raises(PackageRejected) as caught:
        read_archive_member(path, listing.entry("imsmanifest.xml"), max_bytes=1000)
    assert caught.value.rule == "zip.member_too_large"


def test_extract_writes_into_a_folder_named_after_the_zip_sha256(tmp_path: Path) -> None:
    source = shared_fixture("scorm12", "golf_runtime_basic_scorm12.zip")
    extracted = extract_archive(source, tmp_path / "content")
    expected_hash = hashlib.sha256(source.read_bytes()).hexdigest()
    assert extracted.content_hash == expected_hash
    assert extracted.folder == tmp_path / "content" / expected_hash
    assert extracted.created
    assert (extracted.folder / "imsmanifest.xml").read_bytes() == zipfile.ZipFile(source).read("imsmanifest.xml")
    assert (extracted.folder / "shared" / "launchpage.html").is_file()
    assert sorted(path.name for path in (tmp_path / "content").iterdir()) == [expected_hash]


def test_extract_gives_files_fixed_permissions_whatever_the_zip_says(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("run.sh")
    info.create_system = 3
    info.external_attr = (stat.S_IFREG | 0o4777) << 16  # setuid, world-writable
    (tmp_path / "modes.zip").write_bytes(zip_with_infos([(info, b"#!/bin/sh\n")]))
    extracted = extract_archive(tmp_path / "modes.zip", tmp_path / "content")
    assert stat.S_IMODE((extracted.folder / "run.sh").stat().st_mode) & 0o7777 == 0o644 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_extract_twice_is_a_no_op(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "course.zip", {"imsmanifest.xml": "<manifest/>", "a/index.html": "x"})
    first = extract_archive(path, tmp_path / "content")
    (first.folder / "a" / "index.html").write_text("kept")
    second = extract_archive(path, tmp_path / "content")
    assert (second.folder, second.created) == (first.folder, False)
    assert (second.folder / "a" / "index.html").read_text() == "kept"


def test_extract_of_a_malicious_zip_writes_nothing(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "evil.zip", {"index.html": "ok", "../../evil.txt": "pwned"})
    with pytest.raises(PackageRejected):
        extract_archive(path, tmp_path / "content")
    assert not (tmp_path / "content").exists() or not any((tmp_path / "content").iterdir())
    assert not list(tmp_path.rglob("evil.txt"))


def test_extract_removes_the_staging_folder_when_a_member_is_corrupt(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"index.html": "hello world" * 100, "z.html": "x"}, compression=zipfile.ZIP_STORED))
    data[data.index(b"hello world") + 3] ^= 0xFF  # breaks the CRC of index.html
    (tmp_path / "corrupt.zip").write_bytes(bytes(data))
    with pytest.raises(PackageRejected) as caught:
        extract_archive(tmp_path / "corrupt.zip", tmp_path / "content")
    assert caught.value.rule == "zip.corrupt"
    assert list((tmp_path / "content").iterdir()) == []


def test_extract_that_loses_a_race_returns_the_winners_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_zip(tmp_path / "course.zip", {"index.html": "mine"})
    content_root = tmp_path / "content"
    real_extract = archive._extract_into

    def extract_while_another_upload_finishes(*args: object) -> None:
        real_extract(*args)  # type: ignore[arg-type]
        winner = content_root / hashlib.sha256(path.read_bytes()).hexdigest()
        winner.mkdir()
        (winner / "index.html").write_text("theirs")

    monkeypatch.setattr(archive, "_extract_into", extract_while_another_upload_finishes)
    extracted = extract_archive(path, content_root)
    assert not extracted.created
    assert (extracted.folder / "index.html").read_text() == "theirs"
    assert [child.name for child in content_root.iterdir()] == [extracted.content_hash]


@pytest.mark.slow
def test_scan_rejects_one_gigabyte_of_zeros_without_inflating_it(tmp_path: Path) -> None:
    path = tmp_path / "gigabyte.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive_file, \
            archive_file.open("zeros.bin", "w", force_zip64=True) as member:
        chunk = b"\0" * (16 * 1024 * 1024)
        for _ in range(64):
            member.write(chunk)
    assert path.stat().st_size < 5 * 1024 * 1024
    assert rejection_rule(path) == "zip.compression_ratio"
