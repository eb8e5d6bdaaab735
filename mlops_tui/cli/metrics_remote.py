"""`mlops-tui metrics --source NAME`: a remote source's series (--query) or fleet table (--hosts)."""

from __future__ import annotations

import math
import time

import click
import httpx

from mlops_tui.cli.common import EXIT_BACKEND, EXIT_USAGE, emit_json, fail
from mlops_tui.settings import Settings
from mlops_tui.sources.http import BackendError
from mlops_tui.sources.metrics.remote.readonly import WriteRefused
from mlops_tui.sources.metrics.remote import (
    FLEET_COLUMNS,
    choose_step,
)
from mlops_tui.sources.metrics.remote.factory import SourceConfigError
from mlops_tui.sources.metrics.remote.poller import RemotePoller
from mlops_tui.sources.timespec import parse_duration
from mlops_tui.sources.units import format_value
from mlops_tui.text import sanitize

CLI_POINTS = 240  # points per series for --query: a terminal-wide chart's worth


def run_remote(settings: Settings, *, source: str, query: str | None, since: str, hosts: bool,
               as_json: bool) -> None:
    """Print the series of query over the last `since`, or the fleet table; exit 3 when the source fails.
    Fetched through the same poller calls as the Remote view's."""
    if not hosts and not query:
        fail("--source needs --query EXPR or --hosts", EXIT_USAGE)
    if hosts and query:
        fail("--query and --hosts cannot be combined", EXIT_USAGE)
    try:
        span = parse_duration(since)
    except ValueError as exc:
        fail(f"--since: {exc}", EXIT_USAGE)
    try:
        poller = RemotePoller.single(settings.metrics, source, retrying=False)
    except SourceConfigError as exc:
        fail(str(exc), EXIT_USAGE)
    try:
        if hosts:
            rows = poller.fleet(source)
            if as_json:
                emit_json([row.to_json() for row in rows])
            else:
                _print_fleet(rows)
            return
        end = time.time()
        series = poller.range(source, query, end - span, end, choose_step(span, CLI_POINTS))
        if as_json:
            emit_json([s.to_json() for s in series])
        else:
            _print_series(series)
    except WriteRefused as exc:
        fail(f"{source}: {sanitize(str(exc))}", EXIT_USAGE)
    except BackendError as exc:
        fail(f"{source}: {sanitize(str(exc))}", EXIT_BACKEND)
    except httpx.HTTPError as exc:  # anything the retry policy does not turn into a BackendError
        fail(f"{source}: {type(exc).__name__}: {sanitize(str(exc))}", EXIT_BACKEND)
    finally:
        poller.close()


def _print_fleet(rows) -> None:
    header = ["HOST", "HEALTH"] + [title.upper() for _, title, _ in FLEET_COLUMNS]
    table = [header] + [[sanitize(row.host), row.health] + [format_value(row.values.get(key), unit)
                                                            for key, _, unit in FLEET_COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    for row in rows:
        if row.reason:
            click.echo(f"{sanitize(row.host)}: {sanitize(row.reason)}")


def _print_series(series) -> None:
    if not series:
        click.echo("no series")
        return
    for s in series:
        finite = [v for v in s.values if not math.isnan(v)]
        summary = (f"last {format_value(finite[-1])}  min {format_value(min(finite))}  max {format_value(max(finite))}"
                   if finite else "no values")
        click.echo(f"{sanitize(s.legend())}  {len(s)} points  {summary}")
