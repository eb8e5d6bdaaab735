"""Ctrl+T: the app's shared time range, as Kibana's global time picker: one range the Logs pane's files and
every cluster view show (a cluster's own `r`/`T` then changes that view alone, until the next shared one).

The range is typed in the house grammar (timespec.parse_range: `3h..1h`, `2026-12-01 10:00..2026-12-01 12:00`,
`30m`); empty clears it. The dialog dismisses with the text typed, or None when cancelled; a text that does
not parse keeps the dialog open and says why.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from mlops_tui.sources.timespec import RANGE_HELP, parse_range
from mlops_tui.widgets.text import sanitize


class TimeRangeScreen(ModalScreen["str | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="app.time_range.cancel")]
    DEFAULT_CSS = """
    TimeRangeScreen { align: center middle; }
    TimeRangeScreen > Vertical { width: 96%; max-width: 100; height: auto; border: round $primary;
        background: $surface; padding: 0 1; }
    TimeRangeScreen .dialog-title { text-style: bold; }
    TimeRangeScreen .dialog-hint { color: $text-muted; }
    TimeRangeScreen #time-range-error { color: $error; display: none; }
    TimeRangeScreen.-error #time-range-error { display: block; }
    TimeRangeScreen #time-range-input { border: none; height: 1; padding: 0 1; background: $boost; }
    """

    def __init__(self, current: str = "") -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Time range of every pane (the Logs pane's files and clusters)"), classes="dialog-title")
            yield Input(value=self.current, placeholder="3h..1h", id="time-range-input")
            yield Static(id="time-range-error")
            yield Static(Text(f"{RANGE_HELP}; empty: no shared range. Enter applies, Esc cancels"),
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text:
            try:
                parse_range(text)
            except ValueError as exc:
                self.query_one("#time-range-error", Static).update(Text(sanitize(f"time range: {exc}", 300)))
                self.add_class("-error")
                return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
