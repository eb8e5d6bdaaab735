"""Log formats recognised without configuration, and custom ones from settings.

A format turns one line into a `Parsed` (timestamp, level, message, fields) or says "not mine" with
None. `detect()` picks, from a sample of lines, the format that parses most of them, trying last the
"timestamp, level, message" format fitted to that sample (`header`); within a file of a known format a
line that does not parse continues the previous record (tracebacks, stack traces). Levels come only
from the header (a field, a column, a syslog priority, an HTTP status), never from words in the message.
A format may also give `level_scan(min_level)`: a regex for raw bytes matching exactly its record-start
lines that pass a level filter, so the filter runs at text-search speed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mlops_tui.sources.logs.record import Level, level_passes, parse_level
from mlops_tui.sources.logs.timestamps import parse_epoch, parse_timestamp, roll_back


@dataclass(slots=True)
class Parsed:
    timestamp: datetime | None
    level: Level | None
    message: str
    fields: dict[str, Any]
    partial: bool = False
    """The record goes on in the next line (a Kubernetes CRI `P` line)."""


@dataclass(frozen=True)
class LogFormat:
    """A named line parser."""

    name: str
    parse: Callable[[str], Parsed | None]
    level_scan: Callable[[Level], str] | None = None
    """A regex (for raw bytes, multi-line mode) matching the record-start lines that pass `min_level`."""
    scan_exact: bool = False
    """True when `level_scan` is the parser's own regex narrowed, so its hits need no parsing to count."""


# --- JSON lines (plain, ECS, bunyan/pino, structlog) and the Docker/Kubernetes wrappers -------------

_TS_KEYS = ("@timestamp", "timestamp", "time", "ts", "t", "asctime", "datetime", "date", "eventTime")
_LEVEL_KEYS = ("log.level", "level", "levelname", "severity", "lvl", "loglevel", "log_level", "severity_text")
_MSG_KEYS = ("message", "msg", "event", "log", "text", "body")


