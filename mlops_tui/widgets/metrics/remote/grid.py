"""The charts of the Remote view (a host's, or a dashboard's panels), each tied to the source it queries.

Every new set of charts has a new generation: answers fetched for an older set are ignored.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.css.query import NoMatches

from mlops_tui.sources.metrics.remote import ChartSpec
from mlops_tui.widgets.metrics.remote.chart import RemoteChart


class ChartGrid(VerticalScroll):
    """Charts by id; `charts` maps each id to (source name, spec)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.generation = 0
        self.charts: dict[str, tuple[str, ChartSpec]] = {}

    def replace(self, items: list[tuple[str, ChartSpec]]) -> None:
        """Show a chart for each (source, spec), in order; an empty list clears the grid."""
        self.generation += 1
        self.remove_children()
        self.charts = {f"remote-chart-{self.generation}-{i}": item for i, item in enumerate(items)}
        self.mount_all([RemoteChart(spec, id=chart_id) for chart_id, (_, spec) in self.charts.items()])

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
