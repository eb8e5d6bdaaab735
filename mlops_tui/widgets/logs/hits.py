"""The hits of a cluster search as a virtual list: one row per hit, as many rows as the exact total; only
the rows on screen are read, a page at a time, from the search's ResultWindow (or, while tailing, from
the Tail's records)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mlops_tui.sources.logs.cluster import ResultWindow
from mlops_tui.sources.logs.record import LogRecord, masked
from mlops_tui.widgets.logs.view import LEVEL_CLASSES
from mlops_tui.widgets.text import sanitize


def hit_text(record: LogRecord, service_field: str = "service.name") -> str:
    """A row: time, level, service, message (one line; the detail has all of it)."""
    stamp = record.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] if record.timestamp else "-" * 23
    level = (record.level.label if record.level is not None else "-").upper().ljust(5)
    service = record.fields.get(service_field)
    late = "late " if record.fields.get("_late") else ""
    head = f"{stamp} {level} " + (f"{service} " if service not in (None, "") else "")
    return late + head + record.message.replace("\n", " ⏎ ")


class HitList(ScrollView, can_focus=True):
    """Rows of a ResultWindow (`window`) or of a tail (`tail_rows`, oldest first, following the end)."""

    COMPONENT_CLASSES = {"hitlist--cursor", *(f"hitlist--{name}" for name in LEVEL_CLASSES)}
    DEFAULT_CSS = """
    HitList { height: 1fr; background: $surface; color: $text; }
    HitList > .hitlist--cursor { background: $primary 35%; }
    HitList > .hitlist--trace, HitList > .hitlist--debug { color: $text-muted; }
    HitList > .hitlist--notice { color: $success; }
    HitList > .hitlist--warn { color: $warning; }
    HitList > .hitlist--error { color: $error; text-style: bold; }
    HitList > .hitlist--critical { color: $error; text-style: bold reverse; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="logs.cluster.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="logs.cluster.down"),
        Binding("pageup", "cursor(-20)", "Page up", show=False, id="logs.cluster.page_up"),
        Binding("pagedown,space", "cursor(20)", "Page down", show=False, id="logs.cluster.page_down"),
        Binding("home,g", "jump(0)", "Newest", show=False, id="logs.cluster.top"),
        Binding("end,G", "jump(-1)", "Oldest", show=False, id="logs.cluster.end"),
    ]

    cursor: var[int] = var(0)

    class NeedPage(Message):
        """A row on screen is not in memory: its page should be read (coalesced)."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, HitList.NeedPage)

    def __init__(self, service_field: str = "service.name", **kwargs) -> None:
        super().__init__(**kwargs)
        self.window: ResultWindow | None = None
        self.tail_rows: list[LogRecord] | None = None
        self.service_field = service_field
        self.max_line = 2000

    @property
    def row_count(self) -> int:
        if self.tail_rows is not None:
            return len(self.tail_rows)
        return self.window.total if self.window is not None else 0

    def show_window(self, window: ResultWindow | None) -> None:
        self.window, self.tail_rows = window, None
        self.cursor = 0
        self._resized()
        self.scroll_to(y=0, animate=False, immediate=True)

    def show_tail(self, rows: list[LogRecord]) -> None:
        """Tail rows (oldest first): the cursor stays on the newest unless the user moved it."""
        following = self.tail_rows is None or self.cursor >= len(self.tail_rows) - 1
        self.tail_rows = rows
        self._resized()
        if following and rows:
            self.cursor = len(rows) - 1
            self.scroll_to(y=max(0, len(rows) - self.scrollable_content_region.height), animate=False, immediate=True)

    def _resized(self) -> None:
        self.virtual_size = Size(0, self.row_count)
        self.refresh()

    def record(self, row: int) -> LogRecord | None:
        if self.tail_rows is not None:
            return self.tail_rows[row] if 0 <= row < len(self.tail_rows) else None
        return self.window.record(row) if self.window is not None else None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= self.row_count:
            return Strip.blank(width, base)
        record = self.record(row)
        if record is None:
            self.post_message(self.NeedPage(row))
            text = Text(f"{row + 1:>7} …", style=base + Style(dim=True), no_wrap=True, end="")
        else:
            shown = masked(record)
            body = sanitize(hit_text(shown, self.service_field), self.max_line)
            style = self.get_component_rich_style(f"hitlist--{record.level.label}") if record.level is not None else Style()
            text = Text(body, style=base + style, no_wrap=True, end="")
        if row == self.cursor:
            text.stylize(self.get_component_rich_style("hitlist--cursor"))
        strip = Strip(text.render(self.app.console), cell_len(text.plain))
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, row)

    def watch_cursor(self) -> None:
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if self.row_count:
            self.cursor = max(0, min(self.row_count - 1, self.cursor + delta))
            self._scroll_to_cursor()

    def action_jump(self, where: int) -> None:
        if self.row_count:
            self.cursor = 0 if where == 0 else self.row_count - 1
            self._scroll_to_cursor()

    def on_resize(self) -> None:
        self.refresh()
