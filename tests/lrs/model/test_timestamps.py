"""Tests for lrs.model.timestamps: per-version timestamp syntax, UTC conversion and serialization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.errors import BadRequest
from lrs.model.timestamps import format_timestamp, is_xapi_2, parse_timestamp

UTC = UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
        microsecond: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
@pytest.mark.parametrize(("value", "expected"), [
    ("2008-09-15T15:53:00.601Z", utc(2008, 9, 15, 15, 53, 0, 601000)),
    ("2008-09-15T15:53:00.601+00:00", utc(2008, 9, 15, 15, 53, 0, 601000)),
    ("2023-05-04T12:00:00-05:00", utc(2023, 5, 4, 17, 0, 0)),
    ("2024-03-14T15:09:26+05:30", utc(2024, 3, 14, 9, 39, 26)),
    ("2024-03-14t15:09:26z", utc(2024, 3, 14, 15, 9, 26)),
    ("2024-03-14 15:09:26Z", utc(2024, 3, 14, 15, 9, 26)),
    ("2024-02-29T23:59:59.999999Z", utc(2024, 2, 29, 23, 59, 59, 999999)),
])
def test_accepts_rfc3339_timestamps_in_both_versions_and_converts_to_utc(version: str, value: str,
                                                                         expected: datetime) -> None:
    parsed = parse_timestamp(value, version, "timestamp")
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", [
    "2008-09-15T15:53:00.601-00:00",
    "2008-09-15T15:53:00.601-0000",
    "2008-09-15T15:53:00.601-00",
])
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_rejects_negative_zero_offset_in_both_versions(version: str, value: str) -> None:
    with pytest.raises(BadRequest) as raised:
        parse_timestamp(value, version, "timestamp")
    assert raised.value.field == "timestamp"


@pytest.mark.parametrize(("value", "expected"), [
    ("20080915T155300Z", utc(2008, 9, 15, 15, 53, 0)),          # ISO 8601 basic format
    ("20080915T155300,5+0100", utc(2008, 9, 15, 14, 53, 0, 500000)),
    ("2008-09-15T15:53Z", utc(2008, 9, 15, 15, 53)),            # reduced precision (no seconds)
    ("2008-09-15T15:53:00", utc(2008, 9, 15, 15, 53)),          # no offset: taken as UTC
    ("2008-09-15T15:53:00+0200", utc(2008, 9, 15, 13, 53)),     # offset without colon
    ("2008-09-15T15:53:00-03", utc(2008, 9, 15, 18, 53)),       # hour-only offset
])
def test_accepts_iso8601_forms_beyond_rfc3339_only_in_1_0_3(value: str, expected: datetime) -> None:
    assert parse_timestamp(value, "1.0.3", "timestamp") == expected
    with pytest.raises(BadRequest):
        parse_timestamp(value, "2.0.0", "timestamp")


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
@pytest.mark.parametrize("value", [
    "should fail", "01/011/2015", "", "2015-02-30T00:00:00Z", "2015-13-01T00:00:00Z", "2015-01-01T24:00:00Z",
    "2015-01-01T00:60:00Z", "2015-01-01T00:00:60Z", "2015-01-01", "2015-01-01T00:00:00+24:00",
    "2015-01-01T00:00:00+01:60", "2015-01-01T00:00:00.Z", "2015-01-01T00:00:00ZZ", "0000-01-01T00:00:00Z",
    "2015-01-01T00:00:00.123+01:00:00", "2015-0101T000000Z",
])
def test_rejects_malformed_timestamps_naming_the_field(version: str, value: str) -> None:
    with pytest.raises(BadRequest) as raised:
        parse_timestamp(value, version, "since")
    assert raised.value.field == "since"
    assert "since" in raised.value.message


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_rejects_non_string_timestamps(version: str) -> None:
    with pytest.raises(BadRequest):
        parse_timestamp(1234567890, version, "until")  # type: ignore[arg-type]


def test_rejects_a_timestamp_that_leaves_the_representable_range_after_utc_conversion() -> None:
    with pytest.raises(BadRequest):
        parse_timestamp("0001-01-01T00:00:00+01:00", "2.0.0", "timestamp")


def test_truncates_sub_microsecond_digits() -> None:
    assert parse_timestamp("2024-01-01T00:00:00.1234569Z", "2.0.0", "t").microsecond == 123456


def test_unknown_versions_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        is_xapi_2("0.95")
    with pytest.raises(ValueError):
        parse_timestamp("2024-01-01T00:00:00Z", "3.0.0", "timestamp")


def test_formats_in_utc_with_microseconds_and_z() -> None:
    moment = datetime(2023, 5, 4, 12, 0, 0, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert format_timestamp(moment) == "2023-05-04T17:00:00.000005Z"


def test_formats_a_naive_datetime_as_utc() -> None:
    assert format_timestamp(datetime(2023, 5, 4, 12, 0, 0)) == "2023-05-04T12:00:00.000000Z"


_offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(lambda minutes: timedelta(minutes=minutes))
_moments = st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9998, 12, 30))


def _render_offset(offset: timedelta, colon: bool) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    if sign == "-" and hours == minutes == 0:
        sign = "+"  # -00:00 is the "unknown offset" form, rendered +00:00 here
    return f"{sign}{hours:02d}:{minutes:02d}" if colon else f"{sign}{hours:02d}{minutes:02d}"


@given(moment=_moments, offset=_offsets, version=st.sampled_from(["1.0.3", "2.0.0"]))
def test_any_rfc3339_rendering_parses_to_the_same_instant(moment: datetime, offset: timedelta, version: str) -> None:
    local = moment.replace(tzinfo=timezone(offset))
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{local.microsecond:06d}" + _render_offset(offset, colon=True)
    assert parse_timestamp(text, version, "timestamp") == local


@given(moment=_moments, offset=_offsets)
def test_any_iso8601_basic_rendering_parses_in_1_0_3_to_the_same_instant(moment: datetime, offset: timedelta) -> None:
    local = moment.replace(tzinfo=timezone(offset), microsecond=0)
    text = local.strftime("%Y%m%dT%H%M%S") + _render_offset(offset, colon=False)
    assert parse_timestamp(text, "1.0.3", "timestamp") == local


@given(moment=_moments)
def test_format_then_parse_round_trips(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC)
    assert parse_timestamp(format_timestamp(aware), "2.0.0", "stored") == aware


@given(position=st.integers(min_value=0, max_value=25), digit=st.sampled_from("0123456789"),
       version=st.sampled_from(["1.0.3", "2.0.0"]))
def test_changing_one_digit_is_accepted_exactly_when_the_fields_still_form_a_real_date_time(
        position: int, digit: str, version: str) -> None:
    original = "2016-08-27T19:45:38.512+05:30"
    if not original[position].isdigit():
        position = 0
    mutated = original[:position] + digit + original[position + 1:]
    # Oracle: slice the fixed-width fields and ask datetime/offset bounds directly.
    year, month, day = int(mutated[0:4]), int(mutated[5:7]), int(mutated[8:10])
    hour, minute, second = int(mutated[11:13]), int(mutated[14:16]), int(mutated[17:19])
    milliseconds = int(mutated[20:23])
    offset_hours, offset_minutes = int(mutated[24:26]), int(mutated[27:29])
    try:
        datetime(year, month, day, hour, minute, second)
        valid = offset_hours <= 23 and offset_minutes <= 59
    except ValueError:
        valid = False
    if valid:
        parsed = parse_timestamp(mutated, version, "timestamp")
        expected = datetime(year, month, day, hour, minute, second, milliseconds * 1000,
                            tzinfo=timezone(timedelta(hours=offset_hours, minutes=offset_minutes)))
        assert parsed == expected
    else:
        with pytest.raises(BadRequest):
            parse_timestamp(mutated, version, "timestamp")
