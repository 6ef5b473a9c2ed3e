"""Safe zip handling: entry validation (zip-slip, links, bombs, names) and atomic content-addressed extraction."""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Sequence

from scorm_player.package.rejection import PackageRejected, PackageWarning

__all__ = [
    "ArchiveEntry",
    "ArchiveLimits",
    "ArchiveListing",
    "ExtractedArchive",
    "extract_archive",
    "hash_file",
    "looks_like_zip",
    "read_archive_member",
    "scan_archive",
    "validate_entries",
]

# Local file header, or the end-of-central-directory record of an empty archive (APPNOTE.TXT §4.3).
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_LOCAL_HEADER_SIZE = 30  # fixed part of a local file header (APPNOTE.TXT §4.3.7)
_UTF8_NAME_FLAG = 0x800  # general purpose bit 11 (APPNOTE.TXT §4.4.4, Appendix D)
_ENCRYPTED_FLAG = 0x1
# bzip2 and LZMA are left out on purpose: zipfile decompresses their chunks without an output bound,
# so a small chunk can expand to gigabytes in memory before the declared size cuts it off.
_SUPPORTED_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
_COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """Upper bounds that stop zip bombs: checked on the central directory, and again on the bytes extracted."""

    max_files: int = 20_000
    max_total_bytes: int = 2 * 1024 * 1024 * 1024
    # Deflate tops out near 1032:1; real course files (text, media) stay far below 100:1.
    max_compression_ratio: float = 200.0
    # Small entries are exempt from the ratio check: a 4 KB file of spaces is harmless.
    ratio_check_min_bytes: int = 1024 * 1024
    # imsmanifest.xml / cmi5.xml are read into memory, so they get their own cap.
    max_descriptor_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class ArchiveEntry:
    """One validated zip member: `name` is a normalised relative POSIX path without a trailing slash."""

    name: str
    is_dir: bool
    size: int
    compressed_size: int
    # The name zipfile uses for this member (differs from `name` when the encoding had to be guessed).
    zip_name: str


@dataclass(frozen=True)
class ArchiveListing:
    """The validated table of contents of a zip."""

    archive_name: str
    entries: tuple[ArchiveEntry, ...]
    warnings: tuple[PackageWarning, ...] = ()

    @cached_property
    def files(self) -> frozenset[str]:
        return frozenset(entry.name for entry in self.entries if not entry.is_dir)

    @cached_property
    def directories(self) -> frozenset[str]:
        """Folders listed explicitly or implied by a file path."""
        folders = {entry.name for entry in self.entries if entry.is_dir}
        for name in self.files:
            parent = posixpath.dirname(name)
            while parent:
                folders.add(parent)
                parent = posixpath.dirname(parent)
        return frozenset(folders)

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.entries)

    @cached_property
    def _files_by_name(self) -> dict[str, ArchiveEntry]:
        return {entry.name: entry for entry in self.entries if not entry.is_dir}

    def entry(self, name: str) -> ArchiveEntry | None:
        """The file member with this normalised name, if any."""
        return self._files_by_name.get(name)


@dataclass(frozen=True)
class ExtractedArchive:
    """Where a package's files now live: `<content_root>/<content_hash>/`."""

    content_hash: str
    folder: Path
    listing: ArchiveListing = field(repr=False)
    # False when an earlier upload of the same bytes had already been extracted.
    created: bool


def looks_like_zip(path: Path) -> bool:
    """Sniff the signature instead of trusting the file name."""
    with path.open("rb") as handle:
        return handle.read(4) in _ZIP_SIGNATURES


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_COPY_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _decode_name(info: zipfile.ZipInfo, archive_name: str) -> tuple[str, PackageWarning | None]:
    """Names flagged UTF-8 were decoded by zipfile; unflagged non-ASCII names are UTF-8 when they decode as such."""
    if info.flag_bits & _UTF8_NAME_FLAG:
        return info.orig_filename, None
    raw = info.orig_filename.encode("cp437")  # zipfile decoded the raw bytes as cp437, a lossless round trip
    if raw.isascii():
        return info.orig_filename, None
    try:
        guessed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return info.orig_filename, PackageWarning(
            archive_name, None, "zip.name_encoding",
            f"entry name {info.orig_filename!r} has no UTF-8 flag and is not UTF-8; read as cp437")
    # Most tools write UTF-8 without setting the flag; cp437 would turn these names into mojibake.
    return guessed, PackageWarning(
        archive_name, None, "zip.name_encoding", f"entry name {guessed!r} has no UTF-8 flag; read as UTF-8")


def _raw_name_length(info: zipfile.ZipInfo) -> int:
    encoding = "utf-8" if info.flag_bits & _UTF8_NAME_FLAG else "cp437"
    return len(info.orig_filename.encode(encoding, errors="replace"))


