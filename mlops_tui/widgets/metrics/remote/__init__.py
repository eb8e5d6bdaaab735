"""Remote metrics: Prometheus and InfluxDB dashboards and the fleet table."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical

from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.widgets.pane import SourceNote


class RemoteMetricsView(Vertical):
    """Fleet table and dashboards over the configured Prometheus/InfluxDB sources."""

    def __init__(self, settings: MetricsSettings, **options) -> None:
        super().__init__(id="remote-metrics")
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield SourceNote()

    def on_mount(self) -> None:
        if not (self.settings.prometheus or self.settings.influxdb):
            self.query_one(SourceNote).show(SourceStatus.absent(
                "metrics.remote", "no remote sources: add metrics.prometheus or metrics.influxdb to the settings"))
