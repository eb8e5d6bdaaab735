"""Resident memory of mlops-tui with the Metrics pane visible at 1 s refresh: RSS after 1 minute and after
--minutes (default 10). The ring buffers bound the history, so the two should be close.

Usage: python bench/metrics_rss.py [--minutes 10] [--size 80x24]
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from harness import OUT, PYTHON, Terminal, rss_bytes


def main() -> None:
    # a SIGTERM (e.g. from `timeout`) unwinds through the finally/with blocks that stop the programs started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--size", default="80x24")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    workdir = OUT / "metrics-rss"
    workdir.mkdir(parents=True, exist_ok=True)
    readings: list[tuple[float, int]] = []
    with Terminal([PYTHON, "-m", "mlops_tui", "metrics.interval=1"], size=size, cwd=workdir,
                  env={"HOME": str(workdir)}) as term:
        term.wait_for(b"Metrics")
        started = time.perf_counter()
        marks = sorted({m for m in (1.0, *map(float, range(2, int(args.minutes) + 1))) if m <= args.minutes}
                       | {args.minutes})
        for minute in marks:
            term.idle(max(0.0, started + minute * 60 - time.perf_counter()))
            if term.process.poll() is not None:
                raise SystemExit(f"mlops-tui exited ({term.process.returncode})")
            readings.append((minute, rss_bytes(term.process.pid)))
            del term.output[:-4096]
    print(f"RSS of mlops-tui, Metrics pane visible, 1 s refresh, {size[0]}x{size[1]}:")
    for minute, rss in readings:
        print(f"  after {minute:4g} min: {rss / 2**20:7.1f} MiB")
    first, last = readings[0][1], readings[-1][1]
    print(f"  growth from 1 to {readings[-1][0]:g} min: {(last - first) / 2**20:+.1f} MiB ({(last / first - 1) * 100:+.1f} %)")


if __name__ == "__main__":
    main()
