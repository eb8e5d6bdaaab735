"""History drawn from the ring buffers: one sparkline per series, and a zoomed chart of the focused one."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from mlops_tui.sources.units import human_bytes, human_rate
from mlops_tui.sources.metrics.ringbuffer import History
from mlops_tui.widgets.lines import CachedBaseStyle
from mlops_tui.widgets.metrics.bars import EIGHTHS
from mlops_tui.widgets.text import sanitize


@dataclass(frozen=True)
class ChartSeries:
    name: str
    """Key in the History."""
    label: str
    unit: str
    """%, B/s, B or '' (a count)."""


def fmt(value: float | None, unit: str) -> str:
    if value is None or math.isnan(value):
        return "-"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "B/s":
        return human_rate(value)
    if unit == "B":
        return human_bytes(value)
    return f"{value:.0f}"


def spark(values: list[float], low: float, high: float) -> str:
    """One character per value scaled between low and high; '·' where the value is missing."""
    span = high - low
    chars = []
    for value in values:
        if math.isnan(value):
            chars.append("·")
        elif span <= 0:
            chars.append(EIGHTHS[1] if value <= low else EIGHTHS[8])
        else:
            chars.append(EIGHTHS[1 + round(max(0.0, min(1.0, (value - low) / span)) * 7)])
    return "".join(chars)


def scale(series: ChartSeries, values: list[float]) -> tuple[float, float]:
    """Percentages on a fixed 0-100 axis; other units from 0 to their maximum."""
    if series.unit == "%":
        return 0.0, 100.0
    known = [v for v in values if not math.isnan(v)]
    return 0.0, max(known) if known and max(known) > 0 else 1.0


class SeriesList(CachedBaseStyle, Widget):
    """A sparkline row per series; the focused row is highlighted and zoomed by the ZoomChart."""

    DEFAULT_CSS = """
    SeriesList { height: auto; width: 1fr; }
    SeriesList > .serieslist--label { color: $text-muted; }
    SeriesList > .serieslist--spark { color: $accent; }
    SeriesList > .serieslist--focused { background: $boost; color: $primary; text-style: bold; }
    """
    COMPONENT_CLASSES = {"serieslist--label", "serieslist--spark", "serieslist--focused"}
    LABEL = 10
    VALUE = 12

    def __init__(self, history: History, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history = history
        self.series: list[ChartSeries] = []
        self.focused_index = 0

    def set_series(self, series: list[ChartSeries]) -> None:
        resize = len(series) != len(self.series)
        self.series = series
        self.focused_index = min(self.focused_index, max(0, len(series) - 1))
        self.refresh(layout=resize)

    @property
    def focused_series(self) -> ChartSeries | None:
        return self.series[self.focused_index] if self.series else None

    def move(self, step: int) -> None:
        if self.series:
            self.focused_index = (self.focused_index + step) % len(self.series)
            self.refresh()

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.series))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y >= len(self.series):
            return Strip.blank(width, self.base_style)
        series = self.series[y]
        points = max(0, width - self.LABEL - self.VALUE - 2)
        values = self.history.values(series.name, last=points)
        low, high = scale(series, values)
        label = sanitize(series.label)[: self.LABEL - 1].ljust(self.LABEL)
        last = self.history.last(series.name)
        value = fmt(last, series.unit).rjust(self.VALUE)
        line = spark(values, low, high).rjust(points)
        label_style = self.component_style(
            "serieslist--focused" if y == self.focused_index else "serieslist--label")
        segments = [Segment(label, label_style), Segment(line, self.component_style("serieslist--spark")),
                    Segment(" " + value, self.base_style)]
        return Strip(segments).crop_extend(0, width, self.base_style)


class ZoomChart(CachedBaseStyle, Widget):
    """The focused series over the whole visible width: a title with current/min/max, a y axis with units,
    bars with eighth-cell resolution, and an x axis in samples."""

    DEFAULT_CSS = """
    ZoomChart { height: 8; width: 1fr; border-top: solid $panel-lighten-2; }
    ZoomChart > .zoomchart--axis { color: $text-muted; }
    ZoomChart > .zoomchart--bars { color: $accent; }
    ZoomChart > .zoomchart--title { color: $primary; text-style: bold; }
    """
    COMPONENT_CLASSES = {"zoomchart--axis", "zoomchart--bars", "zoomchart--title"}
    AXIS = 11

    def __init__(self, history: History, interval: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history = history
        self.interval = interval
        self.series: ChartSeries | None = None

    def show(self, series: ChartSeries | None) -> None:
        self.series = series
        self.refresh()

    def render_lines_cache(self) -> tuple[list[float], float, float]:
        points = max(1, self.size.width - self.AXIS - 1)
        values = self.history.values(self.series.name, last=points) if self.series else []
        low, high = scale(self.series, values) if self.series else (0.0, 1.0)
        return values, low, high

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        axis_style = self.component_style("zoomchart--axis")
        if self.series is None:
            return Strip([Segment("no series", axis_style)]).crop_extend(0, width, self.base_style) if y == 0 else Strip.blank(width, self.base_style)
        values, low, high = self.render_lines_cache()
        unit = self.series.unit
        if y == 0:
            bounds = self.history.bounds(self.series.name, last=len(values))
            now = self.history.last(self.series.name)
            title = (f"{sanitize(self.series.label)}  now {fmt(now, unit)}  "
                     f"min {fmt(bounds[0] if bounds else None, unit)}  max {fmt(bounds[1] if bounds else None, unit)}")
            return Strip([Segment(title, self.component_style("zoomchart--title"))]).crop_extend(0, width, self.base_style)
        rows = height - 2  # title and x axis
        if y == height - 1:
            span = len(values) * self.interval
            left = f"-{span:.0f}s" if values else ""
            axis = " " * self.AXIS + left.ljust(max(0, width - self.AXIS - 3)) + "now"
            return Strip([Segment(axis, axis_style)]).crop_extend(0, width, self.base_style)
        row = y - 1  # 0 = top
        if row == 0:
            tick = fmt(high, unit)
        elif row == rows - 1:
            tick = fmt(low, unit)
        else:
            tick = ""
        segments = [Segment(tick.rjust(self.AXIS - 1)[: self.AXIS - 1] + "┤", axis_style)]
        chars = []
        span = (high - low) or 1.0
        for value in values:
            if math.isnan(value):
                chars.append(" ")
                continue
            level_eighths = max(0.0, min(1.0, (value - low) / span)) * rows * 8
            from_bottom = rows - 1 - row
            cell = level_eighths - from_bottom * 8
            chars.append(EIGHTHS[8] if cell >= 8 else (EIGHTHS[int(round(cell))] if cell > 0 else " "))
        pad = max(0, width - self.AXIS - len(chars))
        segments.append(Segment(" " * pad + "".join(chars), self.component_style("zoomchart--bars")))
        return Strip(segments).crop_extend(0, width, self.base_style)
