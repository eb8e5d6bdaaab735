"""`mlops-tui demo`: build a sandbox (git + DVC + GTO repo, live logs, configs) and open the app on it."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click

from mlops_tui.cli.common import EXIT_BACKEND, fail, state


@click.command()
@click.option("--prepare", "prepare_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Only build the sandbox in DIR and print its path.")
@click.option("--search-engine", "search_engine", is_flag=True,
              help="Also start the OpenSearch node the tests use (needs the source checkout, Java 17+ and Maven; "
                   "the first start builds it), ship the demo's logs into it and open the Logs pane on it.")
def demo(prepare_dir: Path | None, search_engine: bool) -> None:
    """Open the app on a demo sandbox built in a temporary folder."""
    from mlops_tui.demo.sandbox import SandboxError, demo_overrides, prepare

    try:
        if prepare_dir is not None:
            click.echo(prepare(prepare_dir))
            return
        with ExitStack() as servers:
            tmp = servers.enter_context(tempfile.TemporaryDirectory(prefix="mlops-tui-demo-"))
            servers.enter_context(_cleaned_up_on_hang_up(servers, tmp))
            root = prepare(Path(tmp) / "sandbox")
            from mlops_tui.demo.exporter import MetricsExporter

            # Model-server metrics derived from the live logs, and a Prometheus scraping them if installed.
            exporter = servers.enter_context(MetricsExporter())
            prometheus_url = _start_prometheus(servers, exporter.address)
            from mlops_tui.demo.alerting import RECEIVER_LOG, AlertReceiver

            # The Alerts pane notifies it; what it receives shows in the Logs pane (logs/alert-receiver.log).
            receiver = servers.enter_context(AlertReceiver(root / "logs" / RECEIVER_LOG))
            cli_state = state()
            cli_state.dotlist = demo_overrides(root, prometheus_url, receiver.url) + cli_state.dotlist
            from mlops_tui.cli.run import run_app
            from mlops_tui.demo.loggen import LogGenerator

            events = [exporter.metrics.record_event]
            first_pane, pane_options = None, None
            if search_engine:
                from mlops_tui.demo.search_engine import INDEX, SOURCE_NAME

                engine = _start_search_engine(servers, Path(tmp) / "opensearch", root / "logs")
                events.append(engine.ship)
                cli_state.dotlist.append(f"logs.opensearch=[{{name: {SOURCE_NAME}, url: '{engine.url}', index: {INDEX}}}]")
                first_pane, pane_options = "logs", {"logs": {"show_cluster": SOURCE_NAME}}

            def on_event(name: str, lines: list[str]) -> None:
                for event in events:
                    event(name, lines)

            servers.enter_context(LogGenerator(root / "logs", on_event=on_event))
            run_app(cli_state, cwd=root, first_pane=first_pane, pane_options=pane_options)
    except SandboxError as exc:
        fail(f"cannot build the demo sandbox: {exc}", EXIT_BACKEND)


def _start_search_engine(servers: ExitStack, home: Path, logs_dir: Path):  # noqa: ANN202 - a DemoSearchEngine
    """The demo's OpenSearch with the backlog in it, stopped with `servers`; exit 3 when it cannot run here."""
    from mlops_tui.demo.search_engine import INDEX, DemoSearchEngine, DemoSearchEngineError

    click.echo("demo: starting OpenSearch (the first start downloads and builds it with Maven: a few minutes)", err=True)
    try:
        engine = servers.enter_context(DemoSearchEngine(home))
        shipped = engine.ship_files(logs_dir)
    except DemoSearchEngineError as exc:
        fail(f"demo --search-engine: {exc}", EXIT_BACKEND)
    click.echo(f"demo: OpenSearch at {engine.url} holds {shipped:,} log documents (index {INDEX})", err=True)
    return engine


HANG_UP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


@contextmanager
def _cleaned_up_on_hang_up(stack: ExitStack, folder: str) -> Iterator[None]:
    """A dropped SSH session (SIGHUP) or a kill (SIGTERM) ends the demo with its servers stopped and its
    temporary folder removed, at once, exit status 128 + the signal. Python's default for both signals is
    to die without any cleanup. The app is not asked to quit: its terminal is gone, a write to it fails
    (EIO), Textual's writer thread then stops and its output queue blocks the app's own shutdown forever."""

    def hang_up(signum: int, _frame) -> None:
        for number in HANG_UP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)  # a second signal must not cut the cleanup short
        try:
            stack.close()  # the log writer, the exporter, Prometheus, then this folder (entered first)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            os._exit(128 + signum)

    previous = {number: signal.signal(number, hang_up) for number in HANG_UP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _start_prometheus(servers: ExitStack, target: str) -> str | None:
    """The URL of a Prometheus scraping `target`, stopped with `servers`; None without a prometheus binary."""
    from mlops_tui.demo.prometheus import DemoPrometheusError, start_demo_prometheus

    try:
        prometheus = start_demo_prometheus(target)
    except DemoPrometheusError as exc:
        click.echo(f"demo: no remote metrics ({exc})", err=True)
        return None
    if prometheus is None:
        return None
    servers.callback(prometheus.stop)
    return prometheus.url
