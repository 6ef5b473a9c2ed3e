"""Typed readers for descriptor XML values (xs:boolean, xs:decimal, vocabularies) that reject with file and line."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Collection

from lxml import etree

from scorm_player.package.rejection import PackageRejected

__all__ = ["ValueReader", "element_text"]

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def element_text(element: etree._Element | None) -> str | None:
    """Stripped text content, or None when the element is missing or blank."""
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


@dataclass(frozen=True)
class ValueReader:
    """Reads attribute and element values of one descriptor; invalid values raise `rule` located at the element."""

    file_name: str
    rule: str

    def reject(self, element: etree._Element, message: str, rule: str | None = None) -> PackageRejected:
        return PackageRejected(self.file_name, element.sourceline, rule or self.rule, message)

    def boolean(self, element: etree._Element, name: str, default: bool) -> bool:
        raw = element.get(name)
        if raw is None:
            return default
        # xs:boolean is lower-case only; "True" is common enough in the wild to accept.
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self.reject(element, f"{_tag(element)}@{_local(name)} must be true or false, not {raw!r}")

    def decimal(self, element: etree._Element, name: str, default: float | None, *,
                minimum: float | None = None, maximum: float | None = None) -> float | None:
        raw = element.get(name)
        if raw is None:
            return default
        return self.decimal_text(element, raw, minimum=minimum, maximum=maximum,
                                 label=f"{_tag(element)}@{_local(name)}")

    def decimal_text(self, element: etree._Element, raw: str, *, minimum: float | None = None,
                     maximum: float | None = None, label: str | None = None) -> float:
        label = label or _tag(element)
        try:
            value = float(raw.strip())
        except ValueError:
            raise self.reject(element, f"{label} must be a decimal number, not {raw!r}") from None
        if not math.isfinite(value):
            raise self.reject(element, f"{label} must be a finite number, not {raw!r}")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise self.reject(element, f"{label} must be between {minimum} and {maximum}, not {raw.strip()}")
        return value

    def integer(self, element: etree._Element, name: str, default: int | None, *, minimum: int = 0) -> int | None:
        raw = element.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise self.reject(element, f"{_tag(element)}@{name} must be an integer, not {raw!r}") from None
        if value < minimum:
            raise self.reject(element, f"{_tag(element)}@{name} must be at least {minimum}, not {value}")
        return value

    def choice(self, element: etree._Element, name: str, allowed: Collection[str], default: str) -> str:
        raw = element.get(name)
        if raw is None:
            return default
        value = raw.strip()
        if value not in allowed:
            raise self.reject(element, f"{_tag(element)}@{_local(name)} must be one of "
                                       f"{', '.join(sorted(allowed))}, not {raw!r}")
        return value

    def required(self, element: etree._Element, name: str, rule: str | None = None) -> str:
        raw = element.get(name)
        if raw is None or not raw.strip():
            raise self.reject(element, f"{_tag(element)} has no {_local(name)} attribute", rule)
        return raw.strip()


def _local(name: str) -> str:
    return etree.QName(name).localname if name.startswith("{") else name


def _tag(element: etree._Element) -> str:
    return f"<{etree.QName(element).localname}>"