def _flatten(value: dict[str, Any], prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {} if out is None else out
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            _flatten(item, name + ".", out)
        else:
            out[name] = item
    return out


def _stamp(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return parse_epoch(float(value))
    if isinstance(value, str):
        return parse_timestamp(value)
    return None


def parse_json(line: str) -> Parsed | None:
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    fields = _flatten(data)
    timestamp = next((s for k in _TS_KEYS if k in fields and (s := _stamp(fields[k])) is not None), None)
    level = next((lv for k in _LEVEL_KEYS if k in fields and (lv := parse_level(fields[k])) is not None), None)
    message = next((str(fields[k]) for k in _MSG_KEYS if isinstance(fields.get(k), (str, int, float))), "")
    if "error.stack_trace" in fields and isinstance(fields["error.stack_trace"], str):  # ECS
        message = message or fields["error.stack_trace"].splitlines()[0]
    return Parsed(timestamp, level, message, fields)


_CRI = re.compile(r"^(\d{4}-\d\d-\d\dT\S+)\s+(stdout|stderr)\s+([FP])\s?(.*)$")


def _inner(text: str, stream: str) -> tuple[Level | None, str, dict[str, Any]]:
    inner = parse_json(text) if text.lstrip().startswith("{") else None
    if inner is None:
        for fmt in _INNER_FORMATS:
            inner = fmt.parse(text)
            if inner is not None:
                break
    if inner is None:
        return None, text, {}
    return inner.level, inner.message, inner.fields


def parse_docker(line: str) -> Parsed | None:
    """Docker json-file: {"log": "...\\n", "stream": "stdout", "time": "..."}; Kubernetes CRI: `TS stdout F text`."""
    if line.startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            return None
        if not isinstance(data, dict) or "log" not in data or "stream" not in data or not isinstance(data["log"], str):
            return None
        text = data["log"].rstrip("\n")
        stream = str(data.get("stream", ""))
        timestamp = _stamp(data.get("time"))
    else:
        match = _CRI.match(line)
        if not match:
            return None
        timestamp, stream, tag, text = parse_timestamp(match.group(1)), match.group(2), match.group(3), match.group(4)
        if tag == "P":  # a long line the runtime split: the pieces join into one record, parsed whole by record_at
            return Parsed(timestamp, None, text, {"stream": stream}, partial=True)
    level, message, fields = _inner(text, stream)
    fields = {"stream": stream, **fields}
    return Parsed(timestamp, level, message, fields)


def join_partials(first: Parsed, pieces: list[str]) -> Parsed:
    """A CRI record split over `P` lines: the pieces' text joined, then parsed as one (inner JSON, logfmt...)."""
    stream = str(first.fields.get("stream", ""))
    level, message, fields = _inner(first.message + "".join(pieces), stream)
    return Parsed(first.timestamp, level, message, {"stream": stream, **fields})


# --- logfmt -----------------------------------------------------------------------------------------

# a key starts where a word starts and is taken whole (atomic): a long word without `=` costs one pass, not n²
_LOGFMT_PAIR = re.compile(r'(?<![\w.@/-])((?>[\w.@/-]+))=("(?:[^"\\]|\\.)*"|[^\s"]*)')


def parse_logfmt(line: str) -> Parsed | None:
    if not line or not (line[0].isalpha() or line[0] in "_@"):
        return None
    pairs = _LOGFMT_PAIR.findall(line)
    if len(pairs) < 2 or not line.startswith(pairs[0][0] + "="):
        return None
    covered = sum(len(k) + 1 + len(v) for k, v in pairs) + len(pairs) - 1
    if covered < len(line.strip()) * 0.8:
        return None
    fields: dict[str, Any] = {}
    for key, value in pairs:
        if value.startswith('"'):
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        fields[key] = _number(value)
    timestamp = next((s for k in _TS_KEYS if k in fields and (s := _stamp(fields[k])) is not None), None)
    level = next((lv for k in _LEVEL_KEYS if k in fields and (lv := parse_level(fields[k])) is not None), None)
    message = next((str(fields[k]) for k in _MSG_KEYS if k in fields), "")
    return Parsed(timestamp, level, message, fields)


def _number(value: Any) -> Any:
    if isinstance(value, str) and value and (value[0].isdigit() or value[0] == "-"):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value


# --- Python logging, log4j/Java, Spark, Hadoop --------------------------------------------------------

_ISO = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_LEVELS = r"TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|SEVERE|CRITICAL|FATAL"
_PY_DEFAULT = re.compile(rf"^(?P<ts>{_ISO}) - (?P<logger>[^ ]+) - (?P<level>{_LEVELS}) - (?P<msg>.*)$")
_PY_BASIC = re.compile(rf"^(?P<level>{_LEVELS}):(?P<logger>[^:\s]+):(?P<msg>.*)$")
_PY_SPACED = re.compile(rf"^(?P<ts>{_ISO})\s+(?:\[?(?P<level>{_LEVELS})\]?)\s+(?P<logger>[\w.]+):\s(?P<msg>.*)$")
_PY_BRACKET = re.compile(rf"^\[(?P<ts>{_ISO})\] \[?(?P<level>{_LEVELS})\]? (?:(?P<logger>[\w.]+): )?(?P<msg>.*)$")


def _regex_parser(*patterns: re.Pattern[str]) -> Callable[[str], Parsed | None]:
    def parse(line: str) -> Parsed | None:
        for pattern in patterns:
            match = pattern.match(line)
            if match:
                groups = match.groupdict()
                ts = groups.pop("ts", None)
                level = parse_level(groups.pop("level", None))
                message = groups.pop("msg", "") or ""
                fields = {k: _number(v) for k, v in groups.items() if v is not None}
                return Parsed(parse_timestamp(ts) if ts else None, level, message, fields)
        return None

    return parse


def _level_scan(patterns: tuple[re.Pattern[str], ...], names: dict[str, Level]) -> Callable[[Level], str]:
    """The patterns with their level group narrowed to the names that pass, the other groups unnamed."""
    def scan(min_level: Level) -> str:
        passing = sorted((n for n, lv in names.items() if level_passes(lv, min_level)), key=len, reverse=True)
        level = "(?:" + "|".join(re.escape(n) for n in passing) + ")" if passing else "(?!)"
        out = []
        for pattern in patterns:
            source = re.sub(r"\(\?P<level>(?:[^()]|\([^()]*\))*\)", level, pattern.pattern)
            out.append("(?:" + re.sub(r"\(\?P<\w+>", "(?:", source) + ")")
        return "|".join(out)

    return scan


_LEVEL_WORDS = {name: parse_level(name) for name in _LEVELS.split("|")}
parse_python = _regex_parser(_PY_DEFAULT, _PY_BASIC, _PY_SPACED, _PY_BRACKET)

_LOG4J_LEVEL_FIRST = re.compile(rf"^(?P<ts>{_ISO})\s+(?P<level>{_LEVELS})\s+\[(?P<thread>[^\]]*)\]\s+(?P<logger>[\w.$]+)(?:\s*-|:)\s?(?P<msg>.*)$")
_LOG4J_THREAD_FIRST = re.compile(rf"^(?P<ts>{_ISO})\s+\[(?P<thread>[^\]]*)\]\s+(?P<level>{_LEVELS})\s+(?P<logger>[\w.$]+)(?:\s*-|:)\s?(?P<msg>.*)$")
_HADOOP = re.compile(rf"^(?P<ts>{_ISO})\s+(?P<level>{_LEVELS})\s+(?P<logger>[\w.$]+)(?:\s*\([^)]*\))?:\s?(?P<msg>.*)$")
_SPARK = re.compile(rf"^(?P<ts>\d\d/\d\d/\d\d \d\d:\d\d:\d\d)\s+(?P<level>{_LEVELS})\s+(?P<logger>[\w.$]+):\s?(?P<msg>.*)$")
parse_log4j = _regex_parser(_LOG4J_LEVEL_FIRST, _LOG4J_THREAD_FIRST, _SPARK, _HADOOP)

# Android logcat "brief" (`adb logcat -v brief`): `D/WindowManager( 1702): message`, no time at all.
_LOGCAT_BRIEF = re.compile(r"^(?P<level>[VDIWEF])/(?P<tag>[^(]+?)\(\s*(?P<pid>\d+)\): (?P<msg>.*)$")
parse_logcat_brief = _regex_parser(_LOGCAT_BRIEF)


# --- syslog -------------------------------------------------------------------------------------------

_SYSLOG_5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
    r"(?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?:\ufeff)?(?P<msg>.*))?$"
)
_SYSLOG_3164 = re.compile(
    r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>\w{3} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) "
    r"(?P<host>\S+) (?P<tag>[^\s:\[]+)(?:\[(?P<pid>\d+)\])?: ?(?P<msg>.*)$"
)


