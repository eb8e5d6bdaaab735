"""Log patterns of 1,000,000 lines: time to the first patterns shown and to all lines mined, and peak memory,
against drain3 run on the same file's lines in the same run.

The file is HDFS DataNode-shaped log4j text (tests/logs/samples/patterns/make_hdfs_datanode.py, 1,000,000
lines, WARN records with 3-line stack traces), page cache warm. Each engine runs in a process of its own, so
its peak RSS is its own:

- `ours`: what the pane's worker runs: `mine_patterns` on an indexed FileSource (records parsed from the file:
  header split off, stack traces joined to their record, level and time kept per template). The index is built
  first, as the Logs pane has it before `p`, and timed apart. First patterns = its first snapshot.
- `pane`: the real app headless (Pilot): from pressing `p` on the indexed file until the table shows its first
  rows, and until the last snapshot is shown.
- `drain3`: drain3's `TemplateMiner` fed the raw lines (what drain3's own examples do), and drain3's bare
  `Drain` (the algorithm without masking). First patterns = after as many lines as our first chunk has.
- `our-drain`: our `Drain` alone on the same raw lines (the algorithm, like for like with drain3's `Drain`).

    python bench/logs_patterns.py [--lines 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
OUT = BENCH / "out"

from mlops_tui.sources.logs.patterns import CHUNK as FIRST  # noqa: E402  (lines in mine_patterns' first chunk)


def rss_mib() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    """Peak RSS of this process image (VmHWM; ru_maxrss would carry the parent's size over the fork)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def make_file(lines: int) -> Path:
    sys.path.insert(0, str(ROOT / "tests" / "logs" / "samples" / "patterns"))
    import make_hdfs_datanode

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"hdfs-{lines}.log"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w") as handle:
            make_hdfs_datanode.write(handle, records=None, lines=lines, step_ms=80)
        tmp.rename(path)
    return path


def run_ours(path: Path) -> dict:
    from mlops_tui.sources.logs import FileSource
    from mlops_tui.sources.logs.patterns import mine_patterns

    start = time.perf_counter()
    source = FileSource(path, follow=False)
    while not source.complete:
        source.refresh(None)
    source.refresh()
    indexed = time.perf_counter()
    base = rss_mib()
    first = None
    for result in mine_patterns(source):
        if first is None:
            first = time.perf_counter() - indexed
    done = time.perf_counter() - indexed
    return {"index_s": indexed - start, "first_s": first, "done_s": done, "base_mib": base, "peak_mib": peak_mib(),
            "templates": len(result.patterns), "records": result.records, "rows": result.rows}


def run_drain3(path: Path, bare: bool) -> dict:
    if bare:
        from drain3.drain import Drain

        add = Drain().add_log_message
    else:
        from drain3 import TemplateMiner
        from drain3.template_miner_config import TemplateMinerConfig

        add = TemplateMiner(config=TemplateMinerConfig()).add_log_message  # defaults; reads no drain3.ini
    base = rss_mib()
    start = time.perf_counter()
    first = None
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            add(line.rstrip("\n"))
            if number == FIRST:
                first = time.perf_counter() - start
    done = time.perf_counter() - start
    miner = add.__self__
    clusters = miner.clusters if bare else miner.drain.clusters
    return {"first_s": first, "done_s": done, "base_mib": base, "peak_mib": peak_mib(), "templates": len(clusters),
            "records": number}


def run_our_drain(path: Path) -> dict:
    from mlops_tui.sources.logs.patterns import Drain

    drain = Drain()
    base = rss_mib()
    start = time.perf_counter()
    first = None
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            drain.add(line.split())
            if number == FIRST:
                first = time.perf_counter() - start
    done = time.perf_counter() - start
    return {"first_s": first, "done_s": done, "base_mib": base, "peak_mib": peak_mib(), "templates": len(drain.templates),
            "records": number}


def run_pane(path: Path) -> dict:
    from support.app_factory import make_app

    from mlops_tui.widgets.logs import LogsPane
    from mlops_tui.widgets.logs.patterns import PatternsTable, PatternsView

    async def drive() -> dict:
        app = make_app(dotlist=[f"logs.files=[{path}]", "logs.follow=false"])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("3")
            pane = app.query_one(LogsPane)
            while pane.source is None or not pane.source.complete:
                await pilot.pause(0.05)
            base = rss_mib()
            start = time.perf_counter()
            press = asyncio.ensure_future(pilot.press("p"))  # press() waits for an idle screen: poll meanwhile
            view, table = app.query_one(PatternsView), app.query_one(PatternsTable)
            while not table.row_count:
                await asyncio.sleep(0.005)
            first = time.perf_counter() - start
            while view.result is None or not view.result.done:
                await asyncio.sleep(0.005)
            done = time.perf_counter() - start
            await press
            return {"first_s": first, "done_s": done, "base_mib": base, "peak_mib": peak_mib(),
                    "templates": len(view.result.patterns), "records": view.result.records}

    return asyncio.run(drive())


def child(engine: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--engine", engine, str(path)], capture_output=True, text=True,
                         check=True, cwd=OUT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--engine")
    parser.add_argument("path", nargs="?")
    args = parser.parse_args()
    if args.engine:
        path = Path(args.path)
        runs = {"ours": run_ours, "pane": run_pane, "drain3-miner": lambda p: run_drain3(p, False),
                "drain3-drain": lambda p: run_drain3(p, True), "our-drain": run_our_drain}
        print(json.dumps(runs[args.engine](path)))
        return
    path = make_file(args.lines)
    subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL, check=True)
    print(f"== {path.name}: {args.lines:,} lines, {path.stat().st_size / 2**20:,.0f} MiB")
    results = {engine: child(engine, path) for engine in ("ours", "pane", "drain3-miner", "drain3-drain", "our-drain")}
    for engine, r in results.items():
        extra = f"  (index first: {r['index_s']:.2f} s)" if "index_s" in r else ""
        print(f"{engine:<13} first patterns {r['first_s']:6.2f} s   all mined {r['done_s']:6.2f} s   "
              f"peak RSS {r['peak_mib']:6.0f} MiB (+{r['peak_mib'] - r['base_mib']:.0f} over its start)   "
              f"{r['templates']:,} templates / {r['records']:,} records{extra}")
    ours, miner, bare, core = results["ours"], results["drain3-miner"], results["drain3-drain"], results["our-drain"]
    print(f"ratio ours / drain3 TemplateMiner, all mined: {ours['done_s'] / miner['done_s']:.2f}x "
          f"(first patterns {ours['first_s'] / miner['first_s']:.2f}x); memory growth "
          f"+{ours['peak_mib'] - ours['base_mib']:.0f} MiB vs +{miner['peak_mib'] - miner['base_mib']:.0f} MiB "
          f"(ours keeps a template id per row, 4 bytes, for Enter/x; drain3 keeps nothing per line)")
    print(f"ratio pane / drain3 TemplateMiner, all mined: {results['pane']['done_s'] / miner['done_s']:.2f}x")
    print(f"ratio our Drain / drain3 Drain, same raw lines: {core['done_s'] / bare['done_s']:.2f}x")


if __name__ == "__main__":
    main()
