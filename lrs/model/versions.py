"""xAPI versions: which the LRS accepts, and how a request's header maps to one."""

from __future__ import annotations

import re

from hub.errors import BadRequest

V1 = "1.0.3"
V2 = "2.0.0"
SUPPORTED = (V2, V1)
# Every 1.0.x header value is accepted and answered as 1.0.3 (patch versions are compatible).
V1_FAMILY = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
_HEADER = re.compile(r"^(1\.0(\.[0-9]+)?|2\.0(\.[0-9]+)?)$")


def negotiate(header: str | None) -> str:
    """The version a request speaks, from its X-Experience-API-Version header (Communication §3.3)."""
    if header is None or header == "":
        raise BadRequest("the X-Experience-API-Version header is required", field="X-Experience-API-Version")
    value = header.strip()
    if not _HEADER.match(value):
        raise BadRequest(f"unsupported xAPI version {value!r}; supported: 1.0.x and 2.0.x",
                         field="X-Experience-API-Version")
    return V2 if value.startswith("2.") else V1


def is_v2(version: str) -> bool:
    return version.startswith("2.")
