"""xAPI timestamps: parsing per negotiated version (ISO 8601 / RFC 3339) and the LRS's UTC serialization."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hub.errors import BadRequest

__all__ = ["parse_timestamp", "check_timestamp", "format_timestamp", "is_xapi_2"]

_UTC = UTC

# RFC 3339 §5.6 date-time: full-date "T" full-time, seconds required, offset required ("Z" or ±hh:mm).
# §5.6 NOTE allows a lower-case "t"/"z" and a space instead of "T"; xAPI 2.0 (IEEE 9274.1.1) adopts RFC 3339.
_RFC3339 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d\d):(\d\d))\Z"
)

# ISO 8601 combined date and time (xAPI 1.0.3 Data §4.5: "MUST be formatted according to ISO 8601";
# conformance requirement XAPI-00123 accepts the Extended and the Basic format). Seconds and the
# offset may be omitted (reduced precision; the offset is only a SHOULD), the decimal sign may be
# "." or ",", and the offset may be written ±hh, ±hhmm or ±hh:mm. Extended and Basic are not mixed.
_ISO8601_EXTENDED = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?"
    r"(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)?\Z"
)
_ISO8601_BASIC = re.compile(
    r"(\d{4})(\d\d)(\d\d)[Tt](\d\d)(\d\d)(?:(\d\d)(?:[.,](\d+))?)?"
    r"(?:([Zz])|([+-])(\d\d)(\d\d)?)?\Z"
)


def is_xapi_2(version: str) -> bool:
    """True for a negotiated 2.0.x version, False for 1.0.x; anything else is a programming error."""
    if version.startswith("2.0"):
        return True
    if version.startswith("1.0"):
        return False
    raise ValueError(f"unsupported xAPI version {version!r}; expected 1.0.x or 2.0.x")


def parse_timestamp(value: str, version: str, field: str) -> datetime:
    """Parse an xAPI timestamp into a timezone-aware UTC datetime, or raise BadRequest naming `field`.

    1.0.x accepts ISO 8601 (Extended or Basic, optional seconds/offset; no offset means UTC);
    2.0.x accepts RFC 3339 date-times only. Both reject the "unknown local offset" forms
    -00, -0000 and -00:00 (RFC 3339 §4.3; ISO 8601 has no negative zero offset), which the
    conformance suite requires for both versions. Sub-microsecond digits are truncated
    (xAPI Data §4.5 allows truncation to no less than millisecond precision).
    """
    moment, sign, offset_hours, offset_minutes = _local_time(value, is_xapi_2(version), field)
    if sign is None:
        # "Z", or no offset at all (1.0.x only): the instant is taken as UTC.
        return moment
    offset = timedelta(0, (int(offset_hours or 0) * 60 + int(offset_minutes or 0)) * 60)
    try:
        return moment - offset if sign == "+" else moment + offset
    except OverflowError:
        raise BadRequest(f"{field}: {value!r} is outside the representable range", field=field) from None


def check_timestamp(value: object, v2: bool, field: str) -> None:
    """Validate without building the UTC instant (the Statement validator's fast path)."""
    _local_time(value, v2, field)


def _local_time(value: object, v2: bool, field: str) -> tuple[datetime, str | None, str | None, str | None]:
    if not isinstance(value, str):
        raise BadRequest(f"{field}: a timestamp must be a string", field=field)
    match = _RFC3339.match(value) if v2 else (_ISO8601_EXTENDED.match(value) or _ISO8601_BASIC.match(value))
    if match is None:
        rule = "RFC 3339 date-time (xAPI 2.0 §4.2.7)" if v2 else "ISO 8601 date-time (xAPI 1.0.3 Data §4.5)"
        raise BadRequest(f"{field}: {value!r} is not a valid {rule}", field=field)
    year, month, day, hour, minute, second, fraction, _, sign, offset_hours, offset_minutes = match.groups()
    if sign is not None:
        if offset_hours > "23" or (offset_minutes is not None and offset_minutes > "59"):
            raise BadRequest(f"{field}: {value!r} has an out-of-range UTC offset", field=field)
        if sign == "-" and offset_hours == "00" and (offset_minutes is None or offset_minutes == "00"):
            raise BadRequest(f"{field}: the offset -00:00 (unknown local offset) is not allowed; use Z or +00:00",
                             field=field)
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute),
                          int(second) if second else 0,
                          int(fraction[:6].ljust(6, "0")) if fraction else 0, _UTC)
    except ValueError:
        raise BadRequest(f"{field}: {value!r} is not a valid calendar date and time", field=field) from None
    return moment, sign, offset_hours, offset_minutes


def format_timestamp(dt: datetime) -> str:
    """Serialize as UTC with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`; a naive datetime is taken as UTC."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(_UTC)
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:"
            f"{dt.second:02d}.{dt.microsecond:06d}Z")
