"""`mlops-tui metrics` without --source: local resources from the same source the pane uses."""

from __future__ import annotations

import sys
import time
from datetime import datetime

import click

from mlops_tui.cli.common import EXIT_BACKEND, EXIT_USAGE, fail, emit_json, to_json
from mlops_tui.settings import Settings
from mlops_tui.sources.metrics.local import LocalMetricSource, LocalSnapshot, interfaces_by_traffic
from mlops_tui.sources.units import human_bytes, human_cpu_time, human_duration, human_percent, human_rate
from mlops_tui.text import one_line, sanitize

ONCE_WINDOW = 0.5
"""Seconds over which --once measures rates when --interval is not given."""


def _line(snap: LocalSnapshot) -> str:
    """One --watch line."""
    stamp = datetime.fromtimestamp(snap.time).strftime("%H:%M:%S")
    load = " ".join(f"{v:.2f}" for v in snap.cpu.load) if snap.cpu.load else "-"
    return (f"{stamp} cpu {human_percent(snap.cpu.total)} iowait {human_percent(snap.cpu.iowait)} "
            f"load {load} mem {human_percent(snap.memory.percent)} swap {human_percent(snap.swap.percent)} "
            f"disk r {human_rate(snap.disk_read)} w {human_rate(snap.disk_write)} "
            f"net rx {human_rate(snap.net_rx)} tx {human_rate(snap.net_tx)} procs {snap.process_count or '-'}")


def _text(snap: LocalSnapshot) -> str:
    """The --once text form: a summary a person reads in a terminal."""
    cpu = snap.cpu
    lines = [
        f"cpu      {human_percent(cpu.total)} over {snap.window:.1f}s   iowait {human_percent(cpu.iowait)}   "
        f"steal {human_percent(cpu.steal)}   load {' '.join(f'{v:.2f}' for v in cpu.load) if cpu.load else '-'}",
        "cores    " + " ".join("-" if v is None else f"{v:.0f}" for v in cpu.per_core),
        f"memory   {human_percent(snap.memory.percent)}   {human_bytes(snap.memory.used)} of "
        f"{human_bytes(snap.memory.total)}",
        f"swap     {human_percent(snap.swap.percent)}   {human_bytes(snap.swap.used)} of {human_bytes(snap.swap.total)}",
        f"disk io  read {human_rate(snap.disk_read)}   write {human_rate(snap.disk_write)}",
    ]
    for fs in snap.filesystems:
        lines.append(f"fs       {sanitize(fs.mountpoint)}  {human_percent(fs.percent)} used  "
                     f"{human_bytes(fs.free)} free of {human_bytes(fs.total)}")
    busiest = interfaces_by_traffic(snap.network)  # as the pane orders them; down ones last, marked
    for nic in busiest + [n for n in snap.network if n not in busiest]:
        down = "  (down)" if nic.up is False else ""
        lines.append(f"net      {sanitize(nic.interface)}  rx {human_rate(nic.rx)}  tx {human_rate(nic.tx)}{down}")
    lines.append(f"procs    {snap.process_count if snap.process_count is not None else '-'}   "
                 f"uptime {human_duration(snap.uptime)}")
    if snap.gpu.available:
        for gpu in snap.gpu.gpus:
            lines.append(f"gpu{gpu.index}     {sanitize(gpu.name or '-')}  util {human_percent(gpu.utilization)}  "
                         f"mem {human_bytes(gpu.memory_used)} of {human_bytes(gpu.memory_total)}  "
                         f"{'-' if gpu.temperature is None else f'{gpu.temperature:.0f}C'}  "
                         f"{'-' if gpu.power is None else f'{gpu.power:.0f}W'}")
    else:
        lines.append(f"gpu      {sanitize(snap.gpu.note)}")
    listed = f"processes {len(snap.processes)} shown of {snap.process_matched if snap.process_matched is not None else '-'}"
    if snap.kernel_threads:
        listed += f", {snap.kernel_threads} kernel threads hidden"
    lines.append(listed)
    lines.append(f"{'PID':>7} {'USER':<10} {'CPU%':>6} {'RSS':>10} {'THR':>4} {'TIME+':>9}  COMMAND")
    for p in snap.processes:
        cpu_text = "-" if p.cpu is None else f"{p.cpu:.1f}"
        lines.append(f"{p.pid:>7} {sanitize(p.user or '-', 10)[:10]:<10} {cpu_text:>6} {human_bytes(p.rss):>10} "
                     f"{p.threads if p.threads is not None else '-':>4} {human_cpu_time(p.time):>9}  "
                     f"{one_line(p.command or p.name or '-', 120)}")
    for key, reason in snap.errors.items():
        lines.append(f"unavailable: {sanitize(key)} ({sanitize(reason)})")
    return "\n".join(lines)


def run_local(settings: Settings, *, once: bool, watch: bool, as_json: bool, interval: float | None) -> None:
    if interval is not None and interval <= 0:
        fail("--interval must be a positive number of seconds", EXIT_USAGE)
    if once and watch:
        fail("--once and --watch exclude each other", EXIT_USAGE)
    period = interval if interval is not None else settings.metrics.interval
    source = LocalMetricSource(top=settings.metrics.top_processes,
                               warmup=interval if (interval is not None and not watch) else
                               (ONCE_WINDOW if not watch else period))
    try:
        if not watch:
            snap = _sample(source)
            if as_json:
                emit_json(snap.to_dict())
            else:
                click.echo(_text(snap))
            return
        _watch(source, period, as_json)
    finally:
        source.close()


def _sample(source: LocalMetricSource) -> LocalSnapshot:
    try:
        return source.sample()
    except Exception as exc:  # psutil could not read this machine at all (no /proc)
        fail(f"could not read local resources: {type(exc).__name__}: {exc}", EXIT_BACKEND)


def _watch(source: LocalMetricSource, period: float, as_json: bool) -> None:
    deadline: float | None = None
    try:
        while True:
            snap = _sample(source)
            if deadline is None:
                deadline = time.monotonic()
            click.echo(to_json(snap.to_dict(), indent=None) if as_json else _line(snap))
            sys.stdout.flush()
            deadline += period
            time.sleep(max(0.0, deadline - time.monotonic()))
    except KeyboardInterrupt:
        return  # (`metrics --watch | head`: the closed stdout ends as every command's does, in cli.LazyGroup)
