"""A virtual list of log rows: only the rows on screen are read from the source and rendered."""

from __future__ import annotations

import re

from array import array
from bisect import bisect_left

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from mlops_tui.sources.logs import LogRecord, LogSource, Query
from mlops_tui.sources.logs.record import masked
from mlops_tui.widgets.text import sanitize

LEVEL_CLASSES = ("trace", "debug", "info", "notice", "warn", "error", "critical")


_STRUCTURED = {"json", "docker", "logfmt"}
_HIDDEN_KEYS = {"@timestamp", "timestamp", "time", "ts", "t", "level", "log.level", "levelname", "severity", "lvl",
                "message", "msg", "event", "log", "stream"}


COMPACT_BELOW = 120
"""Views narrower than this many columns show a text line's leading date shortened (see display_text)."""
_LEADING_STAMP = re.compile(r"\[?\d{4}-(\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?(?= )")
_PADDING = re.compile(r"  +")


def display_text(record: LogRecord, compact: bool = False) -> str:
    """What a row shows: the raw line, or for JSON/logfmt records `time level message key=value...`.

    compact (a narrow view): a text line that starts with an ISO date and time shows it as `MM-DD HH:MM:SS`
    (the year, fraction and zone dropped), the rest as written, so that at 80 columns more of the message
    is on screen; the detail view (Enter) and the CLI keep the line whole."""
    if record.continuation or record.truncated:
        return record.raw
    if record.format not in _STRUCTURED:
        if compact and record.timestamp is not None and (stamp := _LEADING_STAMP.match(record.raw)):
            rest = record.raw[stamp.end():]
            body = record.message if record.message and rest.endswith(record.message) else ""
            header = rest[: len(rest) - len(body)]
            return f"{stamp[1]} {stamp[2]}{_PADDING.sub(' ', header)}{body}"  # `ERROR    ` padding: one space
        return record.raw
    parts = []
    if record.timestamp is not None:
        parts.append(f"{record.timestamp:%m-%d %H:%M:%S}" if compact
                     else record.timestamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3])
    parts.append((record.level.label if record.level is not None else "-").upper().ljust(5))
    parts.append(record.message)
    extra = " ".join(f"{k}={v}" for k, v in record.fields.items() if k not in _HIDDEN_KEYS)
    if extra:
        parts.append(" " + extra)
    return " ".join(parts)


def _label(source: str, width: int) -> str:
    """A row's file name in at most width characters, cut with `…` (the detail view has it whole)."""
    name = sanitize(source)
    return name if len(name) <= width else name[: width - 1] + "…"


