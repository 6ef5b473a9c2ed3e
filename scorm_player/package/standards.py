"""Which e-learning standard and edition a package follows."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Edition", "Standard"]


class Standard(StrEnum):
    SCORM_12 = "scorm_1.2"
    SCORM_2004 = "scorm_2004"
    CMI5 = "cmi5"


class Edition(StrEnum):
    """SCORM 2004 editions; `schemaversion` "CAM 1.3" is the 2nd Edition (SCORM 2004 CAM, metadata schemaversion)."""

    SECOND = "2nd"
    THIRD = "3rd"
    FOURTH = "4th"
