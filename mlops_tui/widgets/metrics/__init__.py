"""Metrics pane: local resources and remote series."""

from __future__ import annotations

from textual.app import ComposeResult

from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.widgets.pane import Pane, SourceNote


class MetricsPane(Pane):
    """Local resources (psutil) and remote Prometheus/InfluxDB dashboards."""

    def __init__(self, settings: MetricsSettings, **kwargs) -> None:
        super().__init__(id="metrics-pane")
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield SourceNote(id="metrics-note")

    def on_mount(self) -> None:
        status = SourceStatus.ok("metrics.local", "psutil sampling")
        self.query_one(SourceNote).show(status)
        self.report(status)
