"""`mlops-tui metrics`: local resources (psutil) or a remote source's series."""

from __future__ import annotations

import click

from mlops_tui.cli.common import given, refuse_unused, state


@click.command()
@click.option("--once", is_flag=True, help="Print one snapshot of local resources and exit.")
@click.option("--watch", is_flag=True, help="Print a line of local resources per interval.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--interval", type=float, default=None, help="Seconds between samples (default: metrics.interval).")
@click.option("--source", metavar="NAME", help="A Prometheus or InfluxDB source from the settings.")
@click.option("--query", metavar="EXPR", help="PromQL or InfluxQL to run against --source.")
@click.option("--since", default="1h", show_default=True, help="Range of --query: 15m, 1h, 6h, 24h...")
@click.option("--hosts", is_flag=True, help="Print the fleet table of --source.")
def metrics(once: bool, watch: bool, as_json: bool, interval: float | None, source: str | None,
            query: str | None, since: str, hosts: bool) -> None:
    """Local resources, or series and host tables from Prometheus/InfluxDB."""
    if source is not None:
        refuse_unused(given(once="--once", watch="--watch", interval="--interval"),
                      "for local resources only; with --source, use --query (and --since) or --hosts")
    else:
        refuse_unused(given(query="--query", since="--since", hosts="--hosts"), "with --source only")
    settings = state().settings()
    if source is not None:
        from mlops_tui.cli.metrics_remote import run_remote

        run_remote(settings, source=source, query=query, since=since, hosts=hosts, as_json=as_json)
        return
    from mlops_tui.cli.metrics_local import run_local

    run_local(settings, once=once, watch=watch, as_json=as_json, interval=interval)
