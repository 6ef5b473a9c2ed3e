"""Package import for the player: safe zip handling, imsmanifest.xml and cmi5.xml parsing, upload inspection."""

from scorm_player.package.archive import ArchiveLimits, ExtractedArchive, extract_archive
from scorm_player.package.inspect import PackageReport, inspect_package
from scorm_player.package.rejection import PackageRejected, PackageWarning

__all__ = [
    "ArchiveLimits",
    "ExtractedArchive",
    "PackageRejected",
    "PackageReport",
    "PackageWarning",
    "extract_archive",
    "inspect_package",
]
