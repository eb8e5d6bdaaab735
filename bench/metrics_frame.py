"""Frame cost of the Metrics pane: time to show one new sample of a machine with 128 cores and 500 processes,
fed from recorded samples (a deterministic synthetic recording; this machine has 2 cores).

One refresh = record the sample's series in the history, update every widget of the Local view, let the app
deliver the refresh requests and paint the screen as its refresh timer does (layout if needed, compositor,
headless driver). Measured as CPU time of the process (waits excluded). Printed: median and 95th percentile
ms per refresh, and the same loop with no new sample (the floor, already included in the first figure).

Usage: python bench/metrics_frame.py [--frames 200] [--cores 128] [--processes 500] [--size 160x48]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.app_factory import make_app  # noqa: E402

from mlops_tui.sources.metrics.recorded import RecordedMetricSource, synthetic_snapshots  # noqa: E402
from mlops_tui.widgets.metrics.local import LocalMetricsView  # noqa: E402


async def measure(frames: int, cores: int, processes: int, size: tuple[int, int]) -> tuple[list[float], list[float]]:
    snaps = synthetic_snapshots(frames + 1, cores=cores, processes=processes, gpus=2)
    app = make_app(pane_options={"metrics": {"source": RecordedMetricSource(snaps[:1])}})
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.query_one(LocalMetricsView)
        screen = app.screen
        with_sample, floor = [], []
        for snap in snaps[1:]:
            start = time.process_time()
            view.history.record(snap.series())
            view.apply(snap)
            await pilot.pause()  # deliver the refresh requests; the refresh timer may paint here
            screen._on_timer_update()  # and if it has not, paint now as it would
            with_sample.append((time.process_time() - start) * 1000)
            start = time.process_time()
            await pilot.pause()
            screen._on_timer_update()
            floor.append((time.process_time() - start) * 1000)
        assert view.frames == frames + 1 and view.snapshot is snaps[-1]
    return with_sample, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--cores", type=int, default=128)
    parser.add_argument("--processes", type=int, default=500)
    parser.add_argument("--size", default="160x48")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    times, floor = asyncio.run(measure(args.frames, args.cores, args.processes, size))
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"Metrics pane refresh, {args.cores} cores, {args.processes} processes, {size[0]}x{size[1]}, "
          f"{args.frames} recorded samples:")
    print(f"  {statistics.median(times):.2f} ms per refresh (median), {p95:.2f} ms (p95)")
    print(f"  floor without a new sample: {statistics.median(floor):.2f} ms (median)")


if __name__ == "__main__":
    main()
