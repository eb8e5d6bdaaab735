"""Idle CPU of mlops-tui with the Metrics pane visible at 1 s refresh, against btop, `htop -d 10` and
`glances -t 1`, all running side by side in one run, each in its own 80x24 pseudo-terminal.

CPU% of one core is measured over several windows after a warm-up; the median window is printed, and the
ratios to the peers (goal: at most half of glances', at most twice btop's).

Usage: python bench/metrics_idle_cpu.py [--seconds 60] [--windows 6] [--size 80x24]
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import statistics
import sys
import time
from pathlib import Path

import psutil
from harness import OUT, PEERS, PYTHON, Terminal, peer_venv, which


def _schedstat_seconds(pid: int) -> float | None:
    """CPU time of every thread of pid from /proc/PID/task/*/schedstat (nanoseconds); None where absent.
    cpu_times() counts in 10 ms ticks, a tenth of a percent over a 10 s window: too coarse for programs
    that idle below one percent."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    total = 0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as handle:
                total += int(handle.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended meanwhile
    return total / 1e9


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of pid and its live descendants (schedstat where the kernel has it, else cpu_times)."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        precise = _schedstat_seconds(p.pid)
        if precise is not None:
            total += precise
            continue
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def btop_config() -> Path:
    """An XDG config dir whose btop.conf sets a 1 s refresh (btop reads no command-line interval)."""
    home = PEERS / "btop-config"
    (home / "btop").mkdir(parents=True, exist_ok=True)
    (home / "btop" / "btop.conf").write_text("update_ms = 1000\n")
    return home


def drain_all(terms: dict[str, Terminal], seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        masters = {t.master: t for t in terms.values()}
        ready, _, _ = select.select(list(masters), [], [], 0.2)
        for fd in ready:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                continue
            term = masters[fd]
            term.output += data
            del term.output[:-4096]  # keep only the tail: the screens are not inspected after start-up


def main() -> None:
    # a SIGTERM (e.g. from `timeout`) unwinds through the finally/with blocks that stop the programs started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured time (after a 5 s warm-up)")
    parser.add_argument("--windows", type=int, default=6, help="windows the time is split into (median taken)")
    parser.add_argument("--size", default="80x24")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    OUT.mkdir(parents=True, exist_ok=True)
    workdir = OUT / "metrics-idle"
    workdir.mkdir(exist_ok=True)

    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "mlops-tui": ([PYTHON, "-m", "mlops_tui", "metrics.interval=1"], {}),
    }
    if which("btop"):
        commands["btop"] = (["btop"], {"XDG_CONFIG_HOME": str(btop_config())})
    if which("htop"):
        commands["htop -d 10"] = (["htop", "-d", "10"], {})
    glances = peer_venv("glances", "glances")
    if glances is not None:
        commands["glances -t 1"] = ([str(glances / "bin" / "glances"), "-t", "1"], {})
    else:
        print("note: peer glances (PyPI) could not be installed; its ratio is not measured")

    terms: dict[str, Terminal] = {}
    try:
        for name, (argv, env) in commands.items():
            terms[name] = Terminal(argv, size=size, cwd=workdir, env={"HOME": str(workdir), **env})
        drain_all(terms, 5.0)
        for name, term in terms.items():
            if term.process.poll() is not None:
                raise SystemExit(f"{name} exited early ({term.process.returncode}): {bytes(term.output[-300:])!r}")
        window = args.seconds / args.windows
        samples: dict[str, list[float]] = {name: [] for name in terms}
        for _ in range(args.windows):
            start = {name: tree_cpu_seconds(t.process.pid) for name, t in terms.items()}
            began = time.perf_counter()
            drain_all(terms, window)
            elapsed = time.perf_counter() - began
            for name, term in terms.items():
                samples[name].append((tree_cpu_seconds(term.process.pid) - start[name]) / elapsed * 100)
    finally:
        for term in terms.values():
            term.stop()

    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"idle CPU, % of one core, median of {args.windows} windows of {window:.0f} s, {size[0]}x{size[1]}, "
          f"1 s refresh, all side by side ({os.cpu_count()} cores):")
    for name, value in medians.items():
        spread = ", ".join(f"{v:.2f}" for v in samples[name])
        print(f"  {name:<14} {value:6.2f} %   (windows: {spread})")
    ours = medians["mlops-tui"]
    for peer, goal in (("glances -t 1", 0.5), ("btop", 2.0), ("htop -d 10", None)):
        if peer in medians and medians[peer] > 0:
            ratio = ours / medians[peer]
            verdict = "" if goal is None else (f"  goal <= {goal:g}: {'met' if ratio <= goal else 'NOT met'}")
            print(f"  mlops-tui / {peer}: {ratio:.2f}{verdict}")


if __name__ == "__main__":
    main()
