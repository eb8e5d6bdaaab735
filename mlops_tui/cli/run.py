"""Start the Textual app (imported only when the app is opened, to keep the CLI fast)."""

from __future__ import annotations

import os
from pathlib import Path

from mlops_tui.cli.common import EXIT_USAGE, fail
from mlops_tui.settings import Settings


def run_app(settings: Settings, config_file: Path | None, cwd: Path | None = None) -> None:
    from mlops_tui.app import MlopsApp
    from mlops_tui.themes import ThemeError, load_themes

    try:
        themes = load_themes()
    except ThemeError as exc:
        fail(f"bad theme file: {exc}", EXIT_USAGE)
    if settings.ui.theme not in themes:
        fail(f"ui.theme: unknown theme {settings.ui.theme!r} (known: {', '.join(sorted(themes))})", EXIT_USAGE)
    if cwd is not None:
        os.chdir(cwd)
    MlopsApp(settings, config_file=config_file, themes=themes, freeze_startup_objects=True).run()