def parse_syslog(line: str, reference: datetime | None = None) -> Parsed | None:
    match = _SYSLOG_5424.match(line)
    fmt = "rfc5424"
    if not match:
        match = _SYSLOG_3164.match(line)
        fmt = "rfc3164"
    if not match:
        return None
    groups = {k: v for k, v in match.groupdict().items() if v is not None and v != "-"}
    pri = groups.pop("pri", None)
    level = None
    if pri is not None:
        groups["facility"] = int(pri) // 8
        level = parse_level(int(pri) % 8)
    text = groups.pop("ts")
    timestamp = parse_timestamp(text, year=reference.year if reference else None)
    if reference is not None and timestamp is not None and not text[0].isdigit():
        timestamp = roll_back(timestamp, reference)  # BSD stamps have no year: the file's time decides
    message = groups.pop("msg", "")
    groups["rfc"] = fmt
    return Parsed(timestamp, level, message, {k: _number(v) for k, v in groups.items()})


def syslog_format(reference: datetime | None) -> LogFormat:
    """Syslog whose year-less stamps take the year of `reference` (the file's modification time)."""
    return LogFormat("syslog", lambda line: parse_syslog(line, reference), _syslog_scan)


def _syslog_scan(min_level: Level) -> str:
    """Lines whose <PRI> severity passes; lines without a PRI have an unknown level."""
    values = [str(n) for n in range(192) if level_passes(parse_level(n % 8), min_level)]
    pri = "<(?:" + "|".join(values) + ")>" if values else "(?!)"
    no_pri = r"(?:\w{3} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) \S+ [^\s:\[]+(?:\[\d+\])?:"
    out = [rf"^{pri}"]
    if level_passes(None, min_level):
        out.append(rf"^{no_pri}")
    return "|".join(out)


# --- Apache / nginx -----------------------------------------------------------------------------------

_ACCESS = re.compile(
    r'^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<ts>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" '
    r'(?P<status>\d{3}) (?P<bytes>\d+|-)(?: "(?P<referer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)")?(?P<rest>.*)$'
)


def parse_access(line: str) -> Parsed | None:
    match = _ACCESS.match(line)
    if not match:
        return None
    groups = {k: v for k, v in match.groupdict().items() if v not in (None, "-", "")}
    timestamp = parse_timestamp(groups.pop("ts"))
    status = int(groups["status"])
    level = Level.ERROR if status >= 500 else Level.WARN if status >= 400 else Level.INFO
    parts = groups.get("request", "").split(" ")
    if len(parts) == 3:
        groups["method"], groups["path"], groups["protocol"] = parts
    rest = groups.pop("rest", "").strip()
    if rest:
        groups["extra"] = rest
    fields = {k: _number(v) if k in ("status", "bytes") else v for k, v in groups.items()}
    return Parsed(timestamp, level, groups.get("request", ""), fields)


