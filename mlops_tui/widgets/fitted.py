"""A table whose columns give way in priority order as its width shrinks, instead of being cut at the right
edge: the facts a column of priority 0 holds (a model's stages, a diff's old and new value) stay on screen at
80 columns, and the columns that matter less are left out (the zoom key, `z`, gives them room again).

Each `Column` has a priority (`keep`: 0 is never left out; the highest number goes first) and may be
shrinkable (`shrink`: cut with `…` down to that many cells before any column is left out). The table keeps
every row whole and lays out the columns again when its width or its content changes; `full_row(key)` reads a
row with every column, shown or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from mlops_tui.textual_compat import MeasuredTable


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    keep: int = 0
    """0: always shown; otherwise the columns with the highest number are left out first."""
    shrink: int | None = None
    """Cut with `…` down to this many cells (before any column is left out); None: never cut."""
    cut_left: bool = False
    """Cut the start instead of the end (`…train.epochs`): for names whose end tells them apart."""


def _text(cell: Any) -> Text:
    return cell.copy() if isinstance(cell, Text) else Text(str(cell))


def _width(cell: Any) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


Layout = tuple[tuple[str, int], ...]  # (column key, content width) of the columns shown, in order


def fit(columns: Sequence[Column], natural: dict[str, int], room: int, padding: int = 1) -> Layout:
    """The columns shown and their widths in `room` cells. The column that matters least goes first: the shown
    column of the highest `keep` is cut down to its `shrink` width if it has one, then left out; once only
    columns of keep 0 are left, the shrinkable ones among them are cut, left to right. Columns of keep 0 stay
    even when they do not fit (the table then scrolls)."""
    shown = list(columns)
    widths = {c.key: max(natural.get(c.key, 0), cell_len(c.label)) for c in columns}

    def excess() -> int:
        return sum(widths[c.key] + 2 * padding for c in shown) - room

    while excess() > 0:
        droppable = [c for c in shown if c.keep > 0]
        if droppable:
            column = max(droppable, key=lambda c: (c.keep, shown.index(c)))
            if column.shrink is not None and widths[column.key] - excess() >= column.shrink:
                widths[column.key] -= excess()  # cut enough, and no more
            else:
                shown.remove(column)
            continue
        cuttable = [c for c in shown if c.shrink is not None and widths[c.key] > c.shrink]
        if not cuttable:
            break
        column = cuttable[0]
        widths[column.key] -= min(excess(), widths[column.key] - column.shrink)
    return tuple((c.key, widths[c.key]) for c in shown)


class FittedTable(MeasuredTable):
    """A DataTable (rows as a cursor) laid out by `fit`. Use add_row/clear as on a DataTable; the cells of
    every column are kept, the ones shown are cut to their column's width."""

    def __init__(self, columns: Sequence[Column], **options) -> None:
        super().__init__(**options)
        self.fitted_columns = list(columns)
        self._full: list[tuple[tuple[Any, ...], Any]] = []  # (cells of every column, row key)
        self._natural: dict[str, int] = {c.key: 0 for c in columns}
        self.column_layout: Layout = ()
        self._refit_pending = False
        self._apply(self._layout_now())

    # -- what callers use ---------------------------------------------------------------------------
    def add_row(self, *cells: Any, key: Any = None, **options) -> Any:  # type: ignore[override]
        self._full.append((cells, key))
        for column, cell in zip(self.fitted_columns, cells):
            self._natural[column.key] = max(self._natural[column.key], _width(cell))
        self._schedule_refit()
        return super().add_row(*self._shown_cells(cells), key=key, **options)

    def clear(self, columns: bool = False) -> DataTable:  # type: ignore[override]
        self._full.clear()
        self._natural = {c.key: 0 for c in self.fitted_columns}
        return super().clear(columns)

    def full_row(self, index: int) -> tuple[Any, ...]:
        """Every cell of the row at index (shown or left out)."""
        return self._full[index][0]

    @property
    def shown_keys(self) -> list[str]:
        return [key for key, _ in self.column_layout]

    def natural_width(self) -> int:
        """The cells every column needs whole, with the cell padding and a vertical scrollbar when the rows
        overflow (what a panel holding the table can grow to before leaving empty space)."""
        width = sum(max(self._natural.get(c.key, 0), cell_len(c.label)) + 2 * self.cell_padding
                    for c in self.fitted_columns)
        if self.size.height and len(self._full) + 1 > self.size.height:
            width += self.styles.scrollbar_size_vertical
        return width

    # -- layout -------------------------------------------------------------------------------------
    def _room(self) -> int:
        width = self.size.width
        if width <= 0:
            return 10_000  # not laid out yet: everything, until the first resize says otherwise
        if len(self._full) + 1 > self.size.height:  # a vertical scrollbar takes its cells
            width -= self.styles.scrollbar_size_vertical
        return width

    def _layout_now(self) -> Layout:
        return fit(self.fitted_columns, self._natural, self._room(), self.cell_padding)

    def _shown_cells(self, cells: Sequence[Any]) -> list[Text]:
        by_key = {c.key: (c, cell) for c, cell in zip(self.fitted_columns, cells)}
        shown = []
        for key, width in self.column_layout:
            column, cell = by_key.get(key, (None, ""))
            text = _text(cell)
            if text.cell_len > width:
                if column is not None and column.cut_left and width > 1:
                    text = Text("…", style=text.style) + text[len(text.plain) - (width - 1):]
                else:
                    text.truncate(width, overflow="ellipsis")
            shown.append(text)
        return shown

    def _schedule_refit(self) -> None:
        if not self._refit_pending and self.is_attached:
            self._refit_pending = True
            self.call_later(self._refit)

    def _refit(self) -> None:
        self._refit_pending = False
        layout = self._layout_now()
        if layout != self.column_layout:
            self._apply(layout)

    def _apply(self, layout: Layout) -> None:
        """Rebuild the columns for layout and put the rows back, the cursor and scroll where they were (without
        announcing the cursor again: it is on the same row)."""
        self.column_layout = layout
        labels = {c.key: c.label for c in self.fitted_columns}
        rows, cursor, scroll = list(self._full), self.cursor_row, self.scroll_y
        with self.prevent(DataTable.RowHighlighted, DataTable.CellHighlighted):
            super().clear(columns=True)
            for key, width in layout:
                self.add_column(labels[key], key=key, width=width)
            for cells, row_key in rows:
                super().add_row(*self._shown_cells(cells), key=row_key)
            if rows:
                self.move_cursor(row=min(cursor, len(rows) - 1), animate=False, scroll=False)
                self.scroll_y = scroll

    def on_resize(self) -> None:
        self._refit()
