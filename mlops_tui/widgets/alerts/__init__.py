"""Alerts pane: every rule's state, evaluated in the background by the data floor's AlertEngine.

Firing first, then pending, then rules that could not be evaluated (error, no data), then the quiet ones; each
alert with its value, since when and its summary. The engine runs in a thread worker every alerts.interval.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.settings.alerts import AlertsSettings
from mlops_tui.sources.alerts.engine import AlertEngine, RuleView
from mlops_tui.sources.base import SourceStatus
from mlops_tui.sources.timespec import format_duration, parse_duration
from mlops_tui.widgets.pane import Pane, SourceNote
from mlops_tui.widgets.text import literal

ORDER = {"firing": 0, "pending": 1, "error": 2, "no data": 3, "inactive": 4}


def held(seconds: float) -> str:
    """How long an alert has been in its state, to the minute (the pane refreshes every alerts.interval)."""
    return "<1m" if seconds < 60 else format_duration(seconds // 60 * 60)


def rows(views: list[RuleView], now: float) -> list[tuple[str, ...]]:
    """One row per alert of a rule (a rule without alerts: one row), most urgent first."""
    out: list[tuple[int, tuple[str, ...]]] = []
    for view in views:
        rule = view.rule
        live = [i for i in view.instances if not i.resolved]
        if not live:
            detail = view.reason or f"{rule.expr} {rule.op} {rule.threshold:g}"
            out.append((ORDER[view.state], (view.state, rule.severity, rule.name, "", "", detail)))
            continue
        for instance in live:
            since = instance.fired_at if instance.fired_at is not None else instance.active_at
            labels = " ".join(f"{k}={v}" for k, v in instance.labels)
            detail = "  ".join(part for part in (view.summary(instance), labels) if part)
            out.append((ORDER[instance.state.value], (instance.state.value, rule.severity, rule.name,
                                                      f"{instance.value:g}", held(now - since),
                                                      detail or f"{rule.expr} {rule.op} {rule.threshold:g}")))
    return [row for _, row in sorted(out, key=lambda item: item[0])]


class AlertsPane(Pane):
    """Alert rules over metrics, logs and drift scores, with their state."""

    READS_OTHER_SECTIONS = True
    source_name = "alerts"

    @dataclass
    class Evaluated(Message):
        views: list[RuleView]
        at: float

    def __init__(self, settings: AlertsSettings, all_settings=None, **options) -> None:
        super().__init__(id="alerts-pane")
        self.settings = settings
        self.all_settings = all_settings
        self.engine: AlertEngine | None = None

    def compose(self) -> ComposeResult:
        yield SourceNote(id="alerts-note")
        table: DataTable = DataTable(cursor_type="row", id="alerts-table")
        table.add_columns("State", "Severity", "Rule", "Value", "For", "Detail")
        yield table

    def on_mount(self) -> None:
        if not self.settings.rules or self.all_settings is None:
            status = SourceStatus.absent("alerts", "no alert rules: add alerts.rules to the settings (see configs/mlops-tui.yaml)")
            self.query_one(SourceNote).show(status)
            self.post_message(SourceStatusChanged(status))
            return
        self.evaluate()
        self.set_interval(parse_duration(self.settings.interval), self.evaluate)

    @work(thread=True, exclusive=True, group="alerts", exit_on_error=False, name="alerts.evaluate")
    def evaluate(self) -> None:
        if self.engine is None:
            self.engine = AlertEngine(self.all_settings)
            self.engine.catch_up()
        else:
            self.engine.evaluate()
        self.post_message(self.Evaluated(self.engine.views(), time.time()))

    def on_alerts_pane_evaluated(self, message: Evaluated) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in rows(message.views, message.at):
            table.add_row(*(literal(cell) for cell in row))
        states = [view.state for view in message.views]
        counts = ", ".join(f"{states.count(s)} {s}" for s in ORDER if s in states and s != "inactive")
        broken = [v.rule.name for v in message.views if v.state in ("error", "no data")]
        text = f"{len(states)} rule(s): {counts or 'none firing'}"
        status = (SourceStatus.failing("alerts", f"cannot evaluate {', '.join(broken)}; {text}") if "error" in states
                  else SourceStatus.ok("alerts", text))
        self.query_one(SourceNote).show(status)
        self.post_message(SourceStatusChanged(status))

    def on_unmount(self) -> None:
        if self.engine is not None:
            self.engine.close()
