"""Time in one place, so stored timestamps are consistent (microseconds since the epoch, UTC)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_us() -> int:
    return time.time_ns() // 1000


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored time as an aware UTC datetime: SQLite hands back naive ones (they were written in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def us_to_iso(us: int) -> str:
    """ISO 8601 in UTC with microseconds, the form the LRS writes for `stored`."""
    seconds, micros = divmod(us, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}Z"


def us_to_http_date(us: int) -> str:
    """RFC 7231 date for Last-Modified headers."""
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(us // 1_000_000))
