"""The charts of the Remote view (a host's, or a dashboard's panels), each tied to the source it queries.

Every new set of charts has a new generation: answers fetched for an older set are ignored.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import VerticalScroll
from textual.css.query import NoMatches

from mlops_tui.sources.metrics.remote import ChartSpec, RemoteSeries
from mlops_tui.widgets.metrics.remote.chart import RemoteChart


class ChartGrid(VerticalScroll):
    """Charts by id; `charts` maps each id to (source name, spec)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.generation = 0
        self.charts: dict[str, tuple[str, ChartSpec]] = {}

    def replace(self, items: list[tuple[str, ChartSpec]], missing: Callable[[str], str] = lambda source: "",
                at: float = 0.0) -> None:
        """Show a chart for each (source, spec), in order; an empty list clears the grid. A chart whose source
        is missing (a non-empty reason) says why, as failing since `at`."""
        self.generation += 1
        self.remove_children()
        self.charts = {f"remote-chart-{self.generation}-{i}": item for i, item in enumerate(items)}
        self.mount_all([RemoteChart(spec, id=chart_id) for chart_id, (_, spec) in self.charts.items()])
        for chart_id, (source, _) in self.charts.items():
            if reason := missing(source):
                self.call_after_refresh(self.mark, self.generation, chart_id, reason, at)

    def show(self, generation: int, chart_id: str, series: list[RemoteSeries], start: float, end: float,
             live: bool = True) -> bool:
        """Draw the series fetched for a chart (live: the range ends now); False when they were fetched for an
        older set of charts."""
        if generation != self.generation:
            return False
        if (chart := self.chart(chart_id)) is not None:
            chart.show(series, start, end, live)
        return True

    def mark(self, generation: int, chart_id: str, reason: str, at: float) -> bool:
        """Mark a chart stale (failing when it has no data yet); False when it is of an older set of charts."""
        if generation != self.generation:
            return False
        if (chart := self.chart(chart_id)) is not None:
            chart.mark_stale(reason, at)
        return True

    def mark_source(self, source: str, reason: str, at: float) -> None:
        """Every chart of source is stale."""
        for chart in self.charts_of(source):
            chart.mark_stale(reason, at)

    def chart(self, chart_id: str) -> RemoteChart | None:
        try:
            return self.query_one(f"#{chart_id}", RemoteChart)
        except NoMatches:  # replaced by a newer set of charts
            return None

    def items_of(self, source: str) -> list[tuple[str, ChartSpec]]:
        """(chart id, spec) of the charts that query source."""
        return [(chart_id, spec) for chart_id, (src, spec) in self.charts.items() if src == source]

    def charts_of(self, source: str) -> list[RemoteChart]:
        return [chart for chart_id, _ in self.items_of(source) for chart in [self.chart(chart_id)] if chart is not None]
