"""Time arithmetic: 1.2 CMITimespan/CMITime, 2004 ISO 8601 durations, 0.01 s precision, total_time sums."""

from __future__ import annotations

import pytest

from scorm_player.runtime.durations import (
    add_session_time,
    format_cmi_timespan,
    format_iso8601_duration,
    parse_cmi_time,
    parse_cmi_timespan,
    parse_iso8601_duration,
)


@pytest.mark.parametrize(("text", "centiseconds"), [
    ("PT1H5M3.2S", 390320),
    ("PT0H0M0S", 0),
    ("PT01H059M020S", 716_000),  # leading zeros are allowed (ADL DMB Act1V3)
    ("P1D", 8_640_000),
    ("P1Y", 365 * 8_640_000),  # years count 365 days (spec §2.5)
    ("P1M", 30 * 8_640_000),  # months count 30 days
    ("P0Y029DT0H", 29 * 8_640_000),
    ("PT0.005S", 1),  # rounded half up to the 0.01 s precision
    ("PT6.344S", 634),
])
def test_iso8601_durations_parse_to_centiseconds(text, centiseconds):
    assert parse_iso8601_duration(text) == centiseconds


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "1Y6M14DT4H15M6.34S", "P1Y6M14D4H15M6.34S", "PT1.5H",
                                  "P1W", "-PT1S", "PT1S ", "pt1s"])
def test_malformed_iso8601_durations_are_refused(text):
    assert parse_iso8601_duration(text) is None


@pytest.mark.parametrize(("centiseconds", "text"), [
    (0, "PT0H0M0S"), (390320, "PT1H5M3.2S"), (6, "PT0H0M0.06S"), (100 * 3600 * 50, "PT50H0M0S")])
def test_iso8601_durations_format_with_hours_minutes_and_two_decimal_seconds(centiseconds, text):
    assert format_iso8601_duration(centiseconds) == text
    assert parse_iso8601_duration(text) == centiseconds


@pytest.mark.parametrize(("text", "centiseconds"), [
    ("00:00:00", 0), ("0000:30:00.5", 180050), ("12:34:56.78", 4_529_678), ("9999:59:59.99", 3_599_999_999)])
def test_cmi_timespans_parse_to_centiseconds(text, centiseconds):
    assert parse_cmi_timespan(text) == centiseconds


@pytest.mark.parametrize("text", ["", "30 minutes", "99:99:99", "0:00:00", "00:60:00", "00:00:60", "00:00:00.123",
                                  "10000:00:00"])
def test_malformed_cmi_timespans_are_refused(text):
    assert parse_cmi_timespan(text) is None


def test_cmi_timespan_formats_hours_with_four_digits_and_saturates_at_9999_hours():
    assert format_cmi_timespan(180050) == "0000:30:00.50"
    assert format_cmi_timespan(10_000 * 360_000) == "9999:59:59.99"


@pytest.mark.parametrize(("text", "valid"), [
    ("00:00:00", True), ("23:59:59.99", True), ("24:00:00", False), ("12:60:00", False), ("1:00:00", False)])
def test_cmi_time_is_a_clock_time(text, valid):
    assert (parse_cmi_time(text) is not None) is valid


def test_session_time_adds_to_total_time_in_each_versions_format():
    assert add_session_time("2004", "PT1H", "PT30M0.5S") == "PT1H30M0.5S"
    assert add_session_time("2004", "P1D", "PT1H") == "PT25H0M0S"
    assert add_session_time("1.2", "0001:00:00.00", "00:30:00.25") == "0001:30:00.25"


def test_missing_or_unparsable_session_time_adds_nothing():
    assert add_session_time("2004", "PT1H", None) == "PT1H0M0S"
    assert add_session_time("1.2", "0000:10:00", "bogus") == "0000:10:00.00"
