"""Drift pane: has the current sample drifted from the reference? One row per column, most drifted first.

The pane reads both samples with `drift_files` (sources/drift: the operation `mlops-tui drift` runs) in a
worker that reports how much of each file is read; each row shows the column's test, score, p-value, verdict
and two small histograms in the same bins and scale (reference, current). Enter opens a column's larger view
(both distributions bin by bin, the quantiles, every statistic); Escape goes back. Option: cwd= (the folder the
heading's paths are written relative to; default the working directory).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import ContentSwitcher, DataTable, Static
from textual.worker import Worker

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.settings.drift import DriftSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.sources.drift import DriftReport
from mlops_tui.sources.drift.view import detail_lines, number, small_histograms, verdict
from mlops_tui.widgets.fitted import Column, FittedTable
from mlops_tui.widgets.pane import Pane, SourceNote, describe_failure, focus_now
from mlops_tui.widgets.text import literal

STATUS_NAME = "drift"
COLUMNS = (Column("column", "column", shrink=12), Column("test", "test", keep=2), Column("score", "score"),
           Column("p-value", "p-value", keep=3), Column("verdict", "verdict"), Column("reference", "reference", keep=1),
           Column("current", "current", keep=1))
"""At 80 columns the p-value goes first (for a test that has one it is the score), then the test's name; the
column, its score and verdict always show, the histograms while both fit."""


class DriftPane(Pane):
    """Per-column drift of settings.current against settings.reference (two files, or two time windows of a
    log field or a metric series: drift.log_field / drift.metric)."""

    READS_OTHER_SECTIONS = True  # the windows' log files and metrics sources

    DEFAULT_CSS = """
    DriftPane #drift-title { height: auto; padding: 0 1; background: $panel; color: $foreground; }
    DriftPane #drift-title.-drift { color: $error; text-style: bold; }
    DriftPane #drift-views { height: 1fr; }
    DriftPane #drift-table { height: 1fr; }
    DriftPane #drift-detail-scroll { height: 1fr; }
    DriftPane #drift-detail { height: auto; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back to columns", id="drift.back"),
        Binding("r", "reload", "Reload", id="drift.reload"),
    ]

    @dataclass
    class Progress(Message):
        path: str
        share: float

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, DriftPane.Progress)

    @dataclass
    class Loaded(Message):
        generation: int
        report: DriftReport

    @dataclass
    class Failed(Message):
        generation: int
        reason: str

    def __init__(self, settings: DriftSettings, **options) -> None:
        super().__init__(id="drift-pane")
        self.settings = settings
        self.all_settings = options.get("all_settings")
        self.report: DriftReport | None = None
        self._generation = 0
        self._pair: tuple[str, str, str | None] | None = None  # set by compare(): (reference, current, repo)
        self.cwd = Path(options["cwd"]) if options.get("cwd") is not None else None  # (default: the working folder)

    def _shown(self, path: str) -> str:
        """path as the heading writes it: relative to the working folder when under it (the demo's long absolute
        temporary paths pushed the verdict's file names off an 80-column heading), else as given."""
        try:
            return str(Path(path).relative_to(self.cwd or Path.cwd())) if Path(path).is_absolute() else path
        except ValueError:
            return path

    def compose(self) -> ComposeResult:
        yield Static(id="drift-title")
        with ContentSwitcher(initial="drift-table", id="drift-views"):
            yield FittedTable(COLUMNS, id="drift-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="drift-detail-scroll"):
                yield Static(id="drift-detail")
        yield SourceNote()

    def on_mount(self) -> None:
        self.action_reload()

    def focus_default(self) -> None:
        focus_now(self.query_one("#drift-table", DataTable))

    def _show_status(self, status: SourceStatus) -> None:
        self.query_one(SourceNote).show(status)
        self.post_message(SourceStatusChanged(status))

    def compare(self, reference: str, current: str, repo: str | None = None) -> None:
        """Compare these two samples instead of the configured ones (the Models pane opens a model's here)."""
        self._pair = (reference, current, repo)
        self.action_back()
        self.action_reload()

    def action_reload(self) -> None:
        ref, cur, repo = self._pair or (self.settings.reference, self.settings.current, None)
        title = self.query_one("#drift-title", Static)
        if not (ref and cur):
            title.update(literal("no samples to compare"))
            self._show_status(SourceStatus.absent(
                STATUS_NAME, hint="set drift.reference=PATH and drift.current=PATH (CSV, JSON lines, Parquet), "
                                  "or run: mlops-tui drift REFERENCE CURRENT"))
            return
        self._generation += 1
        title.update(literal(f"{self._shown(cur)} against {self._shown(ref)}: reading"))
        self._show_status(SourceStatus.ok(STATUS_NAME, "reading"))
        self._load(self._generation, ref, cur, repo)

    @work(thread=True, exclusive=True, group="drift", exit_on_error=False)
    def _load(self, generation: int, reference: str, current: str, repo: str | None = None) -> None:
        from mlops_tui.sources.drift import DriftInputError, DriftReadError, drift_files

        windows = self._pair is None and (self.settings.log_field or self.settings.metric)
        try:
            if windows:
                report = self._windows(reference, current)
            else:
                report = drift_files(reference, current, list(self.settings.columns) or None,
                                     progress=lambda path, share: self.post_message(self.Progress(path, share)),
                                     repo=repo)
        except (DriftInputError, DriftReadError) as exc:
            self.post_message(self.Failed(generation, str(exc)))
            return
        self.post_message(self.Loaded(generation, report))

    def _windows(self, reference: str, current: str) -> DriftReport:
        """The configured log field or metric series over the two windows, taken now (blocking)."""
        from mlops_tui.sources.drift import compare
        from mlops_tui.sources.drift.windows import window_samples

        drift = self.settings
        return compare(*window_samples(self.all_settings, reference, current, log_field=drift.log_field,
                                       search=drift.search, metric=drift.metric, source=drift.source))

    def on_drift_pane_progress(self, message: Progress) -> None:
        if self.report is None or message.share < 1:
            self.query_one(SourceNote).update(literal(f"reading {message.path}: {message.share:.0%}"))

    def on_drift_pane_failed(self, message: Failed) -> None:
        if message.generation != self._generation:
            return
        self.query_one("#drift-title", Static).update(literal(message.reason))
        self._show_status(SourceStatus.failing(STATUS_NAME, message.reason))

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        self._show_status(SourceStatus.failing(STATUS_NAME, describe_failure(error)))

    def on_drift_pane_loaded(self, message: Loaded) -> None:
        if message.generation != self._generation:
            return
        self.report = report = message.report
        title = self.query_one("#drift-title", Static)
        state = "DRIFT" if report.dataset_drift else "no drift"
        title.update(literal(f"{state}: {len(report.drifted)} of {len(report.tested)} columns drifted "
                             f"({report.share:.0%}; drift at 50%): {self._shown(report.current)} against "
                             f"{self._shown(report.reference)}"))
        title.set_class(report.dataset_drift, "-drift")
        table = self.query_one("#drift-table", DataTable)
        table.clear()
        for column in report.columns:
            ref_bars, cur_bars = small_histograms(column)
            table.add_row(literal(column.column), column.test or "-", number(column.score), number(column.p_value),
                          verdict(column), ref_bars, cur_bars, key=column.column)
        sampled = sum(1 for c in report.columns if c.sampled)
        detail = f"{len(report.columns)} columns" + (f"; {sampled} numeric sampled (Enter: bounds)" if sampled else "")
        self._show_status(SourceStatus.ok(STATUS_NAME, detail))

    @on(DataTable.RowSelected, "#drift-table")
    def _open_column(self, event: DataTable.RowSelected) -> None:
        if self.report is None or event.row_key.value is None:
            return
        column = self.report.column(str(event.row_key.value))
        self.query_one("#drift-detail", Static).update(literal("\n".join(detail_lines(column))))
        self.query_one("#drift-views", ContentSwitcher).current = "drift-detail-scroll"
        focus_now(self.query_one("#drift-detail-scroll"))

    def action_back(self) -> None:
        self.query_one("#drift-views", ContentSwitcher).current = "drift-table"
        self.focus_default()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.query_one("#drift-views", ContentSwitcher).current == "drift-detail-scroll"
        return True
