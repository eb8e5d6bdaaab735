"""`?`: every key binding of the current pane and of the app."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from mlops_tui.widgets.text import sanitize


class HelpScreen(ModalScreen[None]):
    """A table of keys, actions and binding ids (ids are what `ui.keymap` remaps)."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $primary;
                                  background: $surface; padding: 0 1; }
    HelpScreen #help-title { text-style: bold; padding-bottom: 1; }
    HelpScreen DataTable { height: auto; }
    """

    def __init__(self, title: str, rows: Iterable[tuple[str, str, str, str]]) -> None:
        super().__init__()
        self.help_title = title
        self.rows = list(rows)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(sanitize(self.help_title)), id="help-title")
            table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True, id="help-table")
            table.add_columns("Key", "Action", "Where", "Binding id")
            for row in self.rows:
                table.add_row(*row)
            yield table

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
