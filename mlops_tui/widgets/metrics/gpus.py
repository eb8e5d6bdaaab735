"""GPUs: a gauge and a process line per board, or one line saying why there are none."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from mlops_tui.settings.metrics import Thresholds
from mlops_tui.sources.metrics.gpu import GpuReport
from mlops_tui.sources.units import human_bytes
from mlops_tui.widgets.metrics.bars import Gauge
from mlops_tui.widgets.text import literal, sanitize


class GpuSection(Vertical):
    DEFAULT_CSS = """
    GpuSection { height: auto; }
    GpuSection > .gpu-note { color: $text-muted; text-style: italic; height: auto; }
    GpuSection > .gpu-procs { color: $text-muted; height: auto; padding-left: 6; }
    """

    def __init__(self, thresholds: Thresholds, **kwargs) -> None:
        super().__init__(**kwargs)
        self.thresholds = thresholds
        self._shape: tuple = ()
        self._note = ""
        self.shown_text: dict[int, str] = {}
        """The text each GPU's process line shows, by position: it is updated only when it changes."""

    def compose(self) -> ComposeResult:
        yield Static("gpu: waiting for the first sample", classes="gpu-note")

    def show(self, report: GpuReport) -> None:
        shape = (report.available, len(report.gpus))
        if shape != self._shape:
            self._shape = shape
            self.remove_children()
            self.shown_text = {}
            if not report.available:
                self._note = report.note
                self.mount(Static(literal(f"gpu: {report.note}"), classes="gpu-note"))
            else:
                for gpu in report.gpus:
                    self.mount(Gauge(f"gpu{gpu.index}", classes="gpu-gauge"), Static(classes="gpu-procs"))
        if not report.available:
            notes = self.query(".gpu-note")
            if notes and report.note != self._note:
                self._note = report.note
                notes.first(Static).update(literal(f"gpu: {report.note}"))
            return
        gauges = list(self.query(Gauge))
        procs = list(self.query(".gpu-procs").results(Static))
        t = self.thresholds
        for position, (gpu, gauge, line) in enumerate(zip(report.gpus, gauges, procs)):
            temp = "-" if gpu.temperature is None else f"{gpu.temperature:.0f}°C"
            power = "-" if gpu.power is None else f"{gpu.power:.0f}W"
            util = "-" if gpu.utilization is None else f"{gpu.utilization:.0f}%"
            gauge.set(gpu.utilization, f"{util} mem {human_bytes(gpu.memory_used)}/{human_bytes(gpu.memory_total)} "
                      f"{temp} {power}", t.gpu_warning, t.gpu_critical, judged=gpu.memory_percent)
            names = ", ".join(f"{p.pid} {sanitize(p.name or '?', 24)} {human_bytes(p.memory_used)}"
                              for p in gpu.processes[:4]) or "no processes"
            errors = "; ".join(f"{k}: {v}" for k, v in gpu.errors.items())
            text = f"{sanitize(gpu.name or '?')}: {names}" + (f"  ({errors})" if errors else "")
            if self.shown_text.get(position) != text:  # an update re-lays the screen out: only on change
                self.shown_text[position] = text
                line.update(literal(text))
