"""`?`: the keys of the current pane first, grouped by the widget they belong to, then the app's; the
generic keys of Textual's own widgets (scrolling, cursor moves, text editing) folded at the end."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Collapsible, DataTable, Static

from mlops_tui.widgets.text import sanitize

BASICS = "basics"
"""The section name of Textual's generic widget keys: folded, and listed with the widget, not an id."""

Row = tuple[str, str, str, str]  # key, action, where (section), binding id

BASICS_HEADING = "Widget basics: scrolling, cursor, text input"

MOVES = frozenset({"Up", "Down", "Left", "Right", "Page up", "Page down", "Top", "Bottom", "First process",
                   "Last process", "Scroll left", "Scroll right", "Newest", "Oldest"})
"""Descriptions of a pane's own cursor and scroll keys: listed after the pane's other keys of the widget."""


def own_actions(widget_class: type) -> set[str]:
    """The actions bound in the BINDINGS of widget_class and of its bases that are ours (not Textual's)."""
    actions: set[str] = set()
    for cls in widget_class.__mro__:
        if cls.__module__.startswith("mlops_tui."):
            for binding in cls.__dict__.get("BINDINGS", ()):
                actions.add(binding.action if isinstance(binding, Binding) else binding[1])
    return actions


class HelpScreen(ModalScreen[None]):
    """Sections of keys, actions and binding ids (ids are what `ui.keymap` remaps). The list has the focus:
    arrows, PgUp/PgDn, Home/End scroll it at once."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96%; max-width: 110; height: 92%; border: round $primary;
                                  background: $surface; padding: 0 1; }
    HelpScreen #help-title { text-style: bold; }
    HelpScreen .help-section { text-style: bold; color: $accent; padding-top: 1; }
    HelpScreen DataTable { height: auto; }
    HelpScreen Collapsible { padding: 0; margin-top: 1; border: none; }
    """

    def __init__(self, title: str, sections: Sequence[tuple[str, str, Iterable[Row]]]) -> None:
        """sections: (name, heading, rows); the one named BASICS is folded."""
        super().__init__()
        self.help_title = title
        self.sections = [(name, heading, list(rows)) for name, heading, rows in sections]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text(sanitize(self.help_title)), id="help-title")
            for name, heading, rows in self.sections:
                if not rows:
                    continue
                if name == BASICS:
                    with Collapsible(title=f"{heading} ({len(rows)}, Tab then Enter to unfold)", collapsed=True):
                        yield self._table(name, rows, ("Key", "Action", "Widget"), lambda row: row[:3])
                else:
                    yield Static(Text(sanitize(heading)), classes="help-section")
                    yield self._table(name, rows, ("Key", "Action", "Binding id"), lambda row: (row[0], row[1], row[3]))

    @staticmethod
    def _table(name: str, rows: list[Row], columns: tuple[str, ...], cells) -> DataTable:
        table: DataTable[str] = DataTable(show_cursor=False, zebra_stripes=True, name=name, classes="help-keys")
        table.can_focus = False  # the scrolling list keeps the keys: no Tab needed before the arrows work
        table.add_columns(*columns)
        for row in rows:
            table.add_row(*cells(row))
        return table

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
