"""Resident memory of mlops-tui after N seconds idle on a prepared demo sandbox (default 60 s).

Usage: python bench/idle_memory.py [--seconds 60]
"""

from __future__ import annotations

import argparse

from harness import Terminal, cpu_seconds, demo_argv, prepared_demo, rss_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    root = prepared_demo()
    with Terminal(demo_argv(root), cwd=root) as term:
        term.wait_for(b"Metrics")
        term.idle(2)
        rss_start = rss_bytes(term.process.pid)
        cpu_start = cpu_seconds(term.process.pid)
        term.idle(args.seconds)
        rss_end = rss_bytes(term.process.pid)
        cpu = (cpu_seconds(term.process.pid) - cpu_start) / args.seconds * 100
    print(f"RSS 2 s after the first paint: {rss_start / 2**20:.1f} MiB")
    print(f"RSS after {args.seconds:g} s idle: {rss_end / 2**20:.1f} MiB")
    print(f"CPU while idle: {cpu:.2f} % of one core")


if __name__ == "__main__":
    main()
