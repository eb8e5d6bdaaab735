"""The fleet table: one row per host with its latest values and health, sortable by any column."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from mlops_tui.sources.metrics.remote import FLEET_COLUMNS, HostRow
from mlops_tui.sources.units import format_value
from mlops_tui.widgets.text import literal

HEALTH_ORDER = {"down": 0, "stale": 1, "unknown": 2, "up": 3}
HEALTH_MARKS = {"up": "● up", "down": "✖ down", "stale": "◌ stale"}
HEALTH_COLOURS = {"up": "success", "down": "error", "stale": "warning"}  # theme variables
FIXED_COLUMNS = (("host", "Host"), ("source", "Source"), ("health", "Health"))


class FleetTable(DataTable):
    """Rows keyed "source\\0host"; sort_column indexes the columns, values sort biggest first."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.sort_column = 0
        self.sort_reverse = False
        self.rows_shown: list[HostRow] = []

    def on_mount(self) -> None:
        for key, label in FIXED_COLUMNS:
            self.add_column(label, key=key)
        for key, label, _ in FLEET_COLUMNS:
            self.add_column(label, key=key)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(event.column_index)

    def cycle_sort(self) -> None:
        self.sort_by((self.sort_column + 1) % (len(FIXED_COLUMNS) + len(FLEET_COLUMNS)), toggle=False)

    def sort_by(self, column: int, toggle: bool = True) -> None:
        """Sort by column; choosing the current column again (toggle) reverses the order."""
        if toggle and column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, column >= len(FIXED_COLUMNS)
        self.show(self.rows_shown, self._stale)

    def _sort_key(self, row: HostRow):
        column = self.sort_column
        if column == 0:
            return (row.host,)
        if column == 1:
            return (row.source, row.host)
        if column == 2:
            return (HEALTH_ORDER.get(row.health, 2), row.host)
        return (row.values.get(FLEET_COLUMNS[column - 3][0]) or 0.0, row.host)

    def sorted_rows(self, rows: list[HostRow]) -> list[HostRow]:
        """Rows in the chosen order; hosts without a value in the sort column always come last."""
        if self.sort_column >= len(FIXED_COLUMNS):
            key = FLEET_COLUMNS[self.sort_column - len(FIXED_COLUMNS)][0]
            missing = sorted((r for r in rows if r.values.get(key) is None), key=lambda r: r.host)
            present = sorted((r for r in rows if r.values.get(key) is not None), key=self._sort_key,
                             reverse=self.sort_reverse)
            return present + missing
        return sorted(rows, key=self._sort_key, reverse=self.sort_reverse)

    _stale: frozenset[str] = frozenset()

    def show(self, rows: list[HostRow], stale_sources: frozenset[str] | set[str] = frozenset()) -> None:
        """Replace the rows, keeping the cursor on the same host; rows of stale sources say so."""
        self._stale = frozenset(stale_sources)
        selected = self.selected_key()
        self.rows_shown = self.sorted_rows(rows)
        self.clear()
        for row in self.rows_shown:
            health = "stale" if row.source in self._stale else row.health
            cells = [literal(row.host, limit=60), literal(row.source), self._health_cell(health)]
            cells += [Text(format_value(row.values.get(key), unit), justify="right") for key, _, unit in FLEET_COLUMNS]
            self.add_row(*cells, key=f"{row.source}\x00{row.host}")
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected))

    def selected_key(self) -> str | None:
        if not self.row_count or self.cursor_row >= self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def selected_host(self) -> tuple[str, str] | None:
        """(source, host) under the cursor."""
        key = self.selected_key()
        if key is None:
            return None
        source, host = key.split("\x00", 1)
        return source, host

    def _health_cell(self, health: str) -> Text:
        variable = HEALTH_COLOURS.get(health)
        colour = self.app.theme_variables.get(variable, "") if variable else ""
        return Text(HEALTH_MARKS.get(health, "? " + health), style=colour)