def _check_path(name: str, archive_name: str) -> None:
    """Zip-slip: every entry must stay inside the extraction folder (spec §2.1 "zip-slip rule")."""
    def reject(rule: str, why: str) -> PackageRejected:
        return PackageRejected(archive_name, None, rule, f"entry {name!r} {why}")

    if _CONTROL_CHARACTERS.search(name):
        raise reject("zip.unsafe_path", "contains control characters")
    if "\\" in name:
        raise reject("zip.backslash_path", "contains a backslash; zip paths must use '/'")
    if name.startswith("/"):
        raise reject("zip.absolute_path", "is an absolute path")
    if _DRIVE_LETTER.match(name):
        raise reject("zip.absolute_path", "starts with a drive letter")
    if ".." in name.split("/"):
        raise reject("zip.path_traversal", "climbs out of the package folder with '..'")


def _check_file_type(info: zipfile.ZipInfo, name: str, archive_name: str) -> None:
    mode = info.external_attr >> 16  # Unix mode bits, when the creating system recorded them
    if not mode:
        return
    if stat.S_ISLNK(mode):
        raise PackageRejected(archive_name, None, "zip.symlink", f"entry {name!r} is a symbolic link")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise PackageRejected(archive_name, None, "zip.special_file",
                              f"entry {name!r} is not a regular file or folder")


def _check_sizes(infos: Sequence[zipfile.ZipInfo], archive_name: str, limits: ArchiveLimits) -> None:
    if len(infos) > limits.max_files:
        raise PackageRejected(archive_name, None, "zip.too_many_files",
                              f"{len(infos)} entries; the limit is {limits.max_files}")
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise PackageRejected(archive_name, None, "zip.too_large",
                              f"{total} bytes uncompressed; the limit is {limits.max_total_bytes}")
    for info in infos:
        if info.file_size < limits.ratio_check_min_bytes:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise PackageRejected(archive_name, None, "zip.compression_ratio",
                                  f"entry {info.orig_filename!r} expands {ratio:.0f}:1; "
                                  f"the limit is {limits.max_compression_ratio:.0f}:1")


def _check_no_overlap(infos: Sequence[zipfile.ZipInfo], archive_name: str) -> None:
    """Overlapping members (one compressed block shared by many entries) are the non-recursive zip bomb."""
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for current, following in zip(ordered, ordered[1:], strict=False):
        end = current.header_offset + _LOCAL_HEADER_SIZE + _raw_name_length(current) + current.compress_size
        if following.header_offset < end:
            raise PackageRejected(archive_name, None, "zip.overlapping_entries",
                                  f"entries {current.orig_filename!r} and {following.orig_filename!r} share data")


def validate_entries(infos: Sequence[zipfile.ZipInfo], *, archive_name: str,
                     limits: ArchiveLimits = ArchiveLimits()) -> ArchiveListing:
    """Check a central directory (as zipfile reads it) and return the normalised listing."""
    _check_sizes(infos, archive_name, limits)
    _check_no_overlap(infos, archive_name)
    entries: list[ArchiveEntry] = []
    warnings: list[PackageWarning] = []
    seen: dict[str, bool] = {}
    for info in infos:
        name, warning = _decode_name(info, archive_name)
        if warning:
            warnings.append(warning)
        _check_path(name, archive_name)
        _check_file_type(info, name, archive_name)
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise PackageRejected(archive_name, None, "zip.encrypted", f"entry {name!r} is encrypted")
        if info.compress_type not in _SUPPORTED_COMPRESSION:
            raise PackageRejected(archive_name, None, "zip.unsupported_compression",
                                  f"entry {name!r} uses compression method {info.compress_type}; "
                                  "only stored and deflate are accepted")
        is_dir = name.endswith("/")
        normalised = posixpath.normpath(name)
        if normalised == ".":
            continue
        if normalised in seen:
            raise PackageRejected(archive_name, None, "zip.duplicate_name", f"entry {name!r} appears twice")
        seen[normalised] = is_dir
        entries.append(ArchiveEntry(normalised, is_dir, info.file_size, info.compress_size, info.filename))
    _check_file_folder_clashes(seen, archive_name)
    return ArchiveListing(archive_name, tuple(entries), tuple(warnings))


def _check_file_folder_clashes(seen: dict[str, bool], archive_name: str) -> None:
    for name in seen:
        parent = posixpath.dirname(name)
        while parent:
            if seen.get(parent) is False:
                raise PackageRejected(archive_name, None, "zip.duplicate_name",
                                      f"{parent!r} is both a file and the folder of {name!r}")
            parent = posixpath.dirname(parent)


