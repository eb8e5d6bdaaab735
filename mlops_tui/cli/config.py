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
    _check_theme(settings.ui.theme, cli_state)
    data = mask_tree(settings.model_dump(mode="json"))
    origin = str(cli_state.config_file) if cli_state.config_file else "built-in defaults"
    if as_json:
        emit_json({"config_file": origin, "settings": data})
        return
    click.echo(f"# settings are valid (file: {origin})")
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip())


def _check_theme(theme: str, cli_state) -> None:
    """What the app checks at start-up, checked here too: `valid` must mean the app starts (the issue saw
    `ui.theme: nosuch` called valid, then the app refuse it)."""
    from mlops_tui.cli.common import EXIT_USAGE, fail
    from mlops_tui.themes import ThemeError, load_themes

    try:
        themes = load_themes()
    except ThemeError as exc:
        fail(f"invalid settings: {exc}", EXIT_USAGE)
    if theme not in themes:
        where = f"{cli_state.config_file}: " if cli_state.config_file else ""
        fail(f"invalid settings: {where}ui.theme: unknown theme {theme!r} (known: {', '.join(sorted(themes))})",
             EXIT_USAGE)


@config.command()
def schema() -> None:
    """Print the JSON Schema of the settings, generated from the model."""
    from mlops_tui.settings import json_schema

    emit_json(json_schema())


from mlops_tui.cli.config_tools import register as _register_tools  # noqa: E402

_register_tools(config)
