"""The resources half of the Local view: gauges, info lines, cores, filesystems, GPUs and the series history."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll

from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.sources.metrics.local import LocalSnapshot, interfaces_by_traffic
from mlops_tui.sources.metrics.ringbuffer import History
from mlops_tui.sources.units import human_bytes, human_duration, human_percent, human_rate
from mlops_tui.textual_compat import shown_at_last_paint
from mlops_tui.widgets.lines import InfoLine
from mlops_tui.widgets.metrics.bars import CoreBars, Gauge
from mlops_tui.widgets.metrics.charts import ChartSeries, SeriesList, ZoomChart
from mlops_tui.widgets.metrics.gpus import GpuSection
from mlops_tui.widgets.text import sanitize

BASE_SERIES = (("cpu", "cpu", "%"), ("memory", "memory", "%"), ("swap", "swap", "%"), ("iowait", "iowait", "%"),
               ("disk.read", "disk read", "B/s"), ("disk.write", "disk write", "B/s"), ("net.rx", "net rx", "B/s"),
               ("net.tx", "net tx", "B/s"))


def snapshot_series(snap: LocalSnapshot) -> list[ChartSeries]:
    """The series listed under the resources for a snapshot: the machine's, each GPU's, each pinned process's."""
    series = [ChartSeries(*item) for item in BASE_SERIES]
    for gpu in snap.gpu.gpus:
        series += [ChartSeries(f"gpu{gpu.index}.util", f"gpu{gpu.index}", "%"),
                   ChartSeries(f"gpu{gpu.index}.memory", f"gpu{gpu.index} mem", "%")]
    for proc in snap.pinned:
        series += [ChartSeries(f"pid{proc.pid}.cpu", f"{proc.pid} cpu", "%"),
                   ChartSeries(f"pid{proc.pid}.rss", f"{proc.pid} rss", "B")]
    return series


class ResourcesPanel(VerticalScroll):
    """Draws a snapshot's resources. A widget not on screen at the last paint (scrolled away, another pane or
    tab shown) waits: refreshing it makes Textual rebuild its whole widget map."""

    def __init__(self, settings: MetricsSettings, history: History, **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings, self.history = settings, history

    def compose(self) -> ComposeResult:
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

    def show(self, snap: LocalSnapshot) -> None:
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
        active = interfaces_by_traffic(snap.network)[:2]  # up ones carrying traffic first; never a down one
        nets = "  ".join(f"{sanitize(n.interface, 12)} ↓{human_rate(n.rx)} ↑{human_rate(n.tx)}" for n in active)
        self._set_line("#io-info", f"disk r {human_rate(snap.disk_read)} w {human_rate(snap.disk_write)}  "
                                   f"net {nets or '-'}")
        self._show_filesystems(snap)
        self.query_one(GpuSection).show(snap.gpu)
        self._show_series(snap)

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
        series = snapshot_series(snap)
        listing = self.query_one(SeriesList)
        if [s.name for s in series] != [s.name for s in listing.series]:
            listing.set_series(series)
        elif shown_at_last_paint(listing):  # scrolled away: drawn again at the first tick it is in view
            listing.refresh()
        chart = self.query_one(ZoomChart)
        if shown_at_last_paint(chart) or chart.series != listing.focused_series:
            chart.show(listing.focused_series)

    def focus_series(self, step: int) -> None:
        """Chart the next (step 1) or previous (-1) series of the list."""
        listing = self.query_one(SeriesList)
        listing.move(step)
        self.query_one(ZoomChart).show(listing.focused_series)
