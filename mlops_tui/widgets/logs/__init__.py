"""Logs pane: follow and search log files (and, behind the same LogSource interface, search engines).

The pane renders a `LogsModel` (sources/logs/controller: query, level, hits, search generations) and
turns keys into its calls; the input line is `ask.AskLine`, the bar text `bar.bar_text`.
"""

from __future__ import annotations

import os
import time
from array import array
from dataclasses import dataclass, replace
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.settings.logs import LogsSettings
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.logs import LogOpenError, LogSource, QueryError, custom_formats, open_files
from mlops_tui.sources.logs.controller import LEVEL_STEPS, LogsModel, default_files, parse_search
from mlops_tui.sources.logs.query import Query
from mlops_tui.sources.logs.record import masked
from mlops_tui.widgets.logs.ask import AskLine
from mlops_tui.widgets.logs.bar import bar_text
from mlops_tui.widgets.logs.clusters import ClusterSwitch
from mlops_tui.widgets.logs.detail import RecordDetail
from mlops_tui.widgets.logs.patterns import PatternsSwitch, PatternsView
from mlops_tui.widgets.logs.rules import RuleFilters
from mlops_tui.widgets.logs.search import SearchRuns
from mlops_tui.widgets.logs.view import LogView
from mlops_tui.widgets.pane import Pane, SourceNote, focus_now
from mlops_tui.widgets.text import literal, sanitize

__all__ = ["LEVEL_STEPS", "LogsPane", "parse_search"]
FIRST_BUDGET = 256 * 1024  # bytes indexed before the first screen is drawn
INDEX_BUDGET = 64 * 1024 * 1024  # bytes indexed between two repaints while a big file opens


