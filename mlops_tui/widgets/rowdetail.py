"""The selected row of a table in full, wrapped, under the table: the columns a narrow terminal cuts (an
alert's detail, the reason a server is down, a failed notification) stay readable at 80 columns, as in
k9s' describe line. Every cell is shown literally; the last column (the detail, the event) gets lines of
its own."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, Static

from mlops_tui.widgets.text import literal


def describe(table: DataTable) -> Text:
    """The cursor row of table as `Label value · Label value` then its last cell on the next lines; empty
    when the table has no rows."""
    if not table.row_count or table.cursor_row is None or not 0 <= table.cursor_row < table.row_count:
        return Text()
    cells = table.get_row_at(table.cursor_row)
    labels = [column.label.plain for column in table.ordered_columns]
    plain = [cell.plain if isinstance(cell, Text) else str(cell) for cell in cells]
    head = Text(" · ").join(Text.assemble((f"{label} ", "dim"), literal(value))
                            for label, value in zip(labels[:-1], plain[:-1]) if value)
    tail = literal(plain[-1], "bold" if isinstance(cells[-1], Text) and "bold" in str(cells[-1].style) else "")
    if not head:
        return tail
    return Text("\n").join([head, tail]) if plain[-1] else head


class RowDetail(Static):
    """Shows `describe(table)` of the table it is told about (see `show`)."""

    DEFAULT_CSS = """
    RowDetail { height: auto; max-height: 6; padding: 0 1; border-top: solid $panel-lighten-2; }
    """

    def show(self, table: DataTable) -> None:
        self.update(describe(table))
