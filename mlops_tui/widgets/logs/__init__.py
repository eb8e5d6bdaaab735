"""Logs pane: follow and search log files (and, behind the same LogSource interface, search engines)."""

from __future__ import annotations

import time
from array import array
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from mlops_tui.settings.logs import LogsSettings
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.logs import Level, LogOpenError, LogSource, Mode, Query, QueryError, custom_formats, open_files
from mlops_tui.sources.logs.histogram import histogram
from mlops_tui.sources.logs.timestamps import parse_timestamp
from mlops_tui.widgets.logs.detail import RecordDetail
from mlops_tui.widgets.logs.view import LogView
from mlops_tui.widgets.pane import Pane, SourceNote, focus_now
from mlops_tui.widgets.text import literal, sanitize

LEVEL_STEPS = (None, Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR, Level.CRITICAL)
FIRST_BUDGET = 256 * 1024  # bytes indexed before the first screen is drawn
INDEX_BUDGET = 64 * 1024 * 1024  # bytes indexed between two repaints while a big file opens


class LogsPane(Pane):
    """Tail and search of log files: follow, search, filter, level filter, time jump, detail, save, copy."""

    DEFAULT_CSS = """
    LogsPane #logs-bar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    LogsPane.-paused #logs-bar { color: $warning; }
    LogsPane #logs-input { display: none; height: 3; border: tall $accent; }
    LogsPane.-asking #logs-input { display: block; }
    LogsPane.-error #logs-note { color: $error; }
    """
    BINDINGS = [
        Binding("slash", "ask('search')", "Search", id="logs.search"),
        Binding("n", "hit(1)", "Next hit", id="logs.next"),
        Binding("N", "hit(-1)", "Prev hit", id="logs.previous"),
        Binding("f", "toggle_filter", "Filter", id="logs.filter"),
        Binding("l", "level", "Level", id="logs.level"),
        Binding("t", "ask('time')", "Time jump", id="logs.time"),
        Binding("enter", "detail", "Detail", id="logs.detail"),
        Binding("c", "copy", "Copy", id="logs.copy"),
        Binding("s", "ask('save')", "Save", id="logs.save"),
        Binding("escape", "clear", "Clear", id="logs.clear"),
    ]

    class Grew(Message):
        """The source indexed more rows or was refreshed (coalesced: one repaint per burst)."""

        def __init__(self, status: SourceStatus) -> None:
            super().__init__()
            self.status = status

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogsPane.Grew)

    class Opened(Message):
        def __init__(self, source: LogSource, preview: list | None = None) -> None:
            super().__init__()
            self.source = source
            self.preview = preview

    class SearchProgress(Message):
        """Hits of one search run so far (rows from its start); `done` when it reached the end."""

        def __init__(self, generation: int, rows: array, spans: array, stamps: list, done: bool, end: int) -> None:
            super().__init__()
            self.generation, self.rows, self.spans, self.stamps, self.done, self.end = generation, rows, spans, stamps, done, end

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogsPane.SearchProgress) and not message.done

    class JumpTo(Message):
        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    def __init__(self, settings: LogsSettings, source: LogSource | None = None, poll_interval: float | None = None,
                 index_budget: int = INDEX_BUDGET, **kwargs) -> None:
        super().__init__(id="logs-pane")
        self.settings = settings
        self.source: LogSource | None = None
        self._given = source
        self.poll_interval = settings.poll_interval if poll_interval is None else poll_interval
        self.index_budget = index_budget
        self.query: Query | None = None
        self.filtering = False
        self.level_step = 0
        self.hits = array("Q")  # source rows of matching records
        self.hit_spans = array("Q")  # rows each hit covers (multi-line records)
        self.stamps: list = []
        self.searched_to = 0
        self.searching = False
        self._generation = 0
        self._base: tuple[array, array, list] = (array("Q"), array("Q"), [])
        self.asking: str | None = None
        self.closed = False

    def compose(self) -> ComposeResult:
        yield SourceNote(id="logs-note")
        yield LogView(max_line=self.settings.max_line_display, id="logs-view")
        yield Static(id="logs-bar")
        yield Input(id="logs-input")

    def on_mount(self) -> None:
        self.view = self.query_one(LogView)
        if self._given is None:
            files = self.settings.files or [str(p) for p in sorted(Path("logs").glob("*.log"))]
            if not files:
                self._show(SourceStatus.absent("logs.files", "no log files: put them in ./logs/ or set logs.files=[PATH,...]"))
                self._update_bar()
                return
            self._show(SourceStatus("logs.files", SourceState.LOADING, f"opening {len(files)} file(s)"))
        self._feed(self._given, list(self.settings.files) or [str(p) for p in sorted(Path("logs").glob("*.log"))])

    def focus_default(self) -> None:
        """Focus the log list (called by the app when the pane is shown; never on mount)."""
        focus_now(self.view)

    def on_unmount(self) -> None:
        self.closed = True
        if self.source is not None and self._given is None:
            self.source.close()

    def _show(self, status: SourceStatus) -> None:
        self.query_one(SourceNote).show(status)
        self.set_class(status.state is SourceState.FAILING, "-error")
        self.report(status)

    # --- the source: open, index in steps, then follow ---------------------------------------------
    @work(exclusive=True, group="logs", exit_on_error=False, thread=True, name="logs.follow")
    def _feed(self, given: LogSource | None, files: list[str]) -> None:
        worker = get_current_worker()
        source = given
        if source is None:
            source = open_files(files, custom_formats(self.settings.formats), follow=self.settings.follow)
        source.refresh(FIRST_BUDGET)
        preview = None
        if not source.complete and hasattr(source, "tail_preview"):
            preview = source.tail_preview(200, self.settings.max_line_display)
        self.post_message(self.Opened(source, preview))
        while not worker.is_cancelled and not self.closed:
            changed = source.refresh(None if source.complete else self.index_budget)
            if changed:
                self.post_message(self.Grew(source.status()))
            if source.complete:
                if not self.settings.follow:
                    self.post_message(self.Grew(source.status()))
                    return
                time.sleep(self.poll_interval)

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        self.source = message.source
        self.view.set_source(message.source, labelled=hasattr(message.source, "sources"))
        if message.preview:
            self.view.set_preview(message.preview)
        self._update_bar()

    @on(Grew)
    def _grew(self, message: Grew) -> None:
        status = message.status  # named after the file (or "merged"); the status line knows it as logs.files
        reason = status.reason if status.name == "merged" else f"{status.name}: {status.reason}"
        self._show(replace(status, name="logs.files", reason=reason))
        if self.view.preview is not None and self.source is not None and self.source.complete:
            self.view.preview = None
        if self.view.subset is None:
            self.view.data_changed()
        if self.query is not None and not self.searching and self.source is not None and self.source.complete \
                and self.source.row_count() > self.searched_to:
            self._search(self.query, self.searched_to)
        self._update_bar()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, (LogOpenError, QueryError)):
            reason = str(error)
        elif isinstance(error, OSError):
            reason = f"cannot read: {error.strerror or error}"
        else:
            reason = f"{type(error).__name__}: {error}"
        if event.worker.group == "logs-search":
            self.searching = False
        self._show(SourceStatus.failing("logs.files", reason, "the last rows read stay on screen"))
        self._update_bar()

    # --- search, filter, level -----------------------------------------------------------------------
    def _current_query(self) -> Query | None:
        level = LEVEL_STEPS[self.level_step]
        if self.query is None and level is None:
            return None
        base = self.query or Query("")
        return Query(base.pattern, base.mode, level, base.since, base.until, base.filters)

    def _restart_search(self) -> None:
        query = self._current_query()
        self.hits, self.hit_spans, self.stamps, self.searched_to = array("Q"), array("Q"), [], 0
        self.view.set_query(self.query)
        if query is None or self.source is None:
            self.view.set_subset(None)
            self.workers.cancel_group(self, "logs-search")
            self._generation += 1
            self.searching = False
        else:
            self._search(query, 0)
        self._update_bar()

    def _search(self, query: Query, start: int) -> None:
        self.searching = True
        self._generation += 1
        self._base = (array("Q", self.hits), array("Q", self.hit_spans), list(self.stamps)) if start else (array("Q"), array("Q"), [])
        self._search_worker(query, start, self._generation)

    @work(exclusive=True, group="logs-search", exit_on_error=False, thread=True, name="logs.search")
    def _search_worker(self, query: Query, start: int, generation: int) -> None:
        worker = get_current_worker()
        source = self.source
        assert source is not None
        rows, spans, stamps = array("Q"), array("Q"), []
        end = source.row_count()
        last_post = time.monotonic()
        for hit in source.search(query, start, cancelled=lambda: worker.is_cancelled):
            if hit.row >= end:
                break
            rows.append(hit.row)
            spans.append(hit.record.end_line - hit.record.line + 1)
            stamps.append(hit.record.timestamp)
            if time.monotonic() - last_post > 0.2:
                self.post_message(self.SearchProgress(generation, array("Q", rows), array("Q", spans), list(stamps), False, end))
                last_post = time.monotonic()
        if not worker.is_cancelled:
            self.post_message(self.SearchProgress(generation, rows, spans, stamps, True, end))

    @on(SearchProgress)
    def _search_progress(self, message: SearchProgress) -> None:
        if message.generation != self._generation:
            return  # a search that was replaced by a newer one
        had_hits = bool(self.hits)
        base_rows, base_spans, base_stamps = self._base
        self.hits = base_rows + message.rows
        self.hit_spans = base_spans + message.spans
        self.stamps = base_stamps + message.stamps
        if message.done:
            self.searching = False
            self.searched_to = message.end
        if self._filter_active():
            self.view.set_subset(self._subset())
        if not had_hits and self.hits and self.query is not None and not self._filter_active() and not self.view.follow:
            self._goto_hit(1)
        elif not had_hits and self.hits and self.query is not None and not self._filter_active():
            self.view.follow = False
            self.view.move_to(self.view.view_row(self.hits[-1]))
        self._update_bar()

    def _filter_active(self) -> bool:
        return self.filtering or (self.query is None and LEVEL_STEPS[self.level_step] is not None)

    def _subset(self) -> array:
        rows = array("Q")
        for row, span in zip(self.hits, self.hit_spans):
            rows.extend(range(row, row + span))
        return rows

    def _goto_hit(self, direction: int) -> None:
        if not self.hits:
            return
        here = self.view.source_row(self.view.cursor)
        if direction > 0:
            later = [r for r in self.hits if r > here] if here < self.hits[-1] else []
            target = later[0] if later else self.hits[0]
        else:
            earlier = [r for r in self.hits if r < here] if here > self.hits[0] else []
            target = earlier[-1] if earlier else self.hits[-1]
        self.view.follow = False
        self.view.move_to(self.view.view_row(target))

    def action_hit(self, direction: int) -> None:
        self._goto_hit(direction)
        self._update_bar()

    def action_toggle_filter(self) -> None:
        if self.query is None:
            self.notify("search first (/), then f shows only the matching records", markup=False)
            return
        self.filtering = not self.filtering
        self.view.set_subset(self._subset() if self.filtering else None)
        self._update_bar()

    def action_level(self) -> None:
        self.level_step = (self.level_step + 1) % len(LEVEL_STEPS)
        self._restart_search()

    def action_clear(self) -> None:
        if self.asking:
            self._close_input()
            return
        self.query, self.filtering, self.level_step = None, False, 0
        self._restart_search()

    # --- the input line: search text, time jump, save path -----------------------------------------
    def action_ask(self, what: str) -> None:
        box = self.query_one(Input)
        self.asking = what
        box.placeholder = {
            "search": "search: text (case-insensitive), /regex/, \"Exact Case\", and filters like service=api level>=error",
            "time": "jump to: 14:05, 14:05:30, -10m, +1h or 2024-05-01T14:05",
            "save": "save matching records (or the record at the cursor) to file",
        }[what]
        box.value = {"save": "mlops-tui-logs.txt", "time": "", "search": self._query_text()}[what]
        self.add_class("-asking")
        focus_now(box)

    def action_search(self) -> None:
        """The app's `/`: the search line."""
        self.action_ask("search")

    def _query_text(self) -> str:
        if self.query is None:
            return ""
        parts = [f"{f.key}{f.op}{f.value}" for f in self.query.filters]
        pattern = self.query.pattern
        if pattern:
            pattern = f"/{pattern}/" if self.query.mode is Mode.REGEX else f'"{pattern}"' if self.query.mode is Mode.LITERAL else pattern
            parts.insert(0, pattern)
        return " ".join(parts)

    def _close_input(self) -> None:
        self.asking = None
        self.remove_class("-asking")
        self.view.focus()

    @on(Input.Submitted, "#logs-input")
    def _submitted(self, event: Input.Submitted) -> None:
        what, value = self.asking, event.value.strip()
        self._close_input()
        try:
            if what == "search":
                self.query = parse_search(value)
                self._restart_search()
            elif what == "time" and value:
                self._jump(self._target_time(value))
            elif what == "save" and value:
                self._save(value)
        except (QueryError, ValueError) as exc:
            self.notify(sanitize(str(exc), 300), severity="error", markup=False)

    def _target_time(self, text: str) -> datetime:
        record = self.view.record(self.view.cursor)
        here = record.timestamp if record is not None and record.timestamp else datetime.now().astimezone()
        import re

        match = re.fullmatch(r"([+-])(\d+(?:\.\d+)?)([smhd])", text)
        if match:
            sign = 1 if match.group(1) == "+" else -1
            seconds = float(match.group(2)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(3)]
            return here + timedelta(seconds=sign * seconds)
        match = re.fullmatch(r"(\d{1,2}):(\d\d)(?::(\d\d))?", text)
        if match:
            hh, mm, ss = (int(g or 0) for g in match.groups())
            return here.replace(hour=hh, minute=mm, second=ss, microsecond=0)
        stamp = parse_timestamp(text)
        if stamp is None:
            raise ValueError(f"not a time: {text!r} (try 14:05, -10m, +1h or 2024-05-01T14:05)")
        return stamp

    @work(exclusive=True, group="logs-jump", exit_on_error=False, thread=True, name="logs.jump")
    def _jump(self, when: datetime) -> None:
        assert self.source is not None
        self.post_message(self.JumpTo(self.source.row_at_time(when)))

    @on(JumpTo)
    def _jumped(self, message: JumpTo) -> None:
        self.view.follow = False
        self.view.move_to(self.view.view_row(min(message.row, max(0, self.source.row_count() - 1))))
        self._update_bar()

    @work(exclusive=True, group="logs-save", exit_on_error=False, thread=True, name="logs.save")
    def _save(self, path: str) -> None:
        source = self.source
        if source is None:
            return
        rows = list(self.hits) if self.query is not None or LEVEL_STEPS[self.level_step] else [self.view.source_row(self.view.cursor)]
        try:
            with open(Path(path).expanduser(), "x", encoding="utf-8", errors="surrogateescape") as handle:
                for row in rows:
                    handle.write(source.record_at(row).raw + "\n")
        except OSError as exc:
            self.app.notify(sanitize(f"not saved: {exc.strerror or exc}: {path}", 300), severity="error", markup=False)
            return
        self.app.notify(sanitize(f"saved {len(rows):,} record(s) to {path}", 300), markup=False)

    # --- detail and copy ------------------------------------------------------------------------------
    def _cursor_record(self):
        if self.source is None or not self.view.row_count:
            return None
        if self.view.previewing:
            return self.view.record(self.view.cursor)
        return self.source.record_at(self.view.source_row(self.view.cursor))

    def action_detail(self) -> None:
        record = self._cursor_record()
        if record is not None:
            self.app.push_screen(RecordDetail(record))

    def action_copy(self) -> None:
        record = self._cursor_record()
        if record is not None:
            self.app.copy_to_clipboard(record.raw)
            self.notify(f"copied line {record.line} ({len(record.raw):,} characters)", markup=False)

    # --- the bar under the list -------------------------------------------------------------------------
    @on(LogView.CursorMoved)
    def _cursor_moved(self) -> None:
        self._update_bar()

    def _update_bar(self) -> None:
        view = self.query_one(LogView)
        self.set_class(not view.follow, "-paused")
        parts = []
        if self.source is not None:
            total = self.source.row_count()
            shown = view.row_count
            where = view.source_row(view.cursor) + 1 if shown else 0
            if view.previewing:
                parts.append("end of file (line numbers once indexed)")
            else:
                parts.append(f"line {where:,}/{total:,}" + (f" ({shown:,} shown)" if view.subset is not None else ""))
            if not self.source.complete:
                parts.append(f"indexing {self.source.progress:.0%}")
        parts.append("▶ following" if view.follow else "⏸ paused (End follows)")
        level = LEVEL_STEPS[self.level_step]
        if level is not None:
            parts.append(f"level ≥ {level.label}")
        if self.query is not None:
            text = self._query_text()
            count = f"{len(self.hits):,} hit" + ("" if len(self.hits) == 1 else "s") + ("…" if self.searching else "")
            bars = histogram(self.stamps, 16).bars() if self.stamps else ""
            parts.append(f"{text}: {count} {bars}".rstrip())
            if self.filtering:
                parts.append("filter")
        elif level is not None:
            parts.append(f"{len(self.hits):,} records" + ("…" if self.searching else ""))
        self.query_one("#logs-bar", Static).update(literal(" · ".join(parts)))


def parse_search(text: str) -> Query | None:
    """The search box: `/regex/`, `"exact case"`, otherwise case-insensitive text; plus key=value filters."""
    text = text.strip()
    if not text:
        return None
    if len(text) >= 2 and text.startswith("/") and "/" in text[1:]:
        end = text.rindex("/")
        rest = Query.from_text(text[end + 1:])
        return Query(text[1:end], Mode.REGEX, filters=rest.filters)
    if len(text) >= 2 and text.startswith('"') and '"' in text[1:]:
        end = text.index('"', 1)
        rest = Query.from_text(text[end + 1:])
        return Query(text[1:end], Mode.LITERAL, filters=rest.filters)
    return Query.from_text(text, Mode.IGNORE_CASE)
