"""The record model shared by every log source: files today, search engines later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any


class Level(IntEnum):
    """Levels normalised across formats; a larger value is worse."""

    TRACE = 10
    DEBUG = 20
    INFO = 30
    NOTICE = 35
    WARN = 40
    ERROR = 50
    CRITICAL = 60

    @property
    def label(self) -> str:
        return self.name.lower()


_ALIASES: dict[str, Level] = {}
for _level, _names in {
    Level.TRACE: ("trace", "trc", "finest", "finer", "verbose", "vrb", "v"),
    Level.DEBUG: ("debug", "dbg", "fine", "config", "d"),
    Level.INFO: ("info", "inf", "information", "informational", "i"),
    Level.NOTICE: ("notice", "note"),
    Level.WARN: ("warn", "warning", "wrn", "w"),
    Level.ERROR: ("error", "err", "severe", "e", "eror"),
    Level.CRITICAL: ("critical", "crit", "fatal", "ftl", "f", "alert", "emerg", "emergency", "panic", "c"),
}.items():
    for _name in _names:
        _ALIASES[_name] = _level

_SYSLOG = [Level.CRITICAL, Level.CRITICAL, Level.CRITICAL, Level.ERROR, Level.WARN, Level.NOTICE, Level.INFO, Level.DEBUG]


UNKNOWN_KEPT_FROM = Level.DEBUG
"""A level filter this loose or looser (debug and up, trace and up) keeps records whose level is unknown
(no level in their header); a stricter one leaves them out. Said in the CLI's --level help and the pane."""


def level_passes(level: Level | None, min_level: Level) -> bool:
    """Whether a record of `level` (None: unknown) passes the filter "min_level and worse"."""
    return level >= min_level if level is not None else min_level <= UNKNOWN_KEPT_FROM


def level_names() -> dict[str, Level]:
    """Every spelling of a level this package understands."""
    return dict(_ALIASES)


def parse_level(value: Any) -> Level | None:
    """A Level from a name in any common spelling, a syslog severity (0-7) or a pino/bunyan number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Level):
        return value
    if isinstance(value, (int, float)):
        number = int(value)
        if 0 <= number <= 7:
            return _SYSLOG[number]
        if number >= 10:  # pino/bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
            return min(Level, key=lambda level: abs(level.value - number))
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    if text.isdigit():
        return parse_level(int(text))
    return _ALIASES.get(text)


@dataclass(slots=True)
class LogRecord:
    """One log record: where it came from, when, how bad, and what it said.

    `line` is 1-based within the source; `end_line` is the last line of a multi-line record
    (traceback, Java stack trace). `raw` keeps the full text (all lines) exactly as read, after
    decoding invalid UTF-8 with replacement characters.
    """

    source: str
    line: int
    offset: int
    raw: str
    format: str = "plain"
    timestamp: datetime | None = None
    level: Level | None = None
    message: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    end_line: int = 0
    continuation: bool = False
    """True for a line that belongs to the record started on an earlier line."""
    continued: bool = False
    """True when the record goes on in the next line although that line parses (a CRI partial `P` line)."""
    truncated: bool = False
    """True when `raw` was cut for display; `LogSource.record_at` gives all of it."""

    def __post_init__(self) -> None:
        if not self.end_line:
            self.end_line = self.line

    def to_json(self) -> dict[str, Any]:
        """What the CLI prints for a record (one JSON object per line)."""
        return {
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "level": self.level.label if self.level is not None else None,
            "message": self.message,
            "source": self.source,
            "line": self.line,
            "end_line": self.end_line,
            "format": self.format,
            "fields": self.fields,
        }


def masked(record: LogRecord) -> LogRecord:
    """The record as every output shows it (list, detail, CLI text and --json): fields named like secrets
    (password, api_key, token) and credential-shaped values masked, in the fields, message and raw line.
    Searching still runs on the record as read."""
    from dataclasses import replace

    from mlops_tui.secrets import mask_text, mask_tree

    raw, message = mask_text(record.raw), mask_text(record.message)
    fields = mask_tree(record.fields)
    if raw == record.raw and message == record.message and fields == record.fields:
        return record
    return replace(record, raw=raw, message=message, fields=fields)
