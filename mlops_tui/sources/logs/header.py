"""The "timestamp, then level, then message" format, fitted to one file from a sample of its lines.

`header_format(sample, reference)` sniffs where the timestamp is (`timestamps.sniff`) and which column
around it holds a level word (`INFO`, `Warning`, `SEVERE`, `[error]`) or a logcat letter (`V D I W E F`),
then builds one regex for the whole header. A line that does not match it continues the record above
(a traceback, a Java stack trace with `Caused by:` and `... 12 more`). The level is read only from that
column: a word in the message never sets it, and a line without one has an unknown level.

The same regex, with the level alternatives narrowed, finds the records of a level or worse in the raw
bytes (`level_scan`), so a level filter costs about what a text search does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mlops_tui.sources.logs.record import Level, level_names, level_passes, parse_level
from mlops_tui.sources.logs.timestamps import END, GLOG_LEVELS, Stamp, sniff

_WORDS = {name: level for name, level in level_names().items() if len(name) >= 3}
_LETTERS = {"V": Level.TRACE, "D": Level.DEBUG, "I": Level.INFO, "W": Level.WARN, "E": Level.ERROR, "F": Level.CRITICAL}
_TOKEN = re.compile(r"[\[<(]*([A-Za-z]+)[\]>):,|]*")
_OPEN, _CLOSE = r"[\[<(]*", r"[\]>):,|]*"
_LEAD = re.compile(r"^[\s\-:|,\]]+")
_MAX_COLUMNS = 6

# Names given to a fitted format when its lines look like a system people know by name.
_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("logcat", re.compile(r"^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+\d+\s+\d+ [VDIWEF] ")),
    ("windows-cbs", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \w+\s+(?:CBS|CSI|DISM|DPX)\s")),
    ("hdfs", re.compile(r"^\d{6} \d{6} \d+ [A-Z]+ ")),
    ("zookeeper", re.compile(r"^\S+ \S+ (?:\[myid:\d*\] )?- [A-Z]+ +\[")),
    ("openstack", re.compile(r"^\S+\.log\S* \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \d+ [A-Z]+ ")),
    ("bgl-ras", re.compile(r"^\S+ \d{10} \d{4}\.\d\d\.\d\d \S+ \d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.\d+ \S+ RAS ")),
    ("hpc", re.compile(r"^\d+ \S+ \S+ \S+ \d{10} \d+ ")),
    ("proxifier", re.compile(r"^\[\d\d\.\d\d \d\d:\d\d:\d\d\] \S+ (?:\*\d+ )?- ")),
    ("healthapp", re.compile(r"^\d{8}-\d\d:\d\d:\d\d:\d+\|")),
)


@dataclass(frozen=True)
class Header:
    """Where a file's lines keep their timestamp and level."""

    stamp: Stamp
    letters: bool = False  # the level is a logcat letter, not a word
    side: str = ""  # "before" or "after" the timestamp, "stamp" when it starts it (glog); "" when the lines have none
    column: int = 0  # the level's column, counted from the line start (before) or from the timestamp's end (after)

    def _level_alternatives(self, levels: Sequence[str] | None = None) -> str:
        if self.letters:
            chosen = [k for k, v in _LETTERS.items() if levels is None or k in levels]
            return "[" + "".join(chosen) + "]" if chosen else "(?!)"
        names = sorted(_WORDS if levels is None else levels, key=len, reverse=True)
        return "(?i:" + "|".join(re.escape(n) for n in names) + ")" if names else "(?!)"

    def regex(self, levels: Sequence[str] | None = None, named: bool = True) -> str:
        """The header regex; `levels` narrows the level alternatives (for scanning raw bytes)."""
        g = (lambda name: f"(?P<{name}>") if named else (lambda _name: "(?:")
        shape = self.stamp.shape.regex
        if self.side == "stamp" and levels is not None:  # glog: the level letter is the stamp's first character
            shape = shape.replace(GLOG_LEVELS, self._level_alternatives(levels), 1)
        stamp = f"{g('ts')}{shape})" if named else f"(?:{_uncaptured(shape)})"
        level = f"{_OPEN}{g('level')}{self._level_alternatives(levels)}){_CLOSE}"
        if self.side == "before":
            after = self.stamp.column - self.column - 1
            return (rf"^(?:\S+\s+){{{self.column}}}(?:{level}|\S+)\s+(?:\S+\s+){{{after}}}[\[(]?{stamp}{END}[\])]?")
        head = rf"^{self.stamp.prefix}{stamp}{END}[\])]?"
        if self.side == "after":
            head += rf"(?:\s*(?:\S+\s+){{{self.column}}}{level}(?=\s|$))?"
        return head

    def scan(self, min_level: Level) -> str:
        """A regex matching exactly the record-start lines whose level passes `min_level` (unknown included
        at the loosest filters, as `level_passes` says), for raw-byte scanning."""
        names = _LETTERS if self.letters else _WORDS
        passing = [n for n, lv in names.items() if level_passes(lv, min_level)]
        if self.side == "stamp":
            return self.regex(passing, named=False)
        base = self.regex(named=False)
        if not self.side:
            return base if level_passes(None, min_level) else "(?!)"
        any_level = f"{_OPEN}{self._level_alternatives()}{_CLOSE}"
        chosen = f"{_OPEN}{self._level_alternatives(passing)}{_CLOSE}"
        if self.side == "before":
            after = self.stamp.column - self.column - 1
            shape = _uncaptured(self.stamp.shape.regex)
            tail = rf"\s+(?:\S+\s+){{{after}}}[\[(]?(?:{shape}){END}"
            start = rf"^(?:\S+\s+){{{self.column}}}"
            known = rf"{start}{chosen}{tail}"
            if level_passes(None, min_level):
                return rf"{known}|{start}(?!{any_level}\s)\S+{tail}"
            return known
        head = base[: base.rindex("(?:\\s*")]  # the header up to the optional level part
        at = rf"\s*(?:\S+\s+){{{self.column}}}"
        known = rf"{head}{at}{chosen}(?=\s|$)"
        if level_passes(None, min_level):
            return rf"{known}|{head}(?!{at}{any_level}(?=\s|$))"
        return known


