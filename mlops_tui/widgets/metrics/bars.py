"""Gauges and per-core bars. Warning/critical show through CSS classes and component classes."""

from __future__ import annotations

import math

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from mlops_tui.widgets.lines import CachedBaseStyle
from mlops_tui.widgets.text import sanitize

EIGHTHS = " ▁▂▃▄▅▆▇█"
FULL, EMPTY = "█", "░"


def level(value: float | None, warning: float, critical: float) -> str:
    """'critical', 'warning' or 'ok' for a value against its thresholds."""
    if value is None:
        return "ok"
    if value >= critical:
        return "critical"
    return "warning" if value >= warning else "ok"


def bar(fraction: float, width: int) -> tuple[str, str]:
    """(filled, empty) parts of a horizontal bar of `width` cells, with eighth-cell resolution at the edge."""
    if width <= 0:
        return "", ""
    fraction = 0.0 if fraction is None or math.isnan(fraction) else max(0.0, min(1.0, fraction))
    eighths = round(fraction * width * 8)
    full, part = divmod(eighths, 8)
    filled = FULL * full + (" ▏▎▍▌▋▊▉"[part] if part else "")
    return filled, EMPTY * (width - len(filled))


class Gauge(CachedBaseStyle, Widget):
    """One line: label, bar, value text. Classes -warning/-critical colour the bar."""

    DEFAULT_CSS = """
    Gauge { height: 1; width: 1fr; min-width: 16; }
    Gauge > .gauge--bar { color: $success; }
    Gauge > .gauge--empty { color: $panel-lighten-2; }
    Gauge > .gauge--label { color: $text-muted; }
    Gauge.-warning > .gauge--bar { color: $warning; }
    Gauge.-critical > .gauge--bar { color: $error; text-style: bold; }
    Gauge.-unknown > .gauge--label { text-style: italic; }
    """
    COMPONENT_CLASSES = {"gauge--bar", "gauge--empty", "gauge--label"}

    def __init__(self, label: str, label_width: int = 5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.label_width = label_width
        self.percent: float | None = None
        self.text = "-"

    def set(self, percent: float | None, text: str, warning: float, critical: float, label: str | None = None,
            judged: float | None = None) -> None:
        """Show percent as the bar and text after it; `judged` (default: percent) is what the thresholds rate."""
        changed = (percent, text, label or self.label) != (self.percent, self.text, self.label)
        self.percent, self.text = percent, text
        if label is not None:
            self.label = label
        state = level(percent if judged is None else judged, warning, critical)
        self.set_class(state == "warning", "-warning")
        self.set_class(state == "critical", "-critical")
        self.set_class(percent is None, "-unknown")
        if changed:
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        label = sanitize(self.label)[: self.label_width].ljust(self.label_width)
        value = f" {self.text}"
        bar_width = max(0, width - len(label) - len(value) - 1)
        filled, empty = bar((self.percent or 0.0) / 100.0, bar_width)
        base = self.base_style
        return Strip([
            Segment(label + " ", base + self.component_style("gauge--label")),
            Segment(filled, base + self.component_style("gauge--bar")),
            Segment(empty, base + self.component_style("gauge--empty")),
            Segment(value, base),
        ]).crop_extend(0, width, base)


class CoreBars(CachedBaseStyle, Widget):
    """Every core's busy percent, as compact as needed: labelled bars when they fit in a few rows, else one
    cell per core (eighth-block height), so 64 cores take one row at 80 columns and 128 take two."""

    DEFAULT_CSS = """
    CoreBars { height: auto; width: 1fr; }
    CoreBars > .corebars--ok { color: $success; }
    CoreBars > .corebars--warning { color: $warning; }
    CoreBars > .corebars--critical { color: $error; }
    CoreBars > .corebars--label { color: $text-muted; }
    CoreBars > .corebars--empty { color: $panel-lighten-2; }
    """
    COMPONENT_CLASSES = {"corebars--ok", "corebars--warning", "corebars--critical", "corebars--label",
                         "corebars--empty"}
    CELL_WIDTHS = (26, 20, 13)
    """Widths tried for a labelled cell, widest first."""
    max_labelled_rows = 2
    """Beyond this many rows of labelled cells, cores are drawn one cell each."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.values: list[float | None] = []
        self.warning, self.critical = 75.0, 90.0

    def set_values(self, values: list[float | None], warning: float, critical: float) -> None:
        values = list(values)
        if (values, warning, critical) == (self.values, self.warning, self.critical):
            return
        resize = len(values) != len(self.values)
        self.values, self.warning, self.critical = values, warning, critical
        self.refresh(layout=resize)

    def _layout(self, width: int) -> tuple[str, int, int]:
        """('labelled', cell width, columns) or ('cells', 1, cores per row)."""
        count = max(1, len(self.values))
        for cell in self.CELL_WIDTHS:
            columns = max(1, width // cell)
            if -(-count // columns) <= self.max_labelled_rows and width >= cell:
                return "labelled", cell, columns
        digits = len(str(count - 1))
        return "cells", 1, max(1, width - digits - 2)

    def get_content_height(self, container, viewport, width: int) -> int:
        if not self.values:
            return 1
        _, _, columns = self._layout(width)
        return -(-len(self.values) // columns)

    def _style(self, value: float | None) -> Style:
        return self._level_style(level(value, self.warning, self.critical))

    def _level_style(self, name: str) -> Style:
        return self.component_style(f"corebars--{name}")

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if not self.values:
            return Strip([Segment("cores: waiting for the first sample"[:width], self.base_style)])
        mode, cell, columns = self._layout(width)
        start = y * columns
        chunk = self.values[start:start + columns]
        if not chunk:
            return Strip.blank(width, self.base_style)
        label_style = self.component_style("corebars--label")
        empty_style = self.component_style("corebars--empty")
        digits = len(str(len(self.values) - 1))
        segments: list[Segment] = []
        if mode == "cells":
            segments.append(Segment(f"{start:>{digits}} ▕", label_style))
            run: list[str] = []
            run_level = ""
            for value in chunk:  # one segment per run of cores at the same level, not one per core
                char = "?" if value is None else EIGHTHS[max(1, round(max(0.0, min(100.0, value)) / 100 * 8))]
                value_level = level(value, self.warning, self.critical)
                if value_level != run_level and run:
                    segments.append(Segment("".join(run), self._level_style(run_level)))
                    run = []
                run_level = value_level
                run.append(char)
            if run:
                segments.append(Segment("".join(run), self._level_style(run_level)))
            segments.append(Segment("▏", label_style))
        else:
            for offset, value in enumerate(chunk):
                number = f"{start + offset:>{digits}} "
                shown = "  ?%" if value is None else f"{value:>3.0f}%"
                bar_width = cell - len(number) - len(shown) - 2
                filled, empty = bar((value or 0.0) / 100.0, bar_width)
                segments += [Segment(number, label_style), Segment(filled, self._style(value)),
                             Segment(empty, empty_style), Segment(f" {shown} ", self.base_style)]
        return Strip(segments).crop_extend(0, width, self.base_style)
