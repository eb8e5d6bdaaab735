"""What a search asks for: a pattern (literal, case-insensitive or regex), a minimum level, a time
window and field filters such as `service=api level>=error latency_ms>500`."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from mlops_tui.sources.logs.record import Level, LogRecord, level_names, level_passes, parse_level


class QueryError(ValueError):
    """A search that cannot run: bad regex, bad field filter, unknown level."""


class RegexTimeout(QueryError):
    """A regex RE2 cannot run (lookaround, backreferences) took more than limits.regex_seconds on one stretch
    of text: a backtracking engine can take exponential time, `(?=(a+)+$)` on a long line of `a`."""


class Budgeted:
    """A pattern RE2 refuses, run by the `regex` module with a time budget (limits.regex_seconds) per call and
    the GIL released while it matches (`concurrent`), so the screen and `q` keep answering and the search ends
    with RegexTimeout instead of backtracking for ever. Python's re can be neither interrupted nor timed."""

    def __init__(self, source: str | bytes, flags: int = 0) -> None:
        import regex

        self.pattern = source
        try:
            self.rx = regex.compile(source, flags)
        except regex.error as exc:
            raise QueryError(f"bad regex {source!r}: {exc}") from None

    def _budget(self) -> float:
        from mlops_tui.sources import limits

        return limits.current().regex_seconds

    def _timed_out(self, budget: float) -> RegexTimeout:
        shown = self.pattern.decode("utf-8", "replace") if isinstance(self.pattern, bytes) else self.pattern
        # the bound first: a status line of 80 columns shows that much
        return RegexTimeout(f"regex past limits.regex_seconds ({budget:g} s): RE2 cannot run lookaround "
                            f"or backreferences, and backtracking on one line ran too long; simplify {shown[:200]!r}")

    def search(self, text, pos: int = 0):
        budget = self._budget()
        try:
            return self.rx.search(text, pos, concurrent=True, timeout=budget)
        except TimeoutError:
            raise self._timed_out(budget) from None

    def findall(self, text):
        budget = self._budget()
        try:
            return self.rx.findall(text, concurrent=True, timeout=budget)
        except TimeoutError:
            raise self._timed_out(budget) from None

    def finditer(self, text, timeout: float | None = None):
        budget = self._budget() if timeout is None else timeout
        try:
            return list(self.rx.finditer(text, concurrent=True, timeout=budget))
        except TimeoutError:
            raise self._timed_out(budget) from None


def compile_text(source: str, flags: int = 0):
    """A str pattern: RE2 when it takes the syntax (linear time), else Budgeted. Flags: re.IGNORECASE,
    re.MULTILINE only."""
    rx = _re2_text(source, flags)
    return rx if rx is not None else Budgeted(source, _regex_flags(flags))


def _regex_flags(flags: int) -> int:
    import regex

    return (regex.IGNORECASE if flags & re.IGNORECASE else 0) | (regex.MULTILINE if flags & re.MULTILINE else 0)


def _re2_text(source: str, flags: int):
    try:
        import re2
    except ImportError:
        return None
    options = re2.Options()
    options.log_errors = False
    prefix = ("(?m)" if flags & re.MULTILINE else "") + ("(?i)" if flags & re.IGNORECASE else "")
    try:
        return re2.compile(prefix + source, options)
    except Exception:  # RE2 rejects this syntax: the budgeted backtracking engine takes it
        return None


class Mode(str, Enum):
    LITERAL = "literal"
    IGNORE_CASE = "ignore-case"
    REGEX = "regex"


_FILTER = re.compile(r"^([A-Za-z_@][\w.@-]*)(!=|>=|<=|=|>|<|~)(.*)$")


