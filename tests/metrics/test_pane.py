"""The Metrics pane driven with Pilot: what a user sees for recorded and live samples."""

from __future__ import annotations

import os
import time
from dataclasses import replace

import psutil

import pytest
from support.app_factory import make_app
from support.waits import until

from mlops_tui.sources.metrics.local import LocalSnapshot
from mlops_tui.sources.metrics.recorded import RecordedMetricSource, synthetic_snapshots
from mlops_tui.textual_compat import shown_at_last_paint
from mlops_tui.widgets.metrics import MetricsPane
from mlops_tui.widgets.metrics.bars import CoreBars, Gauge
from mlops_tui.widgets.metrics.charts import SeriesList, ZoomChart
from mlops_tui.widgets.metrics.gpus import GpuSection
from mlops_tui.widgets.metrics.local import LocalMetricsView
from mlops_tui.widgets.metrics.processes import PinnedList, ProcessTable
from mlops_tui.widgets.pane import SourceNote
from mlops_tui.widgets.viewtabs import ViewTabs


def rendered(widget) -> str:
    """The text a widget shows on screen, line by line."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def cell_text(table: ProcessTable, row: int, column: str) -> str:
    return table.cell(row, column)


async def settled(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def recorded(snaps, **kwargs) -> dict:
    return {"metrics": {"source": RecordedMetricSource(snaps, **kwargs)}}


async def test_shows_the_last_recorded_sample():
    snaps = synthetic_snapshots(12, cores=8, processes=40, gpus=1)
    app = make_app(pane_options=recorded(snaps, top=20))
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app, pilot)
        last = snaps[-1]
        cpu = app.query_one("#cpu-gauge", Gauge)
        assert cpu.text == f"{last.cpu.total:.1f}%" and cpu.percent == last.cpu.total
        assert rendered(cpu).rstrip().endswith(f"{last.cpu.total:.1f}%")
        info = str(app.query_one("#cpu-info").render())
        assert "load 3.20 2.90 2.50" in info and "procs 40" in info and "up 3d 05:00" in info
        table = app.query_one(ProcessTable)
        assert table.row_count == 20
        top = sorted(last.processes, key=lambda p: (-p.cpu, p.pid))[0]
        assert cell_text(table, 0, "pid").strip() == str(top.pid)
        assert cell_text(table, 0, "command") == top.command
        gpu = app.query_one(GpuSection).query_one(Gauge)
        assert gpu.text.startswith(f"{last.gpu.gpus[0].utilization:.0f}% mem 40.0 GiB/80.0 GiB 55°C 250W")
        series = app.query_one(SeriesList)
        assert [s.label for s in series.series][:3] == ["cpu", "memory", "swap"]
        chart = rendered(app.query_one(ZoomChart))
        lows = [s.cpu.total for s in snaps]
        assert f"now {last.cpu.total:.1f}%" in chart and f"min {min(lows):.1f}%" in chart
        assert f"max {max(lows):.1f}%" in chart and "-12s" in chart and "100.0%┤" in chart
        status = app.query_one("#status-line").statuses["metrics.recorded"]
        assert (status.state.value, status.reason) == ("ok", "8 cores")
        assert "metrics.recorded ok" in str(app.query_one("#status-line").render())


async def test_thresholds_colour_through_css_classes():
    base = synthetic_snapshots(1, cores=4, processes=5)[0]
    hot = replace(base, memory=replace(base.memory, percent=96.5), swap=replace(base.swap, percent=60.0),
                  cpu=replace(base.cpu, total=40.0, per_core=[10.0, 40.0, 95.0, None]))
    app = make_app(dotlist=["metrics.thresholds.cpu_warning=30", "metrics.thresholds.cpu_critical=50"],
                   pane_options=recorded([hot]))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        assert app.query_one("#cpu-gauge").has_class("-warning")  # 40 >= 30 set on the command line
        assert not app.query_one("#cpu-gauge").has_class("-critical")
        assert app.query_one("#mem-gauge").has_class("-critical")
        assert app.query_one("#swap-gauge").has_class("-warning")
        root, data = app.query_one("#fs").query(Gauge)
        assert root.has_class("-warning") and root.text == "86% 70.0 GiB free"  # 86 >= disk_warning 85
        assert not data.has_class("-warning") and not data.has_class("-critical")
        bars = app.query_one(CoreBars)
        styles = [bars._style(v) for v in bars.values]
        ok, warning, critical = (bars.get_component_rich_style(f"corebars--{n}") for n in ("ok", "warning", "critical"))
        assert styles == [ok, warning, critical, ok] and len({ok, warning, critical}) == 3
        assert "  ?%" in rendered(bars)  # the core that could not be read


async def test_bar_colour_follows_the_thresholds_from_tick_to_tick():
    """The gauges keep their component styles between ticks; a class change (ok -> critical -> ok) must
    still recolour the bar they draw."""
    app = make_app(pane_options=recorded(synthetic_snapshots(1, cores=2, processes=3)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        gauge = app.query_one("#cpu-gauge", Gauge)
        colours = []
        for percent in (10.0, 95.0, 12.0):
            gauge.set(percent, f"{percent:.0f}%", 75.0, 90.0)
            await pilot.pause()
            label, filled, empty, value = list(gauge.render_line(0))[:4]
            assert value.text == f" {percent:.0f}%"
            colours.append(filled.style.color)
        assert colours[0] == colours[2] != colours[1]


# From 120 columns the resources take 56 columns beside the process table (whose COMMAND needs the room):
# there 64 cores take two rows, one at 80 columns where the resources span the screen
@pytest.mark.parametrize("cores, width, rows", [(64, 80, 1), (128, 80, 2), (96, 160, 2), (64, 160, 2), (8, 80, 2), (16, 80, 1), (2, 80, 1)])
async def test_per_core_bars_fit(cores, width, rows):
    app = make_app(pane_options=recorded(synthetic_snapshots(1, cores=cores, processes=3)))
    async with app.run_test(size=(width, 24)) as pilot:
        await settled(app, pilot)
        bars = app.query_one(CoreBars)
        assert bars.size.height == rows
        assert bars.size.width <= width
        text = rendered(bars)
        assert all(len(line) <= bars.size.width for line in text.splitlines())
        if cores >= 16:  # one cell per core
            cells = sum(1 for ch in text if ch in "▁▂▃▄▅▆▇█")
            assert cells == cores  # every core has its cell
        else:
            assert text.count("%") == cores


async def test_sort_filter_and_pin_in_the_process_table():
    snaps = synthetic_snapshots(3, cores=4, processes=40)
    app = make_app(pane_options=recorded(snaps, top=50))
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app, pilot)
        pane = app.query_one(MetricsPane)
        pane.focus_default()
        table = app.query_one(ProcessTable)
        await pilot.press("s")
        rss = [snaps[-1].processes[int(cell_text(table, r, "pid").strip()) - 1000].rss for r in range(table.row_count)]
        assert rss == sorted(rss, reverse=True) and "processes by RSS" in str(app.query_one("#proc-title").render())
        await pilot.press("s")  # CPU time (TIME+)
        times = [snaps[-1].processes[int(cell_text(table, r, "pid").strip()) - 1000].time for r in range(table.row_count)]
        assert times == sorted(times, reverse=True) and "processes by TIME+" in str(app.query_one("#proc-title").render())
        await pilot.press("s", "s")  # pid, then name
        names = [cell_text(table, r, "command").split("/")[-1].split()[0] for r in range(table.row_count)]
        assert names == sorted(names)
        await pilot.press("slash")
        await pilot.press(*"triton", "enter")
        await pilot.pause()
        assert table.row_count == 5
        assert all("tritonserver" in cell_text(table, r, "command") for r in range(table.row_count))
        assert "matching 'triton'" in str(app.query_one("#proc-title").render())
        assert table.has_focus
        pid = int(cell_text(table, 0, "pid").strip())
        await pilot.press("p")
        await pilot.pause()
        assert app.query_one(LocalMetricsView).source.pinned == [pid]
        assert cell_text(table, 0, "pid") == f"*{pid}"
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert table.row_count == 40


async def test_bursts_of_samples_coalesce_but_history_keeps_every_one():
    snaps = synthetic_snapshots(300, cores=16, processes=50)
    app = make_app(pane_options=recorded(snaps))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        view = app.query_one(LocalMetricsView)
        assert len(view.history.values("cpu")) == 300
        assert view.history.values("cpu")[-3:] == [s.cpu.total for s in snaps[-3:]]
        assert view.frames < 300  # ticks that arrived while painting were replaced, not queued
        assert view.snapshot.time == snaps[-1].time


async def test_history_is_bounded_by_the_setting():
    app = make_app(dotlist=["metrics.history=50"], pane_options=recorded(synthetic_snapshots(120, cores=2)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        view = app.query_one(LocalMetricsView)
        assert len(view.history.values("cpu")) == 50 and len(view.history.values("core1")) == 50


class BreaksAfterFirst(RecordedMetricSource):
    """A recorded source that fails on its second sample, the way a broken /proc would."""

    def sample(self):
        if self._next >= 1:
            raise OSError("[Errno 2] No such file or directory: '/proc/stat'")
        return super().sample()


async def test_a_failing_source_keeps_the_last_values_and_says_why():
    snaps = synthetic_snapshots(2, cores=4)
    app = make_app(pane_options={"metrics": {"source": BreaksAfterFirst(snaps)}})
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        note = app.query_one("#local-note", SourceNote)
        assert note.has_class("-failing") and note.display
        assert "sampling stopped: OSError: [Errno 2] No such file or directory: '/proc/stat'" in str(note.render())
        assert app.query_one("#cpu-gauge", Gauge).text == f"{snaps[0].cpu.total:.1f}%"


async def test_unavailable_values_are_named_and_the_rest_shown():
    base = synthetic_snapshots(1, cores=2)[0]
    snap = replace(base, disk_read=None, disk_write=None,
                   errors={"disk_io": "no disk counters (/proc/diskstats missing)"})
    app = make_app(pane_options=recorded([snap]))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        note = app.query_one("#local-note", SourceNote)
        assert note.display
        assert "unavailable: disk_io: no disk counters (/proc/diskstats missing)" in str(note.render())
        assert str(app.query_one("#io-info").render()).startswith("disk r - w -")
        assert app.query_one("#cpu-gauge", Gauge).text == f"{base.cpu.total:.1f}%"
        assert "gpu: no GPU library: install nvidia-ml-py" in str(app.query_one(GpuSection).query_one(".gpu-note").render())


async def test_v_switches_to_the_remote_view_and_back():
    app = make_app(pane_options=recorded(synthetic_snapshots(1, cores=2)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        views = app.query_one("#metrics-views")
        await pilot.press("1", "v")  # 1 shows the Metrics pane and focuses its process table
        assert views.active == "metrics-remote"
        assert app.query_one("#remote-metrics").region.height > 0
        assert app.query_one(LocalMetricsView).region.height == 0
        await pilot.press("v")
        assert views.active == "metrics-local"
        assert app.query_one(LocalMetricsView).region.height > 0


async def test_clicking_a_view_name_switches_to_it():
    app = make_app(pane_options=recorded(synthetic_snapshots(1, cores=2)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        tabs = app.query_one("#metrics-views", ViewTabs)
        row = str(tabs.render())
        assert row.split() == ["Local", "Remote", "v", "switches"]
        await pilot.click("#metrics-views", offset=(row.index("Remote"), 0))
        await pilot.pause()
        assert tabs.active == "metrics-remote" and app.query_one("#remote-metrics").region.height > 0
        assert app.query_one(LocalMetricsView).region.height == 0
        await pilot.click("#metrics-views", offset=(row.index("Local"), 0))
        await pilot.pause()
        assert tabs.active == "metrics-local" and app.query_one(LocalMetricsView).region.height > 0
        assert app.focused is app.query_one(ProcessTable)


async def test_live_pin_of_a_real_process_that_exits(sleeper):
    proc = sleeper()
    app = make_app(dotlist=["metrics.interval=0.2"])
    async with app.run_test(size=(160, 48)) as pilot:
        view = app.query_one(LocalMetricsView)
        app.query_one(MetricsPane).focus_default()
        await pilot.press("slash", *"sleep", "enter")
        table = app.query_one(ProcessTable)
        await until(pilot, lambda: any(cell_text(table, r, "pid").strip() == str(proc.pid)
                                       for r in range(table.row_count)))
        row = next(r for r in range(table.row_count) if cell_text(table, r, "pid").strip() == str(proc.pid))
        table.move_cursor(row)
        await pilot.press("p")
        pinned = app.query_one(PinnedList)
        await until(pilot, lambda: f"pinned {proc.pid} sleep" in str(pinned.render()))
        assert f"pinned {proc.pid} sleep" in str(pinned.render()) and "rss" in str(pinned.render())
        proc.kill()
        proc.wait()
        await until(pilot, lambda: "exited" in str(pinned.render()), describe=pinned.render)
        assert f"pinned {proc.pid} sleep: exited" in str(pinned.render())
        assert pinned.has_class("-gone")
        frames = view.frames
        await until(pilot, lambda: view.frames > frames + 1)  # the pane keeps sampling
        assert view.snapshot.cpu.total is not None


async def test_bindings_are_listed_in_help():
    app = make_app(pane_options=recorded(synthetic_snapshots(1, cores=2)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(app, pilot)
        ids = {row[3] for row in app._help_rows()}
        assert {"metrics.view", "metrics.filter", "metrics.sort", "metrics.pin", "metrics.next_series"} <= ids


async def test_gpus_from_nvml_stand_in_with_a_live_source():
    """The live source with FakeNvml (a stand-in for pynvml: no GPU here) feeding the GPU section."""
    from metrics.fake_nvml import FakeNvml

    from mlops_tui.sources.metrics.gpu import GpuReader
    from mlops_tui.sources.metrics.local import LocalMetricSource

    nvml = FakeNvml(fail={("nvmlDeviceGetTemperature", 1): "Not Supported"})
    nvml.boards[1]["used"] = int(15.9 * (1 << 30))  # 99 % of the T4's 16 GiB: critical
    nvml.boards[1]["procs"] = [(os.getpid(), None)]  # this test's process: its name comes from psutil
    source = LocalMetricSource(top=5, warmup=0.1, gpu=GpuReader(nvml))
    app = make_app(dotlist=["metrics.interval=0.2"], pane_options={"metrics": {"source": source}})
    async with app.run_test(size=(160, 48)) as pilot:
        view = app.query_one(LocalMetricsView)
        await until(pilot, lambda: view.snapshot is not None)
        await pilot.pause()
        a100, t4 = app.query_one(GpuSection).query(Gauge)
        assert a100.text == "87% mem 40.0 GiB/80.0 GiB 61°C 245W" and a100.percent == 87.0
        assert not a100.has_class("-warning") and not a100.has_class("-critical")
        assert t4.text == "3% mem 15.9 GiB/16.0 GiB - 28W" and t4.has_class("-critical")
        lines = [str(s.render()) for s in app.query_one(GpuSection).query(".gpu-procs")]
        assert lines[0].startswith("NVIDIA A100-SXM4-80GB: 4242 ")
        me = psutil.Process().name()
        assert lines[1] == f"Tesla T4: {os.getpid()} {me} -  (temperature: Not Supported)"
        labels = [s.label for s in app.query_one(SeriesList).series]
        assert {"gpu0", "gpu0 mem", "gpu1", "gpu1 mem"} <= set(labels)
        assert view.snapshot.memory.total > 0  # the rest of the machine is still read


async def test_hidden_view_keeps_history_and_catches_up_when_shown():
    app = make_app(dotlist=["metrics.interval=0.1"])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LocalMetricsView)
        await until(pilot, lambda: view.snapshot is not None)
        await pilot.press("1", "v")  # the Remote view hides the Local one
        # the baseline once the screen painted without the Local view: from then on a sample is not drawn
        await until(pilot, lambda: not shown_at_last_paint(view))
        frames, recorded = view.frames, len(view.history.values("cpu"))
        await until(pilot, lambda: len(view.history.values("cpu")) >= recorded + 5)  # sampling goes on
        assert view.frames == frames  # but nothing is drawn while hidden
        await pilot.press("v")
        await until(pilot, lambda: view.frames > frames)
        assert app.query_one("#cpu-gauge", Gauge).text == f"{view.snapshot.cpu.total:.1f}%"


async def test_paints_under_no_color(monkeypatch):
    """Textual's monochrome filter rejects segments without a style: every part of the pane must paint."""
    monkeypatch.setenv("NO_COLOR", "1")
    snaps = synthetic_snapshots(5, cores=96, processes=30, gpus=1)
    app = make_app(pane_options=recorded(snaps))
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(app, pilot)
        assert app.no_color
        table = app.query_one(ProcessTable)
        await pilot.press("1", "s", "p", "right_square_bracket")
        await until(pilot, lambda: table.sort != "cpu" and any(cell_text(table, r, "pid").startswith("*")
                                                              for r in range(table.row_count)))
        await pilot.pause()  # and the frame with them painted
        assert app.is_running
        assert app.query_one("#cpu-gauge", Gauge).text == f"{snaps[-1].cpu.total:.1f}%"


