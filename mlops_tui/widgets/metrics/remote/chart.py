"""A remote chart: title with legend and latest value, a block chart of the series, and its health.

Stale data stays drawn; the title says since when and why it is stale.
"""

from __future__ import annotations

import math
import time

from rich.console import Group
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from mlops_tui.sources.metrics.remote import ChartSpec, RemoteSeries
from mlops_tui.sources.units import format_value
from mlops_tui.widgets.text import sanitize

BLOCKS = " ▁▂▃▄▅▆▇█"
MAX_LEGENDS = 3


def resample(times, values, start: float, end: float, width: int) -> list[float]:
    """The last value falling in each of `width` equal time buckets of [start, end]; NaN where empty."""
    out = [math.nan] * width
    if width <= 0 or end <= start:
        return out
    scale = width / (end - start)
    for at, value in zip(times, values):
        if start <= at <= end and not math.isnan(value):
            out[min(width - 1, int((at - start) * scale))] = value
    return out


def block_rows(columns: list[float], low: float, high: float, height: int) -> list[str]:
    """height text rows drawing each column as a bar of eighth-blocks between low and high."""
    rows = [[" "] * len(columns) for _ in range(height)]
    span = high - low
    for x, value in enumerate(columns):
        if math.isnan(value):
            rows[-1][x] = "·"
            continue
        fraction = 1.0 if span <= 0 else max(0.0, min(1.0, (value - low) / span))
        eighths = max(1, round(fraction * height * 8))
        for row in range(height):
            fill = min(8, eighths - row * 8)
            if fill > 0:
                rows[height - 1 - row][x] = BLOCKS[fill]
    return ["".join(row) for row in rows]


def time_axis(start: float, end: float, width: int, live: bool) -> str:
    """A line of `width` cells under a chart: the start time at the left, the middle, and `now` (or the end
    time of a range in the past) at the right."""
    if width <= 0 or end <= start:
        return " " * max(0, width)
    pattern = "%H:%M" if end - start <= 86400 else "%m-%d %H:%M"
    left = time.strftime(pattern, time.localtime(start))
    right = "now" if live else time.strftime(pattern, time.localtime(end))
    middle = time.strftime(pattern, time.localtime((start + end) / 2))
    line = [" "] * width
    for text, at in ((left, 0), (right, width - len(right)), (middle, (width - len(middle)) // 2)):
        if at < 0 or (text is middle and (at < len(left) + 2 or at + len(middle) > width - len(right) - 2)):
            continue  # no room: the middle label gives way first
        line[at:at + len(text)] = list(text)
    return "".join(line)[:width]


def _last(series: RemoteSeries) -> float | None:
    for value in reversed(series.values):
        if not math.isnan(value):
            return value
    return None


class RemoteChart(Widget):
    """One panel: spec, last good series, and whether they are stale.

    The first series is drawn; the legend gives up to three series with their latest values.
    """

    DEFAULT_CSS = """
    RemoteChart { height: 7; padding: 0 1; border-left: tall $panel; }
    RemoteChart .title { text-style: bold; }
    RemoteChart.-warning { border-left: tall $warning; }
    RemoteChart.-critical { border-left: tall $error; }
    RemoteChart.-stale { border-left: tall $warning; color: $text-muted; }
    RemoteChart.-error { border-left: tall $error; }
    """

    revision = reactive(0, layout=False)

    def __init__(self, spec: ChartSpec, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spec = spec
        self.series: list[RemoteSeries] = []
        self.span: tuple[float, float] = (0.0, 0.0)
        self.loaded = False
        self.stale_reason = ""
        self.stale_at: float | None = None

    live = True
    """The range ends now (the time axis says `now`), not at a time in the past."""

    def show(self, series: list[RemoteSeries], start: float, end: float, live: bool = True) -> None:
        self.series, self.span, self.loaded, self.live = series, (start, end), True, live
        self.stale_reason, self.stale_at = "", None
        last = self.latest()
        warning = self.spec.warning is not None and last is not None and last >= self.spec.warning
        critical = self.spec.critical is not None and last is not None and last >= self.spec.critical
        self.set_class(critical, "-critical")
        self.set_class(warning and not critical, "-warning")
        self.set_class(False, "-stale")
        self.set_class(False, "-error")
        self.revision += 1

    def mark_stale(self, reason: str, at: float) -> None:
        """Keep the last good series, and say why and since when they are not fresh."""
        if self.stale_at is None:
            self.stale_at = at
        self.stale_reason = reason
        self.set_class(self.loaded, "-stale")
        self.set_class(not self.loaded, "-error")
        self.revision += 1

    def latest(self) -> float | None:
        """The latest value of the first series that has one (the one drawn)."""
        for series in self.series:
            value = _last(series)
            if value is not None:
                return value
        return None

    def status_line(self) -> str:
        if self.stale_at is None:
            return ""
        since = time.strftime("%H:%M:%S", time.localtime(self.stale_at))
        label = "stale since" if self.loaded else "failing since"
        return f"{label} {since}: {self.stale_reason}"

    def render(self) -> Group:
        width = max(10, self.content_size.width)
        height = max(1, self.content_size.height - 1)
        head = Text(sanitize(self.spec.title, 60), style="bold")
        if self.series:
            head.append(f"  last {format_value(self.latest(), self.spec.unit)}")
        named = len(self.series) > 1 or self.spec.legend or any(s.labels or s.name != "value" for s in self.series)
        several = len(self.series) > 1  # then each legend carries its series' latest value
        legends = [sanitize(s.legend(self.spec.legend), 40)
                   + (f" {format_value(_last(s), self.spec.unit)}" if several else "")
                   for s in self.series[:MAX_LEGENDS]] if named else []
        if len(self.series) > MAX_LEGENDS:
            legends.append(f"+{len(self.series) - MAX_LEGENDS} more")
        if legends:
            head.append("  " + "  ".join(legends), style="dim")
        head.no_wrap = True
        head.truncate(width, overflow="ellipsis")
        lines: list[Text] = [head]
        status = self.status_line()
        if status:
            lines.append(Text(sanitize(status, 200), style="bold", no_wrap=True, overflow="ellipsis"))
            height -= 1
        if self.series:
            start, end = self.span
            finite = [v for s in self.series for v in s.values if not math.isnan(v)]
            low = 0.0 if not finite or min(finite) >= 0 else min(finite)
            high = 100.0 if self.spec.unit == "%" else (max(finite) if finite else 1.0)
            if high <= low:  # a flat series (all zeros): drawn as a baseline, not as full bars
                high = low + 1.0
            first = self.series[0]
            axis = f" top {format_value(high, self.spec.unit)}"  # the value at the top of the chart
            plot = max(5, width - len(axis))
            columns = resample(first.times, first.values, start, end, plot)
            bars = max(1, height - 1)  # and a row for the time axis
            for index, row in enumerate(block_rows(columns, low, high, bars)):
                lines.append(Text(row + (axis if index == 0 else ""), no_wrap=True, overflow="crop"))
            if height > 1:
                lines.append(Text(time_axis(start, end, plot, self.live), style="dim", no_wrap=True, overflow="crop"))
        elif not status:
            lines.append(Text("loading…" if not self.loaded else "no data in this range", style="dim"))
        return Group(*lines)
