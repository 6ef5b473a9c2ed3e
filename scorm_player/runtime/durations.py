"""SCORM time values (1.2 CMITimespan/CMITime, 2004 ISO 8601 durations) as whole centiseconds, and their sums."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENTISECONDS_PER_SECOND = 100
CENTISECONDS_PER_MINUTE = 60 * CENTISECONDS_PER_SECOND
CENTISECONDS_PER_HOUR = 60 * CENTISECONDS_PER_MINUTE
CENTISECONDS_PER_DAY = 24 * CENTISECONDS_PER_HOUR
# Years and months have no fixed length; like most LMSs we count 365 and 30 days (spec §2.5).
DAYS_PER_YEAR = 365
DAYS_PER_MONTH = 30
# CMITimespan hours are 2-4 digits (SCORM 1.2 RTE §3.4), so a 1.2 total_time saturates at 9999:59:59.99.
LONGEST_CMI_TIMESPAN = 9999 * CENTISECONDS_PER_HOUR + 59 * CENTISECONDS_PER_MINUTE + 5999

# SCORM 2004 RTE §4.1 timeinterval(second,10,2): P[yY][mM][dD][T[hH][nM][s[.s]S]].
ISO8601_DURATION = re.compile(
    r"^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?$")
# SCORM 1.2 RTE §3.4 CMITimespan HHHH:MM:SS.SS and CMITime HH:MM:SS.SS.
CMI_TIMESPAN = re.compile(r"^([0-9]{2,4}):([0-9]{2}):([0-9]{2}(?:\.[0-9]{1,2})?)$")
CMI_TIME = re.compile(r"^([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\.[0-9]{1,2})?)$")


def parse_iso8601_duration(text: str) -> int | None:
    """Centiseconds in an ISO 8601 duration, or None when it is not one SCORM 2004 accepts."""
    match = ISO8601_DURATION.match(text)
    if match is None:
        return None
    years, months, days, hours, minutes, seconds = match.groups()
    if all(part is None for part in match.groups()):
        return None  # "P" alone
    if "T" in text and hours is None and minutes is None and seconds is None:
        return None  # "P1DT": a time designator needs a time component
    whole_days = int(years or 0) * DAYS_PER_YEAR + int(months or 0) * DAYS_PER_MONTH + int(days or 0)
    return (whole_days * CENTISECONDS_PER_DAY + int(hours or 0) * CENTISECONDS_PER_HOUR
            + int(minutes or 0) * CENTISECONDS_PER_MINUTE + _seconds_to_centiseconds(seconds or "0"))


def format_iso8601_duration(centiseconds: int) -> str:
    """'PT{h}H{m}M{s}S', seconds to 0.01 s (SCORM 2004 RTE §4.1, spec §2.5); no days or years, so nothing ambiguous."""
    hours, rest = divmod(max(centiseconds, 0), CENTISECONDS_PER_HOUR)
    minutes, rest = divmod(rest, CENTISECONDS_PER_MINUTE)
    return f"PT{hours}H{minutes}M{_format_seconds(rest)}S"


def parse_cmi_timespan(text: str) -> int | None:
    """Centiseconds in a SCORM 1.2 CMITimespan (HHHH:MM:SS.SS), or None when malformed."""
    match = CMI_TIMESPAN.match(text)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    if int(minutes) > 59 or Decimal(seconds) >= 60:
        return None
    return _clock_centiseconds(hours, minutes, seconds)


def format_cmi_timespan(centiseconds: int) -> str:
    """HHHH:MM:SS.SS, hours padded to four digits (SCORM 1.2 RTE §3.4)."""
    hours, rest = divmod(min(max(centiseconds, 0), LONGEST_CMI_TIMESPAN), CENTISECONDS_PER_HOUR)
    minutes, rest = divmod(rest, CENTISECONDS_PER_MINUTE)
    seconds, hundredths = divmod(rest, CENTISECONDS_PER_SECOND)
    return f"{hours:04d}:{minutes:02d}:{seconds:02d}.{hundredths:02d}"


def parse_cmi_time(text: str) -> int | None:
    """Centiseconds since midnight in a SCORM 1.2 CMITime (HH:MM:SS.SS, a clock time), or None when malformed."""
    match = CMI_TIME.match(text)
    if match is None:
        return None
    hours, minutes, seconds = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or Decimal(seconds) >= 60:
        return None
    return _clock_centiseconds(hours, minutes, seconds)


def parse_session_duration(version: str, text: str) -> int | None:
    return parse_cmi_timespan(text) if version == "1.2" else parse_iso8601_duration(text)


def format_session_duration(version: str, centiseconds: int) -> str:
    return format_cmi_timespan(centiseconds) if version == "1.2" else format_iso8601_duration(centiseconds)


def add_session_time(version: str, total_time: str | None, session_time: str | None) -> str:
    """total_time plus one session's session_time, in the version's format (spec §2.5); unparsable parts count as 0."""
    total = parse_session_duration(version, total_time or "") or 0
    session = parse_session_duration(version, session_time or "") or 0
    return format_session_duration(version, total + session)


def _clock_centiseconds(hours: str, minutes: str, seconds: str) -> int:
    return (int(hours) * CENTISECONDS_PER_HOUR + int(minutes) * CENTISECONDS_PER_MINUTE
            + _seconds_to_centiseconds(seconds))


def _seconds_to_centiseconds(seconds: str) -> int:
    try:
        return int((Decimal(seconds) * CENTISECONDS_PER_SECOND).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return 0


def _format_seconds(centiseconds: int) -> str:
    whole, hundredths = divmod(centiseconds, CENTISECONDS_PER_SECOND)
    if hundredths == 0:
        return str(whole)
    return f"{whole}.{hundredths:02d}".rstrip("0")
