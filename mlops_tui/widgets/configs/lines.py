"""A scrolling view of many rows drawn on demand (Line API): only visible rows are rendered."""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mlops_tui.widgets.configs.rows import Row
from mlops_tui.widgets.text import sanitize

CLASSES = ("key", "same", "added", "removed", "changed", "error", "missing", "muted", "source", "resolved", "interp", "pending", "blank")


class LinesView(ScrollView, can_focus=True):
    """Rows with a cursor; row classes map to component styles (colours from the theme)."""

    COMPONENT_CLASSES = {f"lines--{name}" for name in CLASSES} | {"lines--cursor", "lines--marked"}

    DEFAULT_CSS = """
    LinesView { height: 1fr; background: $surface; }
    LinesView:focus { background-tint: $foreground 3%; }
    LinesView > .lines--key { color: $foreground; }
    LinesView > .lines--same { color: $foreground; }
    LinesView > .lines--added { color: $success; }
    LinesView > .lines--removed { color: $error; }
    LinesView > .lines--changed { color: $warning; }
    LinesView > .lines--error { color: $error; text-style: bold; }
    LinesView > .lines--missing { color: $warning; text-style: bold; }
    LinesView > .lines--pending { color: $warning; }
    LinesView > .lines--muted { color: $text-muted; }
    LinesView > .lines--source { color: $text-muted; text-style: italic; }
    LinesView > .lines--resolved { color: $accent; }
    LinesView > .lines--interp { color: $accent; }
    LinesView > .lines--blank { color: $text-muted; }
    LinesView > .lines--marked { background: $warning 15%; }
    LinesView > .lines--cursor { background: $primary 35%; }
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False, id="configs.lines.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="configs.lines.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="configs.lines.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="configs.lines.page_down"),
        Binding("home", "scroll_top", "Top", show=False, id="configs.lines.top"),
        Binding("end", "scroll_bottom", "Bottom", show=False, id="configs.lines.bottom"),
    ]

    cursor = reactive(0, always_update=True)

    class CursorMoved(Message):
        def __init__(self, view: LinesView, index: int) -> None:
            super().__init__()
            self.view = view
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Sequence[Row] = []
        self.placeholder = ""

    def set_rows(self, rows: Sequence[Row], placeholder: str = "") -> None:
        """Show rows (a list, or LazyRows that build each row when first drawn)."""
        self.rows = rows
        self.placeholder = placeholder
        width = max((len(rows[i].text) for i in range(min(len(rows), 200))), default=len(placeholder)) + 2
        self.virtual_size = Size(width, max(len(rows), 1))
        self.cursor = min(self.cursor, max(len(rows) - 1, 0))
        self.refresh()

    def refresh_line(self, index: int) -> None:
        y = index - self.scroll_offset.y
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.scroll_to_row(new)
        self.post_message(self.CursorMoved(self, new))

    def scroll_to_row(self, index: int) -> None:
        top = self.scroll_offset.y
        height = max(self.size.height, 1)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def move_to(self, index: int, center: bool = True) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        if center:
            self.scroll_to(y=max(index - self.size.height // 2, 0), animate=False, immediate=True)
        self.cursor = index

    class AtTop(Message):
        """Up on the first row: the pane gives the focus back to the file list."""

        def __init__(self, view: LinesView) -> None:
            super().__init__()
            self.view = view

    def action_cursor(self, delta: int) -> None:
        if delta < 0 and self.cursor == 0:
            self.post_message(self.AtTop(self))
            return
        self.move_to(self.cursor + delta, center=False)

    def action_page(self, delta: int) -> None:
        self.move_to(self.cursor + delta * max(self.size.height - 1, 1), center=False)

    def action_scroll_top(self) -> None:
        self.move_to(0, center=False)

    def action_scroll_bottom(self) -> None:
        self.move_to(len(self.rows) - 1, center=False)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"lines--{name}", partial=True)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        if not self.rows:
            text = self.placeholder if y == 0 else ""
            return Strip([Segment(sanitize(text), base + self._style("muted"))]).extend_cell_length(width, base).crop(0, width)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        line_style = base
        if row.mark:
            line_style = line_style + self._style("marked")
        if index == self.cursor:
            line_style = line_style + self._style("cursor")
        segments = []
        for text, cls in row.parts:
            name = cls.removesuffix("-key")
            style = line_style + self._style(name if name in CLASSES else "same")
            if cls.endswith("-key"):
                style = style + Style(bold=True)
            segments.append(Segment(sanitize(text), style))
        strip = Strip(segments).extend_cell_length(self.scroll_offset.x + width, line_style)
        return strip.crop(self.scroll_offset.x, self.scroll_offset.x + width)

