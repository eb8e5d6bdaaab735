"""`mlops-tui alerts`: the alert rules from the settings, listed. Nothing evaluates them yet (rule
evaluation is not built), so this says nothing about whether one fires, and always exits 0."""

from __future__ import annotations

import click

from mlops_tui.cli.common import emit_json, state


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def alerts(as_json: bool) -> None:
    """List the alert rules from the settings (listed, not evaluated: no rule's state is known)."""
    rules = state().settings().alerts.rules
    if as_json:
        emit_json([rule.model_dump(mode="json") for rule in rules])
        return
    if not rules:
        click.echo("no alert rules configured (add alerts.rules to the settings)")
        return
    for rule in rules:
        click.echo(f"{rule.severity:<8} {rule.name}: {rule.kind} {rule.expr} {rule.op} {rule.threshold}")
    click.echo(f"{len(rules)} rule{'s' if len(rules) != 1 else ''} listed, not evaluated (rule evaluation is not built yet)")