class LogView(ScrollView, can_focus=True):
    """Rows of a LogSource, or of a subset of its rows (filter), with a cursor and follow mode."""

    COMPONENT_CLASSES = {
        "logview--cursor", "logview--lineno", "logview--source", "logview--match", "logview--continuation",
        *(f"logview--{name}" for name in LEVEL_CLASSES),
    }
    DEFAULT_CSS = """
    LogView { height: 1fr; background: $surface; color: $text; overflow-x: hidden; }
    LogView > .logview--cursor { background: $primary 35%; }
    LogView > .logview--lineno { color: $text-muted; }
    LogView > .logview--source { color: $accent; }
    LogView > .logview--match { background: $warning 45%; text-style: bold; }
    LogView > .logview--continuation { color: $text-muted; }
    LogView > .logview--trace { color: $text-muted; }
    LogView > .logview--debug { color: $text-muted; }
    LogView > .logview--info { color: $text; }
    LogView > .logview--notice { color: $success; }
    LogView > .logview--warn { color: $warning; }
    LogView > .logview--error { color: $error; text-style: bold; }  /* stands out under NO_COLOR and mono too */
    LogView > .logview--critical { color: $error; text-style: bold reverse; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="logs.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="logs.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="logs.page_up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="logs.page_down"),
        Binding("home,g", "top", "Top", show=False, id="logs.top"),
        Binding("end,G", "follow", "End/follow", id="logs.follow"),
        Binding("left", "pan(-1)", "Scroll left", show=False, id="logs.left"),
        Binding("right", "pan(1)", "Scroll right", show=False, id="logs.right"),
        Binding("ctrl+w", "wrap", "Wrap", show=False, id="logs.wrap"),  # in ? help; the footer keeps its room
    ]
    PAN = 16  # columns one Left/Right moves the text

    follow: var[bool] = var(True)
    cursor: var[int] = var(0)
    wrap: var[bool] = var(False)
    """Long rows go on over the next screen lines (the gutter stays); off: rows are cut, Left/Right pan them."""

    class CursorMoved(Message):
        """The cursor row changed (the pane shows where it is)."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.CursorMoved)

    def __init__(self, max_line: int = 4096, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source: LogSource | None = None
        self.subset: array | None = None  # source rows shown when filtering, in order
        self.wanted: array | None = None  # the rows the search filter asked for (before the pattern filter)
        self.keep = None  # the patterns view's filter: (its rows, a test of one row, its words for the bar)
        self.rules = None  # the +/- rules' RuleRows, or None
        self.preview: list[LogRecord] | None = None  # the file's last lines while the index has not reached them
        self.query: Query | None = None
        self.max_line = max_line
        self._cache: dict[int, LogRecord] = {}
        self._labels = False
        self._gutter = 6
        self._prefix = 0  # characters before a row's text (line number, file): set by _line_text
        self._wrapped: dict[int, list[Strip]] = {}  # view row -> its screen lines, while wrapping

    # --- data ------------------------------------------------------------------------------------
    def set_source(self, source: LogSource, labelled: bool = False) -> None:
        self.source = source
        self._labels = labelled
        self.data_changed()

    def set_subset(self, rows: array | None) -> None:
        """Show only these source rows (None: all). Keeps the cursor on the nearest row."""
        current = self.source_row(self.cursor) if self.row_count else None
        self.wanted = rows
        if self.keep is not None:
            rows = self.keep[0] if rows is None else array("Q", filter(self.keep[1], rows))
        if self.rules is not None:  # the stacked +/- rules (sources/logs/rules)
            rows = array("Q", self.rules.rows()) if rows is None else array("Q", filter(self.rules.accepts, rows))
        self.subset = rows
        self._cache.clear()
        self.data_changed()
        if current is not None and not self.follow:
            self.cursor = self.view_row(current)
            self.scroll_to_cursor(center=True)

    def set_rules(self, rules) -> None:
        """Narrow what is shown to the rows the +/- rules let through (None: no rules)."""
        self.rules = rules
        self.set_subset(self.wanted)

    def set_keep(self, rows: array | None, accepts=None, words: str = "") -> None:
        """Narrow what is shown to the patterns view's rows (None: no pattern filter)."""
        self.keep = None if rows is None else (rows, accepts, words)
        self.set_subset(self.wanted)

    def set_query(self, query: Query | None) -> None:
        self.query = query if query is not None and query.pattern else None
        self._wrapped.clear()
        self.refresh()

    def set_preview(self, records: list[LogRecord] | None) -> None:
        """Show the end of a file that is still being indexed (line numbers unknown) while following."""
        self.preview = records or None
        self.data_changed()

    @property
    def previewing(self) -> bool:
        return self.preview is not None and self.follow and self.subset is None

    @property
    def row_count(self) -> int:
        if self.previewing:
            return len(self.preview)
        if self.source is None:
            return 0
        return len(self.subset) if self.subset is not None else self.source.row_count()

    def source_row(self, view_row: int) -> int:
        if self.subset is not None:
            return self.subset[view_row] if 0 <= view_row < len(self.subset) else 0
        return view_row

    def view_row(self, source_row: int) -> int:
        """Index in the view of source_row, or of the first shown row after it."""
        if self.subset is None:
            return source_row
        return min(bisect_left(self.subset, source_row), max(0, len(self.subset) - 1))

    def data_changed(self) -> None:
        """The source grew or changed: resize, drop cached rows, keep following."""
        count = self.row_count
        self._cache.clear()
        total = self.source.row_count() if self.source is not None else 0
        self._gutter = max(4, len(str(total))) + 1
        self._wrapped.clear()
        height = self.scrollable_content_region.height
        # rows pan up to max_line columns (Left/Right); wrapping, the last row may be the top one
        self.virtual_size = Size(0 if self.wrap else self.max_line + 64, count + (max(0, height - 1) if self.wrap else 0))
        if self.follow and count:
            self.cursor = count - 1
            self.scroll_to(y=self._top_for_end(), animate=False, immediate=True)
            self.call_after_refresh(self._stick_to_end)
        self.refresh()

    def _stick_to_end(self) -> None:
        """After the new size is laid out, the last row is on screen (scroll_to clamps to the old size)."""
        if self.follow and self.row_count:
            self.scroll_to(y=self._top_for_end(), animate=False, immediate=True)

    def _top_for_end(self) -> int:
        return self._top_showing(self.row_count - 1, self.scrollable_content_region.height)

    def _top_showing(self, row: int, lines: int) -> int:
        """The top row that puts `row` within the first `lines` screen lines (rows count 1 line unwrapped)."""
        if not self.wrap:
            return max(0, row - lines + 1)
        top, used = row, len(self._lines_of(row))
        while top > 0 and used + len(self._lines_of(top - 1)) <= lines:
            top -= 1
            used += len(self._lines_of(top))
        return top

    def record(self, view_row: int) -> LogRecord | None:
        if self.source is None or not 0 <= view_row < self.row_count:
            return None
        if self.previewing:
            return self.preview[view_row]
        if view_row not in self._cache:
            height = max(1, self.scrollable_content_region.height)
            if len(self._cache) > 4 * height:
                self._cache.clear()
            if self.subset is None:
                for offset, record in enumerate(self.source.rows(view_row, height, self.max_line)):
                    self._cache[view_row + offset] = record
            else:
                for row in range(view_row, min(self.row_count, view_row + height)):
                    got = self.source.rows(self.subset[row], 1, self.max_line)
                    if got:
                        self._cache[row] = got[0]
        return self._cache.get(view_row)

    # --- rendering -------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if self.wrap:
            row, piece = self._screen_line(scroll_y, y)
            lines = self._lines_of(row) if row is not None else []
            if piece is None or piece >= len(lines):
                return Strip.blank(width, base)
            return lines[piece].crop_extend(0, width, base).apply_offsets(0, row)
        row = scroll_y + y
        record = self.record(row)
        if record is None:
            return Strip.blank(width, base)
        gutter, body = self._row_parts(row, record)
        shown = max(1, width - gutter.cell_length)  # the line number stays; the text pans under it
        strip = Strip.join([gutter, body.crop_extend(scroll_x, scroll_x + shown, base)])
        return strip.crop_extend(0, width, base).apply_offsets(scroll_x, row)

    def _row_parts(self, row: int, record: LogRecord) -> tuple[Strip, Strip]:
        """The row's gutter (line number, file) and its text, as strips, the cursor's style applied."""
        text = self._line_text(record)
        if row == self.cursor:
            text.stylize(self.get_component_rich_style("logview--cursor"))
        gutter, body = text.divide([self._prefix])
        return (Strip(gutter.render(self.app.console), cell_len(gutter.plain)),
                Strip(body.render(self.app.console), cell_len(body.plain)))

    def _lines_of(self, row: int) -> list[Strip]:
        """Wrapping: the screen lines of view row `row` (its text folded to the width, the gutter blank after
        the first), kept until the data, the width or the cursor change."""
        lines = self._wrapped.get(row)
        if lines is None:
            record = self.record(row)
            if record is None:
                return []
            width = max(2, self.scrollable_content_region.width)
            text = self._line_text(record)
            if row == self.cursor:
                text.stylize(self.get_component_rich_style("logview--cursor"))
            gutter, body = text.divide([self._prefix])
            room = max(1, width - gutter.cell_len)
            pieces = body.wrap(self.app.console, room, overflow="fold", no_wrap=False) or [Text("")]
            pad = Strip.blank(gutter.cell_len)
            first = Strip(gutter.render(self.app.console), gutter.cell_len)
            lines = [Strip.join([first if i == 0 else pad, Strip(piece.render(self.app.console), piece.cell_len)])
                     for i, piece in enumerate(pieces)]
            if len(self._wrapped) > 8 * max(1, self.scrollable_content_region.height):
                self._wrapped.clear()
            self._wrapped[row] = lines
        return lines

    def _screen_line(self, top: int, y: int) -> tuple[int | None, int | None]:
        """Wrapping: which row, and which of its lines, screen line y shows when `top` is the first row."""
        row = top
        while row < self.row_count:
            count = len(self._lines_of(row))
            if y < count:
                return row, y
            y -= count
            row += 1
        return None, None

    def _line_text(self, record: LogRecord) -> Text:
        number = (str(record.line) if record.line > 0 else "…").rjust(self._gutter - 1) + " "
        text = Text(number, style=self.get_component_rich_style("logview--lineno"), no_wrap=True, end="")
        compact = self.size.width < COMPACT_BELOW
        if self._labels:
            text.append((_label(record.source, 12).ljust(12) if compact else _label(record.source, 24)) + " ",
                        self.get_component_rich_style("logview--source"))
        start = self._prefix = len(text)
        body = sanitize(display_text(masked(record), compact))
        if record.truncated or len(body) > self.max_line:
            body = body[: self.max_line] + " …"
        if record.continuation:
            style: Style = self.get_component_rich_style("logview--continuation")
        elif record.level is not None:
            style = self.get_component_rich_style(f"logview--{record.level.label}")
        else:
            style = Style()
        text.append(body, style)
        if self.query is not None:
            match = self.get_component_rich_style("logview--match")
            for begin, end in self.query.spans(body):
                text.stylize(match, start + begin, start + end)
        return text

    # --- movement --------------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self._wrapped.pop(old, None)  # the cursor's style moves
        self._wrapped.pop(new, None)
        self.refresh()
        self.post_message(self.CursorMoved())

    def scroll_to_cursor(self, center: bool = False) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if center:
            self.scroll_to(y=self._top_showing(self.cursor, max(1, height // 2 + 1)), animate=False, immediate=True)
        elif self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height or (self.wrap and self._screen_line(top, height - 1)[0] is not None
                                             and self._last_whole_row(top, height) < self.cursor):
            self.scroll_to(y=self._top_showing(self.cursor, height), animate=False, immediate=True)

    def _last_whole_row(self, top: int, height: int) -> int:
        """Wrapping: the last row whose lines all fit on screen from `top`."""
        row, used = top, 0
        while row < self.row_count and used + len(self._lines_of(row)) <= height:
            used += len(self._lines_of(row))
            row += 1
        return row - 1

    # --- wide rows: pan, wrap, show a hit -----------------------------------------------------------
    def _text_room(self) -> int:
        """Columns the text gets beside the gutter (as `_line_text` last measured it)."""
        return max(1, self.scrollable_content_region.width - self._prefix)

    def action_pan(self, direction: int) -> None:
        """Left/Right: move the text (not the line numbers) by PAN columns, up to the widest row on screen."""
        if self.wrap:
            return
        widest = 0
        top = self.scroll_offset.y
        for row in range(top, min(self.row_count, top + self.scrollable_content_region.height)):
            record = self.record(row)
            if record is not None:
                widest = max(widest, cell_len(self._line_text(record).plain) - self._prefix)
        most = max(0, widest - self._text_room() + 1)
        target = max(0, min(most, self.scroll_offset.x + direction * self.PAN))
        self.scroll_to(x=target, animate=False, immediate=True, force=True)
        self.refresh()

    def reveal_match(self) -> None:
        """Scroll the text sideways so the search's first match in the cursor row is on screen."""
        record = self.record(self.cursor)
        if self.wrap or record is None or self.query is None:
            return
        text = self._line_text(record)
        body = text.plain[self._prefix:]
        spans = self.query.spans(body)
        if not spans:
            return
        begin, end = cell_len(body[:spans[0][0]]), cell_len(body[:spans[0][1]])
        room, x = self._text_room(), self.scroll_offset.x
        if begin < x or end > x + room:
            self.scroll_to(x=max(0, begin - room // 3 if end - begin < room * 2 // 3 else begin),  # a third in
                           animate=False, immediate=True, force=True)
            self.refresh()

    def watch_wrap(self, wrapping: bool) -> None:
        self.scroll_to(x=0, animate=False, immediate=True, force=True)
        self.data_changed()
        if not self.follow:
            self.scroll_to_cursor(center=True)

    def action_wrap(self) -> None:
        self.wrap = not self.wrap

    def move_to(self, view_row: int, center: bool = True) -> None:
        """Put the cursor on view_row (stops following unless it is the last row)."""
        if not self.row_count:
            return
        self.cursor = max(0, min(view_row, self.row_count - 1))
        self.follow = self.cursor == self.row_count - 1 and self.follow
        self.scroll_to_cursor(center)

    def _leave_preview(self) -> None:
        self.follow = False

    def watch_follow(self, following: bool) -> None:
        if not following and self.preview is not None:  # leaving the end: show the indexed rows
            self.preview = None
            self.data_changed()

    def action_cursor(self, delta: int) -> None:
        self._leave_preview()
        self.follow = False
        self.move_to(self.cursor + delta, center=False)

    def action_page(self, direction: int) -> None:
        self._leave_preview()
        self.follow = False
        self.move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 1), center=False)

    def action_top(self) -> None:
        self._leave_preview()
        self.follow = False
        self.move_to(0, center=False)

    def action_follow(self) -> None:
        self.follow = True
        self.data_changed()

    def on_mouse_scroll_up(self, event) -> None:  # scrolling up pauses following
        self.follow = False

    def on_resize(self) -> None:
        self._wrapped.clear()
        self.data_changed() if self.follow else self.refresh()
