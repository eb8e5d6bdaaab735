"""Timestamps in the shapes log formats write them, parsed to aware datetimes (naive ones are local time)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_LOCAL = datetime.now().astimezone().tzinfo
_COMMA_FRACTION = re.compile(r"(\d\d:\d\d:\d\d),(\d+)")
_CLF = re.compile(r"(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*([+-]\d{4})?")
_BSD = re.compile(r"(?:\w{3}\s+)?(\w{3})\s+(\d{1,2})\s+(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:\s+(\d{4}))?")
_SLASHED = re.compile(r"(\d{2,4})/(\d\d)/(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=_LOCAL)


def _micros(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def parse_timestamp(text: str, strptime_format: str | None = None, year: int | None = None) -> datetime | None:
    """A datetime from ISO 8601, epoch seconds/millis, common log format, BSD syslog or y/m/d forms."""
    text = text.strip()
    if not text:
        return None
    if strptime_format:
        try:
            return _aware(datetime.strptime(text, strptime_format))
        except ValueError:
            return None
    if text[0].isdigit() and len(text) >= 10 and text[4] == "-":
        candidate = _COMMA_FRACTION.sub(r"\1.\2", text)
        try:
            return _aware(datetime.fromisoformat(candidate))
        except ValueError:
            pass
    if text.replace(".", "", 1).isdigit():
        return parse_epoch(float(text))
    match = _CLF.fullmatch(text)
    if match:
        day, mon, yr, hh, mm, ss, frac, tz = match.groups()
        month = _MONTHS.get(mon.lower())
        if month:
            zone = timezone.utc
            if tz:
                sign = -1 if tz[0] == "-" else 1
                zone = timezone(sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])))
            return datetime(int(yr), month, int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=zone if tz else _LOCAL)
    match = _SLASHED.fullmatch(text)
    if match:
        yr, mon, day, hh, mm, ss, frac = match.groups()
        yr_int = int(yr) + (2000 if len(yr) == 2 else 0)
        return datetime(yr_int, int(mon), int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=_LOCAL)
    match = _BSD.fullmatch(text)
    if match:
        mon, day, hh, mm, ss, frac, yr = match.groups()
        month = _MONTHS.get(mon.lower()[:3])
        if month:
            now = datetime.now(_LOCAL)
            when = datetime(int(yr) if yr else (year or now.year), month, int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=_LOCAL)
            if not yr and not year and when > now + timedelta(days=1):
                when = when.replace(year=when.year - 1)  # syslog has no year: December lines read in January
            return when
    return None


def parse_epoch(value: float) -> datetime | None:
    """Epoch seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude."""
    for scale in (1, 1e3, 1e6, 1e9):
        seconds = value / scale
        if seconds < 1e10:
            try:
                return datetime.fromtimestamp(seconds, timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
    return None
