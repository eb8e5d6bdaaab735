"""SVG snapshots at 80x24 of the Alerts pane's History and Backends views, clock frozen (times shown in UTC).

The History view reads a real history file written with fixed times; the Backends view shows the rows
`read_backends` makes of Prometheus' and Alertmanager's answers (tests/alerts/test_backends.py reads them from
the real servers) and a server that is down, with the view's clock frozen at NOW. The views' tables are shown
as the pane shows them, under the pane's view tabs."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.app import App, ComposeResult

from mlops_tui.sources.alerts.backends import BackendItem
from mlops_tui.sources.alerts.history import AlertHistory, Notification
from mlops_tui.sources.alerts.rules import AlertState, Change
from mlops_tui.widgets.alerts import AlertsPane
from mlops_tui.widgets.alerts.backends import BackendsTable
from mlops_tui.widgets.alerts.history import HistoryTable
from mlops_tui.widgets.viewtabs import ViewTabs

NOW = 1_780_000_000.0  # 2026-05-28 20:26:40 UTC
P, F, I = AlertState.PENDING, AlertState.FIRING, AlertState.INACTIVE


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


class ViewApp(App):
    def __init__(self, view: str, table, loaded) -> None:
        super().__init__()
        self.view, self.table, self.loaded = view, table, loaded

    def compose(self) -> ComposeResult:
        yield ViewTabs(AlertsPane.VIEWS, active=self.view, hint="v switches")
        yield self.table(id="view")

    def on_mount(self) -> None:
        self.query_one("#view").post_message(self.loaded)


def test_history_view_80x24(snap_compare, tmp_path: Path):
    history = AlertHistory(tmp_path / "alerts.sqlite")
    team = (("team", "ml"),)
    history.record_changes([
        Change("api errors", team, I, P, NOW - 3600, 5.0),
        Change("api errors", team, P, F, NOW - 3300, 7.0),
        Change("gpu memory", (("gpu", "0"),), I, F, NOW - 1800, 0.97),
        Change("api errors", team, F, I, NOW - 600, 1.0),
    ])
    history.record_notification(Notification(NOW - 3290, "slack", "api errors", "firing", 1, True, 1, ""))
    history.record_notification(Notification(NOW - 1790, "pager", "gpu memory", "firing", 1, False, 3,
                                             "HTTP 503 from https://sms.example/…/Messages.json"))
    history.record_notification(Notification(NOW - 590, "slack", "api errors", "resolved", 1, True, 1, ""))
    loaded = HistoryTable.Loaded(history.changes(NOW - 24 * 3600), history.notifications(NOW - 24 * 3600))
    history.close()
    assert snap_compare(ViewApp("alerts-history", HistoryTable, loaded), terminal_size=(80, 24))


def test_backends_view_80x24(snap_compare, monkeypatch):
    from mlops_tui.widgets.alerts import backends

    monkeypatch.setattr(backends, "time", SimpleNamespace(time=lambda: NOW))  # this view's clock only
    items = [  # as read_backends words them (see test_backends.py)
        BackendItem("prometheus prod", "rule", "firing", "always firing", None, "vector(1) > 0"),
        BackendItem("prometheus prod", "rule", "inactive", "never", None, "vector(1) < 0"),
        BackendItem("prometheus prod", "alert", "firing", "always firing", NOW - 5400,
                    "value 1e+00  the model server is on fire  severity=warning"),
        BackendItem("alertmanager am", "alert", "suppressed", "disk full", NOW - 5380, "severity=critical"),
        BackendItem("alertmanager am", "silence", "active", 'alertname="disk full"', NOW - 600,
                    "until 2026-05-28T22:26:40.000Z  by dana  resizing the volume"),
    ]
    problems = ["alertmanager backup: cannot connect to http://127.0.0.1:9/ (connection refused)"]
    loaded = BackendsTable.Loaded(items, problems, True)
    assert snap_compare(ViewApp("alerts-backends", BackendsTable, loaded), terminal_size=(80, 24))
