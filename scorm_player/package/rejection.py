"""Why a package was refused or flagged: the PackageRejected error and the PackageWarning record."""

from __future__ import annotations

from dataclasses import dataclass

from hub.errors import BadRequest

__all__ = ["PackageRejected", "PackageWarning"]


def _locate(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


class PackageRejected(BadRequest):
    """An uploaded package that must not be imported; `rule` is a stable id such as `cam.identifierref`.

    str() reads `imsmanifest.xml:42: identifierref 'RES-9' points to no resource [cam.identifierref]`.
    """

    code = "package_rejected"

    def __init__(self, file: str, line: int | None, rule: str, message: str) -> None:
        super().__init__(message, details={"file": file, "line": line, "rule": rule})
        self.file = file
        self.line = line
        self.rule = rule

    def __str__(self) -> str:
        return f"{_locate(self.file, self.line)}: {self.message} [{self.rule}]"

    def __reduce__(self) -> tuple[type[PackageRejected], tuple[str, int | None, str, str]]:
        return (PackageRejected, (self.file, self.line, self.rule, self.message))


@dataclass(frozen=True)
class PackageWarning:
    """Something accepted but worth telling the uploader about (same shape as a rejection)."""

    file: str
    line: int | None
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{_locate(self.file, self.line)}: {self.message} [{self.rule}]"
