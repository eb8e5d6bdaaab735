"""The common model of remote metrics: series, fleet rows, time ranges and the source protocol.

Prometheus and InfluxDB sources both return these, so the CLI and the Metrics pane render one shape.
"""

from __future__ import annotations

import math
import re
import time
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from mlops_tui.sources.timespec import format_duration

MAX_POINTS = 11_000  # Prometheus refuses more points per series in one range query
MIN_STEP = 1.0

NICE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def choose_step(span: float, width: int, minimum: float = MIN_STEP) -> float:
    """A round step (15s, 30s, 1m, 5m...) giving at most about `width` points over span.

    Round steps keep evaluation times on scrape boundaries; never more than MAX_POINTS points.
    """
    width = max(1, min(width, MAX_POINTS - 1))
    raw = max(minimum, span / width)
    step = float(next((s for s in NICE_STEPS if s >= raw), math.ceil(raw)))
    while span / step + 1 > MAX_POINTS:
        step += 1
    return step


@dataclass(frozen=True)
class TimeRange:
    """A window [end - span, end]; end None means "now" and follows the clock."""

    span: float = 3600.0
    end: float | None = None

    PRESETS = (900.0, 3600.0, 21600.0, 86400.0)

    def bounds(self, clock: Callable[[], float] = time.time) -> tuple[float, float]:
        end = self.end if self.end is not None else clock()
        return end - self.span, end

    def label(self) -> str:
        text = f"last {format_duration(self.span)}"
        if self.end is not None:
            text += f" to {time.strftime('%H:%M:%S', time.localtime(self.end))}"
        return text

    def zoom(self, factor: float) -> TimeRange:
        """Zoom out (factor > 1) or in (< 1) around the window's centre; never below a minute."""
        span = max(60.0, self.span * factor)
        if self.end is None:
            return TimeRange(span)
        centre = self.end - self.span / 2
        return TimeRange(span, centre + span / 2)

    def pan(self, fraction: float, clock: Callable[[], float] = time.time) -> TimeRange:
        """Move by fraction of the span (negative: into the past); reaching now follows the clock again."""
        end = (self.end if self.end is not None else clock()) + fraction * self.span
        return TimeRange(self.span, None if end >= clock() else end)

    def next_preset(self) -> TimeRange:
        bigger = [p for p in self.PRESETS if p > self.span]
        return TimeRange(bigger[0] if bigger else self.PRESETS[0])


@dataclass
class RemoteSeries:
    """One labelled series: timestamps (epoch seconds) and float values, kept in compact arrays."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    times: array = field(default_factory=lambda: array("d"))
    values: array = field(default_factory=lambda: array("d"))

    def append(self, at: float, value: float) -> None:
        self.times.append(at)
        self.values.append(value)

    def __len__(self) -> int:
        return len(self.values)

    def last(self) -> float | None:
        return self.values[-1] if self.values else None

    def legend(self, template: str = "") -> str:
        """The legend from a template like {{instance}}, or name{labels}."""
        if template:
            return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: self.labels.get(m.group(1), ""), template)
        inner = ",".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()) if k != "__name__")
        return f"{self.name}{{{inner}}}" if inner else self.name

    def to_json(self) -> dict:
        return {"name": self.name, "labels": dict(self.labels),
                "points": [[t, None if math.isnan(v) else v] for t, v in zip(self.times, self.values)]}


# Columns of the fleet table: key, heading, unit.
FLEET_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("cpu", "CPU", "%"),
    ("mem", "Mem", "%"),
    ("disk", "Disk", "%"),
    ("disk_busy", "Busy", "%"),
    ("net_rx", "Net rx", "B/s"),
    ("net_tx", "Net tx", "B/s"),
    ("load1", "Load1", ""),
)


@dataclass
class HostRow:
    """One host of the fleet table: latest values by FLEET_COLUMNS key, health and when last seen."""

    host: str
    source: str
    values: dict[str, float | None] = field(default_factory=dict)
    health: str = "unknown"  # up, down, stale, unknown
    last_seen: float | None = None
    reason: str = ""

    def to_json(self) -> dict:
        return {"host": self.host, "source": self.source, "health": self.health, "last_seen": self.last_seen,
                "reason": self.reason, "values": dict(self.values)}


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: what to query and how to label it (host charts and user panels alike)."""

    title: str
    query: str
    unit: str = ""
    legend: str = ""
    warning: float | None = None
    critical: float | None = None


class RemoteSource(Protocol):
    """A remote metric backend: Prometheus or InfluxDB (InfluxQL or Flux)."""

    name: str
    kind: str

    def range_query(self, query: str, start: float, end: float, step: float,
                    variables: Mapping[str, str] | None = None) -> list[RemoteSeries]: ...

    def fleet(self, at: float | None = None) -> list[HostRow]: ...

    def host_charts(self, host: str) -> list[ChartSpec]: ...

    def variable_values(self, key: str) -> list[str]: ...

    def close(self) -> None: ...
