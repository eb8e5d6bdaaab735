"""`mlops-tui config`: the app's own settings (check, schema) and ML config tools (diff, merge, validate)."""

from __future__ import annotations

import click

from mlops_tui.cli.common import emit_json, state


@click.group()
def config() -> None:
    """Check the app's settings; diff, merge and validate ML configs."""


@config.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
def check(as_json: bool) -> None:
    """Validate the settings and print the merged result, secrets masked."""
    import yaml

    from mlops_tui.secrets import mask_tree

    cli_state = state()
    settings = cli_state.settings()
    data = mask_tree(settings.model_dump(mode="json"))
    origin = str(cli_state.config_file) if cli_state.config_file else "built-in defaults"
    if as_json:
        emit_json({"config_file": origin, "settings": data})
        return
    click.echo(f"# settings are valid (file: {origin})")
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip())


@config.command()
def schema() -> None:
    """Print the JSON Schema of the settings, generated from the model."""
    from mlops_tui.settings import json_schema

    emit_json(json_schema())


from mlops_tui.cli.config_tools import register as _register_tools  # noqa: E402

_register_tools(config)