async def test_the_pane_shows_levels_at_once_and_rates_half_a_second_later(monkeypatch):
    """The real pane's own source: memory and processes in its first frame, CPU as '-' (not a made-up 0)
    until the second sample, which comes `warmup` (0.5 s) after the first, not a whole interval later.
    What the sampler waits for is recorded, not timed: a busy machine delays a wake-up, never shortens one."""
    import threading
    import types

    from mlops_tui.widgets.metrics import local as local_view

    shown = []  # what each applied sample put on screen, recorded as it is applied
    waits: list[float] = []  # the timeout of each wait between two samples
    apply = LocalMetricsView.apply

    def recording_apply(view, snap):
        apply(view, snap)
        shown.append((time.monotonic(), snap.window, rendered(view.query_one("#cpu-gauge", Gauge)).rstrip(),
                       rendered(view.query_one("#mem-gauge", Gauge)).rstrip(), view.query_one(ProcessTable).row_count))

    class RecordingEvent(threading.Event):
        def wait(self, timeout=None):
            waits.append(timeout)
            return super().wait(timeout)

    monkeypatch.setattr(LocalMetricsView, "apply", recording_apply)
    monkeypatch.setattr(local_view, "threading", types.SimpleNamespace(Event=RecordingEvent))
    interval = 60.0
    app = make_app([f"metrics.interval={interval:g}"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: len(shown) >= 2, timeout=30, describe=lambda: (shown, waits))
    (first_at, first_window, first_cpu, first_mem, first_rows), (second_at, second_window, second_cpu, *_) = shown[:2]
    assert first_window == 0 and first_cpu.endswith("-") and first_mem.endswith("%") and first_rows > 0
    assert waits[0] == 0.5, waits  # after the levels-only sample: the warmup, not the 60 s interval
    # rates over at least that wait, and the second sample long before an interval went by
    assert 0.5 <= second_window < interval and second_cpu.endswith("%"), shown
    assert second_at - first_at < interval  # (the gap on screen can be ms: a busy UI applies both samples late)
