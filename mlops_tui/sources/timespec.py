"""The one grammar for durations and for times a user types: every pane, the CLI and the settings use it.

Durations: a number and a unit, or several in a row: `500ms`, `90s`, `10m`, `1.5h`, `2d`, `2w`, `1h30m`.

Times (`parse_time`), each relative to `now` or to an `anchor` (a log cursor, the end of a chart):
- `10m` (a bare duration): that long before now, as in `--since 10m`;
- `-10m` / `+1h`: that long before / after the anchor (now when there is none);
- `14:05` or `14:05:30`: that time of day on the anchor's day;
- `now`;
- an absolute time: ISO 8601 with `T` or a space, optional fraction (`.` or `,`), `Z` or offset
  (`2024-05-01T14:05`, `2024-05-01 14:05:30,123+02:00`), a date alone (`2024-05-01`), or epoch seconds
  or milliseconds (`1714572300`), or a stamp copied from a log line in a shape the log parser reads
  (`10/Oct/2000:13:55:36 -0700`, `Jun 14 15:16:01`). A time without a zone is local time.

Everything here raises `ValueError` with a message fit for a user, never OverflowError: a duration is at
most `MAX_SECONDS` (about a century), so `--since 99999999999d` is an error message, not a traceback.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
MAX_SECONDS = 100 * 365 * 86400.0
"""The longest duration accepted: longer ones are refused with a message (datetime cannot hold them)."""

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)\s*)+")
_CLOCK = re.compile(r"(\d{1,2}):(\d\d)(?::(\d\d))?")
_COMMA_FRACTION = re.compile(r"(\d\d:\d\d:\d\d),(\d+)")
DURATION_HELP = "a duration such as 90s, 10m, 1h, 2d, 2w or 1h30m"
TIME_HELP = "a duration ago (10m), a jump (-10m, +1h), a time of day (14:05) or a timestamp (2024-05-01T14:05)"


def local_zone() -> timezone:
    """The machine's zone now, as a fixed offset (what a time typed without a zone means)."""
    zone = datetime.now().astimezone().tzinfo
    assert isinstance(zone, timezone)
    return zone


def parse_duration(text: str, *, allow_zero: bool = False) -> float:
    """Seconds in a duration (`90s`, `10m`, `1h30m`, `2w`); ValueError naming the text for anything else."""
    spelled = (text or "").strip()
    if not _DURATION.fullmatch(spelled):
        raise ValueError(f"not a duration: {spelled!r} (use {DURATION_HELP})")
    seconds = sum(float(amount) * UNIT_SECONDS[unit] for amount, unit in _PART.findall(spelled))
    if not math.isfinite(seconds) or seconds > MAX_SECONDS:
        raise ValueError(f"duration too long: {spelled!r} (at most 100 years)")
    if seconds <= 0 and not allow_zero:
        raise ValueError(f"duration must be positive: {spelled!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of seconds: 900 -> 15m, 3600 -> 1h, 90 -> 90s, 0.25 -> 250ms."""
    for unit in ("w", "d", "h", "m", "s"):
        size = UNIT_SECONDS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds * 1000)}ms"


def parse_time(text: str, *, now: datetime | None = None, anchor: datetime | None = None) -> datetime:
    """An aware datetime for what a user typed (see the module's grammar); ValueError otherwise."""
    now = now or datetime.now(local_zone())
    base = anchor or now
    spelled = (text or "").strip()
    if not spelled:
        raise ValueError(f"no time given (use {TIME_HELP})")
    if spelled == "now":
        return now
    try:
        if spelled[0] in "+-" and _DURATION.fullmatch(spelled[1:].strip()):
            delta = timedelta(seconds=parse_duration(spelled[1:], allow_zero=True))
            return base + delta if spelled[0] == "+" else base - delta
        if _DURATION.fullmatch(spelled):
            return now - timedelta(seconds=parse_duration(spelled))
    except OverflowError:
        raise ValueError(f"time out of range: {spelled!r}") from None
    clock = _CLOCK.fullmatch(spelled)
    if clock:
        hh, mm, ss = (int(g or 0) for g in clock.groups())
        if hh > 23 or mm > 59 or ss > 59:
            raise ValueError(f"not a time of day: {spelled!r}")
        return base.replace(hour=hh, minute=mm, second=ss, microsecond=0)
    absolute = parse_absolute(spelled)
    if absolute is None:  # a stamp copied from a log line (Apache, syslog, y/m/d): the log parser reads it
        from mlops_tui.sources.logs.timestamps import parse_timestamp

        absolute = parse_timestamp(spelled)
    if absolute is None:
        raise ValueError(f"not a time: {spelled!r} (use {TIME_HELP})")
    return absolute


RANGE_HELP = "START..END (3h..1h, 2026-12-01 10:00..2026-12-01 12:00) or a duration (30m: the last 30 minutes)"


def parse_range(text: str, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(start, end) of `START..END` (each as parse_time reads it; END may be left out: now) or of a duration
    alone (the last one); ValueError when it does not parse or ends before it starts."""
    spelled = (text or "").strip()
    start_text, dots, end_text = spelled.partition("..")
    if not dots:
        return parse_time(spelled, now=now), parse_time("now", now=now)
    start, end = parse_time(start_text, now=now), parse_time(end_text.strip() or "now", now=now)
    if end <= start:
        raise ValueError(f"{spelled!r} ends before it starts")
    return start, end


def parse_absolute(text: str) -> datetime | None:
    """ISO 8601 (space or T, `.` or `,` fraction, Z or offset), a date alone, or epoch s/ms; None otherwise."""
    spelled = text.strip()
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", spelled):
        value = float(spelled)
        seconds = value / 1000 if value >= 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not re.match(r"\d{4}-\d\d-\d\d", spelled):
        return None
    try:
        value = datetime.fromisoformat(_COMMA_FRACTION.sub(r"\1.\2", spelled))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=local_zone())
