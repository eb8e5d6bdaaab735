"""The Local view: what the sampling thread reads from a LocalSampler, drawn as gauges, bars, history and
the process table."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input
from textual.worker import Worker, get_current_worker

from mlops_tui.messages import SourceStatusChanged
from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.metrics.local import LocalMetricSource, LocalSampler, LocalSnapshot, rank_processes
from mlops_tui.sources.units import human_bytes, human_duration, human_percent, human_rate
from mlops_tui.sources.metrics.ringbuffer import History
from mlops_tui.widgets.metrics.bars import CoreBars, Gauge
from mlops_tui.widgets.metrics.charts import ChartSeries, SeriesList, ZoomChart
from mlops_tui.widgets.metrics.gpus import GpuSection
from mlops_tui.widgets.metrics.processes import PinnedList, ProcessTable
from mlops_tui.textual_compat import shown_at_last_paint
from mlops_tui.widgets.lines import InfoLine
from mlops_tui.widgets.pane import FailureReporter, SourceNote, focus_now
from mlops_tui.widgets.text import sanitize

WIDE = 120
"""Columns from which resources and processes sit side by side."""


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
    LocalMetricsView.-wide #resources { height: 1fr; }
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
        with Horizontal(id="local-body"):
            with VerticalScroll(id="resources"):
                with Horizontal(id="gauges"):
                    yield Gauge("cpu", id="cpu-gauge")
                    yield Gauge("mem", id="mem-gauge")
                    yield Gauge("swap", id="swap-gauge")
                yield InfoLine(id="cpu-info", classes="info")
                yield CoreBars(id="cores")
                yield InfoLine(id="io-info", classes="info")
                yield Vertical(id="fs")
                yield GpuSection(self.settings.thresholds, id="gpus")
                yield SeriesList(self.history, id="series")
                yield ZoomChart(self.history, self.settings.interval, id="zoom")
            with Vertical(id="procs"):
                yield InfoLine(id="proc-title")  # the filter box goes under it when `/` first asks for it
                yield ProcessTable(sort=self.settings.process_sort, id="proc-table")
                yield PinnedList(id="pinned")

    def on_mount(self) -> None:
        self._update_title()
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
    def _visible(self, widget) -> bool:
        """Whether widget was on screen at the last paint. Refreshing one that is not (another pane or tab
        is shown, or it is scrolled away) makes Textual rebuild its whole widget map, so it waits."""
        return shown_at_last_paint(widget)

    def on_show(self) -> None:
        if self._pending is not None:
            self.call_after_refresh(self._apply_pending)

    def _apply_pending(self) -> None:
        if self._pending is not None:
            snapshot, self._pending = self._pending, None
            self.apply(snapshot)

    def on_sampled(self, message: Sampled) -> None:
        first = self.snapshot is None
        if not first and not self._visible(self):
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
        t = self.settings.thresholds
        cpu, mem, swap = snap.cpu, snap.memory, snap.swap
        self.query_one("#cpu-gauge", Gauge).set(cpu.total, human_percent(cpu.total), t.cpu_warning, t.cpu_critical)
        self.query_one("#mem-gauge", Gauge).set(mem.percent, human_percent(mem.percent), t.memory_warning,
                                                t.memory_critical)
        self.query_one("#swap-gauge", Gauge).set(swap.percent, human_percent(swap.percent), t.swap_warning,
                                                 t.swap_critical)
        load = " ".join(f"{v:.2f}" for v in cpu.load) if cpu.load else "-"
        self._set_line("#cpu-info", f"load {load}  iowait {human_percent(cpu.iowait)}  steal {human_percent(cpu.steal)}  "
                       f"procs {snap.process_count if snap.process_count is not None else '-'}  "
                       f"up {human_duration(snap.uptime)}")
        self.query_one("#cores", CoreBars).set_values(cpu.per_core, t.cpu_warning, t.cpu_critical)
        active = [n for n in snap.network if n.rx or n.tx] or snap.network[:2]
        nets = "  ".join(f"{sanitize(n.interface, 12)} ↓{human_rate(n.rx)} ↑{human_rate(n.tx)}" for n in active)
        self._set_line("#io-info", f"disk r {human_rate(snap.disk_read)} w {human_rate(snap.disk_write)}  "
                                   f"net {nets or '-'}")
        self._show_filesystems(snap)
        self.query_one(GpuSection).show(snap.gpu)
        self._show_series(snap)
        self._show_processes(snap)
        note = self.query_one("#local-note", SourceNote)
        if snap.errors:
            reasons = "; ".join(f"{k}: {v}" for k, v in snap.errors.items())
            note.show(SourceStatus(self.source.name, SourceState.OK, f"unavailable: {reasons}"))
        note.set_class(bool(snap.errors), "-shown")

    def _set_line(self, selector: str, text: str) -> None:
        self.query_one(selector, InfoLine).set_text(text)  # repaints only when the text changed

    def _show_filesystems(self, snap: LocalSnapshot) -> None:
        box = self.query_one("#fs", Vertical)
        gauges = list(box.query(Gauge))
        if len(gauges) != len(snap.filesystems):
            box.remove_children()
            gauges = [Gauge("", label_width=10) for _ in snap.filesystems]
            box.mount_all(gauges)
        t = self.settings.thresholds
        for fs, gauge in zip(snap.filesystems, gauges):
            text = "unreadable" if fs.percent is None else f"{fs.percent:.0f}% {human_bytes(fs.free)} free"
            gauge.set(fs.percent, text, t.disk_warning, t.disk_critical, label=fs.mountpoint)

    def _show_series(self, snap: LocalSnapshot) -> None:
        series = [ChartSeries("cpu", "cpu", "%"), ChartSeries("memory", "memory", "%"), ChartSeries("swap", "swap", "%"),
                  ChartSeries("iowait", "iowait", "%"), ChartSeries("disk.read", "disk read", "B/s"),
                  ChartSeries("disk.write", "disk write", "B/s"), ChartSeries("net.rx", "net rx", "B/s"),
                  ChartSeries("net.tx", "net tx", "B/s")]
        for gpu in snap.gpu.gpus:
            series += [ChartSeries(f"gpu{gpu.index}.util", f"gpu{gpu.index}", "%"),
                       ChartSeries(f"gpu{gpu.index}.memory", f"gpu{gpu.index} mem", "%")]
        for proc in snap.pinned:
            series += [ChartSeries(f"pid{proc.pid}.cpu", f"{proc.pid} cpu", "%"),
                       ChartSeries(f"pid{proc.pid}.rss", f"{proc.pid} rss", "B")]
        listing = self.query_one(SeriesList)
        if [s.name for s in series] != [s.name for s in listing.series]:
            listing.set_series(series)
        elif self._visible(listing):  # scrolled away: drawn again at the first tick it is in view
            listing.refresh()
        chart = self.query_one(ZoomChart)
        if self._visible(chart) or chart.series != listing.focused_series:
            chart.show(listing.focused_series)

    def _show_processes(self, snap: LocalSnapshot) -> None:
        table = self.query_one(ProcessTable)
        table.pinned = set(self.source.pinned)
        rows = rank_processes(snap.processes, self.source.sort, self.source.filter_text, self.source.top)
        table.show(rows)
        self.query_one(PinnedList).show(snap.pinned, self.history)
        self._update_title(len(rows))

    def _update_title(self, shown: int | None = None) -> None:
        source = self.source
        title = f"processes by {source.sort}"
        if source.filter_text:
            title += f" matching {sanitize(source.filter_text, 30)!r}"
        if shown is not None:
            title += f": {shown} shown"
        title += "  (s sort, / filter, p pin)"
        self.query_one("#proc-title", InfoLine).set_text(title)

    # keys --------------------------------------------------------------------------------------------------
    def action_focus_series(self, step: int) -> None:
        listing = self.query_one(SeriesList)
        listing.move(step)
        self.query_one(ZoomChart).show(listing.focused_series)

    async def open_filter(self) -> None:
        """Show the filter box (mounted the first time: most sessions never filter) and focus it."""
        box = self._filter_box()
        if box is None:
            box = Input(placeholder="filter processes by name (Enter: apply, Esc: clear)", id="proc-filter")
            await self.query_one("#procs").mount(box, after="#proc-title")
        box.add_class("-shown")
        focus_now(box)

    def _filter_box(self) -> Input | None:
        found = self.query("#proc-filter")
        return found.first(Input) if found else None

    @on(Input.Submitted, "#proc-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self._set_filter(event.value.strip())
        self.query_one(ProcessTable).focus()

    @on(Input.Changed, "#proc-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._set_filter(event.value.strip(), resample=False)

    def on_key(self, event) -> None:
        box = self._filter_box()
        if event.key == "escape" and box is not None and box.has_focus:
            event.stop()
            box.value = ""
            box.remove_class("-shown")
            self._set_filter("")
            self.query_one(ProcessTable).focus()

    def _set_filter(self, text: str, resample: bool = True) -> None:
        self.source.filter_text = text
        self._redraw_processes()
        if resample:
            self.resample()

    @on(ProcessTable.SortChanged)
    def _sort_changed(self, event: ProcessTable.SortChanged) -> None:
        self.source.sort = event.sort
        self._redraw_processes()
        self.resample()

    @on(ProcessTable.PinToggled)
    def _pin_toggled(self, event: ProcessTable.PinToggled) -> None:
        if event.pid in self.source.pinned:
            self.source.unpin(event.pid)
            self.history.forget(f"pid{event.pid}.{key}" for key in ("cpu", "rss", "threads", "files"))
            self.notify(f"unpinned {event.pid}", timeout=2)
        else:
            self.source.pin(event.pid)
            self.notify(f"pinned {event.pid}: its history shows under the process table", timeout=2)
        self._redraw_processes()
        self.resample()

    def _redraw_processes(self) -> None:
        if self.snapshot is not None:
            self._show_processes(self.snapshot)
        else:
            self._update_title()
