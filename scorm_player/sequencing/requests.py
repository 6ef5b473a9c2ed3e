"""Navigation requests as the runtime spells them (adl.nav.request and adl.nav.request_valid.*), parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NAVIGATION_REQUESTS", "NavigationRequest", "parse_navigation_request", "parse_request_valid"]

# SCORM 2004 4th Ed RTE §4.4.2 adl.nav.request vocabulary (plus the LMS-only start and resumeAll).
NAVIGATION_REQUESTS = frozenset({
    "start", "resumeAll", "continue", "previous", "choice", "jump", "exit", "exitAll", "abandon", "abandonAll",
    "suspendAll",
})
_TARGETED = re.compile(r"^\{target=(?P<target>[^}]*)\}(?P<kind>choice|jump)$")
_VALID_TARGETED = re.compile(r"^(?P<kind>choice|jump)\.\{target=(?P<target>[^}]*)\}$")


@dataclass(frozen=True)
class NavigationRequest:
    kind: str
    target: str | None = None

    def __str__(self) -> str:
        return f"{{target={self.target}}}{self.kind}" if self.target is not None else self.kind


def parse_navigation_request(value: str) -> NavigationRequest | None:
    """"continue", "{target=a1}choice" ... → a request; "_none_" → None; anything else raises ValueError."""
    value = value.strip()
    if value == "_none_":
        return None
    match = _TARGETED.match(value)
    if match:
        return NavigationRequest(match["kind"], match["target"])
    if value in NAVIGATION_REQUESTS and value not in ("choice", "jump"):
        return NavigationRequest(value)
    raise ValueError(f"not a navigation request: {value!r}")


def parse_request_valid(element: str) -> NavigationRequest:
    """The part after "adl.nav.request_valid.": "continue", "previous", "choice.{target=a1}", "jump.{target=a1}"."""
    element = element.removeprefix("adl.nav.request_valid.")
    match = _VALID_TARGETED.match(element)
    if match:
        return NavigationRequest(match["kind"], match["target"])
    if element in ("continue", "previous"):
        return NavigationRequest(element)
    raise ValueError(f"not a request_valid element: {element!r}")
