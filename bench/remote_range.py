"""Range query of 24 h at 15 s step for 20 series: time from request to rendered chart, next to the
server's own time measured with curl in the same run.

Starts Debian's prometheus on a free loopback port with 20 series x 5,761 samples written by promtool.
Usage: python bench/remote_range.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from rich.console import Console  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402

from mlops_tui.settings.metrics import MetricsSettings, PrometheusSource  # noqa: E402
from mlops_tui.sources.metrics.remote.prometheus import PrometheusBackend  # noqa: E402
import mlops_tui.widgets.metrics.remote as remote_view  # noqa: E402
from mlops_tui.widgets.metrics.remote import RemoteMetricsView  # noqa: E402
from mlops_tui.widgets.metrics.remote.chart import RemoteChart, block_rows, resample  # noqa: E402

SERIES, STEP, SPAN = 20, 15, 86400
QUERY = "bench_latency_seconds"


def seed(last: int) -> str:
    lines = ["# TYPE bench_latency_seconds gauge"]
    count = SPAN // STEP + 1
    for host in range(SERIES):
        for i in range(count):
            t = last - STEP * (count - 1 - i)
            lines.append(f'bench_latency_seconds{{instance="host-{host:02d}"}} {0.1 + (i % 97) / 1000:.3f} {t}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def curl_seconds(url: str, start: float, end: float) -> float:
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", "-G", f"{url}/api/v1/query_range",
                          "--data-urlencode", f"query={QUERY}", "--data-urlencode", f"start={start:.3f}",
                          "--data-urlencode", f"end={end:.3f}", "--data-urlencode", f"step={STEP}"],
                         check=True, capture_output=True, text=True).stdout
    return float(out)


class BenchApp(App):
    def __init__(self, settings: MetricsSettings, clock) -> None:
        super().__init__()
        self.settings, self.clock = settings, clock

    def compose(self) -> ComposeResult:
        yield RemoteMetricsView(self.settings, clock=self.clock, autorefresh=False)


async def in_app_seconds(url: str, end: float, runs: int) -> list[float]:
    """Press r on a dashboard of the 20 series and wait until the chart is painted with the new data."""
    settings = MetricsSettings.model_validate({
        "prometheus": [{"name": "prom", "url": url}], "time_range": "24h",
        "dashboards": [{"name": "bench", "panels": [{"title": "latency", "source": "prom", "query": QUERY}]}]})
    app = BenchApp(settings, lambda: end)
    times = []
    async with app.run_test(size=(160, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.query_one(RemoteMetricsView)
        # at 160 columns the view would ask for a 10 min step; the figure is for 15 s, so pin it
        remote_view.choose_step = lambda span, width: float(STEP)
        chart = app.query_one(RemoteChart)
        for _ in range(runs):
            before = chart.revision
            started = time.perf_counter()
            view.action_refresh()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert chart.revision > before and len(chart.series) == SERIES and len(chart.series[0]) == SPAN // STEP + 1
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from remote.servers import create_blocks, start_prometheus

    workdir = Path(tempfile.mkdtemp(prefix="bench-remote-"))
    last = int(time.time()) // STEP * STEP - 60
    started = time.perf_counter()
    create_blocks(seed(last), workdir / "data")
    print(f"seeded {SERIES} series x {SPAN // STEP + 1} samples with promtool in {time.perf_counter() - started:.1f} s")
    server = start_prometheus(workdir, workdir / "data")
    try:
        start, end = float(last - SPAN), float(last)
        backend = PrometheusBackend(PrometheusSource(url=server.url, timeout=60))
        backend.range_query(QUERY, start, end, STEP)  # warm the server's caches once
        curl, fetch, render = [], [], []
        for _ in range(args.runs):
            curl.append(curl_seconds(server.url, start, end))
            t0 = time.perf_counter()
            series = backend.range_query(QUERY, start, end, STEP)
            t1 = time.perf_counter()
            console = Console(file=io.StringIO(), width=160, color_system="truecolor")
            t2 = time.perf_counter()
            columns = resample(series[0].times, series[0].values, start, end, 150)
            console.print("\n".join(block_rows(columns, 0.0, max(series[0].values), 5)))
            t3 = time.perf_counter()
            fetch.append(t1 - t0)
            render.append(t3 - t2)
            assert len(series) == SERIES and all(len(s) == SPAN // STEP + 1 for s in series)
        backend.close()
        in_app = asyncio.run(in_app_seconds(server.url, end, args.runs))
    finally:
        server.stop()
    points = SERIES * (SPAN // STEP + 1)
    med = statistics.median
    print(f"{SERIES} series x {SPAN // STEP + 1} points = {points:,} points, median of {args.runs} runs:")
    print(f"  server (curl time_total):                 {med(curl) * 1000:8.1f} ms")
    print(f"  source: request + JSON + parse to arrays: {med(fetch) * 1000:8.1f} ms")
    print(f"  chart: resample + draw to text:           {med(render) * 1000:8.1f} ms")
    print(f"  in app: refresh key to painted chart:     {med(in_app) * 1000:8.1f} ms")
    print(f"  beyond the server's time: source {(med(fetch) - med(curl)) * 1000:+.1f} ms, "
          f"in app {(med(in_app) - med(curl)) * 1000:+.1f} ms; ratio in app / curl = {med(in_app) / med(curl):.2f}")


if __name__ == "__main__":
    main()