@dataclass(frozen=True)
class FieldFilter:
    """`key OP value`: = != > >= < <= compare numbers as numbers; ~ is a regex search."""

    key: str
    op: str
    value: str

    @classmethod
    def parse(cls, text: str) -> FieldFilter:
        match = _FILTER.match(text.strip())
        if not match:
            raise QueryError(f"not a field filter (expected key=value, key>=value, key~regex): {text!r}")
        key, op, value = match.groups()
        if key == "level" and op != "~" and parse_level(value) is None:
            raise QueryError(f"unknown level {value!r}: use one of trace, debug, info, notice, warn, error, critical")
        if op == "~":
            try:
                re.compile(value)
            except re.error as exc:
                raise QueryError(f"bad regex in {text!r}: {exc}") from None
        return cls(key, op, value)

    def matches(self, record: LogRecord) -> bool:
        if self.key == "level":
            if self.op == "~":
                return record.level is not None and compile_text(self.value).search(record.level.label) is not None
            return record.level is not None and _compare(int(record.level), self.op, int(parse_level(self.value)))
        if self.key in ("message", "msg") and self.key not in record.fields:
            actual: Any = record.message
        elif self.key == "source":
            actual = record.source
        else:
            if self.key not in record.fields:
                return self.op == "!="
            actual = record.fields[self.key]
        if self.op == "~":
            return compile_text(self.value).search(str(actual)) is not None
        number = _as_number(actual)
        wanted = _as_number(self.value)
        if number is not None and wanted is not None:
            return _compare(number, self.op, wanted)
        if self.op in ("=", "!="):
            equal = str(actual).lower() == self.value.lower() if isinstance(actual, bool) else str(actual) == self.value
            return equal if self.op == "=" else not equal
        return _compare(str(actual), self.op, self.value)


RECORD_KEYS = frozenset({"level", "message", "msg", "source"})
"""Filter keys every record answers (its level, message and source), whatever its fields."""


def unknown_fields(query: Query, records: Iterable[LogRecord]) -> list[str]:
    """The keys of query's field filters that none of records has, when an absent field fails the filter
    (every op but `!=`): `http.status>=500` on logs whose field is `status` matches nothing, and the reason
    is the key, not the data. Stops reading records once every key was seen."""
    missing = {f.key for f in query.filters if f.key not in RECORD_KEYS and f.op != "!="}
    for record in records:
        if not missing:
            break
        missing.difference_update(record.fields.keys())
    return sorted(missing)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _compare(a: Any, op: str, b: Any) -> bool:
    return {
        "=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b,
    }[op]


