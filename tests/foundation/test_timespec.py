"""The one grammar of durations and typed times (mlops_tui.sources.timespec)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mlops_tui.sources.timespec import format_duration, parse_absolute, parse_duration, parse_time

NOW = datetime(2026, 12, 2, 12, 0, 0, tzinfo=timezone.utc)
CURSOR = datetime(2026, 11, 30, 8, 30, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("10m", 600), ("1.5h", 5400), ("2d", 172800), ("2w", 1209600), ("500ms", 0.5),
    ("1h30m", 5400), (" 15m ", 900),
])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "10", "m", "10x", "-5m", "0s", "99999999999d", "1e400s"])
def test_bad_durations_are_value_errors_with_the_text(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert repr(text.strip()) in str(caught.value)


def test_format_duration_is_the_inverse_for_round_values() -> None:
    for seconds in (0.25, 90, 900, 3600, 86400, 604800):
        assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)
    assert format_duration(5400) == "90m"


def test_times_relative_to_now_and_to_an_anchor() -> None:
    assert parse_time("10m", now=NOW) == NOW - timedelta(minutes=10)
    assert parse_time("-10m", now=NOW) == NOW - timedelta(minutes=10)
    assert parse_time("+1h", now=NOW, anchor=CURSOR) == CURSOR + timedelta(hours=1)
    assert parse_time("-2w", now=NOW, anchor=CURSOR) == CURSOR - timedelta(weeks=2)
    assert parse_time("10m", now=NOW, anchor=CURSOR) == NOW - timedelta(minutes=10)  # a bare duration is "ago"
    assert parse_time("14:05", now=NOW, anchor=CURSOR) == CURSOR.replace(hour=14, minute=5)
    assert parse_time("now", now=NOW) == NOW


def test_absolute_times() -> None:
    assert parse_time("2024-05-01T14:05:00Z", now=NOW) == datetime(2024, 5, 1, 14, 5, tzinfo=timezone.utc)
    assert parse_time("2024-05-01 14:05:30,250+02:00", now=NOW) == datetime(
        2024, 5, 1, 12, 5, 30, 250000, tzinfo=timezone.utc)
    assert parse_time("1714572300", now=NOW) == datetime(2024, 5, 1, 14, 5, tzinfo=timezone.utc)
    assert parse_time("1714572300000", now=NOW) == datetime(2024, 5, 1, 14, 5, tzinfo=timezone.utc)
    naive = parse_time("2024-05-01", now=NOW)
    assert naive.tzinfo is not None and (naive.year, naive.month, naive.day, naive.hour) == (2024, 5, 1, 0)
    assert parse_absolute("yesterday") is None


@pytest.mark.parametrize("text", ["", "+99999999999d", "-99999999999d", "25:00", "tomorrow", "+", "2024-13-40"])
def test_bad_times_are_value_errors(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text, now=NOW)


def test_a_stamp_copied_from_a_log_line_is_a_time() -> None:
    assert parse_time("10/Oct/2000:13:55:36 -0700", now=NOW) == datetime(2000, 10, 10, 20, 55, 36, tzinfo=timezone.utc)
    assert parse_time("Jun 14 15:16:01 2024", now=NOW).month == 6
