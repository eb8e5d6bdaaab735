"""Timestamps in the shapes log formats write them, parsed to aware datetimes (naive ones are local time).

Two ways in:
- `parse_timestamp(text)`: one timestamp on its own (a JSON field, a regex group, a typed `--since`).
- `sniff(lines, reference)`: which `Shape` a file's lines start with and after how many whitespace-separated
  columns, decided once per file from a sample; the `Stamp` it returns then parses every line with that one
  regex, so a number in a message is never taken for the time (only the column the sample showed is read).

Year-less stamps (syslog's `Jun 14 15:16:01`, logcat's `03-17 16:13:38.811`, Proxifier's `[10.30 16:49:06]`)
take the year of `reference` (the file's modification time): a stamp that would fall more than a day after
it belongs to the year before (December lines in a file last written in January).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_LOCAL = datetime.now().astimezone().tzinfo
_COMMA_FRACTION = re.compile(r"(\d\d:\d\d:\d\d),(\d+)")
_CLF = re.compile(r"(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*([+-]\d{4})?")
_BSD = re.compile(r"(?:\w{3}\s+)?(\w{3})\s+(\d{1,2})\s+(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:\s+(\d{4}))?")
_SLASHED = re.compile(r"(\d{2,4})/(\d\d)/(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?")
_EPOCH_MIN, _EPOCH_MAX = 946684800, 4102444800  # 2000-01-01 .. 2100-01-01: what a leading number must fall in


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=_LOCAL)


def _micros(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def _zone(text: str | None):
    if not text:
        return _LOCAL
    if text == "Z":
        return timezone.utc
    digits = text[1:].replace(":", "")
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


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
            return datetime(int(yr), month, int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=_zone(tz and tz[:3] + ":" + tz[3:]))
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
            when = datetime(int(yr) if yr else (year or datetime.now(_LOCAL).year), month, int(day), int(hh), int(mm), int(ss),
                            _micros(frac), tzinfo=_LOCAL)
            return when if yr or year else roll_back(when, datetime.now(_LOCAL))
    return None


def roll_back(when: datetime, reference: datetime) -> datetime:
    """A year-less stamp put in `reference`'s year: the year before when that is more than a day ahead of it."""
    if when > reference + timedelta(days=1):
        try:
            return when.replace(year=when.year - 1)
        except ValueError:  # 29 February
            return when
    return when


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


# --- shapes: the timestamps a line can start with ------------------------------------------------------

GLOG_LEVELS = "[DIWEF]"  # the letter glog-style stamps start with; the header reads it as the level
FULL, EPOCH, YEARLESS = 0, 1, 2  # how much a shape says: preferred in this order when several fit a file


@dataclass(frozen=True)
class Shape:
    """One way of writing a timestamp: a regex (its groups feed `build`) and how much it says."""

    name: str
    regex: str
    build: Callable[[tuple[str | None, ...], datetime], datetime | None]
    rank: int = FULL
    max_column: int = 6


def _ymd(g, _ref):
    yr, mon, day, hh, mm, ss, frac, tz = g
    return datetime(int(yr), int(mon), int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=_zone(tz))


def _yy(g, _ref):
    yr, mon, day, hh, mm, ss, frac = g
    return datetime(2000 + int(yr), int(mon), int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=_LOCAL)


def _named_month(g, _ref):
    day, mon, yr, hh, mm, ss, frac, tz = g
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    return datetime(int(yr), month, int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=_zone(tz))


def _ctime(g, _ref):
    mon, day, hh, mm, ss, frac, yr = g
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    return datetime(int(yr), month, int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=_LOCAL)


def _yearless(month: int | None, g, ref: datetime) -> datetime | None:
    if month is None:
        return None
    day, hh, mm, ss, frac = g
    return roll_back(datetime(ref.year, month, int(day), int(hh), int(mm), int(ss), _micros(frac), tzinfo=_LOCAL), ref)


def _syslog(g, ref):
    return _yearless(_MONTHS.get(g[0].lower()), g[1:], ref)


def _month_day(g, ref):
    return _yearless(int(g[0]), g[1:], ref)


def _glog(g, ref):
    return _yearless(int(g[1]), g[2:], ref)


def _epoch(g, _ref):
    seconds, frac, millis = g
    value = int(millis) / 1000 if millis else int(seconds) + int((frac or "0")[:6].ljust(6, "0")) / 1e6
    if not _EPOCH_MIN <= value < _EPOCH_MAX:
        return None
    return datetime.fromtimestamp(value, timezone.utc)