@dataclass(frozen=True)
class Query:
    """One search. An empty pattern matches every record."""

    pattern: str = ""
    mode: Mode = Mode.IGNORE_CASE
    min_level: Level | None = None
    since: datetime | None = None
    until: datetime | None = None
    filters: tuple[FieldFilter, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.mode is Mode.REGEX and self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise QueryError(f"bad regex {self.pattern!r}: {exc}") from None

    @classmethod
    def from_text(cls, text: str, mode: Mode = Mode.IGNORE_CASE, **extra: Any) -> Query:
        """A search box's text: `key=value`-like tokens are field filters, the rest is the pattern."""
        words: list[str] = []
        filters: list[FieldFilter] = []
        for token in text.split():
            match = _FILTER.match(token)
            if match and match.group(1) != "" and not token.startswith(("http:", "https:")):
                filters.append(FieldFilter.parse(token))
            else:
                words.append(token)
        # keep the user's spacing when nothing was taken out
        pattern = text.strip() if not filters else " ".join(words)
        return cls(pattern=pattern, mode=mode, filters=tuple(filters), **extra)

    @property
    def structured(self) -> bool:
        """True when records must be parsed to decide (level, time or fields), not only the raw text."""
        return bool(self.min_level is not None or self.since or self.until or self.filters)

    def byte_finder(self) -> Callable[[bytes, int], int] | None:
        """A function finding the next candidate position in a buffer of raw bytes, None for 'every line'."""
        if not self.pattern:
            return None
        if self.mode is Mode.LITERAL:
            needle = self.pattern.encode("utf-8")
            return lambda buf, pos: buf.find(needle, pos)
        if self.mode is Mode.IGNORE_CASE and self.pattern.isascii():
            needle = self.pattern.lower().encode("ascii")
            return _lower_finder(needle)
        flags = re.MULTILINE | (re.IGNORECASE if self.mode is Mode.IGNORE_CASE else 0)
        source = self.pattern if self.mode is Mode.REGEX else re.escape(self.pattern)
        rx = _re2(source, self.mode is Mode.IGNORE_CASE) or Budgeted(source.encode("utf-8"), _regex_flags(flags))

        def find(buf: bytes, pos: int) -> int:
            match = rx.search(buf, pos)
            return -1 if match is None else match.start()

        return find

    def text_matcher(self) -> Callable[[str], bool]:
        """Whether a decoded line or record text matches the pattern."""
        if not self.pattern:
            return lambda _text: True
        if self.mode is Mode.LITERAL:
            return lambda text: self.pattern in text
        if self.mode is Mode.IGNORE_CASE:
            needle = self.pattern.casefold()
            return lambda text: needle in text.casefold()
        rx = compile_text(self.pattern, re.MULTILINE)
        return lambda text: rx.search(text) is not None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the pattern matches in text, for highlighting."""
        if not self.pattern:
            return []
        if self.mode is Mode.REGEX:
            rx = compile_text(self.pattern)
            if isinstance(rx, Budgeted):  # drawn on the UI thread: a line it cannot settle quickly is not highlighted
                try:
                    found = rx.finditer(text, timeout=min(0.05, rx._budget()))
                except RegexTimeout:
                    return []
                return [(m.start(), m.end()) for m in found if m.end() > m.start()][:200]
        else:
            rx = re.compile(re.escape(self.pattern), re.IGNORECASE if self.mode is Mode.IGNORE_CASE else 0)
        return [(m.start(), m.end()) for m in rx.finditer(text) if m.end() > m.start()][:200]

    def accepts(self, record: LogRecord) -> bool:
        """The structured part of the query (level, time, fields) on a parsed record. A record of unknown
        level passes only the loosest level filters (see `record.UNKNOWN_KEPT_FROM`)."""
        if self.min_level is not None and not level_passes(record.level, self.min_level):
            return False
        if self.since and (record.timestamp is None or record.timestamp < self.since):
            return False
        if self.until and (record.timestamp is None or record.timestamp > self.until):
            return False
        return all(f.matches(record) for f in self.filters)

    def level_prefilter(self, keyed: bool = False) -> re.Pattern[bytes] | None:
        """Raw-byte test that every line of level >= min_level passes (for formats naming their level).
        `keyed`: JSON and logfmt, whose level is the value of a level key (`"level":"error"`, `level=50`),
        so only such a key followed by a passing value is a candidate, not any number on the line."""
        if self.min_level is None:
            return None
        if keyed:
            passing = sorted((n for n, lv in level_names().items() if lv >= self.min_level), key=len, reverse=True)
            numbers = [str(n) for n in range(100) if (lv := parse_level(n)) is not None and lv >= self.min_level]
            value = (r'"?(?:' + "|".join(re.escape(n) for n in passing) + r')\b"?|(?:' + "|".join(numbers) + r")\b|\d{3,}")
            key = r'"?(?:log\.level|levelname|level|severity_text|severity|lvl|loglevel|log_level)"?\s*[:=]\s*'
            source = key + "(?:" + value + ")"
            return _re2(source, True) or re.compile(source.encode(), re.IGNORECASE)  # RE2: 10x faster here
        names = sorted({n for n, lv in level_names().items() if lv >= self.min_level and len(n) > 1}, key=len, reverse=True)
        return re.compile(rb"(?i)(" + b"|".join(re.escape(n.encode()) for n in names) + rb"|\b[4-6]\d\b|\b[0-4]\b)")


_PLAIN_VALUE = re.compile(r"[\w.:@/-]+")


def field_finder(filters: Iterable[FieldFilter]) -> Callable[[bytes, int], int] | None:
    """A byte finder of the lines that may pass every field filter, for JSON and logfmt lines, whose keys
    and values are text of the line itself; None when no filter narrows (only `!=`, level, message, source).

    A filter that fails on a record without its key (every op but `!=`) needs the key's last dotted part on
    the line (`status_code` for `http.response.status_code`, written nested or dotted); `key=word` needs the
    word itself (JSON and logfmt escape none of `[\\w.:@/-]` but `/`, which JSON may write `\\/`: such a
    value is looked for by its key). A number is looked for by its key, as `500` may be written `500.0`, and
    for `>`, `>=` and `=` by its key followed by a number that may pass (number_pattern), as most lines may
    have the key. The longest needle is searched: a superset of the hits, each then parsed and tested whole."""
    words: list[tuple[bytes, bool]] = []  # values looked for as they are written
    keys: list[tuple[bytes, bool]] = []  # keys, for filters on numbers or patterns
    numeric: list[str] = []  # a key with a number that may pass (number_pattern)
    for f in filters:
        if f.op == "!=" or f.key in RECORD_KEYS:
            continue
        value = f.value
        if f.op == "=" and _PLAIN_VALUE.fullmatch(value) and "/" not in value and _as_number(value) is None:
            words.append((value.encode(), value.lower() in ("true", "false")))
            continue
        key = f.key.rsplit(".", 1)[-1]
        if key.isascii() and key:
            keys.append((key.encode(), False))
            pattern = number_pattern(key, f.op, value)
            if pattern is not None:
                numeric.append(pattern)
    if numeric and not words:  # not the key alone, which a key on every line (`status>=500`) would make useless
        return regex_finder(numeric[0])
    needles = words + keys
    if not needles:
        return None
    needle, fold = max(needles, key=lambda item: len(item[0]))
    if fold:
        return _lower_finder(needle.lower())
    return lambda buf, pos: buf.find(needle, pos)


def number_pattern(key: str, op: str, value: str) -> str | None:
    """A regex (RE2's syntax) of the JSON or logfmt text `key: NUMBER` (`"status": 503`, `"http.status":"503"`,
    `status=503`) whose number may pass `key OP value`, for `>`, `>=` at least 1 and `=` of a whole number:
    a superset (each hit is then parsed and tested whole), so a filter on a key every line has (`status>=500`)
    parses only the lines with a big enough number instead of every record. None for other filters.

    The number's whole part decides: longer than the bound's, or as long and not smaller digit by digit (a
    fraction can only add); spellings float() reads that this cannot judge (an exponent, `1_000`, `inf`)
    are always hits."""
    bound = _as_number(value)
    if bound is None or not math.isfinite(bound) or bound < 1 or op not in (">", ">=", "="):
        return None
    if op == "=" and bound != int(bound):
        return None
    whole = str(int(bound))
    if op == "=":
        digits = [f"{whole}(?:[^0-9]|$)"]
    else:
        digits = [f"[1-9][0-9]{{{len(whole)},}}", whole]
        for k, c in enumerate(whole):
            if c != "9":
                digits.append(f"{whole[:k]}[{int(c) + 1}-9][0-9]{{{len(whole) - k - 1}}}")
    odd = r"[0-9.]*[0-9][eE]|[0-9]+_|[iI][nN][fF]"
    return (r'(?:^|[^\w\n-])"?' + re.escape(key) + r'"?[ \t]*[:=][ \t]*"?[ \t+]*(?:0*(?:'
            + "|".join(digits) + ")|" + odd + ")")


def regex_finder(source: str) -> Callable[[bytes, int], int]:
    """A byte finder for a regex (multi-line mode): RE2 when it takes the syntax, else the budgeted engine."""
    rx = _re2(source, False) or Budgeted(source.encode("utf-8"), _regex_flags(re.MULTILINE))

    def find(buf: bytes, pos: int) -> int:
        match = rx.search(buf, pos)
        return -1 if match is None else match.start()

    return find


def level_counter(source: str, min_level: Level):
    """The level scan compiled for counting: RE2 when few lines pass (warn and worse: it skips non-matching
    text fastest), Python's re when most do (its findall builds a list of many hits faster than RE2's)."""
    return (_re2(source, False) if min_level >= Level.WARN else None) or re.compile(source.encode("utf-8"), re.MULTILINE)


def _re2(source: str, ignore_case: bool):
    """The pattern compiled by RE2 (google-re2, about 1.7x faster on raw scans) when it is installed and
    the pattern is in RE2's syntax (no backreferences or lookaround); None to use Python's re."""
    try:
        import re2
    except ImportError:
        return None
    options = re2.Options()
    options.log_errors = False  # RE2 would print parse errors on stderr, under the TUI
    try:
        return re2.compile(("(?m)" + ("(?i)" if ignore_case else "") + source).encode("utf-8"), options)
    except Exception:  # RE2 rejects this syntax (re2.error and friends): Python's re takes it instead
        return None


def _lower_finder(needle: bytes) -> Callable[[bytes, int], int]:
    cache: list[bytes | None] = [None, None]

    def find(buf: bytes, pos: int) -> int:
        if cache[0] is not buf:
            cache[0], cache[1] = buf, buf.lower()  # ASCII-only lowering keeps every offset
        return cache[1].find(needle, pos)

    return find


__all__ = ["Budgeted", "FieldFilter", "Mode", "Query", "QueryError", "RegexTimeout", "compile_text", "unknown_fields"]
