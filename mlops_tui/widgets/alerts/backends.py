"""The Alerts pane's Backends view: what Prometheus and Alertmanager themselves report (read-only)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual.message import Message
from textual.widgets import DataTable

from mlops_tui.sources.alerts.board import held
from mlops_tui.widgets.text import literal


class BackendsTable(DataTable):
    """Prometheus' alerting rules and alerts, Alertmanager's alerts and silences; a server that cannot be read
    says why in a row of its own, first."""

    @dataclass
    class Loaded(Message):
        items: list
        problems: list[str]
        configured: bool

    def __init__(self, **options) -> None:
        super().__init__(cursor_type="row", **options)
        self.add_columns("Source", "Kind", "State", "Name", "Since", "Detail")

    def on_backends_table_loaded(self, message: Loaded) -> None:
        at = self.cursor_row  # kept through the refill (the view is read again after every evaluation)
        self.clear()
        now = time.time()
        for problem in message.problems:
            self.add_row(literal("error", "bold"), "", "", "", "", literal(problem, "bold"))
        for item in message.items:
            since = held(now - item.since) if item.since is not None else ""
            self.add_row(literal(item.source), literal(item.kind), literal(item.state), literal(item.name),
                         literal(since), literal(item.detail))
        if not message.configured:
            self.add_row("", "", "", "", "", literal("no Prometheus (metrics.prometheus) nor Alertmanager "
                                                     "(alerts.alertmanagers) configured"))
        elif not message.items and not message.problems:
            self.add_row("", "", "", "", "", literal("no alerting rules, alerts or silences on the servers"))
        if self.row_count:
            self.move_cursor(row=min(at, self.row_count - 1), animate=False)