def _uncaptured(regex: str) -> str:
    return re.sub(r"\((?!\?)", "(?:", regex)


def _name(sample: Sequence[str]) -> str:
    """A known system's name when most record-start lines look like its, else "text"."""
    for name, rx in _NAMES:
        if sum(1 for line in sample if rx.match(line)) * 2 >= len(sample):
            return name
    return "text"


def fit(sample: Sequence[str], reference: datetime | None = None) -> tuple[Header, str] | None:
    """The header most sample lines share, and a name for it; None when they share no timestamp."""
    lines = [line for line in sample if line.strip()][:200]
    stamp = sniff(lines, reference)
    if stamp is None:
        return None
    rx = re.compile(rf"^({stamp.columns}){stamp.prefix[len(stamp.columns):]}{stamp.shape.regex}{END}[\])]?")
    votes: dict[tuple[bool, str, int], int] = {}
    stamped: list[str] = []
    for line in lines:
        match = rx.match(line)
        if match is None:
            continue
        stamped.append(line)
        before = match.group(1).split()
        after = re.findall(r"\S+", line[match.end():])[:_MAX_COLUMNS]
        for side, tokens in (("before", before), ("after", after)):
            for column, token in enumerate(tokens):
                word = _TOKEN.fullmatch(token)
                if word is None:
                    continue
                text = word.group(1)
                if text.lower() in _WORDS:
                    votes[False, side, column] = votes.get((False, side, column), 0) + 1
                elif text in _LETTERS:
                    votes[True, side, column] = votes.get((True, side, column), 0) + 1
    header = Header(stamp)
    if stamp.shape.name == "glog":
        return Header(stamp, True, "stamp"), "glog"
    if votes:
        (letters, side, column), count = max(votes.items(), key=lambda item: (item[1], not item[0][0], item[0][1] == "after"))
        if count * 5 >= len(stamped) * 3:  # a level column is on (nearly) every line that has one at all
            header = Header(stamp, letters, side, column)
    return header, _name(stamped)


class HeaderParser:
    """Parses lines with a fitted `Header`: timestamp and level from their columns, the rest is the message."""

    def __init__(self, header: Header) -> None:
        self.header = header
        self.rx = re.compile(header.regex())
        self.first = self.rx.groupindex["ts"]  # the shape's own groups follow the ts group
        self.last = self.first + re.compile(header.stamp.shape.regex).groups

    def __call__(self, line: str):
        from mlops_tui.sources.logs.formats import Parsed

        match = self.rx.match(line)
        if match is None:
            return None
        stamp = self.header.stamp.build(match.groups()[self.first: self.last])
        if stamp is None:
            return None
        level_text = match.groupdict().get("level") if self.header.side != "stamp" else match.group(self.first + 1)
        level = None
        if level_text is not None:
            level = _LETTERS[level_text] if self.header.letters else parse_level(level_text)
        rest = line[match.end():] if self.header.side != "before" else line[match.end("ts"):]
        message = _LEAD.sub("", rest.lstrip("])"))
        return Parsed(stamp, level, message, {})
