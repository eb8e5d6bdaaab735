"""The Alerts pane's History view: the last 24 h of state changes and notifications, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message
from textual.widgets import DataTable

from mlops_tui.sources.alerts.board import change_line, notification_line
from mlops_tui.widgets.text import literal


def stamp(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().strftime("%m-%d %H:%M:%S")


class HistoryTable(DataTable):
    """Changes and notification attempts from the history file (failures say why)."""

    @dataclass
    class Loaded(Message):
        changes: list
        notes: list

    def __init__(self, **options) -> None:
        super().__init__(cursor_type="row", **options)
        self.add_columns("Time", "Event")
        self.events: list[tuple[float, str]] = []

    def on_history_table_loaded(self, message: Loaded) -> None:
        events = [(c.at, change_line(c)) for c in message.changes] + \
                 [(n.at, notification_line(n)) for n in message.notes]
        self.events = sorted(events, key=lambda event: event[0])[::-1]  # newest first; a tie: the later written
        row = self.cursor_row  # kept through the refill (the view is read again after every evaluation)
        self.clear()
        for at, line in self.events:
            style = "bold" if "FAILED" in line or "NOT SENT" in line else ""
            self.add_row(literal(stamp(at)), literal(line, style))
        if not self.events:
            self.add_row("", literal("no alert changes in the last 24 h"))
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False)
