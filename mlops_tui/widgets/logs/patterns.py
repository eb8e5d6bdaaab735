"""The Logs pane's patterns view (`p`): the records grouped into templates (sources/logs/patterns), mined by a
named worker that posts each snapshot; Enter shows a template's records in the log list, `x` hides a template
(and shows it again), Esc goes back to the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import Worker, get_current_worker

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.logs import LogSource
from mlops_tui.sources.logs.patterns import PatternFilter, PatternMiner, Patterns, mine_patterns
from mlops_tui.widgets.pane import FailureReporter, describe_failure
from mlops_tui.widgets.text import literal, sanitize

SHOWN = 1000  # templates in the table (the most frequent); the header says how many there are
LEVEL_WORDS = {"critical": "crit", "notice": "note", "trace": "trace"}


class PatternsTable(DataTable):
    """The templates, one row each, most frequent first."""

    inherit_bindings = False
    BINDINGS = [
        Binding("enter", "show", "Show records", id="logs.patterns.show"),
        Binding("x", "exclude", "Hide/unhide", id="logs.patterns.exclude"),
        Binding("escape", "back", "Back to log", id="logs.patterns.back"),
        Binding("up", "cursor_up", "Up", show=False, id="logs.patterns.up"),
        Binding("down", "cursor_down", "Down", show=False, id="logs.patterns.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="logs.patterns.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="logs.patterns.page_down"),
        Binding("home", "scroll_top", "Top", show=False, id="logs.patterns.top"),
        Binding("end", "scroll_bottom", "Bottom", show=False, id="logs.patterns.bottom"),
        Binding("left", "cursor_left", "Left", show=False, id="logs.patterns.left"),
        Binding("right", "cursor_right", "Right", show=False, id="logs.patterns.right"),
    ]

    def action_show(self) -> None:
        self.post_message(PatternsView.Pick("show"))

    def action_exclude(self) -> None:
        self.post_message(PatternsView.Pick("exclude"))

    def action_back(self) -> None:
        self.post_message(PatternsView.Pick("back"))


class PatternsView(FailureReporter, Vertical):
    """Progress line and template table; owns the mining worker and the pattern filter it hands the pane."""

    source_name = "logs.patterns"
    DEFAULT_CSS = """
    PatternsView { height: 1fr; }
    PatternsView #patterns-note { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    PatternsView PatternsTable { height: 1fr; }
    """

    @dataclass
    class Mined(Message):
        """A snapshot of the mining run (coalesced: only the newest unfinished one is kept)."""

        result: Patterns

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, PatternsView.Mined) and not message.result.done

    @dataclass
    class Pick(Message):
        """A key on the table: show the template's records, or hide/unhide it."""

        what: str

    @dataclass
    class Closed(Message):
        """Back to the log list, showing the rows this filter lets through."""

        filter: PatternFilter

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source: LogSource | None = None
        self.miner: PatternMiner | None = None
        self.result: Patterns | None = None
        self.filter = PatternFilter()
        self._mining: Worker | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="patterns-note")
        table = PatternsTable(cursor_type="row", cell_padding=0, id="patterns-table")
        table.add_column(" Count ", key="count")
        table.add_column("Share ", key="share")
        table.add_column("Level ", key="level")
        table.add_column("First    ", key="first")
        table.add_column("Last     ", key="last")
        table.add_column("When         ", key="when")
        table.add_column("Template", key="template")
        yield table

    def focus_table(self) -> None:
        self.screen.set_focus(self.query_one(PatternsTable))

    # --- mining ---------------------------------------------------------------------------------------
    def mine(self, source: LogSource) -> None:
        """Mine the source (continuing where the last run stopped, if it is the same source)."""
        if source is not self.source:
            self.source, self.miner, self.result, self.filter = source, PatternMiner(), None, PatternFilter()
        if self._mining is not None and not self._mining.is_finished:
            return  # one run at a time adds to the miner
        if self.result is None or not self.result.done or self.result.rows < source.row_count():
            if self.result is None:
                self._note("mining…")
            self._mining = self._mine(source, self.miner)

    @work(exclusive=True, group="logs-patterns", exit_on_error=False, thread=True, name="logs.patterns")
    def _mine(self, source: LogSource, miner: PatternMiner) -> None:
        worker = get_current_worker()
        for result in mine_patterns(source, cancelled=lambda: worker.is_cancelled, miner=miner):
            self.post_message(self.Mined(result))

    @on(Mined)
    def _mined(self, message: Mined) -> None:
        result = self.result = message.result
        if result.done:
            status = SourceStatus.ok(self.source_name, f"{len(result.patterns):,} templates in {result.records:,} records")
        else:
            status = SourceStatus(self.source_name, SourceState.LOADING, f"mining {result.progress:.0%}")
        self.post_message(SourceStatusChanged(status))
        self._note()
        self._fill(result)

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """Keep the templates mined so far; say what failed."""
        reason = describe_failure(error)
        self._note(f"mining failed: {reason}")
        self.post_message(SourceStatusChanged(SourceStatus.failing(self.source_name, reason, "the templates mined so far stay")))

    # --- the table ------------------------------------------------------------------------------------
    def _note(self, text: str | None = None) -> None:
        result = self.result
        if text is None and result is not None:
            text = f"{len(result.patterns):,} templates in {result.records:,} records"
            if not result.done:
                text = f"mining {result.progress:.0%} · " + text
            if len(result.patterns) > SHOWN:
                text += f" · the {SHOWN:,} most frequent shown"
            if self.filter.active:
                text += " · " + self.filter.describe(result)
        self.query_one("#patterns-note", Static).update(literal(text or ""))

    def _fill(self, result: Patterns) -> None:
        table = self.query_one(PatternsTable)
        current = self._cursor_id()
        table.clear()
        day = result.start is not None and result.end is not None and result.start.date() == result.end.date()
        for pattern in result.patterns[:SHOWN]:
            hidden = pattern.id in self.filter.excluded
            level = pattern.level.label if pattern.level is not None else "-"
            text = ("✕ " if hidden else "") + sanitize(pattern.template, 300)
            table.add_row(
                f"{pattern.count:>6,} ", f"{pattern.share:>5.1%} ",
                LEVEL_WORDS.get(level, level)[:5] + " ", _when(pattern.first, day), _when(pattern.last, day),
                pattern.sparkline(12) + " ", Text(text, style="dim" if hidden else ""),
                key=str(pattern.id),
            )
        if current is not None and str(current) in table.rows:
            table.move_cursor(row=table.get_row_index(str(current)), animate=False)

    def _cursor_id(self) -> int | None:
        table = self.query_one(PatternsTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    @on(Pick)
    def _picked(self, message: Pick) -> None:
        template = self._cursor_id()
        if message.what == "back" or template is None or self.result is None:
            self.post_message(self.Closed(self.filter))
            return
        if message.what == "show":
            self.filter = PatternFilter(only=template)
            self.post_message(self.Closed(self.filter))
            return
        self.filter = self.filter.toggled(template)
        self._note()
        self._fill(self.result)

    def clear_filter(self) -> None:
        self.filter = PatternFilter()
        if self.result is not None:
            self._note()
            self._fill(self.result)


def _when(stamp: datetime | None, day: bool) -> str:
    if stamp is None:
        return "-        "
    return stamp.strftime("%H:%M:%S ") if day else stamp.strftime("%m-%d %H:%M ")


class PatternsSwitch:
    """Mixin of LogsPane: `p` switches between the log list and the patterns view; the view's filter narrows
    the list (`LogView.set_keep`); while the patterns show, the list's keys are off (not in the footer)."""

    LIST_ACTIONS = frozenset({"ask", "hit", "toggle_filter", "level", "detail", "copy", "clear", "level_jump"})

    def action_patterns(self) -> None:
        patterns = self.query_one(PatternsView)
        if self.has_class("-patterns"):
            self.post_message(PatternsView.Closed(patterns.filter))
            return
        if self.source is None:
            self.notify("no log records yet: patterns need a file", markup=False)
            return
        if self.asking:
            self._close_input()
        self.add_class("-patterns")
        patterns.mine(self.source)
        patterns.focus_table()
        self.refresh_bindings()

    def on_patterns_view_closed(self, message: PatternsView.Closed) -> None:
        message.stop()
        patterns = self.query_one(PatternsView)
        self.remove_class("-patterns")
        result = patterns.result
        if message.filter.active and result is not None:
            keep = message.filter
            self.view.follow = False
            self.view.set_keep(keep.rows(result.miner, result.rows), keep.accepts(result.miner, result.rows),
                               keep.describe(result))
            if keep.only is not None:
                self.view.move_to(0, center=False)  # the template's first record
        else:
            self.view.set_keep(None)
        self.view.focus()
        self.refresh_bindings()
        self._update_bar()

    def clear_patterns(self) -> None:
        """Esc on the list: the pattern filter goes too."""
        self.query_one(PatternsView).clear_filter()
        self.view.set_keep(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.LIST_ACTIONS and self.has_class("-patterns"):
            return False
        return True

    def action_search(self) -> None:
        """The app's `/` while the patterns show: back to the list (its filter kept), then the search line."""
        if self.has_class("-patterns"):
            self.on_patterns_view_closed(PatternsView.Closed(self.query_one(PatternsView).filter))
        super().action_search()
