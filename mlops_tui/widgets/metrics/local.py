"""The Local view: the sampling thread reading a LocalSampler, and the snapshots it posts handed to the
resources panel (gauges, bars, history; resources.py) and the process panel (process_panel.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.worker import Worker, get_current_worker

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.metrics.local import LocalMetricSource, LocalSampler, LocalSnapshot
from mlops_tui.sources.metrics.ringbuffer import History
from mlops_tui.textual_compat import shown_at_last_paint
from mlops_tui.widgets.metrics.process_panel import ProcessPanel
from mlops_tui.widgets.metrics.resources import ResourcesPanel
from mlops_tui.widgets.pane import FailureReporter, SourceNote

WIDE = 120
"""Columns from which resources and processes sit side by side; the resources then take 56 columns (their
gauges and bars need no more) and the process table, whose COMMAND column needs the room, the rest."""


@dataclass
class Sampled(Message):
    """A new snapshot; a burst of them (the UI busy painting) collapses into the newest. It is for the view
    alone: bubbling, it would be dispatched to each of the ten ancestors up to the app on every tick."""

    bubble = False

    snapshot: LocalSnapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Sampled)


class LocalMetricsView(FailureReporter, Vertical):
    """CPU, memory, disks, network, GPUs and processes of this machine."""

    DEFAULT_CSS = """
    LocalMetricsView { height: 1fr; }
    LocalMetricsView #local-note { display: none; }
    LocalMetricsView #local-note.-shown { display: block; }
    LocalMetricsView #local-body { height: 1fr; layout: vertical; }
    LocalMetricsView.-wide #local-body { layout: horizontal; }
    LocalMetricsView #resources { height: 1fr; width: 1fr; scrollbar-size-vertical: 1; }
    LocalMetricsView.-wide #resources { height: 1fr; width: 56; }
    LocalMetricsView #procs { height: 1fr; width: 1fr; }
    LocalMetricsView.-wide #procs { width: 1fr; border-left: solid $panel-lighten-2; }
    LocalMetricsView #gauges { height: 1; }
    LocalMetricsView #gauges > Gauge { margin-right: 1; }
    LocalMetricsView .info { height: 1; color: $text-muted; }
    LocalMetricsView #fs { height: auto; }
    LocalMetricsView #proc-filter { display: none; height: 3; }
    LocalMetricsView #proc-filter.-shown { display: block; }
    LocalMetricsView #proc-title { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("right_square_bracket", "focus_series(1)", "Next series", id="metrics.next_series"),
        Binding("left_square_bracket", "focus_series(-1)", "Previous series", id="metrics.previous_series"),
    ]

    def __init__(self, settings: MetricsSettings, source: LocalSampler | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        # The first sample at once, without rates: the pane has figures in the frame it is built in
        self.source = source if source is not None else LocalMetricSource(top=settings.top_processes,
                                                                          first_at_once=True)
        self.source.sort = settings.process_sort
        self.history = History(settings.history, max_series=1024)
        self.snapshot: LocalSnapshot | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self.frames = 0
        self._pending: LocalSnapshot | None = None

    def compose(self) -> ComposeResult:
        yield SourceNote(id="local-note")
        self.resources = ResourcesPanel(self.settings, self.history, id="resources")
        self.processes = ProcessPanel(self.source, self.history, self.resample, self.settings.process_sort,
                                      id="procs")
        with Horizontal(id="local-body"):
            yield self.resources
            yield self.processes

    def on_mount(self) -> None:
        self.post_message(SourceStatusChanged(SourceStatus(self.source.name, SourceState.LOADING, "first sample")))
        self._sample()

    def on_unmount(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.source.close()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE, "-wide")

    # sampling --------------------------------------------------------------------------------------------
    @work(exclusive=True, group="metrics", exit_on_error=False, thread=True, name="metrics.local.sample")
    def _sample(self) -> None:
        worker = get_current_worker()
        while not worker.is_cancelled and not self._stopping.is_set():
            snapshot = self.source.sample()
            if snapshot is None:
                return  # a recording that has been replayed to its end
            self.history.record(snapshot.series())
            self.post_message(Sampled(snapshot))
            if self.source.paced:
                wait = self.settings.interval
                if not snapshot.window and self.source.warmup:  # levels only: rates come `warmup` later
                    wait = min(wait, self.source.warmup)
                self._wake.wait(wait)
                self._wake.clear()

    def resample(self) -> None:
        """Take the next sample now (after a sort, filter or pin change)."""
        self._wake.set()

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """The sampler raised: say so, and keep the last good values on screen."""
        status = SourceStatus.failing(self.source.name, f"sampling stopped: {type(error).__name__}: {error}",
                                      "the last good values stay on screen")
        note = self.query_one("#local-note", SourceNote)
        note.show(status)
        note.add_class("-shown")
        self.post_message(SourceStatusChanged(status))

    # drawing ---------------------------------------------------------------------------------------------
    def on_show(self) -> None:
        if self._pending is not None:
            self.call_after_refresh(self._apply_pending)

    def _apply_pending(self) -> None:
        if self._pending is not None:
            snapshot, self._pending = self._pending, None
            self.apply(snapshot)

    def on_sampled(self, message: Sampled) -> None:
        first = self.snapshot is None
        if not first and not shown_at_last_paint(self):  # drawing it hidden would rebuild the widget map
            self._pending = message.snapshot  # shown when the view is visible again
            return
        self._pending = None
        self.apply(message.snapshot)
        if first:
            cores = len(message.snapshot.cpu.per_core)
            self.post_message(SourceStatusChanged(SourceStatus.ok(self.source.name, f"{cores} cores")))

    def apply(self, snap: LocalSnapshot) -> None:
        """Show a snapshot (and the history recorded with it)."""
        self.snapshot = snap
        self.frames += 1
        self.resources.show(snap)
        self.processes.show(snap)
        note = self.query_one("#local-note", SourceNote)
        if snap.errors:
            reasons = "; ".join(f"{k}: {v}" for k, v in snap.errors.items())
            note.show(SourceStatus(self.source.name, SourceState.OK, f"unavailable: {reasons}"))
        note.set_class(bool(snap.errors), "-shown")

    # keys --------------------------------------------------------------------------------------------------
    def action_focus_series(self, step: int) -> None:
        self.resources.focus_series(step)

    async def open_filter(self) -> None:
        """Show the process filter box and focus it (the Metrics pane's `/`)."""
        await self.processes.open_filter()