_APACHE_ERROR = re.compile(
    r"^\[(?P<ts>\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4})\] \[(?:(?P<module>[\w-]+):)?(?P<level>\w+)\]"
    r"(?: \[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\])?(?: \[client (?P<client>[^\]]+)\])? (?P<msg>.*)$"
)
_NGINX_ERROR = re.compile(
    r"^(?P<ts>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[(?P<level>\w+)\] (?P<pid>\d+)#(?P<tid>\d+): (?:\*(?P<conn>\d+) )?(?P<msg>.*)$"
)


def parse_http_error(line: str) -> Parsed | None:
    for pattern in (_APACHE_ERROR, _NGINX_ERROR):
        match = pattern.match(line)
        if match:
            groups = {k: v for k, v in match.groupdict().items() if v is not None}
            level_name = groups.pop("level")
            level = parse_level(level_name) or (Level.DEBUG if level_name.startswith("trace") else None)
            timestamp = parse_timestamp(groups.pop("ts"))
            message = groups.pop("msg")
            return Parsed(timestamp, level, message, {k: _number(v) for k, v in groups.items()})
    return None


def plain(line: str) -> Parsed:
    return Parsed(None, None, line, {})


JSON = LogFormat("json", parse_json)
DOCKER = LogFormat("docker", parse_docker)
LOGFMT = LogFormat("logfmt", parse_logfmt)
PYTHON = LogFormat("python", parse_python, _level_scan((_PY_DEFAULT, _PY_BASIC, _PY_SPACED, _PY_BRACKET), _LEVEL_WORDS), True)
LOG4J = LogFormat("log4j", parse_log4j, _level_scan((_LOG4J_LEVEL_FIRST, _LOG4J_THREAD_FIRST, _SPARK, _HADOOP), _LEVEL_WORDS), True)
LOGCAT_BRIEF = LogFormat("logcat-brief", parse_logcat_brief, _level_scan((_LOGCAT_BRIEF,), {c: parse_level(c) for c in "VDIWEF"}), True)
SYSLOG = syslog_format(None)
ACCESS = LogFormat("access", parse_access)
HTTP_ERROR = LogFormat("http-error", parse_http_error)
PLAIN = LogFormat("plain", plain)

BUILTIN: tuple[LogFormat, ...] = (DOCKER, JSON, LOGFMT, SYSLOG, ACCESS, HTTP_ERROR, LOG4J, PYTHON, LOGCAT_BRIEF)
_INNER_FORMATS = (LOGFMT, LOG4J, PYTHON, ACCESS, HTTP_ERROR)


def custom_format(name: str, regex: str, timestamp_format: str | None = None) -> LogFormat:
    """A format from a regex with named groups (timestamp, level, message, any others). Raises re.error."""
    pattern = re.compile(regex)

    def parse(line: str) -> Parsed | None:
        match = pattern.match(line)
        if not match:
            return None
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        ts = groups.pop("timestamp", None)
        timestamp = parse_timestamp(ts, timestamp_format) if ts else None
        level = parse_level(groups.pop("level", None))
        message = groups.pop("message", line)
        return Parsed(timestamp, level, message, {k: _number(v) for k, v in groups.items()})

    return LogFormat(name, parse)


def header_format(sample: Sequence[str], reference: datetime | None = None) -> LogFormat | None:
    """The "timestamp, level, message" format fitted to these lines (see `header`), None if they have no timestamp."""
    from mlops_tui.sources.logs.header import HeaderParser, fit

    fitted = fit(sample, reference)
    if fitted is None:
        return None
    header, name = fitted
    return LogFormat(name, HeaderParser(header), header.scan, True)


def detect(sample: Iterable[str], formats: Iterable[LogFormat] = BUILTIN, reference: datetime | None = None) -> LogFormat:
    """The format that parses the most sample lines (at least a third of them), else plain. Ties go to the
    earlier format; the fitted header format comes last. `reference` (the file's modification time) gives
    year-less timestamps their year."""
    lines = [line for line in sample if line.strip()][:200]
    if not lines:
        return PLAIN
    candidates = [syslog_format(reference) if fmt is SYSLOG else fmt for fmt in formats]
    fitted = header_format(lines, reference)
    if fitted is not None:
        candidates.append(fitted)
    best, best_hits = PLAIN, 0
    for fmt in candidates:
        hits = 0
        for line in lines:
            if parse_line(fmt, line) is not None:
                hits += 1
        if hits > best_hits:
            best, best_hits = fmt, hits
    return best if best_hits * 3 >= len(lines) else PLAIN


def parse_line(fmt: LogFormat, line: str) -> Parsed | None:
    """fmt.parse that never raises on hostile input (deep JSON, odd dates)."""
    try:
        return fmt.parse(line)
    except (ValueError, OverflowError, RecursionError, TypeError):
        return None
