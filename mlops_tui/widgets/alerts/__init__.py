"""Alerts pane: the configured rules."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable

from mlops_tui.settings.alerts import AlertsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.widgets.pane import Pane, SourceNote
from mlops_tui.widgets.text import literal


class AlertsPane(Pane):
    """Alert rules over metrics, logs and drift scores."""

    def __init__(self, settings: AlertsSettings, **options) -> None:
        super().__init__(id="alerts-pane")
        self.settings = settings

    def compose(self) -> ComposeResult:
        yield SourceNote(id="alerts-note")
        table: DataTable = DataTable(cursor_type="row", id="alerts-table")
        table.add_columns("Severity", "Rule", "Watches", "Condition", "For")
        yield table

    def on_mount(self) -> None:
        rules = self.settings.rules
        table = self.query_one(DataTable)
        for rule in rules:
            table.add_row(
                literal(rule.severity), literal(rule.name), literal(rule.kind),
                literal(f"{rule.expr} {rule.op} {rule.threshold:g}"), f"{rule.for_seconds:g}s",
            )
        if rules:
            status = SourceStatus.ok("alerts", f"{len(rules)} rule(s)")
        else:
            status = SourceStatus.absent("alerts", "no alert rules: add alerts.rules to the settings (see configs/mlops-tui.yaml)")
        self.query_one(SourceNote).show(status)
        self.report(status)