class LogsPane(ClusterSwitch, PatternsSwitch, AskLine, SearchRuns, RuleFilters, Pane):
    """Tail and search of log files: follow, search, filter, level filter, time jump, detail, save, copy."""

    DEFAULT_CSS = """
    LogsPane #logs-bar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    LogsPane.-paused #logs-bar { color: $warning; }
    LogsPane #logs-input { display: none; height: 3; border: tall $accent; }
    LogsPane.-asking #logs-input { display: block; }
    LogsPane.-error #logs-note { color: $error; }
    LogsPane PatternsView { display: none; }
    LogsPane.-patterns PatternsView { display: block; }
    LogsPane.-patterns #logs-view, LogsPane.-patterns #logs-bar { display: none; }
    """
    BINDINGS = [
        Binding("slash", "ask('search')", "Search", id="logs.search"),
        Binding("p", "patterns", "Patterns", id="logs.patterns"),
        Binding("n", "hit(1)", "Next hit", id="logs.next"),
        Binding("N", "hit(-1)", "Prev hit", id="logs.previous"),
        Binding("e", "level_jump('error', 1)", "Next error", show=False, id="logs.next_error"),
        Binding("E", "level_jump('error', -1)", "Prev error", show=False, id="logs.previous_error"),
        Binding("w", "level_jump('warning', 1)", "Next warning", show=False, id="logs.next_warning"),
        Binding("W", "level_jump('warning', -1)", "Prev warning", show=False, id="logs.previous_warning"),
        Binding("f", "toggle_filter", "Filter", id="logs.filter"),
        Binding("l", "level", "Level", id="logs.level"),
        Binding("t", "ask('time')", "Time jump", id="logs.time"),
        Binding("enter", "detail", "Detail", id="logs.detail"),
        Binding("c", "copy", "Copy", id="logs.copy"),
        Binding("s", "ask('save')", "Save", id="logs.save"),
        Binding("o", "ask('open')", "Open file", show=False, id="logs.open"),
        Binding("plus", "ask('keep_rule')", "Rule: only matching", show=False, id="logs.rule_in"),
        Binding("minus", "ask('hide_rule')", "Rule: hide matching", show=False, id="logs.rule_out"),
        Binding("x", "ask('unrule')", "Remove rule", show=False, id="logs.rule_remove"),
        Binding("escape", "clear", "Clear", id="logs.clear"),
        Binding("v", "next_source", "Source", id="logs.source"),  # files, then each cluster (cluster.py)
    ]
    FOOTER_FIRST = ("app.search", "logs.search", "logs.level", "logs.filter", "logs.source", "logs.time",
                    "logs.detail", "logs.next", "logs.previous")
    """At 80 columns: lnav's search, level and filter first, then the way to a cluster (widgets/footer.py)."""

    @dataclass
    class Grew(Message):
        """The source indexed more rows or was refreshed (coalesced: one repaint per burst)."""

        status: SourceStatus

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogsPane.Grew)

    @dataclass
    class Opened(Message):
        source: LogSource
        preview: list | None = None

    @dataclass
    class SearchProgress(Message):
        """Hits of one search run so far (rows from its start); `done` when it reached the end."""

        generation: int
        rows: array
        spans: array
        stamps: list
        done: bool
        end: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogsPane.SearchProgress) and not message.done

    @dataclass
    class JumpTo(Message):
        row: int

    def __init__(self, settings: LogsSettings, source: LogSource | None = None, poll_interval: float | None = None,
                 index_budget: int = INDEX_BUDGET, show_cluster: str | None = None, **kwargs) -> None:
        super().__init__(id="logs-pane")
        self.settings = settings
        self.show_first = show_cluster  # the configured cluster shown first (the demo's --search-engine)
        self.source: LogSource | None = None
        self._given = source
        self.poll_interval = settings.poll_interval if poll_interval is None else poll_interval
        self.index_budget = index_budget
        self.model = LogsModel()
        self.asking: str | None = None
        self.closed = False
        self.files: list[str] = []  # the files shown (`o` adds one)
        self.rules = []  # the stacked +/- filter rules (widgets/logs/rules)
        self._opening = False  # a new source is being opened: the one shown is closed once it is replaced

    def compose(self) -> ComposeResult:
        yield SourceNote(id="logs-note")
        yield LogView(max_line=self.settings.max_line_display, id="logs-view")
        yield PatternsView(id="logs-patterns")
        yield Static(id="logs-bar")
        yield Input(id="logs-input")
        yield from self.cluster_panels(self.settings)

    def on_mount(self) -> None:
        self.view = self.query_one(LogView)
        shared = getattr(self.app, "time_range", None)  # the app's shared range (Ctrl+T), typed before this pane was built
        if shared is not None:
            self.apply_time_range(shared, search=False)
        if self.show_first is not None:
            at = next((i for i, p in enumerate(self.clusters) if p.source.endpoint.name == self.show_first), None)
            if at is not None:
                self.call_after_refresh(self._show_cluster, at)
        files = self.files = default_files((), self.settings.files)
        if self._given is None:
            if not files:
                self._show(SourceStatus.absent("logs.files", "no log files: put them in ./logs/ or set logs.files=[PATH,...]"))
                self._update_bar()
                return
            self._show(SourceStatus("logs.files", SourceState.LOADING, f"opening {len(files)} file(s)"))
        self._feed(self._given, files)

    # read-only views of the model (tests wait on them); `query` is no longer shadowed: DOMNode.query stays
    hits = property(lambda self: self.model.hits)
    searching = property(lambda self: self.model.searching)

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
        self.post_message(SourceStatusChanged(status))

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
        self.post_message(self.Grew(source.status()))  # a small file is read whole above: it never grows again
        while not worker.is_cancelled and not self.closed:
            changed = source.refresh(None if source.complete else self.index_budget)
            if changed:
                self.post_message(self.Grew(source.status()))
            if source.complete:
                if not self.settings.follow:
                    self.post_message(self.Grew(source.status()))
                    return
                time.sleep(self.poll_interval)
        if worker.is_cancelled and given is None:  # replaced (`o`): close it once the pane no longer shows it
            while self.source is source and self._opening and not self.closed:
                time.sleep(0.05)
            if self.source is not source:
                source.close()

    def open_file(self, text: str) -> None:
        """`o`: show this file (or glob) with those shown, merged by time; a file that cannot be opened is
        named in a note and nothing changes."""
        path = os.path.expanduser(text)
        try:
            open_files([path], custom_formats(self.settings.formats), follow=False).close()  # opens, or says why
        except (LogOpenError, QueryError) as exc:
            self.notify(sanitize(f"not opened: {exc}", 300), severity="error", markup=False)
            return
        self.files = [*self.files, path] if path not in self.files else self.files
        self.workers.cancel_group(self, "logs-search")
        self.model.clear()
        self.clear_patterns()
        self.view.set_query(None)
        self.view.follow = True
        self._given = None
        self._opening = True
        self._show(SourceStatus("logs.files", SourceState.LOADING, f"opening {len(self.files)} file(s)"))
        self._feed(None, list(self.files))

    @on(Opened)
    def _opened(self, message: Opened) -> None:
        self._opening = False
        self.view.subset = self.view.wanted = None
        self.source = message.source
        self.view.set_source(message.source, labelled=hasattr(message.source, "sources"))
        if message.preview:
            self.view.set_preview(message.preview)
        if self.rules:
            self._apply_rules()
        if self.model.query is not None:  # a window asked before the file was open (show_window)
            self._restart_search()
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
        if self.source is not None and self.model.needs_continuation(self.source.row_count(), self.source.complete):
            self._search(self.model.query, self.model.searched_to)
        if self.source is not None and self.source.complete and self.rules_behind() and not any(
                w.group == "logs-rules" and w.is_running for w in self.workers):
            self._apply_rules()  # the rules cover the rows that grew too
        self._update_bar()

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """Keep the last rows and hits on screen; say what failed (FailureReporter calls this)."""
        if isinstance(error, (LogOpenError, QueryError)):
            reason = str(error)
        elif isinstance(error, OSError):
            reason = f"cannot read: {error.strerror or error}"
        else:
            reason = f"{type(error).__name__}: {error}"
        if worker.group == "logs-search":
            self.model.failed()
        if worker.group == "logs":
            self._opening = False
        self._show(SourceStatus.failing("logs.files", reason, "the last rows read stay on screen"))
        self._update_bar()

    # --- search, filter, level: the model decides, the pane starts runs and shows rows -------------------
    def _restart_search(self) -> None:
        self.view.set_query(self.model.query)
        run = self.model.restart(ready=self.source is not None)
        if run is None:
            self.view.set_subset(None)
            self.workers.cancel_group(self, "logs-search")
        else:
            self._search_worker(run[0], 0, run[1])
        self._update_bar()

    @on(SearchProgress)
    def _search_progress(self, message: SearchProgress) -> None:
        model = self.model
        had_hits = bool(model.hits)
        if not model.progress(message.generation, message.rows, message.spans, message.stamps, message.done, message.end):
            return  # a search that was replaced by a newer one
        if model.filter_active():
            self.view.set_subset(model.subset())
        if not had_hits and model.hits and model.query is not None and not model.filter_active():
            if self.view.follow:
                self.view.follow = False
                self.view.move_to(self.view.view_row(model.hits[-1]))
                self.view.reveal_match()
            else:
                self._goto_hit(1)
        self._update_bar()

    def action_clear(self) -> None:
        if self.asking:
            self._close_input()
            return
        self.model.clear()
        self.clear_patterns()
        self._restart_search()

    def apply_time_range(self, span: tuple[datetime, datetime] | None, search: bool = True) -> None:
        """The app's shared time range (Ctrl+T): the files show only the records in it (the search typed
        kept), every cluster view searches over it; None: no range (the clusters back to their `last ...`)."""
        query = self.model.query
        if span is None and query is not None and (query.since or query.until):
            query = replace(query, since=None, until=None)
            query = query if (query.pattern or query.structured) else None
        self.model.shared = span
        self.model.query = query = self.model.within_shared(query)
        self.model.filtering = query is not None
        for panel in self.clusters:
            panel.shared_range(span)
        if search:
            self._restart_search()

    def show_window(self, search: str, start: float, end: float, source: str = "") -> None:
        """Only the records from start to end (epoch seconds) matching `search` (the search box's grammar;
        empty: every record), as a filter: the Alerts pane shows a log-count alert's records this way. The
        next search typed replaces the window with its own query. `source` names a cluster (a log rule over
        logs.opensearch / logs.elasticsearch): its view, `search` as KQL over the window."""
        from datetime import datetime, timezone

        if source and source != "files":
            span = [datetime.fromtimestamp(moment, timezone.utc) for moment in (start, end)]
            if not self.show_cluster_window(source, search, *span):
                self.notify(f"no cluster named {source!r} in this pane (logs.opensearch, logs.elasticsearch)",
                            severity="error", markup=False)
            return

        try:
            query = parse_search(search) or Query("")
        except QueryError as exc:
            self.notify(f"cannot search {search!r}: {exc}", severity="error", markup=False)
            return
        self.model.query = replace(query, since=datetime.fromtimestamp(start, timezone.utc),
                                   until=datetime.fromtimestamp(end, timezone.utc))
        self.model.filtering = True
        self._restart_search()

    @on(JumpTo)
    def _jumped(self, message: JumpTo) -> None:
        self.view.follow = False
        self.view.move_to(self.view.view_row(min(message.row, max(0, self.source.row_count() - 1))))
        self._update_bar()

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
            raw = masked(record).raw  # as on screen: a secret field stays masked on the clipboard too
            self.app.copy_to_clipboard(raw)
            self.notify(f"copied line {record.line} ({len(raw):,} characters)", markup=False)

    # --- the bar under the list -------------------------------------------------------------------------
    @on(LogView.CursorMoved)
    def _cursor_moved(self) -> None:
        self._update_bar()

    def _update_bar(self) -> None:
        self.set_class(not self.view.follow, "-paused")
        text = " · ".join(part for part in (bar_text(self.model, self.view, self.source), self.rules_text()) if part)
        self.query_one("#logs-bar", Static).update(literal(text))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "ask" and parameters == ("unrule",) and not self.rules:
            return False  # no rule to remove: `x` is not offered
        return super().check_action(action, parameters)
