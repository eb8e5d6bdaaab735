"""The process table (sort, filter, tree, user and kernel-thread choices: keys htop users reach for) and the
pinned processes' own history. The table draws the rows the data floor lists; its keys post `Asked`."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from mlops_tui.sources.metrics.processes import ProcessSample
from mlops_tui.sources.units import human_bytes, human_cpu_time
from mlops_tui.sources.metrics.ringbuffer import History
from mlops_tui.widgets.lines import CachedBaseStyle
from mlops_tui.widgets.metrics.charts import spark
from mlops_tui.text import one_line
from mlops_tui.widgets.text import sanitize

SORT_LABELS = {"cpu": "CPU%", "rss": "RSS", "time": "TIME+", "pid": "PID", "name": "name"}
COLUMNS = (("pid", "PID", 8), ("user", "USER", 9), ("cpu", "CPU%", 7), ("rss", "RSS", 11), ("threads", "THR", 5),
           ("time", "TIME+", 10), ("command", "COMMAND", 0))
"""(key, title, width); the command takes the rest of the line."""
RIGHT = ("cpu", "rss", "threads", "time")
NARROW = 90
"""Below this width the THR column gives way to the command."""


class ProcessTable(CachedBaseStyle, ScrollView, can_focus=True):
    """Top processes, drawn line by line (only the visible rows are rendered each tick).
    Up/down/page keys move the cursor; `s` cycles the order, P M T N choose it; `p` pins the highlighted
    process; Enter, k/F9, K, u and t ask the panel for details, a signal, kernel threads, a user, the tree.
    (`k` is the app's vim Up elsewhere; here it is htop's kill, through a dialog that asks first.)"""

    DEFAULT_CSS = """
    ProcessTable { height: 1fr; min-height: 5; scrollbar-size-vertical: 1; }
    ProcessTable > .processtable--header { color: $text-muted; text-style: bold; background: $panel; }
    ProcessTable > .processtable--cursor { background: $boost; }
    ProcessTable:focus > .processtable--cursor { background: $primary 35%; }
    ProcessTable > .processtable--pinned { color: $accent; }
    """
    COMPONENT_CLASSES = {"processtable--header", "processtable--cursor", "processtable--pinned"}
    BINDINGS = [
        Binding("enter", "ask('details')", "Details", id="metrics.details"),
        Binding("k,f9", "ask('signal')", "Signal", id="metrics.signal"),
        Binding("s", "cycle_sort", "Sort", id="metrics.sort"),
        Binding("t", "ask('tree')", "Tree", id="metrics.tree"),
        Binding("u", "ask('user')", "User", id="metrics.user"),
        Binding("K", "ask('kernel')", "Kernel threads", id="metrics.kernel"),
        Binding("p", "toggle_pin", "Pin process", id="metrics.pin"),
        Binding("P", "sort_by('cpu')", "Sort by CPU%", show=False, id="metrics.sort_cpu"),
        Binding("M", "sort_by('rss')", "Sort by memory", show=False, id="metrics.sort_memory"),
        Binding("T", "sort_by('time')", "Sort by CPU time", show=False, id="metrics.sort_time"),
        Binding("N", "sort_by('pid')", "Sort by pid", show=False, id="metrics.sort_pid"),
        Binding("up", "cursor(-1)", "Up", show=False, id="metrics.cursor_up"),
        Binding("down", "cursor(1)", "Down", show=False, id="metrics.cursor_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="metrics.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="metrics.page_down"),
        Binding("home", "scroll_top", "First process", show=False, id="metrics.first"),
        Binding("end", "scroll_bottom", "Last process", show=False, id="metrics.last"),
    ]
    FOOTER_FIRST = ("metrics.signal", "metrics.sort", "metrics.user", "metrics.tree", "app.search", "metrics.filter")
    """At 80 columns: htop's keys first (widgets/footer.py); the others are in `?` help."""

    @dataclass
    class SortChanged(Message):
        sort: str

    @dataclass
    class PinToggled(Message):
        pid: int

    @dataclass
    class Asked(Message):
        """A key asking the panel for something about the list: details, signal, tree, user, kernel."""
        what: str
        row: ProcessSample | None

    def __init__(self, sort: str = "cpu", **kwargs) -> None:
        super().__init__(**kwargs)
        self.sort = sort
        self.pinned: set[int] = set()
        self.rows: list[ProcessSample] = []
        self.prefixes: list[str] = []
        """The tree branch drawn before each row's command ('' outside the tree view)."""
        self.cursor_row = 0
        self._cells: dict[int, list[str]] = {}

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def cell(self, row: int, key: str) -> str:
        """The text shown in one cell (row 0 is the first process); the command without its tree branch."""
        index = [k for k, _, _ in COLUMNS].index(key)
        return self._row_cells(self.rows[row])[index]

    def _row_cells(self, row: ProcessSample) -> list[str]:
        cells = self._cells.get(id(row))
        if cells is None:
            cells = [
                ("*" if row.pid in self.pinned else " ") + str(row.pid),
                sanitize(row.user or "-", 8)[:8],
                "-" if row.cpu is None else f"{row.cpu:.1f}",
                human_bytes(row.rss),
                "-" if row.threads is None else str(row.threads),
                human_cpu_time(row.time),
                one_line(row.command or row.name or "-", 300),
            ]
            self._cells[id(row)] = cells
        return cells

    def _columns(self) -> list[tuple[int, tuple[str, str, int]]]:
        """(index, column) of the columns drawn at the table's width: THR gives way on a narrow table."""
        narrow = self.size.width < NARROW
        return [(i, c) for i, c in enumerate(COLUMNS) if not (narrow and c[0] == "threads")]

    def show(self, rows: list[ProcessSample], prefixes: list[str] | None = None) -> None:
        """Replace the rows. A cursor the user moved off the top row stays on its process while that is
        listed; a cursor on the top row stays there (the table does not scroll by itself)."""
        keep = self.highlighted_pid if self.cursor_row > 0 else None
        prefixes = prefixes if prefixes is not None else [""] * len(rows)
        before = ([self._row_cells(r) for r in self.rows], self.prefixes)
        had_rows = bool(self.rows)
        self.rows, self.prefixes = rows, prefixes
        self._cells = {}
        unchanged = before == ([self._row_cells(r) for r in rows], prefixes)
        if had_rows != bool(rows):
            self.refresh_bindings()  # details, signal and pin need a highlighted process
        pids = [r.pid for r in rows]
        if keep is None:
            self.cursor_row = 0
        elif keep in pids:
            self.cursor_row = pids.index(keep)
        else:  # the highlighted process left the table: stay at the same height
            self.cursor_row = min(self.cursor_row, max(0, len(rows) - 1))
        size = Size(self.size.width, len(rows) + 1)
        if size != self.virtual_size:
            self.virtual_size = size
        self._scroll_to_cursor()
        if not unchanged:
            self.refresh()

    @property
    def highlighted(self) -> ProcessSample | None:
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    @property
    def highlighted_pid(self) -> int | None:
        row = self.highlighted
        return row.pid if row is not None else None

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)

    def on_focus(self) -> None:
        self.forget_styles()

    def on_blur(self) -> None:
        self.forget_styles()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base, header = self.base_style, self.component_style("processtable--header")
        pinned, cursor = self.component_style("processtable--pinned"), self.component_style("processtable--cursor")
        columns = self._columns()
        if y == 0:
            titles = []
            for _, (key, title, col) in columns:
                marked = title + (" ▼" if key == self.sort or (key == "command" and self.sort == "name") else "")
                titles.append(marked.rjust(col - 1) + " " if key in RIGHT else marked.ljust(col) if col else marked)
            return Strip([Segment("".join(titles), header)]).crop_extend(0, width, header)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        cells = self._row_cells(row)
        prefix = self.prefixes[index] if index < len(self.prefixes) else ""
        text = "".join(
            (cells[i].rjust(col - 1) + " " if key in RIGHT else cells[i].ljust(col) if col else prefix + cells[i])
            for i, (key, _, col) in columns)
        style = base
        if row.pid in self.pinned:
            style += pinned
        if index == self.cursor_row:
            style += cursor
        return Strip([Segment(text, style)]).crop_extend(0, width, style)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    def move_cursor(self, row: int) -> None:
        if self.rows:
            self.cursor_row = max(0, min(len(self.rows) - 1, row))
            self._scroll_to_cursor()
            self.refresh()

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step * max(1, self.scrollable_content_region.height - 2))

    def action_scroll_top(self) -> None:
        self.move_cursor(0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_cursor(round(self.scroll_y) + event.y - 1)

    def action_cycle_sort(self) -> None:
        order = list(SORT_LABELS)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self.refresh()
        self.post_message(self.SortChanged(self.sort))

    def action_sort_by(self, sort: str) -> None:
        if sort != self.sort:
            self.sort = sort
            self.refresh()
            self.post_message(self.SortChanged(self.sort))

    def action_toggle_pin(self) -> None:
        pid = self.highlighted_pid
        if pid is not None:
            self.post_message(self.PinToggled(pid))

    def action_ask(self, what: str) -> None:
        self.post_message(self.Asked(what, self.highlighted))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Details, signal and pin need a highlighted process."""
        if action == "ask" and parameters and parameters[0] in ("details", "signal") or action == "toggle_pin":
            return self.highlighted is not None
        return True


class PinnedList(Static):
    """Each pinned process's CPU, RSS, threads and open files, with their history."""

    DEFAULT_CSS = """
    PinnedList { height: auto; color: $text; border-top: solid $panel-lighten-2; }
    PinnedList.-empty { display: none; }
    PinnedList.-gone { color: $warning; }
    """

    _shown: Text | None = None

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
        if text != self._shown:
            self._shown = text
            self.update(text)
