"""The process table (sortable, filterable by name) and the pinned processes' own history."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from mlops_tui.sources.local_metrics import ProcessSample, human_bytes
from mlops_tui.sources.ringbuffer import History
from mlops_tui.widgets.metrics.charts import spark
from mlops_tui.widgets.text import literal, sanitize

SORT_LABELS = {"cpu": "CPU%", "rss": "RSS", "pid": "PID", "name": "name"}
COLUMNS = (("pid", "PID", 7), ("user", "USER", 9), ("cpu", "CPU%", 6), ("rss", "RSS", 10), ("threads", "THR", 4),
           ("command", "COMMAND", None))


class ProcessTable(DataTable):
    """Top processes; `s` cycles the order, `p` pins the highlighted process."""

    DEFAULT_CSS = """
    ProcessTable { height: 1fr; min-height: 5; }
    """
    BINDINGS = [
        Binding("s", "cycle_sort", "Sort processes", id="metrics.sort"),
        Binding("p", "toggle_pin", "Pin process", id="metrics.pin"),
    ]

    class SortChanged(Message):
        def __init__(self, sort: str) -> None:
            super().__init__()
            self.sort = sort

    class PinToggled(Message):
        def __init__(self, pid: int) -> None:
            super().__init__()
            self.pid = pid

    def __init__(self, sort: str = "cpu", **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.sort = sort
        self.pinned: set[int] = set()
        self._rows: list[ProcessSample] = []

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)
        self._label_sort()

    def _label_sort(self) -> None:
        for key, label, _ in COLUMNS:
            column = self.columns.get(key)  # type: ignore[call-overload]
            if column is not None:
                column.label = Text(label + (" ▼" if key == self.sort or (key == "command" and self.sort == "name")
                                             else ""))
        self.refresh()

    def show(self, rows: list[ProcessSample]) -> None:
        """Replace the rows. A cursor the user moved off the top row stays on its process while that is
        listed; a cursor on the top row stays there (the table does not scroll by itself)."""
        keep = self.highlighted_pid if self.cursor_row > 0 else None
        self._rows = rows
        self.clear()
        for row in rows:
            pin = "*" if row.pid in self.pinned else " "
            cpu = "-" if row.cpu is None else f"{row.cpu:.1f}"
            self.add_row(
                f"{pin}{row.pid}", literal(sanitize(row.user or "-", 9)), Text(cpu, justify="right"),
                Text(human_bytes(row.rss), justify="right"), str(row.threads if row.threads is not None else "-"),
                literal(row.command or row.name or "-", limit=300), key=str(row.pid))
        if keep is not None and str(keep) in self.rows:
            self.move_cursor(row=self.get_row_index(str(keep)), animate=False)
        else:
            self.move_cursor(row=0, animate=False)
            self.scroll_to(y=0, animate=False)

    @property
    def highlighted_pid(self) -> int | None:
        if not self._rows or self.cursor_row is None or not (0 <= self.cursor_row < len(self._rows)):
            return None
        return self._rows[self.cursor_row].pid

    def action_cycle_sort(self) -> None:
        order = list(SORT_LABELS)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self._label_sort()
        self.post_message(self.SortChanged(self.sort))

    def action_toggle_pin(self) -> None:
        pid = self.highlighted_pid
        if pid is not None:
            self.post_message(self.PinToggled(pid))


class PinnedList(Static):
    """Each pinned process's CPU, RSS, threads and open files, with their history."""

    DEFAULT_CSS = """
    PinnedList { height: auto; color: $text; border-top: solid $panel-lighten-2; }
    PinnedList.-empty { display: none; }
    PinnedList.-gone { color: $warning; }
    """

    def show(self, pinned: list[ProcessSample], history: History, points: int = 20) -> None:
        self.set_class(not pinned, "-empty")
        self.set_class(any(p.gone for p in pinned), "-gone")
        text = Text()
        for index, proc in enumerate(pinned):
            if index:
                text.append("\n")
            name = sanitize(proc.name or "?", 20)
            if proc.gone:
                text.append(f"pinned {proc.pid} {name}: exited")
                continue
            parts = [f"pinned {proc.pid} {name}"]
            for key, label, value in (("cpu", "cpu", "-" if proc.cpu is None else f"{proc.cpu:.1f}%"),
                                      ("rss", "rss", human_bytes(proc.rss)),
                                      ("threads", "thr", "-" if proc.threads is None else str(proc.threads)),
                                      ("files", "files", "-" if proc.open_files is None else str(proc.open_files))):
                values = history.values(f"pid{proc.pid}.{key}", last=points)
                known = [v for v in values if v == v]
                line = spark(values, 0.0, max(known) if known and max(known) > 0 else 1.0) if values else ""
                parts.append(f"{label} {line} {value}")
            text.append("  ".join(parts))
            denied = ", ".join(f"{k}: {v}" for k, v in proc.errors.items())
            if denied:
                text.append(f"  ({sanitize(denied)})", style="italic")
        self.update(text)
