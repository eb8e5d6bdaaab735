"""`mlops-tui demo`: build a sandbox (git + DVC + GTO repo, live logs, configs) and open the app on it."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path

import click

from mlops_tui.cli.common import EXIT_BACKEND, fail, state


@click.command()
@click.option("--prepare", "prepare_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Only build the sandbox in DIR and print its path.")
def demo(prepare_dir: Path | None) -> None:
    """Open the app on a demo sandbox built in a temporary folder."""
    from mlops_tui.demo.sandbox import SandboxError, demo_overrides, prepare

    try:
        if prepare_dir is not None:
            click.echo(prepare(prepare_dir))
            return
        with tempfile.TemporaryDirectory(prefix="mlops-tui-demo-") as tmp, ExitStack() as servers:
            root = prepare(Path(tmp) / "sandbox")
            from mlops_tui.demo.exporter import MetricsExporter

            # Model-server metrics derived from the live logs, and a Prometheus scraping them if installed.
            exporter = servers.enter_context(MetricsExporter())
            prometheus_url = _start_prometheus(servers, exporter.address)
            cli_state = state()
            cli_state.dotlist = demo_overrides(root, prometheus_url) + cli_state.dotlist
            from mlops_tui.cli.run import run_app
            from mlops_tui.demo.loggen import LogGenerator

            with LogGenerator(root / "logs", on_event=exporter.metrics.record_event):
                run_app(cli_state, cwd=root)
    except SandboxError as exc:
        fail(f"cannot build the demo sandbox: {exc}", EXIT_BACKEND)


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