def _open_zip(path: Path, archive_name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        # cmi5 14.1.0.0-1 (CATAPULT LTS 209): a zip that is not a zip
        raise PackageRejected(archive_name, None, "zip.not_a_zip", f"not a readable zip archive ({error})") from None
    except UnicodeDecodeError:
        raise PackageRejected(archive_name, None, "zip.name_encoding",
                              "an entry name is flagged UTF-8 but is not valid UTF-8") from None
    except (NotImplementedError, ValueError, EOFError) as error:
        raise PackageRejected(archive_name, None, "zip.not_a_zip", f"unsupported zip structure ({error})") from None


def scan_archive(path: Path, *, limits: ArchiveLimits = ArchiveLimits()) -> ArchiveListing:
    """Open a zip and validate its central directory without extracting anything."""
    with _open_zip(path, path.name) as archive:
        return validate_entries(archive.infolist(), archive_name=path.name, limits=limits)


def read_archive_member(path: Path, entry: ArchiveEntry, *, max_bytes: int) -> bytes:
    """Read one (small) member into memory, e.g. imsmanifest.xml."""
    if entry.size > max_bytes:
        raise PackageRejected(entry.name, None, "zip.member_too_large",
                              f"{entry.size} bytes; the limit for this file is {max_bytes}")
    with _open_zip(path, path.name) as archive:
        try:
            with archive.open(entry.zip_name) as handle:
                data = handle.read(max_bytes + 1)
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise PackageRejected(path.name, None, "zip.corrupt", f"cannot read {entry.name!r} ({error})") from None
    if len(data) > max_bytes:
        raise PackageRejected(entry.name, None, "zip.member_too_large",
                              f"more than {max_bytes} bytes; the limit for this file is {max_bytes}")
    return data


def _write_member(archive: zipfile.ZipFile, entry: ArchiveEntry, target: Path, archive_name: str) -> int:
    written = 0
    # O_EXCL | O_NOFOLLOW: never write through something that appeared in our private folder.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(descriptor, "wb") as output, archive.open(entry.zip_name) as source:
        try:
            for chunk in iter(lambda: source.read(_COPY_CHUNK), b""):
                written += len(chunk)
                if written > entry.size:
                    raise PackageRejected(archive_name, None, "zip.corrupt",
                                          f"entry {entry.name!r} is larger than its declared size")
                output.write(chunk)
        except (zipfile.BadZipFile, EOFError) as error:
            raise PackageRejected(archive_name, None, "zip.corrupt", f"cannot read {entry.name!r} ({error})") from None
    return written


def _extract_into(path: Path, listing: ArchiveListing, folder: Path, limits: ArchiveLimits) -> None:
    root = folder.resolve()
    total = 0
    with _open_zip(path, path.name) as archive:
        for entry in _in_creation_order(listing.entries):
            target = root / entry.name
            # Defence in depth: validate_entries already refused anything that could escape.
            if not target.resolve().is_relative_to(root):
                raise PackageRejected(path.name, None, "zip.path_traversal", f"entry {entry.name!r} escapes")
            if entry.is_dir:
                target.mkdir(mode=0o755, parents=True, exist_ok=True)
                continue
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            total += _write_member(archive, entry, target, path.name)
            if total > limits.max_total_bytes:
                raise PackageRejected(path.name, None, "zip.too_large",
                                      f"more than {limits.max_total_bytes} bytes uncompressed")


def _in_creation_order(entries: Iterable[ArchiveEntry]) -> list[ArchiveEntry]:
    return sorted(entries, key=lambda entry: (entry.name.count("/"), not entry.is_dir, entry.name))


def extract_archive(path: Path, content_root: Path, *, limits: ArchiveLimits = ArchiveLimits()) -> ExtractedArchive:
    """Extract into `<content_root>/<sha256 of the zip>/`, atomically: a temporary folder renamed into place.

    Extracting the same bytes twice is a no-op; so is losing a race against a concurrent extraction.
    """
    content_hash = hash_file(path)
    listing = scan_archive(path, limits=limits)
    folder, created = _place(content_root, content_hash, lambda staging: _extract_into(path, listing, staging, limits))
    return ExtractedArchive(content_hash, folder, listing, created=created)


STANDALONE_DESCRIPTOR = "cmi5.xml"


def keep_descriptor(path: Path, content_root: Path, content_hash: str) -> tuple[Path, bool]:
    """Keep a standalone cmi5.xml as `<content_root>/<its sha256>/cmi5.xml`, atomically; (folder, created)."""
    return _place(content_root, content_hash, lambda staging: shutil.copyfile(path, staging / STANDALONE_DESCRIPTOR))


def _place(content_root: Path, content_hash: str, fill: Callable[[Path], object]) -> tuple[Path, bool]:
    """Fill a temporary folder and rename it to `<content_root>/<content_hash>`; a no-op if that exists."""
    content_root.mkdir(parents=True, exist_ok=True)
    final = content_root / content_hash
    if final.is_dir():
        return final, False
    staging = Path(tempfile.mkdtemp(prefix=f".{content_hash}.", suffix=".tmp", dir=content_root))
    try:
        fill(staging)
        staging.chmod(0o755)
        try:
            staging.rename(final)
        except OSError:
            if final.is_dir():  # a concurrent upload of the same package got there first
                shutil.rmtree(staging, ignore_errors=True)
                return final, False
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final, True
