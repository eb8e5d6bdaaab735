"""Start the Textual app (imported only when the app is opened, to keep the CLI fast)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from mlops_tui.cli.common import EXIT_INTERNAL, EXIT_USAGE, CliState, fail, settings_message


def first_theme(cli_state: CliState, environ: Mapping[str, str]) -> str | None:
    """The theme for the frames before the settings are read, from the layers that need no parsing:
    --theme, else a `ui.theme=` override, else MLOPS_TUI_UI__THEME. A theme set in a config file takes over
    once the settings are read (and a guess that is no theme's name falls back to the default)."""
    if cli_state.theme:
        return cli_state.theme
    for item in reversed(cli_state.dotlist):
        if item.startswith("ui.theme="):
            return item.partition("=")[2]
    return environ.get("MLOPS_TUI_UI__THEME")


def run_app(cli_state: CliState, cwd: Path | None = None, first_pane: str | None = None,
            pane_options: dict | None = None) -> None:
    """Open the app; it reads the settings of cli_state after its first frame (mlops_tui/app.py).
    cwd: the folder to work in (the demo's sandbox); the settings are still looked for where the command
    was started."""
    from mlops_tui.app import MlopsApp
    from mlops_tui.themes import ThemeError, load_themes

    try:
        themes = load_themes()
    except ThemeError as exc:
        fail(f"bad theme file: {exc}", EXIT_USAGE)
    if cwd is not None:
        os.chdir(cwd)
    app = MlopsApp(load_settings=lambda: (cli_state.load(), cli_state.config_file),
                   first_theme=first_theme(cli_state, os.environ), themes=themes, freeze_startup_objects=True,
                   first_pane=first_pane, pane_options=pane_options)
    app.run()
    if app.crashed:  # its line is printed and its crash file written (MlopsApp._fatal_error)
        raise SystemExit(EXIT_INTERNAL)
    error = app.startup_error
    if error is not None:
        from mlops_tui.settings import SettingsError

        if isinstance(error, SettingsError):
            fail(settings_message(error), EXIT_USAGE)
        raise error  # a bug: the command line's last line of defence reports it