_FRAC = r"(?:[.,:](\d{1,9}))?"
_TZ = r"(Z|[+-]\d\d:?\d\d)?"
_MON = r"([A-Za-z]{3})"
SHAPES: tuple[Shape, ...] = (
    # 2016-09-28 04:30:31,123 · 2023-11-07T10:15:30.123Z · 2005-06-03-15.42.50.675872 · 2005.06.03 15:42:50 · 2016/9/27:20:30:31.455
    Shape("ymd", rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}})(?:[T ]|-|:|_)(\d\d)[:.](\d\d)[:.](\d\d){_FRAC}{_TZ}", _ymd),
    # 20171223-22:15:29:606 (HealthApp) · 20231107T101530Z
    Shape("ymd-compact", rf"(\d{{4}})(\d\d)(\d\d)[-T ](\d\d):?(\d\d):?(\d\d){_FRAC}{_TZ}", _ymd),
    # 081109 203615 (HDFS) · 17/06/09 20:10:40 (Spark)
    Shape("yymmdd", r"(\d\d)(\d\d)(\d\d) (\d\d)(\d\d)(\d\d)()", _yy),
    Shape("yy/mm/dd", rf"(\d\d)/(\d\d)/(\d\d)[ T](\d\d):(\d\d):(\d\d){_FRAC}", _yy),
    # 10/Oct/2000:13:55:36 -0700 (Apache access) · 07-Nov-2023 10:15:30.123 (Tomcat)
    Shape("dmy-named", rf"(\d{{1,2}})[/ -]{_MON}[/ -](\d{{4}})[: ](\d\d):(\d\d):(\d\d){_FRAC}(?: ?([+-]\d\d:?\d\d|Z))?", _named_month),
    # Thu Jun 09 06:07:04 2005 (Apache error, ctime)
    Shape("ctime", rf"(?:[A-Za-z]{{3}} ){_MON} +(\d{{1,2}}) (\d\d):(\d\d):(\d\d){_FRAC} (\d{{4}})", _ctime),
    # 1117838570 · 1117838570.123 · 1117838570123: in the first five columns (HPC/RAS logs: `134681 node-246
    # unix.hw state_change.unavailable 1077804742 1 ...`); past the second, the last resort (see `_rank`)
    Shape("epoch", r"(?:(\d{10})(?:\.(\d{1,9}))?|(\d{13}))", _epoch, EPOCH, max_column=4),
    # Jun 14 15:16:01 (syslog) · 03-17 16:13:38.811 (logcat) · 10.30 16:49:06 (Proxifier)
    Shape("syslog", rf"{_MON} +(\d{{1,2}}) (\d\d):(\d\d):(\d\d){_FRAC}", _syslog, YEARLESS),
    Shape("mm-dd", rf"(\d\d)[-.](\d\d) (\d\d):(\d\d):(\d\d){_FRAC}", _month_day, YEARLESS),
    # I1129 10:15:30.123456 (glog, absl, TensorFlow, PyTorch's c10): the level letter, then month and day
    Shape("glog", rf"({GLOG_LEVELS})(\d\d)(\d\d) +(\d\d):(\d\d):(\d\d){_FRAC}", _glog, YEARLESS, max_column=0),
)


@dataclass(frozen=True)
class Stamp:
    """A file's timestamp: `shape` found after `column` whitespace-separated columns, years from `reference`."""

    shape: Shape
    column: int
    reference: datetime

    @property
    def columns(self) -> str:
        """The regex of the `column` columns before the timestamp."""
        return rf"(?:\S+\s+){{{self.column}}}" if self.column else ""

    @property
    def prefix(self) -> str:
        """What comes before the timestamp: its columns, then an optional bracket."""
        return self.columns + r"[\[(]?"

    def build(self, groups: tuple[str | None, ...]) -> datetime | None:
        try:
            return self.shape.build(groups, self.reference)
        except (ValueError, OverflowError, OSError):
            return None


END = r"(?![.,:]?\d|Z\b|[+-]\d\d)"
"""What may not follow a timestamp: more digits, a fraction or a zone (so a regex cannot stop it short)."""
_SNIFF_CACHE: dict[str, re.Pattern[str]] = {}
_LEVEL_WORDS = r"trace|debug|info|notice|warn|warning|error|err|severe|critical|crit|fatal|alert|emerg"
_WORD = re.compile(rf"(?!\[?(?i:{_LEVEL_WORDS})\]?:?$)[A-Za-z]+[,:]?")


def _finder(shape: Shape) -> re.Pattern[str]:
    rx = _SNIFF_CACHE.get(shape.name)
    if rx is None:
        rx = re.compile(rf"^((?:\S+\s+){{0,{shape.max_column}}}?)[\[(]?{shape.regex}{END}")
        _SNIFF_CACHE[shape.name] = rx
    return rx


def sniff(lines: Iterable[str], reference: datetime | None = None) -> Stamp | None:
    """The shape and column most sample lines start with (a third of them at least), else None.

    Near-ties (within 10% of the most lines) go to the shape that says more (a full date over an epoch
    number over a year-less stamp), then to the earlier column. Columns before the timestamp must look
    like a header (a number, a host, a dash, a level), not words of a sentence."""
    reference = reference or datetime.now(_LOCAL)
    sample = [line for line in lines if line.strip()][:200]
    if not sample:
        return None
    hits: dict[tuple[int, int], int] = {}
    for number, shape in enumerate(SHAPES):
        rx = _finder(shape)
        for line in sample:
            match = rx.match(line)
            if match is None:
                continue
            before = match.group(1).split()
            if before and all(_WORD.fullmatch(token) for token in before):
                continue  # "finished at 2023-11-07 10:15:30": a time inside a sentence, not a header
            column = len(before)
            stamp = Stamp(shape, column, reference)
            if stamp.build(match.groups()[1:]) is not None:
                hits[number, column] = hits.get((number, column), 0) + 1
    if not hits:
        return None
    most = max(hits.values())
    if most * 3 < len(sample):
        return None
    close = [key for key, count in hits.items() if count * 10 >= most * 9]
    number, column = min(close, key=lambda key: (_rank(SHAPES[key[0]], key[1]), key[1], -hits[key], key[0]))
    return Stamp(SHAPES[number], column, reference)


def _rank(shape: Shape, column: int) -> int:
    """How much a shape found at `column` says: an epoch number past the second column (an HPC log's fifth)
    ranks below a year-less stamp, so a 10-digit id inside a syslog line never beats the line's own stamp."""
    return YEARLESS + 1 if shape.rank == EPOCH and column > 1 else shape.rank
