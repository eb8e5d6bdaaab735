"""`mlops-tui alerts`: the alert rules from the settings; `alerts check` evaluates them once (for cron and CI)."""

from __future__ import annotations

import click

from mlops_tui.cli.common import EXIT_BACKEND, EXIT_FINDING, emit_json, state
from mlops_tui.text import sanitize


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
@click.pass_context
def alerts(ctx: click.Context, as_json: bool) -> None:
    """List the alert rules from the settings; `alerts check` evaluates them."""
    if ctx.invoked_subcommand is not None:
        return
    rules = state().settings().alerts.rules
    if as_json:
        emit_json([rule.model_dump(mode="json", by_alias=True) for rule in rules])
        return
    if not rules:
        click.echo("no alert rules configured (add alerts.rules to the settings)")
        return
    for rule in rules:
        click.echo(sanitize(f"{rule.severity:<8} {rule.name}: {rule.kind} {rule.expr} {rule.op} {rule.threshold:g}"
                            f" for {rule.for_} ({rule.source})"))
    click.echo(f"{len(rules)} rule{'s' if len(rules) != 1 else ''} (`mlops-tui alerts check` evaluates them)")


@alerts.command()
@click.option("--json", "as_json", is_flag=True, help="Print each rule's state and alerts as JSON.")
@click.option("--deadline", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for each rule's query.")
def check(as_json: bool, deadline: float) -> None:
    """Evaluate every rule now, replaying its `for` window from sources that have history, so the answer is
    what a running evaluator would say. Exit 1 when an alert is firing, 3 when a rule could not be evaluated
    (and none fires), 0 otherwise."""
    from mlops_tui.sources.alerts.engine import AlertEngine

    engine = AlertEngine(state().settings(), deadline=deadline)
    try:
        engine.catch_up()
        views = engine.views()
    finally:
        engine.close()
    if as_json:
        emit_json([view.to_json() for view in views])
    else:
        for view in views:
            rule = view.rule
            head = f"{view.state:<8} {rule.severity:<8} {rule.name}"
            if view.reason:
                head += f": {view.reason}"
            click.echo(sanitize(head))
            for instance in view.instances:
                if instance.resolved:
                    continue
                labels = ", ".join(f"{k}={v}" for k, v in instance.labels)
                summary = view.summary(instance)
                click.echo(sanitize(f"  {instance.state.value:<8} value {instance.value:g}"
                                    f"{'  ' + labels if labels else ''}{'  ' + summary if summary else ''}"))
        if not views:
            click.echo("no alert rules configured (add alerts.rules to the settings)")
    if any(view.firing for view in views):
        raise SystemExit(EXIT_FINDING)
    if any(view.state == "error" for view in views):
        raise SystemExit(EXIT_BACKEND)
