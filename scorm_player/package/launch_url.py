"""Launch URLs of manifest resources: xml:base resolution, the CAM parameter-joining rule, package-local paths."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urljoin, urlsplit

__all__ = ["is_external", "join_parameters", "package_path", "resolve_reference", "PathOutsidePackage"]


class PathOutsidePackage(ValueError):
    """A relative URL that climbs above the package root or starts at the server root."""


def is_external(url: str) -> bool:
    """True for URLs with a scheme (http:, javascript:, ...) or a network path (//host/...)."""
    split = urlsplit(url)
    return bool(split.scheme) or url.startswith("//")


def resolve_reference(*references: str) -> str:
    """Resolve a chain of xml:base values and an href, outermost first (XML Base, RFC 3986 §5.2).

    Unlike urljoin, a relative result keeps its '..' segments, so an escape can be detected afterwards.
    """
    resolved = ""
    for reference in references:
        reference = reference.strip()
        if not reference:
            continue
        if is_external(reference) or reference.startswith("/") or not resolved:
            resolved = reference
        elif is_external(resolved):
            resolved = urljoin(resolved, reference)
        else:
            # RFC 3986 §5.2.3 merge: drop the last segment of the base ("a/b" + "c" = "a/c").
            resolved = resolved[: resolved.rfind("/") + 1] + reference
    return resolved


def join_parameters(url: str, parameters: str | None) -> str:
    """Append an item's `parameters` to its resource URL.

    SCORM 2004 CAM, <item> `parameters` (spec §2.1): trim; a '#…' value is dropped when the URL already has a
    fragment; a '?…' value becomes '&…' when the URL already has a query; any other value is prefixed with
    '&' or '?'. Deviation, on purpose: query text is inserted before an existing fragment, not after it.
    """
    value = (parameters or "").strip()
    if not value:
        return url
    base, hash_mark, fragment = url.partition("#")
    if value.startswith("#"):
        return url if hash_mark else url + value
    if value.startswith("?"):
        value = value[1:]
    if not value:
        return url
    separator = "&" if "?" in base else "?"
    if base.endswith(("?", "&")):
        separator = ""
    return f"{base}{separator}{value}{hash_mark}{fragment}"


def package_path(url: str, *, decode: bool = True) -> str | None:
    """The file a relative launch URL points to inside the package (no query, no fragment), or None if external.

    Raises PathOutsidePackage for root-relative paths and for paths that climb out with '..'.
    """
    if is_external(url):
        return None
    path = urlsplit(url).path
    if path.startswith("/"):
        raise PathOutsidePackage(f"{url!r} starts at the server root")
    normalised = posixpath.normpath(unquote(path) if decode else path) if path else ""
    if normalised == ".." or normalised.startswith("../"):
        raise PathOutsidePackage(f"{url!r} points outside the package")
    return "" if normalised == "." else normalised
