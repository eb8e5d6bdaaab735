"""Silences: label matchers in Alertmanager's syntax and a time they hold until.

A silence mutes the alerts whose labels it matches: they are still evaluated, recorded and shown (marked as
silenced), but no notification is sent for them. An alert's labels here are its series' labels plus
`alertname` (the rule's name) and `severity`, as in the messages sent. Matchers are written as Alertmanager's
`amtool silence add` takes them: `alertname="api errors", severity=~"warning|critical", instance!=db1`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlops_tui.sources.timespec import parse_duration

_OPS = ("=~", "!~", "!=", "=")
_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,"]*?)\s*(?:,|$)')


class SilenceError(ValueError):
    """A silence that cannot be read; str() says what is wrong."""


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str
    value: str

    def __post_init__(self) -> None:
        if self.op in ("=~", "!~"):
            try:
                re.compile(self.value)
            except re.error as exc:
                raise SilenceError(f"{self.name}{self.op}: not a regular expression: {exc}") from None

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.name, "")
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        found = re.fullmatch(self.value, value) is not None  # anchored, as in Alertmanager
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'

    def to_json(self) -> list[str]:
        return [self.name, self.op, self.value]

    @classmethod
    def from_json(cls, data: Sequence[str]) -> Matcher:
        return cls(*data)


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """`name="value", other=~"re"` (quotes optional when the value has no comma)."""
    text = text.strip().strip("{}").strip()
    if not text:
        raise SilenceError("no matchers: give at least one, e.g. alertname=\"api errors\"")
    matchers, at = [], 0
    while at < len(text):
        found = _MATCHER.match(text, at)
        if found is None or found.end() == at:
            raise SilenceError(f"not a matcher at {text[at:at + 30]!r}: write name=value, name!=value, "
                               "name=~regex or name!~regex, separated by commas")
        name, op, value = found.groups()
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        matchers.append(Matcher(name, op, value))
        at = found.end()
    return tuple(matchers)


def parse_silence(text: str) -> tuple[float, tuple[Matcher, ...]]:
    """`DURATION MATCHERS`, as typed in the Alerts pane: `2h alertname="api errors"`."""
    duration, _, rest = text.strip().partition(" ")
    try:
        seconds = parse_duration(duration)
    except ValueError as exc:
        raise SilenceError(f"{exc}; start with how long, e.g. 1h") from None
    return seconds, parse_matchers(rest)


def alert_labels(rule: str, severity: str, labels: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The labels silences match against, as the messages carry them."""
    return {"alertname": rule, "severity": severity, **dict(labels)}


@dataclass(frozen=True)
class Silence:
    id: int
    created: float
    until: float
    matchers: tuple[Matcher, ...]
    by: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(m.matches(labels) for m in self.matchers)

    @property
    def text(self) -> str:
        return ", ".join(map(str, self.matchers))
