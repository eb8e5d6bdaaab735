"""Start the Textual app (imported only when the app is opened, to keep the CLI fast)."""

from __future__ import annotations

import os
from pathlib import Path

from mlops_tui.settings import Settings


def run_app(settings: Settings, config_file: Path | None, cwd: Path | None = None) -> None:
    from mlops_tui.app import MlopsApp

    if cwd is not None:
        os.chdir(cwd)
    MlopsApp(settings, config_file=config_file).run()
